"""Type stubs of the siproc package (checked against the runtime by ``mypy.stubtest``)."""

import datetime
from os import PathLike
from typing import Any, ClassVar, Iterable, Sequence, Union, final

_Record = Union[dict[str, Any], str, bytes, bytearray]

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

class SiprocError(Exception):
    code: str
    def __init__(self, message: str, code: str | None = None) -> None: ...

class ValidationError(SiprocError, ValueError):
    report: Report
    def __init__(self, report: Report, message: str | None = None) -> None: ...

class CatalogError(SiprocError): ...
class ConflictError(SiprocError): ...
class TamperError(SiprocError): ...

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

__all__ = [
    "Catalog",
    "CatalogError",
    "ConflictError",
    "DuplicatePair",
    "Issue",
    "Report",
    "SiprocError",
    "TamperError",
    "ValidationError",
    "check_document",
    "duplicate_clusters",
    "find_duplicates",
    "list_rules",
    "normalize",
    "normalize_document",
    "parse_mrz",
    "validate",
    "validate_many",
]
