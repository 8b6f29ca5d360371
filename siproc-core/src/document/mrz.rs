//! ICAO 9303 machine readable zone (MRZ) of a passport: format TD3, two lines of 44 characters.
//!
//! ```text
//! P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<
//! L898902C36UTO7408122F1204159ZE184226B<<<<<10
//! ```
//!
//! Line 1: `P`, a type letter or `<`, the issuing state (3), the name (39: surnames, `<<`, given
//! names, `<` between words and as filler). Line 2 (0-based positions): document number 0–8 and
//! its check digit 9, nationality 10–12, birth date `YYMMDD` 13–18 and check 19, sex 20, expiry
//! date 21–26 and check 27, optional data (personal number) 28–41 and check 42, and the composite
//! check 43 over positions 0–9, 13–19 and 21–42.
//!
//! Check digits: digits are their value, `A`–`Z` are 10–35, `<` is 0; multiply by the weights
//! 7, 3, 1 repeating, sum, and take the remainder modulo 10. The optional data's check digit may
//! be `<` when the field is all fillers.
//!
//! Only uppercase `A`–`Z`, digits and `<` may appear: an MRZ is printed in uppercase OCR-B, so a
//! lowercase letter means it was retyped, and is reported. Dates must be real calendar dates;
//! two-digit years are resolved to the latest past year for a birth date and to 2000–2099 for
//! an expiry date unless that is more than 50 years away (then 1900–1999). An expiry date
//! before the birth date is implausible: the warning `mrz.expiry_before_birth` (the zone still
//! parses).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::issue::{Issue, Locale, Pointer, Report};

use super::Sink;

/// Characters in a TD3 line.
const LINE: usize = 44;

/// Longest value (in bytes) scanned by `check_document`: two lines, a line break and some
/// surrounding white space. Anything longer is a length error.
const MAX_VALUE_BYTES: usize = 2 * LINE + 16;

/// Longest single line (in bytes) scanned by [`parse_mrz`].
const MAX_LINE_BYTES: usize = LINE + 8;

/// Sex as written in the MRZ.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum MrzSex {
    /// `F`.
    Female,
    /// `M`.
    Male,
    /// `X` or `<`: not specified.
    Unspecified,
}

/// The fields of a valid TD3 machine readable zone, fillers removed.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub struct Mrz {
    /// Document code: `P` and, if present, the type letter (`P`, `PD`, `PO`...).
    pub document_type: String,
    /// Issuing state or organisation, ICAO 9303 three-letter code (`HND`, `D` for Germany).
    pub issuing_state: String,
    /// Surnames (primary identifier), words separated by single spaces.
    pub surnames: String,
    /// Given names (secondary identifier), words separated by single spaces; may be empty.
    pub given_names: String,
    /// Document number, fillers removed.
    pub document_number: String,
    /// Nationality, ICAO 9303 three-letter code.
    pub nationality: String,
    /// Birth date as written, `YYMMDD`.
    pub birth_date_raw: String,
    /// Birth date, with the century resolved to the latest date not in the future.
    #[cfg_attr(feature = "typescript", tsify(type = "string"))]
    pub birth_date: NaiveDate,
    /// Sex.
    pub sex: MrzSex,
    /// Expiry date as written, `YYMMDD`.
    pub expiry_date_raw: String,
    /// Expiry date, with the century resolved (2000–2099 unless more than 50 years ahead).
    #[cfg_attr(feature = "typescript", tsify(type = "string"))]
    pub expiry_date: NaiveDate,
    /// Optional data (often a personal number), fillers removed; may be empty.
    pub optional_data: String,
}

