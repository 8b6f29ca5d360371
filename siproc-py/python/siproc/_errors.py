"""The exceptions siproc raises. Each has a stable machine ``code``; no message holds personal data."""

from __future__ import annotations

from typing import TYPE_CHECKING

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

    def __init__(self, report: Report, message: str | None = None) -> None:
        self.report = report
        if message is None:
            errors = [i for i in report.issues if i.severity == "error"]
            shown = "; ".join(f"{i.code} at {i.path or '/'}" for i in errors[:5])
            more = f" and {len(errors) - 5} more" if len(errors) > 5 else ""
            message = f"{len(errors)} error(s): {shown}{more}"
        super().__init__(message)


class CatalogError(SiprocError):
    """A country pack could not be loaded; the message names the file and the entry."""

    code = "catalog.error"


class ConflictError(SiprocError):
    """A command does not apply to the case as it now is (a concurrent change, a closed case)."""

    code = "history.conflict"


class TamperError(SiprocError):
    """A history or archive does not verify: an event was changed, removed or reordered."""

    code = "history.tampered"
