//! Archive: export and import round-trip; tampering anywhere in the file is detected.

#![allow(clippy::unwrap_used, clippy::indexing_slicing)] // test helpers

mod common;

use std::io::Cursor;

use common::*;
use siproc_core::Status;
use siproc_core::archive::{self, FileProblem, ImportOptions, Rejection};
use siproc_core::store::{self, CaseQuery, CaseStore, MemoryStore};
use siproc_core::workflow::Command;

/// A store with three cases in two offices, and its archive.
fn exported() -> (MemoryStore, Vec<u8>) {
    let catalog = catalog();
    let store = MemoryStore::new();
    for (office, intake) in [
        ("TAP", detention_intake("TAP")),
        ("TAP", victim_intake("TAP")),
        ("MEX", detention_intake("MEX")),
    ] {
        let case = store::open_case(&store, &catalog, &officer(office), &intake, now()).unwrap();
        for command in [
            Command::ChangeStatus {
                to: Status::InProgress,
            },
            Command::AddNote {
                text: "Llamada con la familia".into(),
                written_on: None,
            },
        ] {
            store::run(&store, &catalog, &officer(office), case.id, &command, now()).unwrap();
        }
    }
    let mut out = Vec::new();
    let summary = archive::export(&store, None, &CaseQuery::default(), &mut out, now()).unwrap();
    assert_eq!((summary.cases, summary.events), (3, 9));
    (store, out)
}

fn import(bytes: &[u8], options: ImportOptions) -> (MemoryStore, archive::ImportReport) {
    let target = MemoryStore::new();
    let report = archive::import(&target, None, &mut Cursor::new(bytes), options).unwrap();
    (target, report)
}

#[test]
fn export_then_import_gives_the_same_cases() {
    let (source, bytes) = exported();
    let text = std::str::from_utf8(&bytes).unwrap();
    assert_eq!(text.lines().count(), 5);
    assert!(text.starts_with("{\"archive\":\"siproc\",\"version\":2,"));
    let (target, report) = import(&bytes, ImportOptions::default());
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(
        (report.cases, report.imported, report.written),
        (3, 3, true)
    );
    let all = CaseQuery::default();
    assert_eq!(source.list(&all).unwrap(), target.list(&all).unwrap());
    for s in source.list(&all).unwrap() {
        assert_eq!(source.load(s.id).unwrap(), target.load(s.id).unwrap());
    }
    // Importing again changes nothing; new cases continue the numbering.
    let report = archive::import(
        &target,
        None,
        &mut Cursor::new(&bytes),
        ImportOptions::default(),
    )
    .unwrap();
    assert_eq!(
        (report.imported, report.unchanged, report.written),
        (0, 3, false)
    );
    let case = store::open_case(
        &target,
        &catalog(),
        &officer("TAP"),
        &detention_intake("TAP"),
        now(),
    )
    .unwrap();
    assert_eq!(case.number, "TAP-2026-000003");
}

#[test]
fn a_tampered_case_is_rejected_with_its_reason_and_nothing_is_written() {
    let (_, bytes) = exported();
    let text = String::from_utf8(bytes).unwrap();
    // Change the note of the second case, keeping the JSON valid.
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[2] = lines[2].replacen("Llamada con la familia", "Llamada con la fumilia", 1);
    let tampered = lines.join("\n") + "\n";
    let (target, report) = import(tampered.as_bytes(), ImportOptions::default());
    assert!(!report.written && target.is_empty());
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].line, 3);
    assert_eq!(report.rejected[0].reason.code(), "history.changed");
    assert!(report.file.contains(&FileProblem::DigestMismatch));
    // Reasons never quote the data.
    assert!(!format!("{:?}", report.rejected).contains("fumilia"));
    // What a face raises: the first problem's code, problems by code and line.
    let (code, message) = report.refusal();
    assert_eq!(code, report.file[0].code());
    assert!(message.contains("(1 of 3 cases rejected)"), "{message}");
    assert!(message.contains("line 3: history.changed"), "{message}");
    assert!(!message.contains("fumilia"));
    // Partial import writes the sound cases.
    let (target, report) = import(tampered.as_bytes(), ImportOptions { partial: true });
    assert_eq!((report.imported, target.len()), (2, 2));
}

