//! Recovery codes: ten single-use codes a password account's user keeps on paper, for the day
//! the authenticator application is lost. One replaces the six-digit code at sign-in, once.
//!
//! - A code is 12 characters of a 30-letter alphabet without look-alikes (58 random bits from
//!   the core's CSPRNG), shown as `xxxx-xxxx-xxxx`; typing is forgiving (case, dashes, spaces).
//! - Only a salted SHA-256 of each code is stored ([`RecoveryHash`]): ASVS 2.6.2 asks codes
//!   under 112 bits to be salted with a unique salt of at least 32 bits and hashed with an
//!   approved one-way function; each code here has its own 128-bit salt. A slow hash is not
//!   needed: the codes are random, not chosen by people, and sign-in attempts are throttled.
//! - [`find_code`] answers which stored code a typed one is, computing every hash so the time
//!   does not tell which one matched; the store then marks it used.

use sha2::{Digest, Sha256};

use crate::hex::to_hex;

/// Codes made at a time.
pub const CODE_COUNT: usize = 10;
/// Characters in a code (without dashes).
pub const CODE_CHARS: usize = 12;
/// The alphabet: lower-case letters and digits without `0 o 1 l i u`.
const ALPHABET: &[u8; 30] = b"abcdefghjkmnpqrstvwxyz23456789";

/// A stored code: its salt and the SHA-256 of salt and code, both in lower-case hex, written
/// `salt:hash`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecoveryHash(pub String);

fn normalize(code: &str) -> Option<String> {
    let code: String = code
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .collect();
    (code.len() == CODE_CHARS && code.bytes().all(|b| ALPHABET.contains(&b))).then_some(code)
}

fn digest(salt_hex: &str, code: &str) -> String {
    let mut sha = Sha256::new();
    sha.update(salt_hex.as_bytes());
    sha.update(b":");
    sha.update(code.as_bytes());
    to_hex(&sha.finalize())
}

/// One fresh code, `xxxx-xxxx-xxxx`.
fn new_code() -> String {
    let mut code = String::with_capacity(CODE_CHARS + 2);
    let mut drawn = 0;
    while drawn < CODE_CHARS {
        let mut byte = [0u8; 1];
        rand::fill(&mut byte);
        let [b] = byte;
        // 30 letters: a byte from 240 up is drawn again, so that each letter is as likely.
        let Some(&letter) = ALPHABET.get(usize::from(b % 30)).filter(|_| b < 240) else {
            continue;
        };
        if drawn == 4 || drawn == 8 {
            code.push('-');
        }
        code.push(char::from(letter));
        drawn += 1;
    }
    code
}

/// The hash kept for `code`, with a fresh salt.
pub fn hash_code(code: &str) -> Option<RecoveryHash> {
    let code = normalize(code)?;
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    let salt = to_hex(&salt);
    let hash = digest(&salt, &code);
    Some(RecoveryHash(format!("{salt}:{hash}")))
}

/// [`CODE_COUNT`] fresh codes to show the user once, and the hashes to store.
pub fn new_codes() -> (Vec<String>, Vec<RecoveryHash>) {
    let codes: Vec<String> = (0..CODE_COUNT).map(|_| new_code()).collect();
    let hashes = codes.iter().filter_map(|c| hash_code(c)).collect();
    (codes, hashes)
}

/// Which of the `stored` hashes (the unused ones) `typed` is, if any.
pub fn find_code(typed: &str, stored: &[RecoveryHash]) -> Option<usize> {
    // A malformed entry is compared against nothing, in the same time.
    let code = normalize(typed).unwrap_or_default();
    let mut found = None;
    for (i, RecoveryHash(entry)) in stored.iter().enumerate() {
        let (salt, hash) = entry.split_once(':').unwrap_or(("", ""));
        let fits = digest(salt, &code)
            .bytes()
            .zip(hash.bytes())
            .fold(hash.len() ^ 64, |acc, (x, y)| acc | usize::from(x ^ y))
            == 0;
        if fits && !code.is_empty() {
            found = Some(i);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_distinct_codes_each_found_by_its_own_hash() {
        let (codes, hashes) = new_codes();
        assert_eq!((codes.len(), hashes.len()), (CODE_COUNT, CODE_COUNT));
        for (i, code) in codes.iter().enumerate() {
            assert_eq!(code.len(), CODE_CHARS + 2);
            assert!(normalize(code).is_some(), "{code}");
            assert_eq!(find_code(code, &hashes), Some(i));
            // Forgiving typing.
            let typed = code.to_uppercase().replace('-', " ");
            assert_eq!(find_code(&typed, &hashes), Some(i));
            // The hash holds neither the code nor its letters in order.
            assert!(!hashes[i].0.contains(&code.replace('-', "")));
        }
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert_eq!(distinct.len(), CODE_COUNT);
    }

    #[test]
    fn other_codes_and_shapes_are_not_found() {
        let (codes, hashes) = new_codes();
        let (other, _) = new_codes();
        assert!(other.iter().all(|c| find_code(c, &hashes).is_none()));
        assert_eq!(find_code("", &hashes), None);
        assert_eq!(find_code("0000-0000-0000", &hashes), None);
        assert_eq!(find_code(&codes[0][..10], &hashes), None);
        assert_eq!(find_code(&codes[0], &[RecoveryHash("junk".into())]), None);
        // The same code hashed twice gets two salts.
        assert_ne!(hash_code(&codes[0]), hash_code(&codes[0]));
    }
}
