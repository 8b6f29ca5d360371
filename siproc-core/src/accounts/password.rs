//! Passwords: which ones are accepted ([`check_password`]) and how they are kept
//! ([`hash_password`], [`verify_password`]).
//!
//! - Kept as Argon2id PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$…`) with OWASP's parameters
//!   (19 MiB of memory, 2 passes, 1 lane) and a 16-byte salt drawn from the core's CSPRNG. The
//!   RustCrypto `argon2` crate: the algorithm RFC 9106 and OWASP recommend, kept by the
//!   RustCrypto project like the core's other primitives. A stored hash with other parameters
//!   still verifies (the PHC string carries them) and [`needs_rehash`] says to re-hash it at the
//!   next successful sign-in.
//! - Accepted: [`MIN_PASSWORD_CHARS`] to [`MAX_PASSWORD_CHARS`] characters (ASVS 2.1.1–2.1.3:
//!   any characters, spaces kept, no composition rule), not the login name, and not one of the
//!   20 000 common passwords shipped in `common-passwords.txt` (compared without case; the list
//!   Django ships, made by Royce Williams from breached-password corpora:
//!   <https://gist.github.com/roycewilliams/226886fd01572964e1431ac8afc999ce>).
//! - [`verdict`] tells a form, as the person types (ASVS 2.1.8), what [`check_password`] would
//!   answer and a rough strength from 0 to 4 ([`PasswordVerdict`]): the rule is this module's
//!   alone, so the forms ask the server rather than keep a second copy in JavaScript (and the
//!   WebAssembly module does not grow by the 20 000-word list). The strength is an estimate to
//!   guide, never a rule: bits from the character classes present, a repeated or consecutive
//!   character (`aaaa`, `1234`, `cba`) counting one bit only.
//! - [`verify_password`] with no stored hash (an unknown login, a user without a password)
//!   verifies against a dummy hash with the same parameters, so the answer takes as long as for
//!   a wrong password: timing does not tell which logins exist.

use std::collections::HashSet;
use std::sync::OnceLock;

use serde::Serialize;

use super::AccountError;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// Fewest characters in a password (ASVS 2.1.1).
pub const MIN_PASSWORD_CHARS: usize = 12;
/// Most characters in a password (ASVS 2.1.2 asks at least 64 be allowed; more than this is
/// refused so that hashing stays bounded).
pub const MAX_PASSWORD_CHARS: usize = 128;

/// Argon2's memory cost in KiB (OWASP: 19 MiB).
pub const ARGON2_MEMORY_KIB: u32 = 19_456;
/// Argon2's passes (OWASP: 2 with 19 MiB).
pub const ARGON2_PASSES: u32 = 2;
/// Argon2's lanes.
pub const ARGON2_LANES: u32 = 1;

/// The common passwords, one a line, lower case.
const COMMON: &str = include_str!("common-passwords.txt");

fn common() -> &'static HashSet<&'static str> {
    static SET: OnceLock<HashSet<&'static str>> = OnceLock::new();
    SET.get_or_init(|| COMMON.lines().filter(|l| !l.is_empty()).collect())
}

fn argon2() -> Argon2<'static> {
    let params =
        Params::new(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Whether `password` may be chosen by the user `login`.
pub fn check_password(password: &str, login: &str) -> Result<(), AccountError> {
    let chars = password.chars().count();
    if chars < MIN_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooShort {
            min: MIN_PASSWORD_CHARS,
        });
    }
    if chars > MAX_PASSWORD_CHARS {
        return Err(AccountError::PasswordTooLong {
            max: MAX_PASSWORD_CHARS,
        });
    }
    let lower = password.to_lowercase();
    if lower == login.to_lowercase() {
        return Err(AccountError::PasswordIsLogin);
    }
    if common().contains(lower.as_str()) {
        return Err(AccountError::PasswordCommon);
    }
    Ok(())
}

