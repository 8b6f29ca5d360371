//! Identity documents: format and check-digit rules for the numbers consular officers record.
//!
//! One function checks any kind of document by its wire name ([`check_document`]); the others
//! give a canonical form ([`normalize_document`]), the registration year of a Honduran DNI
//! ([`dni_registration_year`]) and the fields of a passport's machine readable zone
//! ([`parse_mrz`]).
//!
//! | kind          | document                                   | rule codes |
//! |---------------|--------------------------------------------|------------|
//! | `hn_dni`      | Honduras, Documento Nacional de Identificación | `dni.*` |
//! | `hn_passport` | Honduras, passport number (format only)    | `passport.*` |
//! | `mx_curp`     | Mexico, Clave Única de Registro de Población | `curp.*` |
//! | `sv_dui`      | El Salvador, Documento Único de Identidad  | `dui.*` |
//! | `gt_dpi`      | Guatemala, Documento Personal de Identificación (CUI) | `dpi.*` |
//! | `mrz_td3`     | ICAO 9303 machine readable zone of a passport (TD3) | `mrz.*` |
//! | `mx_clave_elector` | Mexico, *clave de elector* of the INE voter credential | `clave_elector.*` |
//!
//! Spaces, dashes and dots anywhere in a number are separators: they are accepted and dropped
//! (`0801 1990 12345`, `0801-1990-12345` and `0801.1990.12345` are the same DNI). The machine
//! readable zone is the exception: its characters are fixed, so nothing is dropped there.
//!
//! Privacy: messages never contain the checked value, and no input can panic. Values longer than
//! a few dozen bytes are rejected with a length issue before they are scanned, so the work per
//! call is bounded whatever the input.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::issue::{Issue, Locale, Pointer, Severity};

mod gt_dpi;
mod hn_dni;
mod hn_passport;
mod mrz;
mod mx_clave_elector;
mod mx_curp;
mod placeholder;
mod sv_dui;

pub use hn_dni::dni_registration_year;
pub use mrz::{Mrz, MrzReport, MrzSex, parse_mrz, parse_mrz_at, read_mrz};
pub use placeholder::is_placeholder;

/// The kinds of identity document siproc can check.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// Honduras: Documento Nacional de Identificación, 13 digits `DDMM-YYYY-NNNNN`.
    HnDni,
    /// Honduras: passport number, a letter then 7 to 9 digits. A format check only: the
    /// reliable check of a passport is its machine readable zone ([`DocumentKind::MrzTd3`]).
    HnPassport,
    /// Mexico: Clave Única de Registro de Población, 18 characters with a check digit.
    MxCurp,
    /// El Salvador: Documento Único de Identidad, 9 digits `NNNNNNNN-C`.
    SvDui,
    /// Guatemala: Documento Personal de Identificación (Código Único de Identificación), 13 digits.
    GtDpi,
    /// ICAO 9303 machine readable zone of a passport (TD3): two lines of 44 characters.
    MrzTd3,
    /// Mexico: the *clave de elector* of the INE voter credential, 18 characters (six letters,
    /// birth date, state, sex, three digits); no published check digit.
    MxClaveElector,
}

impl DocumentKind {
    /// Every kind, in declaration order.
    pub const ALL: [DocumentKind; 7] = [
        DocumentKind::HnDni,
        DocumentKind::HnPassport,
        DocumentKind::MxCurp,
        DocumentKind::SvDui,
        DocumentKind::GtDpi,
        DocumentKind::MrzTd3,
        DocumentKind::MxClaveElector,
    ];

    /// The wire name, as in JSON: `hn_dni`, `hn_passport`, `mx_curp`, `sv_dui`, `gt_dpi`,
    /// `mrz_td3`, `mx_clave_elector`.
    pub fn as_str(self) -> &'static str {
        self.spec().code
    }

    /// What the kind is called on screens and in the choices of an intake form, in `locale`:
    /// `DNI de Honduras`, `Honduran DNI`.
    pub fn label(self, locale: Locale) -> &'static str {
        crate::catalog::label("document_kind", self.as_str(), locale)
    }

    /// The short name printed on forms beside a number, in `locale`: `DNI`, `CURP`,
    /// `Pasaporte hondureño`.
    pub fn short_label(self, locale: Locale) -> &'static str {
        crate::catalog::label("document_kind_short", self.as_str(), locale)
    }

    /// The kind's row of [`KINDS`].
    fn spec(self) -> &'static KindSpec {
        // `KINDS` lists the kinds in declaration order (a unit test checks it), so the
        // discriminant is the row; `KINDS[0]` is never reached for a listed kind.
        KINDS.get(self as usize).unwrap_or(&KINDS[0])
    }
}

