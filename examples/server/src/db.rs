//! The server's own tables — bearer tokens (only their SHA-256), break-the-glass grants, the
//! access log, idempotency keys and the log of paper-form checks — kept in the same database as the case store (an SQLite
//! file or a PostgreSQL database), under versioned migrations applied at open.
//!
//! Every statement is written once, in the SQL both databases understand (`?N` placeholders,
//! rewritten to `$N` for PostgreSQL; `ON CONFLICT … DO NOTHING`; `CAST(? AS TEXT)` where a
//! parameter's type must be known), and runs through the small [`Sql`] trait that each backend
//! implements: the logic above it is one.
//!
//! Why rusqlite: the SQLite library compiled in (`bundled`), nothing to install, the same crate
//! the case store uses. Why `postgres` with r2d2: the core's PostgreSQL store uses the same
//! synchronous client and pool (the pool comes from the core's `connect_pool`), so the server
//! adds no second driver. Both APIs are synchronous:
//! handlers call them inside `spawn_blocking`. SQLite writes commit with `synchronous = FULL`
//! and PostgreSQL's with `synchronous_commit` as the server is configured (on by default), so an
//! access-log line is durable before the response that it records is sent.

use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use siproc_core::access::{Access, AccessEntry, Grant, ReadKind};
use siproc_core::{Actor, Role};
use uuid::Uuid;

/// The migrations, in order; `server_schema.version` counts those applied. Append, never edit.
/// `{serial}` is the backend's auto-numbered key column type.
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
         id {serial},
         user_id TEXT NOT NULL,
         case_id TEXT NOT NULL,
         reason TEXT NOT NULL,
         granted_at TEXT NOT NULL,
         expires_at TEXT NOT NULL
     );
     CREATE INDEX server_grants_user_case ON server_grants (user_id, case_id);
     CREATE TABLE server_access_log (
         id {serial},
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
    // 2: the log of paper-form checks (`POST /form-checks`): outcome, the form and office a
    // genuine code named, and the client as a keyed hash; never a code or an address.
    "CREATE TABLE server_form_checks (
         id {serial},
         at TEXT NOT NULL,
         outcome TEXT NOT NULL,
         form TEXT,
         office TEXT,
         client TEXT
     );
     CREATE INDEX server_form_checks_at ON server_form_checks (at);",
];

/// The advisory lock PostgreSQL migrations hold, so processes starting together do not race
/// ("srvtab" in ASCII; the core's store uses another).
const MIGRATION_LOCK: i64 = 0x7372_7674_6162;

/// Connections kept to PostgreSQL by one server process for its own tables.
const PG_POOL_SIZE: u32 = 16;

