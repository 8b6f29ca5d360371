//! Where reading a broken record stops: the issue `parse_intake` and `from_json_value` give is
//! the one a path-tracking deserializer (`serde_path_to_error`, the oracle) finds, for every
//! single change to real intakes, cases, events and commands, written compactly and across
//! lines, with their keys in either order.
// Test code: a failure is a broken fixture or a finding, so panicking is the point.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::unreachable
)]

mod common;

use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use siproc_core::history::Event;
use siproc_core::workflow::Command;
use siproc_core::{Case, Intake, Locale, Pointer, from_json_text, from_json_value, parse_intake};

/// The code and path the oracle gives for `text` read as a `T` (`None` when it reads).
fn oracle<T: DeserializeOwned>(text: &str) -> Option<(String, String)> {
    let mut de = serde_json::Deserializer::from_str(text);
    let err = match serde_path_to_error::deserialize::<_, T>(&mut de) {
        Ok(_) => return None,
        Err(err) => err,
    };
    let identifier = |k: &str| {
        !k.is_empty() && k.len() <= 60 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    };
    let mut pointer = Pointer::root();
    for segment in err.path().iter() {
        pointer = match segment {
            serde_path_to_error::Segment::Seq { index } => pointer.index(*index),
            serde_path_to_error::Segment::Map { key } if identifier(key) => pointer.key(key),
            serde_path_to_error::Segment::Enum { variant } if identifier(variant) => {
                pointer.key(variant)
            }
            _ => pointer,
        };
    }
    let inner = err.into_inner();
    // Text that is not JSON, or that serde_json reads as such (an enum given a number).
    if inner.classify() != serde_json::error::Category::Data {
        return Some(("json.syntax".to_owned(), String::new()));
    }
    let message = inner.to_string();
    let quoted = message.split('`').nth(1).filter(|k| identifier(k));
    let (code, pointer) = if message.starts_with("missing field") {
        (
            "json.missing_field",
            quoted.map_or(pointer.clone(), |k| pointer.key(k)),
        )
    } else if message.starts_with("unknown field") {
        ("json.unknown_field", pointer)
    } else {
        ("json.bad_value", pointer)
    };
    Some((code.to_owned(), pointer.as_str().to_owned()))
}

/// Writes `value` as JSON text, keys in their order or reversed, on one line or across lines.
fn write(value: &Value, reverse: bool, lines: bool, out: &mut String) {
    let gap = if lines { "\n  " } else { "" };
    match value {
        Value::Object(map) => {
            let mut entries: Vec<_> = map.iter().collect();
            if reverse {
                entries.reverse();
            }
            out.push('{');
            for (i, (key, item)) in entries.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(gap);
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push_str(if lines { ": " } else { ":" });
                write(item, reverse, lines, out);
            }
            out.push_str(gap);
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(gap);
                write(item, reverse, lines, out);
            }
            out.push_str(gap);
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

/// Every JSON Pointer into `value` (the root included), as paths of keys and indices.
fn places(value: &Value, at: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    out.push(at.clone());
    let children: Vec<(String, &Value)> = match value {
        Value::Object(map) => map.iter().map(|(k, v)| (k.clone(), v)).collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        _ => Vec::new(),
    };
    for (step, child) in children {
        at.push(step);
        places(child, at, out);
        at.pop();
    }
}

fn at_mut<'v>(value: &'v mut Value, place: &[String]) -> &'v mut Value {
    place.iter().fold(value, |v, step| match v {
        Value::Object(map) => map.get_mut(step).unwrap(),
        Value::Array(items) => items.get_mut(step.parse::<usize>().unwrap()).unwrap(),
        _ => unreachable!(),
    })
}

/// Every single change of `value`: each place replaced by a value of another shape, each key
/// removed, an unknown key (an identifier, and free text) added to each object.
fn mutations(value: &Value) -> Vec<Value> {
    let replacements = [
        json!(null),
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(""),
        json!("x"),
        json!("2026-13-45"),
        json!([]),
        json!([1]),
        json!({}),
        json!({"zz": 1}),
    ];
    let mut found = Vec::new();
    places(value, &mut Vec::new(), &mut found);
    let mut out = Vec::new();
    for place in &found {
        for replacement in &replacements {
            let mut changed = value.clone();
            *at_mut(&mut changed, place) = replacement.clone();
            out.push(changed);
        }
        if let Value::Object(map) = at_mut(&mut value.clone(), place) {
            for key in map.keys() {
                let mut changed = value.clone();
                if let Value::Object(m) = at_mut(&mut changed, place) {
                    m.remove(key);
                }
                out.push(changed);
            }
            for key in ["zz", "Juan Pérez"] {
                let mut changed = value.clone();
                if let Value::Object(m) = at_mut(&mut changed, place) {
                    m.insert(key.to_owned(), json!(1));
                }
                out.push(changed);
            }
        }
    }
    out
}