/// One kind of document: everything siproc knows of it, in one row. Adding a kind is a variant
/// of [`DocumentKind`], a row here and a module with its `check` and `normalize`
/// (`docs/extending.md`).
struct KindSpec {
    /// The wire name.
    code: &'static str,
    /// Reports the number's issues into the sink.
    check: fn(&str, &mut Sink<'_>),
    /// The canonical form, or `None` when the value lacks the kind's shape.
    normalize: fn(&str) -> Option<String>,
}

/// The document kinds, in the declaration order of [`DocumentKind`].
static KINDS: [KindSpec; 7] = [
    KindSpec {
        code: "hn_dni",
        check: hn_dni::check,
        normalize: hn_dni::normalize,
    },
    KindSpec {
        code: "hn_passport",
        check: hn_passport::check,
        normalize: hn_passport::normalize,
    },
    KindSpec {
        code: "mx_curp",
        check: mx_curp::check,
        normalize: mx_curp::normalize,
    },
    KindSpec {
        code: "sv_dui",
        check: sv_dui::check,
        normalize: sv_dui::normalize,
    },
    KindSpec {
        code: "gt_dpi",
        check: gt_dpi::check,
        normalize: gt_dpi::normalize,
    },
    KindSpec {
        code: "mrz_td3",
        check: mrz::check,
        normalize: mrz::normalize,
    },
    KindSpec {
        code: "mx_clave_elector",
        check: mx_clave_elector::check,
        normalize: mx_clave_elector::normalize,
    },
];

impl fmt::Display for DocumentKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of [`DocumentKind::from_str`]: the name is not one of [`DocumentKind::ALL`].
///
/// It does not carry the rejected name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("unknown document kind")]
pub struct UnknownDocumentKind;

impl FromStr for DocumentKind {
    type Err = UnknownDocumentKind;

    /// Parses a wire name (exact, lowercase), such as `hn_dni`.
    fn from_str(s: &str) -> Result<DocumentKind, UnknownDocumentKind> {
        DocumentKind::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or(UnknownDocumentKind)
    }
}

/// Checks a document number of the kind named `kind` (a wire name such as `hn_dni`), with
/// messages in Spanish and the path `""`.
///
/// An empty list means the number is valid. An unknown kind gives `document.unknown_kind`, an
/// empty value (or only separators) `document.empty`.
///
/// ```
/// use siproc_core::document::check_document;
/// assert!(check_document("hn_dni", "0801-1990-12345").is_empty());
/// assert_eq!(check_document("hn_dni", "1901-1990-12345")[0].code, "dni.bad_department");
/// ```
pub fn check_document(kind: &str, value: &str) -> Vec<Issue> {
    check_document_in(kind, value, Locale::Es)
}

/// Like [`check_document`], with messages in `locale`.
pub fn check_document_in(kind: &str, value: &str, locale: Locale) -> Vec<Issue> {
    let root = Pointer::root();
    match kind.parse::<DocumentKind>() {
        Ok(kind) => check_document_at(kind, value, &root, locale),
        Err(UnknownDocumentKind) => {
            let kinds = known_kinds();
            vec![Issue::new(
                "document.unknown_kind",
                &root,
                locale,
                &[("kinds", kinds.as_str())],
            )]
        }
    }
}

/// Checks a document number of `kind`, reporting issues at `path` (for instance
/// `/persons/0/documents/1/number`) with messages in `locale`. The number is valid when no issue
/// is an error; the warnings are `document.placeholder` ([`is_placeholder`]) and
/// `mrz.expiry_before_birth`.
pub fn check_document_at(
    kind: DocumentKind,
    value: &str,
    path: &Pointer,
    locale: Locale,
) -> Vec<Issue> {
    let mut sink = Sink::new(path, locale);
    (kind.spec().check)(value, &mut sink);
    if is_placeholder(kind, value) {
        sink.push("document.placeholder");
    }
    sink.issues
}

/// Whether a number of `kind` identifies a person, so that two records sharing it may be the
/// same person: it passes its kind's checks (warnings aside) and is not a placeholder.
pub fn identifies_a_person(kind: DocumentKind, value: &str) -> bool {
    !is_placeholder(kind, value)
        && check_document_at(kind, value, &Pointer::root(), Locale::Es)
            .iter()
            .all(|i| i.severity == Severity::Warning)
}

/// The canonical form of a number of `kind`, or `None` when it does not have the kind's shape.
///
/// "Shape" means the right number of characters of the right sort once separators are dropped;
/// the other rules (departments, check digits, dates) are not applied here, so a number can
/// normalise and still fail [`check_document_at`]. Canonical forms:
///
/// - `hn_dni`: `DDMM-YYYY-NNNNN`, e.g. `0801-1990-12345`;
/// - `hn_passport`: uppercase letter then digits, no separators, e.g. `E1234567`;
/// - `mx_curp`: 18 uppercase characters, no separators;
/// - `sv_dui`: `NNNNNNNN-C`, e.g. `01234567-8`;
/// - `gt_dpi`: 13 digits, no separators;
/// - `mrz_td3`: the two lines of 44 characters joined by `\n`;
/// - `mx_clave_elector`: 18 uppercase characters, no separators.
///
/// Normalising twice gives the same result as normalising once.
pub fn normalize_document(kind: DocumentKind, value: &str) -> Option<String> {
    (kind.spec().normalize)(value)
}

/// `hn_dni, hn_passport, ...`: the rule fact shown by `document.unknown_kind`.
pub(crate) fn known_kinds() -> String {
    let names: Vec<&str> = DocumentKind::ALL.iter().map(|k| k.as_str()).collect();
    names.join(", ")
}

/// Collects the issues of one check, all at the same path and in the same locale.
pub(crate) struct Sink<'a> {
    path: &'a Pointer,
    locale: Locale,
    issues: Vec<Issue>,
}

