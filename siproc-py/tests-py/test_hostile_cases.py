"""Random and hostile data fed to every public function of cases, histories, the store, archives
and forms: the answer is a result or an ordinary exception (a SiprocError, TypeError or
ValueError; OSError where the argument may be a path), never a PanicException. And the
invariants that make histories and archives worth having: any change to an event or to an
archive's bytes is detected."""

from __future__ import annotations

import copy
import datetime as dt
import io
from typing import Any, Callable

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import siproc
from test_cases import NOW, OFFICER, SUPERVISOR, missing_person
from test_hostile import anything, records, values

ALLOWED: tuple[type[BaseException], ...] = (siproc.SiprocError, TypeError, ValueError)


def ordinary(f: Callable[..., Any], *args: Any, paths: bool = False, **kwargs: Any) -> Any:
    """Calls ``f``; returns its result, or None after an allowed exception; fails otherwise."""
    allowed = ALLOWED + ((OSError,) if paths else ())
    try:
        return f(*args, **kwargs)
    except allowed:
        return None
    except BaseException as e:  # noqa: BLE001 - PanicException derives from BaseException
        raise AssertionError(f"{type(e).__name__} from {getattr(f, '__name__', f)}: {e}") from e


def base_history() -> siproc.CaseHistory:
    history = siproc.open_case(missing_person(), actor=OFFICER, number="MEX-2026-000001", now=NOW)
    history.apply({"command": "add_note", "text": "Llamada."}, actor=OFFICER, now=NOW)
    history.apply({"command": "change_status", "to": "in_progress"}, actor=OFFICER, now=NOW)
    history.apply({"command": "record_service", "kind": "consular_visit", "given_on": "2026-08-20",
                   "description": "Visita."}, actor=OFFICER, now=NOW)
    return history


HISTORY = base_history()
EVENTS = HISTORY.events
CASE = HISTORY.case
STORE = siproc.MemoryStore()
CASE_ID = STORE.open_case(missing_person(), actor=OFFICER, now=NOW)["id"]
_buffer = io.BytesIO()
siproc.write_archive(_buffer, [HISTORY], now=NOW)
ARCHIVE = _buffer.getvalue()

COMMANDS = ["correct", "change_status", "add_note", "record_service", "record_form",
            "request_transfer", "accept_transfer", "reject_transfer", "refer", "accept_referral",
            "reject_referral", "complete_referral", "record_consent", "withdraw_consent",
            "request_closure", "approve_closure", "close", "reopen", "archive"]
FIELDS = ["path", "value", "to", "text", "written_on", "kind", "given_on", "description", "form",
          "sha256", "to_office", "partner", "reason", "referral_id", "consent", "scope",
          "outcome"]
commands = st.builds(
    lambda name, extra: {"command": name, **extra},
    st.sampled_from(COMMANDS),
    st.dictionaries(st.sampled_from(FIELDS), values, max_size=3),
)
actors = st.one_of(
    st.sampled_from([OFFICER, SUPERVISOR, siproc.Actor("d", "directorate", "DGPHM"),
                     siproc.Actor("p", "partner", "MEX")]),
    st.dictionaries(st.sampled_from(["user_id", "role", "office"]), values, max_size=4),
    anything,
)
times = st.one_of(st.none(), st.datetimes(timezones=st.just(dt.timezone.utc)), st.datetimes(),
                  st.text(max_size=30), anything)
ids = st.one_of(st.just(CASE_ID), st.uuids(), st.text(max_size=40), anything)

FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(commands, actors, times)
def test_commands_never_panic(command: dict[str, Any], actor: Any, now: Any) -> None:
    ordinary(siproc.apply, EVENTS, command, actor=actor, now=now)
    history = siproc.CaseHistory(EVENTS)
    if ordinary(history.apply, command, actor=actor, now=now) is None:
        assert history.events == EVENTS  # a refused command changes nothing
    ordinary(STORE.run, CASE_ID, command, actor=actor, now=now)
    ordinary(siproc.Actor, *(command.get(k, "") for k in ("text", "to", "form")))


@FAST
@given(anything, anything, actors, times, ids)
def test_opening_never_panics(intake: Any, number: Any, actor: Any, now: Any, case_id: Any) -> None:
    ordinary(siproc.open_case, intake, actor=actor, number=number, now=now, case_id=case_id)
    ordinary(siproc.open_case, intake, actor=OFFICER, number="N", now=NOW)
    ordinary(siproc.MemoryStore().open_case, intake, actor=actor, now=now)
    ordinary(siproc.open_case, missing_person(), actor=actor, number="N", now=now, case_id=case_id)


@FAST
@given(st.one_of(st.lists(st.one_of(records, anything), max_size=4), anything))
def test_random_events_never_panic(events: Any) -> None:
    for f in (siproc.verify, siproc.replay, siproc.CaseHistory):
        ordinary(f, events)
    ordinary(siproc.verify, EVENTS, anchor=events)
    ordinary(siproc.apply, events, {"command": "add_note", "text": "x"}, actor=OFFICER)
    ordinary(STORE.append, CASE_ID, 1, events)
    ordinary(siproc.write_archive, io.BytesIO(), [events])
    ordinary(siproc.write_archive, io.BytesIO(), events)


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, path + (k,))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, path + (i,))]
    return [path]


LEAVES = leaves(EVENTS)
json_values = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.text(max_size=20),
                        st.sampled_from(["officer", "supervisor", "note_added", "2026-08-20",
                                         "2026-08-20T15:00:00Z", "0" * 64, "MEX"]))


