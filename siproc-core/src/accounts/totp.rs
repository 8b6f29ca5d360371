//! The second factor of a password account: time-based one-time passwords (RFC 6238), the six
//! digits an authenticator application shows every 30 seconds.
//!
//! - A secret is 20 random bytes (160 bits, RFC 4226's recommendation) from the core's CSPRNG
//!   ([`new_secret`]); the user's application gets it through an `otpauth://` link
//!   ([`otpauth_uri`], shown as a QR code) or typed in base32 ([`secret_base32`]).
//! - Codes are HMAC-SHA-1, 6 digits, 30-second steps: what every authenticator application
//!   reads from such a link. One step of clock drift either way is accepted.
//! - A code works once: [`verify_code`] answers the step it matched, the store keeps the last
//!   step used, and a code of that step or an earlier one is refused (ASVS 2.8.4).
//!
//! The HOTP computation is the maintained `totp-rs` crate (without its optional parts); the
//! core draws the secret and keeps the replay rule.

use totp_rs::{Algorithm, TOTP};

/// Bytes in a secret.
pub const SECRET_BYTES: usize = 20;
/// Digits in a code.
pub const DIGITS: usize = 6;
/// Seconds in a step.
pub const STEP_SECONDS: u64 = 30;
/// Steps of clock drift accepted either way.
pub const SKEW_STEPS: u64 = 1;

/// A fresh secret.
pub fn new_secret() -> [u8; SECRET_BYTES] {
    let mut secret = [0u8; SECRET_BYTES];
    rand::fill(&mut secret);
    secret
}

/// The secret an enrolment link proposes: HMAC-SHA-256 of the link's secret (under a fixed
/// label), cut to [`SECRET_BYTES`]. The store keeps only the link's hash, so nothing pending
/// holds the second factor: the page that shows the QR code and the request that completes
/// the enrolment both derive it from the link they hold; once enrolled, the store keeps it
/// (sealed in an encrypted store) and the link no longer works.
pub fn enrolment_secret(link_secret: &str) -> [u8; SECRET_BYTES] {
    derived_secret(b"siproc/v1/totp-enrolment", &[link_secret])
}

/// The new secret a signed-in person is offered when changing their second factor: HMAC-SHA-256
/// of their session's secret (which only their browser's `HttpOnly` cookie holds) and the
/// offer's random id, under another label, cut to [`SECRET_BYTES`]. As for an enrolment,
/// nothing pending is stored: the request that confirms the change (with a code of the new
/// secret) derives it again from the same cookie and offer id, and only then is it kept.
pub fn change_secret(session_secret: &str, offer: &str) -> [u8; SECRET_BYTES] {
    derived_secret(b"siproc/v1/totp-change", &[session_secret, ":", offer])
}

/// HMAC-SHA-256 of `parts` under the key `label` (padded with zeros to HMAC's 64-byte block,
/// RFC 2104), cut to [`SECRET_BYTES`].
fn derived_secret(label: &[u8], parts: &[&str]) -> [u8; SECRET_BYTES] {
    use hmac::{Hmac, Mac};
    let mut block = [0_u8; 64];
    block.iter_mut().zip(label).for_each(|(b, l)| *b = *l);
    let mut mac = <Hmac<sha2::Sha256> as hmac::digest::KeyInit>::new(&block.into());
    for part in parts {
        mac.update(part.as_bytes());
    }
    let tag = mac.finalize().into_bytes();
    let mut secret = [0_u8; SECRET_BYTES];
    secret.iter_mut().zip(tag.iter()).for_each(|(s, t)| *s = *t);
    secret
}

fn totp(secret: &[u8]) -> TOTP {
    TOTP::new_unchecked(Algorithm::SHA1, DIGITS, 0, STEP_SECONDS, secret.to_vec())
}

/// The secret in base32 without padding (what a user types into an application by hand).
pub fn secret_base32(secret: &[u8]) -> String {
    totp(secret).get_secret_base32()
}

