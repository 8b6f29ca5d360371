"""Statistics and disclosure-controlled releases through the Python API."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
from typing import Any

import pytest

import siproc
from conftest import CORPUS

UTC = dt.timezone.utc
AS_OF = dt.datetime(2026, 12, 31, tzinfo=UTC)


def intake(name: str) -> dict[str, Any]:
    cases = json.loads((CORPUS / "intake" / "valid.json").read_text(encoding="utf-8"))["cases"]
    return copy.deepcopy(next(c["intake"] for c in cases if c["name"] == name))


@pytest.fixture(scope="module")
def store() -> siproc.MemoryStore:
    """24 detention cases at TAP (opened in March) and 3 missing persons at MEX (August)."""
    store = siproc.MemoryStore()
    for n, (name, office) in enumerate(
        [("valid detention", "TAP")] * 24 + [("valid missing_person", "MEX")] * 3
    ):
        actor = siproc.Actor("u-1", "officer", office)
        record = intake(name)
        opened_at = dt.datetime.fromisoformat(record["opened_on"] + "T12:00:00+00:00")
        case = store.open_case(record, actor=actor, now=opened_at)
        if n % 2 == 0:
            store.run(case["id"], {"command": "change_status", "to": "in_progress"},
                      actor=actor, now=opened_at + dt.timedelta(hours=2 + n))
    return store


def test_statistics_are_rows_of_plain_values(store: siproc.MemoryStore) -> None:
    stats = siproc.statistics(store, as_of=AS_OF)
    rows = stats["cases_by_category_month"]
    assert {(r["category"], r["month"], r["count"]) for r in rows if r["count"]} == {
        ("detention", "2026-03", 24), ("missing_person", "2026-08", 3)}
    # Every row is flat: strings and numbers only (pandas.DataFrame(rows) takes it as is).
    for table in stats.values():
        for row in table:
            assert all(isinstance(v, (str, int, float)) for v in row.values()), row
    by_office = {(r["office"], r["status"]): r["count"] for r in stats["cases_by_office_status"]}
    assert by_office[("TAP", "in_progress")] == 12 and by_office[("MEX", "registered")] == 1
    first = {r["category"]: r for r in stats["hours_to_first_action_by_category"]}
    assert first["detention"]["count"] == 12 and first["detention"]["median"] == 13.0
    assert sum(r["count"] for r in stats["cases_opened_by_month"]) == 27


def test_a_release_suppresses_small_counts(store: siproc.MemoryStore) -> None:
    release = siproc.release(store, k=10, as_of=AS_OF)
    assert release["k"] == 10
    assert release["parameters"] == {"catalog": "hn", "from": None, "to": None,
                                      "as_of": "2026-12-31T00:00:00Z"}
    table = next(t for t in release["tables"] if t["name"] == "cases_by_category_month")
    assert table["dimensions"] == ["category", "month"]
    cells = {(c["category"], c["month"]): c for c in table["cells"]}
    assert cells[("missing_person", "2026-08")] == {
        "category": "missing_person", "month": "2026-08", "count": None, "suppressed": True}
    assert cells[("missing_person", "2026-03")]["count"] == 0  # zeros are published
    # The detention cell would give the small one away through the margins: it goes too.
    assert cells[("detention", "2026-03")]["suppressed"] is True
    assert {"count": 27} in table["totals"]
    # Nothing says why a cell was suppressed.
    for t in release["tables"]:
        for c in t["cells"] + t["totals"]:
            assert set(c) - set(t["dimensions"]) <= {"count", "suppressed", "median", "p90"}
    # The pack's k is the default.
    assert siproc.release(store, as_of=AS_OF)["k"] == 10


def test_release_csv_and_parameters(store: siproc.MemoryStore) -> None:
    text = siproc.release_csv(store, 10, as_of=AS_OF, date_from="2026-08-01",
                              date_to=dt.date(2026, 12, 31))
    rows = list(csv.DictReader(io.StringIO(text)))
    grand = [r for r in rows if r["table"] == "cases_opened_by_month" and not r["dimension_1"]]
    assert grand == [{"table": "cases_opened_by_month", "dimension_1": "", "value_1": "",
                      "dimension_2": "", "value_2": "", "count": "", "suppressed": "true",
                      "median": "", "p90": ""}]
    with pytest.raises(ValueError):
        siproc.release(store, 1, as_of=AS_OF)
    with pytest.raises(ValueError):
        siproc.statistics(store, date_from="2026-09-01", date_to="2026-08-01", as_of=AS_OF)
    with pytest.raises(TypeError):
        siproc.statistics({}, as_of=AS_OF)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        siproc.statistics(store, date_from="yesterday")
