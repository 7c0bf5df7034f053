# IRO Escalations: set up, run and test.  GNU make.
#
#   make run            set everything up (venv, npm, migrate, static, demo data) and serve
#                       on http://127.0.0.1:8000 with DEBUG=1, with the background worker
#   make test           lint, then every test suite (see the test target); non-zero on any failure
#   make lint           ruff: the linter, and the formatter's check (make format rewrites the code)
#   make test-sqlite    pytest on SQLite only        } extra pytest arguments:
#   make test-postgres  pytest on PostgreSQL only    }   make test-sqlite PYTEST_ARGS='-k ladder -x'
#   make test-browser   the browser tests (tests/browser, Playwright on Debian's Chromium, SQLite)
#   make migrate | demo | collectstatic | check
#   make lock           re-resolve requirements*.txt (and package-lock.json) from the *.in files
#   make clean          remove var/ and the install stamps; make distclean also drops .venv, node_modules

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
# Suites share var/ and the console: run targets one after another even under -j.
.NOTPARALLEL:

PYTHON ?= python3
VENV := .venv
VPY := $(VENV)/bin/python
VENV_STAMP := $(VENV)/.stamp-requirements
NODE_STAMP := node_modules/.stamp-package-lock

PYTEST_ARGS ?=
SQLITE_TEST_URL := sqlite:///$(CURDIR)/var/test.sqlite3

# What `make test` runs: the linter first, then the suites. The SQLite and PostgreSQL suites run at the
# same time, one on each CPU (each with its own VAR_DIR; the SQLite suite's output is kept in
# var/test-sqlite.log and printed after the PostgreSQL suite's), then the browser suite. Every suite
# runs even if an earlier one (or the linter) failed, then a summary prints and `make test` fails if
# any did, naming them on its "FAILED:" line.
# Names of the var/junit-<name>.xml reports the summary reads (scripts/pytest.sh names
# them after the database: sqlite, postgres; or after PYTEST_REPORT: browser).
TEST_REPORTS := sqlite postgres browser
# The browser tests run only in test-browser (on SQLite), never in the database suites.
BROWSER_TESTS := tests/browser

.PHONY: help deps run migrate collectstatic demo check lint format test test-sqlite test-postgres test-browser lock clean distclean serve try-deploy

help:
	@sed -n 's/^#   //p' $(firstword $(MAKEFILE_LIST))

