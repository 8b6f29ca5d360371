//! Sessions of people signed in, and the backoff after failed sign-ins: the rules; a store keeps
//! the rows ([`crate::store::Records::create_session`]) and a server sets the cookie.
//!
//! - A session is named by a random secret the browser holds in a cookie; the store keeps
//!   only its SHA-256 (as for API tokens), so a database reader cannot take a session over,
//!   and ending a session is one row change every process sees at its next request.
//! - A session ends after [`SessionPolicy::idle`] without a request (30 minutes by default)
//!   and [`SessionPolicy::absolute`] after sign-in (12 hours by default), ASVS 3.3.2 at level
//!   2; when its user is disabled; when signed out, or signed out everywhere.
//! - A signed-in person proves it is them again before changing a credential (ASVS 3.7.1):
//!   their password with a current code or a recovery code, or a passkey. The session is then
//!   marked re-authenticated for [`REAUTH_MINUTES`] ([`reauthenticated_until`]), and the
//!   changes need the mark ([`check_reauthenticated`]); an API token has no session, so it
//!   never makes them. A failed re-authentication counts in the sign-in's backoff.
//! - After failed sign-ins, each account and each client (both as keyed hashes) wait
//!   [`backoff`] before the next try: one second after the third failure, doubling, at most
//!   [`BACKOFF_CAP_SECONDS`]. There is no lockout: an attacker who knows a login can slow its
//!   owner down, never shut them out.

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{AccountError, User, UserState};

/// Default minutes without a request before a session ends.
pub const DEFAULT_IDLE_MINUTES: i64 = 30;
/// Default hours after sign-in before a session ends.
pub const DEFAULT_ABSOLUTE_HOURS: i64 = 12;
/// Failures allowed before any wait.
pub const FREE_FAILURES: u32 = 2;
/// The longest wait between tries, in seconds.
pub const BACKOFF_CAP_SECONDS: i64 = 300;
/// Minutes a re-authentication lets its session change credentials.
pub const REAUTH_MINUTES: i64 = 5;
/// A session's last-seen time is written again only after this many seconds, so that reads
/// do not each make a write (the idle timeout is that much coarser).
pub const TOUCH_SECONDS: i64 = 60;

/// How long sessions last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SessionPolicy {
    /// Time without a request after which a session ends.
    pub idle: TimeDelta,
    /// Time after sign-in after which a session ends.
    pub absolute: TimeDelta,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: TimeDelta::minutes(DEFAULT_IDLE_MINUTES),
            absolute: TimeDelta::hours(DEFAULT_ABSOLUTE_HOURS),
        }
    }
}

/// How a session was signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum SignInMethod {
    /// Password and a second-factor code.
    PasswordTotp,
    /// Password and a recovery code.
    PasswordRecovery,
    /// The ministry's identity provider (OpenID Connect, [`super::oidc`]).
    Oidc,
    /// A passkey (WebAuthn, with user verification).
    Passkey,
}

impl SignInMethod {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            SignInMethod::PasswordTotp => "password_totp",
            SignInMethod::PasswordRecovery => "password_recovery",
            SignInMethod::Oidc => "oidc",
            SignInMethod::Passkey => "passkey",
        }
    }

    /// The method with this wire name.
    pub fn from_name(name: &str) -> Option<SignInMethod> {
        [
            SignInMethod::PasswordTotp,
            SignInMethod::PasswordRecovery,
            SignInMethod::Oidc,
            SignInMethod::Passkey,
        ]
        .into_iter()
        .find(|m| m.as_str() == name)
    }
}

/// A session as listed to its user (never its secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Session {
    /// A public id (to end this session from the account page).
    pub id: String,
    /// Whose.
    pub user_id: String,
    /// How it was signed in.
    pub method: SignInMethod,
    /// When it was signed in.
    pub created_at: DateTime<Utc>,
    /// When it was last used (to within [`TOUCH_SECONDS`]).
    pub last_seen_at: DateTime<Utc>,
    /// When it was ended (signed out), if it was.
    pub ended_at: Option<DateTime<Utc>>,
    /// Until when it may change credentials (after a re-authentication), if it may.
    #[serde(default)]
    pub reauthenticated_until: Option<DateTime<Utc>>,
}

/// Why a session does not let its holder in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionRefused {
    /// No such session.
    Unknown,
    /// Signed out (or ended by sign out everywhere).
    Ended,
    /// No request for longer than the idle timeout.
    Idle,
    /// Older than the absolute timeout.
    Expired,
    /// Its user is disabled.
    UserDisabled,
}

impl SessionRefused {
    /// A stable name for logs and audit entries.
    pub fn as_str(self) -> &'static str {
        match self {
            SessionRefused::Unknown => "unknown",
            SessionRefused::Ended => "ended",
            SessionRefused::Idle => "idle",
            SessionRefused::Expired => "expired",
            SessionRefused::UserDisabled => "user_disabled",
        }
    }
}

/// Whether `session` of `owner` lets its holder in at `now`.
pub fn check_session(
    session: &Session,
    owner: &User,
    policy: &SessionPolicy,
    now: DateTime<Utc>,
) -> Result<(), SessionRefused> {
    if owner.state != UserState::Active {
        Err(SessionRefused::UserDisabled)
    } else if session.ended_at.is_some() {
        Err(SessionRefused::Ended)
    } else if now >= session.created_at + policy.absolute {
        Err(SessionRefused::Expired)
    } else if now >= session.last_seen_at + policy.idle {
        Err(SessionRefused::Idle)
    } else {
        Ok(())
    }
}

