# One task runner for people and CI. `make run` and `make test` are the README's Quick start.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
OUT ?= out

.PHONY: setup run test quick lint typecheck pytest fmt golden docs clean bench assets

$(BIN)/journeymap: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,web,spark,embeddings,slides]'
	touch $(BIN)/journeymap

setup: $(BIN)/journeymap

# The main job on the embedded defaults: the team app with the demo workspace (a generated
# shop's map, its data and its measurement) on the embedded database in $(OUT)/app; it
# prints where to sign in. PORT=8000 by default.
PORT ?= 8000
run: setup
	$(BIN)/journeymap serve --demo --data $(OUT)/app --port $(PORT)

# Copy the front-end packages (pinned in frontend/package-lock.json) into the Python package.
assets:
	cd frontend && npm ci --no-audit --no-fund && bash copy-assets.sh

lint: setup
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests
	$(BIN)/lint-imports --no-cache

typecheck: setup
	$(BIN)/mypy src

pytest: setup
	$(BIN)/pytest -q

# Everything CI runs: lint, format check, the import contract, strict typing, the whole suite.
test: lint typecheck pytest

# While working: the same checks without the slow tests on real datasets and Spark.
quick: lint typecheck
	$(BIN)/pytest -q -m "not slow"

fmt: setup
	$(BIN)/ruff format src tests
	$(BIN)/ruff check --fix src tests

# Rewrite golden files after a deliberate change; review them by eye before committing.
golden: setup
	JOURNEYMAP_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/rendering

clean:
	rm -rf $(VENV) $(OUT) .mypy_cache .ruff_cache .pytest_cache .hypothesis

# Regenerate the generated parts of the docs (CLI reference, file-format keys).
docs: setup
	JOURNEYMAP_UPDATE_GOLDEN=1 $(BIN)/pytest -q tests/test_docs.py -k "current"

# Benchmarks against retentioneering, pm4py and plain pandas on generated clickstreams; writes
# benchmarks/RESULTS.md. Its own venv (the peers are heavy). Examples:
#   make bench SIZES="1000000"
#   make bench SIZES="100000000"   (journeymap only above 20M)
SIZES ?= 1000000 10000000
BENCH_ARGS ?=
BENCH_VENV ?= benchmarks/.venv
$(BENCH_VENV)/.installed: pyproject.toml benchmarks/requirements.txt
	$(PY) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/pip install --quiet -e . -r benchmarks/requirements.txt
	touch $@

bench: $(BENCH_VENV)/.installed
	RETENTIONEERING_NO_TRACK=1 $(BENCH_VENV)/bin/python benchmarks/run.py --sizes $(SIZES) $(BENCH_ARGS)