/// A fault of the server's database (never carries a personal value: statements bind them).
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// SQLite failed.
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// PostgreSQL failed.
    #[error("postgresql: {0}")]
    Postgres(#[from] postgres::Error),
    /// No PostgreSQL connection could be had.
    #[error("postgresql pool: {0}")]
    Pool(#[from] r2d2::Error),
    /// The URL is wrong, or the database cannot be reached (the core's store error).
    #[error("{0}")]
    Store(#[from] siproc_core::store::StoreError),
    /// A stored value is not what this server writes.
    #[error("the server tables hold a bad {0}")]
    Corrupt(&'static str),
    /// The tables were made by a newer server.
    #[error("the server tables are at schema {0}, newer than this server ({1})")]
    Newer(usize, usize),
}

type DbResult<T> = Result<T, DbError>;

/// A value bound to a statement or read from a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// Text.
    Text(String),
    /// An integer.
    Int(i64),
    /// SQL NULL (bound as a null text).
    Null,
}

impl Value {
    fn text(self, what: &'static str) -> DbResult<String> {
        match self {
            Value::Text(s) => Ok(s),
            _ => Err(DbError::Corrupt(what)),
        }
    }

    fn opt_text(self, what: &'static str) -> DbResult<Option<String>> {
        match self {
            Value::Null => Ok(None),
            other => other.text(what).map(Some),
        }
    }

    fn int(self, what: &'static str) -> DbResult<i64> {
        match self {
            Value::Int(i) => Ok(i),
            _ => Err(DbError::Corrupt(what)),
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Text(s)
    }
}

impl From<Option<String>> for Value {
    fn from(s: Option<String>) -> Value {
        s.map_or(Value::Null, Value::Text)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Value {
        Value::Int(i)
    }
}

/// A row: its columns in the order selected.
type Row = std::vec::IntoIter<Value>;

/// What the server's statements need of a database connection (or transaction).
trait Sql {
    /// Runs a statement; returns the rows it changed.
    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64>;
    /// Runs a query; returns its rows.
    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>>;
    /// Runs several statements without parameters.
    fn batch(&mut self, sql: &str) -> DbResult<()>;
}

impl rusqlite::ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<rusqlite::types::ToSqlOutput<'_>> {
        use rusqlite::types::{ToSqlOutput, ValueRef};
        Ok(match self {
            Value::Text(s) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Int(i) => ToSqlOutput::Borrowed(ValueRef::Integer(*i)),
            Value::Null => ToSqlOutput::Borrowed(ValueRef::Null),
        })
    }
}

impl Sql for rusqlite::Connection {
    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        let n = self
            .prepare_cached(sql)?
            .execute(rusqlite::params_from_iter(params))?;
        Ok(n as u64)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        use rusqlite::types::ValueRef;
        let mut stmt = self.prepare_cached(sql)?;
        let width = stmt.column_count();
        let mut rows = stmt.query(rusqlite::params_from_iter(params))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut cells = Vec::with_capacity(width);
            for i in 0..width {
                cells.push(match row.get_ref(i)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::Int(n),
                    ValueRef::Text(t) => Value::Text(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Real(_) | ValueRef::Blob(_) => {
                        return Err(DbError::Corrupt("column"));
                    }
                });
            }
            out.push(cells.into_iter());
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        Ok(self.execute_batch(sql)?)
    }
}

/// `?N` placeholders as PostgreSQL's `$N` (the statements hold no `?` otherwise).
fn dollars(sql: &str) -> String {
    sql.replace('?', "$")
}

/// The parameters as the `postgres` crate binds them.
fn pg_params(params: &[Value]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    const NULL: Option<String> = None;
    params
        .iter()
        .map(|p| -> &(dyn postgres::types::ToSql + Sync) {
            match p {
                Value::Text(s) => s,
                Value::Int(i) => i,
                Value::Null => &NULL,
            }
        })
        .collect()
}

fn pg_rows(rows: Vec<postgres::Row>) -> DbResult<Vec<Row>> {
    use postgres::types::Type;
    rows.iter()
        .map(|row| {
            (0..row.len())
                .map(|i| {
                    let ty = row.columns().get(i).map(|c| c.type_().clone());
                    Ok(match ty {
                        Some(Type::INT8) => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
                        Some(Type::INT4) => row
                            .try_get::<_, Option<i32>>(i)?
                            .map(|n| Value::Int(n.into())),
                        _ => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
                    }
                    .unwrap_or(Value::Null))
                })
                .collect::<DbResult<Vec<Value>>>()
                .map(Vec::into_iter)
        })
        .collect()
}

/// Any `postgres` client or transaction.
struct Pg<'a, C: postgres::GenericClient>(&'a mut C);

impl<C: postgres::GenericClient> Sql for Pg<'_, C> {
    fn execute(&mut self, sql: &str, params: &[Value]) -> DbResult<u64> {
        Ok(self.0.execute(dollars(sql).as_str(), &pg_params(params))?)
    }

    fn query(&mut self, sql: &str, params: &[Value]) -> DbResult<Vec<Row>> {
        pg_rows(self.0.query(dollars(sql).as_str(), &pg_params(params))?)
    }

    fn batch(&mut self, sql: &str) -> DbResult<()> {
        Ok(self.0.batch_execute(sql)?)
    }
}

type PgPool = siproc_core::store::postgres::Pool;

enum Backend {
    Sqlite(Mutex<rusqlite::Connection>),
    Postgres(PgPool),
}

/// The server's tables in the case store's database.
pub struct ServerDb {
    backend: Backend,
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

/// How a paper-form check ended.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The code is a form's: the form is genuine.
    Genuine,
    /// A well-formed code that no form has.
    Unknown,
    /// Not a verification code.
    Malformed,
    /// Refused unread: too many failed checks from the client.
    Limited,
}

impl CheckOutcome {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckOutcome::Genuine => "genuine",
            CheckOutcome::Unknown => "unknown",
            CheckOutcome::Malformed => "malformed",
            CheckOutcome::Limited => "limited",
        }
    }

    /// The outcome of a wire name.
    pub fn parse(s: &str) -> Option<CheckOutcome> {
        serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
    }
}