/// Compares the core with the oracle on every mutation of `sample` read as a `T`, through
/// `read` (text) and through `from_json_value` (a value); returns the number of broken records.
fn agree<T: DeserializeOwned>(
    sample: &Value,
    read: impl Fn(&str) -> Result<T, siproc_core::Issue>,
) -> usize {
    let mut broken = 0;
    let mut disagreements = Vec::new();
    for changed in mutations(sample) {
        let by_value = from_json_value::<T>(&changed, Locale::En)
            .err()
            .map(|i| (i.code, i.path));
        let expected_by_value = oracle::<T>(&changed.to_string());
        if by_value != expected_by_value {
            disagreements.push(format!(
                "value {changed}: {by_value:?} != {expected_by_value:?}"
            ));
        }
        for (reverse, lines) in [(false, false), (true, false), (false, true), (true, true)] {
            let mut text = String::new();
            write(&changed, reverse, lines, &mut text);
            let Some(expected) = oracle::<T>(&text) else {
                continue;
            };
            broken += 1;
            let got = read(&text).err().map(|i| (i.code, i.path));
            if got.as_ref() != Some(&expected) {
                disagreements.push(format!("text {text}: {got:?} != {expected:?}"));
            }
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} of {broken} disagree, the first: {}",
        disagreements.len(),
        disagreements
            .iter()
            .take(5)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    broken
}

fn text_of<T: DeserializeOwned>(text: &str) -> Result<T, siproc_core::Issue> {
    from_json_text(text, Locale::En)
}

#[test]
fn intakes_stop_where_the_oracle_says() {
    for intake in [
        common::detention_intake("TAP"),
        common::victim_intake("NYC"),
    ] {
        let sample = serde_json::to_value(&intake).unwrap();
        let broken = agree::<Intake>(&sample, |text| {
            // `parse_intake` reads an object only: other roots are `json.bad_value` at the root.
            if text.starts_with('{') {
                parse_intake(text, Locale::En)
            } else {
                text_of(text)
            }
        });
        assert!(broken > 500, "only {broken} broken intakes");
    }
}

#[test]
fn cases_events_and_commands_stop_where_the_oracle_says() {
    let (case, events) = common::busy_case("TAP", 1);
    agree::<Case>(&serde_json::to_value(&case).unwrap(), text_of);
    for event in &events {
        agree::<Event>(&serde_json::to_value(event).unwrap(), text_of);
    }
    let commands: Vec<Command> = serde_json::from_value(json!([
        {"command": "correct", "path": "/persons/0/surnames", "value": "Peña"},
        {"command": "add_note", "text": "Llamada.", "written_on": "2026-03-03"},
        {"command": "record_service", "kind": "consular_visit", "given_on": "2026-03-03"},
        {"command": "accept_transfer"},
        {"command": "accept_referral", "referral_id": "0190f5c2-6a4e-7cc1-9b7e-3f1c2d4e5a6b"},
    ]))
    .unwrap();
    for command in &commands {
        agree::<Command>(&serde_json::to_value(command).unwrap(), text_of);
    }
}

#[test]
fn a_value_of_another_shape_is_reported_at_its_own_place_even_last_in_its_object() {
    let mut intake = serde_json::to_value(common::detention_intake("TAP")).unwrap();
    intake["persons"][0]["birth_date"] = json!("21/07/1994");
    // birth_date written last in its person, then first.
    for reverse in [false, true] {
        let mut text = String::new();
        write(&intake, reverse, false, &mut text);
        let issue = parse_intake(&text, Locale::En).unwrap_err();
        assert_eq!(
            (issue.code.as_str(), issue.path.as_str()),
            ("json.bad_value", "/persons/0/birth_date")
        );
    }
}
