//! The live check of one field (`validate_field`, what a form runs as an officer types): the
//! first line of the input is the JSON Pointer, the rest the field's JSON value, put into the
//! detention sample. Oracle: no panic; every issue is at or below the pointer.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siproc_core::{Locale, validate_field};
use siproc_fuzz::{catalog, sample_intake_json, text};

fuzz_target!(|data: &[u8]| {
    let Some(input) = text(data) else { return };
    let (pointer, value) = input.split_once('\n').unwrap_or((input, "null"));
    let Ok(value) = serde_json::from_str::<serde_json::Value>(value) else {
        return;
    };
    let record = sample_intake_json("detention", "TAP");
    let report = validate_field(record, pointer, value, catalog(), Locale::Es);
    for issue in &report.issues {
        let below = issue.path == pointer
            || issue
                .path
                .strip_prefix(pointer)
                .is_some_and(|rest| rest.starts_with('/'));
        assert!(
            below,
            "an issue outside the field: {} at {}",
            issue.code, issue.path
        );
    }
});
