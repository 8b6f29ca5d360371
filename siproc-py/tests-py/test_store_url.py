"""`siproc.open_store(url)`: the durable stores (SQLite, PostgreSQL) through the same methods as
`MemoryStore`, and the archive functions accepting them.

The PostgreSQL tests run on the private server `make test-py` starts (mk/with-pg.sh names it in
SIPROC_TEST_POSTGRES_URL); run alone without it, they are skipped with that reason."""

from __future__ import annotations

import io
import os
import sqlite3
import uuid
from pathlib import Path

import pytest

import siproc
from test_cases import NOW, OFFICER, missing_person

PG_URL = os.environ.get("SIPROC_TEST_POSTGRES_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="SIPROC_TEST_POSTGRES_URL is unset (make test-py sets it)")


def sqlite_url(tmp_path: Path, name: str = "cases.db") -> str:
    return f"sqlite:///{tmp_path / name}"


def exercise(store: siproc.Store) -> str:
    """Every method of a store, as test_cases.test_the_store does on MemoryStore; returns a case id."""
    before = len(store)
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    assert case["number"].startswith("MEX-2026-") and len(store) == before + 1
    after = store.run(case["id"], {"command": "add_note", "text": "x"}, actor=OFFICER, now=NOW)
    assert after["version"] == 2 and store.case(uuid.UUID(case["id"])) == after
    events = store.load(case["id"])
    assert [e["seq"] for e in events] == [1, 2] and store.history(case["id"]).case == after
    event = siproc.apply(events, {"command": "change_status", "to": "in_progress"}, actor=OFFICER, now=NOW)
    with pytest.raises(siproc.ConflictError) as raised:
        store.append(case["id"], 1, [event])
    assert (raised.value.code, raised.value.current) == ("store.conflict", 2)
    assert store.append(case["id"], 2, [event]) == 3
    assert store.append(case["id"], 2, [event]) == 3  # the same event again: idempotent
    assert case["number"] in [s["number"] for s in store.find(name="wilmer hernandez")]
    assert case["number"] in [s["number"] for s in store.find(status="in_progress", office="MEX")]
    summary = store.summary(case["id"])
    assert summary["version"] == 3 and "persons" not in summary
    pdf = store.generate_form(case["id"], "intake_sheet", actor=OFFICER, now=NOW)
    assert pdf.startswith(b"%PDF-") and store.load(case["id"])[-1]["kind"]["type"] == "form_generated"
    with pytest.raises(siproc.StoreError) as missing:
        store.load(str(uuid.uuid4()))
    assert missing.value.code == "store.not_found"
    return case["id"]


def test_a_sqlite_store_keeps_its_cases(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    store = siproc.open_store(url)
    assert isinstance(store, siproc.Store) and not isinstance(store, siproc.MemoryStore)
    assert isinstance(siproc.MemoryStore(), siproc.Store)
    case_id = exercise(store)
    events = store.load(case_id)
    assert repr(store) == "Store(cases=1)"
    del store
    again = siproc.open_store(url)
    assert len(again) == 1 and again.load(case_id) == events
    assert again.history(case_id).verify()["version"] == 4
    # A second handle on the same file sees the first one's writes, and numbering goes on.
    other = siproc.open_store(str(tmp_path / "cases.db"))
    second = other.open_case(missing_person(), actor=OFFICER, now=NOW)
    assert second["number"] == "MEX-2026-000002" and len(again) == 2


def test_archives_move_cases_between_any_stores(tmp_path: Path) -> None:
    source = siproc.open_store(sqlite_url(tmp_path, "a.db"))
    case_id = exercise(source)
    buffer = io.BytesIO()
    written = siproc.write_archive(buffer, source, now=NOW)
    assert (written["cases"], written["events"]) == (1, 4)
    data = buffer.getvalue()
    target = siproc.open_store(sqlite_url(tmp_path, "b.db"))
    assert siproc.verify_archive(data, store=target)["ok"]
    report = siproc.import_archive(data, target)
    assert (report["ok"], report["imported"]) == (True, 1)
    assert target.load(case_id) == source.load(case_id)
    assert siproc.import_archive(data, target)["unchanged"] == 1
    memory = siproc.MemoryStore()
    siproc.import_archive(data, memory)
    assert memory.load(case_id) == target.load(case_id)


def test_statistics_read_a_durable_store(tmp_path: Path) -> None:
    store = siproc.open_store(sqlite_url(tmp_path))
    exercise(store)
    tables = siproc.statistics(store, as_of=NOW)
    assert tables and all(isinstance(rows, list) for rows in tables.values())
    assert siproc.release(store, as_of=NOW)["k"] >= 1


def test_bad_urls_are_typed_errors_that_never_quote_the_url(tmp_path: Path) -> None:
    for url in ("", "ftp://example.invalid/cases", "sqlite://"):
        with pytest.raises(siproc.StoreError) as raised:
            siproc.open_store(url)
        assert raised.value.code == "store.bad_url"
    with pytest.raises(siproc.StoreError) as refused:
        siproc.open_store("postgresql://ministerio:s3cr3t-pw@127.0.0.1:9/casos?connect_timeout=2")
    assert refused.value.code.startswith("store.") and "s3cr3t" not in str(refused.value)
    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE payroll (id INTEGER)")
    with pytest.raises(siproc.StoreError) as corrupt:
        siproc.open_store(str(foreign))
    assert corrupt.value.code == "store.corrupt"
    with pytest.raises(TypeError):
        siproc.import_archive(b"", {"not": "a store"})  # type: ignore[arg-type]


@needs_pg
def test_a_postgresql_store_shared_by_two_handles() -> None:
    assert PG_URL is not None
    first, second = siproc.open_store(PG_URL), siproc.open_store(PG_URL)
    case_id = exercise(first)
    assert second.load(case_id) == first.load(case_id)
    assert second.history(case_id).verify()["version"] == 4
    buffer = io.BytesIO()
    siproc.write_archive(buffer, second, now=NOW)
    assert siproc.verify_archive(buffer.getvalue(), store=first)["ok"]


def test_the_access_log_lives_in_the_store_database(tmp_path: Path) -> None:
    """The records kept about access are the core's, in the one database the URL names: what
    Python writes, the reference server reads, and the other way round."""
    for spelling in ("sqlite:", "sqlite://", ""):
        path = tmp_path / f"{len(spelling)}" / "cases.db"
        store = siproc.open_store(f"{spelling}{path}")
        case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
        store.log_access(case["id"], actor=OFFICER, what="case", at=NOW)
        store.log_access(uuid.UUID(case["id"]), actor=OFFICER, what="history", access="office")
        del store
        reopened = siproc.open_store(f"sqlite:///{path}")
        log = reopened.access_log(case_id=case["id"])
        assert [e["what"] for e in log] == ["history", "case"]
        assert log[1]["user_id"] == OFFICER.user_id and log[1]["access"] == "office"
        assert reopened.access_log(user_id="nobody") == []
        assert sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(("-wal", "-shm"))) == ["cases.db"]
        with sqlite3.connect(path) as db:
            assert db.execute("SELECT COUNT(*) FROM server_access_log").fetchone() == (2,)


def test_a_bad_access_log_line_is_refused_with_a_code() -> None:
    store = siproc.MemoryStore()
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    with pytest.raises(siproc.MalformedError) as bad:
        store.log_access(case["id"], actor=OFFICER, what="everything")
    assert bad.value.code == "access.bad_what"
    with pytest.raises(siproc.MalformedError) as bad:
        store.log_access(case["id"], actor=OFFICER, what="case", access="because")
    assert bad.value.code == "access.bad_access"
    store.log_access(case["id"], actor=OFFICER, what="case")
    assert len(store.access_log()) == 1


@needs_pg
def test_the_access_log_on_postgres() -> None:
    assert PG_URL
    store = siproc.open_store(PG_URL)
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    store.log_access(case["id"], actor=OFFICER, what="forms")
    assert [e["what"] for e in store.access_log(case_id=case["id"])] == ["forms"]


def test_an_encrypted_store_opens_with_its_key_file_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`open_store(url, master_key_file=…)` (or SIPROC_MASTER_KEY_FILE): a new file is encrypted,
    keeps working through every method, shows no personal value on disk, and refuses to open
    without its key or with another, quoting neither the key nor its path."""
    monkeypatch.delenv("SIPROC_MASTER_KEY_FILE", raising=False)
    key, other = tmp_path / "master.key", tmp_path / "other.key"
    key.write_text(os.urandom(32).hex() + "\n")
    other.write_text(os.urandom(32).hex())
    url = sqlite_url(tmp_path)
    store = siproc.open_store(url, master_key_file=key)
    case_id = exercise(store)
    del store
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("cases.db*"))
    for value in ("Wilmer", "wilmer", "Hern", "hernandez"):
        assert value.encode() not in raw, value
    for kwargs, code in (({}, "store.key_required"), ({"master_key_file": other}, "store.wrong_key")):
        with pytest.raises(siproc.StoreError) as refused:
            siproc.open_store(url, **kwargs)
        assert refused.value.code == code
        assert str(tmp_path) not in str(refused.value)
    bad = tmp_path / "bad.key"
    bad.write_text("not a key")
    with pytest.raises(siproc.StoreError) as malformed:
        siproc.open_store(url, master_key_file=bad)
    assert malformed.value.code == "store.key_file" and "not a key" not in str(malformed.value)
    monkeypatch.setenv("SIPROC_MASTER_KEY_FILE", str(key))
    again = siproc.open_store(url)
    assert again.case(uuid.UUID(case_id))["persons"][0]["given_names"]
    # A key given to a store of clear cases: convert it first.
    clear = sqlite_url(tmp_path, "clear.db")
    monkeypatch.delenv("SIPROC_MASTER_KEY_FILE")
    exercise(siproc.open_store(clear))
    with pytest.raises(siproc.StoreError) as unencrypted:
        siproc.open_store(clear, master_key_file=key)
    assert unencrypted.value.code == "store.unencrypted"
