# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PORT   ?= 8000
# The PostgreSQL leg: TEST_DATABASE_URL if set, else this server if it answers, else a throwaway
# cluster (tests/pg_server.py decides, and says which on stderr).
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
# `make bench` measures SQLite and this PostgreSQL database (its tables are dropped and rebuilt).
BENCH_DATABASE_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test
SQLITE_LEG := env -u TEST_DATABASE_URL $(BIN)/python -m pytest -q
PG_LEG     := $(BIN)/python -m tests.pg_server --server '$(PG_TEST_URL)' -- $(BIN)/python -m pytest -q

.PHONY: messages run lint test test-sqlite test-pg install install-test system-packages translations screenshots bench load clean

# Debian's own python3 creates virtualenvs only with python3-venv installed.
$(BIN)/activate:
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); scripts/ensure-system-packages python3-venv && $(PYTHON) -m venv $(VENV); }
	$(BIN)/pip install -q --upgrade pip

# The stamp files re-run pip only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install -q -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed translations
install-test: $(VENV)/.installed-test translations

# Catalogues are compiled at install; the .mo files are not committed.
translations: $(BIN)/activate
	$(BIN)/pybabel compile -d portal/translations

run: install
	$(FLASK) db upgrade
	PORT=$(PORT) $(FLASK) demo setup
	$(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - 'app:app'

# Chromium, a CJK font and pdftotext from Debian, when missing (apt as root, else the command to run).
system-packages:
	scripts/ensure-system-packages

# Bandit over the application: clean, or each finding justified where it stands (# nosec BXXX  # why).
lint: install-test
	$(BIN)/bandit -q -r portal

# Both legs run everything: browser tests, the gunicorn tests, the fault tests, the access matrix. They run side by
# side (each is mostly one process; CI has two cores), each into its own log, printed when both are
# done; make fails if either did.
test: lint install-test system-packages
	@mkdir -p .test-logs; rm -f .test-logs/*.rc; \
	( $(SQLITE_LEG) > .test-logs/sqlite.log 2>&1; echo $$? > .test-logs/sqlite.rc ) & \
	( $(PG_LEG) > .test-logs/postgresql.log 2>&1; echo $$? > .test-logs/postgresql.rc ) & \
	wait; status=0; \
	for leg in sqlite postgresql; do \
	  echo "===== $$leg leg (exit $$(cat .test-logs/$$leg.rc)) ====="; cat .test-logs/$$leg.log; \
	  [ "$$(cat .test-logs/$$leg.rc)" = 0 ] || status=1; \
	done; exit $$status

test-sqlite: install-test system-packages
	$(SQLITE_LEG)

test-pg: install-test system-packages
	$(PG_LEG)

bench: install-test
	$(BIN)/python -m bench.run --database-url '$(BENCH_DATABASE_URL)'

# Two minutes of locust per database (bench/load.py); not part of `make test`.
load: install-test
	$(BIN)/pip install -q 'locust>=2.30,<3'
	$(BIN)/python -m bench.load --database-url '$(BENCH_DATABASE_URL)'

screenshots: install-test
	$(BIN)/python -m tests.screenshots

clean:
	rm -rf $(VENV) instance/*.db .test-logs

# Re-extract the translatable strings and merge them into the English catalogue.
# --ignore-dirs replaces Babel's default, which also skips every "_*" folder (templates/_macros).
messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs='.* __pycache__' -w 120 -o portal/translations/messages.pot .
	$(BIN)/pybabel update -w 120 -i portal/translations/messages.pot -d portal/translations
