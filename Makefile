# schutznetz – build, run and test. Every target installs what it needs (idempotent).
#   make run            demo server on http://127.0.0.1:$(PORT)
#   make test           test suite on SQLite and on a throwaway PostgreSQL
#   make lint | bench | fuzz | drill | messages
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules

PYTHON3     ?= python3
VENV        := .venv
PY          := $(VENV)/bin/python
# `python -m pytest` puts the repo root on sys.path before `-p schutznetz.testing.pytest_env` is imported.
PYTEST      := $(PY) -m pytest
PORT        ?= 8000
PG_TEST_PORT ?= 54329
PYTEST_ARGS ?=
MANAGE      := $(PY) manage.py
# Tests use their own var dir; the pytest plugin schutznetz.testing.pytest_env sets the same default.
TEST_VAR_DIR := $(CURDIR)/var/test
DJANGO_IGNORES := --ignore=.venv --ignore=frontend --ignore=node_modules

RUNTIME_DEBS := libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core gettext
TEST_DEBS    := fonts-liberation

VENV_STAMP := $(VENV)/.installed
NPM_STAMP  := frontend/node_modules/.installed

.PHONY: help deps setup run test-deps test test-sqlite test-postgres lint bench fuzz drill messages \
        venv frontend debs compilemessages clean

help:
	@echo "make run       Demo-Server (setup inklusive) auf 127.0.0.1:$(PORT)"
	@echo "make setup     Abhängigkeiten, Frontend, Migrationen, Demo-Daten"
	@echo "make test      Tests auf SQLite und PostgreSQL (PYTEST_ARGS=... für pytest)"
	@echo "make test-sqlite | test-postgres | lint | bench | fuzz | drill | messages"

# --- dependencies ---------------------------------------------------------------------------------

$(PY):
	$(PYTHON3) -m venv $(VENV)

$(VENV_STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test]'
	touch $@

$(NPM_STAMP): frontend/package-lock.json frontend/package.json
	cd frontend && npm ci --no-audit --no-fund
	touch $@

venv: $(VENV_STAMP)

frontend: $(NPM_STAMP)
	cd frontend && npm run --silent build

debs:
	bash scripts/ensure_debs.sh $(RUNTIME_DEBS)

deps: venv frontend debs

compilemessages: deps
	@if [[ -d locale ]] || compgen -G 'schutznetz/*/locale' >/dev/null; then \
	  SCHUTZNETZ_DEBUG=1 $(MANAGE) compilemessages $(DJANGO_IGNORES) -v 0; \
	else echo "compilemessages: kein locale-Verzeichnis, übersprungen"; fi

setup: deps compilemessages
	SCHUTZNETZ_DEBUG=1 $(MANAGE) migrate --noinput
	SCHUTZNETZ_DEBUG=1 $(MANAGE) createcachetable
	SCHUTZNETZ_DEBUG=1 $(MANAGE) collectstatic --noinput -v 0
	SCHUTZNETZ_DEBUG=1 $(MANAGE) load_demo

run: setup
	@echo
	@echo "Demo-Zugänge: siehe Ausgabe von load_demo oben / README."
	@echo "schutznetz läuft auf http://127.0.0.1:$(PORT)/  (Strg-C beendet)"
	exec env SCHUTZNETZ_DEBUG=1 $(MANAGE) runserver 127.0.0.1:$(PORT)

# --- tests ----------------------------------------------------------------------------------------

test-deps: deps compilemessages
	@pkgs=($(TEST_DEBS)); \
	[[ -x /usr/bin/chromium ]] || pkgs+=(chromium); \
	compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || pkgs+=(postgresql); \
	bash scripts/ensure_debs.sh "$${pkgs[@]}"
	mkdir -p $(TEST_VAR_DIR)
	env -u DATABASE_URL SCHUTZNETZ_DEBUG=1 SCHUTZNETZ_VAR_DIR=$(TEST_VAR_DIR) \
	  $(MANAGE) collectstatic --noinput -v 0

RUN_SQLITE   = env -u DATABASE_URL SCHUTZNETZ_DEBUG=1 $(PYTEST) $(PYTEST_ARGS)
RUN_POSTGRES = SCHUTZNETZ_DEBUG=1 bash scripts/with_throwaway_pg.sh $(PG_TEST_PORT) $(PYTEST) $(PYTEST_ARGS)

test-sqlite: test-deps
	$(RUN_SQLITE)

test-postgres: test-deps
	$(RUN_POSTGRES)

# Runs both databases even if the first fails; fails if either failed.
test: test-deps
	@rc_sqlite=0; rc_pg=0; \
	echo "=== Tests mit SQLite ==="; \
	$(RUN_SQLITE) || rc_sqlite=$$?; \
	echo "=== Tests mit PostgreSQL ==="; \
	$(RUN_POSTGRES) || rc_pg=$$?; \
	echo; \
	echo "SQLite:     $$([[ $$rc_sqlite -eq 0 ]] && echo bestanden || echo "FEHLGESCHLAGEN (rc=$$rc_sqlite)")"; \
	echo "PostgreSQL: $$([[ $$rc_pg -eq 0 ]] && echo bestanden || echo "FEHLGESCHLAGEN (rc=$$rc_pg)")"; \
	[[ $$rc_sqlite -eq 0 && $$rc_pg -eq 0 ]]

# --- quality --------------------------------------------------------------------------------------

lint: venv
	@rc=0; \
	echo "=== ruff check ==="; $(VENV)/bin/ruff check . || rc=1; \
	echo "=== ruff format --check ==="; $(VENV)/bin/ruff format --check . || rc=1; \
	echo "=== bandit (nur hohe Schwere) ==="; $(VENV)/bin/bandit -r schutznetz -lll -q -x schutznetz/core/static || rc=1; \
	echo "=== pip-audit ==="; bash scripts/pip_audit.sh $(VENV)/bin/pip-audit || rc=1; \
	exit $$rc

# --- measurements ---------------------------------------------------------------------------------

bench: deps
	@shopt -s nullglob; n=0; rc=0; \
	for f in benchmarks/*.py; do \
	  [[ $$(basename "$$f") == __init__.py || $$(basename "$$f") == drill.py || $$(basename "$$f") == fuzz.py || $$(basename "$$f") == harness.py ]] && continue; \
	  echo "=== $$f ==="; n=$$((n+1)); \
	  SCHUTZNETZ_DEBUG=1 $(PY) "$$f" || rc=1; \
	done; \
	echo "bench: $$n Benchmark(s) ausgeführt"; exit $$rc

drill: test-deps
	@if [[ -f benchmarks/drill.py ]]; then SCHUTZNETZ_DEBUG=1 $(PY) benchmarks/drill.py; \
	else echo "drill: benchmarks/drill.py noch nicht vorhanden"; fi

fuzz: deps
	@if [[ -f benchmarks/fuzz.py ]]; then SCHUTZNETZ_DEBUG=1 $(PY) benchmarks/fuzz.py; \
	else echo "fuzz: benchmarks/fuzz.py noch nicht vorhanden"; fi

# --- translations ---------------------------------------------------------------------------------

# locale/de holds hand-kept formal versions of allauth's and DRF's informal German: never run
# makemessages -a or -l de on it (every entry would be marked obsolete).
messages: deps
	mkdir -p locale
	SCHUTZNETZ_DEBUG=1 $(MANAGE) makemessages -l en -d django $(DJANGO_IGNORES) --ignore=var --ignore=staticfiles

clean:
	rm -rf var/test .pytest_cache .ruff_cache .hypothesis
