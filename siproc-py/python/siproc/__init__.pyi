"""Type stubs of the siproc package (checked against the runtime by ``mypy.stubtest``)."""

import datetime
import uuid
from os import PathLike
from typing import IO, Any, ClassVar, Iterable, Mapping, Sequence, SupportsIndex, Union, final, overload

from typing_extensions import disjoint_base

_Record = Union[dict[str, Any], str, bytes, bytearray]
# Cases, events, commands, anchors and summaries are dicts in the core's JSON format.
_Event = dict[str, Any]
_Case = dict[str, Any]
_Command = Mapping[str, Any]
_Events = Union[Sequence[Mapping[str, Any]], "CaseHistory"]
_ActorLike = Union["Actor", Mapping[str, str]]
# An aware datetime.datetime or RFC 3339 text with an offset; None means now.
_Time = Union[datetime.datetime, str, None]
_Path = Union[str, PathLike[str]]
# An archive to read: its bytes, a binary file object, or a path.
_ArchiveSource = Union[bytes, bytearray, IO[bytes], _Path]

__version__: str

@final
class Issue:
    """One problem found in a record."""

    @property
    def code(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def severity(self) -> str: ...
    @property
    def message(self) -> str: ...
    def to_dict(self) -> dict[str, str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class Report:
    """The result of validating a record."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def ok(self) -> bool: ...
    @property
    def issues(self) -> tuple[Issue, ...]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class DuplicatePair:
    """Two records that may be the same national."""

    __hash__: ClassVar[None]  # type: ignore[assignment]
    @property
    def a(self) -> int: ...
    @property
    def b(self) -> int: ...
    @property
    def score(self) -> float: ...
    @property
    def reasons(self) -> tuple[str, ...]: ...
    def to_dict(self) -> dict[str, Any]: ...
    def __eq__(self, value: object, /) -> bool: ...

@final
class Catalog:
    """A country pack."""

    @staticmethod
    def default() -> Catalog: ...
    @staticmethod
    def builtin(id: str) -> Catalog: ...
    @staticmethod
    def load(path: str | PathLike[str]) -> Catalog: ...
    @property
    def id(self) -> str: ...
    @property
    def country(self) -> str: ...
    def to_dict(self) -> dict[str, Any]: ...
    def view(self, locale: str = "es") -> dict[str, Any]: ...
    def labels(self, locale: str = "es") -> dict[str, dict[str, str]]: ...

@final
class Actor:
    """Who acts: a user id (not a name), a role (``officer``, ``supervisor``, ``directorate``,
    ``partner``, ``auditor``) and the office they act from."""

    def __new__(cls, user_id: str, role: str, office: str) -> Actor: ...
    @property
    def user_id(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def office(self) -> str: ...
    def to_dict(self) -> dict[str, str]: ...
    def __eq__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...

@final
class CaseHistory:
    """A case's history in memory: its events (verified and replayed when it is built from
    them) and the case they fold into."""

    def __new__(cls, events: _Events) -> CaseHistory: ...
    @property
    def events(self) -> list[_Event]: ...
    @property
    def case(self) -> _Case: ...
    @property
    def id(self) -> str: ...
    @property
    def number(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def version(self) -> int: ...
    @property
    def head(self) -> str: ...
    @property
    def anchor(self) -> dict[str, Any]: ...
    def apply(
        self,
        command: _Command,
        *,
        actor: _ActorLike,
        catalog: Catalog | None = None,
        now: _Time = None,
    ) -> _Event: ...
    def available_commands(
        self, *, actor: _ActorLike, catalog: Catalog | None = None
    ) -> list[dict[str, Any]]: ...
    def verify(self) -> dict[str, Any]: ...
    def generate_form(
        self,
        form_id: str,
        *,
        actor: _ActorLike,
        catalog: Catalog | None = None,
        locale: str = "es",
        now: _Time = None,
    ) -> bytes: ...
    def __len__(self) -> int: ...

@disjoint_base
class Store:
    """A thread-safe case store: numbers per office and year without gaps, optimistic
    concurrency (``ConflictError``), search. :func:`open_store` opens one on SQLite,
    PostgreSQL or memory; :class:`MemoryStore` is the in-memory one."""

    def open_case(
        self,
        intake: _Record,
        *,
        actor: _ActorLike,
        catalog: Catalog | None = None,
        now: _Time = None,
    ) -> _Case: ...
    def run(
        self,
        case_id: str | uuid.UUID,
        command: _Command,
        *,
        actor: _ActorLike,
        catalog: Catalog | None = None,
        now: _Time = None,
    ) -> _Case: ...
    def load(self, case_id: str | uuid.UUID) -> list[_Event]: ...
    def case(self, case_id: str | uuid.UUID) -> _Case: ...
    def history(self, case_id: str | uuid.UUID) -> CaseHistory: ...
    def append(
        self, case_id: str | uuid.UUID, expected_version: int, events: _Events
    ) -> int: ...
    def find(
        self,
        *,
        office: str | None = None,
        status: str | None = None,
        category: str | None = None,
        number: str | None = None,
        document_number: str | None = None,
        name: str | None = None,
    ) -> list[dict[str, Any]]: ...
    def summary(self, case_id: str | uuid.UUID) -> dict[str, Any]: ...
    def attach(
        self,
        case_id: str | uuid.UUID,
        data: bytes,
        media_type: str | None = None,
        description: str | None = None,
        *,
        actor: _ActorLike,
        expected_version: int | None = None,
        now: _Time = None,
    ) -> dict[str, Any]:
        """Files ``data`` into the case: checked (size, the type sniffed from the bytes, images
        stripped of their metadata, PDFs without scripts or embedded files), kept encrypted with
        the case's key in an encrypted store, recorded as an ``attachment_added`` event (the
        description must hold no personal data, never a file name). A scan or photo of a form
        the case printed is filed as that form's signed copy by its QR code; one of another
        case's form is refused (``signed_copy.other_case``). Returns the attachment
        (``sha256``, ``media_type``, ``size``, ``description``), ``signs`` (``{"form", "code"}``
        of the printing it signs, or ``None``) and ``added`` (``False`` when the case already
        held this file). Refusals raise ``AttachmentError``."""
    def attachment(self, case_id: str | uuid.UUID, sha256: str) -> dict[str, Any]:
        """The case's file ``sha256``: its attachment with the bytes as ``content``, checked
        against the digest (``AttachmentError`` ``attachment.not_found`` or
        ``attachment.erased``)."""
    def erase(
        self,
        case_id: str | uuid.UUID,
        *,
        reason: str,
        actor: _ActorLike,
        now: _Time = None,
    ) -> _Case:
        """Erases every personal value of a closed or archived case (the directorate, with a
        reason, no personal data in it): a ``personal_data_erased`` event, the values gone from
        the stored events and the search, the chain still verifiable. Returns the case as it now
        replays (erased places listed in ``erased``)."""
    def generate_form(
        self,
        case_id: str | uuid.UUID,
        form_id: str,
        *,
        actor: _ActorLike,
        catalog: Catalog | None = None,
        locale: str = "es",
        now: _Time = None,
    ) -> bytes: ...
    def log_access(
        self,
        case_id: str | uuid.UUID,
        *,
        actor: _ActorLike,
        what: str,
        access: str = "office",
        reason: str | None = None,
        at: _Time = None,
    ) -> None:
        """Writes a line of the access log, durably, in the store's own database."""
    def access_log(
        self,
        *,
        case_id: str | uuid.UUID | None = None,
        user_id: str | None = None,
        since: _Time = None,
        limit: int = 100,
    ) -> list[dict[str, Any]]:
        """The access log, newest first."""
    def subject_access(
        self,
        *,
        document_number: str | None = None,
        name: str | None = None,
        now: _Time = None,
    ) -> dict[str, Any]:
        """What the store holds about one person: every case where one person holds the
        document number and every word of the name (each when given; at least one), with the
        person's values, the case's facts, notes and services, who read it (the access log)
        and the partners it was shared with (its referrals). Raises ``MalformedError``
        (``subject_access.no_terms``) when neither is given."""
    def __len__(self) -> int: ...

