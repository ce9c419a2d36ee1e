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

# The tests whose SQL differs on PostgreSQL (spatial and JSON queries, time zones, locks and concurrent writers,
# migrations), again on a throwaway PostgreSQL (skipped, with a message, where it is not installed). Pages and
# conversations whose SQL is the same on both run on SQLite only, to keep `make test` well under 15 minutes.
PG_TESTS := \
	tests/bot/city tests/bot/test_events.py tests/bot/reports/test_lifecycle.py tests/bot/reports/test_dedup.py \
	tests/bot/reports/test_spatial_box.py tests/bot/reports/test_inbox.py tests/bot/reports/test_outbox.py \
	tests/bot/reports/test_spatial.py tests/bot/reports/test_photo_index.py tests/bot/reports/test_deadlines.py \
	tests/bot/reports/test_photo_hashes.py tests/bot/reports/test_warm_up.py \
	tests/bot/reports/test_api_filing.py tests/bot/reports/test_reports_without_resident.py \
	tests/bot/telegram/test_intake_edges.py tests/bot/reports/test_residents.py \
	tests/bot/admin/test_sessions.py tests/bot/admin/test_throttle.py \
	tests/moderation/test_queue_dashboard_filters.py tests/moderation/test_merge.py \
	tests/moderation/test_overdue.py tests/moderation/test_duplicates.py \
	tests/moderation/test_reports_without_resident.py tests/rewards/test_ledger.py tests/rewards/test_grants.py \
	tests/rewards/test_payouts.py tests/rewards/test_fraud.py tests/rewards/test_jobs.py \
	tests/rewards/test_reports_without_resident.py tests/rewards/test_panels.py \
	tests/broadcasts/test_delivery.py tests/broadcasts/test_grid_scope.py tests/broadcasts/test_resume.py \
	tests/broadcasts/test_targeting.py tests/risk/test_map.py \
	tests/risk/test_datum.py tests/risk/test_recompute.py tests/risk/test_bulletin.py \
	tests/hotspots/test_importer.py tests/hotspots/test_forecasting.py tests/hotspots/test_warnings.py \
	tests/field/test_crews.py tests/opendata/test_open311_requests.py tests/opendata/test_open311_updates.py \
	tests/opendata/test_privacy.py tests/opendata/test_exports.py tests/opendata/test_partner_flow.py \
	tests/e2e/test_scale_out.py

test: $(STAMP) browser-deps  ## lint, types, translations, the whole suite on SQLite, then PG_TESTS on PostgreSQL
	$(MAKE) --no-print-directory lint mypy check-messages
	$(BIN)/pytest -q -n 2  # two workers: the 2-core CI runner finishes in well under 15 minutes
	$(MAKE) --no-print-directory test-postgres

test-postgres: $(STAMP)
	$(BIN)/python -m tests.pg_cluster -- $(BIN)/pytest -q -n 2 -m "not browser" $(PG_TESTS)

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

bench: $(STAMP)  ## every bench/*.py at its issue's scale, in name order, with a throwaway PostgreSQL for those that use one; a failure does not stop the rest
	@failed=""; for script in bench/[a-z]*.py; do \
		echo "== $$script"; $(BIN)/python -m tests.pg_cluster -- $(BIN)/python $$script || failed="$$failed $$script"; \
	done; test -z "$$failed" || { echo "missed a target or failed:$$failed"; exit 1; }

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache
