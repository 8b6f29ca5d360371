//! El Salvador: Documento Único de Identidad (DUI).
//!
//! 9 digits written `NNNNNNNN-C`: an 8-digit number and a check digit
//! `C = (10 − Σ d_i·(9 − i) mod 10) mod 10` over the 8 digits (`i` from 0, so the weights are
//! 9, 8, …, 2).

use super::{Alphabet, Prefix, Sink, compact_exact, scan_exact};

const LEN: usize = 9;

const PREFIX: Prefix = Prefix {
    bad_length: "dui.bad_length",
    bad_characters: "dui.bad_characters",
};

/// The check digit of the first 8 digits.
fn check_digit(d: &[u8; LEN]) -> u32 {
    let sum: u32 = d
        .iter()
        .take(8)
        .zip((2..=9u32).rev())
        .map(|(&b, w)| u32::from(b.wrapping_sub(b'0')) * w)
        .sum();
    (10 - sum % 10) % 10
}

pub(super) fn check(value: &str, sink: &mut Sink<'_>) {
    let Some(d) = scan_exact::<LEN>(value, Alphabet::Digits, PREFIX, sink) else {
        return;
    };
    let found = d.get(8).and_then(|&b| super::digit(b));
    if found != Some(check_digit(&d)) {
        sink.push("dui.bad_check_digit");
    }
}

pub(super) fn normalize(value: &str) -> Option<String> {
    let d = compact_exact::<LEN>(value, Alphabet::Digits)?;
    let mut out = String::with_capacity(LEN + 1);
    for (i, &b) in d.iter().enumerate() {
        if i == 8 {
            out.push('-');
        }
        out.push(char::from(b));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentKind, check_document, normalize_document};
    use super::*;

    fn codes(value: &str) -> Vec<String> {
        check_document("sv_dui", value)
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    fn digits(s: &str) -> [u8; LEN] {
        compact_exact::<LEN>(s, Alphabet::Digits).unwrap()
    }

    #[test]
    fn check_digits_computed_by_hand() {
        // 0·9 + 1·8 + 2·7 + 3·6 + 4·5 + 5·4 + 6·3 + 7·2 = 112; (10 − 2) mod 10 = 8.
        assert_eq!(check_digit(&digits("012345678")), 8);
        // 0·9 + 4·8 + 8·7 + 1·6 + 5·5 + 1·4 + 6·3 + 2·2 = 145; (10 − 5) mod 10 = 5.
        assert_eq!(check_digit(&digits("048151625")), 5);
        // 9·9 + 8·8 + 7·7 + 6·6 + 5·5 + 4·4 + 3·3 + 2·2 = 284; (10 − 4) mod 10 = 6.
        assert_eq!(check_digit(&digits("987654326")), 6);
        // 1·9 + 0·8 + … + 0·2 = 9; (10 − 9) mod 10 = 1.
        assert_eq!(check_digit(&digits("100000001")), 1);
        // A sum ending in 0 gives 0: 2·3 + 2·2 = 10; (10 − 0) mod 10 = 0.
        assert_eq!(check_digit(&digits("000000220")), 0);
    }

    #[test]
    fn valid_duis() {
        for v in [
            "01234567-8",
            "012345678",
            "04815162-5",
            "98765432 6",
            "00000022-0",
        ] {
            assert!(codes(v).is_empty(), "{v}: {:?}", codes(v));
        }
    }

    #[test]
    fn invalid_duis() {
        assert_eq!(codes("01234567-9"), ["dui.bad_check_digit"]);
        assert_eq!(codes("01234576-8"), ["dui.bad_check_digit"]); // transposition
        assert_eq!(codes("1234567-8"), ["dui.bad_length"]);
        assert_eq!(codes("01234567-89"), ["dui.bad_length"]);
        assert_eq!(codes("0123456A-8"), ["dui.bad_characters"]);
    }

    #[test]
    fn normalisation() {
        let n = |v| normalize_document(DocumentKind::SvDui, v);
        assert_eq!(n("012345678").as_deref(), Some("01234567-8"));
        assert_eq!(n("01234567-8").as_deref(), Some("01234567-8"));
        assert_eq!(n("0123 4567 8").as_deref(), Some("01234567-8"));
        assert_eq!(n("01234567"), None);
    }
}
