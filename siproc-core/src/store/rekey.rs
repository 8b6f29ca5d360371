//! Changing a store's keys, offline (no server on the database meanwhile): rotating the master
//! key ([`rotate_master_key`]) and converting an unencrypted store in place
//! ([`encrypt_store`]). Both work in batches, each committed on its own, and are resumable: an
//! interrupted run leaves a `key_change` entry in `siproc_meta` (the store then refuses to open,
//! `store.key_change_unfinished`) and running the same command again finishes it. Events are
//! never re-hashed: a rotation re-wraps keys only; a conversion rewrites each event body with
//! its sealed values encrypted, which leaves its hash (over commitments) as it was.

use super::sql::conn::{Conn, Param};
use super::sql::crypt::{
    self, KEY_CHANGE, StoreKeys, clear_meta, event_body, meta, set_case_key, set_meta,
    store_secret, wrapped_store_secret,
};
use super::sql::rows::{corrupt, terms_of};
use super::sql::verified::Verified;
use super::sql::{read, schema, write};
use super::{StoreError, StoreUrl};
use crate::keys::MasterKey;
use uuid::Uuid;

/// How many cases one committed batch changes.
const BATCH: i64 = 256;

/// What a rotation or a conversion did: counts only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct KeyChange {
    /// Cases changed by this run.
    pub changed: u64,
    /// Cases an earlier, interrupted run had already changed (0 for a run that was not
    /// resumed), or every case when there was nothing left to do.
    pub already: u64,
}

/// A database opened for a key change.
enum Database {
    #[cfg(feature = "sqlite")]
    Sqlite(rusqlite::Connection),
    #[cfg(feature = "postgres")]
    Postgres(super::postgres::Pool),
}

impl Database {
    fn open(url: &str) -> Result<Database, StoreError> {
        match StoreUrl::parse(url)? {
            #[cfg(feature = "sqlite")]
            StoreUrl::Sqlite(path) => {
                if !path.exists() {
                    return Err(StoreError::BadUrl {
                        reason: "no store at this path",
                    });
                }
                Ok(Database::Sqlite(super::sqlite::connect(&path)?))
            }
            #[cfg(feature = "postgres")]
            StoreUrl::Postgres(url) => {
                Ok(Database::Postgres(super::postgres::connect_pool(&url, 1)?))
            }
            StoreUrl::Memory => Err(StoreError::BadUrl {
                reason: "a memory store keeps nothing at rest",
            }),
            #[allow(unreachable_patterns)]
            _ => Err(StoreError::BadUrl {
                reason: "this build has no SQL store for this URL",
            }),
        }
    }

    /// Runs `f` in a transaction and commits.
    fn tx<T>(
        &mut self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(conn) => super::sqlite::in_transaction(conn, f),
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => super::postgres::in_transaction(pool, f),
        }
    }

    /// Rewrites the tables so that no page or tuple keeps what was overwritten: SQLite's
    /// `VACUUM` (with the WAL folded back and emptied before and after), PostgreSQL's
    /// `VACUUM FULL` of the tables that held clear values (and of `cases`, each of whose rows
    /// was rewritten with its key).
    fn compact(&mut self) -> Result<(), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            Database::Sqlite(conn) => conn
                .execute_batch(
                    "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);",
                )
                .map_err(super::sqlite::db_error),
            #[cfg(feature = "postgres")]
            Database::Postgres(pool) => super::postgres::with_client(pool, |c| {
                c.batch(
                    "VACUUM FULL events, case_names, case_documents, cases, user_credentials, \
                     siproc_meta",
                )
            }),
        }
    }
}

fn count(c: &mut dyn Conn, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
    Ok(u64::try_from(c.query_one(sql, params)?.int(0)?).unwrap_or(0))
}

