//! Property tests: any record, however malformed, gets a report and never a panic.

use proptest::prelude::*;
use serde_json::{Map, Value, json};
use siproc_core::{Catalog, Locale, validate_json, validate_value};

/// Field names of the wire format, so that random records reach deep into validation.
const KEYS: &[&str] = &[
    "office",
    "category",
    "flags",
    "priority",
    "opened_on",
    "persons",
    "consent",
    "facts",
    "notes",
    "services",
    "referrals",
    "attachments",
    "role",
    "relationship",
    "given_names",
    "surnames",
    "birth_date",
    "sex",
    "nationality",
    "documents",
    "contacts",
    "locations",
    "kind",
    "number",
    "value",
    "country",
    "place",
    "given",
    "given_by",
    "recorded_on",
    "scope",
    "text",
    "written_on",
    "given_on",
    "description",
    "partner",
    "reason",
    "sha256",
    "media_type",
    "size",
    "authority",
    "facility",
    "detention_kind",
    "arrest_date",
    "shelter",
];

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        "\\PC{0,40}".prop_map(Value::String),
        prop::sample::select(vec![
            "TAP",
            "detention",
            "national",
            "relative",
            "hn_dni",
            "0801-1994-04512",
            "2026-03-02",
            "2099-01-01",
            "HN",
            "phone",
            "email",
            "+504 9876-5432",
            "minor",
            "iom",
            "immigration",
        ])
        .prop_map(|s| Value::String(s.to_owned())),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(5, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(KEYS), inner), 0..8).prop_map(|kv| {
                Value::Object(
                    kv.into_iter()
                        .map(|(k, v)| (k.to_owned(), v))
                        .collect::<Map<_, _>>(),
                )
            }),
        ]
    })
}

fn valid() -> Value {
    json!({
        "office": "TAP", "category": "detention", "opened_on": "2026-03-02",
        "persons": [{"role": "national", "given_names": "María José", "surnames": "Núñez Güity",
                     "birth_date": "1994-07-21", "nationality": "HN",
                     "documents": [{"kind": "hn_dni", "number": "0801-1994-04512"}],
                     "contacts": [{"kind": "phone", "value": "+504 9876-5432"}]}],
        "consent": {"given": true, "given_by": 0, "recorded_on": "2026-03-02", "scope": ["processing"]},
        "facts": {"authority": "INM", "facility": "Siglo XXI", "detention_kind": "immigration", "arrest_date": "2026-02-27"}
    })
}

