//! [`PostgresStore`]: the [`CaseStore`] for a ministry whose offices outgrow one machine —
//! several server processes share one PostgreSQL database, and PostgreSQL's replication and
//! backups apply.
//!
//! # Why the `postgres` crate and r2d2
//!
//! The trait is synchronous (see [`super`]); `postgres` is the maintained synchronous client
//! (a thin blocking layer over `tokio-postgres`), so no async runtime leaks into the core's
//! API. It has no pool of its own; r2d2 (with `r2d2_postgres`) is the small, well-kept
//! blocking pool made for it: a store call borrows one connection for one transaction.
//!
//! # Schema and concurrency
//!
//! The schema, its migrations and every statement are the SQL layer's ([`super::sql`]), shared
//! with SQLite (whose docs list the tables and say how sealed values can later be encrypted and
//! the index become blind); PostgreSQL adds `siproc_meta` (the schema version) and
//! `feed_counter`. Case numbers sort in byte order (`COLLATE "C"`), as in every store. This
//! module holds what is PostgreSQL's own: the adapter for the `postgres` crate, the pool,
//! transactions and their retries, `LISTEN`.
//!
//! - Creating a case increments its office's counter row (`INSERT … ON CONFLICT DO UPDATE …
//!   RETURNING`), which locks that row until commit: numbers stay gap-free across processes.
//!   The creations of one process at the same moment share that transaction ([`group`]: `k`
//!   numbers taken at once, `k` cases written, one WAL flush), so the row is held once per
//!   group instead of once per case.
//! - Imports, and groups of creations, send their rows in bulk ([`bulk`]: one binary `COPY` a
//!   table), not a statement per row.
//! - An append is checked by the core ([`super::checked_append`]) on a fresh read, then written
//!   in a transaction that locks the case row (`SELECT … FOR UPDATE`) and writes only if it is
//!   still at the version read; `(case_id, seq)` and event ids are unique keys besides.
//! - Feed positions come from one `feed_counter` row updated just before commit, so positions
//!   follow commit order (a reader never skips an entry committed later with a smaller
//!   position). The same transaction runs `SELECT pg_notify('siproc_events', <last position>)`:
//!   servers `LISTEN siproc_events` to learn of new entries.
//! - The records kept beside the cases (access-log lines, sessions) are written by one thread
//!   a process, the writes of the moment in one transaction ([`record_writer`]): a case read
//!   waits for its access-log line's commit, and concurrent reads share it.
//! - Migrations run at open under an advisory lock, so processes starting together do not race.

use std::collections::{HashMap, HashSet};
use std::error::Error as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{IsNull, ToSql, Type, to_sql_checked};
use postgres::{GenericClient, NoTls, Statement, Transaction};
use r2d2_postgres::PostgresConnectionManager;
use uuid::Uuid;

use super::records::Records;
use super::sql::conn::{Conn, Dialect, Param, Row, Value};
use super::sql::crypt::{self, StoreKeys};
use super::sql::rows::CaseRows;
use super::sql::verified::Verified;
use super::sql::write::{self, Taken};
use super::sql::{read, schema};
use super::{
    CaseHistory, CaseQuery, CaseStore, CaseSummary, FeedEntry, KnownCases, PutOutcome, StoreError,
    Write, checked_imports, put_one,
};
use crate::case::{Case, Status, case_number};
use crate::case_record::KeptRecord;
use crate::history::{self, Event, HistoryError};
use crate::keys::{IndexKey, MasterKey};
use crate::workflow::WorkflowError;
use bulk::Bulk;

pub use super::sql::{NOTIFY_CHANNEL, SCHEMA_VERSION};

mod bulk;
mod group;
mod record_writer;

pub(crate) use record_writer::RecordWriter;

/// A pool of PostgreSQL connections ([`connect_pool`]).
pub type Pool = r2d2::Pool<Manager>;
type Client = r2d2::PooledConnection<Manager>;

/// Statements a connection keeps prepared, at most; past it the cache starts again (searches
/// build their SQL from the query, so the texts are many).
const STATEMENTS_KEPT: usize = 256;