@final
class MemoryStore(Store):
    """A new, empty in-memory store: its cases live as long as the process."""

    def __new__(cls) -> MemoryStore: ...

def erase_due(
    store: Store,
    *,
    actor: _ActorLike,
    catalog: Catalog | None = None,
    now: _Time = None,
    dry_run: bool = False,
) -> dict[str, int]:
    """Erases the closed and archived cases whose retention rule (the catalog's) ran out by
    ``now``, as ``actor`` (the directorate); with ``dry_run`` only counts them. Returns counts
    only: ``checked``, ``due``, ``erased``, ``without_rule``."""

def open_store(
    url: str,
    *,
    master_key_file: str | PathLike[str] | None = None,
    blobs: str | None = None,
) -> Store:
    """Opens ``sqlite:///path/cases.db``, ``sqlite:cases.db`` (or a plain path),
    ``postgresql://…`` or ``memory:``, creating and migrating the database as needed; the
    access log lives in the same database. An encrypted store opens with its master key: the
    file ``master_key_file`` names, else the one ``SIPROC_MASTER_KEY_FILE`` names; a new
    database opened with a key is encrypted. The cases' files are kept where ``blobs`` says:
    ``database`` (the default), ``dir:PATH`` or ``s3://BUCKET/PREFIX?endpoint=…&region=…``."""

