//! Names: Unicode NFC normalisation, the characters a name may hold, and the folded form used to
//! compare names without accents or case (duplicate detection, search).

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Normalises a name to Unicode NFC, trims it and collapses runs of white space to one space.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        // ASCII is already in NFC (most names in a log are): copy it as it is.
        if word.is_ascii() {
            out.push_str(word);
        } else {
            out.extend(word.nfc());
        }
    }
    out
}

/// Whether every character may appear in a name: letters (with accents, ñ, ü), combining marks,
/// spaces, apostrophes (`'` and `’`), hyphens and periods.
pub fn is_valid_name(name: &str) -> bool {
    name.chars().all(|c| {
        c.is_alphabetic() || is_combining_mark(c) || matches!(c, ' ' | '\'' | '’' | '-' | '.')
    })
}

/// The form names are compared in: accents and case removed, punctuation dropped, words separated
/// by one space (`"Hernández-López, MARÍA"` → `"hernandez lopez maria"`).
pub fn fold_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    // ASCII text has nothing to decompose (most cells of a log are ASCII): skip the decomposition.
    if name.is_ascii() {
        fold_into(&mut out, name.chars());
    } else {
        fold_into(&mut out, name.nfd());
    }
    out
}

/// Appends the folded form of the decomposed `chars` to `out`.
fn fold_into(out: &mut String, chars: impl Iterator<Item = char>) {
    let mut space = false;
    for c in chars {
        if is_combining_mark(c) {
            continue;
        }
        if c.is_alphanumeric() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.extend(c.to_lowercase());
        } else if c != '\'' && c != '’' {
            space = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_to_nfc_and_collapses_spaces() {
        let decomposed = "Jose\u{301}  Mun\u{303}oz ";
        assert_eq!(normalize_name(decomposed), "José Muñoz");
        assert_eq!(normalize_name(&normalize_name(decomposed)), "José Muñoz");
    }

    #[test]
    fn accepts_the_region_s_names() {
        for n in [
            "María José",
            "Peña",
            "Güity",
            "O'Connor",
            "Ana-Lucía",
            "D’Antoni",
            "Ma. Elena",
        ] {
            assert!(is_valid_name(n), "{n}");
        }
        for n in ["Juan2", "Ana<script>", "José\u{0}", "Luis_Pérez", "@pedro"] {
            assert!(!is_valid_name(n), "{n}");
        }
    }

    #[test]
    fn folds_accents_case_and_punctuation() {
        assert_eq!(fold_name("Hernández-López, MARÍA"), "hernandez lopez maria");
        assert_eq!(fold_name("PEÑA  güity"), "pena guity");
        assert_eq!(fold_name("O'Connor"), "oconnor");
    }

    proptest::proptest! {
        /// ASCII text skips the decomposition: the same result as through it.
        #[test]
        fn ascii_takes_the_short_way_to_the_same_result(s in "[ -~]{0,40}") {
            let mut through = String::new();
            fold_into(&mut through, s.nfd());
            proptest::prop_assert_eq!(fold_name(&s), through);
            let nfc: String = s.split_whitespace().collect::<Vec<_>>().join(" ").nfc().collect();
            proptest::prop_assert_eq!(normalize_name(&s), nfc);
        }
    }
}
