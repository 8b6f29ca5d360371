//! RFC 8785's published test data (`tests/rfc8785/` at the repository's root, see its README),
//! read through the core's own text path: every input, read as JSON text by
//! [`siproc_core::from_json_text`] and canonicalised by [`canonical_json`], gives its published
//! output byte for byte (and the published hex of those bytes). `values.json` holds
//! `333333333.33333329`, which only a correctly rounded parser reads as the double written
//! `333333333.3333333`. The core asks serde_json for correctly rounded numbers in its own
//! dependency list, not behind a feature, so these tests pass without default features too.
//! (This test build also gets them through the dev-dependency `serde_json_canonicalizer`; the
//! check that the core asks for them itself, in a build where nothing else does, is
//! `tests/tests/rfc8785.rs` of `siproc-tests`.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};

use chrono::{TimeZone, Utc};
use serde_json::Value;
use siproc_core::history::{Event, EventKind, GENESIS_HASH, Sealed, canonical_json};
use siproc_core::{Actor, Locale, Role, from_json_text};
use uuid::Uuid;

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/rfc8785")
}

/// The canonical JSON of JSON text, read as the core reads every text it is given.
fn canonicalise(text: &str) -> String {
    let value: Value = from_json_text(text, Locale::En).expect("the input is JSON");
    canonical_json(&value).expect("the input has a canonical form")
}

/// The bytes that `outhex/*.txt` writes as space-separated hex pairs over several lines.
fn from_outhex(text: &str) -> Vec<u8> {
    text.split_whitespace()
        .map(|pair| u8::from_str_radix(pair, 16).expect("a hex pair"))
        .collect()
}

#[test]
fn every_published_input_gives_its_published_output() {
    let mut inputs: Vec<PathBuf> = std::fs::read_dir(data_dir().join("input"))
        .expect("tests/rfc8785/input")
        .map(|e| e.expect("entry").path())
        .collect();
    inputs.sort();
    let names: Vec<String> = inputs
        .iter()
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    // All of the RFC's files, none left out.
    assert_eq!(
        names,
        [
            "arrays",
            "french",
            "structures",
            "unicode",
            "values",
            "weird"
        ]
    );
    let mut failures = Vec::new();
    for (input, name) in inputs.iter().zip(&names) {
        let got = canonicalise(&std::fs::read_to_string(input).unwrap());
        let want = std::fs::read(data_dir().join("output").join(format!("{name}.json"))).unwrap();
        let hex =
            std::fs::read_to_string(data_dir().join("outhex").join(format!("{name}.txt"))).unwrap();
        assert_eq!(
            from_outhex(&hex),
            want,
            "{name}: output and outhex disagree"
        );
        if got.as_bytes() != want.as_slice() {
            failures.push(format!(
                "{name}: got {got}, want {}",
                String::from_utf8_lossy(&want)
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn values_reads_its_17_digit_number_correctly_rounded() {
    let got = canonicalise(&std::fs::read_to_string(data_dir().join("input/values.json")).unwrap());
    assert!(
        got.contains("[333333333.3333333,1e+30,4.5,0.002,1e-27]"),
        "{got}"
    );
    // The two neighbours the text lies between: the nearest is the one read.
    let near: f64 = from_json_text("333333333.33333329", Locale::En).unwrap();
    assert_eq!(near.to_bits(), 333_333_333.333_333_3_f64.to_bits());
    assert_ne!(near.to_bits(), 333_333_333.333_333_25_f64.to_bits());
}

/// An event whose sealed value holds a fraction, written with the RFC's 17 digits instead of the
/// shortest ones, still opens its commitment once read back from text: the value read is the
/// double that was sealed.
#[test]
fn a_sealed_fraction_written_with_17_digits_reads_back_intact() {
    let new = serde_json::json!({"amount": 333_333_333.333_333_3_f64});
    let event = Event::seal(
        Uuid::now_v7(),
        2,
        GENESIS_HASH,
        Actor::new("u-1", Role::Officer, "TAP"),
        Utc.with_ymd_and_hms(2026, 3, 2, 15, 4, 5).unwrap(),
        EventKind::FactsCorrected {
            path: "/facts/amount".to_owned(),
            old: Sealed::new(Value::Null).unwrap(),
            new: Sealed::new(new).unwrap(),
            resolves: Vec::new(),
        },
    )
    .unwrap();
    let text = serde_json::to_string(&event).unwrap();
    assert!(text.contains("333333333.3333333"), "{text}");
    let longer = text.replace("333333333.3333333", "333333333.33333329");
    let back: Event = from_json_text(&longer, Locale::En).unwrap();
    assert!(back.is_intact(), "the commitment no longer opens");
    assert_eq!(back, event);
}
