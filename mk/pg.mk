# The case stores (siproc-core/src/store): the store contract against MemoryStore, SQLite and a
# real PostgreSQL, two processes on one database, writers killed with SIGKILL.
#
#   make test-store   the store tests, with a private PostgreSQL started and stopped around them
#   make bench-store  the store benchmarks (benches/README.md, "Stores")
#
# mk/with-pg.sh runs a command with a private PostgreSQL cluster under target/pg (Debian's
# `postgresql`, installed by setup-pg; owned by the user `postgres` when run as root).

.PHONY: setup-pg test-store bench-store

setup-pg:
	@dpkg -s postgresql >/dev/null 2>&1 || { echo "installing Debian packages: postgresql"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq postgresql >/dev/null; }
	@# Debian starts a cluster of its own on install; the tests use their private one.
	@command -v runuser >/dev/null || { echo "runuser (util-linux) is missing"; exit 1; }

# `make test` runs these in test-rust.
test-store: setup-rust setup-pg
	$(CARGO_TEST) --lib store
	$(ROOT)/mk/with-pg.sh $(CARGO_TEST) --test store --test maintenance --test faults

bench-store: setup-rust setup-pg
	$(ROOT)/mk/with-pg.sh cargo bench -p siproc-benches --bench store

# The killed-writer tests with 1,000 SIGKILL rounds on SQLite and on PostgreSQL (issue 31;
# `make test-store` runs 50), then the server process killed 1,000 times under load on each
# (`make test-server-pg` and `test-rust` run 3). Part of `make soak`; figures in docs/fuzzing.md.
.PHONY: soak-kill
KILL_ROUNDS ?= 1000
SERVER_KILL_CYCLES ?= 1000
soak-kill: setup-rust setup-pg
	SIPROC_KILL_ROUNDS=$(KILL_ROUNDS) $(ROOT)/mk/with-pg.sh $(CARGO_TEST) --test store \
	  -- a_killed_writer --nocapture --test-threads=1
	SIPROC_SERVER_KILL_CYCLES=$(SERVER_KILL_CYCLES) $(ROOT)/mk/with-pg.sh $(CARGO_TEST) \
	  --test api -- durable::sigkill --nocapture --test-threads=1
