# The Debian package (cargo-deb; `[package.metadata.deb]` in examples/server/Cargo.toml).
#
#   make deb        build target/debian/siproc-server_<version>-1_<arch>.deb
#   make test-deb   build it, install it here with dpkg, run `siproc-server --version`, `config
#                   check /etc/siproc/siproc.toml` and a short serve from it, remove it
#                   (deploy/test-deb.sh). Needs root (dpkg). In `make test` it packages the
#                   debug build the other tests already made (DEB_PROFILE=dev: the packaging is
#                   what is tested; a release build would add minutes to every run);
#                   `make test-deb DEB_PROFILE=release` checks the package `make deb` ships.

CARGO_DEB_VERSION := 3.8.0

.PHONY: setup-deb deb test-deb
TESTS += test-deb

setup-deb: setup-rust
	@cargo deb --version 2>/dev/null | grep -q "$(CARGO_DEB_VERSION)" || cargo install --locked cargo-deb --version $(CARGO_DEB_VERSION)

deb: setup-deb
	cargo deb -p siproc-server --output $(ROOT)/target/debian

DEB_PROFILE ?= dev

test-deb: setup-deb $(if $(filter dev,$(DEB_PROFILE)),build-server-debug)
	DEB_PROFILE=$(DEB_PROFILE) $(ROOT)/deploy/test-deb.sh
