//! [`SqliteStore`]: the embedded, durable [`CaseStore`] — one SQLite file in WAL mode.
//!
//! # Why rusqlite
//!
//! rusqlite is the maintained, synchronous binding to SQLite; with its `bundled` feature SQLite
//! is compiled in, so nothing needs installing and every machine runs the same SQLite. The
//! trait is synchronous (see [`super`]), so an async driver (sqlx) would only add a runtime.
//!
//! # Durability and concurrency
//!
//! The file is in WAL mode with `synchronous = FULL`: a write is acknowledged only after its
//! commit reached the disk, so a killed process or a power cut loses nothing acknowledged.
//! SQLite allows one writer at a time, and a durable commit costs one `fsync` (about 3,600 a
//! second on the reference machine). So every write goes to **one writer thread** through a
//! queue: it takes every job waiting, runs each inside its own savepoint of one transaction,
//! commits once and answers them all (*group commit*). When fewer jobs wait than shared the
//! last commit, the writer waits for the rest a moment (at most half a millisecond): the
//! callers it just answered are preparing their next write, and a commit costs about as much
//! for eight cases as for one. Callers do the expensive part themselves, before queueing —
//! building and hashing the `case_opened` event, loading and checking a case's history with
//! [`CaseHistory::append`], and turning what is to be written into rows (`sql::CaseRows`:
//! the events' canonical JSON, the search terms, the statistics record) — and the writer only
//! binds those rows after checking that the case (or the office's counter) is still as the
//! caller read it (a compare-and-swap; if not, the caller checks again). Readers use their own connections, which WAL lets read while
//! the writer writes. Several processes may open the same file: each has its writer, and
//! `BEGIN IMMEDIATE` with a busy timeout makes them take turns; the compare-and-swap keeps
//! numbers and versions right across processes. An import batch
//! ([`CaseStore::put_histories`]) is one job whose cases each get their own savepoint.
//!
//! Loads verify what they read, but a history this process already verified from the very same
//! rows is not verified again (`sql::Verified`: an LRU of histories with the rows they were made
//! from, compared byte for byte); any changed byte is verified in full.
//!
//! # Schema
//!
//! The schema, its migrations and every statement are the SQL layer's ([`super::sql`]), shared
//! with PostgreSQL; this module holds what is SQLite's own: the adapter for rusqlite, the file
//! and its pragmas, the writer thread. The version is SQLite's `user_version`. A file from a
//! newer siproc is refused (`store.newer_schema`), a file that is not a siproc store too
//! (`store.corrupt`).
//!
//! - `events(position, case_id, seq, id, hash, kind, office, body)`: `body` is the event's
//!   canonical JSON (RFC 8785, [`crate::history::canonical_json`]) — the exact text the chain
//!   hashes, plus the hash. `position` orders the store-wide [`feed`](CaseStore::feed).
//!   `kind` and `office` are the feed's columns (no personal data).
//! - `cases(id, number, office, category, status, priority, opened_on, version, head,
//!   updated_at, transfer_to, follow_ups)`: the summary, no personal data; `version` and `head`
//!   are the anchor the events are checked against when read.
//! - `case_counters(office, year, last)`: gap-free numbering.
//! - `case_names(term, case_id, person)` and `case_documents(term, case_id)`: the search index,
//!   [`IndexTerms`]; `case_stats`: each case's statistics record.
//! - the records kept about access ([`super::records`]): tokens, grants, the access log,
//!   idempotency keys, form checks.
//!
//! Personal values are written only inside `events.body` and the two index tables.
//!
//! # Encryption at rest and blind indexes
//!
//! A file opened with a master key ([`SqliteStore::open_with_key`], [`crate::keys`]) is
//! encrypted: each sealed value in a body is written `{"commitment", "sealed"}` (its salt
//! and value encrypted with the case's data key, kept wrapped in `cases.data_key`), and the index
//! tables hold keyed hashes of the terms ([`super::IndexTerms`], blinded), never the terms. The
//! event hash covers commitments only, so every stored hash still verifies without the key.
//! What is written is the SQL layer's (`sql::crypt`); `docs/data-protection.md` lists what is
//! encrypted with which key and what stays in clear.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, OpenFlags};
use uuid::Uuid;

