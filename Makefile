# GridReach developer commands. `make` (or `make help`) lists them.
#
#   make run     set everything up and serve the demo at http://127.0.0.1:5000
#   make test    the whole suite, on SQLite and then on PostgreSQL

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
FLASK  := $(VENV)/bin/flask --app app
# Written after a successful install; older than a requirements file = reinstall.
STAMP  := $(VENV)/.requirements-installed
PROD_STAMP := $(VENV)/.requirements-prod-installed
# The compiled catalogues: without them every page is English.
CATALOGUES := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))

HOST ?= 127.0.0.1
PORT ?= 5000
# Extra pytest arguments, e.g. make test PYTEST_ARGS="-x -k areas"
PYTEST_ARGS ?=

# Commands run from here (tests, benchmarks) find the virtualenv's tools first.
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
# Browsers come from Debian (chromium); playwright must never download its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1
# Test runs never see the developer's own database.
TEST_ENV := env -u DATABASE_URL

.PHONY: help install install-prod translations i18n-extract migrate seed run test test-sqlite test-pg test-city db-check \
	lint bench clean distclean

help: ## List the targets
	@echo "GridReach make targets:"
	@awk 'BEGIN {FS = ":.*## "} /^[a-z][a-z-]*:.*## / {printf "  %-13s %s\n", $$1, $$2}' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: PYTEST_ARGS (extra pytest arguments), TEST_DATABASE_URL (PostgreSQL"
	@echo "to test against instead of a throwaway cluster), HOST and PORT (for run)."

# --- setup -------------------------------------------------------------------

install: $(STAMP) $(CATALOGUES) ## Create .venv, install the pinned requirements (only when they changed), compile the catalogues
	@:

install-prod: $(PROD_STAMP) $(CATALOGUES) ## Like install, without the development tools (for a server)
	@:

$(VENV)/pyvenv.cfg:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "GridReach needs Python 3.11 or newer; try make PYTHON=python3.11")'
	$(PYTHON) -m venv $(VENV)

# --no-deps + pip check: every transitive dependency must be pinned in the files.
$(STAMP): requirements.txt requirements-dev.txt $(VENV)/pyvenv.cfg
	$(PY) -m pip install --disable-pip-version-check --no-input --quiet --no-deps -r requirements-dev.txt
	@$(PY) -m pip check
	@touch $@

$(PROD_STAMP): requirements.txt $(VENV)/pyvenv.cfg
	$(PY) -m pip install --disable-pip-version-check --no-input --quiet --no-deps -r requirements.txt
	@$(PY) -m pip check
	@touch $@

# Babel is a runtime dependency: the pybabel of either install compiles. Listed after a stamp
# in the rules above, so that the virtualenv is ready first.
%.mo: %.po | $(VENV)/pyvenv.cfg
	$(VENV)/bin/pybabel compile --statistics -l $(word 3,$(subst /, ,$<)) -i $< -o $@

translations: install ## Compile the translation catalogs, if there are any
	@if ls app/translations/*/LC_MESSAGES/*.po >/dev/null 2>&1; then \
		$(VENV)/bin/pybabel compile --statistics -d app/translations; \
	else \
		echo "No translation catalogs in app/translations yet; nothing to compile."; \
	fi

i18n-extract: install ## Extract the source strings and merge them into the zh catalog (then translate the new entries)
	$(VENV)/bin/pybabel extract --no-location --sort-output -F app/translations/babel.cfg \
		-k _l -k lazy_gettext -k lazy_pgettext:1c,2 -k N_ -k Invalid -k NotFound -k Forbidden -k Conflict -k Unauthorized \
		-k BadSiteToken -k row_message -o app/translations/messages.pot app
	@if [ -f app/translations/zh/LC_MESSAGES/messages.po ]; then \
		$(VENV)/bin/pybabel update --no-fuzzy-matching --ignore-obsolete -i app/translations/messages.pot -d app/translations -l zh; \
	else \
		$(VENV)/bin/pybabel init -i app/translations/messages.pot -d app/translations -l zh; \
	fi

# --- the app -----------------------------------------------------------------

migrate: translations ## Build or upgrade the database schema (flask db upgrade)
	@mkdir -p instance
	$(FLASK) db upgrade

seed: migrate ## Fill an empty database with the demo district and print the demo logins
	$(FLASK) seed-demo

run: seed ## Install, compile, migrate, seed, then serve at http://127.0.0.1:5000 with the background worker and the notification sender
	@echo "GridReach at http://$(HOST):$(PORT)/ (Ctrl-C stops it, the background worker and the notification sender)"
	@$(FLASK) worker & worker=$$!; \
	$(FLASK) send-notifications & sender=$$!; \
	trap 'kill $$worker $$sender 2>/dev/null; wait $$worker $$sender 2>/dev/null' EXIT INT TERM; \
	$(FLASK) run --host $(HOST) --port $(PORT)

# --- checks ------------------------------------------------------------------

test: translations ## Run the suite on SQLite and on PostgreSQL (TEST_DATABASE_URL or a throwaway local cluster), side by side on two cores or more
	@$(TEST_ENV) .ci/test-both.sh $(PYTEST_ARGS)

test-sqlite: translations ## Run the suite on SQLite only
	@$(TEST_ENV) -u TEST_DATABASE_URL .ci/pytest.sh sqlite $(PYTEST_ARGS)

test-pg: translations ## Run the suite on PostgreSQL only (says so when none is available)
	@$(TEST_ENV) .ci/test-pg.sh $(PYTEST_ARGS)

# The suite's tests that work the database hardest, run through PgBouncer by make test-city.
CITY_SLICE ?= tests/api/test_checkins.py tests/api/test_checkins_race.py tests/api/test_visits_api.py \
	tests/api/test_import_jobs.py tests/services/test_notifications.py \
	tests/services/test_notification_senders.py tests/api/test_login_limits.py tests/api/test_auth.py

test-city: translations ## Many machines: replica, PgBouncer, two hosts behind nginx (on PostgreSQL), then a slice of the suite through PgBouncer
	@status=0; \
	$(TEST_ENV) .ci/pg-cluster.sh run .ci/pytest.sh city tests/city tests/deploy/test_two_hosts.py \
		tests/api/test_shared_limits_redis.py tests/api/test_login_limits_redis.py $(PYTEST_ARGS) || status=$$?; \
	$(TEST_ENV) -u TEST_DATABASE_URL $(PY) -m tests.city.through_pgbouncer \
		.ci/pytest.sh through-pgbouncer $(CITY_SLICE) $(PYTEST_ARGS) || status=$$?; \
	exit $$status

db-check: translations ## Migrations build the schema on SQLite and PostgreSQL with no drift from the models
	@.ci/db-check.sh

lint: install ## Lint with ruff, and check that ruff format would change nothing
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

bench: translations ## Run the benchmarks (bench/run_all.sh), if there are any
	@if [ -f bench/run_all.sh ]; then \
		bash bench/run_all.sh; \
	else \
		echo "No bench/run_all.sh yet; nothing to run."; \
	fi

# --- housekeeping --------------------------------------------------------------

clean: ## Remove caches and compiled catalogs (keeps .venv and the database in instance/)
	find . -path ./$(VENV) -prune -o -type d \
		\( -name __pycache__ -o -name .pytest_cache -o -name .ruff_cache \) -prune -exec rm -rf {} +
	@if [ -d app/translations ]; then find app/translations -name '*.mo' -delete; fi

distclean: clean ## Also remove .venv
	rm -rf $(VENV)
