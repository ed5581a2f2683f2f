# Two commands for a new user: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# The API server and the background worker (outbox every few seconds, daily jobs once a day)
# run together; Ctrl-C or SIGTERM to either stops both.
run: $(STAMP)
	$(BIN)/flask --app app db upgrade
	$(BIN)/flask --app app demo load-if-empty
	@$(BIN)/flask --app app worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT INT TERM; \
	$(BIN)/gunicorn --bind 127.0.0.1:$(PORT) --workers 2 --access-logfile - 'app:create_app()'

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: $(STAMP)
	$(BIN)/python -m bench.reminder_scan
	$(BIN)/python -m bench.licence_pdf
	$(BIN)/python -m bench.instant_approval
	$(BIN)/python -m bench.read_paths

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
