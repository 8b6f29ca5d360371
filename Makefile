# siproc — the two commands: `make run` and `make test`. Both do their own set-up.
#
# Each part of the project keeps its set-up and test steps in mk/<part>.mk; this file ties them
# together. Tools are installed idempotently: on a machine that already has them nothing happens.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
export CARGO_TERM_COLOR ?= never

# Parts register their test targets here (mk/*.mk append to it).
TESTS := test-rust

include $(sort $(wildcard $(ROOT)/mk/*.mk))

.PHONY: help run test lint test-rust fmt

help:
	@echo "make run    build and start the reference server with demo data (prints URL and tokens)"
	@echo "make test   every test: Rust, Python, WebAssembly, browser"
	@echo "make lint   cargo fmt --check and clippy -D warnings"

run: compress-wasm run-server

test: lint $(TESTS)
	@echo "all tests passed"

lint: setup-rust
	cargo fmt --all -- --check
	# With the test kit, so that the tests needing it (the store, blob and case file tests) are linted.
	cargo clippy --workspace --all-targets --features siproc-core/testkit -- -D warnings
	cargo clippy -p siproc-core --no-default-features --all-targets -- -D warnings

# Every debug build of the tests has one feature set: the workspace's, with the core's test kit.
# A `cargo test -p …` or another feature list resolves other features for the shared dependencies
# and builds about a third of them again (minutes each time), so the parts' targets below all use
# CARGO_TEST and filter by test target or name.
CARGO_TEST := cargo test --workspace --features siproc-core/testkit

# Every workspace test in one run, with a private PostgreSQL (mk/with-pg.sh) and moto's S3 server:
# the store, blob and server tests on PostgreSQL run here too (test-store, test-blobs and
# test-server-pg run their parts alone).
test-rust: setup-rust setup-debian setup-moto setup-pg
	$(ROOT)/mk/with-pg.sh $(CARGO_TEST)
	# The core as the WebAssembly package builds it: without `pdf` and `fast` (regex-lite).
	cargo test -p siproc-core --no-default-features --lib

fmt:
	cargo fmt --all
