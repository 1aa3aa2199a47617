# twin: every target does its own set-up, so `make demo` and `make test` work on a fresh clone.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

SYSTEM_PKGS := chromium fonts-wqy-zenhei

.PHONY: setup system-deps demo test test-slow lint bench clean

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

# Debian's chromium drives the dashboard tests (never `playwright install`: no downloads
# here); a CJK font so Chinese labels render in screenshots.
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi wqy; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(SYSTEM_PKGS); \
	  else \
	    echo "dashboard tests need: sudo apt-get install $(SYSTEM_PKGS)"; exit 1; \
	  fi; \
	fi

demo: setup
	$(VENV)/bin/twin demo

test: setup system-deps lint
	$(PY) -m pytest

test-slow: setup system-deps
	$(PY) -m pytest -m slow

lint: setup
	$(VENV)/bin/ruff check twin benchmarks tests dashboards

bench: setup
	$(PY) -m benchmarks all --json

clean:
	rm -rf $(VENV) results .pytest_cache
