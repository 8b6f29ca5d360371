"""Cases, histories, the in-memory store, archives and forms through the Python API."""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest

import siproc
from conftest import CORPUS

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 8, 20, 15, 0, tzinfo=UTC)
OFFICER = siproc.Actor("u-17", "officer", "MEX")
SUPERVISOR = siproc.Actor("u-2", "supervisor", "MEX")


def corpus_intake(name: str) -> dict[str, Any]:
    cases = json.loads((CORPUS / "intake" / "valid.json").read_text(encoding="utf-8"))["cases"]
    return copy.deepcopy(next(c["intake"] for c in cases if c["name"] == name))


def missing_person() -> dict[str, Any]:
    """A valid intake of a sensitive category (closing it needs a supervisor's approval)."""
    return corpus_intake("valid missing_person")


def opened() -> siproc.CaseHistory:
    return siproc.open_case(missing_person(), actor=OFFICER, number="MEX-2026-000001", now=NOW)


def facts_salt(history: siproc.CaseHistory) -> str:
    salt: str = history.events[0]["kind"]["data"]["facts"]["salt"]
    return salt


@pytest.mark.skipif(not hasattr(os, "fork"), reason="the platform cannot fork")
def test_a_forked_child_draws_salts_of_its_own() -> None:
    """Salts come from a per-thread generator: without the package's fork hook a child would
    repeat its parent's next salts (the same generator state on both sides)."""
    assert facts_salt(opened()) != facts_salt(opened())  # the parent's generator is in use
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: one salt to the parent, then out without running pytest's exit
        try:
            os.write(write, facts_salt(opened()).encode())
        finally:
            os._exit(0)
    os.close(write)
    child = os.read(read, 64).decode()
    os.close(read)
    os.waitpid(pid, 0)
    parent = facts_salt(opened())
    assert len(child) == 32 and len(parent) == 32
    assert child != parent


def test_actors() -> None:
    assert OFFICER.to_dict() == {"user_id": "u-17", "role": "officer", "office": "MEX"}
    assert OFFICER == siproc.Actor("u-17", "officer", "MEX") and len({OFFICER, OFFICER}) == 1
    with pytest.raises(siproc.MalformedError) as raised:
        siproc.Actor("u", "boss", "MEX")
    assert raised.value.code == "actor.malformed" and isinstance(raised.value, ValueError)


def test_a_case_lifecycle() -> None:
    history = opened()
    assert (history.number, history.status, history.version, len(history)) == (
        "MEX-2026-000001", "registered", 1, 1)
    first = history.events[0]
    assert first["kind"]["type"] == "case_opened" and first["seq"] == 1
    assert first["actor"] == OFFICER.to_dict()
    assert history.case["persons"][0]["given_names"] == "Wilmer Josué"

    note = history.apply({"command": "add_note", "text": "Llamada a la familia."},
                         actor=OFFICER, now=NOW)
    assert note["kind"]["type"] == "note_added" and note["seq"] == 2
    assert note["prev_hash"] == first["hash"]
    history.apply({"command": "change_status", "to": "in_progress"}, actor=OFFICER, now=NOW)
    history.apply({"command": "change_status", "to": "resolved"}, actor=OFFICER, now=NOW)

    # A sensitive category: closing needs a supervisor's approval, and an officer cannot give it.
    with pytest.raises(siproc.WorkflowError) as raised:
        history.apply({"command": "close", "outcome": "located_alive"}, actor=OFFICER, now=NOW)
    assert raised.value.code == "workflow.approval_required"
    assert history.version == 4  # a refused command leaves the history as it was
    history.apply({"command": "request_closure", "outcome": "located_alive"}, actor=OFFICER, now=NOW)
    with pytest.raises(siproc.WorkflowError) as raised:
        history.apply({"command": "approve_closure"}, actor=OFFICER, now=NOW)
    assert raised.value.code == "workflow.role_not_allowed"
    history.apply({"command": "approve_closure"}, actor=SUPERVISOR.to_dict(), now=NOW)
    history.apply({"command": "close"}, actor=OFFICER, now=NOW)
    history.apply({"command": "archive"}, actor=SUPERVISOR, now=NOW)
    assert history.status == "archived" and history.case["outcome"] == "located_alive"

    events = history.events
    assert [e["seq"] for e in events] == list(range(1, 9))
    assert json.loads(json.dumps(events)) == events  # plain JSON data
    assert siproc.verify(events) == history.verify() == history.anchor == {
        "version": 8, "head": events[-1]["hash"]}
    assert siproc.replay(events) == history.case
    assert siproc.CaseHistory(events).case == history.case
    # The stateless apply gives the next event without changing anything.
    with pytest.raises(siproc.WorkflowError) as raised:
        siproc.apply(events, {"command": "add_note", "text": "x"}, actor=OFFICER, now=NOW)
    assert raised.value.code == "workflow.wrong_status"
    reopened = siproc.apply(events[:7], {"command": "reopen"}, actor=SUPERVISOR, now=NOW)
    assert reopened["seq"] == 8 and reopened["kind"]["type"] == "reopened"


