"""The peer of issue 34: what a ministry's Python team would otherwise build with FastAPI,
pydantic v2 and SQLite, doing the work the reference server's load test measures.

- ``POST /api/v1/cases``: the intake validated by pydantic models (types, dates, enumerations,
  lengths, phone numbers by pattern, the consent's person), a case number gap-free per office and
  year (a counter row updated in the same transaction as the case), one durable commit.
- ``GET /api/v1/cases/{id}``: the case, and its access-log row committed durably before the
  answer (one transaction a read, as the issue describes).
- ``GET /api/v1/cases?limit=50``: one page of summaries by case number.

Every route checks the bearer token against the SHA-256 hashes in the ``tokens`` table. SQLite in
WAL mode with ``synchronous = FULL`` (durable commits, as the reference server's store). Run
under uvicorn with one or more worker processes; each worker thread has its own connection.

    python app.py init DATABASE TOKEN   # creates the tables and stores the token's hash
    PEER_DB=DATABASE uvicorn app:app --workers 2 --no-access-log --port 18081
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import sqlite3
import sys
import threading
import uuid
from typing import Annotated, Literal

from fastapi import Depends, FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

SCHEMA = """
CREATE TABLE IF NOT EXISTS tokens (hash TEXT PRIMARY KEY, user_id TEXT NOT NULL, role TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS counters (office TEXT NOT NULL, year INTEGER NOT NULL,
    last INTEGER NOT NULL, PRIMARY KEY (office, year));
CREATE TABLE IF NOT EXISTS cases (id TEXT PRIMARY KEY, number TEXT NOT NULL UNIQUE,
    office TEXT NOT NULL, category TEXT NOT NULL, status TEXT NOT NULL, opened_on TEXT NOT NULL,
    version INTEGER NOT NULL, created_at TEXT NOT NULL, body TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS access_log (id INTEGER PRIMARY KEY, at TEXT NOT NULL,
    user_id TEXT NOT NULL, role TEXT NOT NULL, case_id TEXT NOT NULL, what TEXT NOT NULL);
"""

Text = Annotated[str, Field(min_length=1, max_length=200)]
Country = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
PHONE = r"^\+[1-9][0-9 ()\-]{6,20}$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Document(Strict):
    kind: Literal["hn_dni", "hn_passport", "mx_curp", "us_ssn", "other"]
    number: Annotated[str, Field(min_length=3, max_length=40)]


class Contact(Strict):
    kind: Literal["phone", "email"]
    value: Text

    @model_validator(mode="after")
    def phone_or_email(self) -> Contact:
        if self.kind == "phone" and not re.match(PHONE, self.value):
            raise ValueError("not a phone number")
        if self.kind == "email" and "@" not in self.value:
            raise ValueError("not an email address")
        return self


class Location(Strict):
    kind: Literal["current", "last_known", "home"]
    country: Country
    place: Text


class Person(Strict):
    role: Literal["national", "relative", "contact"]
    given_names: Text
    surnames: Text
    birth_date: dt.date | None = None
    sex: Literal["female", "male", "unknown"] | None = None
    nationality: Country | None = None
    documents: list[Document] = Field(default_factory=list, max_length=20)
    contacts: list[Contact] = Field(default_factory=list, max_length=20)
    locations: list[Location] = Field(default_factory=list, max_length=20)

    @field_validator("birth_date")
    @classmethod
    def not_in_future(cls, v: dt.date | None) -> dt.date | None:
        if v is not None and v > dt.date.today():
            raise ValueError("birth date in the future")
        return v


class Consent(Strict):
    given: bool
    given_by: Annotated[int, Field(ge=0)]
    recorded_on: dt.date
    scope: list[Literal["processing", "share_with_partners", "share_with_family"]]


class Service(Strict):
    kind: Literal["consular_visit", "legal_aid", "repatriation", "information"]
    given_on: dt.date
    description: Annotated[str, Field(max_length=2000)]


class Intake(Strict):
    office: Annotated[str, Field(pattern=r"^[A-Z]{3,6}$")]
    category: Literal["detention", "missing", "deceased", "repatriation", "assistance"]
    opened_on: dt.date
    persons: list[Person] = Field(min_length=1, max_length=50)
    consent: Consent
    facts: dict[str, str | int | dt.date] = Field(default_factory=dict, max_length=50)
    services: list[Service] = Field(default_factory=list, max_length=100)

    @model_validator(mode="after")
    def consent_by_a_person(self) -> Intake:
        if self.consent.given_by >= len(self.persons):
            raise ValueError("consent.given_by names no person")
        return self


class Case(BaseModel):
    id: uuid.UUID
    number: str
    status: str
    version: int
    created_at: dt.datetime
    intake: Intake


class Summary(BaseModel):
    id: uuid.UUID
    number: str
    office: str
    category: str
    status: str
    opened_on: dt.date


class Page(BaseModel):
    items: list[Summary]


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


_local = threading.local()


def db() -> sqlite3.Connection:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = connect(os.environ["PEER_DB"])
    return conn


class Caller(BaseModel):
    user_id: str
    role: str


def caller(authorization: Annotated[str | None, Header()] = None) -> Caller:
    if not authorization or not authorization.startswith("Bearer "):
        raise HTTPException(401, "missing token")
    digest = hashlib.sha256(authorization.removeprefix("Bearer ").encode()).hexdigest()
    row = db().execute("SELECT user_id, role FROM tokens WHERE hash = ?", (digest,)).fetchone()
    if row is None:
        raise HTTPException(401, "unknown token")
    return Caller(user_id=row[0], role=row[1])


app = FastAPI()


@app.post("/api/v1/cases", status_code=201)
def register(intake: Intake, who: Annotated[Caller, Depends(caller)]) -> Summary:
    conn = db()
    now = dt.datetime.now(dt.UTC)
    case_id = uuid.uuid4()
    conn.execute("BEGIN IMMEDIATE")
    try:
        (last,) = conn.execute(
            "INSERT INTO counters (office, year, last) VALUES (?, ?, 1)"
            " ON CONFLICT (office, year) DO UPDATE SET last = last + 1 RETURNING last",
            (intake.office, now.year),
        ).fetchone()
        number = f"{intake.office}-{now.year}-{last:06d}"
        conn.execute(
            "INSERT INTO cases VALUES (?, ?, ?, ?, 'registered', ?, 1, ?, ?)",
            (
                str(case_id),
                number,
                intake.office,
                intake.category,
                intake.opened_on.isoformat(),
                now.isoformat(),
                intake.model_dump_json(),
            ),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return Summary(
        id=case_id,
        number=number,
        office=intake.office,
        category=intake.category,
        status="registered",
        opened_on=intake.opened_on,
    )


@app.get("/api/v1/cases/{case_id}")
def read(case_id: uuid.UUID, who: Annotated[Caller, Depends(caller)]) -> Case:
    conn = db()
    row = conn.execute(
        "SELECT number, status, version, created_at, body FROM cases WHERE id = ?",
        (str(case_id),),
    ).fetchone()
    if row is None:
        raise HTTPException(404, "no such case")
    # The access-log row is committed (durably) before the answer.
    conn.execute("BEGIN IMMEDIATE")
    try:
        conn.execute(
            "INSERT INTO access_log (at, user_id, role, case_id, what) VALUES (?, ?, ?, ?, 'case')",
            (dt.datetime.now(dt.UTC).isoformat(), who.user_id, who.role, str(case_id)),
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    number, status, version, created_at, body = row
    return Case(
        id=case_id,
        number=number,
        status=status,
        version=version,
        created_at=dt.datetime.fromisoformat(created_at),
        intake=Intake.model_validate_json(body),
    )


@app.get("/api/v1/cases")
def page(
    who: Annotated[Caller, Depends(caller)],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Page:
    rows = db().execute(
        "SELECT id, number, office, category, status, opened_on FROM cases"
        " ORDER BY number LIMIT ?",
        (limit,),
    )
    return Page(
        items=[
            Summary(id=r[0], number=r[1], office=r[2], category=r[3], status=r[4], opened_on=r[5])
            for r in rows
        ]
    )


def init(path: str, token: str) -> None:
    conn = connect(path)
    conn.executescript(SCHEMA)
    digest = hashlib.sha256(token.encode()).hexdigest()
    conn.execute(
        "INSERT OR IGNORE INTO tokens VALUES (?, 'bench-directorate', 'directorate')", (digest,)
    )
    conn.close()


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "init":
        init(sys.argv[2], sys.argv[3])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
