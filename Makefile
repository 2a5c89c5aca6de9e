# tymdocs: `make build` and `make test` are all a new machine needs (Python 3.11+ and git).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUNTIME := $(VENV)/.installed-runtime
DEV := $(VENV)/.installed-dev
UV := uv==0.13.9

.DEFAULT_GOAL := help
.PHONY: help build test test-latest lint format bench template lock clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# Set-up installs exactly what the lock files name, with their hashes, and nothing else:
# requirements.lock for the commands, requirements-dev.lock (a superset) for tests and lint.
# Both hold every package for Linux and macOS, Python 3.11 to 3.13; pip installs them with
# --no-deps (nothing is resolved again) and `pip check` proves the set complete. tymdocs
# itself is installed from this folder with the locked build backend. A changed lock makes
# a new environment, so a package the lock no longer names does not linger.
PIP := $(BIN)/python -m pip --quiet --disable-pip-version-check
LOCKED := --require-hashes --no-deps --only-binary :all:
define fresh_venv
	rm -rf $(VENV)
	$(PYTHON) -m venv $(VENV)
	$(PIP) install $(LOCKED) -r $(1)
	@# An editable install as a path on sys.path (compat), not setuptools' import hook: the
	@# hook loads pathlib, urllib and more into every Python process of .venv (10 ms, as long
	@# as the interpreter's own start), which an area's installed tymdocs never pays.
	$(PIP) install --no-deps --no-build-isolation --no-index -e . --config-settings editable_mode=compat
	$(PIP) check
	@# Compiled once here, so every command starts fast even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q tymdocs
endef

$(RUNTIME): requirements.lock pyproject.toml tymdocs/__init__.py
	$(call fresh_venv,requirements.lock)
	@touch $@

$(DEV): requirements-dev.lock requirements.lock pyproject.toml tymdocs/__init__.py
	$(call fresh_venv,requirements-dev.lock)
	@touch $(RUNTIME) $@

build: $(RUNTIME) ## Set up if needed, check and build the agreement into build/
	@# One process: build reports every problem of the sources as tymdocs check does.
	$(BIN)/tymdocs build

# axe-core for the site's browser tests, exactly as tests/browser/package-lock.json pins it
# (with its integrity hash), where npm exists; without it those tests are skipped.
AXE := tests/browser/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/package-lock.json
	-@command -v npm >/dev/null && cd tests/browser && npm ci --no-audit --no-fund --silent \
	  && touch node_modules/axe-core/axe.min.js || echo "npm not found: browser tests skip axe"

test: $(DEV) $(AXE) ## Check the agreement in this repository, then run the test suite
	$(BIN)/tymdocs check
	@# One worker per core (pytest-xdist); each builds the session fixtures it needs once.
	@# A module marked xdist_group runs on one worker (the browser tests share one Chromium).
	$(BIN)/pytest -n auto --dist loadgroup

lint: $(DEV) ## ruff (check and format) and mypy
	$(BIN)/ruff check tymdocs tests tools bench
	$(BIN)/ruff format --check tymdocs tests tools bench
	$(BIN)/mypy

format: $(DEV) ## Format the code with ruff
	$(BIN)/ruff check --fix tymdocs tests tools bench
	$(BIN)/ruff format tymdocs tests tools bench

bench: $(DEV) ## Whole-process timings of tymdocs against the usual alternative
	@# python-redlines is the alternative for diff: measured when the registry has it. It goes
	@# into an environment of its own, so .venv keeps exactly what the lock names.
	-@test -x $(VENV)-redlines/bin/python || { $(PYTHON) -m venv $(VENV)-redlines && \
	  $(VENV)-redlines/bin/python -m pip install --quiet 'python-redlines[docxodus]>=2,<3'; } 2>/dev/null
	REDLINES_PYTHON=$(CURDIR)/$(VENV)-redlines/bin/python $(BIN)/python bench/bench.py

template: $(DEV) ## Regenerate the DOCX template from tools/make_docx_template.py
	$(BIN)/python tools/make_docx_template.py

test-latest: ## The test suite on the newest versions pyproject.toml allows (run weekly)
	rm -rf $(VENV)-latest
	$(PYTHON) -m venv $(VENV)-latest
	$(VENV)-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip setuptools
	$(VENV)-latest/bin/python -m pip install --quiet --disable-pip-version-check --upgrade -e '.[dev]'
	$(VENV)-latest/bin/python -m pip freeze --exclude-editable
	$(VENV)-latest/bin/pytest -p no:cacheprovider -n auto --dist loadgroup

lock: ## Regenerate the lock files from pyproject.toml (UPGRADE=1: newest versions allowed)
	@test -x $(VENV)-lock/bin/uv || { $(PYTHON) -m venv $(VENV)-lock && $(VENV)-lock/bin/python -m pip install --quiet '$(UV)'; }
	$(PYTHON) tools/lock.py $(VENV)-lock/bin/uv $(if $(UPGRADE),--upgrade)

clean: ## Remove build/ and the virtual environments
	rm -rf build $(VENV) $(VENV)-latest $(VENV)-lock $(VENV)-redlines
