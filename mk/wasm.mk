# siproc-wasm: the WebAssembly package (ES modules for the web and for bundlers), its tests in
# Node and in a real browser, and its size budget.
#
#   make build-wasm   siproc-wasm/pkg/web and siproc-wasm/pkg/bundler (gitignored)
#   make test-wasm    TypeScript check, wasm-bindgen tests in Node, conformance and robustness
#                     tests in Node, the example page in headless Chromium, the size budget
#   make bench-wasm   validate against Ajv in Node, one validation in Chromium (benches/README.md)
#
# Set-up is idempotent: the wasm32 target, wasm-bindgen-cli at exactly the version of
# wasm-bindgen in Cargo.lock (one already on PATH is used when it matches, otherwise it is
# installed into .tools/), Debian's chromium, and `npm ci` in the folders with a package-lock.

.PHONY: setup-wasm build-wasm test-wasm bench-wasm soak-wasm

TESTS += test-wasm
DEBIAN_PACKAGES += chromium

WASM_CRATE := $(ROOT)/siproc-wasm
WASM_PKG := $(WASM_CRATE)/pkg
WASM_OUT := $(ROOT)/target/wasm32-unknown-unknown/release-wasm/siproc_wasm.wasm
WASM_TOOLS := $(ROOT)/.tools
WASM_NODE_BIN := $(WASM_CRATE)/node_modules/.bin
# Issue 6 asked for at most 350 KB gzipped. siproc-core is built without its `pdf` and `fast`
# features for it: no PDF writer, libphonenumber's patterns on `regex-lite` (benches/README.md,
# "WebAssembly", has the breakdown). The packs, RFC 8785 numbers, the one-core result types and
# the input limits took the module to 360,637 B; reading records without a path-tracking
# deserializer (`siproc_core::reading`, 2026-12-03) brought it back to 346,084 B. Two later
# issues then asked for more in the module: issue 34 that every build read JSON numbers correctly
# rounded (serde_json's `float_roundtrip`, now always on in the core: about 8.7 KB gzipped), and
# issue 27 every value's label in both languages in the catalog view (about 6 KB) and
# `availableCommands` (about 3.5 KB). Together: 365,267 B (2026-12-06), over issue 6's
# 350 KB. The gate below holds the module where it is until that is won back (open work,
# benches/README.md "WebAssembly"). Issue 36's break-the-glass reasons in every pack and issue
# 28's account error codes added 1,392 B (366,659 B). Issue 29's erasure (the
# personal_data_erased event, retention rules in every pack, "erased" in the vocabulary) and
# issue 30's attachments (the attachment_added event, its codes and labels) added 5,042 B
# (371,701 B): gate 372,000 B. Issue 33's office time zones in the catalog view (the pages use
# the browser's Intl with them: a time zone database, chrono-tz's, took the module to 506 KB)
# added 206 B (371,907 B), and its birth-date rule 45 B (371,952 B).
WASM_MAX_GZIP_BYTES := 372000
# What the wasm32 target of Rust emits, so that wasm-opt keeps to the same features.
WASM_OPT_FEATURES := --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	--enable-mutable-globals --enable-reference-types --enable-multivalue
# Rust's wasm32 layout puts the 1 MiB stack first (it grows down from 1 MiB towards 0) and the data
# after it, so the lowest kilobyte is touched only by a stack one kilobyte from overflowing:
# `--low-memory-unused` lets wasm-opt fold constant offsets into loads and stores (2.4 KB gzipped).
WASM_OPT_ASSUME := --low-memory-unused
export PATH := $(WASM_TOOLS)/bin:$(PATH)
# Folders with a package-lock.json that setup-wasm installs (other mk files append to it).
NPM_DIRS += $(WASM_CRATE) $(ROOT)/benches/wasm

