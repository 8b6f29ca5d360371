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
	cargo clippy --workspace --all-targets -- -D warnings
	cargo clippy -p siproc-core --no-default-features --all-targets -- -D warnings

test-rust: setup-rust setup-debian setup-moto
	cargo test --workspace
	# The core as the WebAssembly package builds it: without `pdf` and `fast` (regex-lite).
	cargo test -p siproc-core --no-default-features --lib

fmt:
	cargo fmt --all
