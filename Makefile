# Dimsum: `make run` starts the product locally, `make test` runs the test suite.
# Both install what they need into .venv first (Python 3.11+, pip and make are all it takes).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

.PHONY: run test lint install migrate demo worker beat bench-catalog bench-previews bench-webhooks bench-search bench-pages bench-relevance messages clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

install: $(STAMP)

# `make run PORT=8100` (and HOST=...) serves elsewhere; HOST=0.0.0.0 (or ::) listens on every
# interface. runlocal prints the address to open, and links made outside a request (emails) follow
# it unless SITE_URL is set.
HOST ?= 127.0.0.1
PORT ?= 8000
# runserver takes an IPv6 address in brackets.
BIND = $(if $(findstring :,$(HOST)),[$(subst [,,$(subst ],,$(HOST)))],$(HOST))

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runlocal $(BIND):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .

worker: install
	$(VENV)/bin/celery -A marketplace worker -Q default,previews --loglevel=INFO

beat: install
	$(VENV)/bin/celery -A marketplace beat --loglevel=INFO

# Benchmarks need PostgreSQL and Redis on loopback and wrk (apt-get install wrk); see bench/README.md.
bench-catalog: install
	$(PY) bench/catalog.py $(BENCH_ARGS)

bench-previews: install
	$(PY) bench/previews.py $(BENCH_ARGS)

bench-webhooks: install
	$(PY) bench/webhooks.py $(BENCH_ARGS)

bench-search: install
	$(PY) bench/search.py $(BENCH_ARGS)

bench-pages: install
	$(PY) bench/pages.py $(BENCH_ARGS)

# Search quality on the relevance set (bench/relevance/): SQLite by default, --database-url for PostgreSQL.
bench-relevance: install
	$(PY) bench/relevance/run.py $(BENCH_ARGS)

# After changing UI strings: extract them, translate the new entries in the .po file, compile.
messages: install
	$(PY) manage.py makemessages -l zh_Hans --ignore=.venv --ignore=bench --ignore=tests --ignore=var --no-obsolete
	$(PY) manage.py compilemessages --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 var
