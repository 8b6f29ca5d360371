# Blob storage (siproc-core/src/blobs): the contract on a directory, SQLite, a private
# PostgreSQL and a real S3-compatible server (moto's, from PyPI, in its own venv under target/;
# the test starts it on loopback and stops it).
#
#   make test-blobs   the blob tests with PostgreSQL and moto, and the case file's tests
#   make setup-moto   installs moto's server (idempotent)

.PHONY: setup-moto test-blobs

MOTO_VERSION := 5.1.18
MOTO_VENV := $(ROOT)/target/moto-venv
MOTO_STAMP := $(MOTO_VENV)/.moto-$(MOTO_VERSION)

$(MOTO_STAMP):
	python3 -m venv $(MOTO_VENV) || { rm -rf $(MOTO_VENV); $(MAKE) --no-print-directory setup-debian; python3 -m venv $(MOTO_VENV); }
	$(MOTO_VENV)/bin/pip install --quiet --disable-pip-version-check "moto[server]==$(MOTO_VERSION)"
	touch $@

setup-moto: $(MOTO_STAMP)

# With them, the case file's own tests, which need the test kit too: checked attachments,
# archives carrying files, signed copies filed by QR code. `make test` runs these in test-rust.
test-blobs: setup-rust setup-pg setup-moto
	$(ROOT)/mk/with-pg.sh $(CARGO_TEST) --test blobs \
	  --test attachments --test archive_files --test signed_copies