# ----------------------------------------------------------------------------- setup
# One venv for running and testing. Recreated if missing or broken; packages
# re-installed whenever a lock file changes.
$(VENV_STAMP): requirements.txt requirements-dev.txt
	@if ! $(VPY) -c 'import sys' >/dev/null 2>&1; then \
		echo ">>> creating $(VENV) with $(PYTHON)"; \
		rm -rf $(VENV); \
		$(PYTHON) -m venv $(VENV); \
	fi
	@echo ">>> installing requirements-dev.txt into $(VENV)"
	$(VPY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# govuk-frontend, served as static files. npm ci wipes node_modules, so the stamp is
# written afterwards.
$(NODE_STAMP): package.json package-lock.json
	@echo ">>> npm ci"
	npm ci --no-audit --no-fund
	@touch $@

# var/ holds the SQLite databases, test reports and STATIC_ROOT; WhiteNoise warns when
# STATIC_ROOT is missing, so it is made up front even before collectstatic.
var/static:
	mkdir -p $@

# Debian libraries WeasyPrint needs for the PDF report (Pango, HarfBuzz subsetting, a font),
# poppler-utils to look at a PDF as pictures, and Chromium for the browser tests (Playwright
# drives /usr/bin/chromium; its own browser download is never used) with Liberation fonts,
# which stand in for Arial in GOV.UK's font stack, and wbritish, the word list the committee paper's
# identifier check reads for ordinary words (REPORT_WORD_LIST). Installed with apt only when missing.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core poppler-utils \
	chromium fonts-liberation wbritish
# The stamp is named after the package list, so adding a package installs it on the next run.
SYSTEM_STAMP := var/.stamp-system-packages-$(shell echo '$(SYSTEM_PACKAGES)' | cksum | cut -d' ' -f1)

$(SYSTEM_STAMP): | var/static
	scripts/apt-ensure.sh $(SYSTEM_PACKAGES)
	@rm -f var/.stamp-system-packages*
	@touch $@

deps: $(VENV_STAMP) $(NODE_STAMP) $(SYSTEM_STAMP) | var/static

# ----------------------------------------------------------------------------- run
# Development targets run with DEBUG=1 unless DEBUG is already set (the settings refuse
# the built-in SECRET_KEY with DEBUG off).
run migrate collectstatic demo check: export DEBUG ?= 1

migrate: deps
	$(VPY) manage.py migrate --noinput

collectstatic: deps
	$(VPY) manage.py collectstatic --noinput --verbosity 0

demo: migrate
	$(VPY) manage.py demo_data

check: deps
	$(VPY) manage.py check

# The web server and the background worker together (scripts/run-dev.sh); one Ctrl-C stops both.
run: migrate collectstatic demo
	scripts/run-dev.sh

# ----------------------------------------------------------------------------- test
test: deps
	@rm -f var/junit-*.xml
	@status=0; failed=""; \
	$(MAKE) --no-print-directory lint || { status=1; failed="$$failed lint"; }; \
	mkdir -p var/suite-sqlite/static var/suite-postgres/static; \
	echo ">>> the SQLite suite runs beside the PostgreSQL suite; its output follows it (var/test-sqlite.log)"; \
	VAR_DIR=$(CURDIR)/var/suite-sqlite $(MAKE) --no-print-directory test-sqlite > var/test-sqlite.log 2>&1 & sqlite_pid=$$!; \
	VAR_DIR=$(CURDIR)/var/suite-postgres $(MAKE) --no-print-directory test-postgres || { status=1; failed="$$failed test-postgres"; }; \
	wait $$sqlite_pid || { status=1; failed="$$failed test-sqlite"; }; \
	cat var/test-sqlite.log; \
	$(MAKE) --no-print-directory test-browser || { status=1; failed="$$failed test-browser"; }; \
	scripts/test-summary.sh $(TEST_REPORTS) || status=1; \
	case " $$failed " in *" lint "*) echo "lint: FAILED (ruff; make format fixes most)";; *) echo "lint: passed";; esac; \
	if [ $$status -ne 0 ]; then echo "!!! make test FAILED:$$failed" >&2; fi; \
	exit $$status