/// The pool's connection manager: `r2d2_postgres`'s, each connection with the statements
/// prepared on it, so that a statement is prepared once per connection rather than once per
/// call (a round trip of its own).
pub struct Manager(PostgresConnectionManager<NoTls>);

/// A pooled connection and the statements prepared on it, by their SQL.
pub struct Connection {
    client: postgres::Client,
    statements: HashMap<String, Statement>,
    /// When it last went back to the pool whole ([`Manager`]'s `has_broken`).
    returned: Instant,
}

/// A connection back in the pool for less than this is taken out again without a round trip
/// to check it is alive (as HikariCP's `aliveBypassWindowMs` does): under load a connection
/// is checked out several times a request — the caller's account, the case, its grants, the
/// access-log line — and the checks (an empty query each) were as many round trips as the
/// statements. A connection that broke within the window fails the statement that finds it
/// out; r2d2 then drops it (`has_broken`), and the next checkout connects afresh.
const ALIVE_WITHOUT_CHECK: Duration = Duration::from_millis(500);

impl r2d2::ManageConnection for Manager {
    type Connection = Connection;
    type Error = postgres::Error;

    fn connect(&self) -> Result<Connection, postgres::Error> {
        Ok(Connection {
            client: self.0.connect()?,
            statements: HashMap::new(),
            returned: Instant::now(),
        })
    }

    fn is_valid(&self, conn: &mut Connection) -> Result<(), postgres::Error> {
        if conn.returned.elapsed() < ALIVE_WITHOUT_CHECK && !conn.client.is_closed() {
            return Ok(());
        }
        self.0.is_valid(&mut conn.client)
    }

    fn has_broken(&self, conn: &mut Connection) -> bool {
        conn.returned = Instant::now();
        self.0.has_broken(&mut conn.client)
    }
}

/// Connections kept by one store.
const POOL_SIZE: u32 = 16;

/// How many times a write is retried after another process wrote first.
const MAX_RETRIES: usize = 10_000;

/// A store in a PostgreSQL database. See the module docs.
pub struct PostgresStore {
    pool: Pool,
    /// Histories verified by this process ([`Verified`]: loads of unchanged rows skip hashing).
    verified: Verified,
    /// The keys of an encrypted store.
    keys: Option<Arc<StoreKeys>>,
    /// The creations waiting to be written as a group ([`group`]).
    creations: group::Creations,
    /// The writer of the records kept beside the cases ([`record_writer`]: group commit).
    record_writer: record_writer::RecordWriter,
}

/// A PostgreSQL error as a store error, without data: the SQLSTATE and the server's message,
/// never its DETAIL (which quotes values).
fn db(e: postgres::Error) -> StoreError {
    let reason = match e.as_db_error() {
        Some(d) => format!("postgres {}: {}", d.code().code(), d.message()),
        None => match e.source() {
            // A parameter that did not convert: say which type, never the value.
            Some(source) => format!("postgres: {e} ({source})"),
            None => format!("postgres: {e}"),
        },
    };
    StoreError::Backend { reason }
}

fn pool_error(e: r2d2::Error) -> StoreError {
    StoreError::Backend {
        reason: format!("postgres: no connection ({e})"),
    }
}

/// The connection settings a URL gives (`postgresql://user:password@host:port/db`, or any libpq
/// connection string), with a 10-second connect timeout unless it sets one. A bad URL is
/// `store.bad_url`, without quoting it.
pub fn connection_config(url: &str) -> Result<postgres::Config, StoreError> {
    let mut config: postgres::Config = url.parse().map_err(|_| StoreError::BadUrl {
        reason: "not a PostgreSQL connection URL",
    })?;
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(Duration::from_secs(10));
    }
    Ok(config)
}

/// A pool of at most `size` connections to the database `url` names.
pub fn connect_pool(url: &str, size: u32) -> Result<Pool, StoreError> {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(30))
        .build(Manager(PostgresConnectionManager::new(
            connection_config(url)?,
            NoTls,
        )))
        .map_err(pool_error)
}

