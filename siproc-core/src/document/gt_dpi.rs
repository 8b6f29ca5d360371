//! Guatemala: Documento Personal de Identificación (DPI), whose number is the Código Único de
//! Identificación (CUI).
//!
//! 13 digits, usually written `NNNN NNNNC DDMM`: an 8-digit number, a check digit `C`, the
//! department `DD` (01–22) and the municipality `MM` (01 up to the department's count, from
//! `data/documents/gt_departments.json`) where the person was registered.
//!
//! Check digit: `Σ d_i·(i + 2)` over the 8 digits (`i` from 0, so the weights are 2, 3, …, 9),
//! modulo 11. A remainder of 10 cannot be written as one digit: such a number is never issued,
//! whatever its ninth digit.

use std::sync::OnceLock;

use super::{
    Alphabet, PlaceProblem, Prefix, Sink, check_place, compact_exact, digit, number, scan_exact,
};

const LEN: usize = 13;

const PREFIX: Prefix = Prefix {
    bad_length: "dpi.bad_length",
    bad_characters: "dpi.bad_characters",
};

fn departments() -> &'static [u32] {
    static TABLE: OnceLock<Vec<u32>> = OnceLock::new();
    TABLE.get_or_init(|| {
        super::load_departments(include_str!("../../data/documents/gt_departments.json"))
    })
}

/// `Σ d_i·(i + 2) mod 11` over the first 8 digits: the check digit, or 10 (never valid).
fn remainder(d: &[u8; LEN]) -> u32 {
    let sum: u32 = d
        .iter()
        .take(8)
        .zip(2u32..)
        .map(|(&b, w)| u32::from(b.wrapping_sub(b'0')) * w)
        .sum();
    sum % 11
}

pub(super) fn check(value: &str, sink: &mut Sink<'_>) {
    let Some(d) = scan_exact::<LEN>(value, Alphabet::Digits, PREFIX, sink) else {
        return;
    };
    let found = d.get(8).and_then(|&b| digit(b));
    let expected = remainder(&d);
    if expected == 10 || found != Some(expected) {
        sink.push("dpi.bad_check_digit");
    }
    let department = d.get(9..11).and_then(number).unwrap_or(0);
    let municipality = d.get(11..13).and_then(number).unwrap_or(0);
    match check_place(departments(), department, municipality) {
        Some(PlaceProblem::Department) => sink.push("dpi.bad_department"),
        Some(PlaceProblem::Municipality) => sink.push("dpi.bad_municipality"),
        None => {}
    }
}

pub(super) fn normalize(value: &str) -> Option<String> {
    compact_exact::<LEN>(value, Alphabet::Digits).map(|d| super::ascii_string(&d))
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentKind, check_document, normalize_document};
    use super::*;

    fn codes(value: &str) -> Vec<String> {
        check_document("gt_dpi", value)
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    fn digits(s: &str) -> [u8; LEN] {
        compact_exact::<LEN>(s, Alphabet::Digits).unwrap()
    }

    #[test]
    fn the_department_table_matches_the_domain_counts() {
        assert_eq!(
            departments(),
            [
                17, 8, 16, 16, 13, 14, 19, 8, 24, 21, 9, 30, 32, 21, 8, 17, 14, 5, 11, 11, 7, 17
            ]
        );
    }

    #[test]
    fn check_digits_computed_by_hand() {
        // 1·2 + 2·3 + 3·4 + 4·5 + 5·6 + 6·7 + 7·8 + 8·9 = 240 = 21·11 + 9.
        assert_eq!(remainder(&digits("1234567890101")), 9);
        // 2·2 + 5·3 + 8·4 + 7·5 + 4·6 + 1·7 + 3·8 + 6·9 = 195 = 17·11 + 8.
        assert_eq!(remainder(&digits("2587413681332")), 8);
        // 4·8 = 32 = 2·11 + 10: no check digit can be right.
        assert_eq!(remainder(&digits("0000004000101")), 10);
    }

    #[test]
    fn valid_dpis() {
        for v in [
            "1234567890101",
            "1234 56789 0101",
            "2587 41368 1332", // Huehuetenango has 32 municipalities
            "2587-41368-2207", // Jalapa has 7
        ] {
            assert!(codes(v).is_empty(), "{v}: {:?}", codes(v));
        }
    }

    #[test]
    fn invalid_dpis() {
        assert_eq!(codes("1234567880101"), ["dpi.bad_check_digit"]);
        for c in '0'..='9' {
            let v = format!("00000040{c}0101");
            assert_eq!(codes(&v), ["dpi.bad_check_digit"], "{v}");
        }
        assert_eq!(codes("1234567892301"), ["dpi.bad_department"]);
        assert_eq!(codes("1234567890001"), ["dpi.bad_department"]);
        assert_eq!(codes("1234567890100"), ["dpi.bad_municipality"]);
        assert_eq!(codes("1234567892108"), ["dpi.bad_municipality"]);
        assert_eq!(codes("1234567891333"), ["dpi.bad_municipality"]);
        assert_eq!(
            codes("1234567809900"),
            ["dpi.bad_check_digit", "dpi.bad_department"]
        );
        assert_eq!(codes("123456789010"), ["dpi.bad_length"]);
        assert_eq!(codes("12345678901011"), ["dpi.bad_length"]);
        assert_eq!(codes("123456789010A"), ["dpi.bad_characters"]);
    }

    #[test]
    fn normalisation() {
        let n = |v| normalize_document(DocumentKind::GtDpi, v);
        assert_eq!(n("1234 56789 0101").as_deref(), Some("1234567890101"));
        assert_eq!(n("1234567890101").as_deref(), Some("1234567890101"));
        assert_eq!(n("1234 56789 010"), None);
    }
}
