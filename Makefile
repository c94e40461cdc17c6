# The two commands: `make run` (the whole portal, demo data, embedded defaults) and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=
# Two processes (pytest-xdist): the suite waits on browsers and the database as much as it computes.
TEST_WORKERS ?= 2

# Django 6 needs Python >= 3.12: take the first interpreter that is new enough.
PYTHON := $(shell for c in python3.13 python3.12 python3; do \
	  command -v $$c >/dev/null 2>&1 && $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null && { echo $$c; break; }; \
	done)

.PHONY: help run test mutation venv assets chromium check-python clean-data

help:
	@echo "make run    start the portal with demo data (http://127.0.0.1:8000/)"
	@echo "make test   install what the tests need and run them"
	@echo "make mutation   mutation-test the pure rules (slow); fails below $(MUTATION_MIN_SCORE)% killed"

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
	PORTAL_MODE=test DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest --create-db -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Mutation testing of the pure rules (pyproject.toml [tool.mutmut] says which modules and
# tests). Always from scratch: mutmut's cache in mutants/ can keep verdicts from older tests.
MUTATION_MIN_SCORE ?= 90

# Read mutmut's verdicts (mutants/**/*.meta) and print killed / total per module and overall;
# exit 1 when any of them is below MUTATION_MIN_SCORE. A timeout counts as killed.
define MUTATION_SCORE
import json, pathlib, sys
minimum = float(sys.argv[1])
killed_codes = {1, 3, 24, -24, 152, 255, 36, 37}
rows, failed = [], False
for meta in sorted(pathlib.Path("mutants").rglob("*.py.meta")):
    codes = list(json.loads(meta.read_text())["exit_code_by_key"].values())
    if None in codes:
        sys.exit("%s: %d mutants not checked: the run did not finish." % (meta, codes.count(None)))
    rows.append((str(meta.relative_to("mutants"))[: -len(".meta")], sum(c in killed_codes for c in codes), len(codes)))
if not rows:
    sys.exit("No mutants found: did mutmut run?")
rows.append(("all", sum(r[1] for r in rows), sum(r[2] for r in rows)))
for name, killed, total in rows:
    score = 100.0 * killed / total
    failed = failed or score < minimum
    print("%-24s %4d / %4d killed  %5.1f%%%s" % (name, killed, total, score, "  below %g%%" % minimum if score < minimum else ""))
sys.exit(1 if failed else 0)
endef
export MUTATION_SCORE

mutation: venv
	rm -rf mutants && mkdir mutants
	@echo "mutmut run: about two minutes; its progress goes to mutants/mutmut-run.log"
	@$(VENV)/bin/mutmut run > mutants/mutmut-run.log 2>&1 || { tail -c 4000 mutants/mutmut-run.log; exit 1; }
	@echo "Surviving mutants (see one with: $(VENV)/bin/mutmut show NAME):"
	@$(VENV)/bin/mutmut results
	@$(PY) -c "$$MUTATION_SCORE" $(MUTATION_MIN_SCORE)

clean-data:
	-$(PY) -m portal.embedded stop
	rm -rf .data
