//! Passkeys (WebAuthn): phishing-resistant sign-in with a key pair that a person's device (a
//! phone, a laptop's secure enclave, a security key) keeps and unlocks with their fingerprint,
//! face or PIN. The rules and the ceremonies are here; a store keeps the passkeys and the
//! ceremonies' state ([`crate::store::Records::add_passkey`],
//! [`crate::store::Records::begin_ceremony`]) and a server transports the JSON.
//!
//! **Why `webauthn-rs`.** It is the WebAuthn library of the Kanidm identity server, maintained
//! by people who work on the standard, audited (SUSE, 2022), and its API is built so that the
//! dangerous choices are hard to make: user verification is required, the challenge's state is
//! not serialisable unless one opts in (siproc does, to keep it in the database, which its
//! documentation names as the safe place), counters and origins are checked for the caller.
//! Writing the CBOR, COSE and attestation checks ourselves would be the opposite of "security
//! code is boring". Since 0.6 its cryptography is RustCrypto's (through `crypto-glue`), like
//! the rest of siproc's.
//!
//! **The relying party follows the server's origin** (`RelyingParty::new`): the relying
//! party id is the origin's host (`siproc.example.org` for `https://siproc.example.org`), and
//! only that origin is accepted in a ceremony's client data. WebAuthn has no relying party for
//! an IP address (browsers refuse it, and so does `webauthn-rs`): a server reached at
//! `http://127.0.0.1:8080` offers no passkeys ([`PasskeyError::Unavailable`]); on a developer's
//! machine it is reached at `http://localhost:PORT` instead, the one plain-HTTP origin
//! browsers treat as secure.
//!
//! **Discoverable credentials, so the button needs no login.** Registration asks the
//! authenticator to keep the credential (`residentKey: required`), and sign-in starts without a
//! user (`RelyingParty::start_sign_in`): the authenticator offers the person their passkeys
//! for this site and answers with the credential's id and the user handle (a random UUID per
//! user, [`crate::store::Records::passkey_user_handle`], never the login), which the server
//! looks up. A credential not stored, or stored for another user handle, is refused.
//!
//! **Ceremony state stays on the server.** Each ceremony's state (its challenge) is kept in the
//! database under the SHA-256 of a random ceremony id, used once (taken with a conditional
//! delete, so two processes cannot both finish it), and lives [`CEREMONY_SECONDS`]; open
//! ceremonies are bounded per client ([`MAX_CEREMONIES_PER_CLIENT`]) and in all
//! ([`MAX_OPEN_CEREMONIES`]). A replayed assertion finds its ceremony gone; a forged one fails
//! the signature or the challenge.

use serde::{Deserialize, Serialize};

#[cfg(feature = "passkeys")]
mod webauthn;
#[cfg(feature = "passkeys")]
pub use webauthn::RelyingParty;

/// Seconds a ceremony (its challenge) lives: the time the browser gives the person too.
pub const CEREMONY_SECONDS: u32 = 300;
/// Most passkeys one user keeps.
pub const MAX_PASSKEYS: usize = 10;
/// Longest passkey name.
pub const MAX_NAME_CHARS: usize = 60;
/// Most ceremonies open at once, in all.
pub const MAX_OPEN_CEREMONIES: u64 = 10_000;
/// Most ceremonies one client (by its keyed address) has open at once.
pub const MAX_CEREMONIES_PER_CLIENT: u64 = 16;
/// The relying party's name browsers show.
pub const RP_NAME: &str = "siproc";

/// What a ceremony is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CeremonyKind {
    /// Adding a passkey to the signed-in user.
    Registration,
    /// Signing in with a passkey.
    SignIn,
}

impl CeremonyKind {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            CeremonyKind::Registration => "registration",
            CeremonyKind::SignIn => "sign_in",
        }
    }
}

/// A passkey as its owner sees it listed (no key material).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct PasskeyInfo {
    /// Its public id (to remove it).
    pub id: String,
    /// The name its owner gave it ("work laptop").
    pub name: String,
    /// When it was added.
    pub created_at: chrono::DateTime<chrono::Utc>,
    /// When it last signed in, if it has.
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// A passkey as stored: its listing, whose it is, and the credential (public key, counter) as
/// `webauthn-rs` serialises it.
#[derive(Clone, PartialEq, Eq)]
pub struct StoredPasskey {
    /// What its owner sees.
    pub info: PasskeyInfo,
    /// Its user.
    pub user_id: String,
    /// The credential id, base64url.
    pub credential_id: String,
    /// The credential, JSON.
    pub credential: String,
}