def test_refusals_carry_codes_and_no_personal_data() -> None:
    with pytest.raises(siproc.WorkflowError) as raised:
        siproc.open_case(missing_person(), actor=siproc.Actor("u", "officer", "TAP"), number="1")
    assert raised.value.code == "workflow.wrong_office"
    bad = missing_person()
    bad["persons"][0]["documents"][0]["number"] = "9999-2001-00112"
    with pytest.raises(siproc.ValidationError) as invalid:
        siproc.open_case(bad, actor=OFFICER, number="1", now=NOW)
    assert invalid.value.code == "workflow.invalid_intake"
    assert [i.code for i in invalid.value.report.issues] == ["dni.bad_department"]
    with pytest.raises(siproc.ValidationError) as unreadable:
        siproc.open_case("{", actor=OFFICER, number="1")
    assert unreadable.value.code == "validation.failed"
    history = opened()
    with pytest.raises(siproc.ValidationError) as correction:
        history.apply({"command": "correct", "path": "/persons/0/documents/0/number",
                       "value": "9999-2001-00112"}, actor=OFFICER, now=NOW)
    assert correction.value.code == "workflow.invalid_correction"
    with pytest.raises(siproc.MalformedError) as malformed:
        history.apply({"command": "change_status", "to": "Wilmer Josué"}, actor=OFFICER)
    assert malformed.value.code == "command.malformed"
    with pytest.raises(siproc.MalformedError) as malformed:
        history.apply({"command": "rename_everyone"}, actor=OFFICER)
    assert malformed.value.path == "/command"
    for err in (invalid.value, correction.value, malformed.value):
        assert "9999" not in str(err) and "Wilmer" not in str(err)
    with pytest.raises(TypeError):
        history.apply("add_note", actor=OFFICER)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        history.apply({"command": "add_note", "text": "x"}, actor=OFFICER,
                      now=dt.datetime(2026, 1, 1))  # naive: ambiguous


@pytest.mark.parametrize(
    ("change", "code", "seq"),
    [
        (lambda ev: ev[1]["kind"]["data"]["text"].__setitem__("value", "otra nota"),
         "history.changed", 2),
        (lambda ev: ev[2]["actor"].__setitem__("role", "directorate"), "history.changed", 3),
        (lambda ev: ev.pop(1), "history.removed", 3),
        (lambda ev: ev.insert(1, ev.pop(2)), "history.reordered", 3),
        (lambda ev: ev.insert(2, copy.deepcopy(ev[1])), "history.inserted", 2),
    ],
)
def test_verify_detects_tampering(change: Any, code: str, seq: int) -> None:
    history = opened()
    history.apply({"command": "add_note", "text": "Llamada a la familia."}, actor=OFFICER, now=NOW)
    history.apply({"command": "change_status", "to": "in_progress"}, actor=OFFICER, now=NOW)
    history.apply({"command": "add_note", "text": "Segunda llamada."}, actor=OFFICER, now=NOW)
    events = history.events
    change(events)
    with pytest.raises(siproc.TamperError) as raised:
        siproc.verify(events)
    err = raised.value
    assert (err.code, err.seq) == (code, seq), str(err)
    assert f"seq {seq}" in str(err) and "nota" not in str(err) and "Wilmer" not in str(err)
    with pytest.raises(siproc.TamperError):
        siproc.CaseHistory(events)


