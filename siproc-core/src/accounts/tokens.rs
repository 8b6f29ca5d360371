//! API tokens: the bearer credentials of programs (chancellery software, Python scripts).
//!
//! A token is named, owned by a user, limited to [`Scope`]s and to a lifetime (default
//! [`DEFAULT_DAYS`] days), and revocable. Only its SHA-256 is stored; the secret is shown once,
//! when it is made. A token never grants more than its owner: the request acts as the owner's
//! *current* role and office, and a token stops when its owner is disabled
//! ([`check_token`]).

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};

use super::{AccountError, User};

/// A token's lifetime when none is asked for.
pub const DEFAULT_DAYS: u32 = 90;
/// The longest lifetime a token may ask for.
pub const MAX_DAYS: u32 = 366;
/// Longest token name.
pub const MAX_NAME_CHARS: usize = 80;

/// What a token may be used for: an area of the API and whether it reads or writes.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
pub enum Scope {
    /// Read cases, their histories, forms and the event feed.
    #[serde(rename = "cases:read")]
    CasesRead,
    /// Register cases, run commands, break the glass.
    #[serde(rename = "cases:write")]
    CasesWrite,
    /// Read statistics.
    #[serde(rename = "stats:read")]
    StatsRead,
    /// Read the access log, the audit log and the form-check log.
    #[serde(rename = "logs:read")]
    LogsRead,
    /// Export the archive: ask for an export, approve another's, download it.
    #[serde(rename = "archive:read")]
    ArchiveRead,
    /// Import an archive.
    #[serde(rename = "archive:write")]
    ArchiveWrite,
    /// Read users.
    #[serde(rename = "users:read")]
    UsersRead,
    /// Create and change users.
    #[serde(rename = "users:write")]
    UsersWrite,
    /// List the owner's tokens.
    #[serde(rename = "tokens:read")]
    TokensRead,
    /// Create and revoke the owner's tokens.
    #[serde(rename = "tokens:write")]
    TokensWrite,
    /// Read the server's metrics (`GET /metrics`) from an address not allowed by itself: a
    /// monitoring system's credential. Metrics hold counts only, never a personal value.
    #[serde(rename = "metrics:read")]
    MetricsRead,
}

impl Scope {
    /// Every scope.
    pub const ALL: [Scope; 11] = [
        Scope::CasesRead,
        Scope::CasesWrite,
        Scope::StatsRead,
        Scope::LogsRead,
        Scope::ArchiveRead,
        Scope::ArchiveWrite,
        Scope::UsersRead,
        Scope::UsersWrite,
        Scope::TokensRead,
        Scope::TokensWrite,
        Scope::MetricsRead,
    ];

    /// The wire name (`cases:read`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::CasesRead => "cases:read",
            Scope::CasesWrite => "cases:write",
            Scope::StatsRead => "stats:read",
            Scope::LogsRead => "logs:read",
            Scope::ArchiveRead => "archive:read",
            Scope::ArchiveWrite => "archive:write",
            Scope::UsersRead => "users:read",
            Scope::UsersWrite => "users:write",
            Scope::TokensRead => "tokens:read",
            Scope::TokensWrite => "tokens:write",
            Scope::MetricsRead => "metrics:read",
        }
    }

    /// The scope with this wire name.
    pub fn from_name(name: &str) -> Option<Scope> {
        Scope::ALL.into_iter().find(|s| s.as_str() == name)
    }

    /// Scopes as stored: their wire names, sorted, space-separated.
    pub fn join(scopes: &[Scope]) -> String {
        let mut scopes = scopes.to_vec();
        scopes.sort_unstable();
        scopes.dedup();
        scopes
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Scopes as stored, read back.
    pub fn split(stored: &str) -> Result<Vec<Scope>, AccountError> {
        stored
            .split_whitespace()
            .map(|s| Scope::from_name(s).ok_or(AccountError::UnknownScope))
            .collect()
    }
}

/// What creates a token (`POST /tokens`, `siproc-server token create`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NewToken {
    /// A name for people ("chancellery sync"): 1 to 80 characters.
    pub name: String,
    /// What it may do; every scope when absent.
    #[serde(default)]
    pub scopes: Option<Vec<Scope>>,
    /// Its lifetime in days (1 to 366); 90 when absent.
    #[serde(default)]
    pub expires_in_days: Option<u32>,
}

/// A token as listed: never its secret, never its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApiToken {
    /// Its id (what revokes it).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its owner.
    pub user_id: String,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// When it was made.
    pub created_at: DateTime<Utc>,
    /// When it stops working.
    pub expires_at: DateTime<Utc>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiToken {
    /// Whether it works at `now` (its owner apart).
    pub fn is_live(&self, now: DateTime<Utc>) -> bool {
        self.revoked_at.is_none() && now < self.expires_at
    }
}

