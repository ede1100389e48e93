# The two commands a newcomer needs: `make run` and `make test`. Each creates .venv when missing.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
INDEX  ?= var/index
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: run test install index lint clean-index

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { \
	  echo "Could not create $(VENV). On Debian/Ubuntu run: sudo apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# `make run` indexes seeds/ only when there is no usable index yet; `make index` re-runs it (incremental).
index: $(STAMP)
	$(BIN)/kamerzoek index seeds/ --index $(INDEX)

run: $(STAMP)
	$(BIN)/kamerzoek index seeds/ --index $(INDEX) --if-missing
	$(BIN)/kamerzoek serve --index $(INDEX) --host $(HOST) --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check index search web kamerzoek tests
	$(BIN)/mypy

clean-index:
	rm -rf $(INDEX)

# The benchmark (bench/README.md): seeds and the 13k by default;
# `make bench BENCH_CORPORA=seeds,13k,50k,100k` for all. Peers are installed from the bench extra.
BENCH_CORPORA ?= seeds,13k
BENCH_OUT     ?= bench/results/latest.json
.PHONY: bench
bench: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.run --corpus $(BENCH_CORPORA) --out $(BENCH_OUT)

# The load test (docs/reliability.md): 16 clients for 60 s against `kamerzoek serve` on the 13k corpus,
# whose index is made once in $$KAMERZOEK_LOAD_INDEX/13k (default /tmp/kamerzoek-load-index; 2.5 minutes
# the first time on an idle 2-core machine), then a long series of kill -9 rounds. It fails on any error
# or on memory growth over the run, and .ci/run runs it after `make test`. 30 kill rounds take about
# 1.5 minutes even on a busy machine, so CI runs all of them. Short: `make loadtest LOAD_SECONDS=10 KILL_ROUNDS=6`.
LOAD_CLIENTS ?= 16
LOAD_SECONDS ?= 60
LOAD_CORPUS  ?= 13k
KILL_ROUNDS  ?= 30
.PHONY: loadtest
loadtest: $(STAMP)
	$(BIN)/python -m bench.loadtest --clients $(LOAD_CLIENTS) --seconds $(LOAD_SECONDS) --corpus $(LOAD_CORPUS)
	KAMERZOEK_KILL_ROUNDS=$(KILL_ROUNDS) $(BIN)/python -m pytest -q -s tests/test_reliability_crash.py

# The relevance harness (docs/relevance.md): judged seed queries and known-item motion queries, on ours,
# SQLite FTS5, tantivy and plain Whoosh in one run; indexes are made once per version of index/.
# Every usable motion by default (most of an hour on a busy 2-core machine); `RELEVANCE_SAMPLE=500` for less.
RELEVANCE_SAMPLE ?= 0
RELEVANCE_OUT    ?= bench/results/relevance.json
.PHONY: relevance
relevance: $(STAMP)
	$(BIN)/python -m pip install --quiet -e '.[dev,bench]'
	$(BIN)/python -m bench.relevance.run --sample $(RELEVANCE_SAMPLE) --out $(RELEVANCE_OUT)
