# InvestPro: `make run` serves the app with its worker and beat; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench clean

setup: $(STAMP)

# Re-install whenever the pins change.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: setup
	bin/run

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest $(PYTEST_ARGS)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache

# The benchmark runs on PostgreSQL, in a database of its own per scale, built once and reused.
SCALE ?= full
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/investpro_bench_$(SCALE)
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13

# bench refuses a database whose name does not start with investpro_bench_, then creates and migrates it.
bench: setup
	DATABASE_URL=$(BENCH_DATABASE_URL) REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python -m bench --scale $(SCALE)

clean:
	rm -rf var staticfiles .pytest_cache