impl std::fmt::Debug for StoredPasskey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredPasskey")
            .field("id", &self.info.id)
            .finish_non_exhaustive()
    }
}

/// A credential a registration ceremony produced, to store.
#[derive(Clone)]
pub struct NewCredential {
    /// The user handle it carries.
    pub user_handle: String,
    /// The credential id, base64url.
    pub credential_id: String,
    /// The credential, JSON.
    pub credential: String,
}

/// What a sign-in response names before it is checked: the user handle and the credential id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claimed {
    /// The user handle (a UUID the authenticator keeps).
    pub user_handle: String,
    /// The credential id, base64url.
    pub credential_id: String,
}

/// Checks a passkey's name: 1 to [`MAX_NAME_CHARS`] characters without control characters,
/// trimmed.
pub fn checked_name(name: &str) -> Result<String, PasskeyError> {
    let name = name.trim();
    let count = name.chars().count();
    if count == 0 || count > MAX_NAME_CHARS || name.chars().any(char::is_control) {
        return Err(PasskeyError::BadName {
            max: MAX_NAME_CHARS,
        });
    }
    Ok(name.to_owned())
}

/// A new user handle: a random UUID, so the authenticator never holds the login.
pub fn new_user_handle() -> String {
    let mut bytes = [0_u8; 16];
    rand::fill(&mut bytes);
    uuid::Builder::from_random_bytes(bytes)
        .into_uuid()
        .to_string()
}

/// A passkey operation refused. Never holds a key, a challenge or a login.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PasskeyError {
    /// The server's origin has no relying party (an IP address, or plain HTTP elsewhere than
    /// `localhost`).
    #[error("passkeys need the server to be reached at a domain name over HTTPS (or at localhost)")]
    Unavailable,
    /// The name is empty, too long or holds control characters.
    #[error("a passkey's name is 1 to {max} characters without control characters")]
    BadName {
        /// The limit.
        max: usize,
    },
    /// The user has as many passkeys as allowed.
    #[error("a user keeps at most {max} passkeys: remove one first")]
    TooMany {
        /// The limit.
        max: usize,
    },
    /// The ceremony is unknown, used or expired.
    #[error("this passkey ceremony is unknown, used or expired: start again")]
    CeremonyUnknown,
    /// Too many ceremonies are open (for this client, or in all).
    #[error("too many passkey ceremonies are open: try again in a few minutes")]
    Busy,
    /// The browser's response did not verify (challenge, origin, signature, user
    /// verification, counter), or is not a WebAuthn response.
    #[error("the passkey's response was refused")]
    Rejected,
    /// The credential is registered already.
    #[error("this passkey is registered already")]
    AlreadyRegistered,
}

impl PasskeyError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            PasskeyError::Unavailable => "passkeys.unavailable",
            PasskeyError::BadName { .. } => "passkeys.bad_name",
            PasskeyError::TooMany { .. } => "passkeys.too_many",
            PasskeyError::CeremonyUnknown => "passkeys.ceremony_unknown",
            PasskeyError::Busy => "passkeys.busy",
            PasskeyError::Rejected => "passkeys.rejected",
            PasskeyError::AlreadyRegistered => "passkeys.already_registered",
        }
    }
}

/// Every code a [`PasskeyError`] can have.
pub const ERROR_CODES: &[&str] = &[
    "passkeys.unavailable",
    "passkeys.bad_name",
    "passkeys.too_many",
    "passkeys.ceremony_unknown",
    "passkeys.busy",
    "passkeys.rejected",
    "passkeys.already_registered",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(checked_name("  work laptop ").unwrap(), "work laptop");
        for bad in ["", "  ", "a\u{1}b"] {
            assert!(checked_name(bad).is_err(), "{bad:?}");
        }
        assert!(checked_name(&"x".repeat(MAX_NAME_CHARS + 1)).is_err());
    }

    #[test]
    fn user_handles_are_random_uuids() {
        let (a, b) = (new_user_handle(), new_user_handle());
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
    }

    #[test]
    fn every_error_has_a_listed_code() {
        let all = [
            PasskeyError::Unavailable,
            PasskeyError::BadName { max: 1 },
            PasskeyError::TooMany { max: 1 },
            PasskeyError::CeremonyUnknown,
            PasskeyError::Busy,
            PasskeyError::Rejected,
            PasskeyError::AlreadyRegistered,
        ];
        assert_eq!(all.len(), ERROR_CODES.len());
        for e in all {
            assert!(ERROR_CODES.contains(&e.code()), "{e}");
        }
    }
}
