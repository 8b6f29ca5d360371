//! The QR code of a form's verification: a matrix of modules drawn as vector squares.
//!
//! The payload is the address of the public verification page carrying the form's code
//! ([`super::verification::verification_url`]), so that a phone's camera app opens the check;
//! without an origin to point at, it is `SIPROC:<case number>:<verification hash>` in upper case
//! (what forms carried before), which QR encodes in its compact alphanumeric mode.
//!
//! The symbol uses one fixed mask pattern instead of scoring all eight: any mask is valid for a
//! reader, and scoring them took as long as laying out the rest of a form.

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel};

/// A QR symbol as dark runs per row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Symbol {
    /// Modules per side (without the quiet zone).
    pub(crate) width: u16,
    /// Dark runs: (row, first column, length).
    pub(crate) runs: Vec<(u16, u16, u16)>,
}

/// The payload of a form's QR code: the verification page's address at `origin`, or without
/// one the `SIPROC:` payload.
pub(crate) fn payload(origin: Option<&str>, case_number: &str, hash: &str) -> String {
    match origin {
        Some(origin) => super::verification::verification_url(origin, hash),
        None => format!("SIPROC:{case_number}:{hash}").to_uppercase(),
    }
}

/// Encodes `data`; `None` if it is too long for a QR code.
pub(crate) fn encode(data: &str) -> Option<Symbol> {
    let bits = qrcode::bits::encode_auto(data.as_bytes(), EcLevel::M).ok()?;
    let version = bits.version();
    let (codewords, ec) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).ok()?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&codewords, &ec);
    canvas.apply_mask(MaskPattern::Checkerboard);
    let width = usize::try_from(version.width()).ok()?;
    let colors = canvas.into_colors();
    let mut runs = Vec::new();
    for (row, line) in colors.chunks(width.max(1)).enumerate() {
        let mut start: Option<usize> = None;
        for (col, c) in line
            .iter()
            .chain(std::iter::once(&Color::Light))
            .enumerate()
        {
            match (c, start) {
                (Color::Dark, None) => start = Some(col),
                (Color::Light, Some(s)) => {
                    runs.push((
                        u16::try_from(row).ok()?,
                        u16::try_from(s).ok()?,
                        u16::try_from(col - s).ok()?,
                    ));
                    start = None;
                }
                _ => {}
            }
        }
    }
    Some(Symbol {
        width: u16::try_from(width).ok()?,
        runs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_verification_payload_fits_a_small_symbol() {
        let hash = "ab".repeat(32);
        let p = payload(None, "MIA-2026-000123", &hash);
        assert!(p.starts_with("SIPROC:MIA-2026-000123:ABAB"));
        let s = encode(&p).unwrap();
        assert!(s.width <= 37, "{}", s.width);
        // An address with a 40-character origin fits a symbol no larger.
        let p = payload(
            Some("https://proteccion.cancilleria.gob.hn"),
            "MIA-2026-000123",
            &hash,
        );
        assert_eq!(p, "https://proteccion.cancilleria.gob.hn/v/ABABABABABAB");
        let s = encode(&p).unwrap();
        assert!(s.width <= 37, "{}", s.width);
        // Finder pattern: the first row starts with a run of seven dark modules.
        assert_eq!(s.runs.first(), Some(&(0, 0, 7)));
        assert!(
            s.runs
                .iter()
                .all(|(r, c, n)| *r < s.width && c + n <= s.width)
        );
    }
}
