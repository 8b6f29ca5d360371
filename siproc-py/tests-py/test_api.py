"""The Python API: conversions, result objects, exceptions, bulk work and duplicates."""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import json
import math
from pathlib import Path
from typing import Any

import pytest

import siproc
from conftest import ROOT


def intake(**changes: Any) -> dict[str, Any]:
    """A valid detention intake (the corpus's first valid case), with `changes` applied."""
    record: dict[str, Any] = {
        "office": "TAP",
        "category": "detention",
        "opened_on": "2026-03-02",
        "persons": [
            {
                "role": "national",
                "given_names": "María José",
                "surnames": "Núñez Güity",
                "birth_date": "1994-07-21",
                "nationality": "HN",
                "documents": [{"kind": "hn_dni", "number": "0801-1994-04512"}],
                "contacts": [{"kind": "phone", "value": "+504 9876-5432"}],
            }
        ],
        "consent": {"given": True, "given_by": 0, "recorded_on": "2026-03-02",
                    "scope": ["processing"]},
        "facts": {"authority": "Instituto Nacional de Migración", "facility": "Siglo XXI",
                  "detention_kind": "immigration", "arrest_date": "2026-02-27"},
    }
    record.update(changes)
    return record


def test_a_valid_record_gives_an_ok_report() -> None:
    report = siproc.validate(intake())
    assert report.ok and report.issues == ()
    assert report.to_dict() == {"ok": True, "issues": []}
    assert repr(report) == "Report(ok=True, issues=[])"


def test_dates_may_be_date_objects_and_midnight_datetimes() -> None:
    record = intake(opened_on=dt.date(2026, 3, 2))
    record["persons"][0]["birth_date"] = dt.datetime(1994, 7, 21)  # a pandas Timestamp, say
    record["facts"]["arrest_date"] = dt.date(2026, 2, 27)
    assert siproc.validate(record) == siproc.validate(intake())
    record["facts"]["arrest_date"] = dt.datetime(2026, 2, 27, 13, 30)
    issues = siproc.validate(record).issues
    assert [(i.code, i.path) for i in issues] == [("fact.wrong_type", "/facts/arrest_date")]


def test_nan_is_a_blank_cell() -> None:
    record = intake()
    record["persons"][0]["birth_date"] = math.nan
    record["facts"]["charges"] = float("nan")
    assert siproc.validate(record).ok


def test_unsupported_values_are_reported_where_they_are() -> None:
    record = intake()
    record["persons"][0]["given_names"] = {1, 2}
    record["persons"][0]["surnames"] = b"bytes"
    issues = siproc.validate(record).issues
    assert {(i.code, i.path) for i in issues} == {
        ("json.bad_value", "/persons/0/given_names"),
    }


def test_issues_are_frozen_comparable_and_hashable() -> None:
    record = intake()
    record["persons"][0]["documents"][0]["number"] = "1901-1994-04512"
    report = siproc.validate(record, locale="en")
    (issue,) = report.issues
    assert (issue.code, issue.path, issue.severity) == (
        "dni.bad_department", "/persons/0/documents/0/number", "error")
    assert issue.message.startswith("The DNI")
    assert issue.to_dict() == {"code": issue.code, "path": issue.path,
                               "severity": "error", "message": issue.message}
    assert len({issue, siproc.validate(record, locale="en").issues[0]}) == 1
    with pytest.raises(AttributeError):
        issue.code = "x"  # type: ignore[misc]
    assert "1901" not in repr(issue) + issue.message
    assert not dataclasses.is_dataclass(issue)


def test_validation_error_carries_the_report_and_no_personal_value() -> None:
    record = intake()
    record["persons"][0]["documents"][0]["number"] = "9999-1994-04512"
    with pytest.raises(ValueError) as raised:
        siproc.validate(record, raise_on_error=True)
    err = raised.value
    assert isinstance(err, siproc.ValidationError) and isinstance(err, siproc.SiprocError)
    assert err.code == "validation.failed"
    assert [i.code for i in err.report.issues] == ["dni.bad_department"]
    assert "dni.bad_department at /persons/0/documents/0/number" in str(err)
    assert "9999" not in str(err) and "Núñez" not in str(err)
    # Warnings alone do not raise.
    warned = intake()
    del warned["consent"]
    assert siproc.validate(warned, raise_on_error=True).issues[0].code == "consent.missing"


def test_exceptions_share_a_base_with_codes() -> None:
    for cls in (siproc.ValidationError, siproc.CatalogError, siproc.ConflictError,
                siproc.TamperError, siproc.WorkflowError, siproc.StoreError, siproc.FormError,
                siproc.MalformedError):
        assert issubclass(cls, siproc.SiprocError)
    assert issubclass(siproc.ValidationError, ValueError)
    assert issubclass(siproc.MalformedError, ValueError)
    assert siproc.ConflictError("x").code == "store.conflict"
    assert siproc.TamperError("x").code == "history.tampered"