impl<'a> Sink<'a> {
    fn new(path: &'a Pointer, locale: Locale) -> Sink<'a> {
        Sink {
            path,
            locale,
            issues: Vec::new(),
        }
    }

    /// Records an issue of rule `code`; document rules take no parameters.
    fn push(&mut self, code: &str) {
        self.issues
            .push(Issue::new(code, self.path, self.locale, &[]));
    }

    /// Whether anything has been recorded.
    fn is_empty(&self) -> bool {
        self.issues.is_empty()
    }

    /// Whether an error (not only warnings) has been recorded.
    fn has_errors(&self) -> bool {
        self.issues.iter().any(|i| i.severity == Severity::Error)
    }
}

/// Longest value (in bytes) scanned for the number kinds; anything longer is a length error.
/// A 18-character CURP written with a separator after every character still fits.
const MAX_NUMBER_BYTES: usize = 64;

/// Whether `c` separates groups of a number (and is dropped): whitespace, dots and dashes,
/// including the typographic dashes and the no-break space that word processors insert.
fn is_separator(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t' | '\n' | '\r' | '-' | '.' | '\u{a0}' | '\u{2010}'..='\u{2015}' | '\u{2212}'
    )
}

/// The byte that stands for `Ñ` in a [`Compact`] (its Latin-1 code).
const ENYE: u8 = 0xD1;

/// Which characters a number may contain.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Alphabet {
    /// ASCII digits only.
    Digits,
    /// ASCII digits and letters, letters folded to uppercase.
    Alphanumeric,
    /// Like `Alphanumeric`, plus `Ñ` (stored as [`ENYE`]).
    AlphanumericEnye,
}

/// A number with its separators dropped, in a fixed buffer (no allocation).
struct Compact<const N: usize> {
    buf: [u8; N],
    /// Significant characters seen (may exceed `N`; only the first `N` are kept).
    count: usize,
    /// Whether a character outside the alphabet was seen.
    bad_characters: bool,
}

/// What scanning a value found.
enum Scan<const N: usize> {
    /// Nothing but separators (or nothing at all).
    Empty,
    /// More than [`MAX_NUMBER_BYTES`] bytes: not scanned.
    TooLong,
    /// The significant characters.
    Chars(Compact<N>),
}

impl<const N: usize> Compact<N> {
    /// Drops separators from `value` and folds it into the alphabet.
    fn scan(value: &str, alphabet: Alphabet) -> Scan<N> {
        if value.len() > MAX_NUMBER_BYTES {
            return Scan::TooLong;
        }
        let mut out = Compact {
            buf: [0; N],
            count: 0,
            bad_characters: false,
        };
        for c in value.chars() {
            if is_separator(c) {
                continue;
            }
            let byte = match (c, alphabet) {
                ('0'..='9', _) => Some(c as u8),
                ('a'..='z' | 'A'..='Z', Alphabet::Alphanumeric | Alphabet::AlphanumericEnye) => {
                    Some(c.to_ascii_uppercase() as u8)
                }
                ('ñ' | 'Ñ', Alphabet::AlphanumericEnye) => Some(ENYE),
                _ => None,
            };
            match byte {
                Some(b) => {
                    if let Some(slot) = out.buf.get_mut(out.count) {
                        *slot = b;
                    }
                }
                None => out.bad_characters = true,
            }
            out.count += 1;
        }
        if out.count == 0 {
            Scan::Empty
        } else {
            Scan::Chars(out)
        }
    }

