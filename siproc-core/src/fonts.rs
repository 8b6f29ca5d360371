//! The fonts forms are printed in: DejaVu Sans and DejaVu Sans Bold, embedded in the library.
//!
//! DejaVu is open-licensed (Bitstream Vera licence, DejaVu changes in the public domain; see
//! `siproc-core/fonts/LICENSE-DejaVu.txt`) and covers Latin, Greek and Cyrillic, so accents, `ñ`,
//! `ü`, `¿` and `¡` print as themselves. The PDF embeds only the glyphs a form uses (a subset).
//!
//! Every character a form prints must be in both faces. Template texts and pack labels are checked
//! when the pack is loaded ([`crate::Catalog::from_files`]); case data is checked when a form is
//! rendered, and a character the fonts lack is a [`FormError`](crate::forms::FormError) naming the field
//! and the code point, never a silently dropped or `.notdef` glyph.
//!
//! # The print subset
//! Subsetting the font for each form, then compressing the subset, took most of the time of a
//! render. Nearly every form prints only Latin-1 text (Spanish, English, Italian, German names),
//! so each face is subset *once per process* to [`PRINT_SET`] (Basic Latin, Latin-1 and the
//! common typographic punctuation), and the compressed font program is reused by every form. A
//! form whose text has a character outside the set (a Polish `Ł`, a Greek name) falls back to
//! subsetting the full face for that form alone: slower, and just as correct.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use printpdf::ParsedFont;

/// DejaVu Sans, regular.
const REGULAR_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans.ttf");
/// DejaVu Sans, bold.
const BOLD_TTF: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold.ttf");

/// Code points below this have their advance widths cached in a table.
const CACHED: usize = 0x0600;

/// Characters of the print subset: Basic Latin, Latin-1 and common punctuation.
pub(crate) const PRINT_SET: [(char, char); 9] = [
    (' ', '~'),
    ('\u{A0}', '\u{FF}'),
    ('\u{2013}', '\u{2014}'),
    ('\u{2018}', '\u{201A}'),
    ('\u{201C}', '\u{201E}'),
    ('\u{2022}', '\u{2022}'),
    ('\u{2026}', '\u{2026}'),
    ('\u{20AC}', '\u{20AC}'),
    ('\u{2122}', '\u{2122}'),
];

/// Whether `c` is in [`PRINT_SET`].
pub(crate) fn in_print_set(c: char) -> bool {
    PRINT_SET.iter().any(|(a, b)| (*a..=*b).contains(&c))
}

/// A face subset to [`PRINT_SET`], ready to embed whole.
pub(crate) struct PrintFace {
    /// The subset, parsed.
    pub(crate) parsed: ParsedFont,
    /// The subset's font program.
    pub(crate) program: Vec<u8>,
    /// The program, deflated once (zlib, best compression).
    pub(crate) deflated: Vec<u8>,
}

impl PrintFace {
    fn build(full: &ParsedFont) -> Option<PrintFace> {
        use std::io::Write;
        let mut glyphs = BTreeMap::new();
        for (a, b) in PRINT_SET {
            for c in a..=b {
                if let Some(gid) = full.lookup_glyph_index(c as u32).filter(|g| *g != 0) {
                    glyphs.entry(gid).or_insert_with(|| c.to_string());
                }
            }
        }
        let subset = printpdf::subset_font(full, &glyphs).ok()?;
        let parsed = ParsedFont::from_bytes(&subset.bytes, 0, &mut Vec::new())?;
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        enc.write_all(&subset.bytes).ok()?;
        let deflated = enc.finish().ok()?;
        Some(PrintFace {
            parsed,
            program: subset.bytes,
            deflated,
        })
    }
}

/// The weight a run of text is set in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Face {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

/// One parsed face with its metrics.
pub(crate) struct FaceData {
    /// The parsed font, as printpdf embeds it.
    pub(crate) parsed: ParsedFont,
    /// Font units per em.
    units_per_em: f32,
    /// Advance widths in font units of the code points below [`CACHED`]; `None` when the face
    /// has no glyph for it.
    advances: Vec<Option<u16>>,
    /// The face subset to [`PRINT_SET`].
    pub(crate) print: PrintFace,
}

