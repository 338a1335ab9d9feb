# The two commands of the quick start: `make demo` and `make test`. Each creates the
# virtual environment and installs what it needs on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: demo test system-packages check lint typecheck unit schema bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(INSTALLED)
	$(BIN)/coop-gateway demo

test: system-packages check unit

# redis-server and PostgreSQL 15 for the tests: apt-get as root, else the command to run.
system-packages:
	scripts/system-packages test

check: lint typecheck

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

unit: $(INSTALLED)
	$(BIN)/pytest

schema: $(INSTALLED)
	$(BIN)/coop-gateway export-schema > schema.graphql

# Regenerates docs/benchmarks.md (and .json) in a few minutes; `python -m bench --help`
# for a quicker run. wrk and redis-server come from apt when missing.
bench: $(INSTALLED)
	scripts/system-packages bench
	$(BIN)/python -m bench --output docs/benchmarks.md

clean:
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