/// Runs `f` on a connection of `pool`, outside any transaction (each statement commits).
pub(crate) fn with_client<T>(
    pool: &Pool,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut conn = pool.get().map_err(pool_error)?;
    let Connection {
        client, statements, ..
    } = &mut *conn;
    f(&mut Pg::new(client, statements))
}

/// Runs `f` in a transaction on a connection of `pool` and commits what it did.
pub(crate) fn in_transaction<T>(
    pool: &Pool,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut conn = pool.get().map_err(pool_error)?;
    let Connection {
        client, statements, ..
    } = &mut *conn;
    let mut tx = client.transaction().map_err(db)?;
    let out = f(&mut Pg::new(&mut tx, statements))?;
    tx.commit().map_err(db)?;
    Ok(out)
}

/// A connection that listens for feed announcements ([`NOTIFY_CHANNEL`]) from every process
/// writing to one database: a server wakes its event streams with it, then reads the entries
/// from [`CaseStore::feed`] (the announcement carries only a position, never the entries).
pub struct FeedListener {
    client: postgres::Client,
}

impl FeedListener {
    /// Connects to the database `url` names and starts listening.
    pub fn connect(url: &str) -> Result<FeedListener, StoreError> {
        let mut client = connection_config(url)?.connect(NoTls).map_err(db)?;
        client
            .batch_execute(&format!("LISTEN {NOTIFY_CHANNEL}"))
            .map_err(db)?;
        Ok(FeedListener { client })
    }

    /// Waits up to `timeout` for announcements; returns the highest position announced (every
    /// announcement already waiting is taken), or `None` when none came in time.
    pub fn wait(&mut self, timeout: Duration) -> Result<Option<u64>, StoreError> {
        let mut notifications = self.client.notifications();
        let mut highest = None;
        let mut take = |n: postgres::Notification| {
            let position = n.payload().parse::<u64>().unwrap_or(0);
            highest = Some(highest.map_or(position, |h: u64| h.max(position)));
        };
        let first = notifications.timeout_iter(timeout).next().map_err(db)?;
        if let Some(n) = first {
            take(n);
            while let Some(n) = notifications.iter().next().map_err(db)? {
                take(n);
            }
        }
        Ok(highest)
    }
}

// ---------------------------------------------------------------------------------------------
// The adapter

impl ToSql for Param<'_> {
    /// Binds by the type the statement expects: an integer as `int2`, `int4` or `int8`, text as
    /// any text type, bytes as `bytea`.
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            Param::Str(s) => s.to_sql(ty, out),
            Param::Text(s) => s.as_str().to_sql(ty, out),
            Param::Int(n) => match *ty {
                Type::INT2 => i16::try_from(*n)?.to_sql(ty, out),
                Type::INT4 => i32::try_from(*n)?.to_sql(ty, out),
                _ => n.to_sql(ty, out),
            },
            Param::Blob(b) => b.to_sql(ty, out),
            Param::Null => Ok(IsNull::Yes),
        }
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    to_sql_checked!();
}

/// A `postgres` client or transaction as the SQL layer's [`Conn`]: `?N` placeholders written as
/// `$N`, each statement prepared once per connection ([`Connection`]: a statement given as text
/// is prepared on the server at every call, a round trip of its own).
pub(crate) struct Pg<'a, C: GenericClient> {
    client: &'a mut C,
    statements: &'a mut HashMap<String, Statement>,
}

impl<'a, C: GenericClient> Pg<'a, C> {
    fn new(client: &'a mut C, statements: &'a mut HashMap<String, Statement>) -> Self {
        Pg { client, statements }
    }

    fn statement(&mut self, sql: &str) -> Result<Statement, StoreError> {
        self.prepare(sql).map_err(db)
    }

