# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck format bench clean lock

# Installs the pinned versions of requirements.lock, then the project itself without
# resolving anything again, so every machine runs the tested set.
$(STAMP): pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

# Re-resolve pyproject.toml's dependencies (with the test extra) in a scratch venv and pin them.
lock:
	rm -rf .lock-venv
	$(PYTHON) -m venv .lock-venv
	.lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet '.[test]'
	{ head -n 2 requirements.lock; .lock-venv/bin/pip freeze --exclude zerovisit; } > requirements.lock.new
	mv requirements.lock.new requirements.lock
	rm -rf .lock-venv

# The API server and the background worker (outbox every few seconds, daily jobs once a day)
# run together; Ctrl-C or SIGTERM to either stops both.
run: $(STAMP)
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app demo load-if-empty
	@$(BIN)/flask --app app worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - 'app:create_app()'

# The whole suite on one pytest-xdist worker per core ("make test PYTEST_WORKERS=0" runs in
# one process), measuring coverage: below the floor in pyproject.toml ([tool.coverage.report]
# fail_under) it fails; `.venv/bin/coverage report -m` then lists the gaps.
PYTEST_WORKERS ?= auto
test: $(STAMP)
	$(BIN)/pytest -n $(PYTEST_WORKERS) --dist worksteal --cov --cov-report= $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/codespell

# mypy as configured in pyproject.toml: strict on workflows/, permits/ and pdf_templates/,
# defaults on app/.
typecheck: $(STAMP)
	$(BIN)/mypy

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Every figure of docs/benchmarks.md, on PostgreSQL at 127.0.0.1:5432 (BENCH_* shrink a run).
bench: $(STAMP)
	$(BIN)/python -m bench.report

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache .coverage