class SiprocError(Exception):
    code: str
    def __init__(self, message: str, code: str | None = None) -> None: ...

class AttachmentError(SiprocError, ValueError): ...

class ValidationError(SiprocError, ValueError):
    report: Report
    def __init__(
        self, report: Report, message: str | None = None, code: str | None = None
    ) -> None: ...

class CatalogError(SiprocError):
    problems: list[dict[str, Any]]
    def __init__(
        self, message: str, code: str | None = None, *, problems: list[dict[str, Any]] | None = None
    ) -> None: ...

class ConflictError(SiprocError):
    current: int | None
    def __init__(
        self, message: str, code: str | None = None, *, current: int | None = None
    ) -> None: ...

class TamperError(SiprocError):
    index: int | None
    seq: int | None
    reason: str | None
    report: dict[str, Any] | None
    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        index: int | None = None,
        seq: int | None = None,
        reason: str | None = None,
        report: dict[str, Any] | None = None,
    ) -> None: ...

class WorkflowError(SiprocError): ...
class StoreError(SiprocError): ...

class FormError(SiprocError):
    form: str | None
    field: str | None
    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        form: str | None = None,
        field: str | None = None,
    ) -> None: ...

class MalformedError(SiprocError, ValueError):
    path: str
    def __init__(self, message: str, code: str | None = None, *, path: str = "") -> None: ...

def validate(
    record: _Record,
    *,
    catalog: Catalog | None = None,
    locale: str = "es",
    raise_on_error: bool = False,
) -> Report: ...
def validate_many(
    records: Iterable[_Record] | bytes | bytearray | str,
    *,
    catalog: Catalog | None = None,
    locale: str = "es",
) -> list[Report]: ...
def check_document(kind: str, value: str, *, locale: str = "es") -> Report: ...
def normalize_document(kind: str, value: str) -> str | None: ...
def parse_mrz(lines: Sequence[str] | str, *, locale: str = "es") -> dict[str, Any]: ...
def normalize(
    record: _Record, *, catalog: Catalog | None = None, locale: str = "es"
) -> dict[str, Any]: ...
def list_rules() -> list[dict[str, str]]: ...
def find_duplicates(
    records: Iterable[_Record] | bytes | bytearray | str,
) -> list[DuplicatePair]: ...
def duplicate_clusters(pairs: Iterable[DuplicatePair]) -> list[list[int]]: ...
def builtin_packs() -> list[str]: ...

# Cases and histories.
def open_case(
    intake: _Record,
    *,
    actor: _ActorLike,
    number: str,
    catalog: Catalog | None = None,
    now: _Time = None,
    case_id: str | uuid.UUID | None = None,
) -> CaseHistory: ...
def apply(
    events: _Events,
    command: _Command,
    *,
    actor: _ActorLike,
    catalog: Catalog | None = None,
    now: _Time = None,
) -> _Event: ...
def replay(events: _Events) -> _Case: ...
def verify(events: _Events, *, anchor: Mapping[str, Any] | None = None) -> dict[str, Any]: ...