impl NewToken {
    /// The token this asks for, for `owner` at `now`, with `id` (its secret is made and hashed
    /// by the caller).
    pub fn token(
        &self,
        owner: &User,
        id: String,
        now: DateTime<Utc>,
    ) -> Result<ApiToken, AccountError> {
        let name = self.name.trim();
        let count = name.chars().count();
        if count == 0 || count > MAX_NAME_CHARS || name.chars().any(char::is_control) {
            return Err(AccountError::BadTokenName {
                max: MAX_NAME_CHARS,
            });
        }
        let days = self.expires_in_days.unwrap_or(DEFAULT_DAYS);
        if !(1..=MAX_DAYS).contains(&days) {
            return Err(AccountError::BadExpiry { max_days: MAX_DAYS });
        }
        let mut scopes = self.scopes.clone().unwrap_or_else(|| Scope::ALL.to_vec());
        scopes.sort_unstable();
        scopes.dedup();
        Ok(ApiToken {
            id,
            name: name.to_owned(),
            user_id: owner.id.clone(),
            scopes,
            created_at: now,
            expires_at: now + TimeDelta::days(days.into()),
            revoked_at: None,
        })
    }
}

/// Reads a lifetime as the command line writes it: `90d`, `12h` is refused (days only), `90`.
pub fn parse_days(text: &str) -> Result<u32, AccountError> {
    let digits = text.strip_suffix('d').unwrap_or(text);
    digits
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=MAX_DAYS).contains(d))
        .ok_or(AccountError::BadExpiry { max_days: MAX_DAYS })
}

/// Why a credential does not let a request in. A server answers every one the same way
/// (401), so a caller learns nothing about tokens it does not hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No such token.
    Unknown,
    /// Past its expiry.
    Expired,
    /// Revoked.
    Revoked,
    /// Its owner is disabled.
    OwnerDisabled,
}

/// Checks `token` of `owner` at `now`: live, and its owner active.
pub fn check_token(token: &ApiToken, owner: &User, now: DateTime<Utc>) -> Result<(), Refused> {
    if token.revoked_at.is_some() {
        Err(Refused::Revoked)
    } else if now >= token.expires_at {
        Err(Refused::Expired)
    } else if !owner.is_active() {
        Err(Refused::OwnerDisabled)
    } else {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{NewUser, UserState};
    use crate::actor::Role;

    fn now() -> DateTime<Utc> {
        DateTime::from_timestamp(1_790_000_000, 0).unwrap_or_default()
    }

    fn ana() -> User {
        NewUser {
            login: "ana".into(),
            display_name: None,
            role: Role::Officer,
            office: Some("TAP".into()),
        }
        .user(now())
        .unwrap()
    }

    fn ask(name: &str, days: Option<u32>) -> NewToken {
        NewToken {
            name: name.into(),
            scopes: None,
            expires_in_days: days,
        }
    }

    #[test]
    fn scopes_have_one_wire_name_that_serde_agrees_with() {
        for scope in Scope::ALL {
            let json = serde_json::to_value(scope).unwrap();
            assert_eq!(json, scope.as_str());
            assert_eq!(Scope::from_name(scope.as_str()), Some(scope));
        }
        let stored = Scope::join(&[Scope::StatsRead, Scope::CasesRead, Scope::StatsRead]);
        assert_eq!(stored, "cases:read stats:read");
        assert_eq!(
            Scope::split(&stored),
            Ok(vec![Scope::CasesRead, Scope::StatsRead])
        );
        assert_eq!(
            Scope::split("cases:read root"),
            Err(AccountError::UnknownScope)
        );
        assert!(serde_json::from_str::<Scope>("\"admin\"").is_err());
    }

    #[test]
    fn a_token_defaults_to_every_scope_for_ninety_days() {
        let t = ask(" sync ", None)
            .token(&ana(), "t1".into(), now())
            .unwrap();
        assert_eq!(t.name, "sync");
        assert_eq!(t.scopes, Scope::ALL.to_vec());
        assert_eq!(t.expires_at - t.created_at, TimeDelta::days(90));
        assert!(t.is_live(now()));
        assert!(!t.is_live(t.expires_at));
    }

    #[test]
    fn names_and_lifetimes_are_bounded() {
        for bad in ["", "  ", "a\nb"] {
            assert!(matches!(
                ask(bad, None).token(&ana(), "t".into(), now()),
                Err(AccountError::BadTokenName { .. })
            ));
        }
        for days in [0, 367] {
            assert!(matches!(
                ask("x", Some(days)).token(&ana(), "t".into(), now()),
                Err(AccountError::BadExpiry { .. })
            ));
        }
        assert_eq!(parse_days("90d"), Ok(90));
        assert_eq!(parse_days("7"), Ok(7));
        for bad in ["0d", "12h", "", "d", "-1d", "400d"] {
            assert!(parse_days(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_token_stops_when_expired_revoked_or_its_owner_disabled() {
        let mut owner = ana();
        let mut t = ask("x", Some(1)).token(&owner, "t".into(), now()).unwrap();
        assert_eq!(check_token(&t, &owner, now()), Ok(()));
        assert_eq!(
            check_token(&t, &owner, now() + TimeDelta::days(1)),
            Err(Refused::Expired)
        );
        owner.state = UserState::Disabled;
        assert_eq!(check_token(&t, &owner, now()), Err(Refused::OwnerDisabled));
        t.revoked_at = Some(now());
        assert_eq!(check_token(&t, &owner, now()), Err(Refused::Revoked));
    }
}