    /// The characters, when there are exactly `N` and all are in the alphabet.
    fn exact(&self) -> Option<&[u8; N]> {
        (self.count == N && !self.bad_characters).then_some(&self.buf)
    }
}

/// Scans a number of exactly `N` characters and reports the shape problems under `prefix`
/// (`dni` gives `dni.bad_length`, `dni.bad_characters`). Returns the characters when the shape
/// is right.
fn scan_exact<const N: usize>(
    value: &str,
    alphabet: Alphabet,
    prefix: Prefix,
    sink: &mut Sink<'_>,
) -> Option<[u8; N]> {
    match Compact::<N>::scan(value, alphabet) {
        Scan::Empty => {
            sink.push("document.empty");
            None
        }
        Scan::TooLong => {
            sink.push(prefix.bad_length);
            None
        }
        Scan::Chars(c) => {
            if c.bad_characters {
                sink.push(prefix.bad_characters);
            }
            if c.count != N {
                sink.push(prefix.bad_length);
            }
            c.exact().copied()
        }
    }
}

/// The shape rule codes of one kind.
#[derive(Clone, Copy)]
struct Prefix {
    bad_length: &'static str,
    bad_characters: &'static str,
}

/// The number of exactly `N` characters in `value`, or `None`.
fn compact_exact<const N: usize>(value: &str, alphabet: Alphabet) -> Option<[u8; N]> {
    match Compact::<N>::scan(value, alphabet) {
        Scan::Chars(c) => c.exact().copied(),
        Scan::Empty | Scan::TooLong => None,
    }
}

/// The value of an ASCII digit.
fn digit(b: u8) -> Option<u32> {
    b.is_ascii_digit().then(|| u32::from(b - b'0'))
}

/// The number written by ASCII digits `bytes` (at most 9 of them), or `None` if one is not a
/// digit.
fn number(bytes: &[u8]) -> Option<u32> {
    bytes.iter().try_fold(0u32, |acc, &b| {
        Some(acc.wrapping_mul(10).wrapping_add(digit(b)?))
    })
}

/// A table of departments and their municipality counts, from a data file.
#[derive(Deserialize)]
struct DepartmentFile {
    departments: Vec<Department>,
}

#[derive(Deserialize)]
struct Department {
    code: String,
    municipalities: u32,
}

/// Reads a department table into `counts[code - 1] = municipalities`. The files are part of the
/// crate and checked by unit tests; a broken file gives an empty table (every department then
/// fails) rather than a panic.
fn load_departments(json: &str) -> Vec<u32> {
    let Ok(file) = serde_json::from_str::<DepartmentFile>(json) else {
        return Vec::new();
    };
    let mut counts = vec![0; file.departments.len()];
    for d in file.departments {
        let Some(code) = number(d.code.as_bytes()).and_then(|c| usize::try_from(c).ok()) else {
            continue;
        };
        if let Some(slot) = code.checked_sub(1).and_then(|i| counts.get_mut(i)) {
            *slot = d.municipalities;
        }
    }
    counts
}

/// Where a department/municipality pair fails, if it does.
#[derive(Debug, PartialEq, Eq)]
enum PlaceProblem {
    Department,
    Municipality,
}

/// Checks two-digit department and municipality codes against `counts` (index = code − 1).
fn check_place(counts: &[u32], department: u32, municipality: u32) -> Option<PlaceProblem> {
    let count = department
        .checked_sub(1)
        .and_then(|i| counts.get(usize::try_from(i).ok()?))
        .copied()
        .filter(|&n| n > 0);
    match count {
        None => Some(PlaceProblem::Department),
        Some(n) if municipality == 0 || municipality > n => Some(PlaceProblem::Municipality),
        Some(_) => None,
    }
}

