//! Intake JSON: reading (`parse_intake`, `validate_json_bytes`), validation, normalisation and
//! opening. Oracle: no panic; reading and validating agree on what does not parse; an intake
//! opens exactly when it validates, and the case it opens verifies and replays; normalising is
//! idempotent.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siproc_core::workflow::{self, WorkflowError};
use siproc_core::{Locale, normalize_intake, parse_intake, validate_json_bytes, validate_on};
use siproc_fuzz::{assert_sound, catalog, directorate, now, text};
use uuid::Uuid;

fuzz_target!(|data: &[u8]| {
    let catalog = catalog();
    let report = validate_json_bytes(data, catalog, Locale::Es);
    let Some(json) = text(data) else {
        assert!(!report.ok, "bytes that are not UTF-8 are refused");
        return;
    };
    let Ok(intake) = parse_intake(json, Locale::En) else {
        assert!(!report.ok, "a record that does not read is refused");
        return;
    };
    let valid = validate_on(&intake, catalog, Locale::Es, now().date_naive());
    let normal = normalize_intake(&intake, catalog);
    assert_eq!(
        normalize_intake(&normal, catalog),
        normal,
        "normalising twice changes nothing"
    );
    match workflow::open(catalog, &directorate(), &intake, Uuid::nil(), now()) {
        Ok(opening) => {
            assert!(valid.ok, "only a valid intake opens");
            let event = opening.seal("TAP-2026-000001").unwrap().into_event();
            let case = siproc_core::history::open(&event).unwrap();
            assert_sound(&[event], &case);
        }
        Err(WorkflowError::InvalidIntake { .. }) => assert!(!valid.ok),
        Err(e) => panic!("a valid intake was refused: {}", e.code()),
    }
});
