# Broadsheet's everyday commands. `make run` and `make test` are all a fresh machine needs
# (Python 3.11+; Node.js for the conformance run; PostgreSQL and MariaDB optional).
# BROADSHEET_TEST_POSTGRES_URL, BROADSHEET_TEST_MARIADB_URL and CI reach the tests and the
# conformance run from the environment.
# `make bench` loads Broadsheet with wrk (Debian packages wrk and nginx) on SQLite and PostgreSQL
# (BENCH_POSTGRES_URL) and writes bench/RESULTS.md; it is never part of `make test`.
# `make drills` causes faults (database restart, killed worker, SIGTERM, Redis down, overload,
# backup) against a private PostgreSQL and Redis under load and writes drills/RESULTS.md.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/installed.stamp
RUN_INSTALLED := $(VENV)/run-installed.stamp
# semgrep pins its own OpenTelemetry, older than FastAPI's: it lives in a venv of its own.
SEMGREP_VERSION := 1.185.0
SEMGREP := $(VENV)/semgrep/bin/semgrep
SEMGREP_FLAGS := --metrics=off --disable-version-check --quiet
CONFORMANCE_ENGINES ?= sqlite postgresql mariadb

.PHONY: install run test lint pytest migrate conformance bench drills

install: $(INSTALLED)

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| { echo "Broadsheet needs Python 3.11 or newer (PYTHON=$(PYTHON))" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependencies may have changed. `make run` needs Broadsheet alone;
# `make install` adds the test and lint tools.
$(RUN_INSTALLED): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e .
	@touch $@

$(INSTALLED): pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	@touch $@

run: $(RUN_INSTALLED)
	$(BIN)/broadsheet migrate
	@# Demo content goes only into an empty database; otherwise `demo` says so and exits 1.
	@$(BIN)/broadsheet demo 2>$(VENV)/demo.err || grep -- --force $(VENV)/demo.err \
		|| { cat $(VENV)/demo.err >&2; exit 1; }
	@# Port 8000, unless PORT names another.
	$(BIN)/broadsheet serve --host 127.0.0.1

test: lint pytest conformance

lint: install $(SEMGREP)
	$(BIN)/ruff format --check src tests scripts bench drills
	$(BIN)/ruff check src tests scripts bench drills
	$(BIN)/mypy
	$(BIN)/bandit -c pyproject.toml -r src --severity-level medium --quiet
	$(SEMGREP) --test $(SEMGREP_FLAGS) semgrep
	$(SEMGREP) scan $(SEMGREP_FLAGS) --error --config semgrep src

$(SEMGREP): | $(BIN)/python
	$(PYTHON) -m venv $(VENV)/semgrep
	$(VENV)/semgrep/bin/pip install --quiet semgrep==$(SEMGREP_VERSION)

# One test process a core, each given whole files (a file's module fixtures are built once).
pytest: install
	$(BIN)/pytest --numprocesses auto --dist loadfile

migrate: $(RUN_INSTALLED)
	$(BIN)/broadsheet migrate

conformance: install
	@for engine in $(CONFORMANCE_ENGINES); do bash scripts/conformance.sh $$engine || exit 1; done

bench: install
	$(BIN)/python -m bench.run --size small --engines sqlite postgresql

drills: install
	$(BIN)/python -m drills.run
