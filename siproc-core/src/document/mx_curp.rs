//! Mexico: Clave Única de Registro de Población (CURP).
//!
//! 18 characters:
//!
//! | position (0-based) | content |
//! |---|---|
//! | 0–3   | initials: a letter, a vowel (or `X`), two letters (`[A-Z][AEIOUX][A-Z]{2}`) |
//! | 4–9   | birth date `YYMMDD` |
//! | 10    | sex: `H` (hombre), `M` (mujer), `X` (no binario) |
//! | 11–12 | state of birth (`data/documents/mx_states.json`: 32 states and `NE`, born abroad) |
//! | 13–15 | first internal consonants of the surnames and given name |
//! | 16    | homoclave: a digit for births up to 1999, a letter from 2000 (it gives the century) |
//! | 17    | check digit |
//!
//! Check digit: with values from the alphabet `0123456789ABCDEFGHIJKLMNÑOPQRSTUVWXYZ` (`0` is
//! 0, `A` is 10, `Ñ` is 24, `Z` is 36), `sum = Σ value(c_i)·(18 − i)` over the first 17
//! characters, and the digit is `(10 − sum mod 10) mod 10`.
//!
//! RENAPO never issues a CURP whose first four characters form one of its inconvenient words
//! (`data/documents/mx_curp_inconvenient_words.json`, from Anexo 2 of the CURP instructivo): it
//! writes `X` as the second character instead (`BXCA`, never `BACA`). Such a CURP is invalid
//! (`curp.inconvenient_word`), whatever its check digit says.
//!
//! Lowercase letters are accepted and folded to uppercase. `Ñ` is accepted as a character (it is
//! in the check-digit alphabet) but no position of a CURP issued today allows it: RENAPO writes
//! it as `X`, so it is reported by the rule of its position.

use std::sync::OnceLock;

use chrono::NaiveDate;
use serde::Deserialize;

use super::{Alphabet, ENYE, Prefix, Sink, ascii_string, compact_exact, number, scan_exact};

const LEN: usize = 18;

const PREFIX: Prefix = Prefix {
    bad_length: "curp.bad_length",
    bad_characters: "curp.bad_characters",
};

#[derive(Deserialize)]
struct StateFile {
    states: Vec<State>,
}

#[derive(Deserialize)]
struct State {
    code: String,
}

/// The state codes, as two-byte arrays. A broken data file (guarded by a unit test) gives an
/// empty table rather than a panic.
fn states() -> &'static [[u8; 2]] {
    static TABLE: OnceLock<Vec<[u8; 2]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str::<StateFile>(include_str!("../../data/documents/mx_states.json"))
            .map(|f| {
                f.states
                    .iter()
                    .filter_map(|s| <[u8; 2]>::try_from(s.code.as_bytes()).ok())
                    .collect()
            })
            .unwrap_or_default()
    })
}

#[derive(Deserialize)]
struct WordFile {
    words: Vec<String>,
}

/// RENAPO's inconvenient words, as four-byte arrays. A broken data file (guarded by a unit
/// test) gives an empty table rather than a panic.
fn inconvenient_words() -> &'static [[u8; 4]] {
    static TABLE: OnceLock<Vec<[u8; 4]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        serde_json::from_str::<WordFile>(include_str!(
            "../../data/documents/mx_curp_inconvenient_words.json"
        ))
        .map(|f| {
            f.words
                .iter()
                .filter_map(|w| <[u8; 4]>::try_from(w.as_bytes()).ok())
                .collect()
        })
        .unwrap_or_default()
    })
}

fn is_vowel_or_x(b: u8) -> bool {
    matches!(b, b'A' | b'E' | b'I' | b'O' | b'U' | b'X')
}

fn is_consonant(b: u8) -> bool {
    b.is_ascii_uppercase() && !matches!(b, b'A' | b'E' | b'I' | b'O' | b'U')
}

/// The value of a character in the check-digit alphabet `0-9 A-N Ñ O-Z`.
fn value(b: u8) -> Option<u32> {
    match b {
        b'0'..=b'9' => Some(u32::from(b - b'0')),
        b'A'..=b'N' => Some(u32::from(b - b'A') + 10),
        ENYE => Some(24),
        b'O'..=b'Z' => Some(u32::from(b - b'O') + 25),
        _ => None,
    }
}

/// The check digit of the first 17 characters.
fn check_digit(c: &[u8; LEN]) -> Option<u32> {
    let sum = c
        .iter()
        .take(LEN - 1)
        .zip((2..=18u32).rev())
        .try_fold(0u32, |acc, (&b, w)| Some(acc + value(b)? * w))?;
    Some((10 - sum % 10) % 10)
}