/// Re-wraps every data key (and the store secret) of the encrypted store `url` from `old` to
/// `new`, without touching events or search terms. Resumable (see [the module](self));
/// answers counts. `store.wrong_key` if `old` is not the store's key (nor `new`, for a rotation
/// already done), `store.unencrypted` for a store that is not encrypted,
/// `store.key_change_unfinished` while another key change of the store is unfinished.
pub fn rotate_master_key(
    url: &str,
    old: &MasterKey,
    new: &MasterKey,
) -> Result<KeyChange, StoreError> {
    let mut db = Database::open(url)?;
    let marker = format!("rotating:{}", new.key_id());
    let new_id = new.key_id();
    let finished = db.tx(|c| {
        schema::migrate(c)?;
        let check = meta(c, "key_check")?.ok_or(StoreError::Unencrypted)?;
        let change = meta(c, KEY_CHANGE)?;
        if check == new.check_value() && change.is_none() {
            return Ok(true);
        }
        if check != old.check_value() {
            return Err(StoreError::WrongKey);
        }
        match change {
            Some(m) if m == marker => {}
            Some(_) => return Err(StoreError::KeyChangeUnfinished),
            None => {
                let secret = store_secret(c, "store_secret", old)?;
                set_meta(c, "store_secret_next", &wrapped_store_secret(new, &secret))?;
                set_meta(c, KEY_CHANGE, &marker)?;
            }
        }
        Ok(false)
    })?;
    let done_sql = "SELECT COUNT(*) FROM cases WHERE key_id = ?1";
    if finished {
        let already = db.tx(|c| count(c, done_sql, &[Param::Str(&new_id)]))?;
        return Ok(KeyChange {
            changed: 0,
            already,
        });
    }
    let already = db.tx(|c| count(c, done_sql, &[Param::Str(&new_id)]))?;
    let mut changed = 0;
    // Through the cases in the order of their ids, each batch after the last one seen (no
    // index on `key_id`: a batch reads its own rows, not every row rotated before it).
    let mut after = String::new();
    loop {
        let (n, last) = db.tx(|c| {
            let rows = c.query(
                "SELECT id, data_key, key_id FROM cases \
                 WHERE id > ?1 AND data_key IS NOT NULL ORDER BY id LIMIT ?2",
                &[Param::Str(&after), Param::Int(BATCH)],
            )?;
            let (mut n, mut last) = (0, None);
            for mut row in rows {
                let id = row.text(0)?;
                let wrapped = row.opt_blob(1)?.unwrap_or_default();
                if row.opt_text(2)?.as_deref() != Some(new_id.as_str()) {
                    let key = old.unwrap(&id, &wrapped).ok_or_else(|| {
                        corrupt("a data key does not unwrap with the old master key")
                    })?;
                    let rewrapped = crypt::CaseKeyRow {
                        key_id: new_id.clone(),
                        wrapped: new.wrap(&id, &key),
                    };
                    set_case_key(c, &id, &rewrapped)?;
                    n += 1;
                }
                last = Some(id);
            }
            Ok((n, last))
        })?;
        changed += n;
        match last {
            Some(id) => after = id,
            None => break,
        }
    }
    db.tx(|c| {
        let next = meta(c, "store_secret_next")?
            .ok_or_else(|| corrupt("a rotation lost its new store secret"))?;
        set_meta(c, "store_secret", &next)?;
        set_meta(c, "key_check", &new.check_value())?;
        clear_meta(c, "store_secret_next")?;
        clear_meta(c, KEY_CHANGE)
    })?;
    Ok(KeyChange { changed, already })
}

/// Converts the unencrypted store `url` in place to encryption under `key`: each case gets a
/// data key, its event bodies are rewritten with their sealed values encrypted (hashes
/// unchanged), its search terms replaced by blind ones; then the database is compacted so that
/// no free page keeps a clear value. Resumable (see [the module](self)); answers counts. From
/// then on the store opens only with `key`. `store.wrong_key` for a store encrypted under
/// another key; a store already encrypted under `key` is left as it is.
pub fn encrypt_store(url: &str, key: &MasterKey) -> Result<KeyChange, StoreError> {
    const CONVERTING: &str = "converting";
    let mut db = Database::open(url)?;
    let finished = db.tx(|c| {
        schema::migrate(c)?;
        match (meta(c, "key_check")?, meta(c, KEY_CHANGE)?) {
            (None, _) => {
                crypt::initialise(c, key)?;
                set_meta(c, KEY_CHANGE, CONVERTING)?;
                Ok(false)
            }
            (Some(check), _) if check != key.check_value() => Err(StoreError::WrongKey),
            (Some(_), None) => Ok(true),
            (Some(_), Some(change)) if change == CONVERTING => Ok(false),
            (Some(_), Some(_)) => Err(StoreError::KeyChangeUnfinished),
        }
    })?;
    let keyed = "SELECT COUNT(*) FROM cases WHERE data_key IS NOT NULL";
    let already = db.tx(|c| count(c, keyed, &[]))?;
    if finished {
        return Ok(KeyChange {
            changed: 0,
            already,
        });
    }
    let keys = db.tx(|c| {
        let check = meta(c, "key_check")?.unwrap_or_default();
        crypt::unlock(c, &check, key)
    })?;
    let mut changed = 0;
    loop {
        let n = db.tx(|c| convert_batch(c, &keys))?;
        changed += n;
        if n == 0 {
            break;
        }
    }
    // The second-factor secrets kept in clear until now are sealed before the compaction
    // drops the pages that held them.
    db.tx(|c| {
        crypt::seal_clear_totp_secrets(c, &keys)?;
        clear_meta(c, KEY_CHANGE)
    })?;
    db.compact()?;
    Ok(KeyChange { changed, already })
}

/// Converts up to [`BATCH`] cases that have no data key yet; answers how many.
fn convert_batch(c: &mut dyn Conn, keys: &StoreKeys) -> Result<u64, StoreError> {
    let ids = c
        .query(
            "SELECT id FROM cases WHERE data_key IS NULL ORDER BY id LIMIT ?1",
            &[Param::Int(BATCH)],
        )?
        .into_iter()
        .map(|mut r| r.text(0))
        .collect::<Result<Vec<_>, _>>()?;
    // Each history is read once: nothing to keep.
    let verified = Verified::new();
    for id in &ids {
        let case_id = Uuid::parse_str(id).map_err(|_| corrupt("a case row has a bad id"))?;
        let history = read::history(c, case_id, &verified, None)?.ok_or(StoreError::NotFound)?;
        let (data, row) = keys.new_case_key(id);
        for event in history.events() {
            let body = event_body(event, Some(&data))?;
            c.execute(
                "UPDATE events SET body = ?3 WHERE case_id = ?1 AND seq = ?2",
                &[Param::Str(id), Param::count(event.seq), Param::Text(body)],
            )?;
        }
        write::index(c, case_id, &terms_of(history.case(), Some(keys)))?;
        set_case_key(c, id, &row)?;
    }
    Ok(u64::try_from(ids.len()).unwrap_or(u64::MAX))
}