/// Until when a session re-authenticated at `now` may change credentials.
pub fn reauthenticated_until(now: DateTime<Utc>) -> DateTime<Utc> {
    now + TimeDelta::minutes(REAUTH_MINUTES)
}

/// Whether `session` may change credentials at `now`: re-authenticated less than
/// [`REAUTH_MINUTES`] ago; [`AccountError::ReauthRequired`] otherwise.
pub fn check_reauthenticated(session: &Session, now: DateTime<Utc>) -> Result<(), AccountError> {
    match session.reauthenticated_until {
        Some(until) if now < until => Ok(()),
        _ => Err(AccountError::ReauthRequired),
    }
}

/// Whether a request at `now` should write the session's last-seen time again.
pub fn needs_touch(session: &Session, now: DateTime<Utc>) -> bool {
    now >= session.last_seen_at + TimeDelta::seconds(TOUCH_SECONDS)
}

/// The wait after `failures` consecutive failed sign-ins: none for the first
/// [`FREE_FAILURES`], then 1 s, 2 s, 4 s, … up to [`BACKOFF_CAP_SECONDS`].
pub fn backoff(failures: u32) -> TimeDelta {
    let Some(over) = failures.checked_sub(FREE_FAILURES + 1) else {
        return TimeDelta::zero();
    };
    let seconds = 1_i64
        .checked_shl(over.min(62))
        .unwrap_or(BACKOFF_CAP_SECONDS)
        .min(BACKOFF_CAP_SECONDS);
    TimeDelta::seconds(seconds)
}

/// When the next try is allowed after `failures` failures, the last at `last_failure`.
pub fn next_try(failures: u32, last_failure: DateTime<Utc>) -> DateTime<Utc> {
    last_failure + backoff(failures)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::actor::Role;

    fn t(seconds: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000 + seconds, 0).unwrap_or_default()
    }

    fn user(state: UserState) -> User {
        User {
            id: "ana".into(),
            display_name: "Ana".into(),
            role: Role::Officer,
            office: Some("TAP".into()),
            state,
            created_at: t(0),
            changed_at: t(0),
        }
    }

    fn session(last_seen: i64) -> Session {
        Session {
            id: "s1".into(),
            user_id: "ana".into(),
            method: SignInMethod::PasswordTotp,
            created_at: t(0),
            last_seen_at: t(last_seen),
            ended_at: None,
            reauthenticated_until: None,
        }
    }

    #[test]
    fn sessions_end_when_idle_old_ended_or_their_user_disabled() {
        let policy = SessionPolicy::default();
        let ana = user(UserState::Active);
        assert_eq!(check_session(&session(0), &ana, &policy, t(60)), Ok(()));
        assert_eq!(
            check_session(&session(0), &ana, &policy, t(30 * 60)),
            Err(SessionRefused::Idle)
        );
        // Used recently, but signed in twelve hours ago.
        assert_eq!(
            check_session(&session(12 * 3600 - 10), &ana, &policy, t(12 * 3600)),
            Err(SessionRefused::Expired)
        );
        let mut ended = session(0);
        ended.ended_at = Some(t(5));
        assert_eq!(
            check_session(&ended, &ana, &policy, t(10)),
            Err(SessionRefused::Ended)
        );
        assert_eq!(
            check_session(&session(0), &user(UserState::Disabled), &policy, t(1)),
            Err(SessionRefused::UserDisabled)
        );
        let short = SessionPolicy {
            idle: TimeDelta::seconds(5),
            absolute: TimeDelta::hours(1),
        };
        assert_eq!(
            check_session(&session(0), &ana, &short, t(5)),
            Err(SessionRefused::Idle)
        );
        assert!(!needs_touch(&session(0), t(59)) && needs_touch(&session(0), t(60)));
    }

    #[test]
    fn a_reauthentication_lasts_five_minutes() {
        let mut s = session(0);
        assert_eq!(
            check_reauthenticated(&s, t(1)),
            Err(AccountError::ReauthRequired)
        );
        s.reauthenticated_until = Some(reauthenticated_until(t(10)));
        assert_eq!(check_reauthenticated(&s, t(10)), Ok(()));
        assert_eq!(check_reauthenticated(&s, t(10 + 299)), Ok(()));
        assert_eq!(
            check_reauthenticated(&s, t(10 + 300)),
            Err(AccountError::ReauthRequired)
        );
    }

    #[test]
    fn backoff_doubles_from_the_third_failure_and_is_capped() {
        let waits: Vec<i64> = (0..12).map(|n| backoff(n).num_seconds()).collect();
        assert_eq!(waits, [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256]);
        assert_eq!(backoff(13).num_seconds(), BACKOFF_CAP_SECONDS);
        assert_eq!(backoff(u32::MAX).num_seconds(), BACKOFF_CAP_SECONDS);
        assert_eq!(next_try(4, t(0)), t(2));
    }

    #[test]
    fn method_names_round_trip() {
        for m in [
            SignInMethod::PasswordTotp,
            SignInMethod::PasswordRecovery,
            SignInMethod::Oidc,
            SignInMethod::Passkey,
        ] {
            assert_eq!(SignInMethod::from_name(m.as_str()), Some(m));
        }
        assert_eq!(SignInMethod::from_name("token"), None);
    }
}
