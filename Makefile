# SINAC: `make run` starts everything on SQLite + a local Redis; `make test` runs the whole suite
# on SQLite and on PostgreSQL. Works on a fresh Debian machine as root with Python 3.11.

PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export SINAC_INSTANCE_DIR ?= $(CURDIR)/instance
REDIS_PORT ?= 6379
export REDIS_URL ?= redis://127.0.0.1:$(REDIS_PORT)/0

.PHONY: run test chaos setup system-deps system-deps-test bench lint clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || PYTHON=python3; \
	test -x $(BIN)/python || $$( command -v $(PYTHON) || command -v python3 ) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

setup: system-deps $(STAMP)

# Pango and a font: WeasyPrint's system libraries, for the monthly report's PDF (core/reports/pdf.py).
PDF_DEPS := /usr/share/doc/libpangoft2-1.0-0:libpangoft2-1.0-0 /usr/share/fonts/truetype/dejavu:fonts-dejavu-core

system-deps:
	@./scripts/apt-ensure redis-server:redis-server $(PDF_DEPS)

system-deps-test:
	@./scripts/apt-ensure redis-server:redis-server pg_virtualenv:postgresql-common \
		/usr/lib/postgresql:postgresql chromium:chromium wrk:wrk $(PDF_DEPS)

run: setup
	mkdir -p $(SINAC_INSTANCE_DIR)
	@redis-cli -p $(REDIS_PORT) ping >/dev/null 2>&1 || redis-server --port $(REDIS_PORT) --daemonize yes \
		--dir $(SINAC_INSTANCE_DIR) --save '' --appendonly yes --logfile $(SINAC_INSTANCE_DIR)/redis.log
	$(BIN)/sinac db upgrade
	$(BIN)/sinac seed --demo  # demo users; demo cases only into a database without cases
	$(BIN)/sinac nlu train
	rm -rf $(SINAC_INSTANCE_DIR)/prometheus && mkdir -p $(SINAC_INSTANCE_DIR)/prometheus
	@echo "SINAC: back office http://127.0.0.1:5000/ (simulador: http://127.0.0.1:5000/simulador)"
	PROMETHEUS_MULTIPROC_DIR=$(SINAC_INSTANCE_DIR)/prometheus PATH=$(CURDIR)/$(BIN):$$PATH \
		TWILIO_API_BASE_URL=$${TWILIO_API_BASE_URL:-http://127.0.0.1:5055} \
		PUBLIC_BASE_URL=$${PUBLIC_BASE_URL:-http://127.0.0.1:5000} \
		$(BIN)/honcho start -f Procfile.dev

test: system-deps-test $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH ./scripts/run-tests

# Faults in real time on the real processes at ~2 msg/s (Redis down 60 s, a worker killed mid-turn
# and mid-send, PostgreSQL restarted, honcho with a process killed), on SQLite and PostgreSQL;
# ~30 minutes; not part of `make test`. Figures for
# docs/benchmarks.md in instance/chaos-results.jsonl.
chaos: system-deps-test $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH ./scripts/run-chaos

bench: system-deps-test $(STAMP)
	PATH=$(CURDIR)/$(BIN):$$PATH ./scripts/run-bench

lint: $(STAMP)
	$(BIN)/ruff check core bot backoffice workers tests
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) instance .pytest_cache