    /// The statement `sql` (`?N` placeholders written as `$N`), prepared on this connection
    /// the first time it is asked for.
    fn prepare(&mut self, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(stmt) = self.statements.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = self.client.prepare(&sql.replace('?', "$"))?;
        if self.statements.len() >= STATEMENTS_KEPT {
            self.statements.clear();
        }
        self.statements.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

fn refs<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params.iter().map(|p| p as &(dyn ToSql + Sync)).collect()
}

fn cell(row: &postgres::Row, i: usize, ty: &Type) -> Result<Value, postgres::Error> {
    Ok(match *ty {
        Type::INT8 => row.try_get::<_, Option<i64>>(i)?.map(Value::Int),
        Type::INT4 => row
            .try_get::<_, Option<i32>>(i)?
            .map(|n| Value::Int(n.into())),
        Type::INT2 => row
            .try_get::<_, Option<i16>>(i)?
            .map(|n| Value::Int(n.into())),
        Type::BOOL => row
            .try_get::<_, Option<bool>>(i)?
            .map(|b| Value::Int(b.into())),
        Type::BYTEA => row.try_get::<_, Option<Vec<u8>>>(i)?.map(Value::Blob),
        Type::VOID => None,
        _ => row.try_get::<_, Option<String>>(i)?.map(Value::Text),
    }
    .unwrap_or(Value::Null))
}

impl<C: GenericClient> Conn for Pg<'_, C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    fn try_execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<u64>, StoreError> {
        let stmt = self.statement(sql)?;
        match self.client.execute(&stmt, &refs(params)) {
            Ok(n) => Ok(Some(n)),
            Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(None),
            Err(e) => Err(db(e)),
        }
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let stmt = self.statement(sql)?;
        let rows = self.client.query(&stmt, &refs(params)).map_err(db)?;
        rows.iter()
            .map(|row| {
                row.columns()
                    .iter()
                    .enumerate()
                    .map(|(i, column)| cell(row, i, column.type_()).map_err(db))
                    .collect::<Result<Vec<_>, _>>()
                    .map(Row)
            })
            .collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        self.client.batch_execute(sql).map_err(db)
    }
}

// ---------------------------------------------------------------------------------------------
// The store

impl PostgresStore {
    /// Connects to the unencrypted store in the database `url` names
    /// (`postgresql://user:password@host:port/db`, or any libpq connection string) and
    /// migrates its schema; an encrypted database is `store.key_required`
    /// ([`PostgresStore::open_with_key`]).
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        PostgresStore::open_with_key(url, None)
    }

    /// Connects to the store in the database `url` names with its master key, and migrates
    /// its schema: as [`super::sqlite::SqliteStore::open_with_key`] (a new database given a
    /// key is encrypted; an encrypted one needs its key).
    pub fn open_with_key(
        url: &str,
        master: Option<&MasterKey>,
    ) -> Result<PostgresStore, StoreError> {
        let pool = connect_pool(url, POOL_SIZE)?;
        let mut store = PostgresStore {
            record_writer: record_writer::RecordWriter::new(pool.clone()),
            pool,
            verified: Verified::new(),
            keys: None,
            creations: group::Creations::default(),
        };
        let mut keys = None;
        let written = store.transaction(|c| {
            schema::migrate(c)?;
            keys = crypt::open_keys(c, master)?;
            Ok(Write::Done)
        })?;
        match written {
            Write::Done => {
                store.keys = keys;
                Ok(store)
            }
            Write::Stale => Err(StoreError::Backend {
                reason: "postgres: the schema migration did not commit".into(),
            }),
        }
    }

    /// The keys of an encrypted store.
    pub(crate) fn keys(&self) -> Option<&StoreKeys> {
        self.keys.as_deref()
    }

    /// The records kept about access ([`Records`]) in the same database, on the store's pool.
    pub fn access_records(&self) -> Records {
        Records::postgres(
            self.pool.clone(),
            self.record_writer.clone(),
            self.keys.clone(),
        )
    }

    /// The blobs kept in the same database ([`crate::blobs`]), on the store's pool.
    pub fn blobs(&self) -> super::DatabaseBlobs {
        super::DatabaseBlobs::new(self.access_records())
    }

    fn client(&self) -> Result<Client, StoreError> {
        self.pool.get().map_err(pool_error)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        with_client(&self.pool, f)
    }

    fn history(&self, case_id: Uuid) -> Result<Arc<CaseHistory>, StoreError> {
        self.read(|c| read::history(c, case_id, &self.verified, self.keys()))?
            .ok_or(StoreError::NotFound)
    }

    /// Runs `f` in a transaction and commits if it says [`Write::Done`]; a unique violation at
    /// commit (another process wrote the same row first) is [`Write::Stale`].
    fn transaction(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<Write, StoreError>,
    ) -> Result<Write, StoreError> {
        let mut conn = self.client()?;
        let Connection {
            client, statements, ..
        } = &mut *conn;
        let mut tx = client.transaction().map_err(db)?;
        match f(&mut Pg::new(&mut tx, statements)) {
            Ok(Write::Done) => commit(tx),
            other => other,
        }
    }
}

