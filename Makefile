# Rupture Coder — everything a fresh machine needs is two commands:
#   make run    set up .venv and open the app on the demo project
#   make test   set up .venv and run the whole test suite (offscreen Qt)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-stamp

.PHONY: run test lint bench screenshots clean sysdeps sysdeps-gui

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
	$(BIN)/mypy coder/domain coder/stats coder/app

bench: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python benchmarks/run_all.py

screenshots: $(STAMP) sysdeps
	QT_QPA_PLATFORM=offscreen $(BIN)/python docs/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