/// Text of ASCII bytes (the compact buffers only hold ASCII, apart from [`ENYE`]).
fn ascii_string(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|&b| if b == ENYE { 'Ñ' } else { char::from(b) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_kind_table_has_one_row_per_kind_in_declaration_order() {
        for (row, kind) in DocumentKind::ALL.into_iter().enumerate() {
            assert_eq!(kind as usize, row, "{kind:?}");
            // The serde name (derived independently) is the table's code.
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            for l in [Locale::Es, Locale::En] {
                assert!(!kind.label(l).is_empty() && !kind.short_label(l).is_empty());
            }
        }
        assert_eq!(KINDS.len(), DocumentKind::ALL.len());
        assert_eq!(DocumentKind::HnDni.label(Locale::En), "Honduran DNI");
        assert_eq!(DocumentKind::MxCurp.short_label(Locale::Es), "CURP");
    }
    use crate::issue::rule;

    fn codes(kind: &str, value: &str) -> Vec<String> {
        check_document(kind, value)
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for kind in DocumentKind::ALL {
            assert_eq!(kind.as_str().parse::<DocumentKind>(), Ok(kind));
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            let back: DocumentKind = serde_json::from_str(&json).unwrap();
            assert_eq!(back, kind);
        }
        assert_eq!("HN_DNI".parse::<DocumentKind>(), Err(UnknownDocumentKind));
        assert_eq!("".parse::<DocumentKind>(), Err(UnknownDocumentKind));
    }

    #[test]
    fn unknown_kind_and_empty_value() {
        assert_eq!(codes("cr_cedula", "123"), ["document.unknown_kind"]);
        let issue = &check_document_in("cr_cedula", "123", Locale::En)[0];
        assert!(
            issue.message.contains("hn_dni, hn_passport"),
            "{}",
            issue.message
        );
        assert!(!issue.message.contains("cr_cedula"));
        for kind in DocumentKind::ALL {
            for empty in ["", "   ", "\n\t "] {
                assert_eq!(codes(kind.as_str(), empty), ["document.empty"], "{kind}");
            }
            if kind != DocumentKind::MrzTd3 {
                // Dashes and dots are separators of numbers, not of the MRZ.
                assert_eq!(codes(kind.as_str(), " - . "), ["document.empty"], "{kind}");
            }
            assert_eq!(normalize_document(kind, ""), None);
        }
    }

    #[test]
    fn issues_carry_the_path_and_locale() {
        let path = Pointer::root()
            .key("persons")
            .index(0)
            .key("documents")
            .index(1)
            .key("number");
        let issues = check_document_at(DocumentKind::HnDni, "1901-1990-12345", &path, Locale::En);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].path, "/persons/0/documents/1/number");
        assert_eq!(issues[0].message, rule("dni.bad_department").unwrap().en);
    }

    #[test]
    fn over_long_values_are_length_errors_without_scanning() {
        let huge = "0".repeat(1 << 20);
        assert_eq!(codes("hn_dni", &huge), ["dni.bad_length"]);
        assert_eq!(codes("sv_dui", &huge), ["dui.bad_length"]);
        assert_eq!(codes("gt_dpi", &huge), ["dpi.bad_length"]);
        assert_eq!(codes("mx_curp", &huge), ["curp.bad_length"]);
        assert_eq!(codes("hn_passport", &huge), ["passport.bad_length"]);
        assert_eq!(codes("mrz_td3", &huge), ["mrz.bad_length"]);
    }

    #[test]
    fn every_emitted_code_is_in_the_catalogue() {
        // Each kind's tests name the codes it emits; here we check they are all catalogued and
        // that no document template takes a parameter other than the list of kinds.
        let catalogue: Vec<_> = crate::issue::list_rules()
            .into_iter()
            .filter(|r| {
                [
                    "document.",
                    "dni.",
                    "passport.",
                    "curp.",
                    "dui.",
                    "dpi.",
                    "mrz.",
                ]
                .iter()
                .any(|p| r.code.starts_with(p))
            })
            .collect();
        assert!(catalogue.len() >= 30);
        for r in &catalogue {
            for template in [&r.es, &r.en] {
                let braces = template.matches('{').count();
                if r.code == "document.unknown_kind" {
                    assert_eq!(braces, 1);
                    assert!(template.contains("{kinds}"));
                } else {
                    assert_eq!(braces, 0, "{} takes a parameter", r.code);
                }
            }
        }
    }

    #[test]
    fn separators_are_recognised() {
        for c in [' ', '-', '.', '\u{a0}', '\u{2013}', '\t'] {
            assert!(is_separator(c));
        }
        for c in ['/', '_', ',', '0', 'A'] {
            assert!(!is_separator(c));
        }
    }

    #[test]
    fn place_checks() {
        let counts = [3, 2];
        assert_eq!(check_place(&counts, 1, 3), None);
        assert_eq!(check_place(&counts, 1, 4), Some(PlaceProblem::Municipality));
        assert_eq!(check_place(&counts, 2, 0), Some(PlaceProblem::Municipality));
        assert_eq!(check_place(&counts, 0, 1), Some(PlaceProblem::Department));
        assert_eq!(check_place(&counts, 3, 1), Some(PlaceProblem::Department));
    }
}

