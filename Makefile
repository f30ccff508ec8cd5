# The two commands a newcomer needs: `make run` and `make test`.
# Everything runs from .venv, which these targets create when absent.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHONSAFEPATH := 1

.PHONY: run test test-fast test-postgres bench check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): $(BIN)/python setup.py requirements.txt requirements-test.txt $(wildcard plugins/*/pyproject.toml)
	$(BIN)/pip install -q --disable-pip-version-check -r requirements.txt -r requirements-test.txt
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e .
	$(BIN)/pip install -q --disable-pip-version-check --no-deps -e plugins/anjian_hello -e plugins/anjian_monitoring -e plugins/anjian_gis
	touch $(STAMP)

## Run the platform: embedded SQLite, demo data, web server + background worker.
run: $(STAMP)
	$(BIN)/anjian run

## Run the whole test suite: SQLite, then the storage/sync/API tests on a real PostgreSQL.
test: $(STAMP)
	PY=$(BIN)/python scripts/test.sh

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -x

bench: $(STAMP)
	$(BIN)/python bench/run_all.py

check: $(STAMP)
	$(BIN)/anjian check metadata

clean:
	rm -rf var/ build/ *.egg-info platform/*.egg-info
