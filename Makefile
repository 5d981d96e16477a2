# Two commands on a fresh machine: `make demo` (the main job) and `make test`.
# Each bootstraps what it needs, idempotently: .venv from pyproject.toml pinned by
# constraints.txt, node_modules from package-lock.json. A second run skips both.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP   := $(VENV)/.installed
NODE_STAMP := node_modules/.installed
# The dashboard test drives Debian's Chromium through Playwright (whose own browser
# download cannot work offline).
CHROMIUM   := /usr/bin/chromium

.PHONY: setup demo test lint contracts bench lock clean postgres-server

setup: $(PY_STAMP) $(NODE_STAMP)

$(PY_STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e ".[dev]"
	@touch $@

$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(CHROMIUM):
	@command -v apt-get >/dev/null || { echo "install Chromium at $(CHROMIUM): the dashboard test drives it"; exit 1; }
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null

demo: setup
	$(BIN)/tem demo

test: setup $(CHROMIUM) postgres-server
	$(BIN)/python -m pytest

# The read model's PostgreSQL tests start a throwaway server from Debian's binaries.
postgres-server:
	@test -n "$(wildcard /usr/lib/postgresql/*/bin/initdb)" || { \
	  command -v apt-get >/dev/null || { echo "install PostgreSQL's server: the read-model tests start one"; exit 1; }; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; }

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

contracts: setup
	$(BIN)/tem contracts build

bench: setup
	$(BIN)/python bench/startup.py

# Re-pin constraints.txt after changing dependencies in pyproject.toml.
lock:
	$(BIN)/python -m pip freeze --exclude-editable --disable-pip-version-check > constraints.txt

clean:
	rm -rf $(VENV) node_modules .tem .pytest_cache .mypy_cache .ruff_cache demo-report
