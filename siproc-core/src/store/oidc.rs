//! OpenID Connect sign-ins begun and not yet back, in the cases' database (schema "13: OpenID
//! Connect sign-ins"), through the one SQL layer: the rows of
//! [`crate::accounts::oidc::PendingLogin`], by the SHA-256 of their `state` (never the state).
//!
//! The callback of any server process sharing the database finds the sign-in another began.
//! Each is handed out once: the `DELETE` that takes it is the check, so two callbacks with the
//! same `state` (a replay racing the original) cannot both finish it. Rows past their expiry
//! are dropped whenever a sign-in begins.

use chrono::{DateTime, Utc};

use crate::accounts::oidc::PendingLogin;
use crate::store::StoreError;
use crate::store::records::sql_records::time;
use crate::store::sql::conn::Param;
use crate::store::sql::rows::timestamp;

use super::Records;

impl Records {
    /// Keeps a sign-in begun under `state_hash` (the SHA-256 of its `state`), and drops those
    /// expired at `now`.
    pub fn begin_oidc_login(
        &self,
        state_hash: &str,
        pending: &PendingLogin,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (hash, p, now) = (state_hash.to_owned(), pending.clone(), timestamp(&now));
        self.write(move |c| {
            c.execute(
                "DELETE FROM oidc_logins WHERE expires_at <= ?1",
                &[Param::Str(&now)],
            )?;
            c.execute(
                "INSERT INTO oidc_logins
                     (state_hash, browser_hash, nonce, pkce_verifier, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    Param::Str(&hash),
                    Param::Str(&p.browser_hash),
                    Param::Str(&p.nonce),
                    Param::Str(&p.pkce_verifier),
                    Param::Text(timestamp(&p.expires_at)),
                ],
            )
            .map(drop)
        })
    }

    /// Takes the sign-in kept under `state_hash`, once: `None` when there is none (never
    /// begun, or already taken). The caller checks its browser and expiry
    /// ([`PendingLogin::accepts`]); it is gone either way.
    pub fn take_oidc_login(&self, state_hash: &str) -> Result<Option<PendingLogin>, StoreError> {
        let found = self.with(|c| {
            c.query_opt(
                "SELECT browser_hash, nonce, pkce_verifier, expires_at FROM oidc_logins
                 WHERE state_hash = ?1",
                &[Param::Str(state_hash)],
            )?
            .map(|mut r| {
                Ok::<_, StoreError>(PendingLogin {
                    browser_hash: r.text(0)?,
                    nonce: r.text(1)?,
                    pkce_verifier: r.text(2)?,
                    expires_at: time(&r.text(3)?)?,
                })
            })
            .transpose()
        })?;
        let Some(pending) = found else {
            return Ok(None);
        };
        let hash = state_hash.to_owned();
        let taken = self.write_count(move |c| {
            c.execute(
                "DELETE FROM oidc_logins WHERE state_hash = ?1",
                &[Param::Str(&hash)],
            )
        })?;
        Ok((taken == 1).then_some(pending))
    }
}
