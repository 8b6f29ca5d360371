"""The migration example (examples/python/migrate_legacy.py), run as a user runs it, on a log
made by the generator in the repository (examples/python/make_legacy_csv.py), and the legacy
import it uses (siproc.import_legacy, siproc.convert_legacy)."""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import siproc
from conftest import ROOT

SCRIPT = ROOT / "examples" / "python" / "migrate_legacy.py"
GENERATOR = ROOT / "examples" / "python" / "make_legacy_csv.py"
SHIPPED = ROOT / "examples" / "python" / "data" / "legado_consulado.csv"
ACTOR = siproc.Actor("migracion-legado", "directorate", "DGPHM")
ROWS = 3000
PERSONAL_COLUMNS = ["Nombre completo", "Identidad", "Fecha de nacimiento", "Teléfono", "Correo", "Lugar",
                    "Observaciones"]


def run(source: Path, out: Path, *extra: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    done = subprocess.run([sys.executable, str(SCRIPT), str(source), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=600, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), done


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


class Migration:
    """A generated log, its truth, and the first migration of it."""

    def __init__(self, root: Path) -> None:
        self.log = root / "legado.csv"
        self.truth_path = root / "truth.json"
        subprocess.run([sys.executable, str(GENERATOR), "--rows", str(ROWS), "--seed", "7",
                        "--out", str(self.log), "--truth", str(self.truth_path)], check=True,
                       capture_output=True, timeout=300)
        self.truth: dict[str, Any] = json.loads(self.truth_path.read_text(encoding="utf-8"))
        self.out = root / "out"
        self.counts, self.done = run(self.log, self.out)
        self.numbers = {int(r["row"]): r for r in read_csv(self.out / "case_numbers.csv")}
        self.errors = read_csv(self.out / "errors.csv")

    def rows_of(self, prefix: str) -> list[int]:
        return [int(row) for row, kind in self.truth["rows"].items() if kind.startswith(prefix)]


@pytest.fixture(scope="module")
def migration(tmp_path_factory: pytest.TempPathFactory) -> Migration:
    return Migration(tmp_path_factory.mktemp("legacy"))


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    for name in ("a.csv", "b.csv"):
        subprocess.run([sys.executable, str(GENERATOR), "--rows", "500", "--seed", "3", "--out",
                        str(tmp_path / name)], check=True, capture_output=True, timeout=120)
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_plausible_rows_are_migrated(migration: Migration) -> None:
    plausible = migration.rows_of("plausible")
    assert len(plausible) > ROWS * 0.85
    migrated = [row for row in plausible if row in migration.numbers]
    assert len(migrated) >= 0.95 * len(plausible), (len(migrated), len(plausible))
    counts = migration.counts
    assert counts["rows"] == ROWS and counts["migrated"] == len(migration.numbers)
    assert counts["complete"] + counts["incomplete"] == counts["migrated"]
    # Real logs lack what today's intake requires: most migrated cases have follow-ups.
    assert counts["incomplete"] > counts["complete"]
    follow_ups = {f.split("@")[0] for r in migration.numbers.values() for f in r["follow_ups"].split()}
    assert {"fact.required", "consent.missing", "persons.relative_required",
            "person.minor_without_guardian"} <= follow_ups


def test_wrong_rows_are_held_back_with_their_code(migration: Migration) -> None:
    by_row: dict[int, set[str]] = {}
    for e in migration.errors:
        if e["severity"] == "error":
            by_row.setdefault(int(e["row"]), set()).add(e["code"])
    impossible = {int(row): kind.split(":")[1] for row, kind in migration.truth["rows"].items()
                  if kind.startswith("impossible_dni")}
    assert impossible
    for row, code in impossible.items():
        assert row not in migration.numbers
        assert code in by_row.get(row, set()), (row, code, by_row.get(row))
    future = migration.rows_of("future_birth")
    assert future
    for row in future:
        assert row not in migration.numbers
        assert "date.in_future" in by_row.get(row, set()), row
    expected = {"unreadable_date": "legacy.unreadable_date", "unknown_office": "legacy.unknown_office",
                "no_name": "legacy.no_name"}
    for kind, code in expected.items():
        rows = migration.rows_of(kind)
        assert rows and all(code in by_row.get(r, set()) and r not in migration.numbers for r in rows), kind
    assert not by_row.keys() & migration.numbers.keys()
    assert migration.counts["held_back"] == len(by_row)


def test_every_planted_duplicate_pair_is_reported(migration: Migration) -> None:
    pairs = {(int(p["row_a"]), int(p["row_b"])) for p in read_csv(migration.out / "duplicates.csv")}
    planted = {tuple(p) for p in migration.truth["duplicate_pairs"]}
    assert planted and planted <= pairs, planted - pairs
    assert migration.counts["duplicate_groups"] > 0


def test_the_archive_holds_the_cases_with_their_provenance(migration: Migration) -> None:
    archive = migration.out / "cases.jsonl"
    check = siproc.verify_archive(archive)
    assert check == {"ok": True, "cases": migration.counts["migrated"], "rejected": [], "file": []}
    histories = {h.id: h for h in siproc.read_archive(archive)}
    row, entry = next(iter(migration.numbers.items()))
    history = histories[entry["case_id"]]
    opened = history.events[0]["kind"]["data"]
    assert opened["legacy"]["source"] == migration.log.name and opened["legacy"]["row"] == row
    assert history.case["legacy"]["row"] == row
    # The notes are the first note of the case.
    with migration.log.open(encoding="utf-8", newline="") as f:
        log = {n: r for n, r in enumerate(csv.DictReader(f), start=2)}
    noted = [(n, r) for n, r in migration.numbers.items() if log[n]["Observaciones"].strip()]
    n, r = noted[0]
    assert histories[r["case_id"]].case["notes"][0]["text"] == log[n]["Observaciones"].strip()


def test_the_summary_is_for_a_person(migration: Migration) -> None:
    summary = (migration.out / "summary.txt").read_text(encoding="utf-8")
    assert f"Filas leídas: {ROWS}" in summary
    assert f"Casos migrados ahora: {migration.counts['migrated']}" in summary
    assert "Filas retenidas para corrección" in summary and "dni.bad_" in summary
    assert "Posibles duplicados" in summary
    assert summary.strip() in migration.done.stderr
    assert "100%" in migration.done.stderr  # the progress bar
    mappings = read_csv(migration.out / "mappings.csv")
    used = {m["mapping"] for m in mappings}
    assert "office alias: consulado tapachula → TAP" in used
    assert "category alias: nna no acompanado → unaccompanied_minor" in used
    assert {"opened_on date_format: d de mes de yyyy", "opened_on date_format: d/m/yyyy",
            "opened_on date_format: yyyy-mm-dd", "opened_on date_format: d-m-yyyy"} <= used


def test_no_personal_value_reaches_reports_or_logs(migration: Migration) -> None:
    with migration.log.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    values = {row[c].strip() for row in rows for c in PERSONAL_COLUMNS}
    # Cells such as "no tiene" are the log's words, not a person's.
    values = {v for v in values if len(v) >= 6 and v.lower() != "no tiene"}
    assert len(values) > 1000
    reports = "".join((migration.out / name).read_text(encoding="utf-8") for name in
                      ("errors.csv", "duplicates.csv", "case_numbers.csv", "mappings.csv", "summary.txt"))
    reports += migration.done.stdout + migration.done.stderr
    leaked = [v for v in values if v in reports]
    assert not leaked, leaked[:5]


def test_re_running_migrates_nothing_twice_then_exactly_the_fixed_row(migration: Migration,
                                                                      tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(migration.out, out)
    counts, _ = run(migration.log, out, "--no-progress")
    assert counts["migrated"] == 0 and counts["already_imported"] == migration.counts["migrated"]
    assert siproc.verify_archive(out / "cases.jsonl")["cases"] == migration.counts["migrated"]

    # Fix one held-back row in a copy of the spreadsheet (same file name: same source).
    row = migration.rows_of("impossible_dni")[0]
    fixed_dir = tmp_path / "fixed"
    fixed_dir.mkdir()
    fixed = fixed_dir / migration.log.name
    with migration.log.open(encoding="utf-8", newline="") as f:
        lines = list(csv.reader(f))
    lines[row - 1][5] = "0801-1990-12345"
    with fixed.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(lines)
    counts, _ = run(fixed, out, "--no-progress")
    assert counts["migrated"] == 1 and counts["already_imported"] == migration.counts["migrated"]
    numbers = {int(r["row"]) for r in read_csv(out / "case_numbers.csv")}
    assert numbers == set(migration.numbers) | {row}
    assert siproc.verify_archive(out / "cases.jsonl")["cases"] == migration.counts["migrated"] + 1


def test_a_dry_run_writes_only_the_reports(migration: Migration, tmp_path: Path) -> None:
    out = tmp_path / "dry"
    counts, _ = run(migration.log, out, "--dry-run", "--no-progress", "--locale", "en")
    assert counts["migrated"] == migration.counts["migrated"] and counts["dry_run"]
    assert not (out / "cases.jsonl").exists() and not (out / "case_numbers.csv").exists()
    assert (out / "errors.csv").exists() and (out / "duplicates.csv").exists()
    assert "Cases that would be migrated" in (out / "summary.txt").read_text(encoding="utf-8")


def test_store_url_imports_into_a_live_store_once(migration: Migration, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ministerio.db'}"
    first, _ = run(migration.log, tmp_path / "a", "--store", url, "--no-progress")
    assert first["migrated"] == migration.counts["migrated"]
    assert not (tmp_path / "a" / "cases.jsonl").exists()
    store = siproc.open_store(url)
    assert len(store) == first["migrated"]
    numbers = read_csv(tmp_path / "a" / "case_numbers.csv")
    some = numbers[len(numbers) // 2]
    assert store.summary(some["case_id"])["number"] == some["number"]
    assert store.history(some["case_id"]).verify()["version"] >= 1
    del store
    again, _ = run(migration.log, tmp_path / "b", "--store", url, "--no-progress")
    assert again["migrated"] == 0 and again["already_imported"] == first["migrated"]
    assert len(siproc.open_store(url)) == first["migrated"]


def test_the_shipped_log_migrates(tmp_path: Path) -> None:
    counts, _ = run(SHIPPED, tmp_path / "out", "--no-progress")
    assert counts["rows"] >= 2000
    assert counts["migrated"] > 0.85 * counts["rows"]
    assert counts["blank"] + counts["migrated"] + counts["held_back"] + counts["failed"] == counts["rows"]


# --- The binding's functions, directly ----------------------------------------------------------

ROW = {"No.": "1", "Fecha": "7 de marzo de 2021", "Consulado": "CONSULADO TAPACHULA",
       "Tipo de caso": "Detención migratoria", "Nombre completo": "Ana Lucía Peña Güity",
       "Identidad": "0801199012345", "Fecha de nacimiento": "11/7/1990", "Sexo": "F",
       "Teléfono": "9876-5432", "Correo": "", "País": "México", "Lugar": "Estación Siglo XXI",
       "Observaciones": "Caso referido a la Dirección."}


def test_convert_legacy() -> None:
    converted = siproc.convert_legacy(ROW)
    assert not converted["held_back"]
    intake = converted["intake"]
    assert (intake["office"], intake["category"], intake["opened_on"]) == ("TAP", "detention", "2021-03-07")
    assert intake["notes"][0]["text"] == "Caso referido a la Dirección."
    assert {"code": "fact.required", "path": "/facts/arrest_date"} in converted["follow_ups"]
    wrong = siproc.convert_legacy(dict(ROW, Identidad="2101-1990-00012"), locale="en")
    assert wrong["held_back"]
    assert [i["code"] for i in wrong["issues"] if i["severity"] == "error"] == ["dni.bad_department"]
    extended = siproc.convert_legacy(dict(ROW, Consulado="Oficina Sur"),
                                     mapping={"office_aliases": {"oficina sur": "TAP"}})
    assert extended["intake"]["office"] == "TAP"
    with pytest.raises(siproc.CatalogError):
        siproc.convert_legacy(ROW, mapping={"office_aliases": {"oficina sur": "XXX"}})
    with pytest.raises(TypeError):
        siproc.convert_legacy(["not", "a", "dict"])  # type: ignore[arg-type]


def test_import_legacy_and_complete_a_case() -> None:
    store = siproc.MemoryStore()
    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    report = siproc.import_legacy([(2, ROW), (3, {})], source="log.csv", store=store, actor=ACTOR, now=now)
    first, blank = report["rows"]
    assert first["outcome"] == "migrated" and blank["outcome"] == "blank"
    case_id = first["case_id"]
    summary = store.summary(case_id)
    assert summary["migrated"] and summary["follow_ups"] == len(first["follow_ups"]) == 4
    for path, value in [("/facts/arrest_date", "2021-03-01"), ("/facts/authority", "INM"),
                        ("/facts/detention_kind", "immigration")]:
        store.run(case_id, {"command": "correct", "path": path, "value": value}, actor=ACTOR, now=now)
    store.run(case_id, {"command": "record_consent", "consent": {
        "given": True, "given_by": 0, "recorded_on": "2026-05-30", "scope": ["processing"]}},
        actor=ACTOR, now=now)
    case = store.case(case_id)
    assert case["legacy"] == {"source": "log.csv", "row": 2}
    assert "follow_ups" not in store.summary(case_id)
    again = siproc.import_legacy([(2, ROW)], source="log.csv", store=store, actor=ACTOR, now=now)
    assert again["rows"][0]["outcome"] == "already_imported" and len(store) == 1


def test_an_import_leaves_the_garbage_collector_as_it_found_it() -> None:
    """The report is built with the collector paused and its objects moved to the oldest
    generation; what the program froze stays frozen, a paused collector stays paused."""
    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)

    def run() -> None:
        report = siproc.import_legacy([(2, ROW)], source="log.csv", store=siproc.MemoryStore(),
                                      actor=ACTOR, now=now)
        assert report["rows"][0]["outcome"] == "migrated"

    assert gc.isenabled()
    before = gc.get_freeze_count()
    run()
    assert gc.isenabled() and gc.get_freeze_count() == before
    kept = [[n] for n in range(100)]
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        run()
        assert gc.isenabled() and gc.get_freeze_count() == frozen
        gc.disable()
        run()
        assert not gc.isenabled()
    finally:
        gc.enable()
        if before == 0:
            gc.unfreeze()
    del kept


# The log read by the engine (siproc.read_legacy_log) against Python's csv module.

COLUMNS = ["No.", "Fecha", "Consulado", "Tipo de caso", "Nombre completo", "Identidad",
           "Fecha de nacimiento", "Sexo", "Teléfono", "Correo", "País", "Lugar", "Observaciones"]


def python_rows(data: bytes) -> list[tuple[int, dict[str, str]]]:
    """How a Python script reads a log: csv.reader, the header stripped, numbered from 2."""
    import io
    reader = csv.reader(io.StringIO(data.decode("utf-8-sig"), newline=""))
    header = [h.strip() for h in next(reader)]
    out = []
    for number, cells in enumerate(reader, start=2):
        row = dict(zip(header, cells))
        out.append((number, {c: row.get(c, "") for c in COLUMNS}))
    return out


def tricky_log(seed: int) -> bytes:
    """A log with what spreadsheets write: blank rows, CRLF and lone CR endings, cells quoted
    over several lines, quotes inside cells, short and long rows, a byte-order mark."""
    import random
    rnd = random.Random(seed)
    header = [" No. ", "Extra"] + COLUMNS[1:] + ["No."]
    pieces = ["\ufeff" if rnd.random() < 0.5 else "", ",".join(header)]
    endings = ["\n", "\r\n", "\r"]
    cells = ["", " ", "José", "a,b", 'dijo "sí"', "dos\nlíneas", "tres\r\nlíneas", "0801-1990-12345"]
    for _ in range(rnd.randint(5, 40)):
        pieces.append(rnd.choice(endings))
        if rnd.random() < 0.2:
            continue  # a blank row
        row = []
        for _ in range(rnd.randint(1, len(header) + 2)):
            cell = rnd.choice(cells)
            row.append('"' + cell.replace('"', '""') + '"' if any(c in cell for c in ',"\r\n') else cell)
        pieces.append(",".join(row))
    pieces.append(rnd.choice(endings + [""]))
    return "".join(pieces).encode("utf-8")


def test_the_engine_numbers_and_reads_rows_as_pythons_csv_module(tmp_path: Path) -> None:
    for seed in range(300):
        data = tricky_log(seed)
        path = tmp_path / f"log{seed}.csv"
        path.write_bytes(data)
        log = siproc.read_legacy_log(path)
        assert list(log) == python_rows(data), f"seed {seed}"


def test_a_legacy_log_is_a_sequence_that_slices_without_copying(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    subprocess.run([sys.executable, str(GENERATOR), "--rows", "50", "--out", str(path)], check=True,
                   capture_output=True, timeout=300)
    log = siproc.read_legacy_log(path)
    rows = python_rows(path.read_bytes())
    assert len(log) == len(rows) == 50 and repr(log) == "LegacyLog(50 rows)"
    assert log[0] == rows[0] and log[-1] == rows[-1]
    part = log[10:20]
    assert isinstance(part, siproc.LegacyLog) and list(part) == rows[10:20] and part[0][0] == 12
    assert list(log[45:]) == rows[45:] and len(log[30:10]) == 0
    with pytest.raises(IndexError):
        log[50]
    with pytest.raises(ValueError):
        log[::2]
    with pytest.raises(TypeError):
        log["No."]  # type: ignore[call-overload]


def test_a_legacy_log_imports_as_its_dict_rows_do(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    subprocess.run([sys.executable, str(GENERATOR), "--rows", "400", "--seed", "3", "--out", str(path)],
                   check=True, capture_output=True, timeout=300)
    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    log, rows = siproc.read_legacy_log(path), python_rows(path.read_bytes())
    for dry_run in (True, False):
        a, b = siproc.MemoryStore(), siproc.MemoryStore()
        from_log = siproc.import_legacy(log, source=path.name, store=a, actor=ACTOR, now=now, dry_run=dry_run)
        from_dicts = siproc.import_legacy(rows, source=path.name, store=b, actor=ACTOR, now=now, dry_run=dry_run)
        assert from_log == from_dicts and len(a) == len(b)
    pairs = siproc.find_legacy_duplicates(log)
    assert pairs and [(p.a, p.b, p.reasons) for p in pairs] == [
        (p.a, p.b, p.reasons) for p in siproc.find_legacy_duplicates(rows)]
    tail = siproc.import_legacy(log[200:], source=path.name, store=siproc.MemoryStore(), actor=ACTOR,
                                now=now, dry_run=True)
    assert [r["row"] for r in tail["rows"]] == [n for n, _ in rows[200:]]


def test_a_log_that_cannot_be_read_is_a_typed_error_without_its_cells(tmp_path: Path) -> None:
    path = tmp_path / "log.csv"
    path.write_text("No.,Fecha,Nombre completo\n1,2024-01-01,JOSÉ SECRETO\n", encoding="utf-8")
    with pytest.raises(siproc.MalformedError) as missing:
        siproc.read_legacy_log(path)
    assert missing.value.code == "legacy.missing_columns" and "Consulado" in str(missing.value)
    path.write_bytes(",".join(COLUMNS).encode("utf-8") + b"\n1,2024-01-01,x,y,JOS\xc9 SECRETO\n")
    with pytest.raises(siproc.MalformedError) as latin1:
        siproc.read_legacy_log(path)
    assert latin1.value.code == "legacy.not_utf8" and "row 2" in str(latin1.value)
    assert "SECRETO" not in str(missing.value) + str(latin1.value)
    with pytest.raises(FileNotFoundError):
        siproc.read_legacy_log(tmp_path / "absent.csv")


def test_the_migration_attaches_the_files_a_log_names(tmp_path: Path) -> None:
    folder = tmp_path / "legado"
    (folder / "escaneos").mkdir(parents=True)
    store = siproc.MemoryStore()
    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    row = dict(ROW, Archivos="acta.pdf; escaneos/hoja.png\nfalta.pdf")

    def migrate() -> dict[str, Any]:
        report = siproc.import_legacy([(2, row)], source="log.csv", store=store, actor=ACTOR, now=now,
                                      files=folder)
        return report["rows"][0]

    def warnings(entry: dict[str, Any]) -> list[tuple[str, str]]:
        found = [(i["code"], i["path"]) for i in entry["issues"] if i["code"].startswith("legacy.file")]
        assert not any(name in i["message"] for i in entry["issues"] for name in ("acta", "hoja", "falta"))
        return found

    # None of the files there yet: the case is migrated, each file a warning by its position.
    first = migrate()
    assert first["outcome"] == "migrated"
    assert warnings(first) == [("legacy.file_missing", f"/files/{i}") for i in range(3)]
    case_id = first["case_id"]
    assert store.case(case_id)["attachments"] == []

    # Brought: a real PDF (the case's own form) and its page scanned (rendered by pdftoppm).
    pdf = store.generate_form(case_id, "intake_sheet", actor=ACTOR, now=now)
    (folder / "acta.pdf").write_bytes(pdf)
    subprocess.run(["pdftoppm", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", "-r", "300",
                    str(folder / "acta.pdf"), str(folder / "escaneos" / "hoja")], check=True)
    again = migrate()
    assert again["outcome"] == "already_imported"
    assert warnings(again) == [("legacy.file_missing", "/files/2")]
    case = store.case(case_id)
    assert [a["media_type"] for a in case["attachments"]] == ["application/pdf", "image/png"]
    assert store.attachment(case_id, case["attachments"][0]["sha256"])["content"] == pdf
    # The scan of the signed form is filed as its signed copy, as any upload is.
    assert case["forms"][0]["signed_copy"]["sha256"] == case["attachments"][1]["sha256"]
    # A third run adds nothing twice.
    migrate()
    assert len(store.case(case_id)["attachments"]) == 2
