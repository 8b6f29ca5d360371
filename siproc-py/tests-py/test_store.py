"""Durable stores: ``siproc.open_store`` gives the same store as ``MemoryStore``, on SQLite (and
PostgreSQL when ``SIPROC_TEST_POSTGRES_URL`` names a server, as ``make test-store`` does for the
Rust tests)."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest

import siproc
from test_cases import NOW, OFFICER, missing_person

Opener = Callable[[], siproc.Store]


def stores(tmp_path: Path) -> list[tuple[str, Opener]]:
    found: list[tuple[str, Opener]] = [
        ("memory", siproc.MemoryStore),
        ("memory:", lambda: siproc.open_store("memory:")),
        ("sqlite", lambda: siproc.open_store(f"sqlite://{tmp_path / 'cases.db'}")),
        ("plain path", lambda: siproc.open_store(str(tmp_path / "plain.db"))),
    ]
    return found


@pytest.mark.parametrize("kind", ["memory", "memory:", "sqlite", "plain path"])
def test_every_store_has_the_same_methods(tmp_path: Path, kind: str) -> None:
    store = dict(stores(tmp_path))[kind]()
    assert isinstance(store, siproc.Store) and len(store) == 0
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    assert case["number"] == "MEX-2026-000001" and len(store) == 1
    after = store.run(case["id"], {"command": "add_note", "text": "x"}, actor=OFFICER, now=NOW)
    assert after["version"] == 2 and store.case(uuid.UUID(case["id"])) == after
    events = store.load(case["id"])
    assert [e["seq"] for e in events] == [1, 2] and store.history(case["id"]).case == after
    event = siproc.apply(events, {"command": "change_status", "to": "in_progress"},
                         actor=OFFICER, now=NOW)
    with pytest.raises(siproc.ConflictError) as raised:
        store.append(case["id"], 1, [event])
    assert raised.value.current == 2
    assert store.append(case["id"], 2, [event]) == 3
    assert store.append(case["id"], 2, [event]) == 3
    for _ in range(4):
        store.open_case(missing_person(), actor=OFFICER, now=NOW)
    assert [s["number"] for s in store.find(name="wilmer hernandez", limit=2)] == [
        "MEX-2026-000001", "MEX-2026-000002"]
    page = store.find(limit=2, after="MEX-2026-000002")
    assert [s["number"] for s in page] == ["MEX-2026-000003", "MEX-2026-000004"]
    assert [s["number"] for s in store.find(status="in_progress")] == ["MEX-2026-000001"]
    assert store.summary(case["id"])["version"] == 3
    pdf = store.generate_form(case["id"], "intake_sheet", actor=OFFICER, now=NOW)
    assert pdf.startswith(b"%PDF-") and store.summary(case["id"])["version"] == 4
    with pytest.raises(siproc.StoreError) as missing:
        store.load(str(uuid.uuid4()))
    assert missing.value.code == "store.not_found"


def test_archives_move_between_any_stores(tmp_path: Path) -> None:
    source = siproc.MemoryStore()
    for _ in range(3):
        source.open_case(missing_person(), actor=OFFICER, now=NOW)
    path = tmp_path / "cases.jsonl"
    siproc.write_archive(path, source, now=NOW)
    durable = siproc.open_store(f"sqlite://{tmp_path / 'cases.db'}")
    assert siproc.import_archive(path, durable)["imported"] == 3
    assert siproc.import_archive(path, durable)["unchanged"] == 3  # nothing twice
    assert siproc.verify_archive(path, store=durable)["ok"]
    again = tmp_path / "again.jsonl"
    assert siproc.write_archive(again, durable, now=NOW)["cases"] == 3
    assert again.read_bytes() == path.read_bytes()
    # Reopened, the cases are there and numbering goes on.
    del durable
    reopened = siproc.open_store(str(tmp_path / "cases.db"))
    assert len(reopened) == 3
    case = reopened.open_case(missing_person(), actor=OFFICER, now=NOW)
    assert case["number"] == "MEX-2026-000004"


def test_bad_urls_and_files_raise_typed_errors(tmp_path: Path) -> None:
    for url, code in [("mysql://u:secret@h/db", "store.bad_url"), ("", "store.bad_url")]:
        with pytest.raises(siproc.StoreError) as raised:
            siproc.open_store(url)
        assert raised.value.code == code and "secret" not in str(raised.value)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"\x5a" * 8192)
    with pytest.raises(siproc.StoreError) as corrupt:
        siproc.open_store(str(garbage))
    assert corrupt.value.code == "store.corrupt"
    newer = tmp_path / "newer.db"
    siproc.open_store(str(newer))
    with sqlite3.connect(newer) as conn:
        conn.execute("PRAGMA user_version = 99")
    with pytest.raises(siproc.StoreError) as raised:
        siproc.open_store(str(newer))
    assert raised.value.code == "store.newer_schema"
    with pytest.raises(TypeError):
        siproc.open_store(42)  # type: ignore[arg-type]


def test_a_changed_event_on_disk_names_the_case(tmp_path: Path) -> None:
    db = tmp_path / "cases.db"
    store = siproc.open_store(str(db))
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE events SET body = replace(body, 'u-17', 'u-18')")
    with pytest.raises(siproc.TamperError) as raised:
        store.load(case["id"])
    assert raised.value.code == "history.changed" and raised.value.case_id == case["id"]
    assert "Wilmer" not in str(raised.value)


@pytest.mark.skipif("SIPROC_TEST_POSTGRES_URL" not in os.environ,
                    reason="no PostgreSQL server named (make test-py starts one)")
def test_postgres_store() -> None:
    store = siproc.open_store(os.environ["SIPROC_TEST_POSTGRES_URL"])
    before = len(store)
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    assert len(store) == before + 1
    assert store.history(case["id"]).case == store.case(case["id"])