def test_json_text_and_bytes_validate_like_dicts() -> None:
    text = json.dumps(intake(), ensure_ascii=False)
    assert siproc.validate(text) == siproc.validate(intake())
    assert siproc.validate(text.encode()) == siproc.validate(intake())
    (issue,) = siproc.validate(b'{"office": "T\xff"}').issues
    assert issue.code == "json.syntax"


def test_validate_many_takes_lists_iterables_and_json_lines() -> None:
    bad = intake(office="XXX")
    records = [intake(), bad, "not json", {"opened_on": 3}]
    reports = siproc.validate_many(records)
    assert [r.ok for r in reports] == [True, False, False, False]
    assert reports == [siproc.validate(r) for r in records]
    assert siproc.validate_many(iter(records)) == reports
    assert siproc.validate_many(tuple(records)) == reports
    lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in (intake(), bad)) + "\n"
    assert siproc.validate_many(lines.encode()) == reports[:2]
    assert siproc.validate_many(lines) == reports[:2]
    assert siproc.validate_many(b"") == []
    assert [r.issues[0].code for r in siproc.validate_many(b"\n\n")] == ["json.syntax"] * 2
    with pytest.raises(TypeError):
        siproc.validate_many(42)  # type: ignore[arg-type]


def test_locales() -> None:
    record = intake(office="XXX")
    es = siproc.validate(record).issues[0].message
    en = siproc.validate(record, locale="en-US").issues[0].message
    assert es != en
    with pytest.raises(ValueError):
        siproc.validate(record, locale="fr")


def test_documents() -> None:
    assert siproc.check_document("hn_dni", "0801 1990 12345").ok
    report = siproc.check_document("hn_dni", "0801-1990-1234")
    assert [i.code for i in report.issues] == ["dni.bad_length"]
    assert siproc.check_document("xx", "1").issues[0].code == "document.unknown_kind"
    assert siproc.normalize_document("hn_dni", "0801199012345") == "0801-1990-12345"
    assert siproc.normalize_document("hn_dni", "12") is None
    assert siproc.normalize_document("nope", "12") is None


def test_parse_mrz() -> None:
    lines = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
             "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    fields = siproc.parse_mrz(lines)
    assert fields["birth_date"] == dt.date(1974, 8, 12)
    assert fields["surnames"] == "ERIKSSON"
    assert siproc.parse_mrz("\n".join(lines)) == fields
    with pytest.raises(siproc.ValidationError) as raised:
        siproc.parse_mrz([lines[0], lines[1][:-1] + "1"])
    assert [i.code for i in raised.value.report.issues] == ["mrz.bad_composite_check"]


def test_normalize() -> None:
    record = intake()
    record["persons"][0]["given_names"] = "  María   José "
    record["persons"][0]["documents"][0]["number"] = "0801199404512"
    record["flags"] = []
    out = siproc.normalize(record)
    person = out["persons"][0]
    assert person["given_names"] == "María José"
    assert person["documents"][0]["number"] == "0801-1994-04512"
    assert person["contacts"][0]["value"] == "+50498765432"
    assert out["priority"] == "normal"
    assert siproc.normalize(out) == out
    json.dumps(out)
    with pytest.raises(siproc.ValidationError):
        siproc.normalize("{")


def test_catalogs() -> None:
    hn = siproc.Catalog.default()
    assert (hn.id, hn.country) == ("hn", "HN")
    assert {c["code"] for c in hn.to_dict()["categories"]} >= {"detention", "missing_person"}
    gt = siproc.Catalog.builtin("gt")
    assert siproc.Catalog.load(ROOT / "siproc-core" / "packs" / "gt").to_dict() == gt.to_dict()
    record = intake()
    record["office"] = "DGPHM"  # the Honduran directorate
    assert siproc.validate(record).ok and not siproc.validate(record, catalog=gt).ok
    with pytest.raises(siproc.CatalogError) as raised:
        siproc.Catalog.load(ROOT / "no-such-pack")
    assert raised.value.code == "catalog.missing_file"
    with pytest.raises(siproc.CatalogError) as raised:
        siproc.Catalog.builtin("zz")
    assert raised.value.code == "siproc.unknown_catalog"
    assert siproc.builtin_packs()[:2] == ["hn", "gt"]
    with pytest.raises(ValueError) as bad_locale:
        siproc.validate(record, locale="fr")
    assert isinstance(bad_locale.value, siproc.MalformedError)
    assert bad_locale.value.code == "siproc.unknown_locale"
    with pytest.raises(TypeError):
        siproc.validate(record, catalog="hn")  # type: ignore[arg-type]


