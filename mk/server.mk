# siproc-server: the reference server (examples/server).
#
#   make run          builds the server and the WebAssembly package, starts `serve --demo` on
#                     SQLite (./data/siproc.db) and prints the URL and one demo token per role
#   make run-server   the same without building the WebAssembly package
#
# The server's tests (authorization matrix, races, SSE, hardening, and on PostgreSQL its own
# tables, `token create`, two processes on one database) are Rust integration tests: test-rust
# runs them.
#   make test-server-pg   the server's PostgreSQL tests alone, with a private PostgreSQL
#   make build-server-debug   the debug server the other tests start, with the tests' features

.PHONY: run-server build-server build-server-debug

SERVER_DATABASE ?= sqlite://./data/siproc.db
SERVER_LISTEN ?= 127.0.0.1:8080

build-server: setup-rust
	cargo build --release -p siproc-server

# target/debug/siproc-server, built by the workspace's tests (CARGO_TEST's features, so the
# build test-rust made is reused rather than a third of it built again).
build-server-debug: setup-rust
	$(CARGO_TEST) --no-run

run-server: build-server
	cargo run --quiet --release -p siproc-server -- serve --demo \
	  --database $(SERVER_DATABASE) --listen $(SERVER_LISTEN)

# The API checked against its own OpenAPI document (schemathesis, pinned, in its own venv):
# no request it generates may get a 5xx.
.PHONY: test-server
TESTS += test-server
SCHEMATHESIS_VERSION := 4.32.5
SERVER_VENV := $(ROOT)/examples/server/.venv
SERVER_ST_STAMP := $(SERVER_VENV)/.schemathesis-$(SCHEMATHESIS_VERSION)

$(SERVER_ST_STAMP):
	python3 -m venv $(SERVER_VENV) || { rm -rf $(SERVER_VENV); $(MAKE) --no-print-directory setup-debian; python3 -m venv $(SERVER_VENV); }
	$(SERVER_VENV)/bin/pip install --quiet --disable-pip-version-check "schemathesis==$(SCHEMATHESIS_VERSION)"
	touch $@

test-server: build-server-debug $(SERVER_ST_STAMP)
	$(ROOT)/examples/server/schemathesis.sh $(SERVER_VENV)

# Load test with wrk (Debian's; figures in benches/README.md, "Server"), on SQLite and on a
# private PostgreSQL (mk/with-pg.sh). BENCH_SECONDS per route (default 10).
.PHONY: bench-server bench-server-peer setup-wrk
BENCH_SECONDS ?= 10
setup-wrk:
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }

bench-server: build-server setup-pg setup-wrk
	$(ROOT)/benches/server/run.sh sqlite $(BENCH_SECONDS)
	$(ROOT)/mk/with-pg.sh $(ROOT)/benches/server/run.sh postgres $(BENCH_SECONDS)

# The 10-minute load soak (issue 31): 64 connections of mixed load on SQLite while statistics
# releases and whole archive exports run beside it, memory sampled (benches/server/soak.sh).
# Part of `make soak`. SOAK_SERVER_SECONDS (600) and SOAK_SERVER_INTERVAL (60).
.PHONY: soak-server
SOAK_SERVER_SECONDS ?= 600
SOAK_SERVER_INTERVAL ?= 60
soak-server: build-server setup-wrk
	$(ROOT)/benches/server/soak.sh $(SOAK_SERVER_SECONDS) $(SOAK_SERVER_INTERVAL)

# The reference server against the FastAPI + pydantic v2 + SQLite peer
# (benches/server/peer/, pinned requirements, its virtualenv under target/): 3 rounds,
# alternating, BENCH_SECONDS per route, the load average printed (benches/README.md, "Server").
bench-server-peer: build-server setup-wrk
	$(ROOT)/benches/server/side_by_side.sh 3 $(BENCH_SECONDS)

# The server on a real PostgreSQL: the tests in tests/api/pg.rs skip without
# SIPROC_TEST_POSTGRES_URL, which mk/with-pg.sh sets (setup-pg is in mk/pg.mk).
.PHONY: test-server-pg
test-server-pg: setup-rust setup-pg
	$(ROOT)/mk/with-pg.sh $(CARGO_TEST) --test api -- pg:: on_postgres
