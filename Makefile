# 双随机平台 — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck test-python install bench seed migrate clean backup restore

# pip's and setuptools' notices go to a log, shown only when the install fails (issue 15, item 14).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@echo "安装依赖（日志：$(VENV)/pip.log）…"
	@{ $(PY) -m pip install -q --disable-pip-version-check --upgrade pip && \
	   $(PY) -m pip install -q --disable-pip-version-check -e ".[dev]"; } >$(VENV)/pip.log 2>&1 \
	   || { cat $(VENV)/pip.log; exit 1; }
	@rm -f $(VENV)/.installed-*
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

## make run: install, migrate the embedded SQLite database, load demo data when empty, print demo accounts, serve.
# Served with DEBUG off, so a user never sees Django's debug page (issue 15, item 10): demo mode keeps the demo
# accounts and development keys, plain HTTP on the local address, and runserver --insecure serves the static files.
RUN_ENV := DEBUG=false DEMO_MODE=true SECRET_KEY=dev-only-insecure-key-change-me SECURE_SSL_REDIRECT=false \
	SESSION_COOKIE_SECURE=false CSRF_COOKIE_SECURE=false SECURE_HSTS_SECONDS=0 \
	SECURE_HSTS_INCLUDE_SUBDOMAINS=false SECURE_HSTS_PRELOAD=false
run: migrate
	@$(RUN_ENV) $(PY) manage.py seed_demo --if-empty
	@$(RUN_ENV) $(PY) manage.py demo_accounts --address $(HOST):$(PORT)
	@$(RUN_ENV) $(PY) manage.py demo_workflow
	@$(RUN_ENV) $(PY) manage.py runserver --insecure $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

test-python: install
	$(VENV)/bin/pytest

## make test: lint, type-check the pure core, check migrations, run the whole suite.
test: lint typecheck
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest

## make backup: the database (SQLite, or PostgreSQL when DATABASE_URL is set) and media files to var/backups/.
backup: install
	$(PY) manage.py backup

## make restore FILE=var/backups/…: replace the database with a backup (asks first), then verify the audit chain.
restore: install
	@test -n "$(FILE)" || { echo "用法 / usage: make restore FILE=var/backups/shuangsuiji-….sqlite3"; exit 2; }
	$(PY) manage.py restore "$(FILE)"

bench: install
	$(PY) bench/run_all.py

clean:
	rm -rf $(VENV) db.sqlite3 var
