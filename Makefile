# weldcraft developer commands. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.weldcraft-installed
# torch is pinned to the CPU build that lies on this machine's disk; installed first so that
# stable-baselines3 does not pull a multi-GB CUDA build.
TORCH_PIN := torch==2.13.0
PYTEST_ARGS ?= -n 2 -m "not slow"

.PHONY: help setup run test test-slow lint bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q $(TORCH_PIN)
	$(PY) -m pip install -q -e '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)  ## create .venv and install weldcraft with its dev extra (idempotent)

run: $(STAMP)  ## the main job on embedded defaults (see README)
	$(VENV)/bin/weldcraft run

test: $(STAMP)  ## the test suite (excludes slow-marked tests); installs headless chromium for the report test
	@sh scripts/ensure_chromium.sh
	$(PY) -m pytest $(PYTEST_ARGS)

test-slow: $(STAMP)  ## only the slow-marked tests (full training and sweeps)
	$(PY) -m pytest -m slow

lint: $(STAMP)  ## ruff (lint + format check) and mypy on the package
	$(VENV)/bin/ruff check weldcraft tests scripts
	$(VENV)/bin/ruff format --check weldcraft tests scripts
	$(VENV)/bin/mypy

bench: $(STAMP)  ## run every benchmark under scripts/, each printing JSON
	@for s in scripts/bench_*.py; do echo "# $$s"; $(PY) $$s || exit 1; done

clean:  ## remove build outputs (keeps .venv)
	rm -rf build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
