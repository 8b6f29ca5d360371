//! E-mail, phone and name normalisation: `email::is_valid`, `normalize_phone` (with and
//! without a region), `normalize_name`, `fold_name`, `is_valid_name`. Oracle: no panic; a valid
//! address fits RFC 5321's 254 octets; a number in E.164 normalises to itself; normalising and
//! folding a name twice give the same as once.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siproc_core::email::{self, MAX_ADDRESS_OCTETS};
use siproc_core::{fold_name, is_valid_name, normalize_name, normalize_phone};
use siproc_fuzz::text;

fuzz_target!(|data: &[u8]| {
    let Some(value) = text(data) else { return };
    if email::is_valid(value) {
        assert!(value.len() <= MAX_ADDRESS_OCTETS);
        assert!(value.contains('@'));
    }
    for region in [
        None,
        Some("HN"),
        Some("MX"),
        Some("US"),
        Some("ES"),
        Some("XX"),
        Some(""),
    ] {
        if let Some(e164) = normalize_phone(value, region) {
            assert!(e164.starts_with('+'));
            assert_eq!(
                normalize_phone(&e164, None).as_ref(),
                Some(&e164),
                "E.164 is a fixed point"
            );
        }
    }
    let name = normalize_name(value);
    assert_eq!(
        normalize_name(&name),
        name,
        "normalising a name is idempotent"
    );
    let folded = fold_name(value);
    assert_eq!(fold_name(&folded), folded, "folding a name is idempotent");
    let _ = is_valid_name(value);
});
