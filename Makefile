# touchpoint — every target creates .venv itself on a fresh machine (Python 3.11 is all it needs).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
TOUCHPOINT := $(BIN)/touchpoint

export TOUCHPOINT_HOME ?= .touchpoint
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export DO_NOT_TRACK := 1

# pytest processes for `make test`: each takes a whole test file at a time (--dist loadfile in
# pyproject.toml); two keep both cores of a small machine busy with dbt and PostgreSQL.
TEST_WORKERS ?= 2

DEMO_CUSTOMERS ?= 2000
DEMO_SEED ?= 42
# The demo's second run is as of this many days after the first.
DEMO_REACTION_DAYS ?= 2
DEMO_TRACKING_URL := $${TOUCHPOINT_TRACKING_URL:-http://127.0.0.1:8000}
DEMO_LATER := from datetime import UTC, datetime, timedelta; \
	print((datetime.now(UTC) + timedelta(days=$(DEMO_REACTION_DAYS))).isoformat(timespec="seconds"))
FREE_PORT := import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])

.PHONY: install demo test lint fmt ui bench clean

install: $(STAMP)

$(STAMP): requirements.lock pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check uv==0.13.8
	$(BIN)/uv pip sync --quiet --python $(BIN)/python --compile-bytecode requirements.lock
	$(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

# Generate, run, let the recipients react through `touchpoint serve` (on a free port: the service
# answers a link by its path, whatever host the link names), then run later to measure it all.
demo: install
	rm -rf data/landing $(TOUCHPOINT_HOME)/mailbox $(TOUCHPOINT_HOME)/outbox
	$(TOUCHPOINT) db reset
	$(TOUCHPOINT) generate --out data/landing --customers $(DEMO_CUSTOMERS) --seed $(DEMO_SEED)
	TOUCHPOINT_TRACKING_URL=$(DEMO_TRACKING_URL) $(TOUCHPOINT) run
	@set -e; \
	later=$$($(BIN)/python -c '$(DEMO_LATER)'); port=$$($(BIN)/python -c '$(FREE_PORT)'); \
	echo "touchpoint serve --port $$port (log: $(TOUCHPOINT_HOME)/serve.log)"; \
	$(TOUCHPOINT) serve --port $$port > $(TOUCHPOINT_HOME)/serve.log 2>&1 & serve=$$!; \
	trap 'kill $$serve 2>/dev/null || true; wait $$serve 2>/dev/null || true' EXIT INT TERM; \
	$(TOUCHPOINT) simulate-reactions --as-of $$later --tracking-url http://127.0.0.1:$$port \
		--out data/landing --seed $(DEMO_SEED); \
	kill $$serve; wait $$serve 2>/dev/null || true; trap - EXIT INT TERM; \
	echo "TOUCHPOINT_TRACKING_URL=$(DEMO_TRACKING_URL) touchpoint run --as-of $$later"; \
	TOUCHPOINT_TRACKING_URL=$(DEMO_TRACKING_URL) $(TOUCHPOINT) run --as-of $$later

lint: install  # sqlfluff's dbt templater connects to the datamart: see orchestration/sql_style.py
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/python -m orchestration.sql_style lint

fmt: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/python -m orchestration.sql_style fix

test: lint  # TEST_WORKERS=0 runs the suite in one process
	$(BIN)/pytest -n $(TEST_WORKERS)

ui: install
	$(TOUCHPOINT) ui

bench: install  # BENCH_ARGS="--only dispatch" runs one section (see --help)
	$(BIN)/python -m tests.bench $(BENCH_ARGS)

clean:
	$(TOUCHPOINT) db stop || true
	rm -rf $(TOUCHPOINT_HOME) data/landing dbt_project/target dbt_project/logs
