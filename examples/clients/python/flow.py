"""A typed flow through the API with the client openapi-python-client generates from the
served document (package ``siproc_client``), checked by ``mypy --strict`` and run against a real
server by examples/clients/check.sh. No ``Any`` and no casts here: if the document's types were
wrong or loose, mypy would reject this file or its checks would fail.

Environment: SIPROC_URL (…/api/v1), SIPROC_OFFICER and SIPROC_AUDITOR (tokens), SIPROC_INTAKES
(the demo intakes, examples/server/demo/intakes.json: the fixture the server's tests use).
"""

from __future__ import annotations

import json
import os
import uuid

from siproc_client import AuthenticatedClient
from siproc_client.api.access import access_log
from siproc_client.api.cases import (
    create_case,
    form_pdf,
    forms,
    get_case,
    history,
    list_cases,
    run_command,
    verify,
)
from siproc_client.models import (
    AccessLog,
    CaseBody,
    CaseSummary,
    CommandAddNote,
    ErrorBody,
    EventKindCaseOpened,
    EventPage,
    FormList,
    Intake,
    SoundChain,
    SummaryPage,
)
from siproc_client.types import File


def check(ok: bool, what: str) -> None:
    if not ok:
        raise SystemExit(f"failed: {what}")


def main() -> None:
    url = os.environ["SIPROC_URL"]
    officer = AuthenticatedClient(base_url=url, token=os.environ["SIPROC_OFFICER"])
    auditor = AuthenticatedClient(base_url=url, token=os.environ["SIPROC_AUDITOR"])
    with open(os.environ["SIPROC_INTAKES"], encoding="utf-8") as f:
        fixture = json.load(f)[0]

    # Lists, paged with integers: the second page starts after the first.
    first = list_cases.sync(client=officer, limit=2)
    check(isinstance(first, SummaryPage), "a page")
    assert isinstance(first, SummaryPage)
    check(len(first.items) == 2, "a first page of two")
    assert isinstance(first.next_, str)
    second = list_cases.sync(client=officer, limit=2, cursor=first.next_)
    assert isinstance(second, SummaryPage)
    seen = {s.id for s in first.items}
    check(all(s.id not in seen for s in second.items), "pages do not overlap")

    # Register with an Idempotency-Key, twice: one case.
    intake = Intake.from_dict(fixture)
    key = str(uuid.uuid4())
    registered = create_case.sync_detailed(client=officer, body=intake, idempotency_key=key)
    check(registered.status_code == 201, "201 Created")
    summary = registered.parsed
    assert isinstance(summary, CaseSummary)
    again = create_case.sync(client=officer, body=intake, idempotency_key=key)
    assert isinstance(again, CaseSummary)
    check(again.id == summary.id, "the same key answers the same case")

    # Read it.
    read = get_case.sync_detailed(summary.id, client=officer)
    case = read.parsed
    assert isinstance(case, CaseBody)
    check(case.number == summary.number, "the case reads back")
    offered = [c.command for c in case.available_commands]
    check("add_note" in offered, "the case offers the commands the officer may run")
    etag = read.headers["ETag"]

    # A command with If-Match, then the same If-Match again: 409 with `current`.
    note = CommandAddNote(command="add_note", text="Llamada con la familia.")
    noted = run_command.sync(summary.id, client=officer, body=note, if_match=etag)
    assert isinstance(noted, CaseSummary)
    check(noted.version == case.version + 1, "the command adds one event")
    stale = run_command.sync_detailed(summary.id, client=officer, body=note, if_match=etag)
    check(stale.status_code == 409, "a stale If-Match is 409")
    conflict = stale.parsed
    assert isinstance(conflict, ErrorBody)
    check(conflict.code.value == "store.conflict", "409 says store.conflict")
    check(conflict.current == noted.version, "409 carries the current version")

    # An invalid intake: 422 with the validation issues.
    invalid = create_case.sync_detailed(
        client=officer, body=Intake.from_dict({**fixture, "opened_on": "2999-01-01"})
    )
    check(invalid.status_code == 422, "an invalid intake is 422")
    refusal = invalid.parsed
    assert isinstance(refusal, ErrorBody)
    issues = refusal.issues if isinstance(refusal.issues, list) else []
    check(len(issues) > 0, "422 carries issues")
    check(all(i.path.startswith("/") for i in issues), "issues have paths")

    # History, paged by sequence number (an integer).
    page = history.sync(summary.id, client=officer, limit=1)
    assert isinstance(page, EventPage)
    check(isinstance(page.items[0].kind, EventKindCaseOpened), "the history starts with case_opened")
    check(page.next_ == 1, "the next page is after event 1")

    # Verify.
    verdict = verify.sync(summary.id, client=officer)
    check(isinstance(verdict, SoundChain) and verdict.ok, "the chain is sound")

    # A form as a PDF.
    required = forms.sync(summary.id, client=officer)
    assert isinstance(required, FormList)
    pdf = form_pdf.sync(summary.id, f"{required.items[0].form}.pdf", client=officer)
    assert isinstance(pdf, File)
    check(pdf.payload.read(4) == b"%PDF", "a PDF")

    # The access log, as an auditor: the officer's reads are there.
    log = access_log.sync(client=auditor, case=summary.id, limit=50)
    assert isinstance(log, AccessLog)
    check(
        any(e.what == "case" and e.role == "officer" for e in log.items),
        "the read is logged",
    )
    print("python flow: ok")


if __name__ == "__main__":
    main()
