# The Rust toolchain and the native tools the Rust tests use.

.PHONY: setup-rust setup-debian

# Debian packages the tests need; installed once (apt-get update first, as root or with sudo).
DEBIAN_PACKAGES ?= poppler-utils qpdf zbar-tools python3-venv
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

setup-debian:
	@missing=""; for p in $(DEBIAN_PACKAGES); do \
	  dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

setup-rust:
	@command -v cargo >/dev/null || { echo "cargo is missing: install Rust with rustup (https://rustup.rs)"; exit 1; }
	@rustup component list --installed 2>/dev/null | grep -q '^clippy' || rustup component add clippy rustfmt
