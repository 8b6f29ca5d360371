//! Passkeys and their ceremonies in the cases' database (schema "14: passkeys"), through the
//! one SQL layer: the rows of [`crate::accounts::passkeys`].
//!
//! A ceremony's state is taken once: read and deleted in one write transaction, answered only
//! when this transaction's delete removed the row, so two processes finishing the same
//! ceremony (a replay) cannot both succeed. Every begin first drops the expired ceremonies,
//! then refuses when the client or the whole system has too many open.

use std::sync::{Arc, Mutex, PoisonError};

use chrono::{DateTime, Utc};

use crate::accounts::passkeys::{
    CeremonyKind, MAX_CEREMONIES_PER_CLIENT, MAX_OPEN_CEREMONIES, MAX_PASSKEYS, PasskeyInfo,
    StoredPasskey,
};
use crate::store::StoreError;
use crate::store::records::sql_records::time;
use crate::store::sql::conn::{Param, Row, in_savepoint};
use crate::store::sql::rows::timestamp;

use super::Records;

/// A ceremony row as taken: its user, its state, its expiry.
type TakenRow = (Option<String>, String, String);

const COLUMNS: &str = "id, name, created_at, last_used_at, user_id, credential_id, credential";

fn passkey_row(r: &mut Row) -> Result<StoredPasskey, StoreError> {
    Ok(StoredPasskey {
        info: PasskeyInfo {
            id: r.text(0)?,
            name: r.text(1)?,
            created_at: time(&r.text(2)?)?,
            last_used_at: r.opt_text(3)?.as_deref().map(time).transpose()?,
        },
        user_id: r.text(4)?,
        credential_id: r.text(5)?,
        credential: r.text(6)?,
    })
}

/// A ceremony to keep: what [`Records::begin_ceremony`] stores.
#[derive(Clone)]
pub struct Ceremony {
    /// The SHA-256 of the ceremony's id (the id itself goes to the browser only).
    pub hash: String,
    /// What it is for.
    pub kind: CeremonyKind,
    /// The user adding a passkey (none for a sign-in).
    pub user_id: Option<String>,
    /// The client that began it, as a keyed hash.
    pub client: String,
    /// The state `webauthn-rs` needs to finish it (JSON: a challenge, no secret of the user's).
    pub state: String,
    /// When it stops being usable.
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for Ceremony {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Ceremony")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Records {
    /// Keeps `ceremony` at `now`, after dropping the expired ones (and, for a registration,
    /// the user's earlier registration). `Ok(false)` (nothing kept) when its client has
    /// [`MAX_CEREMONIES_PER_CLIENT`] open or the system [`MAX_OPEN_CEREMONIES`].
    pub fn begin_ceremony(
        &self,
        ceremony: &Ceremony,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (c0, now) = (ceremony.clone(), timestamp(&now));
        let kept = self.write_count(move |c| {
            c.execute(
                "DELETE FROM passkey_ceremonies WHERE expires_at <= ?1",
                &[Param::Str(&now)],
            )?;
            if let Some(user) = &c0.user_id {
                c.execute(
                    "DELETE FROM passkey_ceremonies WHERE kind = ?1 AND user_id = ?2",
                    &[Param::Str(c0.kind.as_str()), Param::Str(user)],
                )?;
            }
            let count = |c: &mut dyn crate::store::sql::conn::Conn, sql: &str, p: &[Param<'_>]| {
                c.query_one(sql, p)?
                    .int(0)
                    .map(|n| u64::try_from(n).unwrap_or(0))
            };
            let mine = count(
                c,
                "SELECT COUNT(*) FROM passkey_ceremonies WHERE client = ?1",
                &[Param::Str(&c0.client)],
            )?;
            let all = count(c, "SELECT COUNT(*) FROM passkey_ceremonies", &[])?;
            if mine >= MAX_CEREMONIES_PER_CLIENT || all >= MAX_OPEN_CEREMONIES {
                return Ok(0);
            }
            c.execute(
                "INSERT INTO passkey_ceremonies (hash, kind, user_id, client, state, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                &[
                    Param::Str(&c0.hash),
                    Param::Str(c0.kind.as_str()),
                    c0.user_id.as_deref().map_or(Param::Null, Param::Str),
                    Param::Str(&c0.client),
                    Param::Str(&c0.state),
                    Param::Text(timestamp(&c0.expires_at)),
                ],
            )
        })?;
        Ok(kept == 1)
    }