#[cfg(test)]
mod props {
    use proptest::prelude::*;

    use super::*;

    fn kind() -> impl Strategy<Value = DocumentKind> {
        proptest::sample::select(DocumentKind::ALL.to_vec())
    }

    /// Strings close to real numbers (digits, letters, separators, fillers), plus anything.
    fn value() -> impl Strategy<Value = String> {
        prop_oneof![
            "[0-9 .\\-]{0,24}",
            "[0-9A-Za-zÑñ <.\\-]{0,30}",
            "[0-9A-Z<]{44}\n[0-9A-Z<]{44}",
            "[0-9A-Z<\n ]{80,96}",
            any::<String>(),
            "\\PC{0,200}",
        ]
    }

    fn codes(issues: &[Issue]) -> Vec<&str> {
        issues.iter().map(|i| i.code.as_str()).collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn check_document_never_panics(kind in kind(), value in value()) {
            let issues = check_document(kind.as_str(), &value);
            for issue in &issues {
                prop_assert!(crate::issue::rule(&issue.code).is_some(), "{} not catalogued", issue.code);
                prop_assert_eq!(&issue.path, "");
            }
            let _ = check_document_in(kind.as_str(), &value, Locale::En);
            let _ = dni_registration_year(&value);
        }

        #[test]
        fn unknown_kinds_never_panic(kind in any::<String>(), value in value()) {
            let issues = check_document(&kind, &value);
            if kind.parse::<DocumentKind>().is_err() {
                prop_assert_eq!(codes(&issues), ["document.unknown_kind"]);
            }
        }

        #[test]
        fn normalisation_is_idempotent_and_keeps_the_verdict(kind in kind(), value in value()) {
            if let Some(n) = normalize_document(kind, &value) {
                prop_assert_eq!(normalize_document(kind, &n), Some(n.clone()));
                let before = check_document(kind.as_str(), &value);
                let after = check_document(kind.as_str(), &n);
                prop_assert_eq!(codes(&before), codes(&after));
            }
        }

        #[test]
        fn parse_mrz_never_panics(a in "[0-9A-Z<]{44}", b in "[0-9A-Z<]{44}", junk in "\\PC{0,60}") {
            let parsed = parse_mrz(&[&a, &b]);
            // The check adds one thing the parser does not: the placeholder warning.
            let checked: Vec<Issue> = check_document("mrz_td3", &format!("{a}\n{b}"))
                .into_iter()
                .filter(|i| i.code != "document.placeholder")
                .collect();
            match &parsed {
                Ok(_) => prop_assert!(checked.is_empty()),
                Err(issues) => prop_assert_eq!(codes(issues), codes(&checked)),
            }
            let _ = parse_mrz(&[&a, &junk]);
            let _ = parse_mrz(&[&junk]);
        }

        #[test]
        fn valid_duis_and_dpis_from_their_algorithms(n in 0u32..100_000_000, dept in 1u32..=22, muni in 1u32..=5) {
            let d: Vec<u32> = format!("{n:08}").bytes().map(|b| u32::from(b - b'0')).collect();
            let dui: u32 = d.iter().zip((2..=9).rev()).map(|(x, w)| x * w).sum();
            let dui = format!("{n:08}-{}", (10 - dui % 10) % 10);
            prop_assert!(check_document("sv_dui", &dui).is_empty());
            prop_assert_eq!(normalize_document(DocumentKind::SvDui, &dui), Some(dui.clone()));
            let r: u32 = d.iter().zip(2..).map(|(x, w)| x * w).sum::<u32>() % 11;
            let dpi = format!("{n:08}{}{dept:02}{muni:02}", r % 10);
            if r == 10 {
                let issues = check_document("gt_dpi", &dpi);
                prop_assert_eq!(codes(&issues), ["dpi.bad_check_digit"]);
            } else {
                prop_assert!(check_document("gt_dpi", &dpi).is_empty());
            }
        }
    }
}