use super::records::Records;
use super::sql::conn::{Conn, Dialect, Param, Row, Value, in_savepoint};
use super::sql::crypt::{self, StoreKeys};
use super::sql::gather::{RecordWrite, gather};
use super::sql::rows::{AppendRows, CaseRows};
use super::sql::verified::Verified;
use super::sql::{read, schema, write};
use super::{
    CaseHistory, CaseQuery, CaseStore, CaseSummary, FeedEntry, PutOutcome, StoreError, Write,
    checked_imports, put_one,
};
use crate::case::{Case, Status, case_number};
use crate::case_record::KeptRecord;
use crate::history::{self, Anchor, Event};
use crate::keys::{DataKey, IndexKey, MasterKey};
use crate::workflow::WorkflowError;
use readers::Readers;

mod readers;

pub use super::sql::SCHEMA_VERSION;

/// How long a connection waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// How many times a creation takes a fresh number after another writer took its number.
const MAX_RENUMBER: usize = 10_000;

/// A durable store in one SQLite file. See the module docs.
pub struct SqliteStore {
    file: Arc<File>,
    /// The last number handed out per office and year (committed or queued).
    counters: Mutex<HashMap<(String, i32), u64>>,
    /// Histories verified by this process ([`Verified`]: loads of unchanged rows skip verifying).
    verified: Verified,
    /// The keys of an encrypted store.
    keys: Option<Arc<StoreKeys>>,
}

/// What a store shares with the records kept in its file ([`Records`]): the file, its one
/// writer thread (so that an access-log line shares a commit with the other writes of the
/// moment, as the group commit above describes) and its reader connections.
pub(crate) struct File {
    path: PathBuf,
    commits: Arc<Commits>,
    writer: Mutex<Option<Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    readers: Readers,
}

/// What the writer has committed since the store was opened, for monitoring: the average group
/// is `writes / commits`, the average commit time `seconds / commits`. Counters only grow.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CommitStats {
    /// Transactions committed (each one `fsync`).
    pub commits: u64,
    /// Writes (callers' jobs) those commits carried.
    pub writes: u64,
    /// Time spent running and committing them, in seconds.
    pub seconds: f64,
}

/// The writer's counters, shared with whoever asks ([`Records::commit_stats`]).
#[derive(Debug, Default)]
struct Commits {
    commits: std::sync::atomic::AtomicU64,
    writes: std::sync::atomic::AtomicU64,
    nanos: std::sync::atomic::AtomicU64,
}

impl Commits {
    fn record(&self, writes: usize, took: Duration) {
        use std::sync::atomic::Ordering::Relaxed;
        self.commits.fetch_add(1, Relaxed);
        self.writes.fetch_add(writes as u64, Relaxed);
        let nanos = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Relaxed);
    }

    fn snapshot(&self) -> CommitStats {
        use std::sync::atomic::Ordering::Relaxed;
        CommitStats {
            commits: self.commits.load(Relaxed),
            writes: self.writes.load(Relaxed),
            seconds: self.nanos.load(Relaxed) as f64 / 1e9,
        }
    }
}

impl Records {
    /// What the SQLite writer these records share has committed (`None` for the other
    /// backends, whose commits are the database server's).
    pub fn commit_stats(&self) -> Option<CommitStats> {
        match &self.backend {
            super::records::sql_records::Backend::SqliteFile(file) => Some(file.commits.snapshot()),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }
}

/// What the writer answers for a job: one result per operation (`Err` of its own: the
/// transaction failed, nothing of the job was committed).
type Answer = Result<Vec<Result<Write, StoreError>>, StoreError>;

/// Writes for the writer thread, each in its own savepoint of the same transaction, and where
/// to answer.
struct Job {
    ops: Vec<Op>,
    reply: SyncSender<Answer>,
}

enum Op {
    /// A new case numbered `seq`: done if the counter is at `seq - 1`.
    Create {
        rows: Box<CaseRows>,
        year: i32,
        seq: u64,
    },
    /// New events: done if the case is still at `read`.
    Append { read: Anchor, rows: Box<AppendRows> },
    /// An import: done if neither its id nor its number is stored.
    Import { rows: Box<CaseRows> },
    /// A write of the records kept about access ([`Records`]).
    Record(RecordWrite),
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A SQLite error as a store error, without data: unreadable files are `store.corrupt`.
pub(crate) fn db_error(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            reason: "the file is not a readable SQLite database".into(),
        },
        _ => StoreError::Backend {
            reason: format!("sqlite: {e}"),
        },
    }
}

/// Whether `e` is a unique or primary key that another row holds.
fn unique_violation(e: &rusqlite::Error) -> bool {
    matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
            || f.extended_code == rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY)
}

impl rusqlite::ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self {
            Param::Str(s) => ValueRef::Text(s.as_bytes()),
            Param::Text(s) => ValueRef::Text(s.as_bytes()),
            Param::Int(n) => ValueRef::Integer(*n),
            Param::Blob(b) => ValueRef::Blob(b),
            Param::Null => ValueRef::Null,
        }))
    }
}