# Archives. Reports are dicts: {"ok", "cases", "rejected": [{"line", "case_id", "code",
# "message"}], "file": [{"code", "message"}]}, and for an import "imported", "unchanged" and
# "written".
def write_archive(
    dest: _Path | IO[bytes],
    cases: Store | Iterable[_Events],
    *,
    now: _Time = None,
) -> dict[str, Any]: ...
def verify_archive(
    source: _ArchiveSource, *, store: Store | None = None
) -> dict[str, Any]: ...
def import_archive(
    source: _ArchiveSource, store: Store, *, partial: bool = False
) -> dict[str, Any]: ...
def read_archive(source: _ArchiveSource) -> list[CaseHistory]: ...

# Forms.
def required_forms(
    case: _Case | CaseHistory, *, catalog: Catalog | None = None
) -> list[dict[str, Any]]: ...
def render_form(
    case: _Case | CaseHistory,
    form_id: str,
    *,
    catalog: Catalog | None = None,
    locale: str = "es",
    generated_at: _Time = None,
) -> bytes: ...

__all__ = [
    "Actor",
    "AttachmentError",
    "CaseHistory",
    "Catalog",
    "CatalogError",
    "ConflictError",
    "DuplicatePair",
    "FormError",
    "Issue",
    "MalformedError",
    "MemoryStore",
    "Store",
    "open_store",
    "Report",
    "SiprocError",
    "StoreError",
    "TamperError",
    "ValidationError",
    "WorkflowError",
    "apply",
    "builtin_packs",
    "check_document",
    "duplicate_clusters",
    "erase_due",
    "find_duplicates",
    "import_archive",
    "list_rules",
    "normalize",
    "normalize_document",
    "open_case",
    "parse_mrz",
    "read_archive",
    "render_form",
    "replay",
    "required_forms",
    "validate",
    "validate_many",
    "verify",
    "verify_archive",
    "write_archive",
]

# Legacy import (the core's `legacy` module): rows are dicts keyed by the log's column names.
_LegacyRow = Mapping[str, Any]
def convert_legacy(
    row: _LegacyRow,
    *,
    catalog: Catalog | None = None,
    mapping: Mapping[str, Any] | None = None,
    today: _Time = None,
    locale: str = "es",
) -> dict[str, Any]: ...
@final
class LegacyLog:
    """A legacy log read by the engine: (spreadsheet row number, row dict) pairs."""
    def __len__(self) -> int: ...
    @overload
    def __getitem__(self, key: SupportsIndex, /) -> tuple[int, dict[str, str]]: ...
    @overload
    def __getitem__(self, key: slice, /) -> LegacyLog: ...

def read_legacy_log(path: str | PathLike[str]) -> LegacyLog: ...
def import_legacy(
    rows: LegacyLog | Iterable[tuple[int, _LegacyRow]],
    *,
    source: str,
    store: Store,
    actor: _ActorLike,
    catalog: Catalog | None = None,
    mapping: Mapping[str, Any] | None = None,
    now: _Time = None,
    locale: str = "es",
    dry_run: bool = False,
    files: _Path | None = None,
) -> dict[str, Any]: ...
def find_legacy_duplicates(
    rows: LegacyLog | Iterable[tuple[int, _LegacyRow] | _LegacyRow],
    *,
    catalog: Catalog | None = None,
    mapping: Mapping[str, Any] | None = None,
    today: _Time = None,
) -> list[DuplicatePair]: ...

# Statistics. Dates are datetime.date or YYYY-MM-DD text; as_of is the moment open-case aging
# and pending targets are measured at (now when None).
_Day = Union[datetime.date, str, None]

def statistics(
    store: Store,
    *,
    catalog: Catalog | None = None,
    date_from: _Day = None,
    date_to: _Day = None,
    as_of: _Time = None,
) -> dict[str, list[dict[str, Any]]]: ...
def release(
    store: Store,
    k: int | None = None,
    *,
    catalog: Catalog | None = None,
    date_from: _Day = None,
    date_to: _Day = None,
    as_of: _Time = None,
) -> dict[str, Any]: ...
def release_csv(
    store: Store,
    k: int | None = None,
    *,
    catalog: Catalog | None = None,
    date_from: _Day = None,
    date_to: _Day = None,
    as_of: _Time = None,
) -> str: ...

__all__ += ["LegacyLog", "convert_legacy", "find_legacy_duplicates", "import_legacy", "read_legacy_log"]
__all__ += ["release", "release_csv", "statistics"]
