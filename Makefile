# Two commands for a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app portal
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-test translations extract-messages migrate seed bench clean audit

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[test]'
	touch $@

# axe-core for the accessibility checks of tests/e2e; without npm those checks skip and say so.
node_modules/.installed: package.json package-lock.json
	@if command -v npm >/dev/null; then npm ci --no-audit --no-fund && touch $@; \
	else echo "npm is missing: the accessibility checks (tests/e2e) will be skipped"; fi

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test node_modules/.installed

# Compiled catalogs are rebuilt when their .po changes (not on every run: CI runs two suites at once).
MO_FILES := $(patsubst %.po,%.mo,$(wildcard portal/translations/*/LC_MESSAGES/messages.po))
translations: $(MO_FILES)

portal/translations/%/LC_MESSAGES/messages.mo: portal/translations/%/LC_MESSAGES/messages.po | $(VENV)/.installed
	$(BIN)/pybabel -q compile -i $< -o $@

extract-messages: install
	$(BIN)/pybabel -q extract -F babel.cfg -k lazy_gettext -k _l -o portal/translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching -i portal/translations/messages.pot -d portal/translations

migrate: install
	mkdir -p instance
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

run: translations seed
	$(FLASK) run --host $(HOST) --port $(PORT)

# The import contracts of docs/ARCHITECTURE.md first: a new package cycle fails the build.
test: install-test translations
	$(BIN)/lint-imports
	$(BIN)/pytest $(PYTEST_ARGS)

$(VENV)/.installed-bench: $(VENV)/.installed-test
	$(BIN)/pip install -q -e '.[test,bench]'
	touch $@

# National-scale benchmarks on the local PostgreSQL (long: see README); BENCH_ARGS=--quick for a short run.
bench: $(VENV)/.installed-bench translations
	$(BIN)/python -m bench.run_all $(BENCH_ARGS)

# Known vulnerabilities of the installed dependencies (pip-audit; says so when it cannot reach
# the advisory data) and a static scan of the portal (bandit: a high-severity finding fails).
audit: install-test
	$(BIN)/python .ci/audit_dependencies.py
	$(BIN)/bandit -q -r portal -lll

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
