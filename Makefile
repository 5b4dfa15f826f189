# newswatch: one entry point for people and CI.
#   make demo   - run news_ingest through Airflow on the bundled offline sample site
#   make test   - the test suite (what .ci/run runs)
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION ?= 0.13.8
UV := $(PYTHON) -m uv
PYTEST_ARGS ?=

.PHONY: install demo test lint compose-check bench run clean

# uv comes from PyPI when it is missing; everything else from pyproject.toml + uv.lock.
.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen
	@touch $@

install: .venv/.installed

demo: install
	$(UV) run --frozen newswatch demo

run: install
	$(UV) run --frozen newswatch run

test: install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

lint: install
	$(UV) run --frozen ruff check .

compose-check: install
	$(UV) run --frozen python -m pipeline.compose_check docker-compose.yml

clean:
	rm -rf data .pytest_cache
