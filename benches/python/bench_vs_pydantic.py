"""siproc.validate_many against pydantic v2 models that express the same rules, side by side.

    make bench-py        # or: siproc-py/.venv/bin/python benches/python/bench_vs_pydantic.py [--records N]

The records are the six valid intakes of the conformance corpus (tests/conformance/intake/
valid.json: a detention, a repatriation of remains, a missing person with the requesting mother,
an unaccompanied minor, a trafficking victim, a deportation) in turn, 100,000 by default: the
same records as the Rust benchmark's mixed set.

The pydantic models check what siproc's rules check, in Python: field lengths and list sizes,
names' characters, catalog codes (offices, categories, flags, services, partners), the
category's facts from the same catalog data (types, required, choices, date order), countries,
dates not in the future, exactly one national, minors, consent, attachments, identity documents
as validators (Honduran DNI department and municipality tables, passport format, CURP, DUI and
DPI check digits, the MRZ's check digits), phones with the `phonenumbers` package (libphonenumber,
as siproc's `phonenumber` crate) and emails with `email-validator` (what pydantic's `EmailStr`
uses). Warnings (which pydantic cannot express) are left out, which only helps pydantic.

Each variant runs three times; the best time counts. One core: siproc does not use threads.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform
import re
import sys
import time
import unicodedata
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Optional

import email_validator
import phonenumbers
import pydantic
import pydantic_core
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, field_validator, model_validator

import siproc

ROOT = Path(__file__).resolve().parents[2]
CATALOG = siproc.Catalog.default().to_dict()
DEPARTMENTS = [d["municipalities"] for d in json.loads(
    (ROOT / "siproc-core/data/documents/hn_departments.json").read_text(encoding="utf-8"))["departments"]]
GT_DEPARTMENTS = [d["municipalities"] for d in json.loads(
    (ROOT / "siproc-core/data/documents/gt_departments.json").read_text(encoding="utf-8"))["departments"]]
MX_STATES = {s["code"] for s in json.loads(
    (ROOT / "siproc-core/data/documents/mx_states.json").read_text(encoding="utf-8"))["states"]}
COUNTRIES = set(json.loads((ROOT / "siproc-core/data/iso3166_alpha2.json").read_text(encoding="utf-8")))
OFFICES = {o["code"]: o for o in CATALOG["offices"]}
CATEGORIES = {c["code"]: c for c in CATALOG["categories"]}
FLAGS = {f["code"] for f in CATALOG["flags"]}
SERVICES = {s["code"] for s in CATALOG["services"]}
PARTNERS = {p["code"] for p in CATALOG["partners"]}
TODAY = dt.date.today()
SEPARATORS = re.compile(r"[\s.\-\u00a0\u2010-\u2015\u2212]")


# --- identity documents, as validators ---------------------------------------------------------

def _digits(value: str, n: int) -> str:
    compact = SEPARATORS.sub("", value)
    if not compact:
        raise ValueError("document.empty")
    if not compact.isascii() or not compact.isdigit():
        raise ValueError("bad_characters")
    if len(compact) != n:
        raise ValueError("bad_length")
    return compact


def hn_dni(value: str) -> None:
    d = _digits(value, 13)
    department, municipality, year, sequence = int(d[:2]), int(d[2:4]), int(d[4:8]), int(d[8:])
    if not 1 <= department <= len(DEPARTMENTS):
        raise ValueError("dni.bad_department")
    if not 1 <= municipality <= DEPARTMENTS[department - 1]:
        raise ValueError("dni.bad_municipality")
    if not 1900 <= year <= TODAY.year:
        raise ValueError("dni.bad_year")
    if sequence == 0:
        raise ValueError("dni.bad_sequence")


def hn_passport(value: str) -> None:
    compact = SEPARATORS.sub("", value).upper()
    if not compact:
        raise ValueError("document.empty")
    if not re.fullmatch(r"[A-Z][0-9]{7,9}", compact):
        raise ValueError("passport.bad_format")


CURP_ALPHABET = "0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ"


def mx_curp(value: str) -> None:
    c = SEPARATORS.sub("", value).upper()
    if not re.fullmatch(r"[A-Z][AEIOUX][A-Z]{2}\d{6}[HMX][A-Z]{2}[B-DF-HJ-NP-TV-Z]{3}[0-9A-Z]\d", c):
        raise ValueError("curp.bad_format")
    dt.datetime.strptime(c[4:10], "%y%m%d")
    if c[11:13] not in MX_STATES:
        raise ValueError("curp.bad_state")
    total = sum(CURP_ALPHABET.index(ch) * (18 - i) for i, ch in enumerate(c[:17]))
    if (10 - total % 10) % 10 != int(c[17]):
        raise ValueError("curp.bad_check_digit")


def sv_dui(value: str) -> None:
    d = _digits(value, 9)
    if (10 - sum(int(x) * (9 - i) for i, x in enumerate(d[:8])) % 10) % 10 != int(d[8]):
        raise ValueError("dui.bad_check_digit")


def gt_dpi(value: str) -> None:
    d = _digits(value, 13)
    r = sum(int(x) * (i + 2) for i, x in enumerate(d[:8])) % 11
    if r == 10 or r != int(d[8]):
        raise ValueError("dpi.bad_check_digit")
    department, municipality = int(d[9:11]), int(d[11:13])
    if not 1 <= department <= len(GT_DEPARTMENTS) or not 1 <= municipality <= GT_DEPARTMENTS[department - 1]:
        raise ValueError("dpi.bad_place")


def _mrz_digit(s: str) -> int:
    values = [int(c) if c.isdigit() else 0 if c == "<" else ord(c) - 55 for c in s]
    return sum(v * (7, 3, 1)[i % 3] for i, v in enumerate(values)) % 10


def mrz_td3(value: str) -> None:
    lines = [line.strip() for line in value.strip().splitlines()]
    if len(lines) != 2 or any(len(line) != 44 for line in lines):
        raise ValueError("mrz.bad_length")
    a, b = lines
    if not re.fullmatch(r"[A-Z0-9<]{44}", a) or not re.fullmatch(r"[A-Z0-9<]{44}", b) or a[0] != "P":
        raise ValueError("mrz.bad_characters")
    for field, check in ((b[0:9], b[9]), (b[13:19], b[19]), (b[21:27], b[27])):
        if not check.isdigit() or _mrz_digit(field) != int(check):
            raise ValueError("mrz.bad_check")
    if _mrz_digit(b[0:10] + b[13:20] + b[21:43]) != int(b[43]):
        raise ValueError("mrz.bad_composite_check")


DOCUMENTS: dict[str, Callable[[str], None]] = {
    "hn_dni": hn_dni, "hn_passport": hn_passport, "mx_curp": mx_curp, "sv_dui": sv_dui,
    "gt_dpi": gt_dpi, "mrz_td3": mrz_td3,
}


# --- the models ----------------------------------------------------------------------------------

def _name(value: str) -> str:
    if not value.strip():
        raise ValueError("name.empty")
    if not all(c.isalpha() or unicodedata.combining(c) or c in " '’-." for c in value):
        raise ValueError("name.bad_characters")
    return value


def _country(value: str) -> str:
    if value not in COUNTRIES:
        raise ValueError("country.unknown")
    return value


def _past(value: dt.date) -> dt.date:
    if value > TODAY:
        raise ValueError("date.in_future")
    return value


def _blank_is_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


Country = Annotated[str, pydantic.AfterValidator(_country)]
Name = Annotated[str, Field(max_length=100), pydantic.AfterValidator(_name)]
PastDate = Annotated[dt.date, pydantic.AfterValidator(_past)]
Strict = ConfigDict(extra="forbid")


class IdentityDocument(BaseModel):
    model_config = Strict
    kind: str = Field(default="", max_length=40)
    number: str = Field(default="", max_length=100)

    @model_validator(mode="after")
    def check_number(self) -> IdentityDocument:
        check = DOCUMENTS.get(self.kind)
        if check is None:
            raise ValueError("document.unknown_kind")
        check(self.number)
        return self


class Contact(BaseModel):
    model_config = Strict
    kind: Literal["phone", "email", "address"]
    value: str = Field(default="", max_length=300)
    country: Optional[Country] = None

    @field_validator("value")
    @classmethod
    def not_empty(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("text.empty")
        return v


class Location(BaseModel):
    model_config = Strict
    kind: Literal["current", "residence", "last_known", "birth", "destination"]
    country: Country
    place: Optional[str] = Field(default=None, max_length=300)


class Person(BaseModel):
    model_config = Strict
    role: Literal["national", "relative", "guardian", "other"]
    relationship: Optional[Literal["parent", "child", "spouse", "sibling", "grandparent", "grandchild",
                                   "other_relative"]] = None
    given_names: Name = ""
    surnames: Name = ""
    birth_date: Annotated[Optional[PastDate], BeforeValidator(_blank_is_none)] = None
    sex: Optional[Literal["female", "male", "unspecified"]] = None
    nationality: Optional[Country] = None
    documents: list[IdentityDocument] = Field(default_factory=list, max_length=20)
    contacts: list[Contact] = Field(default_factory=list, max_length=20)
    locations: list[Location] = Field(default_factory=list, max_length=20)

    @field_validator("birth_date")
    @classmethod
    def plausible(cls, v: Optional[dt.date]) -> Optional[dt.date]:
        if v is not None and v.year < 1900:
            raise ValueError("date.implausible")
        return v


class Consent(BaseModel):
    model_config = Strict
    given: bool
    given_by: int = Field(ge=0)
    recorded_on: PastDate
    scope: list[Literal["processing", "share_with_partners", "share_with_authorities", "contact_family"]] = \
        Field(default_factory=list, max_length=10)


class Note(BaseModel):
    model_config = Strict
    text: str = Field(max_length=10000)
    written_on: Annotated[Optional[dt.date], BeforeValidator(_blank_is_none)] = None


class Service(BaseModel):
    model_config = Strict
    kind: str = Field(max_length=60)
    given_on: dt.date
    description: Optional[str] = Field(default=None, max_length=2000)

    @field_validator("kind")
    @classmethod
    def known(cls, v: str) -> str:
        if v not in SERVICES:
            raise ValueError("service.unknown_kind")
        return v


class Referral(BaseModel):
    model_config = Strict
    partner: str = Field(max_length=60)
    reason: Optional[str] = Field(default=None, max_length=2000)

    @field_validator("partner")
    @classmethod
    def known(cls, v: str) -> str:
        if v not in PARTNERS:
            raise ValueError("referral.unknown_partner")
        return v


class Attachment(BaseModel):
    model_config = Strict
    sha256: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    media_type: Annotated[str, Field(max_length=127, pattern=r"^[A-Za-z0-9!#$&^_.+-]+/[A-Za-z0-9!#$&^_.+-]+$")]
    size: int = Field(gt=0)
    description: Optional[str] = Field(default=None, max_length=300)


def _fact(kind: str, definition: dict[str, Any], value: Any, intake: Intake, birth: Optional[dt.date]) -> None:
    if kind == "text":
        if not isinstance(value, str):
            raise ValueError("fact.wrong_type")
        if len(value) > (definition.get("max_chars") or 2000):
            raise ValueError("text.too_long")
    elif kind == "date":
        day = dt.date.fromisoformat(value) if isinstance(value, str) else None
        if day is None:
            raise ValueError("fact.wrong_type")
        if definition.get("before_request") and (day > TODAY or day > intake.opened_on):
            raise ValueError("date.after_request")
        if definition.get("after_birth") and birth is not None and day < birth:
            raise ValueError("date.before_birth")
    elif kind == "country":
        if not isinstance(value, str) or value not in COUNTRIES:
            raise ValueError("country.unknown")
    elif kind == "choice":
        if value not in {c["code"] for c in definition.get("values", [])}:
            raise ValueError("fact.not_allowed")
    elif kind == "boolean":
        if not isinstance(value, bool):
            raise ValueError("fact.wrong_type")
    elif kind == "count":
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError("fact.wrong_type")


class Intake(BaseModel):
    model_config = Strict
    office: str = Field(default="", max_length=20)
    category: str = Field(default="", max_length=60)
    flags: list[str] = Field(default_factory=list, max_length=20)
    priority: Optional[Literal["low", "normal", "high", "urgent"]] = None
    opened_on: PastDate
    persons: list[Person] = Field(default_factory=list, max_length=50)
    consent: Optional[Consent] = None
    facts: dict[str, Any] = Field(default_factory=dict)
    notes: list[Note] = Field(default_factory=list, max_length=500)
    services: list[Service] = Field(default_factory=list, max_length=500)
    referrals: list[Referral] = Field(default_factory=list, max_length=20)
    attachments: list[Attachment] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def rules(self) -> Intake:
        office = OFFICES.get(self.office)
        if office is None:
            raise ValueError("office.unknown")
        category = CATEGORIES.get(self.category)
        if category is None:
            raise ValueError("category.unknown")
        if any(f not in FLAGS for f in self.flags):
            raise ValueError("flag.unknown")
        nationals = [p for p in self.persons if p.role == "national"]
        if len(nationals) != 1:
            raise ValueError("persons.no_national" if not nationals else "persons.many_nationals")
        national = nationals[0]
        birth = national.birth_date
        if birth is not None and self.opened_on < birth:
            raise ValueError("date.before_birth")
        for person in self.persons:
            for contact in person.contacts:
                if contact.kind == "phone":
                    region = contact.country or office["country"]
                    try:
                        number = phonenumbers.parse(contact.value, region)
                    except phonenumbers.NumberParseException as e:
                        raise ValueError("phone.invalid") from e
                    if not phonenumbers.is_valid_number(number):
                        raise ValueError("phone.invalid")
                elif contact.kind == "email":
                    try:
                        email_validator.validate_email(contact.value, check_deliverability=False)
                    except email_validator.EmailNotValidError as e:
                        raise ValueError("email.invalid") from e
        definitions = {f["key"]: f for f in category["facts"]}
        for key, definition in definitions.items():
            value = self.facts.get(key)
            if value is None or (definition["type"] == "text" and isinstance(value, str) and not value.strip()):
                if definition.get("required"):
                    raise ValueError("fact.required")
                continue
            _fact(definition["type"], definition, value, self, birth)
        if any(k not in definitions for k in self.facts):
            pass  # fact.unknown is a warning in siproc
        required = category.get("requires_relative")
        if required and not any(p.role == "relative" and p.relationship in required["relationships"]
                                for p in self.persons):
            raise ValueError("persons.relative_required")
        if birth is not None:
            age = self.opened_on.year - birth.year - ((self.opened_on.month, self.opened_on.day) < (birth.month, birth.day))
            shelter = self.facts.get("shelter")
            if age < 18 and not any(p.role == "guardian" for p in self.persons) and not (
                    isinstance(shelter, str) and shelter.strip()):
                raise ValueError("person.minor_without_guardian")
        if self.consent is not None and self.consent.given_by >= len(self.persons):
            raise ValueError("consent.unknown_person")
        shared = self.consent is not None and self.consent.given and "share_with_partners" in self.consent.scope
        if self.referrals and not shared:
            raise ValueError("consent.required_for_referral")
        return self


class Plain(BaseModel):
    """A plain 20-field model, for calibrating the machine against pydantic's usual figures."""

    f0: str
    f1: str
    f2: str
    f3: str
    f4: int
    f5: int
    f6: int
    f7: float
    f8: float
    f9: bool
    f10: str
    f11: str
    f12: Optional[str] = None
    f13: Optional[int] = None
    f14: dt.date
    f15: str
    f16: str
    f17: int
    f18: list[int]
    f19: str


