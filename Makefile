# Two entry points: `make run` and `make test`. Both set up .venv on first use and are
# quiet when there is nothing to do.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: run test setup ingest bench bench-scale bench-ingest eval browser-deps server-deps clean

setup: $(STAMP)

# torch is pinned first so sentence-transformers does not pull a multi-GB CUDA build.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@$(BIN)/pip install -q --disable-pip-version-check torch==2.13.0
	@$(BIN)/pip install -q --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

.qa/qa.sqlite: | $(STAMP)
	@$(BIN)/qa ingest corpus/

ingest: $(STAMP)
	@$(BIN)/qa ingest corpus/

run: $(STAMP) .qa/qa.sqlite
	@$(BIN)/python app.py

# Debian's Chromium drives the end-to-end UI test; a CJK font makes its screenshots readable.
browser-deps:
	@(command -v chromium >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi wqy) || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null)

# Debian's PostgreSQL for the tests that run the store on a server of their own (initdb into
# a temporary directory; qa/testing/servers.py). Where it cannot be installed they skip.
server-deps:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) || \
	  echo "PostgreSQL could not be installed: its tests will skip"

test: $(STAMP) browser-deps server-deps
	@$(BIN)/python -m pytest -q

bench: $(STAMP) .qa/qa.sqlite
	@$(BIN)/python -m qa.bench

# N synthetic documents grown from corpus/ into a fresh temporary data dir: ingest, open,
# cold and warm ask, peak memory (`make bench-scale N=20`).
N ?= 200
bench-scale: $(STAMP)
	@$(BIN)/python -m qa.bench --scale $(N)

# Ingest N synthetic documents with 1 and 2 parse workers into SQLite and into a throw-away
# PostgreSQL server (`make bench-ingest N=20`).
bench-ingest: $(STAMP) server-deps
	@$(BIN)/python -m qa.bench_ingest --n $(if $(filter command line,$(origin N)),$(N),20)

eval: $(STAMP) .qa/qa.sqlite
	@$(BIN)/qa eval evals/gold.jsonl --split test

clean:
	rm -rf .qa
