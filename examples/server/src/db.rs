//! The server's own tables — bearer tokens (only their SHA-256), break-the-glass grants, the
//! access log and idempotency keys — kept in the same SQLite file as the case store, under
//! versioned migrations applied at open.
//!
//! Why rusqlite: the SQLite library compiled in (`bundled`), nothing to install, the same crate
//! the case store uses. The API is synchronous: handlers call it inside `spawn_blocking`.
//! Writes commit with `synchronous = FULL`, so an access-log line is on disk before the
//! response that it records is sent.

use std::path::Path;
use std::sync::{Mutex, PoisonError};

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, params};
use sha2::{Digest, Sha256};
use siproc_core::access::{Access, AccessEntry, Grant, ReadKind};
use siproc_core::{Actor, Role};
use uuid::Uuid;

/// The migrations, in order; `server_schema.version` counts those applied. Append, never edit.
const MIGRATIONS: &[&str] = &[
    // 1: tokens, grants, access log, idempotency keys.
    "CREATE TABLE server_tokens (
         hash TEXT PRIMARY KEY,
         user_id TEXT NOT NULL,
         role TEXT NOT NULL,
         office TEXT NOT NULL,
         created_at TEXT NOT NULL
     );
     CREATE TABLE server_grants (
         id INTEGER PRIMARY KEY,
         user_id TEXT NOT NULL,
         case_id TEXT NOT NULL,
         reason TEXT NOT NULL,
         granted_at TEXT NOT NULL,
         expires_at TEXT NOT NULL
     );
     CREATE INDEX server_grants_user_case ON server_grants (user_id, case_id);
     CREATE TABLE server_access_log (
         id INTEGER PRIMARY KEY,
         at TEXT NOT NULL,
         user_id TEXT NOT NULL,
         role TEXT NOT NULL,
         office TEXT NOT NULL,
         case_id TEXT NOT NULL,
         what TEXT NOT NULL,
         access TEXT NOT NULL,
         reason TEXT
     );
     CREATE INDEX server_access_log_case ON server_access_log (case_id, id);
     CREATE INDEX server_access_log_user ON server_access_log (user_id, id);
     CREATE TABLE server_idempotency (
         user_id TEXT NOT NULL,
         key TEXT NOT NULL,
         case_id TEXT NOT NULL,
         created_at TEXT NOT NULL,
         PRIMARY KEY (user_id, key)
     );",
];

/// The server's tables in one SQLite database.
pub struct ServerDb {
    conn: Mutex<Connection>,
}

/// A filter on the access log.
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    /// One case.
    pub case_id: Option<Uuid>,
    /// One user.
    pub user_id: Option<String>,
    /// From this moment on.
    pub since: Option<DateTime<Utc>>,
    /// At most this many entries (newest first).
    pub limit: u32,
}

/// The SHA-256 of a bearer token, lowercase hex: what is stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random bearer token (256 bits from the operating system).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("sps_{}", hex(&bytes)))
}

/// The role of a wire name.
pub fn parse_role(s: &str) -> Option<Role> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

fn parse_access(s: &str) -> Option<Access> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}

fn bad_column(what: &str) -> rusqlite::Error {
    rusqlite::Error::InvalidColumnType(0, what.to_owned(), rusqlite::types::Type::Text)
}

impl ServerDb {
    /// Opens (creating if needed) the database at `path` and applies pending migrations.
    pub fn open(path: &Path) -> rusqlite::Result<ServerDb> {
        ServerDb::init(Connection::open(path)?)
    }

    /// A private in-memory database (for `memory:` stores).
    pub fn in_memory() -> rusqlite::Result<ServerDb> {
        ServerDb::init(Connection::open_in_memory()?)
    }

