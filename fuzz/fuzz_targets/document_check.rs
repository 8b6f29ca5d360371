//! Identity documents: every kind's check (`check_document`, `check_document_at` in every
//! locale), `normalize_document` and `identifies_a_person`; the first byte picks the kind (or
//! an unknown one). Oracle: no panic; normalising twice gives the same as once (documented);
//! a number that identifies a person has no error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siproc_core::document::{
    DocumentKind, check_document, check_document_at, identifies_a_person, normalize_document,
};
use siproc_core::{Locale, Pointer, Severity};
use siproc_fuzz::text;

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let Some(value) = text(rest) else { return };
    let Some(&kind) = DocumentKind::ALL.get(usize::from(pick) % (DocumentKind::ALL.len() + 1))
    else {
        let issues = check_document("passport_of_atlantis", value);
        assert_eq!(
            issues.first().map(|i| i.code.as_str()),
            Some("document.unknown_kind")
        );
        return;
    };
    let issues = check_document(kind.as_str(), value);
    for locale in [Locale::Es, Locale::En] {
        let at = check_document_at(kind, value, &Pointer::root().key("number"), locale);
        assert_eq!(at.len(), issues.len(), "the same issues in every locale");
    }
    if let Some(normal) = normalize_document(kind, value) {
        assert_eq!(
            normalize_document(kind, &normal).as_ref(),
            Some(&normal),
            "normalising is idempotent"
        );
    }
    if identifies_a_person(kind, value) {
        assert!(issues.iter().all(|i| i.severity == Severity::Warning));
    }
});