# ruff, pinned in requirements-dev.txt and configured in pyproject.toml: lint rules, then the
# formatter's check (the code is kept as `ruff format` writes it).
lint: $(VENV_STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(VENV_STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# pytest-django makes its own test database; the URL just has to be SQLite.
test-sqlite: deps
	DATABASE_URL='$(SQLITE_TEST_URL)' scripts/pytest.sh --ignore=$(BROWSER_TESTS) $(PYTEST_ARGS)

# A throwaway cluster, installed with apt-get first if need be (scripts/with-postgres.sh).
test-postgres: deps
	scripts/with-postgres.sh scripts/pytest.sh --ignore=$(BROWSER_TESTS) $(PYTEST_ARGS)

# Playwright on Debian's Chromium against pytest-django's live server, on SQLite only; writes
# var/junit-browser.xml, screenshots to var/screenshots/ (tests/browser/conftest.py).
test-browser: deps
	DATABASE_URL='$(SQLITE_TEST_URL)' PYTEST_REPORT=browser scripts/pytest.sh $(BROWSER_TESTS) $(PYTEST_ARGS)

# ----------------------------------------------------------------------------- housekeeping
# package-lock.json keeps its mtime when npm leaves its content alone, so an unchanged
# lock does not trigger another npm ci.
lock:
	scripts/lock.sh
	@mkdir -p var && cp -p package-lock.json var/.package-lock.before
	npm install --package-lock-only --no-audit --no-fund
	@if cmp -s package-lock.json var/.package-lock.before; then touch -r var/.package-lock.before package-lock.json; fi
	@rm -f var/.package-lock.before

clean:
	rm -rf var $(VENV)/.stamp-* $(NODE_STAMP)

distclean: clean
	rm -rf $(VENV) node_modules

# ----------------------------------------------------------------------------- benchmark
# The committee report's speed (bench/README.md): a throwaway PostgreSQL cluster filled with
# 1,000,000 synthetic escalations, then p50/p95 of report_build over 20 runs against the 500 ms
# p95 target. About 5 minutes. Quick check: make bench-report BENCH_ARGS='--escalations 50000'
.PHONY: bench-report
bench-report: deps
	scripts/with-postgres.sh $(VPY) bench/report_bench.py $(BENCH_ARGS)

# The escalation-log import's speed (bench/README.md): a 100,000-row synthetic log imported through
# the import_escalations command, on SQLite (a fresh file) and then on a throwaway PostgreSQL
# cluster; prints rows/s and queries for each. Quick check: make bench-import BENCH_ARGS='--rows 10000'
.PHONY: bench-import
bench-import: deps
	$(VPY) bench/import_bench.py --database sqlite $(BENCH_ARGS)
	scripts/with-postgres.sh $(VPY) bench/import_bench.py --database postgres $(BENCH_ARGS)

# The drift watch at national scale (bench/README.md): a throwaway PostgreSQL cluster, a generated
# council of 100,000 children with 5 years of 903 and case-management data imported through the
# real services, then the nightly drift_refresh (target under 60 s) and the drift pages timed.
# Quick check: make bench-drift BENCH_ARGS='--children 5000'
.PHONY: bench-drift
bench-drift: deps
	scripts/with-postgres.sh $(VPY) bench/drift_bench.py $(BENCH_ARGS)

# The pages at national scale (issue 15, bench/README.md): a throwaway PostgreSQL filled with
# 1,000,000 escalations (report_bench's generator), gunicorn with 2 workers (bench.settings_bench,
# which alone adds the floor view), wrk at 32 connections on each page and the floor; prints req/s,
# p50, p99, non-2xx, queries per request and % of the floor. wrk comes from Debian (apt-get).
# Quick check (CI smoke): make bench-pages BENCH_ARGS='--escalations 20000 --children 5000 --duration 2'
.PHONY: bench-pages
bench-pages: deps
	scripts/apt-ensure.sh wrk
	scripts/with-postgres.sh $(VPY) bench/pages_bench.py $(BENCH_ARGS)

# The XLSX bomb (bench/README.md, README "Limits on input"): a ~4 MB workbook holding 4 GB of
# whitespace, put through the log reader; prints the time and memory to refuse it (targets: under
# 1 s, under 100 MB). Quick check: make bench-xlsx-bomb BENCH_ARGS='--gigabytes 0.5'
.PHONY: bench-xlsx-bomb
bench-xlsx-bomb: deps
	$(VPY) bench/xlsx_bomb_bench.py $(BENCH_ARGS)

# Load and faults (bench/README.md): a throwaway PostgreSQL, gunicorn (2 workers) and a task worker with
# DEBUG off on 127.0.0.1, 64 users for 60 s through the real pages while a web worker and the task worker
# are killed (kill -9) and PostgreSQL restarts; then every acknowledged write is checked in the database.
# Non-zero if a write was lost or duplicated, or a 5xx came with no fault. Quick check:
# make bench-load BENCH_ARGS='--users 8 --seconds 15'
.PHONY: bench-load
bench-load: deps
	scripts/with-postgres.sh $(VPY) bench/load_bench.py $(BENCH_ARGS)

# ----------------------------------------------------------------------------- production
# gunicorn (deploy/gunicorn.conf.py) and the background worker with DEBUG off (scripts/serve.sh);
# README "Deploying". Behind deploy/nginx.conf in production.
serve: deps
	scripts/serve.sh

# README "Deploying", followed on this machine: a throwaway PostgreSQL, `make serve` behind
# deploy/nginx.conf with a throwaway certificate, the demo data, a backup, a restore into a new
# database, and the app serving the restored data (scripts/try-deploy.sh).
try-deploy: deps
	scripts/with-postgres.sh scripts/try-deploy.sh