def test_verify_against_an_anchor_and_malformed_events() -> None:
    history = opened()
    anchor = history.anchor
    history.apply({"command": "add_note", "text": "x"}, actor=OFFICER, now=NOW)
    events = history.events
    assert siproc.verify(events[:1], anchor=anchor) == anchor
    with pytest.raises(siproc.TamperError) as raised:
        siproc.verify(events[:1], anchor=history.anchor)
    assert raised.value.code == "history.truncated"
    with pytest.raises(siproc.TamperError) as raised:
        siproc.verify([])
    assert raised.value.code == "history.empty"
    del events[1]["hash"]
    with pytest.raises(siproc.MalformedError) as malformed:
        siproc.verify(events)
    assert malformed.value.code == "event.malformed" and malformed.value.path.startswith("/1")


def test_the_store() -> None:
    store = siproc.MemoryStore()
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    assert case["number"] == "MEX-2026-000001" and len(store) == 1
    again = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    assert again["number"] == "MEX-2026-000002"
    after = store.run(case["id"], {"command": "add_note", "text": "x"}, actor=OFFICER, now=NOW)
    assert after["version"] == 2 and store.case(uuid.UUID(case["id"])) == after
    events = store.load(case["id"])
    assert [e["seq"] for e in events] == [1, 2] and store.history(case["id"]).case == after

    # Another writer appended first: the expected version is stale.
    event = siproc.apply(events, {"command": "change_status", "to": "in_progress"},
                         actor=OFFICER, now=NOW)
    with pytest.raises(siproc.ConflictError) as raised:
        store.append(case["id"], 1, [event])
    assert (raised.value.code, raised.value.current) == ("store.conflict", 2)
    assert store.append(case["id"], 2, [event]) == 3
    assert store.append(case["id"], 2, [event]) == 3  # the same event again: idempotent
    with pytest.raises(siproc.TamperError):
        store.append(case["id"], 3, [dict(event, seq=4)])

    assert [s["number"] for s in store.find(name="wilmer hernandez")] == [
        "MEX-2026-000001", "MEX-2026-000002"]
    assert [s["number"] for s in store.find(status="in_progress")] == ["MEX-2026-000001"]
    assert store.find(document_number="1801200100112", office="TAP") == []
    summary = store.summary(case["id"])
    assert summary["version"] == 3 and "persons" not in summary
    with pytest.raises(siproc.StoreError) as missing:
        store.load(str(uuid.uuid4()))
    assert missing.value.code == "store.not_found"
    with pytest.raises(siproc.MalformedError):
        store.load("not-an-id")
    with pytest.raises(siproc.MalformedError):
        store.find(status="asleep")
    with pytest.raises(ValueError):
        store.append(case["id"], -1, [])


def test_forms(tmp_path: Path) -> None:
    history = opened()
    needed = siproc.required_forms(history)
    assert [f["form"] for f in needed][:2] == ["intake_sheet", "informed_consent"]
    assert not any(f["generated"] for f in needed)
    pdf = siproc.render_form(history.case, "intake_sheet", generated_at=NOW)
    assert pdf.startswith(b"%PDF-")
    assert siproc.render_form(history, "intake_sheet", generated_at=NOW) == pdf  # deterministic
    with pytest.raises(siproc.FormError) as raised:
        siproc.render_form(history.case, "no_such_form")
    assert raised.value.code == "forms.unknown_form"

    store = siproc.MemoryStore()
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    generated = store.generate_form(case["id"], "intake_sheet", actor=OFFICER, now=NOW)
    assert generated.startswith(b"%PDF-")
    forms = store.case(case["id"])["forms"]
    assert [(f["form"], f["sha256"]) for f in forms] == [
        ("intake_sheet", hashlib.sha256(generated).hexdigest())]
    assert store.load(case["id"])[-1]["kind"]["type"] == "form_generated"
    assert [f["generated"] for f in siproc.required_forms(store.case(case["id"]))][:2] == [True, False]

    own = history.generate_form("informed_consent", actor=OFFICER, now=NOW, locale="en")
    assert history.case["forms"][0]["sha256"] == hashlib.sha256(own).hexdigest()
    with pytest.raises(siproc.WorkflowError):
        history.generate_form("intake_sheet", actor=siproc.Actor("u", "officer", "TAP"))


