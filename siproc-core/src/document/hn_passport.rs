//! Honduras: passport number.
//!
//! A letter then 7 to 9 digits (`E1234567`). The format has varied between series and is not
//! published as a rule, so this is a low-confidence check: a number that fails it is an error
//! (it cannot be a Honduran passport number as issued today), but a number that passes it may
//! still be wrong. The reliable check of a passport is its machine readable zone, whose check
//! digits cover the number: see [`DocumentKind::MrzTd3`](super::DocumentKind::MrzTd3).
//! Lowercase letters are accepted and folded to uppercase.

use super::{Alphabet, Compact, Scan, Sink, ascii_string};

const MIN_LEN: usize = 8;
const MAX_LEN: usize = 10;

/// The number when it has the right shape.
fn shape(c: &Compact<MAX_LEN>) -> Option<&[u8]> {
    if c.bad_characters || !(MIN_LEN..=MAX_LEN).contains(&c.count) {
        return None;
    }
    let chars = c.buf.get(..c.count)?;
    let (first, rest) = chars.split_first()?;
    (first.is_ascii_uppercase() && rest.iter().all(u8::is_ascii_digit)).then_some(chars)
}

pub(super) fn check(value: &str, sink: &mut Sink<'_>) {
    let c = match Compact::<MAX_LEN>::scan(value, Alphabet::Alphanumeric) {
        Scan::Empty => return sink.push("document.empty"),
        Scan::TooLong => return sink.push("passport.bad_length"),
        Scan::Chars(c) => c,
    };
    if c.bad_characters {
        sink.push("passport.bad_characters");
    }
    if !(MIN_LEN..=MAX_LEN).contains(&c.count) {
        sink.push("passport.bad_length");
    }
    if sink.is_empty() && shape(&c).is_none() {
        sink.push("passport.bad_format");
    }
}

pub(super) fn normalize(value: &str) -> Option<String> {
    match Compact::<MAX_LEN>::scan(value, Alphabet::Alphanumeric) {
        Scan::Chars(c) => shape(&c).map(ascii_string),
        Scan::Empty | Scan::TooLong => None,
    }
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentKind, check_document, normalize_document};

    fn codes(value: &str) -> Vec<String> {
        check_document("hn_passport", value)
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    #[test]
    fn valid_numbers() {
        for v in [
            "E1234567",
            "e1234567",
            "F 123 456 78",
            "C123456789",
            "G-0012345",
        ] {
            assert!(codes(v).is_empty(), "{v}: {:?}", codes(v));
        }
    }

    #[test]
    fn invalid_numbers() {
        assert_eq!(codes("E123456"), ["passport.bad_length"]);
        assert_eq!(codes("E1234567890"), ["passport.bad_length"]);
        assert_eq!(codes("E12345#67"), ["passport.bad_characters"]);
        assert_eq!(codes("É1234567"), ["passport.bad_characters"]);
        assert_eq!(codes("12345678"), ["passport.bad_format"]);
        assert_eq!(codes("EA1234567"), ["passport.bad_format"]);
        assert_eq!(codes("E123456A"), ["passport.bad_format"]);
    }

    #[test]
    fn normalisation() {
        let n = |v| normalize_document(DocumentKind::HnPassport, v);
        assert_eq!(n("e 1234567").as_deref(), Some("E1234567"));
        assert_eq!(n("E1234567").as_deref(), Some("E1234567"));
        assert_eq!(n("E123456"), None);
        assert_eq!(n("1234567E"), None);
    }
}
