# Two entry points for a fresh machine (Python >= 3.11, the package index reachable):
#   make demo   set up .venv, then run the bundled demo (ends in the dashboard)
#   make test   set up .venv, then run the import contracts, ruff, mypy and the whole test suite
#   make test-fast   the same checks and the tests not marked slow (about a minute)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# Test processes: most tests wait on loopback servers, timeouts and child crawls rather
# than compute, so four share two cores well, each taking the next test as it frees up
# (worksteal: a file of slow portal tests no longer holds one worker to the end). The
# whole suite on 2 cores, measured 2026-12-03: 317 s with three workers by file, 294 s
# with three by test, 263 s with four by test.
TEST_WORKERS ?= 4

.PHONY: demo test test-fast setup clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11) and "twinwatch needs Python >= 3.11")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/twinwatch demo

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal

test-fast: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest -q -n $(TEST_WORKERS) --dist worksteal -m "not slow"

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