/// A rusqlite connection (or transaction: it derefs to one) as the SQL layer's [`Conn`];
/// statements are prepared once per connection (rusqlite's statement cache).
pub(crate) struct Lite<'a>(pub &'a Connection);

impl Conn for Lite<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    fn try_execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<u64>, StoreError> {
        let done = self
            .0
            .prepare_cached(sql)
            .and_then(|mut s| s.execute(rusqlite::params_from_iter(params)));
        match done {
            Ok(n) => Ok(Some(n as u64)),
            Err(e) if unique_violation(&e) => Ok(None),
            Err(e) => Err(db_error(e)),
        }
    }

    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError> {
        let mut stmt = self.0.prepare_cached(sql).map_err(db_error)?;
        let width = stmt.column_count();
        let mut rows = stmt
            .query(rusqlite::params_from_iter(params))
            .map_err(db_error)?;
        let mut out = Vec::new();
        while let Some(row) = rows.next().map_err(db_error)? {
            let mut cells = Vec::with_capacity(width);
            for i in 0..width {
                cells.push(match row.get_ref(i).map_err(db_error)? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::Int(n),
                    // Checked as UTF-8 a word at a time (`from_utf8`); only text that is not
                    // (a damaged row) goes through the slower replacing reader.
                    ValueRef::Text(t) => Value::Text(match std::str::from_utf8(t) {
                        Ok(text) => text.to_owned(),
                        Err(_) => String::from_utf8_lossy(t).into_owned(),
                    }),
                    ValueRef::Blob(b) => Value::Blob(b.to_vec()),
                    ValueRef::Real(_) => {
                        return Err(super::sql::rows::corrupt("a column holds a real number"));
                    }
                });
            }
            out.push(Row(cells));
        }
        Ok(out)
    }

    /// One statement is prepared once (a savepoint per operation costs no parsing); several
    /// run as a batch.
    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        if sql.trim().trim_end_matches(';').contains(';') {
            self.0.execute_batch(sql).map_err(db_error)
        } else {
            self.0
                .prepare_cached(sql)
                .and_then(|mut s| s.raw_execute())
                .map(drop)
                .map_err(db_error)
        }
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db_error)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(db_error)?;
    if !mode.eq_ignore_ascii_case("wal") {
        return Err(StoreError::Backend {
            reason: format!("sqlite: WAL mode refused ({mode})"),
        });
    }
    // Durable commits; a page cache of 32 MiB a connection instead of SQLite's 2 MB (a store of
    // 100,000 cases has index pages well beyond 2 MB: the writer re-read them from the OS and
    // spilled dirty ones to the WAL before commit); the savepoint journals of a batch (one a
    // case) in memory rather than in a temporary file written and read back; the WAL folded
    // back into the file every 8,192 pages rather than every 1,000, so that pages many commits
    // change (the ends of the case, event and number indexes) are copied back once, not once
    // every few commits.
    conn.execute_batch(
        "PRAGMA synchronous = FULL; PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY; \
         PRAGMA wal_autocheckpoint = 8192;",
    )
    .map_err(db_error)
}

/// A connection to the file at `path` (created if missing), configured for the store.
pub(crate) fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(db_error)?;
    configure(&conn)?;
    Ok(conn)
}

/// Brings the schema to [`SCHEMA_VERSION`] in one `BEGIN IMMEDIATE` transaction ([`schema::migrate`]).
pub(crate) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_with_key(conn, None).map(drop)
}

/// Runs `f` in a `BEGIN IMMEDIATE` transaction on `conn` and commits what it did.
pub(crate) fn in_transaction<T>(
    conn: &mut Connection,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db_error)?;
    let out = f(&mut Lite(&tx))?;
    tx.commit().map_err(db_error)?;
    Ok(out)
}

/// [`migrate`], then, in the same transaction, the store's keys for `master`
/// ([`crypt::open_keys`]: an encrypted file needs its key; an empty one given a key becomes
/// encrypted).
fn migrate_with_key(
    conn: &mut Connection,
    master: Option<&MasterKey>,
) -> Result<Option<Arc<StoreKeys>>, StoreError> {
    in_transaction(conn, |c| {
        schema::migrate(c)?;
        crypt::open_keys(c, master)
    })
}

