//! Sessions and failed sign-ins in the cases' database (schema "12: sessions and
//! credentials"), through the one SQL layer: the rows of [`crate::accounts::sessions`].
//!
//! A session is found by the SHA-256 of its secret joined with its user in one indexed read
//! ([`Records::authenticate_session`]) on every request: nothing is cached in a process, so a
//! session ended or a user disabled by any process sharing the database stops at once.

use chrono::{DateTime, Utc};

use crate::accounts::User;
use crate::accounts::sessions::{self, Session, SessionPolicy, SessionRefused, SignInMethod};
use crate::store::StoreError;
use crate::store::records::sql_records::time;
use crate::store::sql::conn::{Param, Row};
use crate::store::sql::rows::{corrupt, timestamp};

use super::Records;

const SESSION_COLUMNS: &str =
    "id, user_id, method, created_at, last_seen_at, ended_at, reauth_until";

/// A session row from column `at` on.
fn session_row(r: &mut Row, at: usize) -> Result<Session, StoreError> {
    Ok(Session {
        id: r.text(at)?,
        user_id: r.text(at + 1)?,
        method: SignInMethod::from_name(&r.text(at + 2)?)
            .ok_or_else(|| corrupt("a session row holds an unknown method"))?,
        created_at: time(&r.text(at + 3)?)?,
        last_seen_at: time(&r.text(at + 4)?)?,
        ended_at: r.opt_text(at + 5)?.as_deref().map(time).transpose()?,
        reauthenticated_until: r.opt_text(at + 6)?.as_deref().map(time).transpose()?,
    })
}

impl Records {
    /// Stores a new session under the SHA-256 of its secret (never the secret).
    pub fn create_session(&self, hash: &str, session: &Session) -> Result<(), StoreError> {
        let (hash, s) = (hash.to_owned(), session.clone());
        self.write(move |c| {
            c.execute(
                "INSERT INTO sessions
                     (hash, id, user_id, method, created_at, last_seen_at, ended_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)",
                &[
                    Param::Str(&hash),
                    Param::Str(&s.id),
                    Param::Str(&s.user_id),
                    Param::Str(s.method.as_str()),
                    Param::Text(timestamp(&s.created_at)),
                    Param::Text(timestamp(&s.last_seen_at)),
                ],
            )
            .map(drop)
        })
    }

    /// Who a session (by the SHA-256 of its secret) lets in at `now` under `policy`: its user
    /// and the session, or why not ([`sessions::check_session`]). Read from the database on
    /// every call; the last-seen time is written again when [`sessions::needs_touch`] says.
    pub fn authenticate_session(
        &self,
        hash: &str,
        policy: &SessionPolicy,
        now: DateTime<Utc>,
    ) -> Result<Result<(User, Session), SessionRefused>, StoreError> {
        let found = self.with(|c| {
            c.query_opt(
                &format!(
                    "SELECT u.id, u.display_name, u.role, u.office, u.state, u.created_at,
                            u.changed_at, s.{}
                     FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.hash = ?1",
                    SESSION_COLUMNS.replace(", ", ", s.")
                ),
                &[Param::Str(hash)],
            )?
            .map(|mut r| {
                Ok::<_, StoreError>((super::accounts::user_row(&mut r)?, session_row(&mut r, 7)?))
            })
            .transpose()
        })?;
        let Some((user, mut session)) = found else {
            return Ok(Err(SessionRefused::Unknown));
        };
        if let Err(refused) = sessions::check_session(&session, &user, policy, now) {
            return Ok(Err(refused));
        }
        if sessions::needs_touch(&session, now) {
            let (hash, seen) = (hash.to_owned(), timestamp(&now));
            self.write(move |c| {
                c.execute(
                    "UPDATE sessions SET last_seen_at = ?2 WHERE hash = ?1 AND ended_at IS NULL",
                    &[Param::Str(&hash), Param::Str(&seen)],
                )
                .map(drop)
            })?;
            session.last_seen_at = now;
        }
        Ok(Ok((user, session)))
    }

    /// Marks the open session with this hash re-authenticated until `until`
    /// ([`sessions::reauthenticated_until`]); `Ok(false)` if it was not open.
    pub fn mark_reauthenticated(
        &self,
        hash: &str,
        until: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (hash, until) = (hash.to_owned(), timestamp(&until));
        let changed = self.write_count(move |c| {
            c.execute(
                "UPDATE sessions SET reauth_until = ?2 WHERE hash = ?1 AND ended_at IS NULL",
                &[Param::Str(&hash), Param::Str(&until)],
            )
        })?;
        Ok(changed == 1)
    }

