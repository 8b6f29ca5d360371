//! The credentials people sign in with, in the cases' database (schema "12: sessions and
//! credentials"), through the one SQL layer: a user's password hash
//! ([`crate::accounts::password`]), second-factor secret and the last code step used
//! ([`crate::accounts::totp`]; sealed with a key derived from the store secret when the
//! store is encrypted, [`crate::store::sql::crypt`]), a pending enrolment (the SHA-256 of a single-use link's
//! secret, never the secret), and their recovery codes ([`crate::accounts::recovery`], hashed).
//!
//! Every use that must happen once is one conditional `UPDATE` (a code step later than the
//! last, a recovery code not yet used, an enrolment still pending and live), so two processes
//! sharing the database cannot both accept the same code or link.

use chrono::{DateTime, Utc};

use crate::accounts::recovery::RecoveryHash;
use crate::store::StoreError;
use crate::store::records::sql_records::time;
use crate::store::sql::conn::{Conn, Param};
use crate::store::sql::crypt::{stored_totp_secret, totp_secret};
use crate::store::sql::rows::{corrupt, timestamp};

/// What a user has to sign in with a password (no secret leaves the store otherwise).
#[derive(Clone, PartialEq, Eq)]
pub struct PasswordCredentials {
    /// The Argon2id PHC string.
    pub password_hash: String,
    /// The second factor's secret.
    pub totp_secret: Vec<u8>,
    /// The step of the last code accepted (none yet).
    pub totp_last_step: Option<u64>,
}

impl std::fmt::Debug for PasswordCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordCredentials { .. }")
    }
}

/// A finished enrolment: what [`crate::store::Records::complete_enrolment`] stores.
#[derive(Clone)]
pub struct Enrolment {
    /// The Argon2id PHC string of the chosen password.
    pub password_hash: String,
    /// The second factor's secret.
    pub totp_secret: Vec<u8>,
    /// The step of the code the user typed to show their application works (used up).
    pub totp_step: u64,
    /// The recovery codes' hashes.
    pub recovery: Vec<RecoveryHash>,
}

fn replace_recovery(
    c: &mut dyn Conn,
    user_id: &str,
    hashes: &[RecoveryHash],
) -> Result<(), StoreError> {
    c.execute(
        "DELETE FROM recovery_codes WHERE user_id = ?1",
        &[Param::Str(user_id)],
    )?;
    for (n, RecoveryHash(hash)) in hashes.iter().enumerate() {
        c.execute(
            "INSERT INTO recovery_codes (user_id, n, hash) VALUES (?1, ?2, ?3)",
            &[
                Param::Str(user_id),
                Param::count(n as u64),
                Param::Str(hash),
            ],
        )?;
    }
    Ok(())
}

impl crate::store::Records {
    /// Opens an enrolment for `user_id` until `expires_at`: the SHA-256 of the link's secret
    /// replaces any earlier pending one (the earlier link stops working). The user's current
    /// credentials stay until the enrolment is completed.
    pub fn begin_enrolment(
        &self,
        user_id: &str,
        hash: &str,
        expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (user_id, hash) = (user_id.to_owned(), hash.to_owned());
        let (expires_at, now) = (timestamp(&expires_at), timestamp(&now));
        self.write(move |c| {
            c.execute(
                "INSERT INTO user_credentials
                     (user_id, enrolment_hash, enrolment_expires_at, changed_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id) DO UPDATE SET enrolment_hash = ?2,
                     enrolment_expires_at = ?3, changed_at = ?4",
                &[
                    Param::Str(&user_id),
                    Param::Str(&hash),
                    Param::Str(&expires_at),
                    Param::Str(&now),
                ],
            )
            .map(drop)
        })
    }

    /// The user a pending enrolment link (by the SHA-256 of its secret) belongs to, if it is
    /// live at `now` and the user is active.
    pub fn enrolment_user(
        &self,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let found = self.with(|c| {
            c.query_opt(
                "SELECT k.user_id, k.enrolment_expires_at FROM user_credentials k
                 JOIN users u ON u.id = k.user_id
                 WHERE k.enrolment_hash = ?1 AND u.state = 'active'",
                &[Param::Str(hash)],
            )?
            .map(|mut r| Ok::<_, StoreError>((r.text(0)?, time(&r.text(1)?)?)))
            .transpose()
        })?;
        Ok(found.and_then(|(user, expires)| (now < expires).then_some(user)))
    }

    /// Completes the enrolment the link (by its hash) opened, if still pending and live at
    /// `now`: stores the password, the second factor (its first code's step used up) and the
    /// recovery codes (replacing earlier ones), and closes the link. `Ok(None)` (nothing
    /// written) when the link is unknown, used, expired or its user disabled; else the user.
    pub fn complete_enrolment(
        &self,
        hash: &str,
        enrolment: &Enrolment,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let Some(user_id) = self.enrolment_user(hash, now)? else {
            return Ok(None);
        };
        let (hash, user, e) = (hash.to_owned(), user_id.clone(), enrolment.clone());
        let keys = self.keys.clone();
        let now = timestamp(&now);
        let changed = self.write_count(move |c| {
            // The link closes in the same statement that checks it: used once.
            let changed = c.execute(
                "UPDATE user_credentials SET password_hash = ?3, totp_secret = ?4,
                     totp_last_step = ?5, enrolment_hash = NULL, enrolment_expires_at = NULL,
                     changed_at = ?6
                 WHERE user_id = ?1 AND enrolment_hash = ?2 AND enrolment_expires_at > ?6",
                &[
                    Param::Str(&user),
                    Param::Str(&hash),
                    Param::Str(&e.password_hash),
                    Param::Text(stored_totp_secret(keys.as_deref(), &user, &e.totp_secret)),
                    Param::count(e.totp_step),
                    Param::Str(&now),
                ],
            )?;
            if changed == 1 {
                replace_recovery(c, &user, &e.recovery)?;
            }
            Ok(changed)
        })?;
        Ok((changed == 1).then_some(user_id))
    }