/// One line of the form-check log: never the code checked, never the client's address.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct FormCheckRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// How it ended.
    pub outcome: CheckOutcome,
    /// The form a genuine code named (its catalog id).
    pub form: Option<String>,
    /// The office that generated it.
    pub office: Option<String>,
    /// The client as a keyed hash (the key lives in the server process only, so the same
    /// client is recognisable within one run and no address can be recovered), or null.
    pub client: Option<String>,
}

/// Which form checks to read.
#[derive(Debug, Clone, Default)]
pub struct CheckFilter {
    /// Only this outcome.
    pub outcome: Option<CheckOutcome>,
    /// From this moment on.
    pub since: Option<DateTime<Utc>>,
    /// At most this many (newest first).
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

fn parse_time(s: &str) -> DbResult<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| DbError::Corrupt("time"))
}

fn parse_uuid(s: &str) -> DbResult<Uuid> {
    Uuid::parse_str(s).map_err(|_| DbError::Corrupt("case id"))
}

/// The next column of a row.
fn next(row: &mut Row) -> Value {
    row.next().unwrap_or(Value::Null)
}

/// Creates the schema table and applies the pending migrations, inside the caller's
/// transaction; `serial` is the backend's auto-numbered key type.
fn migrate(db: &mut dyn Sql, serial: &str) -> DbResult<()> {
    db.batch("CREATE TABLE IF NOT EXISTS server_schema (version BIGINT NOT NULL)")?;
    let version = match db.query("SELECT version FROM server_schema", &[])?.pop() {
        Some(mut row) => Some(next(&mut row).int("schema version")?),
        None => None,
    };
    let applied = usize::try_from(version.unwrap_or(0)).unwrap_or(usize::MAX);
    if applied > MIGRATIONS.len() {
        return Err(DbError::Newer(applied, MIGRATIONS.len()));
    }
    for sql in MIGRATIONS.iter().skip(applied) {
        db.batch(&sql.replace("{serial}", serial))?;
    }
    let now = Value::Int(MIGRATIONS.len() as i64);
    if version.is_none() {
        db.execute(
            "INSERT INTO server_schema (version) VALUES (CAST(?1 AS BIGINT))",
            &[now],
        )?;
    } else {
        db.execute(
            "UPDATE server_schema SET version = CAST(?1 AS BIGINT)",
            &[now],
        )?;
    }
    Ok(())
}

fn insert_access(db: &mut dyn Sql, entry: &AccessEntry) -> DbResult<()> {
    db.execute(
        "INSERT INTO server_access_log (at, user_id, role, office, case_id, what, access, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        &[
            entry.at.to_rfc3339().into(),
            entry.user_id.as_str().into(),
            entry.role.as_str().into(),
            entry.office.as_str().into(),
            entry.case_id.to_string().into(),
            entry.what.as_str().into(),
            entry.access.as_str().into(),
            entry.reason.clone().into(),
        ],
    )?;
    Ok(())
}

impl ServerDb {
    /// Opens (creating if needed) the SQLite database at `path` and applies pending migrations.
    pub fn open(path: &std::path::Path) -> DbResult<ServerDb> {
        ServerDb::init_sqlite(rusqlite::Connection::open(path)?)
    }

    /// A private in-memory database (for `memory:` stores).
    pub fn in_memory() -> DbResult<ServerDb> {
        ServerDb::init_sqlite(rusqlite::Connection::open_in_memory()?)
    }

