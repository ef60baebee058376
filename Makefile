# 双随机平台 — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha256sum | cut -c1-12)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint typecheck test-python install bench seed migrate clean backup restore

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

migrate: install
	$(PY) manage.py migrate --noinput

## make run: install, migrate the embedded SQLite database, load demo data when empty, print demo accounts, serve.
run: migrate
	$(PY) manage.py seed_demo --if-empty
	$(PY) manage.py demo_accounts --address $(HOST):$(PORT)
	$(PY) manage.py demo_workflow
	$(PY) manage.py runserver $(HOST):$(PORT)

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
