# InvestPro: `make run` serves the app with its worker and beat; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: setup run test lint bench loadtest vendor clean

setup: $(STAMP)

# Re-install whenever the pins change.
$(STAMP): requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

run: setup
	bin/run

# pytest-xdist: one worker per core, at most 4. Each worker has its own test database (test_<name>_gw0,
# …), live server and browser; the tests that start processes take free ports and temporary folders.
# `make test PYTEST_WORKERS=0` runs the suite in one process.
PYTEST_WORKERS ?= auto

test: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports --no-cache
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest --numprocesses=$(PYTEST_WORKERS) --maxprocesses=4 $(PYTEST_ARGS)

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

# Locust against gunicorn on PostgreSQL and Redis, the demo plus 100,000 projects (built once, reused).
# A benchmark, not a test: it prints req/s and p50/p95/p99 per kind. `make loadtest LOAD_DURATION=30s` for a short run.
LOAD_DURATION ?= 5m
LOAD_USERS ?= 100
# Users start one a second: a bureau's people sign in over minutes, not all within 10 s (a sign-in
# is 0.25 s of PBKDF2 on purpose). `make loadtest LOAD_SPAWN_RATE=10` shows a burst of sign-ins.
LOAD_SPAWN_RATE ?= 1
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/investpro_load
LOAD_REDIS_URL ?= redis://127.0.0.1:6379/9

loadtest: setup
	LOAD_DATABASE_URL=$(LOAD_DATABASE_URL) LOAD_REDIS_URL=$(LOAD_REDIS_URL) \
	$(BIN)/python -m loadtest --duration $(LOAD_DURATION) --users $(LOAD_USERS) --spawn-rate $(LOAD_SPAWN_RATE)

# Fetch the vendored front-end files (static/vendor/packages.json) again from the npm registry.
vendor:
	bin/vendor

clean:
	rm -rf var staticfiles .pytest_cache
