# tymdocs: `make build` and `make test` are all a new machine needs (Python 3.11+ and git).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help build test lint format bench template clean

help: ## Show this help
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-9s %s\n", $$1, $$2}'

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@# Compiled once here, so every command starts fast even where PYTHONDONTWRITEBYTECODE is set.
	$(BIN)/python -m compileall -q tymdocs
	@touch $@

build: $(INSTALLED) ## Set up if needed, validate and build the agreement into build/
	$(BIN)/tymdocs check
	$(BIN)/tymdocs build

test: $(INSTALLED) ## Check the agreement in this repository, then run the test suite
	$(BIN)/tymdocs check
	$(BIN)/pytest

lint: $(INSTALLED) ## ruff (check and format) and mypy
	$(BIN)/ruff check tymdocs tests tools bench
	$(BIN)/ruff format --check tymdocs tests tools bench
	$(BIN)/mypy

format: $(INSTALLED) ## Format the code with ruff
	$(BIN)/ruff check --fix tymdocs tests tools bench
	$(BIN)/ruff format tymdocs tests tools bench

bench: $(INSTALLED) ## Whole-process timings of tymdocs against the usual alternative
	@# python-redlines is the alternative for diff: measured when the registry has it.
	-$(BIN)/python -m pip install --quiet 'python-redlines[docxodus]>=2,<3' 2>/dev/null
	$(BIN)/python bench/bench.py

template: $(INSTALLED) ## Regenerate the DOCX template from tools/make_docx_template.py
	$(BIN)/python tools/make_docx_template.py

clean: ## Remove build/ and the virtual environment
	rm -rf build $(VENV)
