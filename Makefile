# Scoring Console — one-command set-up, run and test.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_DIR ?= .demo-data
DEMO_PORT ?= 8765

PREREQS = $(PYTHON) packaging/tools/check_prereqs.py

.PHONY: all venv install test test-postgres lint typecheck check demo server bench docs screenshots clean \
	prereqs-test prereqs-demo prereqs-bundle icons bundle bundle-smoke deb deb-smoke


all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[dev,sound]'
	touch $(STAMP)

venv install: $(STAMP)

# What the system must provide (Python >= 3.11 with venv, Qt's libraries, node/npm):
# checked first, with the exact install command printed for whatever is missing.
prereqs-test:
	@$(PREREQS) test --python $(PYTHON)

prereqs-demo:
	@$(PREREQS) demo --python $(PYTHON)

prereqs-bundle:
	@$(PREREQS) bundle --python $(PYTHON)

test: prereqs-test $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q
	$(BIN)/ruff check src tests
	$(BIN)/mypy
	$(MAKE) test-postgres

# The single-node suite again with every test server on PostgreSQL (a throwaway server
# started from the system packages by tests/helpers/postgres.py); tests marked
# sqlite_only are left out.
PG_TEST_DIRS ?= tests/server tests/client tests/export tests/ui tests/packaging
test-postgres: $(STAMP)
	SCORING_TEST_DATABASE=postgresql QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q $(PG_TEST_DIRS)

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy

docs: $(STAMP)
	$(BIN)/python -m scoring_console.protocol.docs > docs/protocol.md

server: $(STAMP)
	$(BIN)/scoring-server --host 127.0.0.1 --port $(DEMO_PORT) --data-dir $(DEMO_DIR) --demo --simulate

demo: prereqs-demo $(STAMP)
	$(BIN)/python -m scoring_console.demo --port $(DEMO_PORT) --data-dir $(DEMO_DIR)

bench: $(STAMP)
	$(BIN)/python tests/benchmarks/run_all.py

clean:
	rm -rf $(VENV) $(DEMO_DIR) .pytest_cache .mypy_cache .ruff_cache

# README screenshots from the real app (packaging/tools/screenshots.sh).
screenshots: $(STAMP)
	BIN=$(BIN) bash packaging/tools/screenshots.sh

# The app icon at 16-512 px (hicolor PNGs), .ico and .icns, rendered from
# resources/icons/app.svg into build/icons (not committed).
icons: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python packaging/tools/make_icons.py build/icons

# A PyInstaller onedir bundle with the three programs (dist/scoring-console), then its
# smoke test: bundled server --demo, bundled console --screenshot under xvfb-run, keyring.
BUNDLE_DIR := dist/scoring-console
bundle: prereqs-bundle icons
	$(BIN)/python -m pip install --quiet 'pyinstaller>=6.10'
	$(BIN)/pyinstaller --noconfirm --log-level WARN --distpath dist --workpath build/pyinstaller \
		packaging/pyinstaller/scoring-console.spec
	$(MAKE) bundle-smoke

bundle-smoke:
	bash packaging/tools/smoke_bundle.sh $(BUNDLE_DIR)

# dist/scoring-console_<version>_<arch>.deb from the bundle (dpkg-deb); install it with
# `sudo apt-get install ./dist/scoring-console_*.deb`, then `make deb-smoke` checks it.
deb: bundle
	bash packaging/linux/build_deb.sh $(BUNDLE_DIR) build/icons dist

deb-smoke:
	bash packaging/linux/smoke_deb.sh