setup-wasm: setup-rust setup-debian
	@rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@version=$$(awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' $(ROOT)/Cargo.lock); \
	if [ "$$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $$version" ]; then \
	  echo "installing wasm-bindgen-cli $$version into .tools"; \
	  cargo install --quiet --root $(WASM_TOOLS) wasm-bindgen-cli --version "=$$version"; \
	fi
	@command -v node >/dev/null || { echo "node is missing: install Node.js 20 or later"; exit 1; }
	@for dir in $(NPM_DIRS); do \
	  if [ ! -d $$dir/node_modules ] || [ $$dir/package-lock.json -nt $$dir/node_modules/.package-lock.json ]; then \
	    (cd $$dir && npm ci --no-audit --no-fund --loglevel=error); \
	  fi; \
	done

# The module's panic locations name source files: written relative to the checkout and to Cargo's
# registry, the module is the same bytes wherever it is built (and its gzipped size with it).
CARGO_HOME_DIR := $(or $(CARGO_HOME),$(HOME)/.cargo)
WASM_REMAP := --remap-path-prefix=$(ROOT)/= --remap-path-prefix=$(CARGO_HOME_DIR)/registry/src/=

build-wasm: setup-wasm
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="$(WASM_REMAP)" \
	  cargo build -p siproc-wasm --target wasm32-unknown-unknown --profile release-wasm
	@for target in web bundler; do \
	  rm -rf $(WASM_PKG)/$$target; \
	  wasm-bindgen --target $$target --out-dir $(WASM_PKG)/$$target $(WASM_OUT); \
	  $(WASM_NODE_BIN)/wasm-opt -Oz --converge $(WASM_OPT_FEATURES) $(WASM_OPT_ASSUME) --strip-debug --strip-producers \
	    -o $(WASM_PKG)/$$target/siproc_wasm_bg.wasm $(WASM_PKG)/$$target/siproc_wasm_bg.wasm; \
	  node $(WASM_CRATE)/scripts/package-json.mjs $$target; \
	done
	@bytes=$$(wc -c < $(WASM_PKG)/web/siproc_wasm_bg.wasm); \
	gz=$$(gzip -9 -c $(WASM_PKG)/web/siproc_wasm_bg.wasm | wc -c); \
	echo "siproc_wasm_bg.wasm: $$bytes bytes, $$gz gzipped (budget $(WASM_MAX_GZIP_BYTES))"; \
	[ $$gz -le $(WASM_MAX_GZIP_BYTES) ] || { echo "the module is over its size budget"; exit 1; }

# The random calls of tests/robustness.test.mjs: 20,000 in `make test-wasm`, a million in
# `make soak-wasm` (part of `make soak`), its figures written to target/wasm-fuzz.json
# (docs/fuzzing.md).
WASM_FUZZ_CALLS ?= 20000
WASM_SOAK_CALLS ?= 1000000

test-wasm: build-wasm
	cargo clippy -p siproc-wasm --target wasm32-unknown-unknown --all-targets -- -D warnings
	$(WASM_NODE_BIN)/tsc -p $(WASM_CRATE)/tests/tsconfig.json
	CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER=wasm-bindgen-test-runner \
	  cargo test -p siproc-wasm --target wasm32-unknown-unknown
	cd $(WASM_CRATE) && SIPROC_FUZZ_CALLS=$(WASM_FUZZ_CALLS) node --test tests/

soak-wasm: build-wasm
	cd $(WASM_CRATE) && SIPROC_FUZZ_CALLS=$(WASM_SOAK_CALLS) SIPROC_FUZZ_FIGURES=$(ROOT)/target/wasm-fuzz.json \
	  node --test tests/robustness.test.mjs
	@cat $(ROOT)/target/wasm-fuzz.json

bench-wasm: build-wasm
	cargo build -p siproc-wasm --target wasm32-unknown-unknown --profile release-wasm --features bench-crossings
	rm -rf $(ROOT)/benches/wasm/pkg
	wasm-bindgen --target nodejs --out-dir $(ROOT)/benches/wasm/pkg $(WASM_OUT)
	$(WASM_NODE_BIN)/wasm-opt -Oz $(WASM_OPT_FEATURES) -o $(ROOT)/benches/wasm/pkg/siproc_wasm_bg.wasm \
	  $(ROOT)/benches/wasm/pkg/siproc_wasm_bg.wasm
	echo '{"type": "commonjs"}' > $(ROOT)/benches/wasm/pkg/package.json
	cd $(ROOT)/benches/wasm && node bench.mjs
	cd $(WASM_CRATE) && node tests/browser-timing.mjs
