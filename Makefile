# The two commands of the quick start: `make demo` and `make test`. Each creates the
# virtual environment and installs what it needs on first use.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# uv installs exactly what uv.lock says. It lives in a venv of its own, so that syncing
# .venv (which removes whatever the lock does not list) never touches it. Keep the
# version equal to the `uv` pin of the test extra in pyproject.toml.
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
UV_STAMP := $(TOOLS)/.uv-$(UV_VERSION)

.PHONY: demo test system-packages web check lint typecheck layers unit fuzz schema bench clean

$(UV_STAMP):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	touch $@

# --locked: a uv.lock that no longer matches the pyproject.toml files is an error, not
# a silent re-resolution (`$(UV) lock` updates it). The workspace's two projects,
# coop-gateway and coop-adapters (adapters/), are installed editable from this tree.
$(INSTALLED): pyproject.toml adapters/pyproject.toml uv.lock | $(UV_STAMP)
	UV_PROJECT_ENVIRONMENT=$(VENV) $(UV) sync --locked --extra test --python $(PYTHON) --no-python-downloads
	touch $@

demo: $(INSTALLED) web
	$(BIN)/coop-gateway demo

# web: before unit, whose browser test drives the built GraphiQL.
test: system-packages check web unit

# GraphiQL, the member portal and the staff console (gateway/api/graphiql.py and
# web_apps.py serve them), built from web/ by Vite into web/dist/.
# npm ci installs exactly what web/package-lock.json locks, again only when it changed
# (npm rewrites node_modules/.package-lock.json on every install); the build runs again
# only when a file of web/ changed. --ignore-scripts: no package's install script runs.
WEB_MODULES := web/node_modules/.package-lock.json
WEB_BUILT := web/dist/.vite/manifest.json
WEB_SOURCES := $(shell find web -path web/node_modules -prune -o -path web/dist -prune -o -type f -print)

$(WEB_MODULES): web/package.json web/package-lock.json
	scripts/system-packages web
	cd web && npm ci --ignore-scripts --no-audit --no-fund
	touch $@

$(WEB_BUILT): $(WEB_MODULES) $(WEB_SOURCES)
	cd web && npm run build
	touch $@

web: $(WEB_BUILT)

# redis-server, PostgreSQL 15, node, npm and Chromium for the tests: apt-get as root,
# else the command to run.
system-packages:
	scripts/system-packages test

check: lint typecheck layers

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	$(BIN)/mypy

# The import-linter contracts in pyproject.toml.
layers: $(INSTALLED)
	$(BIN)/lint-imports

# A file's tests stay in one worker process, which starts its servers once.
unit: $(INSTALLED)
	$(BIN)/pytest --numprocesses auto --dist loadfile

# The suite's fuzzing of every root field (tests/fuzz) with many more cases, for tens of
# minutes; FUZZ_CASES=N for another number.
FUZZ_CASES ?= 50000
fuzz: $(INSTALLED)
	COOP_FUZZ_CASES=$(FUZZ_CASES) $(BIN)/pytest tests/fuzz -x

schema: $(INSTALLED)
	$(BIN)/coop-gateway export-schema > schema.graphql

# Regenerates docs/benchmarks.md (and .json) in a few minutes; `python -m bench --help`
# for a quicker run. wrk and redis-server come from apt when missing; the outage storm
# sends the portal's own documents, so the portal is built first.
bench: $(INSTALLED) $(WEB_BUILT)
	scripts/system-packages bench
	$(BIN)/python -m bench --output docs/benchmarks.md

clean:
	rm -rf var web/dist .pytest_cache .mypy_cache .ruff_cache
