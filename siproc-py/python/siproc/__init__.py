"""siproc: consular protection case management, the engine the server uses, for Python scripts.

Records are plain dicts in the wire format (dates as ``datetime.date`` or ISO text) or JSON text.
Validation problems are data: a :class:`Report` with ``ok`` and ``issues``. Pass
``raise_on_error=True`` to get a :class:`ValidationError` (a ``ValueError``) carrying the report.

Cases are histories of hash-chained events. :func:`open_case` opens one from an intake as a
:class:`CaseHistory`; commands (dicts such as ``{"command": "add_note", "text": "..."}``) become
events through :meth:`CaseHistory.apply` or :func:`apply`; :func:`verify` proves a history was not
altered and :func:`replay` folds it into the case. Cases, events and commands are dicts in the
core's JSON format. :class:`MemoryStore` keeps many cases; :func:`write_archive`,
:func:`verify_archive`, :func:`import_archive` and :func:`read_archive` move them between systems;
:func:`required_forms` and :func:`render_form` print the paper file's forms as PDFs.

>>> import siproc
>>> siproc.check_document("hn_dni", "0801-1990-12345").ok
True
"""

from __future__ import annotations

import datetime as _dt
from typing import Any, Iterable, Sequence, Union

from . import _siproc
from ._errors import (
    CatalogError,
    ConflictError,
    FormError,
    MalformedError,
    SiprocError,
    StoreError,
    TamperError,
    ValidationError,
    WorkflowError,
)
from ._siproc import (
    Actor,
    CaseHistory,
    Catalog,
    DuplicatePair,
    Issue,
    MemoryStore,
    Store,
    Report,
    apply,
    builtin_packs,
    erase_due,
    import_archive,
    open_case,
    open_store,
    read_archive,
    render_form,
    replay,
    required_forms,
    verify,
    verify_archive,
    write_archive,
)

__version__: str = _siproc.__version__

__all__ = [
    "Actor",
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

_Record = Union[dict, str, bytes, bytearray]


def validate(
    record: _Record,
    *,
    catalog: Catalog | None = None,
    locale: str = "es",
    raise_on_error: bool = False,
) -> Report:
    """Validates one record (a dict, or JSON as ``str`` or ``bytes``) against a catalog.

    Returns a :class:`Report`. With ``raise_on_error=True`` a report that is not ``ok`` is
    raised as a :class:`ValidationError` instead.
    """
    report = _siproc.validate(record, catalog, locale)
    if raise_on_error and not report.ok:
        raise ValidationError(report)
    return report


def validate_many(
    records: Iterable[_Record] | bytes | bytearray | str,
    *,
    catalog: Catalog | None = None,
    locale: str = "es",
) -> list[Report]:
    """Validates many records; one report per record, in order.

    ``records`` is a list (or any iterable) of records, or JSON Lines as ``bytes`` or ``str``
    (one record per line; a final newline is not a record). The work runs without the GIL.
    """
    if not isinstance(records, (list, tuple, bytes, bytearray, str)):
        records = list(records)
    return _siproc.validate_many(records, catalog, locale)


def check_document(kind: str, value: str, *, locale: str = "es") -> Report:
    """Checks an identity document number of ``kind`` (``hn_dni``, ``hn_passport``, ``mx_curp``,
    ``sv_dui``, ``gt_dpi``, ``mrz_td3``, ``mx_clave_elector``). The issues have the path ``""``."""
    return _siproc.check_document(kind, value, locale)


def normalize_document(kind: str, value: str) -> str | None:
    """The canonical form of a document number (``0801-1990-12345`` for a DNI written with or
    without dashes), or ``None`` when it does not have the kind's shape."""
    return _siproc.normalize_document(kind, value)


def parse_mrz(lines: Sequence[str] | str, *, locale: str = "es") -> dict[str, Any]:
    """Parses a passport's machine readable zone (two lines of 44 characters, as a list or one
    text). Returns its fields, dates as ``datetime.date``; raises :class:`ValidationError`."""
    if isinstance(lines, str):
        lines = lines.splitlines()
    fields, report = _siproc.parse_mrz(list(lines), locale)
    if fields is None:
        raise ValidationError(report)
    for key in ("birth_date", "expiry_date"):
        fields[key] = _dt.date.fromisoformat(fields[key])
    return fields


def normalize(
    record: _Record, *, catalog: Catalog | None = None, locale: str = "es"
) -> dict[str, Any]:
    """The record as the core normalises it before it becomes a case: names in NFC, document
    numbers in canonical form, phones in E.164, the ``minor`` flag and the priority set.

    The result is JSON-ready (dates as ISO text). A record that does not parse raises
    :class:`ValidationError`; one that parses is normalised even if validation would report it.
    """
    intake, report = _siproc.normalize(record, catalog, locale)
    if intake is None:
        raise ValidationError(report)
    return intake


def list_rules() -> list[dict[str, str]]:
    """Every rule siproc can report: ``code``, ``severity``, ``description``, and the message
    templates ``es`` and ``en``."""
    return _siproc.list_rules()


def find_duplicates(records: Iterable[_Record] | bytes | bytearray | str) -> list[DuplicatePair]:
    """Candidate duplicates among records, comparing their nationals: pairs of indices with a
    score and the reasons (``same_document``, ``same_name_and_birth_date``, ``similar_name``).

    Records that do not parse take no part. Takes the same inputs as :func:`validate_many`.
    """
    if not isinstance(records, (list, tuple, bytes, bytearray, str)):
        records = list(records)
    return _siproc.find_duplicates(records)


def duplicate_clusters(pairs: Iterable[DuplicatePair]) -> list[list[int]]:
    """Groups duplicate pairs into clusters of transitively linked records (sorted indices)."""
    return _siproc.duplicate_clusters(list(pairs))


# Legacy import: converting a spreadsheet log's rows and importing them (the core's `legacy`
# module; see examples/python/migrate_legacy.py).
from ._siproc import (  # noqa: E402
    LegacyLog,
    convert_legacy,
    find_legacy_duplicates,
    import_legacy,
    read_legacy_log,
)

__all__ += ["LegacyLog", "convert_legacy", "find_legacy_duplicates", "import_legacy", "read_legacy_log"]

# Statistics (the core's `stats`): the full tables for staff, and the disclosure-controlled
# release (counts under k suppressed, with secondary suppression) for anything that leaves the
# ministry. `statistics(store)` gives `{table name: [row dict, ...]}`: `pandas.DataFrame(rows)`.
from ._siproc import release, release_csv, statistics  # noqa: E402

__all__ += ["release", "release_csv", "statistics"]

# Commitment salts come from a per-thread generator seeded from the operating system (the core's
# `history` module): a forked child reseeds it, or it would draw its parent's next salts.
import os as _os  # noqa: E402

if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_siproc._reseed_salts)
