# CarePay: `make test` and `make demo` install whatever is missing, then do the work.
# Everything lives inside the project: the venv (.venv), npm packages (node_modules), ape's data
# folder (.ape) and the compiler shim (.solcx), so a run never depends on the home folder.
SHELL := /bin/bash
ROOT := $(abspath .)
VENV := $(ROOT)/.venv
PY := $(VENV)/bin/python
APE := $(VENV)/bin/ape
SOLC_VERSION := $(shell node -p "require('./package.json').dependencies.solc" 2>/dev/null)
PY_STAMP := $(VENV)/.installed
NPM_STAMP := node_modules/.installed
SOLC_SHIM := .solcx/solc-v$(SOLC_VERSION)

export SOLCX_BINARY_PATH := $(ROOT)/.solcx
export APE_DATA_FOLDER := $(ROOT)/.ape
export PATH := $(ROOT)/node_modules/@foundry-rs/anvil-linux-amd64/bin:$(ROOT)/node_modules/@foundry-rs/forge-linux-amd64/bin:$(ROOT)/node_modules/@foundry-rs/cast-linux-amd64/bin:$(VENV)/bin:$(PATH)
export PYTHONDONTWRITEBYTECODE := 1
# Import the carepay package of this checkout (worktrees share one venv).
export PYTHONPATH := $(ROOT)

.PHONY: install test test-deep demo compile clean

install: $(PY_STAMP) $(NPM_STAMP) $(SOLC_SHIM)

$(PY_STAMP): requirements.lock pyproject.toml
	test -x $(PY) || python3.11 -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(PY) -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	touch $@

$(NPM_STAMP): package.json
	npm install --no-audit --no-fund --loglevel=error
	touch $@

# py-solc-x and forge look for a native solc; this symlink makes them run the solc-js shim.
$(SOLC_SHIM): | $(NPM_STAMP)
	mkdir -p .solcx
	ln -sf ../tools/solc-shim.js $@
	$@ --version | grep -q "$(SOLC_VERSION)+commit" || { echo "solc shim does not report $(SOLC_VERSION)"; exit 1; }

compile: install
	$(APE) compile

# Each test folder in its own `ape test` session, two at a time (tools/run_tests.py says why not xdist),
# after compiling once. Hypothesis profile `ci` (tests/hypothesis_profiles.py): bounded example counts for
# the properties that run on anvil. TEST_JOBS=1 runs the folders one after another.
TEST_JOBS ?= 2
test: compile
	$(PY) tools/run_tests.py --jobs $(TEST_JOBS)

# The same tests with the `deep` profile: many more examples and longer state-machine runs (tens of minutes).
test-deep: compile
	$(PY) tools/run_tests.py --jobs $(TEST_JOBS) -- --hypothesis-profile deep

demo: install
	$(APE) run deploy --network ethereum:local:foundry --account TEST::0 -v WARNING

clean:
	rm -rf .build .ape contracts/.cache .solcx .hypothesis
