# The registry's everyday commands. `make run` and `make test` are the two set-up commands.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

# First Python >= 3.12 found: python3.13, python3.12, pyenv's, then python3.
define find_python
for candidate in "$${PYTHON:-}" python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 \
                 $$HOME/.pyenv/versions/3.12*/bin/python3 python3 python; do \
  [ -n "$$candidate" ] || continue; \
  command -v "$$candidate" >/dev/null 2>&1 || [ -x "$$candidate" ] || continue; \
  if "$$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then \
    echo "$$candidate"; exit 0; \
  fi; \
done; exit 1
endef

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

# The lock (see README, "Dependencies"): uv.lock, one universal resolution made by uv, and two
# exports of it with every file's hash, read by pip alone (uv is not needed to install):
# requirements-dev.txt (the dependencies, every extra and the build backend: make install) and
# requirements.txt (the dependencies, the s3 extra and the build backend: servers).
LOCK := uv.lock
REQUIREMENTS_DEV := requirements-dev.txt
REQUIREMENTS := requirements.txt
UV_VERSION := 0.13.8
UV := UV_PYTHON_DOWNLOADS=never $(VENV)/bin/uv
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/ptce_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13
# One database per scale: BENCH_DATABASE_URL for 10,000 poles, its name followed by _1000 for 1,000.
BENCH_SCALES ?= 1000,10000

$(VENV)/.installed: pyproject.toml $(REQUIREMENTS_DEV)
	@python=$$($(find_python)) || { \
	  echo "No Python 3.12 or newer was found: install Python 3.12+ (or set PYTHON=/path/to/python3.12) and run make again." >&2; exit 1; }; \
	echo "Using $$python ($$($$python --version))"; \
	[ -x $(PY) ] && $(PY) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' || { rm -rf $(VENV); $$python -m venv $(VENV); }
	@# Every dependency from the lock, each file checked against its hash; then the project
	@# itself, built by the locked setuptools (no build isolation: nothing unpinned is fetched;
	@# -qq hides setuptools' notice about editable installs; errors still show).
	$(PY) -m pip install --quiet --require-hashes -r $(REQUIREMENTS_DEV)
	$(PY) -m pip install -qq --no-deps --no-build-isolation -e .
	@touch $@

.PHONY: install
install: $(VENV)/.installed ## Create .venv and install the project with its dev tools from the lock (hashes checked)

.PHONY: messages
messages: install ## Refresh the catalogues from the code, then compile them (.po -> .mo, committed)
	@# The admin templates that repeat Django's own words ("Save", "Home"…) are left to Django's
	@# catalogue: in the project's, the French msgstr would be these English msgids.
	$(PY) manage.py makemessages -l en -l fr --no-obsolete --ignore=.venv --ignore=tests --ignore=.cache \
	  --ignore=templates/admin/change_form.html --ignore=templates/admin/submit_line.html
	@# French is the source language: its catalogue repeats each msgid, for French plural rules.
	msgattrib --clear-fuzzy --empty ptce_site/locale/fr/LC_MESSAGES/django.po -o ptce_site/locale/fr/LC_MESSAGES/django.po
	msgen ptce_site/locale/fr/LC_MESSAGES/django.po -o ptce_site/locale/fr/LC_MESSAGES/django.po
	$(PY) manage.py compilemessages --ignore=.venv --verbosity 0

.PHONY: migrate
migrate: install ## Apply the database migrations
	$(PY) manage.py migrate --no-input

.PHONY: seed
seed: migrate ## Load the reference data and the seed registry (idempotent)
	$(PY) manage.py load_seed_data

.PHONY: run
run: seed ## Set up and serve on http://127.0.0.1:8000 (SQLite unless DATABASE_URL is set)
	$(PY) manage.py runserver $(HOST):$(PORT)

.PHONY: serve
serve: install ## Serve with gunicorn (production-like: set DEBUG=false, SECRET_KEY, ALLOWED_HOSTS…)
	$(PY) manage.py collectstatic --no-input --verbosity 0
	$(VENV)/bin/gunicorn -c ptce_site/gunicorn.conf.py

# The test processes (pytest-xdist): one per core; TEST_WORKERS=0 runs the tests in this process.
TEST_WORKERS ?= auto