#[test]
fn removed_duplicated_and_truncated_lines_are_detected() {
    let (_, bytes) = exported();
    let text = String::from_utf8(bytes).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let join = |ls: &[&str]| ls.iter().map(|l| format!("{l}\n")).collect::<String>();

    let removed = join(&[lines[0], lines[1], lines[3], lines[4]]);
    let (_, r) = import(removed.as_bytes(), ImportOptions::default());
    assert!(r.file.contains(&FileProblem::CountMismatch) && !r.written);

    let duplicated = join(&[lines[0], lines[1], lines[2], lines[2], lines[3], lines[4]]);
    let (_, r) = import(duplicated.as_bytes(), ImportOptions::default());
    assert_eq!(r.rejected[0].reason, Rejection::Duplicate);

    let truncated = join(&lines[..4]);
    let (_, r) = import(truncated.as_bytes(), ImportOptions::default());
    assert!(r.file.contains(&FileProblem::MissingTrailer) && !r.written);

    // A case line whose last event was cut off (and its anchor left as it was).
    let mut record: archive::CaseRecord = serde_json::from_str(lines[1]).unwrap();
    record.events.pop();
    let cut = serde_json::to_string(&record).unwrap();
    let (_, r) = import(
        join(&[lines[0], &cut, lines[2], lines[3], lines[4]]).as_bytes(),
        ImportOptions::default(),
    );
    assert_eq!(r.rejected[0].reason.code(), "history.truncated");
}

/// Two cases under one number (two stores' first cases of an office, written into one file):
/// the later line is refused before anything is written, whichever batch the store would
/// write first.
#[test]
fn two_cases_under_one_number_are_refused() {
    let catalog = catalog();
    let mut bytes = Vec::new();
    let mut w = archive::ArchiveWriter::new(&mut bytes, now()).unwrap();
    for intake in [detention_intake("TAP"), victim_intake("TAP")] {
        let store = MemoryStore::new();
        let case = store::open_case(&store, &catalog, &officer("TAP"), &intake, now()).unwrap();
        assert_eq!(case.number, "TAP-2026-000001");
        w.write_case(&store.load(case.id).unwrap()).unwrap();
    }
    w.finish().unwrap();
    let (target, report) = import(&bytes, ImportOptions::default());
    assert!(!report.written && target.is_empty());
    assert_eq!(report.rejected.len(), 1);
    assert_eq!(report.rejected[0].line, 3);
    assert_eq!(report.rejected[0].reason.code(), "store.number_taken");
    let (target, report) = import(&bytes, ImportOptions { partial: true });
    assert_eq!((report.imported, target.len()), (1, 1));
}

#[test]
fn changing_any_byte_of_the_file_is_detected() {
    let (_, bytes) = exported();
    // Every byte position, with a few different replacements; sound files import cleanly.
    let mut checked = 0;
    for i in (0..bytes.len()).step_by(11) {
        for replacement in [b'0', b'a', b' ', b'"'] {
            if bytes[i] == replacement {
                continue;
            }
            let mut tampered = bytes.clone();
            tampered[i] = replacement;
            let report = archive::check(&mut Cursor::new(&tampered), None).unwrap();
            assert!(
                !report.is_clean(),
                "byte {i} changed to {:?} went unnoticed",
                replacement as char
            );
            checked += 1;
        }
    }
    assert!(checked > 500);
}

/// An export lists the store's cases a page at a time (1,000): every case of a store of more
/// than a page is written once, in number order, and a limit counts across pages.
#[test]
fn an_export_pages_through_every_case_once() {
    let catalog = catalog();
    let store = MemoryStore::new();
    let intake = detention_intake("TAP");
    for _ in 0..1_203 {
        store::open_case(&store, &catalog, &officer("TAP"), &intake, now()).unwrap();
    }
    let numbers = |bytes: &[u8]| -> Vec<String> {
        String::from_utf8(bytes.to_vec())
            .unwrap()
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("number").and_then(|n| n.as_str()).map(str::to_owned))
            .collect()
    };
    let mut all = Vec::new();
    let summary = archive::export(&store, None, &CaseQuery::default(), &mut all, now()).unwrap();
    assert_eq!(summary.cases, 1_203);
    let listed = numbers(&all);
    let expected: Vec<String> = store
        .list(&CaseQuery::default())
        .unwrap()
        .into_iter()
        .map(|s| s.number)
        .collect();
    assert_eq!(listed, expected, "every case once, in number order");
    let limited = CaseQuery {
        limit: Some(1_001),
        after: Some(expected[10].clone()),
        ..CaseQuery::default()
    };
    let mut some = Vec::new();
    archive::export(&store, None, &limited, &mut some, now()).unwrap();
    assert_eq!(numbers(&some), expected[11..1_012]);
}