/// Parses a TD3 machine readable zone given as its two lines, with messages in Spanish at the
/// path `""`.
///
/// Returns every problem found when the zone is not valid: wrong number of lines or line length,
/// characters other than `A`–`Z`, `0`–`9` and `<`, a failing check digit (each has its own
/// code), a date that does not exist, and malformed codes or names. Surrounding white space of
/// each line is ignored.
///
/// ```
/// use siproc_core::document::parse_mrz;
/// let mrz = parse_mrz(&[
///     "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
///     "L898902C36UTO7408122F1204159ZE184226B<<<<<10",
/// ])
/// .unwrap();
/// assert_eq!(mrz.document_number, "L898902C3");
/// assert_eq!(mrz.given_names, "ANNA MARIA");
/// ```
pub fn parse_mrz(lines: &[&str]) -> Result<Mrz, Vec<Issue>> {
    parse_mrz_at(lines, &Pointer::root(), Locale::Es)
}

/// Like [`parse_mrz`], reporting issues at `path` with messages in `locale`.
pub fn parse_mrz_at(lines: &[&str], path: &Pointer, locale: Locale) -> Result<Mrz, Vec<Issue>> {
    let mut sink = Sink::new(path, locale);
    let (a, b) = match lines {
        [a, b] => (line(a, &mut sink), line(b, &mut sink)),
        _ => {
            sink.push("mrz.bad_line_count");
            return Err(sink.issues);
        }
    };
    match (a, b) {
        (Some(a), Some(b)) if sink.is_empty() => match validate(&a, &b, &mut sink) {
            // Warnings (an expiry before the birth) are check_document's to report.
            Some(dates) if !sink.has_errors() => Ok(fields(&a, &b, dates)),
            _ => Err(sink.issues),
        },
        _ => Err(sink.issues),
    }
}

/// What reading a machine readable zone gives every face: `{ok, issues, mrz}`, with `mrz` only
/// when the zone is valid.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MrzReport {
    /// `true` when no issue is an error.
    pub ok: bool,
    /// Every problem found.
    pub issues: Vec<Issue>,
    /// The fields, when the zone is valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mrz: Option<Mrz>,
}

impl MrzReport {
    /// The report without the fields.
    pub fn report(&self) -> Report {
        Report::from_issues(self.issues.clone())
    }
}

/// Reads a machine readable zone as [`parse_mrz_at`] does (issues at the root), as one report.
pub fn read_mrz(lines: &[&str], locale: Locale) -> MrzReport {
    match parse_mrz_at(lines, &Pointer::root(), locale) {
        Ok(mrz) => MrzReport {
            ok: true,
            issues: Vec::new(),
            mrz: Some(mrz),
        },
        Err(issues) => MrzReport {
            ok: Report::from_issues(issues.clone()).ok,
            issues,
            mrz: None,
        },
    }
}

/// `check_document` for `mrz_td3`: the two lines separated by a line break, or one string of 88
/// characters.
pub(super) fn check(value: &str, sink: &mut Sink<'_>) {
    let Some((a, b)) = split(value, sink) else {
        return;
    };
    if let (Some(a), Some(b)) = (line(a, sink), line(b, sink))
        && sink.is_empty()
    {
        validate(&a, &b, sink);
    }
}

/// The canonical form: the two lines joined by `\n`, when both are 44 characters of the MRZ
/// character set (check digits are not verified).
pub(super) fn normalize(value: &str) -> Option<String> {
    let root = Pointer::root();
    let mut sink = Sink::new(&root, Locale::Es);
    let (a, b) = split(value, &mut sink)?;
    let (a, b) = (line(a, &mut sink)?, line(b, &mut sink)?);
    if !sink.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(2 * LINE + 1);
    out.extend(a.iter().map(|&c| char::from(c)));
    out.push('\n');
    out.extend(b.iter().map(|&c| char::from(c)));
    Some(out)
}

