"""Random and hostile data fed to every public function: siproc answers with a report, a result
or an ordinary exception (TypeError, ValueError, a SiprocError), never a PanicException.

A Rust panic inside a call surfaces as ``pyo3_runtime.PanicException``, a ``BaseException`` that
``except Exception`` does not catch; the helper below catches everything and fails on it.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any, Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import siproc

KEYS = [
    "office", "category", "flags", "priority", "opened_on", "persons", "consent", "facts",
    "notes", "services", "referrals", "attachments", "role", "relationship", "given_names",
    "surnames", "birth_date", "sex", "nationality", "documents", "contacts", "locations", "kind",
    "number", "value", "country", "place", "given", "given_by", "recorded_on", "scope",
    "authority", "facility", "detention_kind", "arrest_date", "sha256", "media_type", "size",
]
WORDS = [
    "TAP", "MIA", "detention", "national", "relative", "hn_dni", "mrz_td3", "phone", "email",
    "2026-03-02", "1990-02-30", "2099-01-01", "0801-1990-12345", "+504 9876-5432", "minor",
]


class Weird:
    """An object siproc does not know."""

    def __repr__(self) -> str:  # pragma: no cover - never shown
        return "Weird()"


scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(min_value=2**63, max_value=2**200),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(),
    st.sampled_from(WORDS),
    st.text(alphabet=st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF), max_size=3),
    st.dates(),
    st.datetimes(),
    st.datetimes(timezones=st.just(dt.timezone.utc)),
    st.binary(max_size=20),
    st.just(Weird()),
    st.just(math.nan),
    st.sets(st.integers(), max_size=2),
)
keys = st.one_of(st.sampled_from(KEYS), st.text(max_size=8), st.integers(), st.just(None))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(inner, inner),
        st.dictionaries(keys, inner, max_size=6),
    ),
    max_leaves=40,
)
records = st.dictionaries(st.sampled_from(KEYS), values, max_size=10)
anything = st.one_of(values, records, st.binary(), st.text())


def safely(f: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls ``f``; ordinary exceptions are fine, a panic is a failure."""
    try:
        return f(*args, **kwargs)
    except Exception:
        return None
    except BaseException as e:  # noqa: BLE001 - PanicException derives from BaseException
        raise AssertionError(f"{type(e).__name__} from {f.__name__}") from e


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(anything)
def test_validate_never_panics(record: Any) -> None:
    report = safely(siproc.validate, record)
    if isinstance(record, (dict, str, bytes)):
        assert isinstance(report, siproc.Report)
        for issue in report.issues:
            assert issue.code and issue.severity in ("error", "warning")
    safely(siproc.validate, record, locale="en", raise_on_error=True)
    safely(siproc.normalize, record)


@FAST
@given(st.lists(anything, max_size=5))
def test_validate_many_and_find_duplicates_never_panic(items: list[Any]) -> None:
    reports = safely(siproc.validate_many, items)
    if reports is not None:
        assert len(reports) == len(items)
    safely(siproc.find_duplicates, items)
    safely(siproc.validate_many, iter(items))


@FAST
@given(st.binary(max_size=400), st.text(max_size=200))
def test_json_lines_never_panic(data: bytes, text: str) -> None:
    assert safely(siproc.validate_many, data) is not None
    assert safely(siproc.validate_many, text) is not None
    assert safely(siproc.find_duplicates, data) is not None
    safely(siproc.validate, data)
    safely(siproc.validate, text)


@FAST
@given(st.one_of(st.text(max_size=80), st.sampled_from(["hn_dni", "mx_curp", "mrz_td3"])), anything)
def test_document_functions_never_panic(kind: str, value: Any) -> None:
    safely(siproc.check_document, kind, value)
    safely(siproc.normalize_document, kind, value)
    if isinstance(value, str):
        for k in ("hn_dni", "hn_passport", "mx_curp", "sv_dui", "gt_dpi", "mrz_td3"):
            assert safely(siproc.check_document, k, value) is not None
            safely(siproc.normalize_document, k, value)


@FAST
@given(st.one_of(st.lists(st.text(max_size=60), max_size=4), st.text(max_size=120), anything))
def test_parse_mrz_never_panics(lines: Any) -> None:
    safely(siproc.parse_mrz, lines)
    safely(siproc.parse_mrz, lines, locale="en")


@FAST
@given(st.text(max_size=30), anything)
def test_catalogs_locales_and_helpers_never_panic(text: str, value: Any) -> None:
    safely(siproc.Catalog.builtin, text)
    safely(siproc.Catalog.load, text)
    safely(siproc.Catalog.load, value)
    safely(siproc.validate, {}, locale=text)
    safely(siproc.validate, {}, catalog=value)
    safely(siproc.duplicate_clusters, value)
    safely(siproc.check_document, "hn_dni", "1", locale=text)


def too_large(call: Any, *args: Any) -> None:
    with pytest.raises(siproc.MalformedError) as refused:
        call(*args)
    assert refused.value.code == "siproc.too_large"


def test_deep_self_containing_and_huge_records_are_refused_as_too_large() -> None:
    # The core's limits (siproc_core::limits), the same as WebAssembly's and the server's.
    deep: Any = {}
    for _ in range(10_000):
        deep = {"facts": deep}
    loop: list[Any] = []
    loop.append(loop)
    cyclic: dict[str, Any] = {"office": "TAP"}
    cyclic["facts"] = cyclic
    for record in (deep, {"opened_on": "2026-01-01", "flags": loop}, cyclic):
        too_large(siproc.validate, record)
    huge = "[" * 100_000 + "]" * 100_000
    too_large(siproc.validate, huge)
    too_large(siproc.validate_many, huge.encode())
    too_large(siproc.validate, {"office": "TAP", "notes": "a" * (64 * 1024 + 1)})
    too_large(siproc.validate, {"office": "TAP", "flags": ["minor"] * 10_001})
    too_large(siproc.validate, " " * (1024 * 1024 + 1))
    too_large(siproc.check_document, "hn_dni", "1" * (64 * 1024 + 1))
    # At the limits, records are reports.
    nested: Any = []
    for _ in range(61):  # 64 levels: the record, facts and 62 lists
        nested = [nested]
    report = siproc.validate({"office": "TAP", "facts": {"notes": nested}})
    assert isinstance(report, siproc.Report) and not report.ok
