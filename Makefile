# Leitplanke — the two set-up commands are `make run` and `make test`.
# mitmproxy 12.2 + presidio >= 2.2.363 only resolve on Python >= 3.13 (see pyproject.toml);
# look for it on PATH first, then in pyenv's versions folder, without a global pyenv setting.
PYTHON ?= $(shell for p in python3.14 python3.13 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[3-9]*/bin/python3 2>/dev/null | sort -rV); do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 13))' 2>/dev/null \
	&& { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8080
DB ?= ./leitplanke.db

.PHONY: run test lint typecheck bench soak eval fuzz docs clean

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "error: Python >= 3.13 not found (PATH or ~/.pyenv/versions); set PYTHON=/path/to/python3.13" >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/leitplanke proxy --listen-host $(HOST) --listen-port $(PORT) --db $(DB)

# Lint (ruff check and ruff format --check) and types first, then the tests.
test: lint typecheck
	# Two processes, one test file each at a time (module fixtures such as a running
	# gateway stay in one process): 5.5 instead of 12 minutes on 2 cores.
	$(BIN)/python -m pytest -q -n 2 --dist loadfile

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

# Plain mitmdump vs the gateway, memory, store and checker in one run, side by side on
# loopback (about 6 minutes on 2 cores; `leitplanke bench --quick` for a smoke test):
# the table on stderr, the JSON document on stdout and in build/bench.json.
bench: $(STAMP)
	$(BIN)/leitplanke bench --json --out build/bench.json

# 50 clients for 5 minutes through a real gateway on loopback (LEITPLANKE_SOAK_SECONDS,
# LEITPLANKE_SOAK_CLIENTS to change); results in build/soak.json.
soak: $(STAMP)
	$(BIN)/python -m pytest -q -m soak -s --timeout=1200 tests/soak

# Property-based fuzzing of extractors, body decoding and the policy loader with the
# "fuzz" hypothesis profile (> 100,000 cases; `make test` runs them with the small "ci" one).
fuzz: $(STAMP)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest tests/fuzz -q --timeout=3600

eval: $(STAMP)
	$(BIN)/leitplanke eval

# docs/cli.md: every command's --help (tests/cli/test_cli_reference.py fails when it is stale).
docs: $(STAMP)
	$(BIN)/python -m cli.reference --write
	$(BIN)/python -m extract.coverage docs/security.md

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