    fn init(mut conn: Connection) -> rusqlite::Result<ServerDb> {
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS server_schema (version INTEGER NOT NULL)")?;
        let version: Option<i64> = tx
            .query_row("SELECT version FROM server_schema", [], |r| r.get(0))
            .optional()?;
        let applied = usize::try_from(version.unwrap_or(0)).unwrap_or(usize::MAX);
        if applied > MIGRATIONS.len() {
            return Err(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ERROR),
                Some(format!(
                    "the server tables are at schema {applied}, newer than this server ({})",
                    MIGRATIONS.len()
                )),
            ));
        }
        for sql in MIGRATIONS.iter().skip(applied) {
            tx.execute_batch(sql)?;
        }
        if version.is_none() {
            tx.execute(
                "INSERT INTO server_schema (version) VALUES (?1)",
                [MIGRATIONS.len() as i64],
            )?;
        } else {
            tx.execute(
                "UPDATE server_schema SET version = ?1",
                [MIGRATIONS.len() as i64],
            )?;
        }
        tx.commit()?;
        Ok(ServerDb {
            conn: Mutex::new(conn),
        })
    }

    fn conn(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores the hash of `token` for `actor`.
    pub fn add_token(&self, token: &str, actor: &Actor) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO server_tokens (hash, user_id, role, office, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                token_hash(token),
                actor.user_id,
                actor.role.as_str(),
                actor.office,
                Utc::now().to_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// The actor a token hash stands for.
    pub fn actor_for(&self, hash: &str) -> rusqlite::Result<Option<Actor>> {
        self.conn()
            .query_row(
                "SELECT user_id, role, office FROM server_tokens WHERE hash = ?1",
                [hash],
                |r| {
                    let role: String = r.get(1)?;
                    Ok(Actor::new(
                        r.get::<_, String>(0)?,
                        parse_role(&role).ok_or_else(|| bad_column("role"))?,
                        r.get::<_, String>(2)?,
                    ))
                },
            )
            .optional()
    }

    /// Stores a grant.
    pub fn add_grant(&self, grant: &Grant) -> rusqlite::Result<()> {
        self.conn().execute(
            "INSERT INTO server_grants (user_id, case_id, reason, granted_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                grant.user_id,
                grant.case_id.to_string(),
                grant.reason,
                grant.granted_at.to_rfc3339(),
                grant.expires_at.to_rfc3339()
            ],
        )?;
        Ok(())
    }

    /// The grants of `user_id` on `case_id` that have not expired at `now`.
    pub fn grants(
        &self,
        user_id: &str,
        case_id: Uuid,
        now: DateTime<Utc>,
    ) -> rusqlite::Result<Vec<Grant>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT reason, granted_at, expires_at FROM server_grants
             WHERE user_id = ?1 AND case_id = ?2 AND expires_at > ?3",
        )?;
        let rows = stmt.query_map(
            params![user_id, case_id.to_string(), now.to_rfc3339()],
            |r| {
                Ok(Grant {
                    user_id: user_id.to_owned(),
                    case_id,
                    reason: r.get(0)?,
                    granted_at: parse_time(&r.get::<_, String>(1)?)?,
                    expires_at: parse_time(&r.get::<_, String>(2)?)?,
                })
            },
        )?;
        rows.collect()
    }

    /// Writes an access-log entry, durably.
    pub fn log_access(&self, entry: &AccessEntry) -> rusqlite::Result<()> {
        self.conn()
            .prepare_cached(
                "INSERT INTO server_access_log (at, user_id, role, office, case_id, what, access, reason)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![
                entry.at.to_rfc3339(),
                entry.user_id,
                entry.role.as_str(),
                entry.office,
                entry.case_id.to_string(),
                entry.what.as_str(),
                entry.access.as_str(),
                entry.reason
            ])?;
        Ok(())
    }

    /// Access-log entries matching `filter`, newest first.
    pub fn access_log(&self, filter: &LogFilter) -> rusqlite::Result<Vec<AccessEntry>> {
        let conn = self.conn();
        let mut stmt = conn.prepare_cached(
            "SELECT at, user_id, role, office, case_id, what, access, reason FROM server_access_log
             WHERE (?1 IS NULL OR case_id = ?1) AND (?2 IS NULL OR user_id = ?2)
               AND (?3 IS NULL OR at >= ?3)
             ORDER BY id DESC LIMIT ?4",
        )?;
        let rows = stmt.query_map(
            params![
                filter.case_id.map(|c| c.to_string()),
                filter.user_id,
                filter.since.map(|s| s.to_rfc3339()),
                filter.limit
            ],
            |r| {
                let role: String = r.get(2)?;
                let case: String = r.get(4)?;
                let what: String = r.get(5)?;
                let access: String = r.get(6)?;
                Ok(AccessEntry {
                    at: parse_time(&r.get::<_, String>(0)?)?,
                    user_id: r.get(1)?,
                    role: parse_role(&role).ok_or_else(|| bad_column("role"))?,
                    office: r.get(3)?,
                    case_id: Uuid::parse_str(&case).map_err(|_| bad_column("case_id"))?,
                    what: ReadKind::parse(&what).ok_or_else(|| bad_column("what"))?,
                    access: parse_access(&access).ok_or_else(|| bad_column("access"))?,
                    reason: r.get(7)?,
                })
            },
        )?;
        rows.collect()
    }

    /// The case a user's earlier request with `key` created, if any.
    pub fn idempotent_case(&self, user_id: &str, key: &str) -> rusqlite::Result<Option<Uuid>> {
        let found: Option<String> = self
            .conn()
            .query_row(
                "SELECT case_id FROM server_idempotency WHERE user_id = ?1 AND key = ?2",
                [user_id, key],
                |r| r.get(0),
            )
            .optional()?;
        found
            .map(|c| Uuid::parse_str(&c).map_err(|_| bad_column("case_id")))
            .transpose()
    }

    /// Remembers that `key` created `case_id`; returns the case remembered first when another
    /// request with the same key won the race.
    pub fn remember_key(&self, user_id: &str, key: &str, case_id: Uuid) -> rusqlite::Result<Uuid> {
        let conn = self.conn();
        conn.execute(
            "INSERT OR IGNORE INTO server_idempotency (user_id, key, case_id, created_at)
             VALUES (?1, ?2, ?3, ?4)",
            params![user_id, key, case_id.to_string(), Utc::now().to_rfc3339()],
        )?;
        let first: String = conn.query_row(
            "SELECT case_id FROM server_idempotency WHERE user_id = ?1 AND key = ?2",
            [user_id, key],
            |r| r.get(0),
        )?;
        Uuid::parse_str(&first).map_err(|_| bad_column("case_id"))
    }
}

fn parse_time(s: &str) -> rusqlite::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| bad_column("time"))
}