    /// Takes the state of the ceremony whose id hashes to `hash`, if it is of `kind`, belongs
    /// to `user_id` (none for a sign-in) and is live at `now`: it is deleted whatever it holds,
    /// so it is used at most once, by one process.
    pub fn take_ceremony(
        &self,
        hash: &str,
        kind: CeremonyKind,
        user_id: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Option<String>, StoreError> {
        let taken: Arc<Mutex<Option<TakenRow>>> = Arc::default();
        let into = taken.clone();
        let (hash, kind_name) = (hash.to_owned(), kind.as_str());
        self.write(move |c| {
            let row = c
                .query_opt(
                    "SELECT user_id, state, expires_at FROM passkey_ceremonies
                     WHERE hash = ?1 AND kind = ?2",
                    &[Param::Str(&hash), Param::Str(kind_name)],
                )?
                .map(|mut r| Ok::<_, StoreError>((r.opt_text(0)?, r.text(1)?, r.text(2)?)))
                .transpose()?;
            let deleted = c.execute(
                "DELETE FROM passkey_ceremonies WHERE hash = ?1 AND kind = ?2",
                &[Param::Str(&hash), Param::Str(kind_name)],
            )?;
            *into.lock().unwrap_or_else(PoisonError::into_inner) = row.filter(|_| deleted == 1);
            Ok(())
        })?;
        let taken = taken.lock().unwrap_or_else(PoisonError::into_inner).take();
        let Some((owner, state, expires_at)) = taken else {
            return Ok(None);
        };
        let live = now < time(&expires_at)?;
        Ok((live && owner.as_deref() == user_id).then_some(state))
    }

    /// The user handle `user_id`'s passkeys carry (the one of their first), if they have one.
    pub fn passkey_user_handle(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        self.with(|c| {
            c.query_opt(
                "SELECT user_handle FROM passkeys WHERE user_id = ?1 ORDER BY created_at LIMIT 1",
                &[Param::Str(user_id)],
            )?
            .map(|mut r| r.text(0))
            .transpose()
        })
    }

    /// `user_id`'s passkeys, oldest first.
    pub fn passkeys_of(&self, user_id: &str) -> Result<Vec<StoredPasskey>, StoreError> {
        self.with(|c| {
            c.query(
                &format!(
                    "SELECT {COLUMNS} FROM passkeys WHERE user_id = ?1 ORDER BY created_at, id"
                ),
                &[Param::Str(user_id)],
            )?
            .iter_mut()
            .map(passkey_row)
            .collect()
        })
    }

    /// The passkey with credential id `credential_id` whose user handle is `user_handle`, if
    /// any (a credential presented with another user's handle is not found).
    pub fn passkey_by_credential(
        &self,
        credential_id: &str,
        user_handle: &str,
    ) -> Result<Option<StoredPasskey>, StoreError> {
        self.with(|c| {
            c.query_opt(
                &format!(
                    "SELECT {COLUMNS} FROM passkeys WHERE credential_id = ?1 AND user_handle = ?2"
                ),
                &[Param::Str(credential_id), Param::Str(user_handle)],
            )?
            .as_mut()
            .map(passkey_row)
            .transpose()
        })
    }

    /// Stores `passkey` under `user_handle`: `Ok(false)` (nothing stored) when its credential
    /// id is registered already or its user has [`MAX_PASSKEYS`].
    pub fn add_passkey(
        &self,
        passkey: &StoredPasskey,
        user_handle: &str,
    ) -> Result<bool, StoreError> {
        let (p, handle) = (passkey.clone(), user_handle.to_owned());
        let added = self.write_count(move |c| {
            let held = c
                .query_one(
                    "SELECT COUNT(*) FROM passkeys WHERE user_id = ?1",
                    &[Param::Str(&p.user_id)],
                )?
                .int(0)?;
            if usize::try_from(held).unwrap_or(usize::MAX) >= MAX_PASSKEYS {
                return Ok(0);
            }
            let inserted = in_savepoint(
                c,
                |c| {
                    c.try_execute(
                        "INSERT INTO passkeys (id, user_id, user_handle, credential_id, name,
                             credential, created_at, last_used_at)
                         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, NULL)",
                        &[
                            Param::Str(&p.info.id),
                            Param::Str(&p.user_id),
                            Param::Str(&handle),
                            Param::Str(&p.credential_id),
                            Param::Str(&p.info.name),
                            Param::Str(&p.credential),
                            Param::Text(timestamp(&p.info.created_at)),
                        ],
                    )
                },
                |n| *n == Some(1),
            )??;
            Ok(inserted.unwrap_or(0))
        })?;
        Ok(added == 1)
    }

    /// Records a sign-in with passkey `id` at `now`: its credential (counter) as the check
    /// left it, if it is still `before` (two sign-ins racing with one credential: one
    /// records). `Ok(false)` when the passkey was removed or changed meanwhile.
    pub fn use_passkey(
        &self,
        id: &str,
        before: &str,
        after: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let (id, before, after, now) = (
            id.to_owned(),
            before.to_owned(),
            after.to_owned(),
            timestamp(&now),
        );
        let changed = self.write_count(move |c| {
            c.execute(
                "UPDATE passkeys SET credential = ?3, last_used_at = ?4
                 WHERE id = ?1 AND credential = ?2",
                &[
                    Param::Str(&id),
                    Param::Str(&before),
                    Param::Str(&after),
                    Param::Str(&now),
                ],
            )
        })?;
        Ok(changed == 1)
    }

    /// Removes `user_id`'s passkey `id`: `Ok(false)` when they have none with that id.
    pub fn remove_passkey(&self, user_id: &str, id: &str) -> Result<bool, StoreError> {
        let (user_id, id) = (user_id.to_owned(), id.to_owned());
        let removed = self.write_count(move |c| {
            c.execute(
                "DELETE FROM passkeys WHERE id = ?1 AND user_id = ?2",
                &[Param::Str(&id), Param::Str(&user_id)],
            )
        })?;
        Ok(removed == 1)
    }
}
