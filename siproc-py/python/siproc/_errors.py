"""The exceptions siproc raises. Each has a stable machine ``code``; no message holds personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import Report


class SiprocError(Exception):
    """Base of every siproc exception; ``code`` is a stable machine code."""

    code: str = "siproc.error"

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        if code is not None:
            self.code = code


class ValidationError(SiprocError, ValueError):
    """A record (or machine readable zone) is not valid; ``report`` says why.

    The message lists the codes and paths of the errors, never the values.
    """

    code = "validation.failed"

    def __init__(self, report: Report, message: str | None = None, code: str | None = None) -> None:
        self.report = report
        if message is None:
            errors = [i for i in report.issues if i.severity == "error"]
            shown = "; ".join(f"{i.code} at {i.path or '/'}" for i in errors[:5])
            more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
            message = f"{len(errors)} error(s): {shown}{more}"
        super().__init__(message, code)


class CatalogError(SiprocError):
    """A country pack could not be loaded; the message names the file and the entry of each
    problem. ``problems`` lists every problem found (``Catalog.load`` checks the whole folder),
    each a dict with ``code``, ``file``, ``entry`` (``None`` for the whole file) and ``reason``;
    ``code`` is the first one's."""

    code = "catalog.error"

    def __init__(
        self, message: str, code: str | None = None, *, problems: list[dict[str, Any]] | None = None
    ) -> None:
        super().__init__(message, code)
        self.problems: list[dict[str, Any]] = list(problems or [])


class ConflictError(SiprocError):
    """The case has moved on: it is not at the version the change expected. ``current`` is its
    version now; load the case again and retry the command."""

    code = "store.conflict"

    def __init__(self, message: str, code: str | None = None, *, current: int | None = None) -> None:
        super().__init__(message, code)
        self.current = current


class TamperError(SiprocError):
    """A history or an archive does not verify or replay.

    ``code`` is the core's: ``history.changed``, ``history.removed``, ``history.reordered``,
    ``history.inserted``, ``history.truncated``, ``history.foreign_case``, ``history.empty``,
    ``history.invalid_event``, …, or for an archive its first problem (``archive.digest_mismatch``,
    …). For a history, ``index`` (0-based position), ``seq`` and ``reason`` name the first bad
    event; for an archive, ``report`` is the report of :func:`siproc.verify_archive`. The message
    names positions, sequence numbers and codes, never the content of an event.
    """

    code = "history.tampered"

    def __init__(
        self,
        message: str,
        code: str | None = None,
        *,
        index: int | None = None,
        seq: int | None = None,
        reason: str | None = None,
        report: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code)
        self.index = index
        self.seq = seq
        self.reason = reason
        self.report = report


class WorkflowError(SiprocError):
    """The workflow refused a command: the actor's role or office, the case's status, or the
    command's own requirements. ``code`` says which (``workflow.approval_required``, …)."""

    code = "workflow.refused"


class StoreError(SiprocError):
    """A store could not do what was asked: ``store.not_found``, ``store.duplicate_case``,
    ``store.number_taken`` or ``store.backend``."""

    code = "store.error"


class AttachmentError(SiprocError, ValueError):
    """A file was refused or cannot be read: ``attachment.too_large``,
    ``attachment.media_type_not_allowed``, ``attachment.media_type_mismatch``,
    ``attachment.bad_image``, ``attachment.bad_pdf``, ``attachment.pdf_javascript``, …,
    ``attachment.not_found`` (the case has no such file) or ``attachment.erased`` (removed with
    the case's personal data)."""

    code = "attachment.error"


class FormError(SiprocError):
    """A form could not be rendered: ``forms.unknown_form``, ``forms.missing_glyph``, … ``form``
    is the form id and ``field`` the field at fault (never its value)."""

    code = "forms.error"

    def __init__(
        self, message: str, code: str | None = None, *, form: str | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message, code)
        self.form = form
        self.field = field


class MalformedError(SiprocError, ValueError):
    """Data given to siproc is not in its format: ``event.malformed``, ``command.malformed``,
    ``case.malformed``, ``actor.malformed``, ``anchor.malformed``, ``query.malformed`` or
    ``case_id.malformed``. ``path`` is the JSON Pointer into the argument where reading stopped
    (identifiers and indexes only)."""

    code = "siproc.malformed"

    def __init__(self, message: str, code: str | None = None, *, path: str = "") -> None:
        super().__init__(message, code)
        self.path = path