def closed_store() -> tuple[siproc.MemoryStore, str]:
    store = siproc.MemoryStore()
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    for command in ({"command": "add_note", "text": "Nota."},
                    {"command": "change_status", "to": "in_progress"}):
        store.run(case["id"], command, actor=OFFICER, now=NOW)
    store.open_case(corpus_intake("valid missing_person"), actor=OFFICER, now=NOW)
    return store, case["id"]


def test_archive_round_trip(tmp_path: Path) -> None:
    store, case_id = closed_store()
    path = tmp_path / "cases.jsonl"
    summary = siproc.write_archive(path, store, now=NOW)
    assert (summary["cases"], summary["events"]) == (2, 4)
    data = path.read_bytes()
    assert data.startswith(b'{"archive":"siproc"') and len(data.splitlines()) == 4
    report = siproc.verify_archive(path)
    assert report == {"ok": True, "cases": 2, "rejected": [], "file": []}
    assert siproc.verify_archive(io.BytesIO(data)) == report == siproc.verify_archive(str(path))

    histories = siproc.read_archive(data)
    assert [h.number for h in histories] == ["MEX-2026-000001", "MEX-2026-000002"]
    assert histories[0].events == store.load(case_id)

    # Histories written from Python objects give the same case lines.
    out = io.BytesIO()
    siproc.write_archive(out, [store.history(case_id), store.load(histories[1].id)], now=NOW)
    assert out.getvalue() == data

    other = siproc.MemoryStore()
    imported = siproc.import_archive(data, other)
    assert (imported["ok"], imported["imported"], imported["written"]) == (True, 2, True)
    assert other.load(case_id) == store.load(case_id)
    assert siproc.import_archive(data, other)["unchanged"] == 2  # idempotent


def test_archive_tampering_is_detected(tmp_path: Path) -> None:
    store, case_id = closed_store()
    buffer = io.BytesIO()
    siproc.write_archive(buffer, store, now=NOW)
    data = buffer.getvalue()
    # One byte of a personal value, inside a sealed note.
    at = data.index(b'"value":"Nota."') + len(b'"value":"N')
    changed = data[:at] + b"O" + data[at + 1:]
    report = siproc.verify_archive(changed)
    assert not report["ok"]
    assert [(r["line"], r["code"]) for r in report["rejected"]] == [(2, "history.changed")]
    # The line's events no longer count, and the file's digest changed.
    assert {p["code"] for p in report["file"]} == {"archive.count_mismatch", "archive.digest_mismatch"}
    assert "Nota" not in json.dumps(report)
    with pytest.raises(siproc.TamperError) as raised:
        siproc.read_archive(changed)
    assert raised.value.code == "archive.count_mismatch" and raised.value.report == report
    target = siproc.MemoryStore()
    refused = siproc.import_archive(changed, target)
    assert refused["imported"] == 0 and not refused["written"] and len(target) == 0
    partial = siproc.import_archive(changed, target, partial=True)
    assert partial["imported"] == 1 and len(target) == 1
    # A truncated file has no trailer.
    cut = siproc.verify_archive(data[: data.rindex(b'{"end"')])
    assert [p["code"] for p in cut["file"]] == ["archive.missing_trailer"]
    with pytest.raises(TypeError):
        siproc.verify_archive(io.StringIO(data.decode()))  # type: ignore[arg-type]