# Compiled modules kept between runs (__pycache__, ignored by git) even where
# PYTHONDONTWRITEBYTECODE is set, as on CI's machines: each test process otherwise compiles the
# project and pytest's rewritten test modules again, 1.7 s of CPU per process at each run.
TEST_ENV := CONN_MAX_AGE=0 PYTHONDONTWRITEBYTECODE=

.PHONY: test
test: install ## Run the whole test suite (set DATABASE_URL=postgres://… for PostgreSQL)
	$(TEST_ENV) $(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

.PHONY: lint
lint: install ## ruff and the migrations check
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

.PHONY: lock
lock: install ## Refresh uv.lock and its exports after a change to pyproject.toml (LOCK_ARGS="--upgrade-package django" to upgrade)
	@$(UV) --version 2>/dev/null | grep -Eq '^uv $(UV_VERSION)( |$$)' || $(PY) -m pip install --quiet uv==$(UV_VERSION)
	$(UV) lock --python $(PY) $(LOCK_ARGS)
	@set -e; \
	export_lock() { \
	  $(UV) export --frozen --no-emit-project --hashes --no-header --group build "$${@:2}" -o "$$1.new" --quiet; \
	  { echo "# Generated from $(LOCK) by make lock: do not edit. Install with pip install --require-hashes -r $$1"; cat "$$1.new"; } > "$$1.tmp"; \
	  rm "$$1.new"; \
	  if cmp -s "$$1.tmp" "$$1"; then rm "$$1.tmp"; else mv "$$1.tmp" "$$1"; echo "$$1: updated"; fi; \
	  echo "$$1: $$(grep -c '^[A-Za-z0-9].*==' "$$1") pinned packages"; \
	}; \
	export_lock $(REQUIREMENTS_DEV) --all-extras; \
	export_lock $(REQUIREMENTS) --extra s3
	@$(MAKE) --no-print-directory install

.PHONY: audit
audit: install ## Known vulnerabilities in the locked dependencies (pip-audit, needs PyPI)
	@$(VENV)/bin/pip-audit --version >/dev/null 2>&1 || $(PY) -m pip install --quiet pip-audit
	$(VENV)/bin/pip-audit --requirement $(REQUIREMENTS_DEV) --require-hashes --disable-pip --strict --progress-spinner off

# The bench and the drill live in bench/, beside this Makefile: not part of the installed
# package (pyproject.toml's package list leaves them out).
BENCH_ENV := DJANGO_SETTINGS_MODULE=ptce_site.settings DATABASE_URL=$(BENCH_DATABASE_URL)

.PHONY: share-image
share-image: install ## Redraw static/img/share.png, the share image (og:image), from the region outlines
	$(PY) -m ptce_site.share_image

.PHONY: bench
bench: install ## Benchmark: pages built in-process at 1,000 and 10,000 poles (BENCH_SCALES), then gunicorn + wrk at 10,000; targets and previous run (docs/bench-last.json) beside each figure (BENCH_ARGS="--regenerate --seconds 10")
	$(BENCH_ENV) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m bench --scale $(BENCH_SCALES) $(BENCH_ARGS)

.PHONY: bench-inprocess
bench-inprocess: install ## The bench's in-process part only (no gunicorn, no load): each page built at 1,000 and 10,000 poles, side by side
	$(BENCH_ENV) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m bench --scale $(BENCH_SCALES) --in-process $(BENCH_ARGS)

.PHONY: bench-import
bench-import: install ## Time the bulk import (1,000 poles, 10,000 memberships) on the bench's database, rolled back
	$(BENCH_ENV) $(PY) -m bench.imports $(BENCH_ARGS)

.PHONY: drill
drill: install ## Fault drill: PostgreSQL stopped ~5 s under load on the bench data (root, pg_ctlcluster)
	$(BENCH_ENV) $(PY) -m bench --data-only
	$(BENCH_ENV) REDIS_URL=$(BENCH_REDIS_URL) $(PY) -m bench.drill

.PHONY: curator
curator: migrate ## Create a curator account (staff, "Curators" group): make curator USERNAME=… EMAIL=…
	$(PY) manage.py create_curator $(USERNAME) $(EMAIL)

.PHONY: clean
clean: ## Remove the virtualenv, caches and the SQLite database
	rm -rf $(VENV) .pytest_cache .ruff_cache .hypothesis db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
