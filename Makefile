# lachealth: `make demo` sets up and serves the demo; `make test` sets up and runs every test.
SHELL := /bin/bash
PYTHON ?= python3.11
UV_VERSION := 0.13.8
UV := .uv/bin/uv
VENV := .venv
BIN := $(VENV)/bin
export UV_PROJECT_ENVIRONMENT := $(CURDIR)/$(VENV)
export LACHEALTH_HOME := $(CURDIR)

.PHONY: demo serve setup test test-sqlite test-postgres lint format bench clean

demo: setup  ## set up, migrate, load the demo data and serve on http://127.0.0.1:8000
	LACHEALTH_DEBUG=1 $(BIN)/lachealth migrate --noinput
	LACHEALTH_DEBUG=1 $(BIN)/lachealth demo
	LACHEALTH_DEBUG=1 $(BIN)/lachealth serve

serve: setup
	LACHEALTH_DEBUG=1 $(BIN)/lachealth serve

setup: $(VENV)/.synced build/frontend/.built

$(UV):
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet uv==$(UV_VERSION)

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --python $(PYTHON) --quiet
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/frontend/.built: node_modules/.installed tools/build_frontend.py | $(VENV)/.synced
	$(BIN)/python tools/build_frontend.py
	touch $@

lint: setup
	$(BIN)/ruff check src tests bench tools
	$(BIN)/ruff format --check src tests bench tools
	LACHEALTH_DEBUG=1 $(BIN)/mypy src

format: setup
	$(BIN)/ruff format src tests bench tools
	$(BIN)/ruff check --fix src tests bench tools

test: setup lint  ## the whole suite on SQLite, then on PostgreSQL when a server answers
	$(BIN)/python tools/run_tests.py

test-sqlite: setup
	$(BIN)/python tools/run_tests.py --sqlite-only

bench: setup  ## print performance figures (never asserts on time)
	LACHEALTH_TESTING=1 $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) .uv build node_modules var .pytest_cache .mypy_cache .ruff_cache
