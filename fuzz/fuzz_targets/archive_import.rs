//! Archive import: `archive::check` and `archive::import` (whole and partial) of any bytes into
//! a memory store. Oracle: no panic; check and import agree; every case an import writes loads,
//! verifies and replays; a clean archive exports again to the same case lines, byte for byte.
#![no_main]

use std::io::Cursor;

use libfuzzer_sys::fuzz_target;
use siproc_core::archive::{self, ImportOptions};
use siproc_core::store::{self, CaseQuery, CaseStore, MemoryStore};
use siproc_fuzz::{assert_sound, now};

/// The case lines of an archive (between its header and its trailer), sorted.
fn case_lines(bytes: &[u8]) -> Vec<&[u8]> {
    let mut lines: Vec<&[u8]> = bytes.split_inclusive(|b| *b == b'\n').collect();
    lines.pop();
    if !lines.is_empty() {
        lines.remove(0);
    }
    lines.sort_unstable();
    lines
}

fn assert_written_cases_sound(store: &MemoryStore) {
    for summary in store.list(&CaseQuery::default()).unwrap() {
        let events = store.load(summary.id).unwrap();
        let case = store::load_case(store, summary.id).unwrap();
        assert_sound(&events, &case);
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(checked) = archive::check(&mut Cursor::new(data), None) else {
        return;
    };
    for partial in [false, true] {
        let store = MemoryStore::new();
        let report =
            archive::import(&store, None, &mut Cursor::new(data), ImportOptions { partial }).unwrap();
        assert_eq!(
            report.cases, checked.cases,
            "check and import read the same cases"
        );
        assert_eq!(
            report.is_clean(),
            checked.is_clean(),
            "check and import agree"
        );
        if !partial && !report.is_clean() {
            assert_eq!(store.len(), 0, "a broken archive writes nothing");
        }
        assert_eq!(
            store.len(),
            report.imported,
            "what is reported imported is in the store"
        );
        assert_written_cases_sound(&store);
        if report.is_clean() && report.cases > 0 {
            let mut out = Vec::new();
            archive::export(&store, None, &CaseQuery::default(), &mut out, now()).unwrap();
            assert_eq!(
                case_lines(&out),
                case_lines(data),
                "a clean archive exports again as it was"
            );
        }
    }
});
