//! Signing in with the ministry's identity provider (OpenID Connect): the rules. A server does
//! the protocol (discovery, the authorization code flow with PKCE, the ID token's checks); the
//! rules here decide what a sign-in begun must look like when it comes back, and which siproc
//! user the provider's answer names.
//!
//! - A sign-in begun is a [`PendingLogin`]: the `nonce` and the PKCE verifier the callback
//!   needs, the SHA-256 of a secret held by the browser that began it (in a short-lived
//!   cookie), and an expiry [`PENDING_MINUTES`] away. The store keeps it under the SHA-256 of
//!   the `state` parameter and hands it out once
//!   ([`crate::store::Records::take_oidc_login`]): a replayed, forged or expired `state`, or a
//!   callback in another browser (without the cookie), finds nothing to finish.
//! - The provider's identity maps to an existing user through one configured claim
//!   ([`LoginClaim`]): `preferred_username` (the default), `email` (verified, in the one
//!   configured domain: its local part is the login) or `sub`. Nobody is created: a claim that
//!   names no user, or a disabled one, is refused like a wrong password.

use chrono::{DateTime, TimeDelta, Utc};

use super::check_login;

/// Minutes a sign-in begun may take at the provider before its callback is refused.
pub const PENDING_MINUTES: i64 = 10;

/// Which claim of the provider's identity names the siproc login.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum LoginClaim {
    /// `preferred_username`, lowercased (the default).
    #[default]
    PreferredUsername,
    /// `email`, when `email_verified` and in the configured domain: its local part, lowercased.
    Email,
    /// `sub`, the provider's own identifier of the person, lowercased.
    Subject,
}

impl LoginClaim {
    /// The claim's name (and the configuration's value).
    pub fn as_str(self) -> &'static str {
        match self {
            LoginClaim::PreferredUsername => "preferred_username",
            LoginClaim::Email => "email",
            LoginClaim::Subject => "sub",
        }
    }

    /// The claim with this name.
    pub fn from_name(name: &str) -> Option<LoginClaim> {
        [
            LoginClaim::PreferredUsername,
            LoginClaim::Email,
            LoginClaim::Subject,
        ]
        .into_iter()
        .find(|c| c.as_str() == name)
    }
}

/// What the provider vouched for about the person (from the checked ID token, completed by
/// the user info endpoint when the token leaves a claim out).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    /// `sub`.
    pub subject: String,
    /// `preferred_username`, if given.
    pub preferred_username: Option<String>,
    /// `email`, if given.
    pub email: Option<String>,
    /// `email_verified` (absent: false).
    pub email_verified: bool,
}

impl Identity {
    /// Whether the claim `claim` is present (else the user info endpoint may have it).
    pub fn has(&self, claim: LoginClaim) -> bool {
        match claim {
            LoginClaim::PreferredUsername => self.preferred_username.is_some(),
            LoginClaim::Email => self.email.is_some(),
            LoginClaim::Subject => true,
        }
    }
}

/// The siproc login `identity` names through `claim` (`email_domain`: the one domain whose
/// verified addresses count, for [`LoginClaim::Email`]), if it is a well-formed login. Whether
/// that user exists and is active is the caller's next question.
pub fn login_for(
    claim: LoginClaim,
    identity: &Identity,
    email_domain: Option<&str>,
) -> Option<String> {
    let login = match claim {
        LoginClaim::PreferredUsername => identity
            .preferred_username
            .as_deref()?
            .trim()
            .to_lowercase(),
        LoginClaim::Subject => identity.subject.trim().to_lowercase(),
        LoginClaim::Email => {
            let (local, domain) = identity.email.as_deref()?.trim().rsplit_once('@')?;
            let wanted = email_domain?.trim();
            if !identity.email_verified || wanted.is_empty() || !domain.eq_ignore_ascii_case(wanted)
            {
                return None;
            }
            local.to_lowercase()
        }
    };
    check_login(&login).ok().map(|()| login)
}

