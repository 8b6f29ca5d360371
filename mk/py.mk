# siproc-py: the Python package, built with maturin into a venv, tested with pytest and stubtest.
#
# The venv lives in siproc-py/.venv (not committed). Its tools are pinned in
# siproc-py/requirements-dev.txt and reinstalled only when that file changes. The extension is
# built by `maturin develop` (an editable install: the Python layer is read from
# siproc-py/python, the native module is put beside it): unoptimised for the tests (`build-py`,
# minutes less than an optimised build, which was the largest step of `make test`), optimised
# for the benchmarks (`build-py-release`). Each build replaces the other's module.

.PHONY: setup-py build-py build-py-release test-py soak-py bench-py bench-stats

PY_DIR := $(ROOT)/siproc-py
VENV := $(PY_DIR)/.venv
VENV_PY := $(VENV)/bin/python
PY_STAMP := $(VENV)/.requirements-installed

TESTS += test-py

$(VENV_PY):
	@command -v python3 >/dev/null || { echo "python3 is missing: install Python 3.9 or newer"; exit 1; }
	python3 -m venv $(VENV) || { rm -rf $(VENV); $(MAKE) --no-print-directory setup-debian; python3 -m venv $(VENV); }

$(PY_STAMP): $(PY_DIR)/requirements-dev.txt | $(VENV_PY)
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check -r $(PY_DIR)/requirements-dev.txt
	touch $@

setup-py: setup-rust $(PY_STAMP)

MATURIN_DEVELOP := cd $(PY_DIR) && VIRTUAL_ENV=$(VENV) PATH="$(VENV)/bin:$$PATH" \
  $(VENV)/bin/maturin develop --quiet

build-py: setup-py
	$(MATURIN_DEVELOP)

build-py-release: setup-py
	$(MATURIN_DEVELOP) --release

# The tests of siproc.open_store on PostgreSQL use the private server of mk/with-pg.sh.
# The stateful test (tests-py/test_stateful.py) runs its bounded "ci" profile here and its
# "soak" profile (SIPROC_HYPOTHESIS_PROFILE=soak) in `make soak-py`, part of `make soak`
# (docs/fuzzing.md).
test-py: build-py setup-pg
	cd $(PY_DIR) && $(ROOT)/mk/with-pg.sh $(VENV_PY) -m pytest -q -p no:cacheprovider tests-py

soak-py: build-py
	cd $(PY_DIR) && SIPROC_HYPOTHESIS_PROFILE=soak $(VENV_PY) -m pytest -q -p no:cacheprovider \
	  --durations=5 tests-py/test_stateful.py

# The side-by-side benchmark against pydantic (figures in benches/README.md).
bench-py: build-py-release
	$(VENV_PY) $(ROOT)/benches/python/bench_vs_pydantic.py

# The legacy migration benchmark: 100,000 rows end to end beside pandas (figures in
# benches/README.md).
.PHONY: bench-legacy
bench-legacy: build-py-release
	$(VENV_PY) $(ROOT)/benches/python/bench_legacy.py

# Statistics against pandas and DuckDB (figures in benches/README.md, "Statistics"). pandas and
# DuckDB are the benchmark's peers, installed into the venv for it only (pinned here).
STATS_PEERS := pandas==3.1.1 duckdb==2.0.1
bench-stats: setup-py
	$(VENV_PY) -m pip install --quiet --disable-pip-version-check $(STATS_PEERS)
	$(VENV_PY) $(ROOT)/benches/python/bench_stats.py

# Statistics straight from a SQLite store (benches/stats_from_sqlite/main.rs; figures in
# benches/README.md, "Statistics"): the store of STATS_CASES cases of ten events is built once
# under target/bench-data and reused (about 10.6 KB a case on disk), through put_histories.
.PHONY: bench-stats-sqlite
STATS_CASES ?= 100000
bench-stats-sqlite: setup-rust
	cargo build --release -p siproc-benches --example stats_from_sqlite
	taskset -c 0 $(ROOT)/target/release/examples/stats_from_sqlite $(STATS_CASES)