# --- the run -------------------------------------------------------------------------------------

def best(f: Callable[[], Any], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        f()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = args.records

    corpus = json.loads((ROOT / "tests/conformance/intake/valid.json").read_text(encoding="utf-8"))
    typical = [c["intake"] for c in corpus["cases"]]
    text = [json.dumps(r, ensure_ascii=False) for r in typical]
    dicts = [json.loads(text[i % len(text)]) for i in range(n)]
    lines = [text[i % len(text)].encode() for i in range(n)]
    jsonl = b"\n".join(lines) + b"\n"

    # Both accept every record, and both reject the same broken ones.
    assert all(r.ok for r in siproc.validate_many(dicts[:60])), "siproc rejects a typical record"
    TypeAdapter(list[Intake]).validate_python(dicts[:60])
    broken = []
    for path, value in (("persons/0/documents/0/number", "1901-1994-04512"), ("persons/0/contacts/0/value", "123"),
                        ("opened_on", "2099-01-01"), ("office", "XXX")):
        record = json.loads(text[0])
        target: Any = record
        *parents, last = path.split("/")
        for p in parents:
            target = target[int(p)] if p.isdigit() else target[p]
        target[last] = value
        broken.append(record)
    assert not any(r.ok for r in siproc.validate_many(broken))
    for record in broken:
        try:
            Intake.model_validate(record)
        except pydantic.ValidationError:
            continue
        raise AssertionError("pydantic accepts a broken record")

    adapter = TypeAdapter(list[Intake])
    plain = [{"f0": "a", "f1": "b", "f2": "c", "f3": "d", "f4": 1, "f5": 2, "f6": 3, "f7": 1.5, "f8": 2.5,
              "f9": True, "f10": "e", "f11": "f", "f12": None, "f13": 4, "f14": "2026-01-02", "f15": "g",
              "f16": "h", "f17": 5, "f18": [1, 2], "f19": "i"}] * n
    plain_adapter = TypeAdapter(list[Plain])

    results: list[tuple[str, str, float]] = []

    def measure(source: str, who: str, f: Callable[[], Any]) -> None:
        seconds = best(f, args.runs)
        results.append((source, who, seconds))
        print(f"{source:11} {who:46} {seconds:8.3f} s {n / seconds:>12,.0f} / s", flush=True)

    print(f"{n:,} records; Python {platform.python_version()}, pydantic {pydantic.VERSION}, "
          f"pydantic-core {pydantic_core.__version__}, "
          f"siproc {siproc.__version__}; best of {args.runs}")
    measure("dicts", "siproc.validate_many(list of dicts)", lambda: siproc.validate_many(dicts))
    measure("dicts", "pydantic TypeAdapter(list[Intake]).validate_python", lambda: adapter.validate_python(dicts))
    measure("dicts", "pydantic Intake.model_validate, one by one", lambda: [Intake.model_validate(d) for d in dicts])
    measure("JSON Lines", "siproc.validate_many(bytes)", lambda: siproc.validate_many(jsonl))
    measure("JSON Lines", "pydantic Intake.model_validate_json per line",
            lambda: [Intake.model_validate_json(line) for line in lines])
    measure("reference", "pydantic plain 20-field model, list of dicts", lambda: plain_adapter.validate_python(plain))

    by = {(s, w): t for s, w, t in results}
    for source, ours, theirs in (("dicts", "siproc.validate_many(list of dicts)",
                                  "pydantic TypeAdapter(list[Intake]).validate_python"),
                                 ("JSON Lines", "siproc.validate_many(bytes)",
                                  "pydantic Intake.model_validate_json per line")):
        print(f"{source}: siproc is {by[(source, theirs)] / by[(source, ours)]:.1f}x pydantic's throughput")


if __name__ == "__main__":
    sys.exit(main())
