# Fuzzing (docs/fuzzing.md): the cargo-fuzz targets of fuzz/, libFuzzer on nightly Rust.
#
# Set-up is idempotent: the nightly toolchain is used when rustup has it (installed when it can
# be); without it, the stable compiler builds the targets with RUSTC_BOOTSTRAP=1, which lets it
# take the unstable flags cargo-fuzz passes. cargo-fuzz is installed from crates.io if missing.
#
# Two builds. The long runs (`fuzz-long`, `soak`) use `build-fuzz`: optimised, with debug
# assertions (an overflow is a crash), every target; each run then finds nothing to rebuild. The
# short runs in `make test` use `build-fuzz-short`: unoptimised (debug assertions on), without
# debug info, which builds in about 6 minutes here where the optimised build took 30 to 74 minutes; its
# targets run about ten times slower, enough for 20 seconds that each target starts, reads its
# seeds and runs. Each target runs from its working corpus (fuzz/corpus/<target>, not committed)
# and its seeds (fuzz/seeds/<target>, committed); a crash fails make and leaves the input in
# fuzz/artifacts/<target>/ (mk/fuzz-each.sh).

.PHONY: setup-fuzz build-fuzz build-fuzz-short fuzz-short fuzz-long soak fuzz-coverage

TESTS += fuzz-short

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
# More libFuzzer options (e.g. `FUZZ_ARGS=-fork=4` on a machine of your own).
export FUZZ_ARGS ?=
export FUZZ_TIMEOUT
# How many targets the short runs run at a time (one process each): the machine's processors.
FUZZ_JOBS ?= $(shell nproc 2>/dev/null || echo 1)
FUZZ_SHORT_BUILD := -D -s none
# Where cargo-fuzz leaves the binaries (it builds for the host's target triple; asked of rustc
# when a recipe runs, after set-up).
FUZZ_BINS = $(FUZZ_DIR)/target/$$(rustc -vV | sed -n 's/^host: //p')

# How cargo is called for cargo-fuzz: `cargo +nightly`, or the stable toolchain let to take
# unstable flags.
FUZZ_CARGO = $(if $(shell rustup toolchain list 2>/dev/null | grep '^nightly'),cargo +nightly,RUSTC_BOOTSTRAP=1 cargo)

setup-fuzz: setup-rust
	@rustup toolchain list 2>/dev/null | grep -q '^nightly' \
	  || rustup toolchain install nightly --profile minimal \
	  || echo "no nightly toolchain: fuzzing on stable with RUSTC_BOOTSTRAP=1"
	@command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

build-fuzz: setup-fuzz
	cd $(ROOT) && CARGO_INCREMENTAL=0 $(FUZZ_CARGO) fuzz build $(FUZZ_BUILD)

build-fuzz-short: setup-fuzz
	cd $(ROOT) && CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=0 $(FUZZ_CARGO) fuzz build $(FUZZ_SHORT_BUILD)

# About 20 s a target, FUZZ_JOBS at a time: part of `make test`.
fuzz-short: build-fuzz-short
	$(ROOT)/mk/fuzz-each.sh $(FUZZ_BINS)/debug $(FUZZ_SHORT_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

# Ten minutes a target (the figures of docs/fuzzing.md).
fuzz-long: build-fuzz
	$(ROOT)/mk/fuzz-each.sh $(FUZZ_BINS)/release $(FUZZ_LONG_SECONDS) 1 $(FUZZ_TARGETS)

# An hour a target, after the long runs of the bindings: the Python stateful test's soak profile
# (mk/py.mk) and a million random calls into the WebAssembly module (mk/wasm.mk); then 1,000
# SIGKILL rounds of a writer on each store and of the server (mk/pg.mk), and the server's
# 10-minute load soak (mk/server.mk).
soak: soak-py soak-wasm build-fuzz
	$(ROOT)/mk/fuzz-each.sh $(FUZZ_BINS)/release $(SOAK_SECONDS) 1 $(FUZZ_TARGETS)
	$(MAKE) --no-print-directory soak-kill
	$(MAKE) --no-print-directory soak-server

# Line coverage of each target's corpus (`cargo fuzz coverage`), summarised by llvm-cov into
# fuzz/coverage/<target>.txt, and of all of them together into fuzz/coverage/all.txt; needs
# the llvm-tools component (installed here when missing).
# Unoptimised, like the short runs: source-based coverage counts the same lines at any
# optimisation level, and this build takes minutes where the optimised one takes most of an hour.
fuzz-coverage: setup-fuzz
	@rustup component list --installed --toolchain nightly 2>/dev/null | grep -q llvm-tools \
	  || rustup component add llvm-tools-preview --toolchain nightly
	@cd $(ROOT) && mkdir -p $(FUZZ_DIR)/coverage && for t in $(FUZZ_TARGETS); do \
	  CARGO_INCREMENTAL=0 CARGO_PROFILE_DEV_DEBUG=0 $(FUZZ_CARGO) fuzz coverage $(FUZZ_SHORT_BUILD) $$t $(FUZZ_DIR)/corpus/$$t $(FUZZ_DIR)/seeds/$$t >/dev/null 2>&1 || exit 1; \
	  $(ROOT)/mk/fuzz-coverage.sh $$t > $(FUZZ_DIR)/coverage/$$t.txt; \
	  echo "$$t: $$(tail -1 $(FUZZ_DIR)/coverage/$$t.txt)"; \
	done; \
	$(ROOT)/mk/fuzz-coverage.sh $(FUZZ_TARGETS) > $(FUZZ_DIR)/coverage/all.txt; \
	echo "all targets: $$(tail -1 $(FUZZ_DIR)/coverage/all.txt)"