/// What a form shows of a password being typed: whether it would be accepted, why not, and a
/// rough strength ([`verdict`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PasswordVerdict {
    /// Whether [`check_password`] accepts it.
    pub accepted: bool,
    /// Why not: the refusal's stable code (`accounts.password_too_short`, …).
    pub code: Option<String>,
    /// 0 (refused) to 4 (strong): 1 under 50 estimated bits, 2 under 65, 3 under 80.
    pub strength: u8,
}

/// A class of characters and how many it has.
type CharClass = (fn(char) -> bool, f64);

/// The character classes the estimate knows (anything else non-ASCII counts as 100 more).
const CLASSES: [CharClass; 4] = [
    (|c| c.is_ascii_lowercase(), 26.0),
    (|c| c.is_ascii_uppercase(), 26.0),
    (|c| c.is_ascii_digit(), 10.0),
    (|c| c.is_ascii_punctuation() || c == ' ', 33.0),
];

/// The size of the alphabet the character classes present in `password` make.
fn class_pool(password: &str) -> f64 {
    let mut pool = 0.0;
    for (is, size) in CLASSES {
        if password.chars().any(is) {
            pool += size;
        }
    }
    if !password.is_ascii() {
        pool += 100.0;
    }
    pool
}

/// The estimated bits of `password`: each character `log2(pool)`, but one bit for a character
/// that repeats the one before or continues a run of consecutive characters.
fn estimated_bits(password: &str) -> f64 {
    let per_char = class_pool(password).max(2.0).log2();
    let mut bits = 0.0;
    let mut previous: Option<u32> = None;
    let mut step: Option<i64> = None;
    for c in password.chars().map(u32::from) {
        let this_step = previous.map(|p| i64::from(c) - i64::from(p));
        let predictable = matches!(this_step, Some(0))
            || (this_step.is_some_and(|d| d.abs() == 1) && this_step == step);
        bits += if predictable { 1.0 } else { per_char };
        step = this_step;
        previous = Some(c);
    }
    bits
}

/// What a form shows of `password` for the user `login`: [`check_password`]'s answer and an
/// estimated strength. Nothing is kept or logged.
pub fn verdict(password: &str, login: &str) -> PasswordVerdict {
    match check_password(password, login) {
        Err(e) => PasswordVerdict {
            accepted: false,
            code: Some(e.code().to_owned()),
            strength: 0,
        },
        Ok(()) => {
            let bits = estimated_bits(password);
            let strength = match bits {
                b if b < 50.0 => 1,
                b if b < 65.0 => 2,
                b if b < 80.0 => 3,
                _ => 4,
            };
            PasswordVerdict {
                accepted: true,
                code: None,
                strength,
            }
        }
    }
}

/// The Argon2id PHC string of `password`, with a fresh salt.
pub fn hash_password(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::fill(&mut salt);
    // Neither step fails with OWASP's parameters and a 16-byte salt; were they to, the empty
    // string would verify nothing (`verify_password` refuses what it cannot parse).
    SaltString::encode_b64(&salt)
        .ok()
        .and_then(|salt| {
            argon2()
                .hash_password(password.as_bytes(), &salt)
                .ok()
                .map(|hash| hash.to_string())
        })
        .unwrap_or_default()
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password("not a password: the dummy hash's input"))
}

/// Whether `password` matches `stored` (a PHC string from [`hash_password`]). With no stored
/// hash it hashes against a dummy one and answers `false`, taking as long as a wrong password.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    let (phc, real) = match stored {
        Some(s) => (s, true),
        None => (dummy_hash(), false),
    };
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let matches = argon2()
        .verify_password(password.as_bytes(), &parsed)
        .is_ok();
    matches && real
}

