"""The migration example (examples/python/migrate_legacy.py), run as a user runs it."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import siproc
from conftest import ROOT

SCRIPT = ROOT / "examples" / "python" / "migrate_legacy.py"
LEGACY = ROOT / "examples" / "python" / "data" / "legado_consulado.csv"
HEADER = ["No.", "Fecha", "Consulado", "Tipo de caso", "Nombre completo", "Identidad",
          "Fecha de nacimiento", "Sexo", "Teléfono", "Correo", "País", "Lugar", "Observaciones"]
DETENTION = ("Autoridad que detiene: ICE; Tipo de detención: migratoria; "
             "Fecha de detención: 02/03/2021; Familia informada")
ROWS = [
    # 2: valid; 3: the same person in capitals, without accents or dashes, another date format.
    ["1", "05/03/2021", "Consulado de Miami", "Detenido", "Ana Lucía Peña Güity", "0801-1990-12345",
     "14/02/1990", "F", "9876-5432", "ana.pena@example.org", "Estados Unidos",
     "Centro de Detención Krome", DETENTION],
    ["2", "2021-03-06", "MIAMI", "DETENCION", "ANA LUCIA PENA GUITY", "0801199012345",
     "14-02-90", "Mujer", "", "", "EEUU", "Krome", DETENTION],
    # 4: a DNI with a department that does not exist.
    ["3", "07/03/2021", "Houston TX", "Deportado", "Wilmer Josué Cálix Turcios", "1901-1985-00077",
     "1985-06-01", "M", "", "", "USA", "", "Fecha de retorno: 01/03/2021; Punto de ingreso: Corinto"],
    # 5: blank; 6: broken; 7: a date nobody can read; 8: a case type nobody can map.
    [""] * 13,
    ["4", "PENDIENTE"],
    ["5", "ayer", "MIAMI", "Detenido", "Carlos Mejía", "", "", "M", "", "", "USA", "", ""],
    ["6", "08/03/2021", "MIAMI", "Consulta general", "Rosa Amaya", "0501-1980-00012", "", "F",
     "", "", "USA", "", ""],
    # 9: the first person again, surnames first with a typing error, no birth date.
    ["7", "9 de marzo de 2021", "Consulado de Miami", "Detenido", "Pena Guiti, Ana Lucia", "",
     "", "F", "", "", "USA", "Krome", DETENTION],
]
PERSONAL = ["Ana Lucía", "Peña", "PENA GUITY", "0801", "12345", "9876", "ana.pena", "Wilmer",
            "Cálix", "1901-1985", "Carlos Mejía", "Rosa Amaya", "0501", "14/02/1990", "Krome", "ICE"]


def run(source: Path, out: Path, *extra: str) -> tuple[dict[str, Any], subprocess.CompletedProcess[str]]:
    done = subprocess.run([sys.executable, str(SCRIPT), str(source), "--out", str(out), *extra],
                          capture_output=True, text=True, timeout=300, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1]), done


@pytest.fixture()
def fixture_csv(tmp_path: Path) -> Path:
    path = tmp_path / "legado.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADER)
        w.writerows(ROWS)
    return path


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_a_small_log(fixture_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    counts, done = run(fixture_csv, out, "--no-progress")
    assert counts == {"rows": 8, "blank": 1, "valid": 3, "with_errors": 4, "problems": 4,
                      "warnings": counts["warnings"], "duplicate_pairs": 3, "duplicate_groups": 1,
                      "archive_digest": counts["archive_digest"]}

    errors = read_csv(out / "errors.csv")
    found = {(e["row"], e["code"], e["path"]) for e in errors if e["severity"] == "error"}
    assert found == {
        ("4", "dni.bad_department", "/persons/0/documents/0/number"),
        ("6", "legacy.bad_columns", ""),
        ("7", "legacy.unreadable_date", "/opened_on"),
        ("8", "category.unknown", "/category"),
    }
    assert {e["no"] for e in errors if e["row"] == "4"} == {"3"}
    assert ("5", "legacy.blank_row") in {(e["row"], e["code"]) for e in errors}

    pairs = read_csv(out / "duplicates.csv")
    assert {(p["row_a"], p["row_b"], p["reasons"]) for p in pairs} == {
        ("2", "3", "same_document+same_name_and_birth_date"),
        ("2", "9", "similar_name"),
        ("3", "9", "similar_name"),
    }
    assert [p["score"] for p in pairs][0] == "1.000" and {p["group"] for p in pairs} == {"1"}

    # cases.jsonl is a verified archive of the valid rows, opened as cases by the migration actor.
    archive = out / "cases.jsonl"
    assert siproc.verify_archive(archive) == {"ok": True, "cases": 3, "rejected": [], "file": []}
    assert json.loads(archive.read_text(encoding="utf-8").splitlines()[-1])["digest"] == counts["archive_digest"]
    histories = siproc.read_archive(archive)
    year = histories[0].number.split("-")[1]  # the year of the migration
    assert [h.number for h in histories] == [f"MIA-{year}-00000{k}" for k in (1, 2, 3)]
    for history in histories:
        assert history.version == 1 and history.status == "registered"
        assert history.events[0]["actor"] == {"user_id": "migracion-legado", "role": "directorate",
                                              "office": "DGPHM"}
    cases = [h.case for h in histories]
    first = cases[0]
    assert first["office"] == "MIA" and first["category"] == "detention"
    assert first["opened_on"] == "2021-03-05"
    assert first["facts"] == {"authority": "ICE", "detention_kind": "immigration",
                              "arrest_date": "2021-03-02", "facility": "Centro de Detención Krome"}
    national = first["persons"][0]
    assert (national["given_names"], national["surnames"]) == ("Ana Lucía", "Peña Güity")
    assert national["documents"] == [{"kind": "hn_dni", "number": "0801-1990-12345"}]
    assert national["contacts"][0] == {"kind": "phone", "value": "+50498765432", "country": "HN"}
    assert cases[2]["persons"][0]["surnames"] == "Pena Guiti"
    # Each migrated case traces back to its spreadsheet row.
    numbers = read_csv(out / "case_numbers.csv")
    assert [(n["row"], n["no"], n["number"]) for n in numbers] == [
        ("2", "1", histories[0].number), ("3", "2", histories[1].number), ("9", "7", histories[2].number)]
    assert [n["case_id"] for n in numbers] == [h.id for h in histories]
    # The server imports it as it is.
    store = siproc.MemoryStore()
    assert siproc.import_archive(archive, store)["imported"] == 3


def test_a_tampered_archive_is_detected(fixture_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(fixture_csv, out, "--no-progress")
    data = (out / "cases.jsonl").read_bytes()
    at = data.index("Krome".encode())
    tampered = data[:at] + b"C" + data[at + 1:]  # one byte of a sealed personal value
    report = siproc.verify_archive(tampered)
    assert not report["ok"]
    assert [r["code"] for r in report["rejected"]] == ["history.changed"]
    with pytest.raises(siproc.TamperError):
        siproc.read_archive(tampered)
    store = siproc.MemoryStore()
    assert not siproc.import_archive(tampered, store)["written"] and len(store) == 0


def test_no_personal_value_reaches_the_reports(fixture_csv: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    run(fixture_csv, out, "--no-progress", "--locale", "en")
    for name in ("errors.csv", "duplicates.csv", "case_numbers.csv"):
        text = (out / name).read_text(encoding="utf-8")
        for value in PERSONAL:
            assert value not in text, f"{name} quotes personal data"
    assert "The DNI" in (out / "errors.csv").read_text(encoding="utf-8")


def test_the_shipped_log(tmp_path: Path) -> None:
    out = tmp_path / "out"
    counts, done = run(LEGACY, out)
    assert "Validando" in done.stderr and "100%" in done.stderr  # the progress bar
    assert counts["rows"] >= 2000
    assert counts["valid"] + counts["with_errors"] + counts["blank"] == counts["rows"]
    assert counts["valid"] > counts["rows"] // 2 and counts["with_errors"] > counts["rows"] // 10
    assert counts["duplicate_pairs"] > 100
    assert siproc.verify_archive(out / "cases.jsonl") == {
        "ok": True, "cases": counts["valid"], "rejected": [], "file": []}
    histories = siproc.read_archive(out / "cases.jsonl")
    assert len(histories) == counts["valid"]
    assert {h.status for h in histories} == {"registered"}
    reasons = {p["reasons"] for p in read_csv(out / "duplicates.csv")}
    assert {"same_document+same_name_and_birth_date", "similar_name"} <= reasons
    # Nothing personal from the log reaches the problem and duplicate reports.
    with LEGACY.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    values = {row.get(c) or "" for row in rows for c in ("Nombre completo", "Identidad", "Teléfono", "Correo")}
    # "no tiene" (none) stands in some cells: the words are the log's, not a person's.
    values = {v for v in values if len(v) >= 6 and v.lower() != "no tiene"}
    reports = (out / "errors.csv").read_text(encoding="utf-8") + (out / "duplicates.csv").read_text(encoding="utf-8")
    assert not [v for v in values if v in reports]
