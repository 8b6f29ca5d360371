//! E-mail addresses: the "valid e-mail address" of the HTML standard (what a browser's
//! `<input type="email">` accepts), with RFC 5321's length limits, its address literals and
//! internationalised domain names.
//!
//! - a local part of 1 to 64 characters among ``A–Z a–z 0–9 . ! # $ % & ' * + / = ? ^ _ ` { | } ~ -``;
//! - `@`, the last one in the address;
//! - a domain: dot-separated labels of 1 to 63 characters, or an address literal (below);
//! - at most 254 octets in all, counted in UTF-8 (RFC 5321 §4.5.3.1.3's 256-octet path less its
//!   angle brackets, RFC 3696 erratum 1690; RFC 6531 counts internationalised addresses in UTF-8
//!   octets). The 255-octet domain limit follows from it.
//!
//! Which standard each part follows, and where siproc differs on purpose:
//!
//! - **Labels follow IDNA's character classes** (RFC 5892, whose letters and digits are the
//!   Unicode general categories L, M and N): letters and digits of any script, combining marks
//!   (Devanagari viramas and vowel signs, Thai tone marks: `उदाहरण.परीक्षा`, `เว็บ.ไทย`), and
//!   hyphens, with neither a hyphen nor a mark first and no hyphen last. ASCII labels are exactly
//!   the HTML standard's. siproc checks the shape, not IDNA's full mapping and contextual rules
//!   (UTS 46, RFC 5892's CONTEXTJ/CONTEXTO): their tables would weigh about 100 KB in the browser,
//!   for addresses siproc never sends mail to. The classes come from tables the package already
//!   carries, to keep the browser's download within its budget: marks (M) from
//!   `unicode-normalization`'s `is_combining_mark` (General_Category=Mark; a well-kept unicode-rs
//!   crate siproc uses for NFC), letters and digits (L, N) from Rust's `char::is_alphanumeric`
//!   less the letter-like symbols its Alphabetic property takes in (circled and squared Latin
//!   letters such as `Ⓐ`, category So). A full general-category table (`unicode-properties`)
//!   would add 17 KB gzipped. `char::is_alphanumeric` alone is not enough: it leaves out most
//!   marks (a virama, a Thai tone mark).
//! - **Address literals follow RFC 5321 §4.1.3**: an IPv4 address `[192.0.2.1]`, or an IPv6 address
//!   with its tag, `[IPv6:2001:db8::1]` (the tag in any case, as ABNF strings are). A bare
//!   `[2001:db8::1]` is refused: RFC 5321 does not allow it, and mail software reads it as a
//!   general literal with an unknown tag. The HTML standard accepts no literal at all; siproc
//!   accepts RFC 5321's because consulates record what people write, and mail to a literal does
//!   reach servers that accept it.
//! - Quoted local parts and comments, which RFC 5322 allows and nobody types, are not accepted
//!   (as in the HTML standard); nor are non-ASCII local parts (RFC 6531), which the HTML standard
//!   also refuses.
//!
//! The checks are written out rather than taken from `validator` (whose rules these are, IDNA
//! and literals aside) so that the WebAssembly package carries no regular-expression engine for
//! them.

use std::net::{Ipv4Addr, Ipv6Addr};

use unicode_normalization::char::is_combining_mark;

/// The longest address (RFC 5321, 4.5.3.1.3, less the path's angle brackets), in octets.
pub const MAX_ADDRESS_OCTETS: usize = 254;
/// The longest local part (RFC 5321, 4.5.3.1.1), in octets (a local part is ASCII here).
const MAX_LOCAL: usize = 64;
/// The longest label of a domain name (RFC 1035), in characters.
const MAX_LABEL: usize = 63;

/// Whether `address` is a valid e-mail address (see the module's documentation).
///
/// ```
/// use siproc_core::email::is_valid;
///
/// assert!(is_valid("rosa.guity@example.org"));
/// assert!(is_valid("consulado+tapachula@correo.hondureño.hn"));
/// assert!(is_valid("info@उदाहरण.परीक्षा"));
/// assert!(is_valid("postmaster@[IPv6:2001:db8::1]"));
/// assert!(!is_valid("postmaster@[2001:db8::1]"));
/// assert!(!is_valid("rosa.guity@"));
/// assert!(!is_valid("rosa guity@example.org"));
/// ```
pub fn is_valid(address: &str) -> bool {
    if address.len() > MAX_ADDRESS_OCTETS {
        return false;
    }
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && local.len() <= MAX_LOCAL
        && local.bytes().all(is_local_byte)
        && is_host(domain)
}