/// Whether a stored hash was made with other parameters than today's (re-hash it after the
/// next successful sign-in).
pub fn needs_rehash(stored: &str) -> bool {
    let Ok(parsed) = PasswordHash::new(stored) else {
        return true;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return true;
    };
    parsed.algorithm.as_str() != "argon2id"
        || params.m_cost() != ARGON2_MEMORY_KIB
        || params.t_cost() != ARGON2_PASSES
        || params.p_cost() != ARGON2_LANES
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_verifies_its_password_only() {
        let hash = hash_password("correct horse battery staple");
        assert!(hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify_password("correct horse battery staple", Some(&hash)));
        assert!(!verify_password(
            "correct horse battery stapler",
            Some(&hash)
        ));
        assert!(!verify_password("correct horse battery staple", None));
        assert!(!verify_password("correct horse battery staple", Some("")));
        assert!(!verify_password("x", Some("$argon2id$garbage")));
        // Two hashes of one password differ (fresh salts).
        assert_ne!(hash, hash_password("correct horse battery staple"));
        assert!(!needs_rehash(&hash));
    }

    #[test]
    fn older_parameters_verify_and_ask_for_a_rehash() {
        let weak = Argon2::new(
            Algorithm::Argon2id,
            Version::V0x13,
            Params::new(8, 1, 1, None).unwrap(),
        );
        let salt = SaltString::encode_b64(&[7; 16]).unwrap();
        let stored = weak
            .hash_password(b"an older password hash", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("an older password hash", Some(&stored)));
        assert!(needs_rehash(&stored));
        assert!(needs_rehash("not a hash"));
    }

    #[test]
    fn short_long_common_and_login_passwords_are_refused() {
        assert_eq!(
            check_password("short pass", "ana"),
            Err(AccountError::PasswordTooShort { min: 12 })
        );
        assert_eq!(
            check_password(&"a".repeat(129), "ana"),
            Err(AccountError::PasswordTooLong { max: 128 })
        );
        // In the shipped list, whatever the case.
        assert_eq!(
            check_password("Password1234", "ana"),
            Err(AccountError::PasswordCommon)
        );
        assert_eq!(
            check_password("1Q2W3E4R5T6Y", "ana"),
            Err(AccountError::PasswordCommon)
        );
        assert_eq!(
            check_password("Ana.Maria.Lopez", "ana.maria.lopez"),
            Err(AccountError::PasswordIsLogin)
        );
        // Spaces and any script count as characters.
        assert_eq!(check_password("tres tristes tigres", "ana"), Ok(()));
        assert_eq!(check_password("контрольная работа", "ana"), Ok(()));
        // Twelve characters, counted as characters rather than bytes.
        assert_eq!(check_password("ñandú ñandú.", "ana"), Ok(()));
    }

    #[test]
    fn the_verdict_is_the_rule_and_the_strength_an_estimate() {
        let refused = verdict("Password1234", "ana");
        assert!(!refused.accepted);
        assert_eq!(refused.code.as_deref(), Some("accounts.password_common"));
        assert_eq!(refused.strength, 0);
        assert_eq!(
            verdict("short", "ana").code.as_deref(),
            Some("accounts.password_too_short")
        );
        // Accepted, but a run and repeats: weak.
        assert_eq!(verdict("abcdefghijklm", "ana").strength, 1);
        assert_eq!(verdict("zzzzzzzzzzzzzz", "ana").strength, 1);
        // Twelve lower-case letters: fair; longer or mixed: better; a passphrase: strong.
        assert_eq!(verdict("qwhzmbtkrpxv", "ana").strength, 2);
        assert_eq!(verdict("qwhzmbtkrpxvnyd", "ana").strength, 3);
        assert_eq!(verdict("tres tristes tigres", "ana").strength, 4);
        let strong = verdict("Ñandú-42-pampa", "ana");
        assert!(strong.accepted && strong.code.is_none() && strong.strength == 4);
    }

    #[test]
    fn the_shipped_list_is_whole() {
        assert_eq!(common().len(), 19_640);
        assert!(common().contains("123456"));
        assert!(common().iter().all(|p| p.to_lowercase() == *p));
    }
}
