//! A third party recomputes event hashes: `recompute_hash.py` (Python standard library only)
//! must get the same canonical bytes and the same SHA-256 for every event.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

mod common;

use std::io::Write;
use std::process::Command as Process;

use common::*;
use siproc_core::history;
use siproc_core::workflow::Command;

#[test]
fn python_recomputes_the_same_bytes_and_hashes() {
    let catalog = catalog();
    let (mut case, mut events) = busy_case("TAP", 2);
    // Text that exercises canonical JSON: escapes, controls, accents, supplementary characters.
    run_all(
        &catalog,
        &mut case,
        &mut events,
        &[(
            officer("TAP"),
            Command::AddNote {
                text: "Línea 1\n\t\"comillas\" \\ barra \u{1} control \u{7f} ñ 😀 \u{2028} fin"
                    .into(),
                written_on: None,
            },
        )],
    );
    let path = std::env::temp_dir().join(format!("siproc-events-{}.jsonl", case.id));
    let mut file = std::fs::File::create(&path).unwrap();
    for e in &events {
        writeln!(file, "{}", serde_json::to_string(e).unwrap()).unwrap();
    }
    drop(file);

    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/recompute_hash.py");
    let output = Process::new("python3").arg(script).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let output = output.expect("python3 must be installed");
    assert!(
        output.status.success(),
        "python found a mismatch: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), events.len());
    for (line, event) in lines.iter().zip(&events) {
        let mut parts = line.split(' ');
        assert_eq!(parts.next(), Some(event.seq.to_string().as_str()));
        assert_eq!(parts.next(), Some(event.hash.as_str()), "seq {}", event.seq);
        let bytes = history::hashed_form(event).unwrap();
        assert_eq!(
            parts.next(),
            Some(to_hex(&bytes).as_str()),
            "seq {}",
            event.seq
        );
    }
}

/// Lowercase hex, as the chain writes hashes.
fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