@FAST
@given(st.sampled_from(LEAVES), json_values)
def test_any_change_to_an_event_is_detected(path: tuple[Any, ...], new: Any) -> None:
    events = copy.deepcopy(EVENTS)
    parent = events
    for key in path[:-1]:
        parent = parent[key]
    old = parent[path[-1]]
    assume(type(old) is not type(new) or old != new)
    parent[path[-1]] = new
    try:
        siproc.verify(events)
    except (siproc.TamperError, siproc.MalformedError):
        pass
    else:
        raise AssertionError(f"a change at {path} went unnoticed")
    for f in (siproc.replay, siproc.CaseHistory):
        ordinary(f, events)


@FAST
@given(st.integers(0, len(EVENTS) - 1), st.integers(0, len(EVENTS) - 1))
def test_reordering_removing_or_duplicating_events_is_detected(i: int, j: int) -> None:
    for events in ([e for k, e in enumerate(EVENTS) if k != i],
                   EVENTS[:i] + [EVENTS[j]] + EVENTS[i:],
                   [EVENTS[j] if k == i else EVENTS[i] if k == j else e for k, e in enumerate(EVENTS)]):
        if events == EVENTS:
            continue
        try:
            siproc.verify(events)
        except siproc.TamperError:
            continue
        if len(events) < len(EVENTS) and events == EVENTS[: len(events)]:
            # Dropping the last event leaves a shorter valid history: only an anchor shows it.
            assert ordinary(siproc.verify, events, anchor=HISTORY.anchor) is None
            continue
        raise AssertionError("a reordered history verified")


@FAST
@given(st.integers(0, len(ARCHIVE) - 1), st.integers(0, 255))
def test_any_changed_byte_of_an_archive_is_detected(at: int, byte: int) -> None:
    assume(ARCHIVE[at] != byte)
    changed = ARCHIVE[:at] + bytes([byte]) + ARCHIVE[at + 1:]
    report = siproc.verify_archive(changed)
    assert not report["ok"]
    assert ordinary(siproc.read_archive, changed) is None
    store = siproc.MemoryStore()
    imported = siproc.import_archive(changed, store)
    assert not imported["written"] and len(store) == 0


@FAST
@given(st.one_of(st.binary(max_size=300), anything, st.text(max_size=40)))
def test_random_archives_never_panic(data: Any) -> None:
    for source in (data, io.BytesIO(data) if isinstance(data, bytes) else data):
        ordinary(siproc.verify_archive, source, paths=True)
        ordinary(siproc.read_archive, source, paths=True)
        ordinary(siproc.import_archive, source, siproc.MemoryStore(), paths=True)
        ordinary(siproc.import_archive, source, data, paths=True)
        ordinary(siproc.verify_archive, ARCHIVE, store=data)
    if not isinstance(data, (str, bytes)):  # text and bytes are paths: no files from here
        ordinary(siproc.write_archive, data, [HISTORY])
    ordinary(siproc.write_archive, io.BytesIO(), data)
    ordinary(siproc.verify_archive, ARCHIVE + data if isinstance(data, bytes) else ARCHIVE)


def test_writing_to_a_path_that_cannot_be_opened_is_an_os_error(tmp_path: Any) -> None:
    try:
        siproc.write_archive(tmp_path / "no-such-folder" / "cases.jsonl", [HISTORY])
    except OSError:
        return
    raise AssertionError("no OSError")


@FAST
@given(ids, anything, st.dictionaries(st.sampled_from(["office", "status", "category", "number",
                                                       "document_number", "name"]),
                                      st.one_of(st.text(max_size=20), anything), max_size=4))
def test_store_lookups_never_panic(case_id: Any, other: Any, query: dict[str, Any]) -> None:
    for f in (STORE.load, STORE.case, STORE.history, STORE.summary):
        ordinary(f, case_id)
    ordinary(STORE.find, **query)
    ordinary(STORE.append, case_id, other, [])
    ordinary(STORE.append, CASE_ID, other, EVENTS[1:2])
    ordinary(STORE.generate_form, case_id, "intake_sheet", actor=OFFICER, now=NOW)


@FAST
@given(st.sampled_from(sorted(CASE)), values, st.one_of(st.text(max_size=20),
                                                         st.sampled_from(["intake_sheet", "informed_consent", "search_request"])),
       st.one_of(st.just("es"), st.just("en"), st.text(max_size=5)), times)
def test_forms_never_panic(key: str, value: Any, form: str, locale: str, when: Any) -> None:
    case = copy.deepcopy(CASE)
    case[key] = value
    for c in (case, CASE, value):
        ordinary(siproc.required_forms, c)
        ordinary(siproc.render_form, c, form, locale=locale, generated_at=when)
    ordinary(siproc.render_form, CASE, value)
    history = siproc.CaseHistory(EVENTS)
    ordinary(history.generate_form, form, actor=OFFICER, locale=locale, now=when)
    ordinary(STORE.generate_form, CASE_ID, form, actor=OFFICER, locale=locale, now=when)


@FAST
@given(st.text(max_size=20), st.text(max_size=20), st.text(max_size=20), anything)
def test_actors_never_panic(user: str, role: str, office: str, other: Any) -> None:
    ordinary(siproc.Actor, user, role, office)
    ordinary(siproc.Actor, other, role, office)
    ordinary(siproc.Actor, user, other, office)
    for role in ("officer", "supervisor", "directorate", "partner"):
        assert siproc.Actor(user, role, office).role == role
