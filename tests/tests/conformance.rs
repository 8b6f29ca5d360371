//! The Rust side of the conformance corpus: every case of every file in `tests/conformance/`
//! must give exactly the expected issues, with messages rendered from the rule catalogue.

use std::collections::BTreeSet;

use siproc_core::list_rules;
use siproc_tests::{comparable, corpus, misuse_verdict, run};

#[test]
fn every_case_gives_exactly_the_expected_issues() {
    let rules = list_rules();
    let mut failures = Vec::new();
    let mut count = 0;
    for (file, doc) in corpus() {
        for case in &doc.cases {
            count += 1;
            if let Some(want) = &case.misuse {
                let got = misuse_verdict(case);
                if got != Some(want.as_str()) {
                    failures.push(format!(
                        "{file} / {}: misuse {got:?}, expected {want}",
                        case.name
                    ));
                }
                continue;
            }
            let (issues, fields) = run(case);
            let mut expected = case.expected.clone();
            expected.sort();
            let got = comparable(&issues);
            if got != expected {
                failures.push(format!(
                    "{file} / {}:\n  expected {expected:?}\n  got      {got:?}",
                    case.name
                ));
                continue;
            }
            if let (Some(want), Some(fields)) = (&case.fields, &fields) {
                for (k, v) in want.as_object().expect("fields is an object") {
                    if fields.get(k) != Some(v) {
                        failures.push(format!(
                            "{file} / {}: field {k}: expected {v}, got {:?}",
                            case.name,
                            fields.get(k)
                        ));
                    }
                }
            }
            for issue in &issues {
                let rule = rules.iter().find(|r| r.code == issue.code);
                let Some(rule) = rule else {
                    failures.push(format!(
                        "{file} / {}: code {} is not in list_rules()",
                        case.name, issue.code
                    ));
                    continue;
                };
                let template = rule.render(case.locale(), &[]);
                if !template.contains('{') && issue.message != template {
                    failures.push(format!(
                        "{file} / {}: message of {} differs from its template",
                        case.name, issue.code
                    ));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(count > 80, "the corpus has only {count} cases");
}

/// An intake that validates opens as a case, and its history verifies after a round trip through
/// JSON text (issue 15: numbers such as `1500.5` or `1e-7` in facts used to validate and then
/// fail to canonicalise).
#[test]
fn every_intake_that_validates_opens_as_a_case() {
    use siproc_core::store::{CaseStore, MemoryStore};
    use siproc_core::{Actor, Role, store};
    let mut opened = 0;
    for (file, doc) in corpus() {
        for case in doc
            .cases
            .iter()
            .filter(|c| (c.intake.is_some() || c.json.is_some()) && c.misuse.is_none())
        {
            let catalog = siproc_core::Catalog::builtin(case.catalog.as_deref().unwrap_or("hn"))
                .expect("built-in pack");
            let (issues, _) = run(case);
            if !siproc_tests::expected_ok(&comparable(&issues)) {
                continue;
            }
            let intake = match (&case.intake, &case.json) {
                (Some(v), _) => siproc_core::intake_from_value(v.clone(), case.locale()),
                (_, Some(text)) => siproc_core::parse_intake(text, case.locale()),
                _ => unreachable!(),
            }
            .expect("an intake that validates parses");
            let store = MemoryStore::new();
            let actor = Actor::new("u1", Role::Directorate, "DGPHM");
            let now = chrono::Utc::now();
            let opened_case = store::open_case(&store, &catalog, &actor, &intake, now)
                .unwrap_or_else(|e| {
                    panic!("{file} / {}: validates but does not open: {e}", case.name)
                });
            let events = store.load(opened_case.id).expect("load");
            let text = serde_json::to_string(&events).expect("events serialize");
            let back: Vec<siproc_core::history::Event> =
                serde_json::from_str(&text).expect("events parse");
            siproc_core::history::verify(&back)
                .unwrap_or_else(|e| panic!("{file} / {}: history does not verify: {e}", case.name));
            assert_eq!(back, events, "{file} / {}", case.name);
            opened += 1;
        }
    }
    assert!(opened > 30, "only {opened} intakes opened");
}

#[test]
fn the_corpus_covers_every_rule() {
    let mut seen = BTreeSet::new();
    for (_, doc) in corpus() {
        for case in &doc.cases {
            seen.extend(case.expected.iter().map(|e| e.code.clone()));
        }
    }
    // The `legacy.*` rules judge a legacy log's row (siproc_core::legacy), not an intake;
    // siproc-core/tests/legacy.rs has a case for each of them.
    let missing: Vec<String> = list_rules()
        .into_iter()
        .map(|r| r.code)
        .filter(|c| !seen.contains(c) && !c.starts_with("legacy."))
        .collect();
    assert!(
        missing.is_empty(),
        "rules without a conformance case: {missing:?}"
    );
}

#[test]
fn messages_never_contain_the_failing_value() {
    // Every intake case: no message may contain a string value of the record (names, numbers).
    for (file, doc) in corpus() {
        for case in &doc.cases {
            let Some(intake) = &case.intake else { continue };
            let mut values = Vec::new();
            collect_strings(intake, &mut values);
            let (issues, _) = run(case);
            for issue in &issues {
                for v in values.iter().filter(|v| v.chars().count() >= 4) {
                    assert!(
                        !issue.message.contains(v.as_str()),
                        "{file} / {}: message of {} quotes input",
                        case.name,
                        issue.code
                    );
                }
            }
        }
    }
}

fn collect_strings(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        // Codes and enum values (`email`, `hn_dni`) are the format's words, not personal data.
        serde_json::Value::String(s) if s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') => {}
        serde_json::Value::String(s) => out.push(s.clone()),
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_strings(x, out)),
        serde_json::Value::Object(o) => o.values().for_each(|x| collect_strings(x, out)),
        _ => {}
    }
}
