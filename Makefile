# site-builder: `make build` then `make test`. Everything runs from a local virtualenv.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: build test test-fast golden fuzz serve check clean bench screenshots tools help

help:
	@echo "make build   set up .venv, import seeds/, build output/"
	@echo "make test    install the test tools and run the test suite"
	@echo "make test-fast  the edit loop: every test but the browser and slow ones (under a minute)"
	@echo "make golden  rewrite tests/golden/expected/ from the current build (read the diff first)"
	@echo "make fuzz    the fault and fuzz tests at full strength (slow)"
	@echo "make serve   live preview on http://127.0.0.1:8000/"
	@echo "make check   validate every record"
	@echo "make clean   remove output/ and caches"

# Building needs only site-builder and its own dependencies; the test tools (Playwright, hypothesis, axe, ...)
# are installed by `make test` alone.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@# An editable install compiles nothing: byte-compile now, so that each run starts without compiling
	@# (it matters where PYTHONDONTWRITEBYTECODE is set: ~40 ms a start).
	$(BIN)/python -m compileall -q site_builder
	@touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(TEST_STAMP)

build: $(STAMP)
	$(BIN)/site-builder import
	$(BIN)/site-builder build

check: $(STAMP)
	$(BIN)/site-builder check

# PYTHONDONTWRITEBYTECODE= : pytest keeps the test modules it rewrote in __pycache__ (rewriting them all again
# costs ~5 s of CPU a run where the variable is set).
# Everything, on two workers (pytest-xdist), a test file each at a time (tmp_path sites, free ports, a browser
# per worker).
test: $(TEST_STAMP)
	-@$(MAKE) --no-print-directory tools
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 2 --dist loadfile --durations=15

# Two workers (pytest-xdist), a test file each at a time: the fast tests are independent (tmp_path sites, free ports).
test-fast: $(TEST_STAMP)
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -q -n 2 --dist loadfile -m "not browser and not slow"

golden: $(TEST_STAMP)
	$(BIN)/python -m pytest -q tests/test_golden.py --refresh-golden
	git status --short tests/golden/expected

# The fault tests at full strength: 32 random SIGKILLs of an import of 300 papers (make test sends 4 to 40), 32 of
# builds and 32 of the dev server's rebuilds, at points spread over the whole run, and 10 runs of each kind at the
# same time (make test: 4 kills and 2 runs of each), and 1,000 examples of each reader fuzz test (make test: 40).
# Each test prints its figures.
fuzz: $(TEST_STAMP)
	SITE_BUILDER_FUZZ_KILLS=32 SITE_BUILDER_FUZZ_RUNS=10 SITE_BUILDER_FUZZ_EXAMPLES=1000 $(BIN)/python -m pytest -q -s \
		tests/test_import_kills.py tests/test_faults.py tests/test_reader_fuzz.py

clean:
	rm -rf output .output.tmp-* .output.old-* .pytest_cache .hypothesis .cache

serve: $(STAMP)
	$(BIN)/site-builder serve

bench: $(STAMP)
	$(BIN)/python bench/run.py

screenshots: $(STAMP)
	$(BIN)/python docs/screenshots.py

# The Nu HTML Checker and Lighthouse for the tests (need npm, java and chromium; the tests skip them when
# missing, CI installs them).
tools: .tools/node_modules/vnu-jar/build/dist/vnu.jar .tools/node_modules/lighthouse

.tools/node_modules/vnu-jar/build/dist/vnu.jar:
	npm install --silent --prefix .tools vnu-jar@26

.tools/node_modules/lighthouse:
	npm install --silent --prefix .tools lighthouse@12