impl PostgresStore {
    /// Creates a case in a transaction of its own: the next number from the office's counter
    /// row (locked until commit), the case under it. What a group ([`group`]) falls back to
    /// when it cannot commit all of its cases.
    fn create_alone(
        &self,
        office: &str,
        year: i32,
        seal: &mut dyn FnMut(&str) -> Result<history::FreshEvent, WorkflowError>,
    ) -> Result<Case, StoreError> {
        for _ in 0..MAX_RETRIES {
            let mut opened = None;
            let written = self.transaction(|c| {
                let seq = write::next_number(c, office, year)?;
                let number = case_number(office, year, seq);
                let history = CaseHistory::opened(seal(&number)?, &number)?;
                let rows = CaseRows::of(&history, self.keys())?;
                match write::taken(c, &rows.summary.id, &number)? {
                    Some(Taken::Id) => return Err(StoreError::DuplicateCase),
                    Some(Taken::Number) => return Err(StoreError::NumberTaken),
                    None => {}
                }
                opened = Some(history.into_parts().1);
                write::insert_case(c, &rows)
            })?;
            if written == Write::Done {
                return opened.ok_or(StoreError::Invalid(HistoryError::Empty));
            }
        }
        Err(StoreError::Backend {
            reason: "postgres: the case number did not settle".into(),
        })
    }
}

fn commit(tx: Transaction<'_>) -> Result<Write, StoreError> {
    match tx.commit() {
        Ok(()) => Ok(Write::Done),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(Write::Stale),
        Err(e) => Err(db(e)),
    }
}

impl CaseStore for PostgresStore {
    /// In a group with the creations of the moment ([`group`]): one transaction, one hold of
    /// the office's counter row and one WAL flush for all of them.
    fn create_case(
        &self,
        office: &str,
        year: i32,
        seal: &mut dyn FnMut(&str) -> Result<history::FreshEvent, WorkflowError>,
    ) -> Result<Case, StoreError> {
        self.creations.create(self, office, year, seal)
    }

    fn load(&self, case_id: Uuid) -> Result<Vec<Event>, StoreError> {
        Ok(self.history(case_id)?.events().to_vec())
    }

    fn load_history(&self, case_id: Uuid) -> Result<CaseHistory, StoreError> {
        Ok(Arc::unwrap_or_clone(self.history(case_id)?))
    }

    fn append(
        &self,
        case_id: Uuid,
        expected_version: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        write::keyed_append(
            expected_version,
            events,
            self.keys(),
            &mut || {
                self.read(|c| read::history_and_key(c, case_id, &self.verified, self.keys()))?
                    .ok_or(StoreError::NotFound)
            },
            &mut |read, rows| self.transaction(|c| write::append(c, read, &rows)),
        )
    }

    fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        self.read(|c| read::list(c, query, self.keys().map(StoreKeys::index)))
    }

    fn records(&self, query: &CaseQuery) -> Result<Vec<(String, KeptRecord)>, StoreError> {
        self.read(|c| read::records(c, query, &self.verified, self.keys()))
    }

    fn summary(&self, case_id: Uuid) -> Result<CaseSummary, StoreError> {
        self.read(|c| read::summary(c, case_id))
    }

    /// One query for the whole batch (an import's check otherwise costs two round trips a
    /// case).
    fn known_cases(&self, ids: &[Uuid], numbers: &[&str]) -> Result<KnownCases, StoreError> {
        let texts: Vec<String> = ids.iter().map(Uuid::to_string).collect();
        let id_refs: Vec<&str> = texts.iter().map(String::as_str).collect();
        let asked: HashSet<&str> = numbers.iter().copied().collect();
        let mut conn = self.client()?;
        let mut known = KnownCases::default();
        for stored in bulk::stored(&mut conn.client, &id_refs, numbers).map_err(db)? {
            if asked.contains(stored.number.as_str()) {
                known.numbers.insert(stored.number);
            }
            if let Ok(id) = Uuid::parse_str(&stored.id)
                && ids.contains(&id)
            {
                let version = u64::try_from(stored.version).unwrap_or_default();
                known.stored.insert(id, (version, stored.head));
            }
        }
        Ok(known)
    }

    fn put_history(&self, events: &[Event]) -> Result<PutOutcome, StoreError> {
        put_one(self, events)
    }

    /// One transaction for the batch, its rows sent in bulk, a few statements in all
    /// ([`bulk`]: one `COPY` a table): a case whose id or number is stored, or taken by an
    /// earlier case of the batch, is left out and the others written. If a unique key is
    /// taken while writing (another process committed the same case first), the batch is
    /// written again case by case, each in its own savepoint, rolled back alone when its id or
    /// number is taken.
    fn put_histories(
        &self,
        histories: &[&[Event]],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        checked_imports(
            histories,
            &mut |sound| {
                let rows = sound
                    .iter()
                    .map(|history| CaseRows::of(history, self.keys()))
                    .collect::<Result<Vec<_>, _>>()?;
                let refs: Vec<&CaseRows> = rows.iter().collect();
                let mut conn = self.client()?;
                let Connection {
                    client, statements, ..
                } = &mut *conn;
                let mut tx = client.transaction().map_err(db)?;
                if let Bulk::Written(written) =
                    bulk::insert(&mut Pg::new(&mut tx, statements), &refs)?
                {
                    tx.commit().map_err(db)?;
                    return Ok(written.into_iter().map(Ok).collect());
                }
                drop(tx);
                let mut tx = client.transaction().map_err(db)?;
                let mut results = Vec::with_capacity(rows.len());
                {
                    let c = &mut Pg::new(&mut tx, statements);
                    for rows in &rows {
                        results.push(super::sql::conn::in_savepoint(
                            c,
                            |c| write::import(c, rows),
                            |w| *w == Write::Done,
                        )?);
                    }
                }
                tx.commit().map_err(db)?;
                Ok(results)
            },
            &mut |id| {
                Ok(self
                    .read(|c| read::history(c, id, &self.verified, self.keys()))?
                    .map(Arc::unwrap_or_clone))
            },
        )
    }

    fn feed(&self, after: u64, limit: usize) -> Result<Vec<FeedEntry>, StoreError> {
        self.read(|c| read::feed(c, after, limit))
    }

    fn feed_head(&self) -> Result<u64, StoreError> {
        self.read(read::feed_head)
    }

    fn count(&self) -> Result<u64, StoreError> {
        self.read(read::count)
    }

    fn status_counts(&self) -> Result<Vec<(Status, u64)>, StoreError> {
        self.read(read::status_counts)
    }

    fn index_key(&self) -> Option<IndexKey> {
        self.keys().map(|k| k.index().clone())
    }

    fn blob_key(&self, case_id: Uuid) -> Result<Option<crate::keys::BlobKey>, StoreError> {
        let Some(keys) = self.keys() else {
            return Ok(None);
        };
        // Encrypted: a case without a data key (erased, its key destroyed) has no blob to read
        // or write, never one in clear.
        self.read(|c| keys.case_key(c, &case_id.to_string()))?
            .map(|k| Some(crate::keys::BlobKey::of(k)))
            .ok_or(StoreError::NotFound)
    }
}
