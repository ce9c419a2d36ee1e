# Two commands on a fresh machine: `make run` (the whole product) and `make test` (the full suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test test-postgres install lint mypy format messages check-messages bench browser-deps clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)  ## migrate, start embedded Redis, web admin, worker and (without a token) the /sandbox chat
	$(BIN)/python -m bot run

browser-deps:  ## Debian's Chromium for the browser tests (Playwright cannot download browsers here)
	@test -x $(CHROMIUM) || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; }

# The database-heavy tests again on a throwaway PostgreSQL (skipped, with a message, where it is not installed).
# tests/e2e/test_scale_out.py needs it: 2 web + 2 worker processes on one database (skipped on SQLite).
PG_TESTS := tests/bot/reports/test_lifecycle.py tests/bot/reports/test_dedup.py tests/bot/reports/test_inbox.py tests/bot/reports/test_outbox.py tests/bot/telegram/test_intake_edges.py tests/bot/admin tests/moderation tests/rewards tests/broadcasts tests/e2e/test_scale_out.py

test: $(STAMP) browser-deps  ## lint, types, translations, the whole suite on SQLite, then PG_TESTS on PostgreSQL
	$(MAKE) --no-print-directory lint mypy check-messages
	$(BIN)/pytest -q
	$(MAKE) --no-print-directory test-postgres

test-postgres: $(STAMP)
	$(BIN)/python -m tests.pg_cluster -- $(BIN)/pytest -q -m "not browser" $(PG_TESTS)

lint: $(STAMP)  ## ruff, formatting, and the layer contracts (pyproject.toml [tool.importlinter])
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

mypy: $(STAMP)
	$(BIN)/mypy

messages: $(STAMP)  ## re-extract strings and merge them into every catalogue
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _ --no-location --sort-output -o locales/messages.pot . >/dev/null
	$(BIN)/pybabel update -i locales/messages.pot -d locales -D messages --no-fuzzy-matching --width=100

check-messages: $(STAMP)  ## fail when messages.pot is stale or a Chinese string is missing
	$(BIN)/python -m bot.i18n_check

bench: $(STAMP)  ## every benchmark at its issue's scale (several minutes: nearby seeds a million reports)
	$(BIN)/python bench/photo_intake.py
	$(BIN)/python bench/nearby.py
	$(BIN)/python bench/reward_evaluation.py
	$(BIN)/python bench/broadcast.py
	$(BIN)/python bench/forecast.py
	$(BIN)/python -m tests.pg_cluster -- $(BIN)/python bench/webhook.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
