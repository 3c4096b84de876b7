# Two commands set everything up: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
FLASK  := $(BIN)/flask --app app
PORT   ?= 8000
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: messages run test test-sqlite test-pg install install-test translations screenshots bench clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
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
	$(FLASK) demo setup
	$(BIN)/gunicorn --workers 2 --threads 4 --bind 127.0.0.1:$(PORT) --access-logfile - 'app:app'

test: install-test
	$(BIN)/python -m pytest -q
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q -m 'not browser'

test-sqlite: install-test
	$(BIN)/python -m pytest -q

test-pg: install-test
	TEST_DATABASE_URL=$(PG_TEST_URL) $(BIN)/python -m pytest -q -m 'not browser'

bench: install-test
	$(BIN)/python -m tests.bench

screenshots: install-test
	$(BIN)/python -m tests.screenshots

clean:
	rm -rf $(VENV) instance/*.db

# Re-extract the translatable strings and merge them into the English catalogue.
# --ignore-dirs replaces Babel's default, which also skips every "_*" folder (templates/_macros).
messages: $(BIN)/activate
	$(BIN)/pybabel extract -F babel.cfg -k _l --ignore-dirs='.* __pycache__' -o portal/translations/messages.pot .
	$(BIN)/pybabel update -i portal/translations/messages.pot -d portal/translations