/// Whether `YYMMDD` is a real date in 1900+YY or 2000+YY; `century_2000` says which, `None`
/// (homoclave unreadable) accepts either.
pub(super) fn real_date(yymmdd: &[u8], century_2000: Option<bool>) -> bool {
    let (Some(yy), Some(mm), Some(dd)) = (
        yymmdd.get(0..2).and_then(number),
        yymmdd.get(2..4).and_then(number),
        yymmdd.get(4..6).and_then(number),
    ) else {
        return false;
    };
    let yy = i32::try_from(yy).unwrap_or(0);
    let exists = |year: i32| NaiveDate::from_ymd_opt(year, mm, dd).is_some();
    match century_2000 {
        Some(true) => exists(2000 + yy),
        Some(false) => exists(1900 + yy),
        None => exists(1900 + yy) || exists(2000 + yy),
    }
}

pub(super) fn check(value: &str, sink: &mut Sink<'_>) {
    let Some(c) = scan_exact::<LEN>(value, Alphabet::AlphanumericEnye, PREFIX, sink) else {
        return;
    };
    let at = |i: usize| c.get(i).copied().unwrap_or(0);

    let initials_ok = at(0).is_ascii_uppercase()
        && is_vowel_or_x(at(1))
        && at(2).is_ascii_uppercase()
        && at(3).is_ascii_uppercase();
    if !initials_ok {
        sink.push("curp.bad_initials");
    } else if inconvenient_words().contains(&[at(0), at(1), at(2), at(3)]) {
        sink.push("curp.inconvenient_word");
    }

    let homoclave = at(16);
    let century_2000 = if homoclave.is_ascii_digit() {
        Some(false)
    } else if homoclave.is_ascii_uppercase() {
        Some(true)
    } else {
        None
    };
    if !real_date(c.get(4..10).unwrap_or_default(), century_2000) {
        sink.push("curp.bad_date");
    }
    if !matches!(at(10), b'H' | b'M' | b'X') {
        sink.push("curp.bad_sex");
    }
    if !states().contains(&[at(11), at(12)]) {
        sink.push("curp.bad_state");
    }
    if !(is_consonant(at(13)) && is_consonant(at(14)) && is_consonant(at(15))) {
        sink.push("curp.bad_consonants");
    }
    if century_2000.is_none() {
        sink.push("curp.bad_homoclave");
    }
    let check_ok = match (check_digit(&c), super::digit(at(17))) {
        (Some(expected), Some(found)) => expected == found,
        _ => false,
    };
    if !check_ok {
        sink.push("curp.bad_check_digit");
    }
}

pub(super) fn normalize(value: &str) -> Option<String> {
    compact_exact::<LEN>(value, Alphabet::AlphanumericEnye).map(|c| ascii_string(&c))
}

#[cfg(test)]
mod tests {
    use super::super::{DocumentKind, check_document, normalize_document};
    use super::*;

    fn codes(value: &str) -> Vec<String> {
        check_document("mx_curp", value)
            .into_iter()
            .map(|i| i.code)
            .collect()
    }

    fn curp(s: &str) -> [u8; LEN] {
        compact_exact::<LEN>(s, Alphabet::AlphanumericEnye).unwrap()
    }

    #[test]
    fn the_state_table_has_32_states_and_ne() {
        assert_eq!(states().len(), 33);
        assert!(states().contains(b"NE"));
        assert!(states().contains(b"DF"));
        assert!(states().contains(b"ZS"));
    }

    #[test]
    fn the_inconvenient_words_are_renapos_81() {
        let words = inconvenient_words();
        assert_eq!(words.len(), 81);
        assert!(words.contains(b"BACA") && words.contains(b"WUEY"));
    }

    #[test]
    fn an_inconvenient_word_is_never_issued() {
        // PEGJ850315HJCRRN06 is valid; the same CURP with initials that spell a word is not,
        // even with its check digit recomputed, and RENAPO's replacement (X second) is valid.
        let with = |initials: &str| {
            let mut c = curp(&format!("{initials}850315HJCRRN00"));
            let digit = check_digit(&c).unwrap();
            c[17] = b'0' + digit as u8;
            ascii_string(&c)
        };
        assert_eq!(codes(&with("PEDO")), ["curp.inconvenient_word"]);
        assert_eq!(codes(&with("BUEY")), ["curp.inconvenient_word"]);
        assert_eq!(
            codes(&with("peda").to_lowercase()),
            ["curp.inconvenient_word"]
        );
        assert!(codes(&with("PXDO")).is_empty());
        assert!(codes(&with("PEDI")).is_empty());
    }

    #[test]
    fn alphabet_values() {
        assert_eq!(value(b'0'), Some(0));
        assert_eq!(value(b'9'), Some(9));
        assert_eq!(value(b'A'), Some(10));
        assert_eq!(value(b'N'), Some(23));
        assert_eq!(value(ENYE), Some(24));
        assert_eq!(value(b'O'), Some(25));
        assert_eq!(value(b'Z'), Some(36));
    }

