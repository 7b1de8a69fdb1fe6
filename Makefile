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

.PHONY: install test test-deep demo compile clean bench bench-check

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

# ape 0.8 leaves a full copy of the OpenZeppelin dependency (508 files) in contracts/.cache after a compile,
# and its source scan stops at 500 files (get_all_files_in_directory(max_files=500)), so later sessions can
# lose the project's own sources (mocks, libraries) behind the copy. Nothing needs the copy after compiling.
compile: install
	$(APE) compile
	rm -rf contracts/.cache

# The bounded Foundry invariant run first (seconds), then each test folder in its own `ape test` session,
# two at a time (tools/run_tests.py says why not xdist), after compiling once. Hypothesis profile `ci`
# (tests/hypothesis_profiles.py): bounded example counts for the properties that run on anvil.
# TEST_JOBS=1 runs the folders one after another.
TEST_JOBS ?= 2
test: compile
	$(MAKE) --no-print-directory forge-quick
	$(PY) tools/run_tests.py --jobs $(TEST_JOBS)

# The same tests with the `deep` profile: many more examples and longer state-machine runs (tens of minutes).
test-deep: compile
	FOUNDRY_PROFILE=deep $(MAKE) --no-print-directory forge-quick
	$(PY) tools/run_tests.py --jobs $(TEST_JOBS) -- --hypothesis-profile deep

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

# ---------------------------------------------------------------------------------------------------
# Assurance (issue 5): Foundry invariants, Slither with triage, coverage. All offline: forge (npm) compiles
# through the same solc-js shim as ape (foundry.toml: solc = .solcx/solc-v0.8.37, offline = true).
FORGE := $(ROOT)/node_modules/@foundry-rs/forge-linux-amd64/bin/forge
# Outside out/: forge's --force builds (slither's) clean out/ and cache/.
AUDIT_OUT := audit/out

.PHONY: forge-quick audit audit-invariants audit-mutations slither coverage

# The bounded invariant run that `make test` calls (profile default: 16 runs x 200 calls, every check
# after every call).
forge-quick: install
	$(FORGE) test --match-path 'foundry/*'

audit: install
	@mkdir -p $(AUDIT_OUT)
	$(MAKE) --no-print-directory audit-invariants
	$(MAKE) --no-print-directory slither
	$(MAKE) --no-print-directory coverage
	set -o pipefail; $(PY) tools/audit/check_test_references.py SECURITY.md INVARIANTS.md | tee $(AUDIT_OUT)/references.txt
	@$(PY) tools/audit/audit_summary.py $(AUDIT_OUT)

# Deep profile: 400 runs x 500 calls (foundry.toml [profile.deep]); the log feeds the summary.
audit-invariants: install
	@mkdir -p $(AUDIT_OUT)
	@date +%s > $(AUDIT_OUT)/invariants.start
	set -o pipefail; FOUNDRY_PROFILE=deep $(FORGE) test --match-path 'foundry/*' -vv 2>&1 | tee $(AUDIT_OUT)/invariants.log
	@date +%s > $(AUDIT_OUT)/invariants.end

# Known bugs the invariant suite must catch: each mutation of tools/audit/mutation_check.py is applied to a
# copy of contracts/ in a temporary directory and the quick campaign must fail on it (~2 minutes).
audit-mutations: install
	$(PY) tools/audit/mutation_check.py

# Slither over contracts/ (mocks and test helpers excluded, slither.config.json), compiled by forge;
# fails on any High or Medium finding (fixed, or suppressed at its line with a reason) and on any Low or
# Informational one not triaged in audit/slither-triage.json. CI runs it after make test (.ci/run).
slither: install
	@mkdir -p $(AUDIT_OUT)
	rm -f $(AUDIT_OUT)/slither.json
	$(FORGE) build --build-info --force > $(AUDIT_OUT)/slither-build.log 2>&1
	-$(VENV)/bin/slither . --config-file slither.config.json --json $(AUDIT_OUT)/slither.json > $(AUDIT_OUT)/slither.log 2>&1
	set -o pipefail; $(PY) tools/audit/slither_triage.py $(AUDIT_OUT)/slither.json | tee $(AUDIT_OUT)/slither-triage.txt

# forge coverage of contracts/ by the Foundry suite (a shorter invariant run: coverage instruments every
# call); every uncovered line and branch is listed with its reason in audit/coverage-uncovered.md.
coverage: install
	@mkdir -p $(AUDIT_OUT)
	FOUNDRY_INVARIANT_RUNS=32 $(FORGE) coverage --match-path 'foundry/*' \
		--no-match-coverage '(node_modules|foundry/|contracts/mocks|contracts/test)' \
		--report lcov --report-file $(AUDIT_OUT)/lcov.info > $(AUDIT_OUT)/coverage.log 2>&1
	set -o pipefail; $(PY) tools/audit/coverage_report.py $(AUDIT_OUT)/lcov.info --write audit/coverage-uncovered.md | tee $(AUDIT_OUT)/coverage.txt
