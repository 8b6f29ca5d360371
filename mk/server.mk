# siproc-server: the reference server (examples/server).
#
#   make run          builds the server and the WebAssembly package, starts `serve --demo` on
#                     SQLite (./data/siproc.db) and prints the URL and one demo token per role
#   make run-server   the same without building the WebAssembly package
#
# The server's tests (authorization matrix, races, SSE, hardening) are Rust integration tests:
# `cargo test --workspace` in test-rust runs them (`cargo test -p siproc-server` alone).

.PHONY: run-server build-server

SERVER_DATABASE ?= sqlite://./data/siproc.db
SERVER_LISTEN ?= 127.0.0.1:8080

build-server: setup-rust
	cargo build --release -p siproc-server

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

test-server: setup-rust $(SERVER_ST_STAMP)
	cargo build -p siproc-server
	$(ROOT)/examples/server/schemathesis.sh $(SERVER_VENV)

# Load test with wrk (Debian's; figures in benches/README.md, "Server").
.PHONY: bench-server
bench-server: build-server
	@command -v wrk >/dev/null || { $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq wrk >/dev/null; }
	$(ROOT)/benches/server/run.sh
