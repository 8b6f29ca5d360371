"""The legacy migration end to end (read the CSV, validate, open every case, archive) against
pandas reading the same CSV.

    make bench-legacy    # or: siproc-py/.venv/bin/python benches/python/bench_legacy.py [--rows N]

The log is made by examples/python/make_legacy_csv.py (seed 2026, 100,000 rows by default):
free-text notes, loose names, mixed date formats, duplicates, wrong rows. Measured, each the best
of three runs on one core (siproc uses no threads):

- ``pandas.read_csv``: the file read into a DataFrame of text columns (``dtype=str``), the floor
  any Python migration pays before doing anything;
- ``siproc``: ``siproc.read_legacy_log`` (the log read by the engine, numbered as a spreadsheet
  numbers its rows), ``siproc.import_legacy`` into a ``MemoryStore`` (map, validate, open each
  case: seal its event in the hash chain), ``siproc.write_archive`` of every case (written and
  hashed), the same work ``migrate_legacy.py`` does minus its CSV reports;
- ``siproc from csv.DictReader``: the same with the rows read by Python's ``csv.DictReader``
  and handed over as dicts, as a script that reads the file itself does;
- ``duplicates``: ``siproc.find_legacy_duplicates`` over the same rows, reported apart.

Prints a Markdown table and the rows per second.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

import pandas

import siproc

ROOT = Path(__file__).resolve().parents[2]
GENERATOR = ROOT / "examples" / "python" / "make_legacy_csv.py"
ACTOR = siproc.Actor("migracion-legado", "directorate", "DGPHM")


def best(f: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "legado.csv"
        subprocess.run([sys.executable, str(GENERATOR), "--rows", str(args.rows), "--out", str(log)],
                       check=True, capture_output=True)
        now = dt.datetime.now(dt.timezone.utc)
        catalog = siproc.Catalog.default()
        counts: dict[str, int] = {}

        def read_pandas() -> None:
            pandas.read_csv(log, dtype=str, keep_default_na=False)

        def migrate_from(read: Callable[[], Any]) -> None:
            rows = read()
            store = siproc.MemoryStore()
            report = siproc.import_legacy(rows, source=log.name, store=store, actor=ACTOR,
                                          catalog=catalog, now=now)
            siproc.write_archive(Path(tmp) / "cases.jsonl", store, now=now)
            counts["migrated"] = sum(1 for r in report["rows"] if r["outcome"] == "migrated")

        def dict_rows() -> list[tuple[int, dict[str, str]]]:
            with log.open(encoding="utf-8", newline="") as f:
                return list(enumerate(csv.DictReader(f), start=2))

        def migrate() -> None:
            migrate_from(lambda: siproc.read_legacy_log(log))

        def migrate_dicts() -> None:
            migrate_from(dict_rows)

        def duplicates() -> None:
            rows = siproc.read_legacy_log(log)
            counts["pairs"] = len(siproc.find_legacy_duplicates(rows, catalog=catalog))

        t_pandas, t_siproc, t_dicts = best(read_pandas), best(migrate), best(migrate_dicts)
        t_dups = best(duplicates)
    n = args.rows
    print(f"{n} rows; {counts['migrated']} migrated; {counts['pairs']} duplicate pairs; "
          f"Python {platform.python_version()}, pandas {pandas.__version__}, siproc {siproc.__version__}; "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| step | time | rows/s |")
    print("|---|---:|---:|")
    print(f"| pandas.read_csv (text columns) | {t_pandas:.2f} s | {n / t_pandas:,.0f} |")
    print(f"| siproc: read, validate, open, archive | {t_siproc:.2f} s | {n / t_siproc:,.0f} |")
    print(f"| siproc from csv.DictReader rows | {t_dicts:.2f} s | {n / t_dicts:,.0f} |")
    print(f"| siproc.find_legacy_duplicates | {t_dups:.2f} s | {n / t_dups:,.0f} |")
    print(f"siproc end to end / pandas read: {t_siproc / t_pandas:.1f}×")


if __name__ == "__main__":
    main()
