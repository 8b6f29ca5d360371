//! Files as uploaded: `attachments::prepare` of any bytes, declared as one of the allowed types,
//! as a refused type or as nothing (the first byte picks which): the type sniffed and held to the
//! allow-list, an image decoded under its allocation limits and encoded again without its
//! metadata (scaled down above a size), a PDF parsed and refused with scripts or embedded files,
//! a form's QR code looked for. Oracle: no panic; what is kept is of an allowed type, sniffs as
//! that type, and passes the same checks again (siproc keeps nothing it would refuse); a code
//! read is a form's canonical verification code.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siproc_core::attachments::check::{allowed_type, check, sniff};
use siproc_core::attachments::{Limits, prepare};
use siproc_core::forms::verification::parse_code;

/// What an upload may say it is: nothing, each allowed type, and one that is never allowed.
const DECLARED: [Option<&str>; 6] = [
    None,
    Some("application/pdf"),
    Some("image/jpeg"),
    Some("image/png"),
    Some("image/webp"),
    Some("text/html"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let declared = DECLARED[usize::from(pick) % DECLARED.len()];
    // Small limits, so that the scaling-down path is reached by small inputs.
    let limits = Limits {
        max_bytes: 1 << 20,
        reencode_above: 64 * 1024,
        max_side: 512,
    };
    let Ok(prepared) = prepare(content, declared, &limits) else {
        return;
    };
    let kept = &prepared.checked;
    assert_eq!(allowed_type(kept.media_type), Some(kept.media_type));
    assert_eq!(sniff(&kept.content), Some(kept.media_type), "kept as it sniffs");
    let roomy = Limits {
        max_bytes: usize::MAX,
        ..limits
    };
    let again = check(&kept.content, Some(kept.media_type), &roomy);
    assert!(again.is_ok(), "what is kept passes again: {again:?}");
    if let Some(code) = &prepared.code {
        assert_eq!(parse_code(code).as_ref(), Some(code), "a canonical code");
    }
});
