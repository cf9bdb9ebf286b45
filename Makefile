# Newsroom — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
DEV := DJANGO_DEBUG=1
# The port `make run` and `make serve` listen on (`make run PORT=8001` for another).
PORT ?= 8000
# Tests run with DEBUG off, like production; this key exists only for the test run.
# NEWSROOM_DEMO=1 installs the development-only demo app, whose seed the tests exercise.
TEST_ENV := DJANGO_SECRET_KEY=make-test-only-secret-key-6c1f0e9a-8b7d-4e2f-a3c5-9d8e7f6a5b4c NEWSROOM_DEMO=1

.PHONY: install run serve seed superuser demo-password test lint format check bench faults load clean

$(STAMP): pyproject.toml
	$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Newsroom needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

run: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py seed_demo --if-empty
	$(DEV) $(PY) manage.py demo_account
	@echo "Newsroom is running at http://127.0.0.1:$(PORT)/  (admin: http://127.0.0.1:$(PORT)/admin/)"
	@# Django's own "development server" warning is left out: the line above says as much.
	$(DEV) DJANGO_RUNSERVER_HIDE_WARNING=true $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The development database's helpers, with DJANGO_DEBUG=1 as `make run` sets it.
# Add whatever of the demo paper is missing (stories, comments, the standing pages…).
seed: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py seed_demo

# A real admin account (asks for a username, an email and a password).
superuser: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py createsuperuser

# A new random password for the demo account, printed once (makes the account if it is missing).
demo-password: install
	$(DEV) $(PY) manage.py migrate --noinput
	$(DEV) $(PY) manage.py demo_account --new-password

# Production-like: gunicorn + whitenoise, DEBUG off, plain HTTP on localhost. One process
# with threads on the default per-process cache; two workers once CACHE_URL names a shared one.
# A key counts only with a value: an empty `DJANGO_SECRET_KEY=` line is removed first, as the
# first line of .env for a name wins and an empty one would hide the key appended after it.
serve: install
	@test -n "$$DJANGO_SECRET_KEY" || grep -qs '^DJANGO_SECRET_KEY=[^[:space:]]' .env || \
		{ if [ -s .env ]; then sed -i.bak '/^DJANGO_SECRET_KEY=[[:space:]]*$$/d' .env && rm -f .env.bak; \
		    [ -z "$$(tail -c 1 .env)" ] || echo >> .env; fi; \
		  echo "DJANGO_SECRET_KEY=$$($(PY) -c 'import secrets; print(secrets.token_urlsafe(50))')" >> .env; \
		  echo "Wrote a new random DJANGO_SECRET_KEY to .env"; }
	DJANGO_HTTPS=0 $(PY) manage.py migrate --noinput
	DJANGO_HTTPS=0 $(PY) manage.py collectstatic --noinput --verbosity 0
	@url="$${CACHE_URL:-$$(sed -n 's/^CACHE_URL=//p' .env 2>/dev/null | head -n 1)}"; \
	case "$$url" in \
	  ""|locmem*) workers="--workers 1 --threads 4 --worker-class gthread"; \
	    echo "One process, 4 threads: the default cache is per process (docs/deploy.md). Set CACHE_URL=redis://… for 2 workers." ;; \
	  *) workers="--workers 2" ;; \
	esac; \
	echo "gunicorn $$workers"; \
	DJANGO_HTTPS=0 DJANGO_SERVE_MEDIA=1 exec $(VENV)/bin/gunicorn newsroom.wsgi --bind 127.0.0.1:$(PORT) $$workers --access-logfile -

test: install
	$(TEST_ENV) $(PY) -m pytest

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

check: install
	$(DEV) $(PY) manage.py check
	$(DEV) $(PY) manage.py makemigrations --check --dry-run

bench: install
	$(TEST_ENV) $(PY) bench/run.py
	$(TEST_ENV) $(PY) bench/queue_page.py

# Faults on private PostgreSQL, Redis and gunicorn it starts itself (docs/reliability.md).
faults: install
	$(PY) -m tests.faults.run

# Load and concurrency on PostgreSQL + Redis at 127.0.0.1: a database of its own, dropped after.
load: install
	$(PY) bench/load.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
