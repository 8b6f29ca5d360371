//! Machine readable zones: `parse_mrz` and `read_mrz` of any lines, and the `mrz_td3` document
//! check of the same text. Oracle: no panic; the three agree on whether the zone is valid.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siproc_core::document::{DocumentKind, check_document_at, parse_mrz, read_mrz};
use siproc_core::{Locale, Pointer, Severity};
use siproc_fuzz::text;

fuzz_target!(|data: &[u8]| {
    let Some(input) = text(data) else { return };
    let lines: Vec<&str> = input.split('\n').collect();
    let parsed = parse_mrz(&lines);
    let report = read_mrz(&lines, Locale::En);
    assert_eq!(
        report.mrz.is_some(),
        parsed.is_ok(),
        "read_mrz and parse_mrz agree"
    );
    if let Ok(mrz) = &parsed {
        assert!(report.ok);
        assert_eq!(report.mrz.as_ref(), Some(mrz));
        let issues = check_document_at(DocumentKind::MrzTd3, input, &Pointer::root(), Locale::Es);
        assert!(
            issues.iter().all(|i| i.severity == Severity::Warning),
            "a zone that parses passes the document check: {:?}",
            issues.iter().map(|i| &i.code).collect::<Vec<_>>()
        );
    }
});