/// The characters of a local part: ASCII letters, digits and ``.!#$%&'*+/=?^_`{|}~-``.
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b)
}

/// A domain name, or an address literal in brackets.
fn is_host(domain: &str) -> bool {
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return is_address_literal(literal);
    }
    !domain.is_empty() && domain.split('.').all(is_label)
}

/// RFC 5321's address literals (without brackets): a dotted IPv4 address, or `IPv6:` and an
/// IPv6 address.
fn is_address_literal(literal: &str) -> bool {
    let tag = literal.get(..5);
    if tag.is_some_and(|t| t.eq_ignore_ascii_case("IPv6:")) {
        return literal
            .get(5..)
            .is_some_and(|a| a.parse::<Ipv6Addr>().is_ok());
    }
    literal.parse::<Ipv4Addr>().is_ok()
}

/// What a character may be in a label.
#[derive(Debug, PartialEq, Eq)]
enum Class {
    /// A letter or digit (general categories L and N).
    LetterOrDigit,
    /// A combining mark (general category M).
    Mark,
    /// `-`.
    Hyphen,
    /// Anything else.
    Other,
}

fn class(c: char) -> Class {
    if c.is_ascii() {
        return match c {
            'a'..='z' | 'A'..='Z' | '0'..='9' => Class::LetterOrDigit,
            '-' => Class::Hyphen,
            _ => Class::Other,
        };
    }
    if is_letter_like_symbol(c) {
        Class::Other
    } else if is_combining_mark(c) {
        Class::Mark
    } else if c.is_alphanumeric() {
        Class::LetterOrDigit
    } else {
        Class::Other
    }
}

/// The symbols (category So) that Unicode's Alphabetic property includes: circled, parenthesised
/// and squared Latin letters. IDNA's classes leave them out.
fn is_letter_like_symbol(c: char) -> bool {
    matches!(
        c,
        '\u{24B6}'..='\u{24E9}' | '\u{1F130}'..='\u{1F149}' | '\u{1F150}'..='\u{1F169}' | '\u{1F170}'..='\u{1F189}'
    )
}