def test_labels_come_from_the_core_and_are_the_forms_words() -> None:
    """Python reads the same labels as the web application (the core's catalog view); the
    intake sheet prints them."""
    catalog = siproc.Catalog.default()
    for locale in ("es", "en"):
        labels = catalog.labels(locale)
        assert catalog.view(locale)["labels"] == labels
        assert set(labels["status"]) == {"registered", "in_progress", "awaiting_authority",
                                         "resolved", "closed", "archived"}
        assert set(labels["consent_scope"]) == {"processing", "share_with_partners",
                                                "share_with_authorities", "contact_family"}
        assert labels["role"]["officer"] and labels["form"]["intake_sheet"]
    assert catalog.labels("es")["status"]["in_progress"] == "En trámite"
    assert catalog.labels("en")["priority"]["urgent"] == "Urgent"


def test_available_commands_are_what_apply_accepts() -> None:
    history = opened()
    offered = {a["command"]: a for a in history.available_commands(actor=OFFICER)}
    assert "approve_closure" not in offered and "open" not in offered
    assert offered["change_status"]["params"] == [
        {"name": "to", "required": True, "choices": ["in_progress"]}]
    transfer = offered["request_transfer"]["params"][0]
    assert "MEX" not in transfer["choices"] and transfer["choices"]
    assert history.available_commands(actor=siproc.Actor("u", "auditor", "MEX")) == []
    assert history.available_commands(actor=siproc.Actor("u", "officer", "TAP")) == []
    history.apply({"command": "change_status", "to": "in_progress"}, actor=OFFICER, now=NOW)
    statuses = {a["command"]: a for a in history.available_commands(actor=OFFICER)}
    assert statuses["change_status"]["params"][0]["choices"] == ["awaiting_authority", "resolved"]


def test_erasure_by_hand_and_by_retention() -> None:
    store = siproc.MemoryStore()
    director = siproc.Actor("d-1", "directorate", "DGPHM")
    ids = []
    for _ in range(2):
        case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
        for command, actor in (({"command": "add_note", "text": "Llamó la tía Rosaura."}, OFFICER),
                               ({"command": "change_status", "to": "in_progress"}, OFFICER),
                               ({"command": "change_status", "to": "resolved"}, OFFICER),
                               ({"command": "request_closure", "outcome": "located_alive"}, OFFICER),
                               ({"command": "approve_closure"}, SUPERVISOR),
                               ({"command": "close"}, OFFICER)):
            store.run(case["id"], command, actor=actor, now=NOW)
        ids.append(case["id"])

    with pytest.raises(siproc.WorkflowError) as raised:
        store.erase(ids[0], reason="solicitud 17/2026", actor=OFFICER, now=NOW)
    assert raised.value.code == "workflow.role_not_allowed"
    erased = store.erase(ids[0], reason="solicitud 17/2026", actor=director, now=NOW)
    assert erased["persons"][0]["given_names"] == "" and "/persons/0" in erased["erased"]
    events = store.load(ids[0])
    assert events[-1]["kind"]["type"] == "personal_data_erased"
    assert siproc.verify(events)["version"] == len(events)
    assert "Rosaura" not in json.dumps(events) and "Wilmer" not in json.dumps(events)
    assert [s["id"] for s in store.find(name="wilmer hernandez")] == [ids[1]]
    with pytest.raises(siproc.WorkflowError) as raised:
        store.erase(ids[0], reason="again", actor=director, now=NOW)
    assert raised.value.code == "workflow.nothing_to_erase"

    # missing_person keeps personal data 25 years after closure (the Honduran pack's proposal).
    soon = NOW + dt.timedelta(days=365 * 24)
    assert siproc.erase_due(store, actor=director, now=soon)["due"] == 0
    later = NOW + dt.timedelta(days=365 * 25 + 7)
    assert siproc.erase_due(store, actor=director, now=later, dry_run=True) == {
        "checked": 2, "due": 1, "erased": 0, "without_rule": 0}
    assert siproc.erase_due(store, actor=director, now=later)["erased"] == 1
    assert store.case(ids[1])["persons"][0]["given_names"] == ""