/// Replaces the value at a random place of `record` by `replacement`.
fn mutate(record: &mut Value, choice: usize, replacement: Value) {
    let len = match record {
        Value::Object(m) => m.len(),
        Value::Array(a) => a.len(),
        _ => 0,
    };
    if len == 0 || choice.is_multiple_of(3) {
        *record = replacement;
        return;
    }
    let pick = choice % len;
    let rest = choice / len.max(2);
    match record {
        Value::Object(m) => {
            if let Some(v) = m.values_mut().nth(pick) {
                mutate(v, rest, replacement);
            }
        }
        Value::Array(a) => {
            if let Some(v) = a.get_mut(pick) {
                mutate(v, rest, replacement);
            }
        }
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn random_records_get_a_report(record in value()) {
        let catalog = Catalog::honduras().unwrap();
        let report = validate_value(record.clone(), &catalog, Locale::Es);
        prop_assert_eq!(report.ok, report.errors().next().is_none());
        let text = record.to_string();
        let from_text = validate_json(&text, &catalog, Locale::En);
        prop_assert_eq!(from_text.ok, report.ok);
    }

    #[test]
    fn mutated_intakes_get_a_report(choice in any::<usize>(), replacement in value()) {
        let catalog = Catalog::honduras().unwrap();
        let mut record = valid();
        mutate(&mut record, choice, replacement);
        let report = validate_value(record, &catalog, Locale::Es);
        for issue in &report.issues {
            prop_assert!(!issue.code.is_empty());
            prop_assert!(issue.path.is_empty() || issue.path.starts_with('/'));
        }
    }

    #[test]
    fn arbitrary_text_gets_a_report(text in "\\PC{0,200}") {
        let catalog = Catalog::honduras().unwrap();
        let report = validate_json(&text, &catalog, Locale::Es);
        let object = text.trim_start().starts_with('{');
        prop_assert!(!report.ok || object, "text that is not an object was accepted");
    }
}

#[test]
fn the_valid_record_is_valid() {
    let catalog = Catalog::honduras().unwrap();
    let report = validate_value(valid(), &catalog, Locale::Es);
    assert!(report.ok, "{:?}", report.issues);
}

#[test]
fn hostile_sizes_are_reported_not_fatal() {
    let catalog = Catalog::honduras().unwrap();
    let mut record = valid();
    let huge = "Ñ".repeat(5_000_000);
    record["persons"][0]["given_names"] = json!(huge);
    record["persons"][0]["documents"][0]["number"] = json!("9".repeat(1_000_000));
    record["persons"][0]["contacts"][0]["value"] = json!("+".repeat(1_000_000));
    record["facts"]["authority"] = json!("x".repeat(1_000_000));
    let report = validate_value(record, &catalog, Locale::Es);
    assert!(!report.ok);
    for issue in &report.issues {
        assert!(
            issue.message.len() < 300,
            "message of {} is too long",
            issue.code
        );
    }
    let deep = "[".repeat(100_000);
    let report = validate_json(&deep, &catalog, Locale::Es);
    assert!(report.issues[0].code.starts_with("json."));
    let deep = format!("{{\"facts\": {{\"a\": {}", "[".repeat(100_000));
    let report = validate_json(&deep, &catalog, Locale::Es);
    assert_eq!(report.issues[0].code, "json.syntax");
}

#[test]
fn one_field_is_checked_before_the_form_is_complete() {
    use siproc_core::validate_field;
    let catalog = Catalog::honduras().unwrap();
    let blank = json!({"office": "TAP", "category": "detention", "opened_on": "2026-03-02",
                       "persons": [{"role": "national"}]});
    let path = "/persons/0/documents/0/number";
    let mut record = blank.clone();
    record["persons"][0]["documents"] = json!([{"kind": "hn_dni"}]);
    let report = validate_field(
        record.clone(),
        path,
        json!("1901-1994-04512"),
        &catalog,
        Locale::Es,
    );
    let codes: Vec<&str> = report.issues.iter().map(|i| i.code.as_str()).collect();
    assert_eq!(codes, ["dni.bad_department"]);
    assert!(report.issues.iter().all(|i| i.path == path));
    let report = validate_field(record, path, json!("0801-1994-04512"), &catalog, Locale::Es);
    assert!(report.ok && report.issues.is_empty(), "{:?}", report.issues);

    let report = validate_field(
        blank.clone(),
        "/persons/0/birth_date",
        json!("2099-01-01"),
        &catalog,
        Locale::Es,
    );
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].code, "date.in_future");
    let report = validate_field(
        blank.clone(),
        "/persons/0/birth_date",
        json!(""),
        &catalog,
        Locale::Es,
    );
    assert!(report.issues.is_empty());
    let report = validate_field(blank.clone(), "/office/x", json!(1), &catalog, Locale::Es);
    assert_eq!(report.issues[0].code, "json.bad_value");
    // A pointer deep enough to build a record that would overflow the stack is refused.
    let deep = "/facts/a".to_owned() + &"/b".repeat(1_000_000);
    let report = validate_field(blank, &deep, json!(1), &catalog, Locale::Es);
    assert_eq!(report.issues[0].code, "json.bad_value");
}

#[test]
fn bytes_that_are_not_utf8_are_a_syntax_issue() {
    let catalog = Catalog::honduras().unwrap();
    let report =
        siproc_core::validate_json_bytes(b"{\"office\":\n \"T\xffP\"}", &catalog, Locale::En);
    assert_eq!(report.issues.len(), 1);
    assert_eq!(report.issues[0].code, "json.syntax");
    assert!(report.issues[0].message.contains("line 2, column 4"));
    let text = serde_json::to_string(&valid()).unwrap();
    let from_bytes = siproc_core::validate_json_bytes(text.as_bytes(), &catalog, Locale::Es);
    assert_eq!(from_bytes, validate_json(&text, &catalog, Locale::Es));
}
