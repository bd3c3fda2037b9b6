# The two commands of the README:
#   make maps   build every example map from data/ into build/maps/*.html
#   make test   run the whole test suite (lint, unit, CLI, browser, notebooks, docs)
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
# Installed marker files: re-install only when setup.cfg changes.
STAMP_RUN  := $(VENV)/.stamp-run
STAMP_TEST := $(VENV)/.stamp-test

.PHONY: maps test lint docs bench chromium gdal clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[rail]"
	touch $@

$(STAMP_TEST): setup.cfg pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,docs,rail,online]'
	touch $@ $(STAMP_RUN)

maps: $(STAMP_RUN)
	$(BIN)/geoflows build data/maps.yaml

# Debian's Chromium drives the browser tests (Playwright never downloads a browser here).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium (apt)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

# GDAL's ogrinfo (Debian gdal-bin) opens the GIS exports in the tests, as QGIS users would.
gdal:
	@command -v ogrinfo >/dev/null 2>&1 || { \
	  echo "installing Debian's gdal-bin (apt)"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq gdal-bin >/dev/null; }

lint: $(STAMP_TEST)
	$(BIN)/ruff check geoflows tests benchmarks scripts
	$(BIN)/ruff format --check geoflows tests benchmarks scripts
	$(BIN)/lint-imports --no-cache

test: $(STAMP_TEST) chromium gdal lint
	$(BIN)/python -m pytest -n 2 --doctest-modules geoflows tests

docs: $(STAMP_TEST)
	$(BIN)/mkdocs build --strict

bench: $(STAMP_TEST)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf build site .pytest_cache .ruff_cache
