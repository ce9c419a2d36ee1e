# Two commands on a fresh machine: `make run` (the whole product) and `make test` (the full suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test install lint mypy format messages check-messages bench browser-deps clean

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

test: $(STAMP) browser-deps  ## lint, types, translations, then the whole test suite
	$(MAKE) --no-print-directory lint mypy check-messages
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

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

bench: $(STAMP)
	$(BIN)/python bench/photo_intake.py

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
