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
