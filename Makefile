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
