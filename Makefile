# twin: every target does its own set-up, so `make demo` and `make test` work on a fresh clone.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup demo test test-slow lint bench clean

# Build the venv with a Python >= 3.12 found by tools/find-python.sh (PATH, then pyenv);
# rebuild it when it was made with an older Python or pyproject.toml changed.
$(STAMP): pyproject.toml tools/find-python.sh
	@if ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
	  rm -rf $(VENV); \
	  PYBIN=$$(sh tools/find-python.sh) || exit 1; \
	  echo "creating $(VENV) with $$PYBIN"; \
	  "$$PYBIN" -m venv $(VENV) || exit 1; \
	fi
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --editable '.[dev]'
	@touch $(STAMP)

setup: $(STAMP)

demo: setup
	$(VENV)/bin/twin demo

test: setup lint
	$(PY) -m pytest

test-slow: setup
	$(PY) -m pytest -m slow

lint: setup
	$(VENV)/bin/ruff check twin benchmarks tests dashboards

bench: setup
	$(PY) -m benchmarks all --json

clean:
	rm -rf $(VENV) results .pytest_cache
