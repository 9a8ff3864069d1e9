# `make run` and `make test` set everything up from nothing (a .venv, installs) first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test validate bench fuzz setup clean

run: setup
	$(PY) -m bot run

test: setup
	$(PY) -m pytest -q

validate: setup
	$(PY) -m bot validate

bench: setup
	$(PY) bench/core.py

fuzz: setup
	$(PY) -m pytest -q -m fuzz --hypothesis-profile=fuzz --durations=0 tests/fuzz

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
