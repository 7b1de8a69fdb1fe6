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

.PHONY: install test demo compile clean bench bench-check

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

test: install
	$(APE) test tests -q

# The embedded local chain keeps its state in deployments/local/, so a second `make demo` finds the
# deployment and the finished scenarios and only verifies and reports again.
CAREPAY := $(PY) -m carepay
demo: install
	$(CAREPAY) deploy
	$(CAREPAY) scenario run follow-up
	$(CAREPAY) scenario run digital-twin
	$(CAREPAY) scenario run chronic-care
	$(CAREPAY) scenario run supervision
	$(CAREPAY) report

# Gas per operation, growth, splits and throughput on a private anvil; writes benchmarks/results.{md,json}.
bench: install
	$(PY) -m benchmarks

# Proves the gas figures repeat: two runs (no throughput) into a temporary folder, compared.
bench-check: install
	rm -rf .bench-check && $(PY) -m benchmarks --no-throughput --out .bench-check/1 \
	  && $(PY) -m benchmarks --no-throughput --out .bench-check/2 \
	  && $(PY) -m benchmarks.compare .bench-check/1/results.json .bench-check/2/results.json

clean:
	rm -rf .build .ape contracts/.cache .solcx .hypothesis deployments/local