/// Splits a single value into its two lines, reporting emptiness, length and line count.
fn split<'v>(value: &'v str, sink: &mut Sink<'_>) -> Option<(&'v str, &'v str)> {
    if value.len() > MAX_VALUE_BYTES {
        sink.push("mrz.bad_length");
        return None;
    }
    let value = value.trim();
    if value.is_empty() {
        sink.push("document.empty");
        return None;
    }
    if value.contains('\n') {
        let mut lines = value.lines();
        return match (lines.next(), lines.next(), lines.next()) {
            (Some(a), Some(b), None) => Some((a, b)),
            _ => {
                sink.push("mrz.bad_line_count");
                None
            }
        };
    }
    match value.chars().count() {
        n if n == 2 * LINE => match (value.get(..LINE), value.get(LINE..)) {
            (Some(a), Some(b)) => Some((a, b)),
            // A multi-byte character straddles the middle: the characters are wrong anyway.
            _ => {
                sink.push("mrz.bad_characters");
                None
            }
        },
        n if n == LINE => {
            sink.push("mrz.bad_line_count");
            None
        }
        _ => {
            sink.push("mrz.bad_length");
            None
        }
    }
}

/// Checks one line's characters and length and copies it into a fixed buffer.
fn line(text: &str, sink: &mut Sink<'_>) -> Option<[u8; LINE]> {
    if text.len() > MAX_LINE_BYTES {
        push_once(sink, "mrz.bad_length");
        return None;
    }
    let text = text.trim();
    let mut buf = [b'<'; LINE];
    let mut count = 0usize;
    let mut bad = false;
    for c in text.chars() {
        if matches!(c, 'A'..='Z' | '0'..='9' | '<') {
            if let Some(slot) = buf.get_mut(count) {
                *slot = c as u8;
            }
        } else {
            bad = true;
        }
        count += 1;
    }
    if bad {
        push_once(sink, "mrz.bad_characters");
    }
    if count != LINE {
        push_once(sink, "mrz.bad_length");
    }
    (!bad && count == LINE).then_some(buf)
}

/// Records `code` unless it already was (both lines may have the same problem).
fn push_once(sink: &mut Sink<'_>, code: &str) {
    if !sink.issues.iter().any(|i| i.code == code) {
        sink.push(code);
    }
}

/// The value of an MRZ character for check digits.
fn value(c: u8) -> u32 {
    match c {
        b'0'..=b'9' => u32::from(c - b'0'),
        b'A'..=b'Z' => u32::from(c - b'A') + 10,
        _ => 0,
    }
}

/// The ICAO 9303 check digit of `chars` (weights 7, 3, 1 repeating).
fn check_digit<'c>(chars: impl IntoIterator<Item = &'c u8>) -> u32 {
    chars
        .into_iter()
        .zip([7u32, 3, 1].into_iter().cycle())
        .map(|(&c, w)| value(c) * w)
        .sum::<u32>()
        % 10
}

/// Whether the check digit written at `at` matches the field.
fn check_ok(field: &[u8], at: Option<&u8>, filler_allowed: bool) -> bool {
    let expected = check_digit(field);
    match at {
        Some(&b'<') => filler_allowed && expected == 0 && field.iter().all(|&c| c == b'<'),
        Some(&c) if c.is_ascii_digit() => u32::from(c - b'0') == expected,
        _ => false,
    }
}

/// A three-letter state code: a letter, then letters or trailing fillers.
fn state_code_ok(code: &[u8]) -> bool {
    let mut filler = false;
    code.len() == 3
        && code.iter().enumerate().all(|(i, &c)| match c {
            b'A'..=b'Z' if !filler => true,
            b'<' if i > 0 => {
                filler = true;
                true
            }
            _ => false,
        })
}

/// `YYMMDD` as (yy, mm, dd), or `None` if not digits.
fn yymmdd(raw: &[u8]) -> Option<(i32, u32, u32)> {
    let n = |r: std::ops::Range<usize>| raw.get(r).and_then(super::number);
    Some((i32::try_from(n(0..2)?).ok()?, n(2..4)?, n(4..6)?))
}

fn today() -> NaiveDate {
    chrono::Utc::now().date_naive()
}

/// The birth date: the latest real date with these digits that is not in the future.
fn birth_date(raw: &[u8], today: NaiveDate) -> Option<NaiveDate> {
    let (yy, mm, dd) = yymmdd(raw)?;
    [2000 + yy, 1900 + yy]
        .into_iter()
        .filter_map(|y| NaiveDate::from_ymd_opt(y, mm, dd))
        .find(|d| *d <= today)
}