    /// Connects to the PostgreSQL database `url` names and applies pending migrations (under an
    /// advisory lock: several processes may start at once).
    pub fn connect(url: &str) -> DbResult<ServerDb> {
        let pool = siproc_core::store::postgres::connect_pool(url, PG_POOL_SIZE)?;
        {
            let mut client = pool.get()?;
            let mut tx = client.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])?;
            migrate(&mut Pg(&mut tx), "BIGSERIAL PRIMARY KEY")?;
            tx.commit()?;
        }
        Ok(ServerDb {
            backend: Backend::Postgres(pool),
        })
    }

    fn init_sqlite(mut conn: rusqlite::Connection) -> DbResult<ServerDb> {
        conn.busy_timeout(Duration::from_secs(10))?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.execute_batch("BEGIN IMMEDIATE")?;
        match migrate(&mut conn, "INTEGER PRIMARY KEY") {
            Ok(()) => conn.execute_batch("COMMIT")?,
            Err(e) => {
                let _ = conn.execute_batch("ROLLBACK");
                return Err(e);
            }
        }
        Ok(ServerDb {
            backend: Backend::Sqlite(Mutex::new(conn)),
        })
    }

    /// Runs `f` on a connection of the backend.
    fn with<T>(&self, f: impl FnOnce(&mut dyn Sql) -> DbResult<T>) -> DbResult<T> {
        match &self.backend {
            Backend::Sqlite(conn) => {
                let mut conn = conn.lock().unwrap_or_else(PoisonError::into_inner);
                f(&mut *conn)
            }
            Backend::Postgres(pool) => f(&mut Pg(&mut *pool.get()?)),
        }
    }

    /// Stores the hash of `token` for `actor`.
    pub fn add_token(&self, token: &str, actor: &Actor) -> DbResult<()> {
        self.with(|db| {
            db.execute(
                "INSERT INTO server_tokens (hash, user_id, role, office, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    token_hash(token).into(),
                    actor.user_id.as_str().into(),
                    actor.role.as_str().into(),
                    actor.office.as_str().into(),
                    Utc::now().to_rfc3339().into(),
                ],
            )
        })?;
        Ok(())
    }

    /// The actor a token hash stands for.
    pub fn actor_for(&self, hash: &str) -> DbResult<Option<Actor>> {
        let rows = self.with(|db| {
            db.query(
                "SELECT user_id, role, office FROM server_tokens WHERE hash = ?1",
                &[hash.into()],
            )
        })?;
        rows.into_iter()
            .next()
            .map(|mut r| {
                let user = next(&mut r).text("user id")?;
                let role =
                    parse_role(&next(&mut r).text("role")?).ok_or(DbError::Corrupt("role"))?;
                Ok(Actor::new(user, role, next(&mut r).text("office")?))
            })
            .transpose()
    }

    /// Stores a grant.
    pub fn add_grant(&self, grant: &Grant) -> DbResult<()> {
        self.with(|db| {
            db.execute(
                "INSERT INTO server_grants (user_id, case_id, reason, granted_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    grant.user_id.as_str().into(),
                    grant.case_id.to_string().into(),
                    grant.reason.as_str().into(),
                    grant.granted_at.to_rfc3339().into(),
                    grant.expires_at.to_rfc3339().into(),
                ],
            )
        })?;
        Ok(())
    }

    /// The grants of `user_id` on `case_id` that have not expired at `now`.
    pub fn grants(&self, user_id: &str, case_id: Uuid, now: DateTime<Utc>) -> DbResult<Vec<Grant>> {
        let rows = self.with(|db| {
            db.query(
                "SELECT reason, granted_at, expires_at FROM server_grants
                 WHERE user_id = ?1 AND case_id = ?2 AND expires_at > ?3",
                &[
                    user_id.into(),
                    case_id.to_string().into(),
                    now.to_rfc3339().into(),
                ],
            )
        })?;
        rows.into_iter()
            .map(|mut r| {
                Ok(Grant {
                    user_id: user_id.to_owned(),
                    case_id,
                    reason: next(&mut r).text("reason")?,
                    granted_at: parse_time(&next(&mut r).text("time")?)?,
                    expires_at: parse_time(&next(&mut r).text("time")?)?,
                })
            })
            .collect()
    }

    /// Writes an access-log entry, durably.
    pub fn log_access(&self, entry: &AccessEntry) -> DbResult<()> {
        self.with(|db| insert_access(db, entry))
    }

    /// Writes many access-log entries in one transaction (one durable commit), all or none.
    pub fn log_accesses(&self, entries: &[AccessEntry]) -> DbResult<()> {
        self.with(|db| {
            db.batch("BEGIN")?;
            let written = entries.iter().try_for_each(|e| insert_access(db, e));
            match written {
                Ok(()) => db.batch("COMMIT"),
                Err(e) => {
                    let _ = db.batch("ROLLBACK");
                    Err(e)
                }
            }
        })
    }

    /// Access-log entries matching `filter`, newest first.
    pub fn access_log(&self, filter: &LogFilter) -> DbResult<Vec<AccessEntry>> {
        let rows = self.with(|db| {
            db.query(
                "SELECT at, user_id, role, office, case_id, what, access, reason FROM server_access_log
                 WHERE (CAST(?1 AS TEXT) IS NULL OR case_id = ?1)
                   AND (CAST(?2 AS TEXT) IS NULL OR user_id = ?2)
                   AND (CAST(?3 AS TEXT) IS NULL OR at >= ?3)
                 ORDER BY id DESC LIMIT ?4",
                &[
                    filter.case_id.map(|c| c.to_string()).into(),
                    filter.user_id.clone().into(),
                    filter.since.map(|s| s.to_rfc3339()).into(),
                    i64::from(filter.limit).into(),
                ],
            )
        })?;
        rows.into_iter()
            .map(|mut r| {
                Ok(AccessEntry {
                    at: parse_time(&next(&mut r).text("time")?)?,
                    user_id: next(&mut r).text("user id")?,
                    role: parse_role(&next(&mut r).text("role")?)
                        .ok_or(DbError::Corrupt("role"))?,
                    office: next(&mut r).text("office")?,
                    case_id: parse_uuid(&next(&mut r).text("case id")?)?,
                    what: ReadKind::parse(&next(&mut r).text("what")?)
                        .ok_or(DbError::Corrupt("what"))?,
                    access: parse_access(&next(&mut r).text("access")?)
                        .ok_or(DbError::Corrupt("access"))?,
                    reason: next(&mut r).opt_text("reason")?,
                })
            })
            .collect()
    }

    /// Writes a form-check log line, durably.
    pub fn log_form_check(&self, record: &FormCheckRecord) -> DbResult<()> {
        self.with(|db| {
            db.execute(
                "INSERT INTO server_form_checks (at, outcome, form, office, client)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                &[
                    record.at.to_rfc3339().into(),
                    record.outcome.as_str().into(),
                    record.form.clone().into(),
                    record.office.clone().into(),
                    record.client.clone().into(),
                ],
            )
        })?;
        Ok(())
    }

    /// Form-check log lines matching `filter`, newest first.
    pub fn form_checks(&self, filter: &CheckFilter) -> DbResult<Vec<FormCheckRecord>> {
        let rows = self.with(|db| {
            db.query(
                "SELECT at, outcome, form, office, client FROM server_form_checks
                 WHERE (CAST(?1 AS TEXT) IS NULL OR outcome = ?1)
                   AND (CAST(?2 AS TEXT) IS NULL OR at >= ?2)
                 ORDER BY id DESC LIMIT ?3",
                &[
                    filter.outcome.map(|o| o.as_str().to_owned()).into(),
                    filter.since.map(|s| s.to_rfc3339()).into(),
                    i64::from(filter.limit).into(),
                ],
            )
        })?;
        rows.into_iter()
            .map(|mut r| {
                Ok(FormCheckRecord {
                    at: parse_time(&next(&mut r).text("time")?)?,
                    outcome: CheckOutcome::parse(&next(&mut r).text("outcome")?)
                        .ok_or(DbError::Corrupt("outcome"))?,
                    form: next(&mut r).opt_text("form")?,
                    office: next(&mut r).opt_text("office")?,
                    client: next(&mut r).opt_text("client")?,
                })
            })
            .collect()
    }

    fn key_case(db: &mut dyn Sql, user_id: &str, key: &str) -> DbResult<Option<Uuid>> {
        db.query(
            "SELECT case_id FROM server_idempotency WHERE user_id = ?1 AND key = ?2",
            &[user_id.into(), key.into()],
        )?
        .into_iter()
        .next()
        .map(|mut r| parse_uuid(&next(&mut r).text("case id")?))
        .transpose()
    }

    /// The case a user's earlier request with `key` created, if any.
    pub fn idempotent_case(&self, user_id: &str, key: &str) -> DbResult<Option<Uuid>> {
        self.with(|db| ServerDb::key_case(db, user_id, key))
    }

    /// Remembers that `key` created `case_id`; returns the case remembered first when another
    /// request with the same key won the race.
    pub fn remember_key(&self, user_id: &str, key: &str, case_id: Uuid) -> DbResult<Uuid> {
        self.with(|db| {
            db.execute(
                "INSERT INTO server_idempotency (user_id, key, case_id, created_at)
                 VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id, key) DO NOTHING",
                &[
                    user_id.into(),
                    key.into(),
                    case_id.to_string().into(),
                    Utc::now().to_rfc3339().into(),
                ],
            )?;
            ServerDb::key_case(db, user_id, key)?.ok_or(DbError::Corrupt("idempotency key"))
        })
    }
}