impl FaceData {
    fn load(bytes: &[u8]) -> Option<FaceData> {
        let parsed = ParsedFont::from_bytes(bytes, 0, &mut Vec::new())?;
        let units_per_em = f32::from(parsed.pdf_font_metrics.units_per_em.max(1));
        let mut advances = Vec::with_capacity(CACHED);
        for cp in 0..CACHED {
            let adv = u32::try_from(cp)
                .ok()
                .and_then(|cp| parsed.lookup_glyph_index(cp))
                .filter(|gid| *gid != 0)
                .map(|gid| parsed.get_horizontal_advance(gid));
            advances.push(adv);
        }
        let print = PrintFace::build(&parsed)?;
        Some(FaceData {
            parsed,
            units_per_em,
            advances,
            print,
        })
    }

    /// The advance of `c` in font units, `None` when the face lacks it.
    fn advance(&self, c: char) -> Option<u16> {
        match self.advances.get(c as usize) {
            Some(cached) => *cached,
            None => self
                .parsed
                .lookup_glyph_index(c as u32)
                .filter(|gid| *gid != 0)
                .map(|gid| self.parsed.get_horizontal_advance(gid)),
        }
    }
}

/// The two faces forms use.
pub(crate) struct Fonts {
    /// Regular weight.
    pub(crate) regular: FaceData,
    /// Bold weight.
    pub(crate) bold: FaceData,
}

impl Fonts {
    /// The embedded fonts, parsed once per process; `None` if they cannot be read (a build defect).
    pub(crate) fn get() -> Option<&'static Fonts> {
        static FONTS: OnceLock<Option<Fonts>> = OnceLock::new();
        FONTS
            .get_or_init(|| {
                Some(Fonts {
                    regular: FaceData::load(REGULAR_TTF)?,
                    bold: FaceData::load(BOLD_TTF)?,
                })
            })
            .as_ref()
    }

    /// The face data of `face`.
    pub(crate) fn face(&self, face: Face) -> &FaceData {
        match face {
            Face::Regular => &self.regular,
            Face::Bold => &self.bold,
        }
    }

    /// Whether both faces can print `c`. Line breaks and tabs count as printable: the layout
    /// turns them into line breaks and spaces.
    pub(crate) fn covers(&self, c: char) -> bool {
        matches!(c, '\n' | '\r' | '\t')
            || (self.regular.advance(c).is_some() && self.bold.advance(c).is_some())
    }

    /// The first character of `text` that the fonts cannot print.
    pub(crate) fn first_missing(&self, text: &str) -> Option<char> {
        text.chars().find(|c| !self.covers(*c))
    }

    /// The width of `text` set in `face` at `size` points, in points.
    pub(crate) fn width(&self, text: &str, face: Face, size: f32) -> f32 {
        let data = self.face(face);
        let units: u32 = text
            .chars()
            .map(|c| u32::from(data.advance(c).unwrap_or(0)))
            .sum();
        units as f32 * size / data.units_per_em
    }
}

/// Formats a code point as `U+00F1`, the way errors name a missing glyph.
pub(crate) fn code_point(c: char) -> String {
    format!("U+{:04X}", c as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fonts_cover_spanish_and_measure() {
        let fonts = Fonts::get().unwrap();
        for c in "áéíóúÁÉÍÓÚñÑüÜ¿¡«»—–·ºª€“”‘’".chars() {
            assert!(fonts.covers(c), "{}", code_point(c));
        }
        assert!(!fonts.covers('\u{4E2D}'), "DejaVu Sans has no CJK");
        let w = fonts.width("Núñez", Face::Regular, 10.0);
        assert!(w > 20.0 && w < 40.0, "{w}");
        assert!(fonts.width("Núñez", Face::Bold, 10.0) > w);
        assert_eq!(code_point('ñ'), "U+00F1");
        for c in "áéíóúñüÑ¿¡«»—–“”‘’€·º".chars() {
            assert!(in_print_set(c), "{}", code_point(c));
            let gid = fonts.regular.print.parsed.lookup_glyph_index(c as u32);
            assert!(gid.is_some_and(|g| g != 0), "{}", code_point(c));
        }
        assert!(!in_print_set('Ł'));
        assert!(fonts.covers('Ł'));
        assert!(fonts.bold.print.deflated.len() < fonts.bold.print.program.len());
    }
}