/// A sign-in sent to the provider and not yet back: what its callback needs. Holds no
/// credential of the person; the `nonce` and verifier are worth nothing without the code the
/// provider sends to the browser that holds the cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct PendingLogin {
    /// The SHA-256 of the secret in the browser's short-lived cookie (never the secret).
    pub browser_hash: String,
    /// The `nonce` the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier the token request sends.
    pub pkce_verifier: String,
    /// When it stops being accepted.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for PendingLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PendingLogin")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl PendingLogin {
    /// A sign-in begun at `now` by the browser whose cookie's secret hashes to `browser_hash`.
    pub fn new(
        browser_hash: String,
        nonce: String,
        pkce_verifier: String,
        now: DateTime<Utc>,
    ) -> PendingLogin {
        PendingLogin {
            browser_hash,
            nonce,
            pkce_verifier,
            expires_at: now + TimeDelta::minutes(PENDING_MINUTES),
        }
    }

    /// Whether its callback may finish it at `now`, from a browser whose cookie's secret
    /// hashes to `browser_hash` (none: no cookie). The hashes are compared in constant time.
    pub fn accepts(&self, browser_hash: Option<&str>, now: DateTime<Utc>) -> bool {
        let same = browser_hash.is_some_and(|h| {
            h.len() == self.browser_hash.len()
                && h.bytes()
                    .zip(self.browser_hash.bytes())
                    .fold(0_u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        });
        same && now < self.expires_at
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 0).unwrap_or_default()
    }

    fn identity() -> Identity {
        Identity {
            subject: "248289761001".into(),
            preferred_username: Some(" Ana.Perez ".into()),
            email: Some("Ana.Perez@SRECI.gob.hn".into()),
            email_verified: true,
        }
    }

    #[test]
    fn claim_names_round_trip() {
        for c in [
            LoginClaim::PreferredUsername,
            LoginClaim::Email,
            LoginClaim::Subject,
        ] {
            assert_eq!(LoginClaim::from_name(c.as_str()), Some(c));
        }
        assert_eq!(LoginClaim::from_name("name"), None);
        assert_eq!(LoginClaim::default(), LoginClaim::PreferredUsername);
    }

    #[test]
    fn the_configured_claim_names_the_login() {
        let id = identity();
        let domain = Some("sreci.gob.hn");
        assert_eq!(
            login_for(LoginClaim::PreferredUsername, &id, None).as_deref(),
            Some("ana.perez")
        );
        assert_eq!(
            login_for(LoginClaim::Subject, &id, None).as_deref(),
            Some("248289761001")
        );
        assert_eq!(
            login_for(LoginClaim::Email, &id, domain).as_deref(),
            Some("ana.perez")
        );
        // Another domain, no domain configured, or an address not verified: nobody.
        assert_eq!(
            login_for(LoginClaim::Email, &id, Some("evil.example")),
            None
        );
        assert_eq!(login_for(LoginClaim::Email, &id, None), None);
        let unverified = Identity {
            email_verified: false,
            ..identity()
        };
        assert_eq!(login_for(LoginClaim::Email, &unverified, domain), None);
        // A claim absent, or no well-formed login.
        let bare = Identity {
            subject: "Not A Login!".into(),
            ..Identity::default()
        };
        assert_eq!(login_for(LoginClaim::PreferredUsername, &bare, None), None);
        assert_eq!(login_for(LoginClaim::Subject, &bare, None), None);
        assert!(!bare.has(LoginClaim::Email) && bare.has(LoginClaim::Subject));
    }

    #[test]
    fn a_pending_login_needs_its_browser_and_time() {
        let pending = PendingLogin::new("ab".repeat(32), "n".into(), "v".into(), t(0));
        let mine = "ab".repeat(32);
        assert!(pending.accepts(Some(&mine), t(60)));
        assert!(!pending.accepts(None, t(60)), "no cookie");
        assert!(
            !pending.accepts(Some(&"cd".repeat(32)), t(60)),
            "another browser"
        );
        assert!(!pending.accepts(Some("ab"), t(60)));
        assert!(
            !pending.accepts(Some(&mine), t(PENDING_MINUTES * 60)),
            "expired"
        );
        assert!(!format!("{pending:?}").contains("abab"));
    }
}