/// The expiry date: in 2000–2099 unless that is more than 50 years ahead.
fn expiry_date(raw: &[u8], today: NaiveDate) -> Option<NaiveDate> {
    let (yy, mm, dd) = yymmdd(raw)?;
    let year = if 2000 + yy > today.year() + 50 {
        1900 + yy
    } else {
        2000 + yy
    };
    NaiveDate::from_ymd_opt(year, mm, dd)
}

/// The characters of `line` in `range` (the ranges used are constants within the line; `get`
/// keeps this free of panics regardless).
fn get(line: &[u8; LINE], range: std::ops::Range<usize>) -> &[u8] {
    line.get(range).unwrap_or_default()
}

/// The resolved dates of a valid zone.
struct Dates {
    birth: NaiveDate,
    expiry: NaiveDate,
}

/// Applies every field rule to two well-formed lines.
fn validate(a: &[u8; LINE], b: &[u8; LINE], sink: &mut Sink<'_>) -> Option<Dates> {
    if a.first() != Some(&b'P') {
        sink.push("mrz.bad_document_type");
    }
    if !state_code_ok(get(a, 2..5)) {
        sink.push("mrz.bad_issuing_state");
    }
    let name = get(a, 5..LINE);
    let name_ok = name.first().is_some_and(u8::is_ascii_uppercase)
        && name.iter().all(|&c| c == b'<' || c.is_ascii_uppercase());
    if !name_ok {
        sink.push("mrz.bad_name");
    }

    if !check_ok(get(b, 0..9), b.get(9), false) {
        sink.push("mrz.bad_document_check");
    }
    if !state_code_ok(get(b, 10..13)) {
        sink.push("mrz.bad_nationality");
    }
    let today = today();
    let birth = birth_date(get(b, 13..19), today);
    if birth.is_none() {
        sink.push("mrz.bad_birth_date");
    }
    if !check_ok(get(b, 13..19), b.get(19), false) {
        sink.push("mrz.bad_birth_date_check");
    }
    if !matches!(b.get(20), Some(b'M' | b'F' | b'X' | b'<')) {
        sink.push("mrz.bad_sex");
    }
    let expiry = expiry_date(get(b, 21..27), today);
    if expiry.is_none() {
        sink.push("mrz.bad_expiry_date");
    }
    if !check_ok(get(b, 21..27), b.get(27), false) {
        sink.push("mrz.bad_expiry_date_check");
    }
    if !check_ok(get(b, 28..42), b.get(42), true) {
        sink.push("mrz.bad_optional_data_check");
    }
    let composite = get(b, 0..10)
        .iter()
        .chain(get(b, 13..20))
        .chain(get(b, 21..43));
    let composite_ok = match b.get(43) {
        Some(&c) if c.is_ascii_digit() => u32::from(c - b'0') == check_digit(composite),
        _ => false,
    };
    if !composite_ok {
        sink.push("mrz.bad_composite_check");
    }
    let (birth, expiry) = (birth?, expiry?);
    if expiry < birth {
        // Implausible rather than impossible (a misread or mistyped date): a warning, as other
        // MRZ readers give.
        sink.push("mrz.expiry_before_birth");
    }
    Some(Dates { birth, expiry })
}

/// Text of a field with fillers removed: `<` between words becomes one space.
fn words(field: &[u8]) -> String {
    let mut out = String::with_capacity(field.len());
    for word in field.split(|&c| c == b'<').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(word.iter().map(|&c| char::from(c)));
    }
    out
}

fn raw(field: &[u8]) -> String {
    field.iter().map(|&c| char::from(c)).collect()
}

