//! E-mail addresses: the "valid e-mail address" of the HTML standard (what a browser's
//! `<input type="email">` accepts), with RFC 5321's length limits and internationalised domain
//! names.
//!
//! - a local part of 1 to 64 characters among ``A–Z a–z 0–9 . ! # $ % & ' * + / = ? ^ _ ` { | } ~ -``;
//! - `@`, the last one in the address;
//! - a domain of at most 255 characters: dot-separated labels of 1 to 63 letters, digits and
//!   hyphens, not starting or ending with a hyphen; or an IP address in brackets
//!   (`[192.0.2.1]`, `[2001:db8::1]`).
//!
//! Letters in a domain may be any script's (`correo.hondureño.hn`), as mail software accepts
//! internationalised domain names. siproc checks their shape, not IDNA's full mapping (UTS 46):
//! its tables would weigh about 100 KB in the browser, for addresses siproc never sends mail to.
//! Quoted local parts and comments, which RFC 5322 allows and nobody types, are not accepted.
//!
//! The checks are written out rather than taken from `validator` (whose rules these are, IDNA
//! aside) so that the WebAssembly package carries no regular-expression engine for them.

use std::net::IpAddr;

/// The longest local part (RFC 5321, 4.5.3.1.1), in characters.
const MAX_LOCAL: usize = 64;
/// The longest domain (RFC 5321, 4.5.3.1.2), in characters.
const MAX_DOMAIN: usize = 255;
/// The longest label of a domain name (RFC 1035).
const MAX_LABEL: usize = 63;

/// Whether `address` is a valid e-mail address (see the module's documentation).
///
/// ```
/// use siproc_core::email::is_valid;
///
/// assert!(is_valid("rosa.guity@example.org"));
/// assert!(is_valid("consulado+tapachula@correo.hondureño.hn"));
/// assert!(!is_valid("rosa.guity@"));
/// assert!(!is_valid("rosa guity@example.org"));
/// ```
pub fn is_valid(address: &str) -> bool {
    let Some((local, domain)) = address.rsplit_once('@') else {
        return false;
    };
    if local.chars().count() > MAX_LOCAL || domain.chars().count() > MAX_DOMAIN {
        return false;
    }
    !local.is_empty() && local.bytes().all(is_local_byte) && is_host(domain)
}

/// The characters of a local part: ASCII letters, digits and ``.!#$%&'*+/=?^_`{|}~-``.
fn is_local_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b)
}

/// A domain name, or an IP address literal in brackets.
fn is_host(domain: &str) -> bool {
    if let Some(literal) = domain.strip_prefix('[').and_then(|d| d.strip_suffix(']')) {
        return !literal.is_empty()
            && literal
                .bytes()
                .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.')
            && literal.parse::<IpAddr>().is_ok();
    }
    !domain.is_empty() && domain.split('.').all(is_label)
}

/// One label of a domain name: 1 to 63 letters, digits and hyphens, with a letter or digit at
/// each end.
fn is_label(label: &str) -> bool {
    let mut chars = label.chars();
    match (chars.next(), chars.next_back()) {
        (Some(first), last) => {
            label.chars().count() <= MAX_LABEL
                && first.is_alphanumeric()
                && last.is_none_or(char::is_alphanumeric)
                && chars.all(|c| c.is_alphanumeric() || c == '-')
        }
        (None, _) => false,
    }
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
            "user@[2001:db8::1]",
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
        let domain = [label.as_str(); 4].join(".");
        assert!(is_valid(&format!("rosa@{domain}")));
        assert!(!is_valid(&format!("rosa@{domain}.{}", "b".repeat(10))));
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
