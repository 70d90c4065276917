# Rupture Coder — everything a fresh machine needs is two commands:
#   make run    set up .venv and open the app on the demo project
#   make test   set up .venv and run the whole test suite (offscreen Qt)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: run test lint bench screenshots clean sysdeps sysdeps-gui installer installer-deps installer-check

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (set PYTHON=...)")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,postgres,encryption]"
	@touch $(STAMP)

sysdeps:
	@bash installer/linux-deps.sh offscreen

sysdeps-gui:
	@bash installer/linux-deps.sh gui

run: $(STAMP) sysdeps-gui
	$(BIN)/coder

test: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check coder tests docs $(wildcard benchmarks)
	$(BIN)/lint-imports
	$(BIN)/mypy coder/domain coder/stats coder/app coder/io coder/store coder/screening coder/commands coder/cli.py

bench: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run_all.py

screenshots: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/screenshots.py

# The one-folder bundle (dist/rupture-coder/) and the .deb (dist/*.deb); see docs/install.md.
INSTALLER_STAMP = $(VENV)/.installer-stamp
$(INSTALLER_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[installer]"
	@touch $(INSTALLER_STAMP)

installer-deps: $(INSTALLER_STAMP)

installer: $(INSTALLER_STAMP) sysdeps
	bash installer/build.sh dist build
	QT_QPA_PLATFORM=offscreen dist/rupture-coder/rupture-coder --selftest

installer-check: $(INSTALLER_STAMP) sysdeps
	bash installer/check.sh

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build dist