/// The fields of a zone that passed [`validate`].
fn fields(a: &[u8; LINE], b: &[u8; LINE], dates: Dates) -> Mrz {
    let name = get(a, 5..LINE);
    let (surnames, given_names) = match name.windows(2).position(|w| w == b"<<") {
        Some(i) => (
            name.get(..i).unwrap_or_default(),
            name.get(i + 2..).unwrap_or_default(),
        ),
        None => (name, &[][..]),
    };
    Mrz {
        document_type: words(get(a, 0..2)),
        issuing_state: words(get(a, 2..5)),
        surnames: words(surnames),
        given_names: words(given_names),
        document_number: words(get(b, 0..9)),
        nationality: words(get(b, 10..13)),
        birth_date_raw: raw(get(b, 13..19)),
        birth_date: dates.birth,
        sex: match b.get(20) {
            Some(b'F') => MrzSex::Female,
            Some(b'M') => MrzSex::Male,
            _ => MrzSex::Unspecified,
        },
        expiry_date_raw: raw(get(b, 21..27)),
        expiry_date: dates.expiry,
        optional_data: words(get(b, 28..42)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentKind, check_document, normalize_document};
    use super::*;

    const L1: &str = "P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<";
    const L2: &str = "L898902C36UTO7408122F1204159ZE184226B<<<<<10";

    // An invented Honduran passport holder; check digits computed in
    // `check_digits_computed_by_hand`.
    const HN1: &str = "P<HNDMARTINEZ<LOPEZ<<JOSE<LUIS<<<<<<<<<<<<<<";
    const HN2: &str = "E1234567<4HND9002281M3107151<<<<<<<<<<<<<<06";

    fn codes(lines: &[&str]) -> Vec<String> {
        match parse_mrz(lines) {
            Ok(_) => Vec::new(),
            Err(issues) => issues.into_iter().map(|i| i.code).collect(),
        }
    }

    /// Replaces the character at `i` of `line`.
    fn with(line: &str, i: usize, c: char) -> String {
        line.chars()
            .enumerate()
            .map(|(j, d)| if j == i { c } else { d })
            .collect()
    }

    #[test]
    fn check_digits_computed_by_hand() {
        // ICAO 9303 part 3's worked example: 520727 → 5·7 + 2·3 + 0·1 + 7·7 + 2·3 + 7·1 = 103 → 3.
        assert_eq!(check_digit(b"520727"), 3);
        // The specimen's document number L898902C3: L=21.
        // 21·7 + 8·3 + 9·1 + 8·7 + 9·3 + 0·1 + 2·7 + 12·3 + 3·1 = 316 → 6.
        assert_eq!(check_digit(b"L898902C3"), 6);
        // 740812: 7·7 + 4·3 + 0·1 + 8·7 + 1·3 + 2·1 = 49 + 12 + 0 + 56 + 3 + 2 = 122 → 2.
        assert_eq!(check_digit(b"740812"), 2);
        // 120415: 7 + 6 + 0 + 28 + 3 + 5 = 49 → 9.
        assert_eq!(check_digit(b"120415"), 9);
        // ZE184226B<<<<<: Z=35, E=14, B=11.
        // 245 + 42 + 1 + 56 + 12 + 2 + 14 + 18 + 11 = 401 → 1.
        assert_eq!(check_digit(b"ZE184226B<<<<<"), 1);
        // Invented (HN2): E1234567< → 14·7 + 1·3 + 2·1 + 3·7 + 4·3 + 5·1 + 6·7 + 7·3 + 0·1
        // = 204 → 4.
        assert_eq!(check_digit(b"E1234567<"), 4);
        // 900228: 63 + 0 + 0 + 14 + 6 + 8 = 91 → 1. 310715: 21 + 3 + 0 + 49 + 3 + 5 = 81 → 1.
        assert_eq!(check_digit(b"900228"), 1);
        assert_eq!(check_digit(b"310715"), 1);
        // Composite over E1234567<4 9002281 3107151<<<<<<<<<<<<<<0, weights continuing across
        // the pieces: 232 + 94 + 40 + 0 = 366 → 6.
        assert_eq!(check_digit(b"E1234567<490022813107151<<<<<<<<<<<<<<0"), 6);
    }

    #[test]
    fn the_icao_specimen_is_valid() {
        let mrz = parse_mrz(&[L1, L2]).unwrap();
        assert_eq!(mrz.document_type, "P");
        assert_eq!(mrz.issuing_state, "UTO");
        assert_eq!(mrz.surnames, "ERIKSSON");
        assert_eq!(mrz.given_names, "ANNA MARIA");
        assert_eq!(mrz.document_number, "L898902C3");
        assert_eq!(mrz.nationality, "UTO");
        assert_eq!(mrz.birth_date_raw, "740812");
        assert_eq!(
            mrz.birth_date,
            NaiveDate::from_ymd_opt(1974, 8, 12).unwrap()
        );
        assert_eq!(mrz.sex, MrzSex::Female);
        assert_eq!(mrz.expiry_date_raw, "120415");
        assert_eq!(
            mrz.expiry_date,
            NaiveDate::from_ymd_opt(2012, 4, 15).unwrap()
        );
        assert_eq!(mrz.optional_data, "ZE184226B");
        let json = serde_json::to_value(&mrz).unwrap();
        assert_eq!(json["birth_date"], "1974-08-12");
        assert_eq!(json["sex"], "female");
    }

    #[test]
    fn an_invented_honduran_passport() {
        let mrz = parse_mrz(&[HN1, HN2]).unwrap();
        assert_eq!(mrz.issuing_state, "HND");
        assert_eq!(mrz.surnames, "MARTINEZ LOPEZ");
        assert_eq!(mrz.given_names, "JOSE LUIS");
        assert_eq!(mrz.document_number, "E1234567");
        assert_eq!(
            mrz.birth_date,
            NaiveDate::from_ymd_opt(1990, 2, 28).unwrap()
        );
        assert_eq!(
            mrz.expiry_date,
            NaiveDate::from_ymd_opt(2031, 7, 15).unwrap()
        );
        assert_eq!(mrz.sex, MrzSex::Male);
        assert_eq!(mrz.optional_data, "");
        // The optional data's check digit may be `<` when the field is all fillers.
        assert!(codes(&[HN1, &with(HN2, 42, '<')]).is_empty());
        assert_eq!(
            codes(&[HN1, &with(HN2, 9, '0')]),
            ["mrz.bad_document_check", "mrz.bad_composite_check"]
        );
    }

    #[test]
    fn each_check_digit_has_its_code() {
        let cases = [
            (
                9,
                '7',
                vec!["mrz.bad_document_check", "mrz.bad_composite_check"],
            ),
            (
                19,
                '3',
                vec!["mrz.bad_birth_date_check", "mrz.bad_composite_check"],
            ),
            (
                27,
                '8',
                vec!["mrz.bad_expiry_date_check", "mrz.bad_composite_check"],
            ),
            (
                42,
                '2',
                vec!["mrz.bad_optional_data_check", "mrz.bad_composite_check"],
            ),
            (43, '1', vec!["mrz.bad_composite_check"]),
        ];
        for (i, c, expected) in cases {
            assert_eq!(codes(&[L1, &with(L2, i, c)]), expected, "position {i}");
        }
    }

    #[test]
    fn field_rules() {
        assert_eq!(codes(&[&with(L1, 0, 'V'), L2]), ["mrz.bad_document_type"]);
        assert_eq!(codes(&[&with(L1, 2, '1'), L2]), ["mrz.bad_issuing_state"]);
        assert_eq!(codes(&[&with(L1, 5, '<'), L2]), ["mrz.bad_name"]);
        assert_eq!(codes(&[&with(L1, 9, '5'), L2]), ["mrz.bad_name"]);
        assert_eq!(codes(&[L1, &with(L2, 11, '<')]), ["mrz.bad_nationality"]);
        assert_eq!(codes(&[L1, &with(L2, 20, 'W')]), ["mrz.bad_sex"]);
        // 740832 is not a date (and no longer matches its check digit).
        assert_eq!(
            codes(&[L1, &with(L2, 17, '3')]),
            [
                "mrz.bad_birth_date",
                "mrz.bad_birth_date_check",
                "mrz.bad_composite_check"
            ]
        );
        assert_eq!(
            codes(&[L1, &with(L2, 23, '1')]),
            [
                "mrz.bad_expiry_date",
                "mrz.bad_expiry_date_check",
                "mrz.bad_composite_check"
            ]
        );
    }

    #[test]
    fn shape_rules() {
        assert_eq!(codes(&[L1]), ["mrz.bad_line_count"]);
        assert_eq!(codes(&[L1, L2, L2]), ["mrz.bad_line_count"]);
        assert_eq!(codes(&[]), ["mrz.bad_line_count"]);
        assert_eq!(codes(&[&L1[..43], L2]), ["mrz.bad_length"]);
        assert_eq!(codes(&[&L1[..43], &L2[..40]]), ["mrz.bad_length"]);
        let lower = L1.to_ascii_lowercase();
        assert_eq!(codes(&[&lower, L2]), ["mrz.bad_characters"]);
        assert_eq!(
            codes(&[&format!("{L1}é"), L2]),
            ["mrz.bad_characters", "mrz.bad_length"]
        );
        assert_eq!(codes(&[&"<".repeat(10_000), L2]), ["mrz.bad_length"]);
        // Surrounding white space is ignored.
        assert!(codes(&[&format!("  {L1}\r"), L2]).is_empty());
    }

    #[test]
    fn check_document_accepts_one_or_two_line_values() {
        let c = |v: &str| -> Vec<String> {
            check_document("mrz_td3", v)
                .into_iter()
                .map(|i| i.code)
                .collect()
        };
        assert!(c(&format!("{L1}\n{L2}")).is_empty());
        assert!(c(&format!("{L1}\r\n{L2}\n")).is_empty());
        assert!(c(&format!("{L1}{L2}")).is_empty());
        assert_eq!(c(L1), ["mrz.bad_line_count"]);
        assert_eq!(c(&format!("{L1}\n{L2}\nP<")), ["mrz.bad_line_count"]);
        assert_eq!(c(&format!("{L1}\n{L2}\n{L2}")), ["mrz.bad_length"]); // over the cap
        assert_eq!(c(&format!("{L1}{L2}<")), ["mrz.bad_length"]);
        assert_eq!(
            c(&format!("{L1}\n{}", with(L2, 43, '1'))),
            ["mrz.bad_composite_check"]
        );
        assert_eq!(c(&format!("{}{L2}", &L1[..43])), ["mrz.bad_length"]);
    }

    #[test]
    fn normalisation() {
        let n = |v: &str| normalize_document(DocumentKind::MrzTd3, v);
        let canonical = format!("{L1}\n{L2}");
        assert_eq!(n(&format!("{L1}{L2}")), Some(canonical.clone()));
        assert_eq!(n(&format!(" {L1}\r\n{L2} ")), Some(canonical.clone()));
        assert_eq!(n(&canonical), Some(canonical.clone()));
        assert_eq!(n(L1), None);
        assert_eq!(n(&canonical.to_ascii_lowercase()), None);
    }

    #[test]
    fn state_codes() {
        assert!(state_code_ok(b"HND"));
        assert!(state_code_ok(b"D<<"));
        assert!(!state_code_ok(b"<HN"));
        assert!(!state_code_ok(b"H<N"));
        assert!(!state_code_ok(b"HN1"));
    }

    #[test]
    fn centuries() {
        let today = NaiveDate::from_ymd_opt(2025, 6, 1).unwrap();
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        assert_eq!(birth_date(b"250531", today), Some(d(2025, 5, 31)));
        assert_eq!(birth_date(b"250602", today), Some(d(1925, 6, 2)));
        assert_eq!(birth_date(b"000229", today), Some(d(2000, 2, 29)));
        assert_eq!(birth_date(b"990231", today), None);
        assert_eq!(expiry_date(b"350101", today), Some(d(2035, 1, 1)));
        assert_eq!(expiry_date(b"990101", today), Some(d(1999, 1, 1)));
    }
}
