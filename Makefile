# Helhed: the two commands that matter are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.PHONY: demo test lint format messages bench bench-national browser-deps spark-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall whenever pyproject.toml changes (the stamp carries its checksum).
$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e '.[dev]'
	rm -f $(VENV)/.installed-* && touch $@

## make demo: set up, generate the demo municipality if the database is empty, and serve it.
demo: $(STAMP)
	PORT=$(PORT) $(BIN)/helhed demo --serve

## make test: the whole suite (SQLite, or PostgreSQL when HELHED_DATABASE_URL is set).
test: $(STAMP) browser-deps spark-deps
	$(BIN)/python -m pytest -q; rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests"; exit 0; fi; exit $$rc

## make lint: ruff and mypy, as CI runs them.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy helhed

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## make bench: speed benchmarks, each against a baseline measured in the same run.
bench: $(STAMP)
	$(BIN)/python benchmarks/subtree.py
	$(BIN)/python benchmarks/results_status.py
	$(BIN)/python benchmarks/audit_log.py
	$(BIN)/helhed init
	$(BIN)/helhed bench --size aarhus

## make bench-national: the analytics engine at the whole country's size (several minutes).
bench-national: $(STAMP)
	$(BIN)/helhed init
	$(BIN)/helhed bench --size national

## make messages: refresh the Danish translation catalogue and compile it.
messages: $(STAMP)
	cd helhed && ../$(BIN)/django-admin makemessages -l da --no-location && ../$(BIN)/django-admin compilemessages

# The browser tests drive Debian's Chromium; install it when we can (root with apt).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

# The Spark equality test needs Java (Debian's 17); install it when we can.
spark-deps:
	@if ! command -v java >/dev/null && [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's Java for the Spark tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jre-headless >/dev/null; \
	fi

clean:
	rm -rf $(VENV) var
