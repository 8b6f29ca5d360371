"""The conformance corpus (tests/conformance), run through the Python API: every case must give
exactly the issues the Rust runner finds, with messages rendered from the rule catalogue."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

import siproc
from conftest import corpus

CASES = list(corpus())
RULES = {r["code"]: r for r in siproc.list_rules()}


def run(case: dict[str, Any]) -> tuple[tuple[siproc.Issue, ...], dict[str, Any] | None]:
    """The issues a case gives through the Python API (and the MRZ fields, when it parses)."""
    locale = case.get("locale", "es")
    catalog = siproc.Catalog.builtin(case.get("catalog", "hn"))
    if "intake" in case:
        report = siproc.validate(case["intake"], catalog=catalog, locale=locale)
    elif "json" in case:
        report = siproc.validate(case["json"], catalog=catalog, locale=locale)
    elif "check_document" in case:
        doc = case["check_document"]
        report = siproc.check_document(doc["kind"], doc["value"], locale=locale)
    elif "parse_mrz" in case:
        try:
            return (), siproc.parse_mrz(case["parse_mrz"], locale=locale)
        except siproc.ValidationError as e:
            assert not e.report.ok
            return e.report.issues, None
    else:
        raise AssertionError(f"case without input: {case['name']}")
    assert report.ok == all(i.severity != "error" for i in report.issues)
    return report.issues, None


def test_the_corpus_is_there() -> None:
    assert len(CASES) > 80


@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[n for n, _ in CASES])
def test_case(case: dict[str, Any]) -> None:
    if "misuse" in case:
        with pytest.raises(siproc.SiprocError) as refused:
            run(case)
        assert refused.value.code == case["misuse"]
        return
    issues, fields = run(case)
    got = Counter((i.code, i.path, i.severity) for i in issues)
    want = Counter((e["code"], e["path"], e["severity"]) for e in case["expected"])
    assert got == want
    locale = case.get("locale", "es")
    for issue in issues:
        template = RULES[issue.code][locale]
        if "{" not in template:
            assert issue.message == template
    if fields is not None:
        for key, value in case.get("fields", {}).items():
            got_value = fields[key]
            if hasattr(got_value, "isoformat"):
                got_value = got_value.isoformat()
            assert got_value == value, key


@pytest.mark.parametrize(
    "case",
    [c for _, c in CASES if ("intake" in c or "json" in c) and "misuse" not in c],
    ids=[n for n, c in CASES if ("intake" in c or "json" in c) and "misuse" not in c],
)
def test_bulk_validation_agrees_with_one_by_one(case: dict[str, Any]) -> None:
    import json

    catalog = siproc.Catalog.builtin(case.get("catalog", "hn"))
    locale = case.get("locale", "es")
    record = case.get("intake", case.get("json"))
    one = siproc.validate(record, catalog=catalog, locale=locale)
    assert siproc.validate_many([record], catalog=catalog, locale=locale) == [one]
    if "intake" in case:
        line = json.dumps(record, ensure_ascii=False).encode()
        assert siproc.validate_many(line + b"\n", catalog=catalog, locale=locale) == [one]


def test_every_rule_is_listed_with_both_templates() -> None:
    for rule in RULES.values():
        assert rule["severity"] in ("error", "warning")
        assert rule["es"] and rule["en"]
