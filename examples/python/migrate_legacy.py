"""Migrates a consulate's legacy case log (a spreadsheet exported as CSV) into siproc.

    python examples/python/migrate_legacy.py LEGACY.csv --out DIR [--store URL] [--dry-run]
                                             [--mapping EXTRA.json] [--locale es|en] [--no-progress]

The input is UTF-8, comma-separated, with a header row and the columns ``No.``, ``Fecha``,
``Consulado``, ``Tipo de caso``, ``Nombre completo``, ``Identidad``, ``Fecha de nacimiento``,
``Sexo``, ``Teléfono``, ``Correo``, ``País``, ``Lugar``, ``Observaciones`` (see
``make_legacy_csv.py`` for what each holds). Extra columns are ignored, but for the optional
``Archivos``: the names of the row's files (scans of the paper file, photos), relative to the
log's folder, separated by ``;`` or line breaks. Each file there is attached to the row's case
(checked as any upload, kept in the store's blob storage; a scan of a siproc form is filed as its
signed copy); a missing or refused file is a warning in ``errors.csv`` (``legacy.file_missing``,
``legacy.file_refused``, by its position in the cell, never its name), and running again attaches
the files brought since.

Every decision is the engine's legacy import (``siproc.import_legacy``, the core's
``legacy`` module); this script reads the file, calls it, and writes reports:

- A row the log recorded is migrated even when it lacks what today's intake requires (the
  category's facts, the requesting relative, a minor's guardian, consent): those become the
  case's **follow-up items**, and the case is *incomplete* until a ``correct`` command (or
  recorded consent) completes them. The pack says which rule codes are incomplete rather than
  wrong (``packs/hn/legacy.json``, ``incomplete``).
- A row that is *wrong* (an impossible document number, a birth date in the future, an office
  no mapping resolves, no name, a date nobody can read) is held back: ``errors.csv`` says what
  is wrong, by code and place, never quoting a value. Fix the spreadsheet and run again.
- The ``Observaciones`` text is the case's first note. Offices, case types, countries and dates
  are mapped through the pack's tables, which ``--mapping`` extends (a JSON file in the format
  of ``packs/hn/legacy.json``); ``mappings.csv`` lists every mapping used.
- Each case's ``case_opened`` event records its source (the file's name, ``--source`` to name
  it otherwise) and row. The import is idempotent by source and row: running again migrates
  nothing twice, and after fixing held-back rows exactly those rows.

Where the cases go: with ``--store URL``, into that store (``siproc.open_store``); without it,
into the verified archive ``DIR/cases.jsonl`` (read back on the next run, then rewritten with
every case and verified). ``--dry-run`` writes only the reports.

Files written in ``DIR``:

- ``errors.csv``: row, ``No.``, code, path, severity, message of every problem (warnings too);
- ``duplicates.csv``: candidate duplicate pairs (rows, score, reasons, group) for review;
- ``case_numbers.csv``: row, ``No.``, case id and number of every migrated case, and its
  follow-up items (rule codes and places) — no personal data;
- ``mappings.csv``: every mapping used and how many rows used it;
- ``summary.txt``: the summary below, also printed.

The summary, for a person to read first: rows read, cases migrated (complete / incomplete),
rows held back with the most common reasons, duplicate groups. A progress bar shows on long
runs (``--no-progress`` hides it). The last line on standard output is the counts as JSON.

The migration actor is ``Actor("migracion-legado", "directorate", "DGPHM")``: the central
directorate may open cases for every office; its user id names the migration, not a person.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tqdm import tqdm

import siproc

MIGRATION_ACTOR = siproc.Actor("migracion-legado", "directorate", "DGPHM")

# Rows handed to the engine at a time (the progress bar moves between chunks).
CHUNK = 2000

TEXT = {
    "es": {
        "title": "Migración de {source}",
        "rows": "Filas leídas: {rows} ({blank} vacías)",
        "migrated": "Casos migrados ahora: {migrated} ({complete} completos, {incomplete} con datos pendientes)",
        "dry": "Casos que se migrarían: {migrated} ({complete} completos, {incomplete} con datos pendientes)",
        "already": "Ya migrados en una ejecución anterior: {already}",
        "held": "Filas retenidas para corrección: {held} (ver errors.csv)",
        "reason": "  {code}: {count} filas — {message}",
        "failed": "Filas que el almacén rechazó: {failed}",
        "duplicates": "Posibles duplicados: {pairs} pares en {groups} grupos (ver duplicates.csv)",
        "mappings": "Correspondencias usadas: {mappings} distintas (ver mappings.csv)",
        "where": "Casos en: {where}",
        "progress": "Migrando",
    },
    "en": {
        "title": "Migration of {source}",
        "rows": "Rows read: {rows} ({blank} blank)",
        "migrated": "Cases migrated now: {migrated} ({complete} complete, {incomplete} with items to follow up)",
        "dry": "Cases that would be migrated: {migrated} ({complete} complete, {incomplete} with items to follow up)",
        "already": "Already migrated by an earlier run: {already}",
        "held": "Rows held back for correction: {held} (see errors.csv)",
        "reason": "  {code}: {count} rows — {message}",
        "failed": "Rows the store refused: {failed}",
        "duplicates": "Possible duplicates: {pairs} pairs in {groups} groups (see duplicates.csv)",
        "mappings": "Mappings used: {mappings} distinct (see mappings.csv)",
        "where": "Cases in: {where}",
        "progress": "Migrating",
    },
}


def read_rows(path: Path) -> siproc.LegacyLog:
    """The log's data rows, each ``(spreadsheet row number, row)``; the header is row 1, and
    blank rows count, as a spreadsheet shows them. Read by the engine (``siproc.read_legacy_log``:
    the rows stay in Rust until one is asked for): a row with more cells than the header keeps
    the known columns, one with fewer has blanks, extra columns are ignored."""
    try:
        return siproc.read_legacy_log(path)
    except siproc.MalformedError as e:
        raise SystemExit(f"{path.name}: {e}") from None


def open_target(args: argparse.Namespace) -> tuple[Any, str]:
    """The store the cases go to, and how the summary names it."""
    if args.store:
        scheme = args.store.split(":", 1)[0] if ":" in args.store else "sqlite"
        return siproc.open_store(args.store), f"the {scheme} store"
    store = siproc.MemoryStore()
    archive = args.out / "cases.jsonl"
    if archive.exists():  # an earlier run: its cases are kept, and not migrated again
        report = siproc.import_archive(archive, store)
        if report["rejected"] or report.get("file"):
            raise SystemExit(f"{archive} does not verify: move it away or restore it")
    return store, str(archive)


def migrate(args: argparse.Namespace) -> dict[str, Any]:
    """Runs the migration; returns the counts."""
    text = TEXT[args.locale]
    source = args.source or args.input.name
    mapping = json.loads(args.mapping.read_text(encoding="utf-8")) if args.mapping else None
    catalog = siproc.Catalog.default()
    store, where = open_target(args)
    now = dt.datetime.now(dt.timezone.utc)

    rows = read_rows(args.input)
    reports: list[dict[str, Any]] = []
    mappings: Counter[str] = Counter()
    with tqdm(total=len(rows), desc=text["progress"], unit=" filas", disable=not args.progress) as bar:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start:start + CHUNK]
            report = siproc.import_legacy(chunk, source=source, store=store, actor=MIGRATION_ACTOR,
                                          catalog=catalog, mapping=mapping, now=now,
                                          locale=args.locale, dry_run=args.dry_run,
                                          files=args.input.parent)
            reports.extend(report["rows"])
            mappings.update(report["mappings"])
            bar.update(len(chunk))
    # Duplicates across the whole log (the engine compares the nationals of every row).
    pairs = siproc.find_legacy_duplicates(rows, catalog=catalog, mapping=mapping)
    clusters = siproc.duplicate_clusters(pairs)
    group = {member: n for n, cluster in enumerate(clusters, start=1) for member in cluster}

    args.out.mkdir(parents=True, exist_ok=True)
    with (args.out / "errors.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "no", "code", "path", "severity", "message"])
        for r in reports:
            for issue in r["issues"]:
                w.writerow([r["row"], r["number"], issue["code"], issue["path"], issue["severity"],
                            issue["message"]])
    with (args.out / "duplicates.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row_a", "row_b", "score", "reasons", "group"])
        for p in sorted(pairs, key=lambda p: (-p.score, p.a, p.b)):
            w.writerow([rows[p.a][0], rows[p.b][0], f"{p.score:.3f}", "+".join(p.reasons), group.get(p.a, "")])
    with (args.out / "mappings.csv").open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["mapping", "rows"])
        for m, n in sorted(mappings.items(), key=lambda x: (-x[1], x[0])):
            w.writerow([m, n])
    if not args.dry_run:
        with (args.out / "case_numbers.csv").open("w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["row", "no", "case_id", "number", "follow_ups"])
            for r in reports:
                if r["outcome"] in ("migrated", "already_imported"):
                    w.writerow([r["row"], r["number"], r["case_id"], r["case_number"],
                                " ".join(f"{u['code']}@{u['path']}" for u in r["follow_ups"])])
    digest = None
    if not args.dry_run and not args.store:
        archive = args.out / "cases.jsonl"
        written = siproc.write_archive(archive, store, now=now)
        check = siproc.verify_archive(archive)
        if not check["ok"] or check["cases"] != len(store):
            raise SystemExit(f"the archive written does not verify: {check['file'] or check['rejected']}")
        digest = written["digest"]

    outcome = Counter(r["outcome"] for r in reports)
    migrated = [r for r in reports if r["outcome"] == "migrated"]
    incomplete = sum(1 for r in migrated if r["follow_ups"])
    held = [r for r in reports if r["outcome"] == "held_back"]
    reasons: Counter[str] = Counter()
    messages: dict[str, str] = {}
    for r in held:
        for issue in r["issues"]:
            if issue["severity"] == "error":
                reasons[issue["code"]] += 1
                messages.setdefault(issue["code"], issue["message"])
    counts = {
        "rows": len(reports),
        "blank": outcome["blank"],
        "migrated": len(migrated),
        "complete": len(migrated) - incomplete,
        "incomplete": incomplete,
        "already_imported": outcome["already_imported"],
        "held_back": len(held),
        "failed": outcome["failed"],
        "duplicate_pairs": len(pairs),
        "duplicate_groups": len(clusters),
        "mappings": len(mappings),
        "dry_run": args.dry_run,
        "archive_digest": digest,
    }
    lines = [
        text["title"].format(source=source),
        text["rows"].format(**counts),
        text["dry" if args.dry_run else "migrated"].format(**counts),
        text["already"].format(already=counts["already_imported"]),
        text["held"].format(held=counts["held_back"]),
        *(text["reason"].format(code=c, count=n, message=messages[c]) for c, n in reasons.most_common(5)),
        *([text["failed"].format(failed=counts["failed"])] if counts["failed"] else []),
        text["duplicates"].format(pairs=counts["duplicate_pairs"], groups=counts["duplicate_groups"]),
        text["mappings"].format(mappings=counts["mappings"]),
        *([] if args.dry_run else [text["where"].format(where=where)]),
    ]
    summary = "\n".join(lines)
    (args.out / "summary.txt").write_text(summary + "\n", encoding="utf-8")
    print(summary, file=sys.stderr)
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Migrates a consulate's legacy case log into siproc.")
    parser.add_argument("input", type=Path, help="the legacy log, exported as CSV (UTF-8)")
    parser.add_argument("--out", type=Path, required=True, help="folder for the reports (and cases.jsonl)")
    parser.add_argument("--store", help="a store URL (siproc.open_store) to import the cases into")
    parser.add_argument("--dry-run", action="store_true", help="decide and write the reports only")
    parser.add_argument("--source", help="the source's name in the cases' provenance (default: the file's name)")
    parser.add_argument("--mapping", type=Path, help="extra mapping tables (JSON, as packs/hn/legacy.json)")
    parser.add_argument("--locale", default="es", choices=["es", "en"], help="language of messages")
    parser.add_argument("--no-progress", dest="progress", action="store_false", help="no progress bar")
    args = parser.parse_args(argv)
    counts = migrate(args)
    print(json.dumps(counts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
