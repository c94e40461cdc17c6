# The two commands: `make run` (the whole portal, demo data, embedded defaults) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

# Django 6 needs Python >= 3.12: take the first interpreter that is new enough.
PYTHON := $(shell for c in python3.13 python3.12 python3; do \
	  command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; break; }; \
	done)

.PHONY: help run test venv assets chromium check-python clean-data

help:
	@echo "make run    start the portal with demo data (http://127.0.0.1:8000/)"
	@echo "make test   install what the tests need and run them"

check-python:
	@if [ -z "$(PYTHON)" ]; then \
	  echo "No Python 3.12 or newer found. Install one (e.g. 'apt-get install python3.12' or 'pyenv install 3.12')."; \
	  exit 1; fi

$(VENV)/.installed: requirements.txt | check-python
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed for Bootstrap and axe-core (apt-get install npm)."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

assets: node_modules/.installed

chromium:
	@if [ ! -x "$${CHROMIUM:-/usr/bin/chromium}" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "Installing Debian's chromium for the browser tests ..."; \
	    DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else \
	    echo "The browser tests need Chromium at /usr/bin/chromium: run 'sudo apt-get install chromium' (or set CHROMIUM=/path)."; \
	    exit 1; \
	  fi; \
	fi

run: venv assets
	$(PY) -m portal.devserver

test: venv assets chromium
	$(VENV)/bin/lint-imports --no-cache
	PORTAL_MODE=test DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest --create-db $(PYTEST_ARGS)

clean-data:
	-$(PY) -m portal.embedded stop
	rm -rf .data
