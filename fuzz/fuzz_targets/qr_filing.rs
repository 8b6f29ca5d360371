//! Scans filed back by their QR code: `attachments::scan::read_code` of any bytes taken as a
//! JPEG, PNG, WebP or PDF page (the first byte picks which), without the upload's checks before
//! it: the decoders, the PDF page images, the binarisations and rqrr's reading of whatever it
//! finds. Oracle: no panic, no runaway allocation (libFuzzer's `-rss_limit_mb`); a code read is
//! a form's canonical verification code, read the same from the same bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;
use siproc_core::attachments::scan::read_code;
use siproc_core::forms::verification::parse_code;

const TYPES: [&str; 4] = ["image/png", "image/jpeg", "image/webp", "application/pdf"];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, content)) = data.split_first() else {
        return;
    };
    let media_type = TYPES[usize::from(pick) % TYPES.len()];
    let Some(code) = read_code(content, media_type) else {
        return;
    };
    assert_eq!(parse_code(&code).as_ref(), Some(&code), "a canonical code");
    assert_eq!(read_code(content, media_type), Some(code), "read the same again");
});
