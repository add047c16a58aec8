# Trellis: `make run` to try it, `make test` to check it. Both set everything up first.
.DEFAULT_GOAL := help
SHELL := /bin/bash

VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
MANAGE := $(PY) manage.py
PYTHON_WANTED := $(shell cat .python-version)
# pyenv honours .python-version; otherwise look for python3.13 on the PATH.
BOOT_PYTHON ?= $(shell pyenv which python 2>/dev/null || command -v python$(PYTHON_WANTED) || command -v python3)
CHROMIUM ?= $(shell command -v chromium || command -v chromium-browser || command -v google-chrome)

# `make run PORT=8001` serves on another port.
PORT ?= 8000

# The PostgreSQL database the load test may empty and fill (its name must end in _bench).
LOADTEST_DATABASE_URL ?= postgres://trellis:trellis@127.0.0.1:5432/trellis_bench

.PHONY: help run install install-dev install-load lock test lint format check pytest chromium \
	wrk demo bench loadtest audit clean

help:
	@echo "make run       set up (virtualenv, packages, database, lessons) and serve http://127.0.0.1:8000 (PORT=8001 for another)"
	@echo "make test      set up and run lint, system checks, migration check and the whole test suite"
	@echo "make lint      ruff check and format check"
	@echo "make lock      resolve dependencies again into uv.lock (after editing pyproject.toml)"
	@echo "make demo      create a linked demo couple to sign in as"
	@echo "make bench     wrk against eight pages vs a bare view, content sync, charts: docs/benchmark.md"
	@echo "make loadtest  locust: 50 spouses for 60 s on SQLite and PostgreSQL, then check no save was lost"
	@echo "make audit     Lighthouse (mobile) on six pages: docs/audit.md"
	@echo "make clean     remove the virtualenv, node_modules and the development database"

$(PY):
	@$(BOOT_PYTHON) -c 'import sys; assert sys.version_info >= (3, 13), "Trellis needs Python 3.13 (see .python-version); found " + sys.version' \
		|| { echo "Install Python $(PYTHON_WANTED) (for example: pyenv install $(PYTHON_WANTED)) and try again."; exit 1; }
	$(BOOT_PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv

# Exactly the versions in uv.lock (--locked stops if pyproject.toml changed without
# `make lock`); --inexact keeps uv itself and other extras already installed.
# --compile-bytecode writes the packages' .pyc files once, at install: where
# PYTHONDONTWRITEBYTECODE is set (this machine, CI) every Python process otherwise
# compiled Django and its friends again, about 1.2 s of CPU each (manage.py check:
# 2.2 s before, 0.9 s after), and the suite starts some twenty of them.
SYNC := $(UV) sync --locked --inexact --quiet --compile-bytecode --python $(PY)

$(VENV)/.installed: pyproject.toml uv.lock | $(PY)
	$(SYNC)
	@touch $@

$(VENV)/.installed-dev: pyproject.toml uv.lock | $(PY)
	$(SYNC) --extra dev
	@touch $@ $(VENV)/.installed

$(VENV)/.installed-load: pyproject.toml uv.lock $(VENV)/.installed-dev
	$(SYNC) --extra dev --extra load
	@touch $@

# After changing dependencies in pyproject.toml: resolve again and commit uv.lock.
lock: | $(PY)
	$(UV) lock

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

install: $(VENV)/.installed

install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json chromium

install-load: $(VENV)/.installed-load

chromium:
	@if [ -n "$(CHROMIUM)" ]; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Chromium from Debian packages for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium. Install it (Debian/Ubuntu: sudo apt-get install chromium)"; \
		echo "or point CHROMIUM_PATH at a Chromium or Chrome binary."; exit 1; \
	fi

wrk:
	@if command -v wrk >/dev/null; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing wrk from Debian packages for the benchmark..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
	else \
		echo "The benchmark needs wrk (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk)."; exit 1; \
	fi

# Links in notice emails point at the server that sent them, on whatever port it was given.
run: install
	$(MANAGE) migrate --no-input
	$(MANAGE) sync_content
	@echo "Trellis is starting at http://127.0.0.1:$(PORT) (Ctrl+C stops it). Try 'make demo' for a demo couple."
	SITE_URL="$${SITE_URL:-http://127.0.0.1:$(PORT)}" $(MANAGE) runserver 127.0.0.1:$(PORT)

demo: install
	$(MANAGE) migrate --no-input
	$(MANAGE) sync_content
	$(MANAGE) demo

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV)/.installed-dev
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

check: $(VENV)/.installed-dev
	$(MANAGE) check --fail-level WARNING
	$(MANAGE) makemigrations --check --dry-run

# The suite in TEST_WORKERS processes (pytest-xdist), each with its own test database and
# browser; `make pytest TEST_WORKERS=0` runs it in this one process.
TEST_WORKERS ?= 2

pytest: install-dev
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

test: install-dev lint check pytest

bench: install-dev wrk
	$(PY) bench/http_bench.py

loadtest: install-load
	$(PY) bench/loadtest.py
	$(PY) bench/loadtest.py --restart
	$(PY) bench/loadtest.py --database-url $(LOADTEST_DATABASE_URL)
	$(PY) bench/loadtest.py --database-url $(LOADTEST_DATABASE_URL) --restart

audit: install-dev
	$(PY) bench/audit.py

clean:
	rm -rf $(VENV) node_modules db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
