# `make run` and `make test` set everything up from nothing (a .venv, installs) first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test validate bench fuzz setup clean constraints

run: setup
	$(PY) -m bot run

# Lint and types first: they take seconds, the suite two minutes.
test: setup
	$(PY) -m ruff check .
	$(PY) -m mypy
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

# constraints.txt pins every package to the versions the suite last passed with; refresh it
# with `make constraints` after changing a dependency, and run `make test`.
$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $(STAMP)

constraints:
	$(PY) -m pip freeze --exclude-editable --disable-pip-version-check > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
