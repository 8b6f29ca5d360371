//! RFC 8785 (JSON Canonicalization Scheme) against the RFC's reference test data, in
//! `tests/rfc8785/` (see its README): every input/output pair, and the first 10,000 lines of the
//! ES6 number test vector, whose published SHA-256 is checked first so the data cannot drift.
//! Like jsonschema-rs with the JSON-Schema-Test-Suite: the data is the specification; each
//! failing case is named, and all are reported at once.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use siproc_core::history::canonical_json;
use siproc_core::{Locale, from_json_text};

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("rfc8785")
}

#[test]
fn every_input_canonicalises_to_its_published_output() {
    let mut names: Vec<PathBuf> = std::fs::read_dir(data_dir().join("input"))
        .expect("rfc8785/input")
        .map(|e| e.expect("entry").path())
        .collect();
    names.sort();
    let mut failures = Vec::new();
    for input in &names {
        let name = input.file_name().expect("file name");
        let text = std::fs::read_to_string(input).expect("input");
        let want = std::fs::read(data_dir().join("output").join(name)).expect("output");
        // Read as the core reads every JSON text it is given (bodies, archives, bindings).
        let value: serde_json::Value = from_json_text(&text, Locale::En).expect("input is JSON");
        let hex =
            std::fs::read_to_string(data_dir().join("outhex").join(name).with_extension("txt"))
                .expect("outhex");
        let hex: Vec<u8> = hex
            .split_whitespace()
            .map(|pair| u8::from_str_radix(pair, 16).expect("a hex pair"))
            .collect();
        assert_eq!(hex, want, "{}: output and outhex disagree", name.display());
        match canonical_json(&value) {
            Ok(got) if got.as_bytes() == want.as_slice() => {}
            Ok(got) => failures.push(format!(
                "{}: got {got}, want {}",
                name.display(),
                String::from_utf8_lossy(&want)
            )),
            Err(e) => failures.push(format!("{}: {e}", name.display())),
        }
    }
    assert_eq!(names.len(), 6, "the RFC publishes six input files");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// `values.json` writes `333333333.33333329`: read correctly rounded it is the double written
/// `333333333.3333333`; serde_json's default parser, one unit in the last place off, gives
/// `333333333.33333325`. This crate has no dependency that asks serde_json for exact numbers
/// (the core's own tests do, through `serde_json_canonicalizer`), so `cargo test -p
/// siproc-tests` checks that the core asks for them itself.
#[test]
fn values_json_gives_333333333_3333333() {
    let text = std::fs::read_to_string(data_dir().join("input/values.json")).expect("values");
    let value: serde_json::Value = from_json_text(&text, Locale::En).expect("input is JSON");
    let got = canonical_json(&value).expect("canonical");
    assert!(
        got.contains(r#""numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27]"#),
        "{got}"
    );
}

/// SHA-256 of the first 10,000 lines of `es6testfile100m.txt`, as the RFC's test data publishes it.
const ES6_10K_SHA256: &str = "b9f7a8e75ef22a835685a52ccba7f7d6bdc99e34b010992cbc5864cd12be6892";

#[test]
fn es6_number_test_vector() {
    let text = std::fs::read_to_string(data_dir().join("es6-numbers.txt")).expect("es6-numbers");
    let sha = Sha256::digest(text.as_bytes());
    let hex: String = sha.iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(
        hex, ES6_10K_SHA256,
        "es6-numbers.txt is not the published data"
    );
    let mut failures = Vec::new();
    let mut count = 0;
    for line in text.lines() {
        count += 1;
        let (bits, want) = line.split_once(',').expect("hex,expected");
        let value = f64::from_bits(u64::from_str_radix(bits, 16).expect("hex"));
        match canonical_json(&value) {
            Ok(got) if got == want => {}
            Ok(got) => failures.push(format!("{bits}: got {got}, want {want}")),
            Err(e) => failures.push(format!("{bits}: {e}")),
        }
        // And the text reads back as the same double (the history relies on it).
        let back: f64 = serde_json::from_str(want).expect("a JSON number");
        if back.to_bits() != value.to_bits() && value != 0.0 {
            failures.push(format!("{bits}: {want} reads back as {:x}", back.to_bits()));
        }
    }
    assert_eq!(count, 10_000);
    assert!(
        failures.is_empty(),
        "{} of {count} numbers differ:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