/// One label of a domain name: 1 to 63 letters, digits, marks and hyphens, starting with a
/// letter or digit and not ending with a hyphen.
fn is_label(label: &str) -> bool {
    let mut chars = label.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    let mut count = 1;
    let mut last = class(first);
    if last != Class::LetterOrDigit {
        return false;
    }
    for c in chars {
        count += 1;
        last = class(c);
        if last == Class::Other || count > MAX_LABEL {
            return false;
        }
    }
    last != Class::Hyphen
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn accepts_what_a_browser_accepts() {
        for ok in [
            "a@b",
            "rosa.guity@example.org",
            "x!#$%&'*+/=?^_`{|}~-@sub-domain.example.hn",
            "user@[192.0.2.1]",
            "user@[IPv6:2001:db8::1]",
            "user@[ipv6:::1]",
            "user@[IPv6:::ffff:192.0.2.1]",
            "info@उदाहरण.परीक्षा",
            "info@இந்தியா.இந்தியா",
            "info@เว็บ.ไทย",
            "info@例え.テスト",
            "info@مثال.إختبار",
            "info@παράδειγμα.δοκιμή",
            "info@١٢٣.مصر",
            "user@xn--hondureo-i3a.hn",
            "user@correo.hondureño.hn",
            "user@почта.рф",
            "a@1.2",
        ] {
            assert!(is_valid(ok), "{ok}");
        }
    }

    #[test]
    fn rejects_what_a_browser_rejects() {
        for bad in [
            "",
            "@",
            "rosa.guity@",
            "@example.org",
            "rosa guity@example.org",
            "rosa@exa mple.org",
            "rosa@-example.org",
            "rosa@example-.org",
            "rosa@example..org",
            "rosa@.example.org",
            "rosa@example.org.",
            "a@b@example.org",
            "\"quoted\"@example.org",
            "ñandú@example.org",
            "user@[300.1.1.1]",
            "user@[2001:db8::1]",
            "user@[::1]",
            "user@[IPv6:192.0.2.1]",
            "user@[IPv4:192.0.2.1]",
            "user@[tcp:example]",
            "user@[192.0.2.001]",
            "user@\u{94d}उदाहरण.परीक्षा",
            "user@Ⓐ.hn",
            "user@exa\u{200b}mple.org",
            "user@ex\u{2028}ample.org",
            "user@[]",
            "user@[example.org]",
            "user@x[192.0.2.1]",
            "user@\u{0}.org",
            "user@correo.hondureño☺.hn",
            "user@exa_mple.org",
            "user@ex!ample.org",
        ] {
            assert!(!is_valid(bad), "{bad:?}");
        }
    }

    #[test]
    fn enforces_the_length_limits() {
        let label = "a".repeat(63);
        assert!(is_valid(&format!("{}@{label}.hn", "l".repeat(64))));
        assert!(!is_valid(&format!("{}@{label}.hn", "l".repeat(65))));
        assert!(!is_valid(&format!("rosa@{}a.hn", label)));
        // 254 octets in all, and not one more (RFC 5321's path limit).
        let domain = [label.as_str(); 2].join(".");
        let at_limit = format!("{}@{domain}.{}", "l".repeat(64), "b".repeat(61));
        assert_eq!(at_limit.len(), 254, "{}", at_limit.len());
        assert!(is_valid(&at_limit));
        assert!(!is_valid(&format!("l{at_limit}")));
        // Counted in UTF-8 octets: 63 Devanagari letters are 189 octets.
        let hindi = "क".repeat(63);
        assert!(is_valid(&format!("a@{hindi}.hn")));
        assert!(!is_valid(&format!(
            "{}@{hindi}.{}",
            "l".repeat(40),
            "b".repeat(30)
        )));
    }

    /// IDNA's classes are the general categories L, M and N: `unicode-properties`' table is the
    /// oracle, over the scripts of the issue and their neighbours (blocks complete in every
    /// Unicode version the crates use, so versions cannot disagree).
    #[test]
    fn classes_are_the_general_categories_l_m_n() {
        use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};
        let blocks = [
            0x00a0..=0x024f, // Latin-1, Latin Extended
            0x0300..=0x036f, // combining diacritics
            0x0370..=0x04ff, // Greek, Cyrillic
            0x0600..=0x06ff, // Arabic
            0x0900..=0x097f, // Devanagari
            0x0b80..=0x0bff, // Tamil
            0x0e00..=0x0e7f, // Thai
            0x2460..=0x24ff, // enclosed alphanumerics (Ⓐ is a symbol)
            0x3040..=0x30ff, // kana
            0x4e00..=0x4fff, // CJK ideographs
            0xac00..=0xadff, // Hangul
        ];
        for u in blocks.into_iter().flatten() {
            let Some(c) = char::from_u32(u) else { continue };
            if c.general_category() == GeneralCategory::Unassigned {
                continue;
            }
            let want = match c.general_category_group() {
                GeneralCategoryGroup::Letter | GeneralCategoryGroup::Number => Class::LetterOrDigit,
                GeneralCategoryGroup::Mark => Class::Mark,
                _ => Class::Other,
            };
            assert_eq!(class(c), want, "U+{u:04X}");
        }
    }

    #[test]
    fn labels_take_letters_marks_and_digits_of_every_script() {
        for c in ['\u{94d}', '\u{e48}', '\u{bcd}', '\u{301}'] {
            assert_eq!(class(c), Class::Mark, "{c:?}");
            assert!(!c.is_alphanumeric(), "{c:?}");
        }
        assert_eq!(class('Ⓐ'), Class::Other);
        assert!('Ⓐ'.is_alphanumeric());
        assert_eq!(class('٣'), Class::LetterOrDigit);
        assert_eq!(class('ⅷ'), Class::LetterOrDigit);
        assert!(!is_label("\u{301}a"));
        assert!(is_label("a\u{301}"));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(3000))]

        #[test]
        fn never_panics(address in "[a-zA-Z0-9.@\\[\\]:ñ☺ -]{0,80}|\\PC{0,300}") {
            let _ = is_valid(&address);
        }

        #[test]
        fn accepts_every_address_the_grammar_builds(
            local in "[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}",
            labels in proptest::collection::vec("[a-z0-9ñ]([a-z0-9ñ-]{0,20}[a-z0-9ñ])?", 1..5),
        ) {
            let address = format!("{local}@{}", labels.join("."));
            prop_assert!(is_valid(&address), "{}", address);
        }
    }
}