impl SqliteStore {
    /// Opens (creating if missing) the unencrypted store in the file at `path` and migrates
    /// its schema; an encrypted file is `store.key_required` ([`SqliteStore::open_with_key`]).
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        SqliteStore::open_with_key(path, None)
    }

    /// Opens (creating if missing) the store in the file at `path` with its master key, and
    /// migrates its schema. A new file given a key is encrypted (its sealed values, search
    /// terms and data keys, see [`crate::keys`]); an encrypted file needs its key
    /// (`store.key_required`, `store.wrong_key`); a file of unencrypted cases given a key is
    /// `store.unencrypted` (convert it first: [`super::encrypt_store`]).
    pub fn open_with_key(
        path: impl AsRef<Path>,
        master: Option<&MasterKey>,
    ) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = connect(&path)?;
        let keys = migrate_with_key(&mut conn, master)?;
        let (tx, rx) = mpsc::channel();
        let commits = Arc::new(Commits::default());
        let counting = commits.clone();
        let thread = std::thread::Builder::new()
            .name("siproc-sqlite-writer".into())
            .spawn(move || write_loop(conn, rx, &counting))
            .map_err(|_| StoreError::Backend {
                reason: "sqlite: the writer thread did not start".into(),
            })?;
        Ok(SqliteStore {
            file: Arc::new(File {
                path,
                commits,
                writer: Mutex::new(Some(tx)),
                thread: Mutex::new(Some(thread)),
                readers: Readers::new(readers::max_readers()),
            }),
            counters: Mutex::new(HashMap::new()),
            verified: Verified::new(),
            keys,
        })
    }

    /// The keys of an encrypted store.
    pub(crate) fn keys(&self) -> Option<&StoreKeys> {
        self.keys.as_deref()
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.file.path
    }

    /// The records kept about access ([`Records`]) in the same file: written by the store's
    /// writer (an access-log line shares its durable commit with the writes and other reads of
    /// the moment), read on its reader connections.
    pub fn access_records(&self) -> Records {
        Records::sqlite_file(Arc::clone(&self.file), self.keys.clone())
    }

    /// The blobs kept in the same file ([`crate::blobs`]), written by the store's writer.
    pub fn blobs(&self) -> super::DatabaseBlobs {
        super::DatabaseBlobs::new(self.access_records())
    }

    fn write_all(&self, ops: Vec<Op>) -> Answer {
        self.file.write_all(ops)
    }

    fn write(&self, op: Op) -> Result<Write, StoreError> {
        self.file.write(op)
    }

    fn submit(&self, ops: Vec<Op>) -> Result<Receiver<Answer>, StoreError> {
        self.file.submit(ops)
    }

    fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.file.read(f)
    }

    fn history(&self, case_id: Uuid) -> Result<Arc<CaseHistory>, StoreError> {
        self.read(|c| read::history(c, case_id, &self.verified, self.keys()))?
            .ok_or(StoreError::NotFound)
    }

    /// The data key of the stored case `case_id`, in an encrypted store.
    fn case_key(&self, case_id: Uuid) -> Result<Option<DataKey>, StoreError> {
        match self.keys() {
            Some(keys) => self.read(|c| keys.case_key(c, &case_id.to_string())),
            None => Ok(None),
        }
    }
}

impl File {
    /// Queues writes; the answer comes on the returned channel once committed.
    fn submit(&self, ops: Vec<Op>) -> Result<Receiver<Answer>, StoreError> {
        let (reply, answer) = mpsc::sync_channel(1);
        let sent = lock(&self.writer)
            .as_ref()
            .map(|w| w.send(Job { ops, reply }).is_ok());
        if sent != Some(true) {
            return Err(writer_gone());
        }
        Ok(answer)
    }

    /// Writes `ops` in one transaction and waits for the commit.
    fn write_all(&self, ops: Vec<Op>) -> Answer {
        self.submit(ops)?.recv().map_err(|_| writer_gone())?
    }

    fn write(&self, op: Op) -> Result<Write, StoreError> {
        one(self.write_all(vec![op]))
    }

    /// Writes records kept about access through the writer, durably.
    pub(crate) fn write_record(&self, write: RecordWrite) -> Result<(), StoreError> {
        self.write(Op::Record(write)).map(drop)
    }

    /// Runs `f` on a reader connection ([`Readers`]: opened on first need, kept for the next
    /// call, a bounded number of them).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        self.readers
            .with(&self.path, |conn| f(&mut Lite(conn)))
            .and_then(|out| out)
    }
}

/// The result of a job of one operation.
fn one(answer: Answer) -> Result<Write, StoreError> {
    answer?.pop().unwrap_or_else(|| Err(writer_gone()))
}

fn writer_gone() -> StoreError {
    StoreError::Backend {
        reason: "sqlite: the writer thread stopped".into(),
    }
}

