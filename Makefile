# What a newcomer runs. `make demo` and `make test` each set everything up first.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTHON ?= python3

.PHONY: help setup demo test lint pytest clean

help:
	@echo "make demo   set up, then build, import, score and report the demo organisation"
	@echo "make test   set up, then lint, type-check and run the test suite on DuckDB and PostgreSQL"
	@echo "make lint   ruff and mypy only"

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	touch $@

demo: setup
	$(VENV)/bin/trustmeter demo trustmeter-demo --force

lint: setup
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/ruff format --check src tests
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-cache

# PostgreSQL and Chromium come from Debian's packages: scripts/postgres.sh installs (as root)
# and starts a throwaway server and prints its URL; scripts/browser.sh installs Chromium for
# the browser tests. The suite then runs every store test on both engines.
pytest: setup
	scripts/browser.sh >/dev/null
	scripts/java.sh >/dev/null
	TRUSTMETER_TEST_PG=$$(scripts/postgres.sh) TRUSTMETER_REQUIRE_PG=1 TRUSTMETER_REQUIRE_BROWSER=1 \
		$(VENV)/bin/pytest -q

test: lint pytest

clean:
	rm -rf $(VENV) trustmeter-demo test-artifacts .pytest_cache .mypy_cache .ruff_cache
