# Fuzzing (docs/fuzzing.md): the cargo-fuzz targets of fuzz/, libFuzzer on nightly Rust.
#
# Set-up is idempotent: the nightly toolchain is used when rustup has it (installed when it can
# be); without it, the stable compiler builds the targets with RUSTC_BOOTSTRAP=1, which lets it
# take the unstable flags cargo-fuzz passes. cargo-fuzz is installed from crates.io if missing.
#
# One build serves every run: `build-fuzz` builds all targets with FUZZ_BUILD, and each run
# passes the same flags, so cargo finds nothing to rebuild. Each target runs from its working
# corpus (fuzz/corpus/<target>, not committed) and its seeds (fuzz/seeds/<target>, committed); a
# crash stops the run, fails make and leaves the input in fuzz/artifacts/<target>/.

.PHONY: setup-fuzz build-fuzz fuzz-short fuzz-long soak fuzz-coverage

FUZZ_DIR := $(ROOT)/fuzz
FUZZ_TARGETS := intake_json intake_field command_json archive_import legacy_log mrz \
	document_check pack_load normalise server_request workflow_oracle attachment_check qr_filing
# Release with debug assertions (an overflow is a crash); no sanitizer: the code fuzzed is safe
# Rust (the core forbids `unsafe`), and AddressSanitizer would only slow it down.
FUZZ_BUILD := -O -a -s none
FUZZ_SHORT_SECONDS ?= 20
FUZZ_LONG_SECONDS ?= 600
SOAK_SECONDS ?= 3600
# Per input: a slower one is a hang (a crash).
FUZZ_TIMEOUT ?= 30
# More libFuzzer options (one process a target by default: `FUZZ_ARGS=-fork=4` on a machine of
# your own).
FUZZ_ARGS ?=

# How cargo is called for cargo-fuzz: `cargo +nightly`, or the stable toolchain let to take
# unstable flags.
FUZZ_CARGO = $(if $(shell rustup toolchain list 2>/dev/null | grep '^nightly'),cargo +nightly,RUSTC_BOOTSTRAP=1 cargo)

# Not in `make test` yet: the release build of every target on nightly took 74 minutes on this
# machine under load, which `make test`'s budget (45 minutes from a fresh clone) cannot hold.
# Run `make fuzz-short` by hand (or in a CI job of its own) until the build is made cheaper.

setup-fuzz: setup-rust
	@rustup toolchain list 2>/dev/null | grep -q '^nightly' \
	  || rustup toolchain install nightly --profile minimal \
	  || echo "no nightly toolchain: fuzzing on stable with RUSTC_BOOTSTRAP=1"
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

build-fuzz: setup-fuzz
	cd $(ROOT) && CARGO_INCREMENTAL=0 $(FUZZ_CARGO) fuzz build $(FUZZ_BUILD)

# Runs every target for $(1) seconds, one after the other; libFuzzer's output goes to
# fuzz/logs/<target>.log, its final figures are printed.
define fuzz_each
	@cd $(ROOT) && mkdir -p $(FUZZ_DIR)/logs && for t in $(FUZZ_TARGETS); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t; \
	  log=$(FUZZ_DIR)/logs/$$t.log; \
	  if ! CARGO_INCREMENTAL=0 $(FUZZ_CARGO) fuzz run $(FUZZ_BUILD) $$t \
	      $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t -- -max_total_time=$(1) \
	      -timeout=$(FUZZ_TIMEOUT) -print_final_stats=1 $(FUZZ_ARGS) \
	      >$$log 2>&1; then \
	    tail -n 60 $$log; echo "fuzz $$t FAILED: the input is in fuzz/artifacts/$$t/"; exit 1; \
	  fi; \
	  echo "fuzz $$t ($(1) s): $$(grep -E '^stat::number_of_executed_units' $$log | tail -1)," \
	    "$$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' $$log | tail -1)"; \
	done
endef

# About 20 s a target: part of `make test`.
fuzz-short: build-fuzz
	$(call fuzz_each,$(FUZZ_SHORT_SECONDS))

# Ten minutes a target (the figures of docs/fuzzing.md).
fuzz-long: build-fuzz
	$(call fuzz_each,$(FUZZ_LONG_SECONDS))

# An hour a target, after the long runs of the bindings: the Python stateful test's soak profile
# (mk/py.mk) and a million random calls into the WebAssembly module (mk/wasm.mk); then 1,000
# SIGKILL rounds of a writer on each store and of the server (mk/pg.mk), and the server's
# 10-minute load soak (mk/server.mk).
soak: soak-py soak-wasm build-fuzz
	$(call fuzz_each,$(SOAK_SECONDS))
	$(MAKE) --no-print-directory soak-kill
	$(MAKE) --no-print-directory soak-server

# Line coverage of each target's corpus (`cargo fuzz coverage`), summarised by llvm-cov into
# fuzz/coverage/<target>.txt; needs the llvm-tools component (installed here when missing).
fuzz-coverage: setup-fuzz
	@rustup component list --installed --toolchain nightly 2>/dev/null | grep -q llvm-tools \
	  || rustup component add llvm-tools-preview --toolchain nightly
	@cd $(ROOT) && mkdir -p $(FUZZ_DIR)/coverage && for t in $(FUZZ_TARGETS); do \
	  CARGO_INCREMENTAL=0 $(FUZZ_CARGO) fuzz coverage $$t $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t >/dev/null 2>&1 || exit 1; \
	  $(ROOT)/mk/fuzz-coverage.sh $$t > $(FUZZ_DIR)/coverage/$$t.txt; \
	  echo "$$t: $$(tail -1 $(FUZZ_DIR)/coverage/$$t.txt)"; \
	done