impl Drop for File {
    fn drop(&mut self) {
        lock(&self.writer).take();
        if let Some(t) = lock(&self.thread).take() {
            let _ = t.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The writer

fn write_loop(mut conn: Connection, jobs: Receiver<Job>, commits: &Commits) {
    let mut expected = 1;
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        gather(&jobs, &mut batch, expected);
        expected = batch.len();
        let started = Instant::now();
        let results = commit(&mut conn, &batch);
        commits.record(batch.len(), started.elapsed());
        for (job, result) in batch.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// Runs every operation of every job in its savepoint of one transaction and commits once.
fn commit(conn: &mut Connection, batch: &[Job]) -> Vec<Answer> {
    let fail_all = |e: StoreError| batch.iter().map(|_| Err(e.clone())).collect();
    let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return fail_all(db_error(e)),
    };
    let mut answers = Vec::with_capacity(batch.len());
    for job in batch {
        let mut results = Vec::with_capacity(job.ops.len());
        for op in &job.ops {
            let c = &mut Lite(&tx);
            match in_savepoint(c, |c| run(c, op), |w| *w == Write::Done) {
                Ok(result) => results.push(result),
                Err(e) => return fail_all(e),
            }
        }
        answers.push(Ok(results));
    }
    match tx.commit() {
        Ok(()) => answers,
        Err(e) => fail_all(db_error(e)),
    }
}

fn run(c: &mut dyn Conn, op: &Op) -> Result<Write, StoreError> {
    match op {
        Op::Create { rows, year, seq } => write::create(c, rows, *year, *seq),
        Op::Append { read, rows } => write::append(c, read, rows),
        Op::Import { rows } => write::import(c, rows),
        Op::Record(write) => write(c).map(|()| Write::Done),
    }
}

impl CaseStore for SqliteStore {
    fn create_case(
        &self,
        office: &str,
        year: i32,
        seal: &mut dyn FnMut(&str) -> Result<history::FreshEvent, WorkflowError>,
    ) -> Result<Case, StoreError> {
        let key = (office.to_owned(), year);
        for _ in 0..MAX_RENUMBER {
            let mut counters = lock(&self.counters);
            let last = match counters.get(&key) {
                Some(last) => *last,
                None => self.read(|c| read::counter_last(c, office, year))?,
            };
            let seq = last + 1;
            let number = case_number(office, year, seq);
            let history = CaseHistory::opened(seal(&number)?, &number)?;
            let rows = Box::new(CaseRows::of(&history, self.keys())?);
            let case = history.into_parts().1;
            counters.insert(key.clone(), seq);
            let answer = self.submit(vec![Op::Create { rows, year, seq }]);
            drop(counters);
            let result = answer.and_then(|a| one(a.recv().map_err(|_| writer_gone())?));
            match result {
                Ok(Write::Done) => return Ok(case),
                Ok(Write::Stale) => {
                    lock(&self.counters).remove(&key);
                }
                Err(e) => {
                    lock(&self.counters).remove(&key);
                    return Err(e);
                }
            }
        }
        Err(StoreError::Backend {
            reason: "sqlite: the case number did not settle".into(),
        })
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
            &mut |read, rows| {
                self.write(Op::Append {
                    read: read.clone(),
                    rows: Box::new(rows),
                })
            },
        )
    }

    fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        self.read(|c| read::list(c, query, self.keys().map(StoreKeys::index)))
    }

    fn summary(&self, case_id: Uuid) -> Result<CaseSummary, StoreError> {
        self.read(|c| read::summary(c, case_id))
    }

    fn put_history(&self, events: &[Event]) -> Result<PutOutcome, StoreError> {
        put_one(self, events)
    }

    fn put_histories(
        &self,
        histories: &[&[Event]],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        checked_imports(
            histories,
            &mut |sound| {
                let ops = sound
                    .iter()
                    .map(|history| {
                        Ok(Op::Import {
                            rows: Box::new(CaseRows::of(history, self.keys())?),
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                self.write_all(ops)
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
        if self.keys().is_none() {
            return Ok(None);
        }
        // Encrypted: a case without a data key (erased, its key destroyed) has no blob to read
        // or write, never one in clear.
        self.case_key(case_id)?
            .map(|k| Some(crate::keys::BlobKey::of(k)))
            .ok_or(StoreError::NotFound)
    }

    fn records(&self, query: &CaseQuery) -> Result<Vec<(String, KeptRecord)>, StoreError> {
        self.read(|c| read::records(c, query, &self.verified, self.keys()))
    }
}