    /// The password and second factor of `user_id`, if enrolled.
    pub fn password_credentials(
        &self,
        user_id: &str,
    ) -> Result<Option<PasswordCredentials>, StoreError> {
        self.with(|c| {
            let Some(mut r) = c.query_opt(
                "SELECT password_hash, totp_secret, totp_last_step FROM user_credentials
                 WHERE user_id = ?1 AND password_hash IS NOT NULL AND totp_secret IS NOT NULL",
                &[Param::Str(user_id)],
            )?
            else {
                return Ok(None);
            };
            let password_hash = r.text(0)?;
            let totp_secret = totp_secret(self.keys.as_deref(), user_id, &r.text(1)?)?;
            let totp_last_step = r.opt_int(2)?.map(|s| u64::try_from(s).unwrap_or(0));
            Ok(Some(PasswordCredentials {
                password_hash,
                totp_secret,
                totp_last_step,
            }))
        })
    }

    /// Records that a code of `step` was accepted for `user_id`, if the step is later than
    /// the last one recorded: `Ok(false)` means the code was already used (by this process
    /// or another) and must be refused.
    pub fn use_totp_step(&self, user_id: &str, step: u64) -> Result<bool, StoreError> {
        let user_id = user_id.to_owned();
        let changed = self.write_count(move |c| {
            c.execute(
                "UPDATE user_credentials SET totp_last_step = ?2
                 WHERE user_id = ?1 AND totp_secret IS NOT NULL
                   AND (totp_last_step IS NULL OR totp_last_step < ?2)",
                &[Param::Str(&user_id), Param::count(step)],
            )
        })?;
        Ok(changed == 1)
    }

    /// Replaces a password hash (after a re-hash with today's parameters, or a change).
    pub fn set_password_hash(
        &self,
        user_id: &str,
        password_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (user_id, hash, now) = (
            user_id.to_owned(),
            password_hash.to_owned(),
            timestamp(&now),
        );
        self.write(move |c| {
            let changed = c.execute(
                "UPDATE user_credentials SET password_hash = ?2, changed_at = ?3
                 WHERE user_id = ?1 AND password_hash IS NOT NULL",
                &[Param::Str(&user_id), Param::Str(&hash), Param::Str(&now)],
            )?;
            if changed == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        })
    }

    /// Replaces the second factor's secret of `user_id`, who has a password (sealed as at
    /// enrolment), with `step` (the step of the code that confirmed it) as its last code used.
    /// [`StoreError::NotFound`] when the user has no password and second factor.
    pub fn set_second_factor(
        &self,
        user_id: &str,
        secret: &[u8],
        step: u64,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let user = user_id.to_owned();
        let sealed = stored_totp_secret(self.keys.as_deref(), user_id, secret);
        let now = timestamp(&now);
        self.write(move |c| {
            let changed = c.execute(
                "UPDATE user_credentials SET totp_secret = ?2, totp_last_step = ?3, changed_at = ?4
                 WHERE user_id = ?1 AND password_hash IS NOT NULL AND totp_secret IS NOT NULL",
                &[
                    Param::Str(&user),
                    Param::Text(sealed.clone()),
                    Param::count(step),
                    Param::Str(&now),
                ],
            )?;
            if changed == 1 {
                Ok(())
            } else {
                Err(StoreError::NotFound)
            }
        })
    }

    /// The unused recovery codes of `user_id`: their numbers and hashes.
    pub fn recovery_codes(&self, user_id: &str) -> Result<Vec<(u64, RecoveryHash)>, StoreError> {
        self.with(|c| {
            c.query(
                "SELECT n, hash FROM recovery_codes WHERE user_id = ?1 AND used_at IS NULL
                 ORDER BY n",
                &[Param::Str(user_id)],
            )?
            .iter_mut()
            .map(|r| {
                let n = u64::try_from(r.int(0)?).map_err(|_| corrupt("a negative code number"))?;
                Ok((n, RecoveryHash(r.text(1)?)))
            })
            .collect()
        })
    }

    /// Uses recovery code `n` of `user_id` at `now`: `Ok(false)` when it was already used (or
    /// does not exist), and must be refused.
    pub fn use_recovery_code(
        &self,
        user_id: &str,
        n: u64,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (user_id, now) = (user_id.to_owned(), timestamp(&now));
        let changed = self.write_count(move |c| {
            c.execute(
                "UPDATE recovery_codes SET used_at = ?3
                 WHERE user_id = ?1 AND n = ?2 AND used_at IS NULL",
                &[Param::Str(&user_id), Param::count(n), Param::Str(&now)],
            )
        })?;
        Ok(changed == 1)
    }

    /// Replaces the recovery codes of `user_id` (the earlier ones stop working).
    pub fn replace_recovery_codes(
        &self,
        user_id: &str,
        hashes: &[RecoveryHash],
    ) -> Result<(), StoreError> {
        let (user_id, hashes) = (user_id.to_owned(), hashes.to_vec());
        self.write(move |c| replace_recovery(c, &user_id, &hashes))
    }
}
