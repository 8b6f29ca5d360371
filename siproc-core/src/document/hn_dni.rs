//! Honduras: Documento Nacional de Identificación (DNI), formerly Tarjeta de Identidad.
//!
//! 13 digits written `DDMM-YYYY-NNNNN`: `DD` the department (01–18) and `MM` the municipality
//! (01 up to the department's count, from `data/documents/hn_departments.json`) where the birth
//! was registered, `YYYY` the year it was registered (usually, not always, the birth year) and
//! `NNNNN` a sequence number. There is no check digit, so a typing error that keeps the place
//! and year plausible cannot be detected.

use std::sync::OnceLock;

use chrono::Datelike;

use super::{Alphabet, PlaceProblem, Prefix, Sink, check_place, compact_exact, number, scan_exact};

const LEN: usize = 13;

const PREFIX: Prefix = Prefix {
    bad_length: "dni.bad_length",
    bad_characters: "dni.bad_characters",
};

/// The earliest registration year accepted.
const FIRST_YEAR: i32 = 1900;

fn departments() -> &'static [u32] {
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        super::load_departments(include_str!("../../data/documents/hn_departments.json"))
    })
}

fn current_year() -> i32 {
    chrono::Utc::now().year()
}

/// The fields of a DNI.
struct Fields {
    department: u32,
    municipality: u32,
    year: u32,
    sequence: u32,
}

fn fields(d: &[u8; LEN]) -> Option<Fields> {
    Some(Fields {
        department: number(d.get(0..2)?)?,
        municipality: number(d.get(2..4)?)?,
        year: number(d.get(4..8)?)?,
        sequence: number(d.get(8..13)?)?,
    })
}

fn plausible_year(year: u32) -> Option<i32> {
    let year = i32::try_from(year).ok()?;
    (FIRST_YEAR..=current_year())
        .contains(&year)
        .then_some(year)
}

pub(super) fn check(value: &str, sink: &mut Sink<'_>) {
    let Some(digits) = scan_exact::<LEN>(value, Alphabet::Digits, PREFIX, sink) else {
        return;
    };
    let Some(f) = fields(&digits) else {
        return;
    };
    match check_place(departments(), f.department, f.municipality) {
        Some(PlaceProblem::Department) => sink.push("dni.bad_department"),
        Some(PlaceProblem::Municipality) => sink.push("dni.bad_municipality"),
        None => {}
    }
    if plausible_year(f.year).is_none() {
        sink.push("dni.bad_year");
    }
    if f.sequence == 0 {
        sink.push("dni.bad_sequence");
    }
}

pub(super) fn normalize(value: &str) -> Option<String> {
    let d = compact_exact::<LEN>(value, Alphabet::Digits)?;
    let mut out = String::with_capacity(LEN + 2);
    for (i, &b) in d.iter().enumerate() {
        if i == 4 || i == 8 {
            out.push('-');
        }
        out.push(char::from(b));
    }
    Some(out)
}

/// The year a Honduran DNI says the birth was registered (digits 5–8), for comparing with the
/// person's birth date.
///
/// `None` when `value` is not 13 digits (separators allowed) or the year is not plausible (before
/// 1900 or after the current year): those are reported by `check_document` as `dni.bad_length`,
/// `dni.bad_characters` or `dni.bad_year`. The registration year is usually the birth year but
/// may be later (late registrations), so a difference is a warning, not an error.
///
/// ```
/// use siproc_core::document::dni_registration_year;
/// assert_eq!(dni_registration_year("0801-1990-12345"), Some(1990));
/// assert_eq!(dni_registration_year("0801-1990"), None);
/// ```
pub fn dni_registration_year(value: &str) -> Option<i32> {
    let d = compact_exact::<LEN>(value, Alphabet::Digits)?;
    plausible_year(fields(&d)?.year)
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentKind, check_document, normalize_document};
    use super::*;

    fn codes(value: &str) -> Vec<String> {
        check_document("hn_dni", value)
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    #[test]
    fn the_department_table_matches_the_domain_counts() {
        assert_eq!(
            departments(),
            [
                8, 10, 21, 23, 12, 16, 19, 28, 6, 17, 4, 19, 28, 16, 23, 28, 9, 11
            ]
        );
        assert_eq!(departments().iter().sum::<u32>(), 298);
    }

    #[test]
    fn valid_numbers_in_any_writing() {
        for v in [
            "0801-1990-12345",
            "0801199012345",
            "0801 1990 12345",
            "0801.1990.12345",
            " 0801 – 1990 – 12345 ",
            "0108-2001-00001", // Atlántida has 8 municipalities
            "1811-1955-99999", // Yoro has 11
            "1104-2010-00420", // Islas de la Bahía has 4
        ] {
            assert!(codes(v).is_empty(), "{v}: {:?}", codes(v));
        }
    }

    #[test]
    fn shape_errors() {
        assert_eq!(codes("0801-1990-1234"), ["dni.bad_length"]);
        assert_eq!(codes("0801-1990-123456"), ["dni.bad_length"]);
        assert_eq!(codes("0801-1990-1234A"), ["dni.bad_characters"]);
        assert_eq!(
            codes("0801/1990/12345"),
            ["dni.bad_characters", "dni.bad_length"]
        );
        assert_eq!(codes("0801-1990-1234٥"), ["dni.bad_characters"]); // Arabic-Indic five
    }

    #[test]
    fn place_errors() {
        assert_eq!(codes("0001-1990-12345"), ["dni.bad_department"]);
        assert_eq!(codes("1901-1990-12345"), ["dni.bad_department"]);
        assert_eq!(codes("0800-1990-12345"), ["dni.bad_municipality"]);
        assert_eq!(codes("0829-1990-12345"), ["dni.bad_municipality"]);
        assert_eq!(codes("1105-1990-12345"), ["dni.bad_municipality"]);
        assert!(codes("0828-1990-12345").is_empty());
    }

    #[test]
    fn year_and_sequence_errors() {
        assert_eq!(codes("0801-1899-12345"), ["dni.bad_year"]);
        let next = current_year() + 1;
        assert_eq!(codes(&format!("0801-{next}-12345")), ["dni.bad_year"]);
        assert!(codes(&format!("0801-{}-12345", current_year())).is_empty());
        assert_eq!(codes("0801-1990-00000"), ["dni.bad_sequence"]);
        assert_eq!(
            codes("2000-0000-00000"),
            ["dni.bad_department", "dni.bad_year", "dni.bad_sequence"]
        );
    }

    #[test]
    fn normalisation() {
        let n = |v| normalize_document(DocumentKind::HnDni, v);
        assert_eq!(n("0801199012345").as_deref(), Some("0801-1990-12345"));
        assert_eq!(n(" 0801 1990 12345").as_deref(), Some("0801-1990-12345"));
        assert_eq!(n("0801-1990-12345").as_deref(), Some("0801-1990-12345"));
        // Shape only: an unknown department still normalises.
        assert_eq!(n("9901199012345").as_deref(), Some("9901-1990-12345"));
        assert_eq!(n("0801-1990-1234"), None);
        assert_eq!(n("0801-1990-1234X"), None);
    }

    #[test]
    fn registration_year() {
        assert_eq!(dni_registration_year("0801-1990-12345"), Some(1990));
        assert_eq!(dni_registration_year("0801 2003 00017"), Some(2003));
        assert_eq!(dni_registration_year("0801-1899-12345"), None);
        assert_eq!(dni_registration_year("0801-1990-1234"), None);
        assert_eq!(dni_registration_year(""), None);
    }
}
