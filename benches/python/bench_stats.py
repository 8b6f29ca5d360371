"""Statistics over 1,000,000 cases: siproc (Rust, one core) against pandas and DuckDB.

Runs the Rust example `stats_vs_dataframes` (every table of a release, then its disclosure
control, over case records held in memory), which also writes the records' grouped columns as
CSV; loads that CSV into pandas and into DuckDB (loading is not timed) and times the same grouped
counts there, on one thread: cases by category and month, by office and status, by country and
category, by sex and age band. Prints one line per system, and the ratios.

    make bench-stats            # or: python benches/python/bench_stats.py [cases]
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pandas as pd

ROOT = Path(__file__).resolve().parents[2]
AGE_BINS = [-1, 11, 17, 29, 59, 200]
AGE_LABELS = ["0-11", "12-17", "18-29", "30-59", "60+"]


def best_of(runs: int, fn) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "cases.csv"
        # STATS_BIN: an already built example (skips the build, e.g. one made with other
        # packages in the same cargo invocation).
        binary = os.environ.get("STATS_BIN")
        if binary is None:
            subprocess.run(
                ["cargo", "build", "--release", "--quiet", "-p", "siproc-benches",
                 "--example", "stats_vs_dataframes"], cwd=ROOT, check=True)
            binary = str(target / "release" / "examples" / "stats_vs_dataframes")
        out = subprocess.run(
            ["taskset", "-c", "0", binary, str(n), str(csv_path)],
            check=True, capture_output=True, text=True).stdout
        rust = json.loads(out)
        df = pd.read_csv(csv_path, dtype={"age": "Int64"}, keep_default_na=False,
                         na_values={"age": [""]})
        for col in ["category", "office", "status", "country", "sex", "month"]:
            df[col] = df[col].astype("category")
        con = duckdb.connect()
        con.execute("SET threads TO 1")
        con.execute(f"CREATE TABLE cases AS SELECT * FROM read_csv_auto('{csv_path}')")

    def with_pandas() -> None:
        df.groupby(["category", "month"], observed=True).size()
        df.groupby(["office", "status"], observed=True).size()
        df.groupby(["country", "category"], observed=True).size()
        band = pd.cut(df["age"], AGE_BINS, labels=AGE_LABELS)
        df.assign(band=band).groupby(["sex", "band"], observed=True, dropna=False).size()

    def with_duckdb() -> None:
        for q in [
            "SELECT category, month, count(*) FROM cases GROUP BY ALL",
            "SELECT office, status, count(*) FROM cases GROUP BY ALL",
            "SELECT country, category, count(*) FROM cases GROUP BY ALL",
            "SELECT sex, CASE WHEN age IS NULL THEN 'unknown' WHEN age <= 11 THEN '0-11' "
            "WHEN age <= 17 THEN '12-17' WHEN age <= 29 THEN '18-29' WHEN age <= 59 THEN '30-59' "
            "ELSE '60+' END AS band, count(*) FROM cases GROUP BY ALL",
        ]:
            con.execute(q).fetchall()

    pandas_s = best_of(3, with_pandas)
    duckdb_s = best_of(3, with_duckdb)
    siproc_s = rust["count_s"] + rust["release_s"]
    load = os.getloadavg()
    print(f"cases: {n:,}   load average at the end: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")
    print(f"siproc, every table of a release ({rust['cells']} cells) + disclosure control: "
          f"{siproc_s:.3f} s (counting {rust['count_s']:.3f} s, release {rust['release_s']:.3f} s)")
    print(f"pandas {pd.__version__}, 4 grouped counts (categorical columns): {pandas_s:.3f} s")
    print(f"DuckDB {duckdb.__version__}, 4 grouped counts, 1 thread: {duckdb_s:.3f} s")
    print(f"ratios: pandas/siproc {pandas_s / siproc_s:.2f}, duckdb/siproc {duckdb_s / siproc_s:.2f}")


if __name__ == "__main__":
    main()
