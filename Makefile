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

# Two processes, one a core: the property over built replies (the slowest) and all the rest;
# the second prints as it goes, the first when both are done.
fuzz: setup
	@log=$$(mktemp); \
	fuzz="$(PY) -m pytest -q -p no:cacheprovider -m fuzz --hypothesis-profile=fuzz \
	      --hypothesis-show-statistics"; \
	$$fuzz -k any_reply tests/fuzz >$$log 2>&1 & replies=$$!; \
	$$fuzz -k "not any_reply" tests/fuzz; rest=$$?; \
	wait $$replies; built=$$?; cat $$log; rm -f $$log; \
	test $$rest -eq 0 -a $$built -eq 0

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