def test_a_broken_pack_names_the_file(tmp_path: Path) -> None:
    pack = ROOT / "siproc-core" / "packs" / "gt"
    for f in pack.iterdir():
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "offices.json").write_text("[{", encoding="utf-8")
    with pytest.raises(siproc.CatalogError) as raised:
        siproc.Catalog.load(str(tmp_path))
    assert raised.value.code == "catalog.bad_json"
    assert "offices.json" in str(raised.value)


def test_a_broken_pack_reports_every_problem(tmp_path: Path) -> None:
    pack = ROOT / "siproc-core" / "packs" / "mx"
    for f in pack.glob("*.json"):
        (tmp_path / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    offices = json.loads((tmp_path / "offices.json").read_text(encoding="utf-8"))
    offices[3]["time_zone"] = "America/Atlantis"
    (tmp_path / "offices.json").write_text(json.dumps(offices), encoding="utf-8")
    sla = json.loads((tmp_path / "sla.json").read_text(encoding="utf-8"))
    sla["ghost"] = {"first_contact_hours": 1, "resolution_days": 1}
    del sla["civil"]
    (tmp_path / "sla.json").write_text(json.dumps(sla), encoding="utf-8")
    with pytest.raises(siproc.CatalogError) as raised:
        siproc.Catalog.load(tmp_path)
    problems = raised.value.problems
    assert {(p["code"], p["file"], p["entry"]) for p in problems} == {
        ("catalog.bad_value", "offices.json", offices[3]["code"]),
        ("catalog.unknown_reference", "sla.json", "civil"),
        ("catalog.unknown_reference", "sla.json", "ghost"),
    }
    assert all(set(p) == {"code", "file", "entry", "reason"} for p in problems)
    assert raised.value.code == problems[0]["code"]
    assert len(str(raised.value).splitlines()) == 3


def test_the_salvadoran_and_mexican_packs() -> None:
    sv, mx = siproc.Catalog.builtin("sv"), siproc.Catalog.builtin("mx")
    assert (sv.country, mx.country) == ("SV", "MX")
    assert siproc.Catalog.load(ROOT / "siproc-core" / "packs" / "mx").to_dict() == mx.to_dict()
    areas = [c["code"] for c in mx.to_dict()["categories"]]
    assert areas == ["human_rights", "criminal", "immigration", "civil", "labour", "administrative"]
    assert "mx_clave_elector" in mx.to_dict()["pack"]["documents"]
    assert siproc.check_document("mx_clave_elector", "GMCRMR90021507M300").ok
    assert [i.code for i in siproc.check_document("mx_clave_elector", "GMCRMR90023007M300").issues] == [
        "clave_elector.bad_date"
    ]


def test_list_rules() -> None:
    rules = siproc.list_rules()
    codes = [r["code"] for r in rules]
    assert codes == sorted(codes) and "dni.bad_department" in codes
    assert set(rules[0]) == {"code", "severity", "description", "es", "en"}


def person_record(given: str, surnames: str, birth: Any = None, dni: str | None = None) -> dict:
    record = intake()
    person = record["persons"][0]
    person.update(given_names=given, surnames=surnames, birth_date=birth)
    person["documents"] = [{"kind": "hn_dni", "number": dni}] if dni else []
    return record


def test_find_duplicates() -> None:
    records = [
        person_record("José Luis", "Hernández López", "1988-02-03", "0801-1988-00123"),
        person_record("JOSE LUIS", "HERNANDEZ LOPEZ", dt.date(1988, 2, 3)),
        person_record("Ana", "Reyes", None, "0801198800123"),
        "not an intake",
        person_record("Jose Luis", "Hernandes Lopez", None),
        person_record("Carlos", "Mejía", "1970-01-01"),
    ]
    pairs = siproc.find_duplicates(records)
    found = {(p.a, p.b): p.reasons for p in pairs}
    assert found == {
        (0, 1): ("same_name_and_birth_date",),
        (0, 2): ("same_document",),
        (0, 4): ("similar_name",),
        (1, 4): ("similar_name",),
    }
    by_pair = {(p.a, p.b): p for p in pairs}
    assert by_pair[(0, 1)].score == 0.95 and by_pair[(0, 2)].score == 0.9
    assert 0.8 < by_pair[(0, 4)].score < 0.9
    assert by_pair[(0, 1)].to_dict() == {"a": 0, "b": 1, "score": 0.95,
                                         "reasons": ["same_name_and_birth_date"]}
    assert siproc.duplicate_clusters(pairs) == [[0, 1, 2, 4]]
    lines = "\n".join(r if isinstance(r, str) else json.dumps(r, default=str) for r in records)
    assert siproc.find_duplicates(lines.encode()) == pairs
    assert "Hern" not in repr(pairs)


def test_records_are_not_changed() -> None:
    record = intake(opened_on=dt.date(2026, 3, 2))
    before = copy.deepcopy(record)
    siproc.validate(record)
    siproc.normalize(record)
    siproc.find_duplicates([record, record])
    assert record == before