    #[test]
    fn check_digits_computed_by_hand() {
        // Juan Pérez García, born 1985-03-15 in Jalisco (invented):
        // P E G J 8 5 0 3 1 5 H J C R R N 0
        // 26·18 + 14·17 + 16·16 + 19·15 + 8·14 + 5·13 + 0·12 + 3·11 + 1·10 + 5·9 + 17·8 + 19·7
        // + 12·6 + 28·5 + 28·4 + 23·3 + 0·2 = 2174; (10 − 4) mod 10 = 6.
        assert_eq!(check_digit(&curp("PEGJ850315HJCRRN06")), Some(6));
        // María López Hernández, born 2004-02-29 abroad (invented), homoclave A (2000s):
        // 21·18 + 25·17 + 17·16 + 22·15 + 0·14 + 4·13 + 0·12 + 2·11 + 2·10 + 9·9 + 22·8 + 23·7
        // + 14·6 + 26·5 + 28·4 + 28·3 + 10·2 = 2347; (10 − 7) mod 10 = 3.
        assert_eq!(check_digit(&curp("LOHM040229MNEPRRA3")), Some(3));
    }

    #[test]
    fn valid_curps() {
        for v in [
            "PEGJ850315HJCRRN06",
            "pegj850315hjcrrn06",
            "PEGJ 850315 HJCRRN 06",
            "LOHM040229MNEPRRA3",
        ] {
            assert!(codes(v).is_empty(), "{v}: {:?}", codes(v));
        }
    }

    #[test]
    fn shape_errors() {
        assert_eq!(codes("PEGJ850315HJCRRN0"), ["curp.bad_length"]);
        assert_eq!(codes("PEGJ850315HJCRRN061"), ["curp.bad_length"]);
        assert_eq!(codes("PEGJ850315HJCRRN0_"), ["curp.bad_characters"]);
        assert_eq!(codes("PÉGJ850315HJCRRN06"), ["curp.bad_characters"]);
    }

    #[test]
    fn each_position_has_its_rule() {
        // Each change also breaks the check digit, except where the digit is recomputed.
        assert_eq!(
            codes("PBGJ850315HJCRRN06"),
            ["curp.bad_initials", "curp.bad_check_digit"]
        );
        assert_eq!(
            codes("ÑEGJ850315HJCRRN06"),
            ["curp.bad_initials", "curp.bad_check_digit"]
        );
        assert_eq!(codes("PEGJ851315HJCRRN0?"), ["curp.bad_characters"]);
        assert_eq!(
            codes("PEGJ850230HJCRRN06"),
            ["curp.bad_date", "curp.bad_check_digit"]
        );
        assert_eq!(
            codes("PEGJ850315ZJCRRN06"),
            ["curp.bad_sex", "curp.bad_check_digit"]
        );
        assert_eq!(
            codes("PEGJ850315HXXRRN06"),
            ["curp.bad_state", "curp.bad_check_digit"]
        );
        assert_eq!(
            codes("PEGJ850315HJCRAN06"),
            ["curp.bad_consonants", "curp.bad_check_digit"]
        );
        assert_eq!(
            codes("PEGJ850315HJCRRNÑ6"),
            ["curp.bad_homoclave", "curp.bad_check_digit"]
        );
        assert_eq!(codes("PEGJ850315HJCRRN07"), ["curp.bad_check_digit"]);
        assert_eq!(codes("PEGJ850315HJCRRN0A"), ["curp.bad_check_digit"]);
    }

    #[test]
    fn the_homoclave_gives_the_century() {
        // 1900 was not a leap year, 2000 was.
        let mut c = curp("LOHM000229MNEPRRA0");
        let d = check_digit(&c).unwrap();
        c[17] = b'0' + d as u8;
        assert!(codes(&ascii_string(&c)).is_empty());
        c[16] = b'0';
        let d = check_digit(&c).unwrap();
        c[17] = b'0' + d as u8;
        assert_eq!(codes(&ascii_string(&c)), ["curp.bad_date"]);
    }

    #[test]
    fn normalisation() {
        let n = |v| normalize_document(DocumentKind::MxCurp, v);
        assert_eq!(
            n("pegj 850315 hjcrrn 06").as_deref(),
            Some("PEGJ850315HJCRRN06")
        );
        assert_eq!(
            n("ñegj850315hjcrrn06").as_deref(),
            Some("ÑEGJ850315HJCRRN06")
        );
        assert_eq!(
            n("ÑEGJ850315HJCRRN06").as_deref(),
            Some("ÑEGJ850315HJCRRN06")
        );
        assert_eq!(n("PEGJ850315HJCRRN0"), None);
    }
}