/// Percent-encodes everything but RFC 3986's unreserved characters.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The `otpauth://totp/…` link an authenticator application reads (Google Authenticator's key
/// URI format): `issuer` names the system (e.g. "siproc Honduras"), `login` the account.
pub fn otpauth_uri(secret: &[u8], issuer: &str, login: &str) -> String {
    let issuer = percent_encode(issuer);
    format!(
        "otpauth://totp/{issuer}:{login}?secret={secret}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
        login = percent_encode(login),
        secret = secret_base32(secret),
    )
}

/// The code of the step holding `unix_seconds` (for tests and the demo's code command).
pub fn code_at(secret: &[u8], unix_seconds: u64) -> String {
    totp(secret).generate(unix_seconds)
}

/// Equal-length byte strings compared without an early exit.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The step a `code` typed at `unix_seconds` matches, if it is one of the accepted steps and
/// later than `last_step` (the step of the code last accepted, which cannot be used again).
/// Spaces in the code are ignored.
pub fn verify_code(
    secret: &[u8],
    code: &str,
    unix_seconds: u64,
    last_step: Option<u64>,
) -> Option<u64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != DIGITS || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now = unix_seconds / STEP_SECONDS;
    let totp = totp(secret);
    let mut matched = None;
    for step in now.saturating_sub(SKEW_STEPS)..=now + SKEW_STEPS {
        // Every candidate step is computed, matched or not.
        let fits = same(
            totp.generate(step * STEP_SECONDS).as_bytes(),
            code.as_bytes(),
        );
        if fits && last_step.is_none_or(|last| step > last) {
            matched = Some(step);
        }
    }
    matched
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_enrolment_link_proposes_one_secret_of_its_own() {
        assert_eq!(enrolment_secret("a"), enrolment_secret("a"));
        assert_ne!(enrolment_secret("a"), enrolment_secret("b"));
        assert_ne!(enrolment_secret("a"), [0_u8; SECRET_BYTES]);
    }

    #[test]
    fn a_change_offers_a_secret_of_the_session_and_the_offer() {
        assert_eq!(change_secret("s", "o"), change_secret("s", "o"));
        assert_ne!(change_secret("s", "o"), change_secret("s", "p"));
        assert_ne!(change_secret("s", "o"), change_secret("t", "o"));
        // Another label than an enrolment's, and the separator counts.
        assert_ne!(change_secret("a", ""), enrolment_secret("a:"));
        assert_ne!(change_secret("ab", "c"), change_secret("a", "bc"));
    }

    /// RFC 6238's appendix B secret for SHA-1.
    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn codes_are_rfc_6238s() {
        // Appendix B's 8-digit values, last six digits.
        for (t, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_111_111_111, "050471"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
            (20_000_000_000, "353130"),
        ] {
            assert_eq!(code_at(RFC_SECRET, t), code, "at {t}");
        }
    }

    #[test]
    fn a_code_works_within_one_step_of_drift_and_once() {
        let secret = new_secret();
        let t = 1_790_000_000;
        let code = code_at(&secret, t);
        let step = t / STEP_SECONDS;
        assert_eq!(verify_code(&secret, &code, t, None), Some(step));
        assert_eq!(verify_code(&secret, &code, t + 30, None), Some(step));
        assert_eq!(verify_code(&secret, &code, t - 30, None), Some(step));
        assert_eq!(verify_code(&secret, &code, t + 90, None), None);
        // Used once: refused again, and so is any earlier step's.
        assert_eq!(verify_code(&secret, &code, t, Some(step)), None);
        let earlier = code_at(&secret, t - 30);
        assert_eq!(verify_code(&secret, &earlier, t, Some(step)), None);
        // Spaces are fine; other shapes are not.
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify_code(&secret, &spaced, t, None), Some(step));
        assert_eq!(verify_code(&secret, "12345", t, None), None);
        assert_eq!(verify_code(&secret, "abcdef", t, None), None);
        assert_eq!(verify_code(&secret, "", t, None), None);
    }

    #[test]
    fn the_link_carries_the_secret_in_base32() {
        assert_eq!(secret_base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(
            secret_base32(RFC_SECRET),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(
            otpauth_uri(RFC_SECRET, "siproc Honduras", "ana.lopez"),
            "otpauth://totp/siproc%20Honduras:ana.lopez?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=siproc%20Honduras&algorithm=SHA1&digits=6&period=30"
        );
    }
}