    /// Ends every open session of `user_id` at `now` but the one with the hash `keep` (a
    /// credential changed in that one): how many were open.
    pub fn end_other_sessions(
        &self,
        user_id: &str,
        keep: &str,
        now: DateTime<Utc>,
    ) -> Result<u64, StoreError> {
        let (user_id, keep, now) = (user_id.to_owned(), keep.to_owned(), timestamp(&now));
        self.write_count(move |c| {
            c.execute(
                "UPDATE sessions SET ended_at = ?3
                 WHERE user_id = ?1 AND hash <> ?2 AND ended_at IS NULL",
                &[Param::Str(&user_id), Param::Str(&keep), Param::Str(&now)],
            )
        })
    }

    /// Ends the session with this hash at `now` (sign out); `Ok(false)` if it was not open.
    pub fn end_session(&self, hash: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.end_where("hash = ?1", hash, now).map(|n| n == 1)
    }

    /// Ends the session with this public id at `now`; `Ok(false)` if it was not open.
    pub fn end_session_by_id(&self, id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        self.end_where("id = ?1", id, now).map(|n| n == 1)
    }

    /// Ends every open session of `user_id` at `now` (sign out everywhere, a disabled user, a
    /// new password): how many were open.
    pub fn end_sessions_of(&self, user_id: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.end_where("user_id = ?1", user_id, now)
    }

    fn end_where(&self, filter: &str, value: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        let (value, now) = (value.to_owned(), timestamp(&now));
        let sql = format!("UPDATE sessions SET ended_at = ?2 WHERE {filter} AND ended_at IS NULL");
        self.write_count(move |c| c.execute(&sql, &[Param::Str(&value), Param::Str(&now)]))
    }

    /// The sessions of `owner` still open at `now` under `policy`, newest first.
    pub fn open_sessions(
        &self,
        owner: &User,
        policy: &SessionPolicy,
        now: DateTime<Utc>,
    ) -> Result<Vec<Session>, StoreError> {
        let all: Vec<Session> = self.with(|c| {
            c.query(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions
                     WHERE user_id = ?1 AND ended_at IS NULL ORDER BY created_at DESC, id"
                ),
                &[Param::Str(&owner.id)],
            )?
            .iter_mut()
            .map(|r| session_row(r, 0))
            .collect()
        })?;
        Ok(all
            .into_iter()
            .filter(|s| sessions::check_session(s, owner, policy, now).is_ok())
            .collect())
    }

    /// Records a failed sign-in under `key` (a keyed hash of an account or a client) at `now`:
    /// how many failures in a row it now has.
    pub fn record_signin_failure(&self, key: &str, now: DateTime<Utc>) -> Result<u32, StoreError> {
        let (k, at) = (key.to_owned(), timestamp(&now));
        self.write(move |c| {
            c.execute(
                "INSERT INTO signin_failures (key, failures, last_failure_at) VALUES (?1, 1, ?2)
                 ON CONFLICT (key) DO UPDATE SET failures = signin_failures.failures + 1,
                     last_failure_at = ?2",
                &[Param::Str(&k), Param::Str(&at)],
            )
            .map(drop)
        })?;
        Ok(self.signin_failures(key)?.map_or(0, |(n, _)| n))
    }

    /// The failures in a row under `key` and when the last was, if any.
    pub fn signin_failures(&self, key: &str) -> Result<Option<(u32, DateTime<Utc>)>, StoreError> {
        self.with(|c| {
            c.query_opt(
                "SELECT failures, last_failure_at FROM signin_failures WHERE key = ?1",
                &[Param::Str(key)],
            )?
            .map(|mut r| {
                let n = u32::try_from(r.int(0)?).map_err(|_| corrupt("a bad failure count"))?;
                Ok((n, time(&r.text(1)?)?))
            })
            .transpose()
        })
    }

    /// Forgets the failures under `key` (after a successful sign-in).
    pub fn clear_signin_failures(&self, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.write(move |c| {
            c.execute(
                "DELETE FROM signin_failures WHERE key = ?1",
                &[Param::Str(&key)],
            )
            .map(drop)
        })
    }
}