def test_attachments_are_kept_read_and_erased(tmp_path: Path) -> None:
    files = tmp_path / "files"
    store = siproc.open_store(str(tmp_path / "cases.db"), blobs=f"dir:{files}")
    director = siproc.Actor("d-1", "directorate", "DGPHM")
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    pdf = store.generate_form(case["id"], "intake_sheet", actor=OFFICER, now=NOW)
    kept = store.attach(case["id"], pdf, "application/pdf", "hoja firmada", actor=OFFICER, now=NOW)
    assert kept["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert (kept["media_type"], kept["size"], kept["added"]) == ("application/pdf", len(pdf), True)
    assert (files / case["id"] / kept["sha256"]).is_file()
    again = store.attach(case["id"], pdf, actor=OFFICER, now=NOW)
    assert again["added"] is False
    read = store.attachment(case["id"], kept["sha256"])
    assert read["content"] == pdf and read["description"] == "hoja firmada"
    assert store.case(case["id"])["attachments"][0]["sha256"] == kept["sha256"]

    with pytest.raises(siproc.AttachmentError) as raised:
        store.attach(case["id"], pdf, "image/png", actor=OFFICER, now=NOW)
    assert raised.value.code == "attachment.media_type_mismatch"
    with pytest.raises(siproc.AttachmentError) as raised:
        store.attachment(case["id"], "0" * 64)
    assert raised.value.code == "attachment.not_found"
    with pytest.raises(siproc.StoreError) as raised:
        siproc.open_store(str(tmp_path / "other.db"), blobs="ftp://secret@host")
    assert raised.value.code == "blob.backend" and "secret" not in str(raised.value)

    for command, actor in (({"command": "change_status", "to": "in_progress"}, OFFICER),
                           ({"command": "change_status", "to": "resolved"}, OFFICER),
                           ({"command": "request_closure", "outcome": "located_alive"}, OFFICER),
                           ({"command": "approve_closure"}, SUPERVISOR),
                           ({"command": "close"}, OFFICER)):
        store.run(case["id"], command, actor=actor, now=NOW)
    store.erase(case["id"], reason="solicitud 17/2026", actor=director, now=NOW)
    assert not (files / case["id"]).exists() or not any((files / case["id"]).iterdir())
    with pytest.raises(siproc.AttachmentError) as raised:
        store.attachment(case["id"], kept["sha256"])
    assert raised.value.code == "attachment.erased"


def test_a_scanned_signed_form_is_filed_as_its_signed_copy(tmp_path: Path) -> None:
    store = siproc.MemoryStore()
    case = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    pdf = store.generate_form(case["id"], "intake_sheet", actor=OFFICER, now=NOW)
    (tmp_path / "form.pdf").write_bytes(pdf)
    # The printed form, signed and scanned: rendered by poppler's pdftoppm at 300 dpi (a form
    # printed without a verification origin carries the denser `SIPROC:` payload, not read at 150).
    subprocess.run(["pdftoppm", "-gray", "-png", "-singlefile", "-f", "1", "-l", "1", "-r", "300",
                    str(tmp_path / "form.pdf"), str(tmp_path / "scan")], check=True)
    scan = (tmp_path / "scan.png").read_bytes()
    code = store.case(case["id"])["forms"][0]["code"]

    filed = store.attach(case["id"], scan, "image/png", "copia firmada", actor=OFFICER, now=NOW)
    assert filed["signs"] == {"form": "intake_sheet", "code": code}
    assert filed["added"] is True
    form = store.case(case["id"])["forms"][0]
    assert form["signed_copy"]["sha256"] == filed["sha256"]
    assert store.attach(case["id"], scan, "image/png", actor=OFFICER, now=NOW)["signs"] == filed["signs"]

    # Another case's scan is refused there, never filed; an ordinary file signs nothing.
    other = store.open_case(missing_person(), actor=OFFICER, now=NOW)
    with pytest.raises(siproc.AttachmentError) as raised:
        store.attach(other["id"], scan, "image/png", actor=OFFICER, now=NOW)
    assert raised.value.code == "signed_copy.other_case"
    assert store.case(other["id"])["attachments"] == []
    plain = store.attach(other["id"], pdf, "application/pdf", actor=OFFICER, now=NOW)
    assert (plain["signs"], plain["added"]) == (None, True)


def test_archives_carry_the_files(tmp_path: Path) -> None:
    key = tmp_path / "master.key"
    key.write_text(os.urandom(32).hex())
    source = siproc.open_store(str(tmp_path / "source.db"), master_key_file=key,
                               blobs=f"dir:{tmp_path / 'files'}")
    case = source.open_case(missing_person(), actor=OFFICER, now=NOW)
    pdf = source.generate_form(case["id"], "intake_sheet", actor=OFFICER, now=NOW)
    kept = source.attach(case["id"], pdf, "application/pdf", "hoja firmada", actor=OFFICER, now=NOW)
    source.open_case(missing_person(), actor=OFFICER, now=NOW)

    out = io.BytesIO()
    summary = siproc.write_archive(out, source, now=NOW)
    assert (summary["cases"], summary["files"]) == (2, 1)
    data = out.getvalue()
    lines = data.splitlines()
    assert json.loads(lines[0])["version"] == 2
    file_line = json.loads(lines[2])
    assert (file_line["file"], file_line["case_id"]) == (kept["sha256"], case["id"])
    # Checked without any key.
    assert siproc.verify_archive(data)["ok"]

    # Imported into another encrypted store, its files kept in its database under its keys.
    other_key = tmp_path / "other.key"
    other_key.write_text(os.urandom(32).hex())
    target = siproc.open_store(str(tmp_path / "target.db"), master_key_file=other_key)
    report = siproc.import_archive(data, target)
    assert (report["ok"], report["imported"], report["files"]) == (True, 2, 1)
    assert target.attachment(case["id"], kept["sha256"])["content"] == pdf
    assert pdf[:200] not in (tmp_path / "target.db").read_bytes()

    # A flipped byte in the file: the case is named, nothing is written.
    at = data.index(b'"content":"') + 11 + 100
    damaged = data[:at] + (b"B" if data[at:at + 1] == b"A" else b"A") + data[at + 1:]
    fresh = siproc.MemoryStore()
    report = siproc.import_archive(damaged, fresh)
    assert not report["ok"] and not report["written"]
    assert [(r["case_id"], r["code"]) for r in report["rejected"]] == [(case["id"], "blob.damaged")]
    assert case["id"] in report["rejected"][0]["message"]
    assert fresh.find() == []


def test_subject_access_reports_what_is_held() -> None:
    store = siproc.MemoryStore()
    ids = [store.open_case(missing_person(), actor=OFFICER, now=NOW)["id"] for _ in range(2)]
    store.run(ids[0], {"command": "add_note", "text": "Llamó la tía Rosaura."},
              actor=OFFICER, now=NOW)
    store.run(ids[0], {"command": "refer", "partner": "iom"}, actor=OFFICER, now=NOW)
    store.log_access(ids[0], actor=OFFICER, what="case", at=NOW)

    report = store.subject_access(document_number="1801-2001-00112", now=NOW)
    assert report["searched_by"] == ["document_number"]
    assert sorted(c["case_id"] for c in report["cases"]) == sorted(ids)
    held = next(c for c in report["cases"] if c["case_id"] == ids[0])
    assert held["subject"][0]["person"]["given_names"] == "Wilmer Josué"
    assert held["notes"][0]["text"] == "Llamó la tía Rosaura."
    assert "iom" in [r["partner"] for r in held["shared_with"]]  # besides those asked at intake
    assert [r["user_id"] for r in held["reads"]] == [OFFICER.user_id]
    # The requesting relative is another person: their role only, never their values.
    assert held["others"] and "given_names" not in held["others"][0]

    by_name = store.subject_access(name="hernandez WILMER")
    assert len(by_name["cases"]) == 2
    assert store.subject_access(name="Rosa Wilmer")["cases"] == []
    with pytest.raises(siproc.MalformedError) as raised:
        store.subject_access()
    assert raised.value.code == "subject_access.no_terms"
