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
//! rows is not verified again (`sql::Verified`: an LRU keyed by case and the SHA-256 of the
//! rows); any changed byte is verified in full.
//!
//! # Schema
//!
//! Versioned migrations ([`MIGRATIONS`]) run at open; the version is SQLite's `user_version`.
//! A file from a newer siproc is refused (`store.newer_schema`), a file that is not a siproc
//! store too (`store.corrupt`).
//!
//! - `events(position, case_id, seq, id, hash, kind, office, body)`: `body` is the event's
//!   canonical JSON (RFC 8785, [`crate::history::canonical_json`]) — the exact text the chain
//!   hashes, plus the hash. `position` orders the store-wide [`feed`](CaseStore::feed).
//!   `kind` and `office` are the feed's columns (no personal data).
//! - `cases(id, number, office, category, status, priority, opened_on, version, head,
//!   updated_at, transfer_to)`: the summary, no personal data; `version` and `head` are the
//!   anchor the events are checked against when read; `transfer_to` is the office a pending
//!   transfer goes to (schema 2), for [`CaseQuery::reaching_office`] and the feed.
//! - `case_counters(office, year, last)`: gap-free numbering.
//! - `case_names(term, case_id, person)` and `case_documents(term, case_id)`: the search index,
//!   [`IndexTerms`].
//!
//! Personal values are written only inside `events.body` and the two index tables.
//!
//! # Ready for encryption and blind indexes
//!
//! A data-protection change can encrypt personal data without rewriting a single event hash:
//! each sealed value in a body is `{"commitment", "salt", "value"}`, and the hash covers the
//! commitment only. A later migration can move `salt` and `value` out of `body` into a
//! `sealed(case_id, commitment, ciphertext)` table (encrypted with a key the store is opened
//! with), leaving `{"commitment"}` in `body`: every hash still verifies, and loading puts the
//! decrypted values back before the events reach the caller. The index tables hold a `term`
//! and nothing else about a person; the same migration can replace each term by a keyed hash
//! (HMAC-SHA-256 of the term, a blind index) and hash the query's terms the same way
//! ([`super::name_terms`], [`super::document_key`]), since search only ever compares terms
//! for equality.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{self, Receiver, Sender, SyncSender};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, Transaction, params};
use uuid::Uuid;

use super::sql::{self, CaseRows, EventRow, Param, SummaryRow, Verified};
use super::{
    CaseHistory, CaseQuery, CaseStore, CaseSummary, FeedEntry, IndexTerms, PutOutcome, StoreError,
    Write, checked_append, checked_imports, parse_case_number, pending_transfer_to, put_one,
};
use crate::case::{Case, case_number};
use crate::history::{self, Anchor, Event};
use crate::stats::KeptRecord;
use crate::workflow::WorkflowError;

/// The schema, one migration per version (version `n` is `MIGRATIONS[n - 1]`).
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE siproc_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO siproc_meta (key, value) VALUES ('application', 'siproc');
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    number TEXT NOT NULL UNIQUE,
    office TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    version INTEGER NOT NULL,
    head TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_office ON cases (office, number);
CREATE INDEX cases_status ON cases (status, number);
CREATE INDEX cases_category ON cases (category, number);
CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    office TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (case_id, seq)
);
CREATE TABLE case_counters (
    office TEXT NOT NULL,
    year INTEGER NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (office, year)
) WITHOUT ROWID;
CREATE TABLE case_names (
    term TEXT NOT NULL,
    case_id TEXT NOT NULL,
    person INTEGER NOT NULL,
    PRIMARY KEY (term, case_id, person)
) WITHOUT ROWID;
CREATE INDEX case_names_case ON case_names (case_id);
CREATE TABLE case_documents (
    term TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (term, case_id)
) WITHOUT ROWID;
CREATE INDEX case_documents_case ON case_documents (case_id);
"#,
    // 2: the office a pending transfer goes to (what that office sees), filled for the cases
    // stored before: the last transfer event decides.
    r#"
ALTER TABLE cases ADD COLUMN transfer_to TEXT;
CREATE INDEX cases_transfer_to ON cases (transfer_to, number);
UPDATE cases SET transfer_to = (
    SELECT CASE WHEN e.kind = 'transfer_requested'
                THEN json_extract(e.body, '$.kind.data.to_office') END
    FROM events e
    WHERE e.case_id = cases.id
      AND e.kind IN ('transfer_requested', 'transfer_accepted', 'transfer_rejected')
    ORDER BY e.seq DESC LIMIT 1
);
"#,
    // 3: migrated cases (crate::legacy) and their open follow-up items, for lists and statistics.
    "ALTER TABLE cases ADD COLUMN follow_ups INTEGER;",
    // 4: each case's statistics record (crate::stats, "The record a store keeps"), filled for
    // the cases stored before by replaying their histories (`fill_records`).
    "CREATE TABLE case_stats (case_id TEXT PRIMARY KEY, record BLOB NOT NULL) WITHOUT ROWID;",
];

/// The schema version that added `case_stats`: opening an older file fills it.
const STATS_SINCE: u32 = 4;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// How long a connection waits for another process's write lock.
const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// At most this many jobs share one commit.
const MAX_BATCH: usize = 1024;

/// How long the writer waits for the callers of its last commit before committing without
/// them ([`gather`]): about half of what a commit costs on its own.
const LINGER: Duration = Duration::from_micros(500);

/// How many times a creation takes a fresh number after another writer took its number.
const MAX_RENUMBER: usize = 10_000;

/// A durable store in one SQLite file. See the module docs.
pub struct SqliteStore {
    path: PathBuf,
    writer: Mutex<Option<Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    readers: Mutex<Vec<Connection>>,
    /// The last number handed out per office and year (committed or queued).
    counters: Mutex<HashMap<(String, i32), u64>>,
    /// Histories verified by this process ([`Verified`]: loads of unchanged rows skip hashing).
    verified: Verified,
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
    Append {
        read: Anchor,
        case: Box<Case>,
        events: Vec<EventRow>,
        terms: Option<IndexTerms>,
        /// The case's statistics record after the append, encoded.
        record: Vec<u8>,
    },
    /// An import: done if neither its id nor its number is stored.
    Import { rows: Box<CaseRows> },
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A SQLite error as a store error, without data: unreadable files are `store.corrupt`.
fn db(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::Corrupt {
            reason: "the file is not a readable SQLite database".into(),
        },
        _ => StoreError::Backend {
            reason: format!("sqlite: {e}"),
        },
    }
}

fn configure(conn: &Connection) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT).map_err(db)?;
    let mode: String = conn
        .query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))
        .map_err(db)?;
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
    .map_err(db)
}

fn connect(path: &Path) -> Result<Connection, StoreError> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags).map_err(db)?;
    configure(&conn)?;
    Ok(conn)
}

/// Brings the schema to [`SCHEMA_VERSION`], refusing newer and foreign databases.
fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn
        .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
        .map_err(db)?;
    let found: u32 = tx
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .map_err(db)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == 0 {
        let tables: i64 = tx
            .query_row(
                "SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                [],
                |r| r.get(0),
            )
            .map_err(db)?;
        if tables > 0 {
            return Err(sql::corrupt("the file is a database, not a siproc store"));
        }
    } else {
        let app: Option<String> = tx
            .query_row(
                "SELECT value FROM siproc_meta WHERE key = 'application'",
                [],
                |r| r.get(0),
            )
            .optional()
            .map_err(|_| sql::corrupt("the file is a database, not a siproc store"))?;
        if app.as_deref() != Some("siproc") {
            return Err(sql::corrupt("the file is a database, not a siproc store"));
        }
    }
    for (version, migration) in (1..).zip(MIGRATIONS).skip(found as usize) {
        tx.execute_batch(migration).map_err(db)?;
        tx.pragma_update(None, "user_version", version as u32)
            .map_err(db)?;
    }
    if found > 0 && found < STATS_SINCE {
        fill_records(&tx)?;
    }
    tx.commit().map_err(db)
}

/// Writes the statistics record of every case that has none, from its history. A case whose
/// history no longer verifies is left without one: reading its record loads the history,
/// which names the damage ([`sql::record_of`]).
fn fill_records(conn: &Connection) -> Result<(), StoreError> {
    let ids: Vec<String> = conn
        .prepare("SELECT id FROM cases WHERE id NOT IN (SELECT case_id FROM case_stats)")
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .map_err(db)?;
    // Each history is read once here: nothing to keep for later loads.
    let verified = Verified::new();
    for id in ids {
        let case_id = Uuid::parse_str(&id).map_err(|_| sql::corrupt("a case row has a bad id"))?;
        match read_history(conn, case_id, &verified) {
            Ok(Some(history)) => put_record(conn, case_id, &history)?,
            Ok(None) | Err(StoreError::Damaged { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes the statistics record of `history`'s case (replacing the one stored).
fn put_record(conn: &Connection, case_id: Uuid, history: &CaseHistory) -> Result<(), StoreError> {
    write_record(
        conn,
        &case_id.to_string(),
        &KeptRecord::of(history.case(), history.events()).encode(),
    )
}

/// Writes `record` (encoded) as the statistics record of the case `id` (replacing the one
/// stored).
fn write_record(conn: &Connection, id: &str, record: &[u8]) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO case_stats (case_id, record) VALUES (?1, ?2) \
         ON CONFLICT (case_id) DO UPDATE SET record = excluded.record",
    )
    .and_then(|mut s| s.execute(params![id, record]))
    .map_err(db)?;
    Ok(())
}

impl SqliteStore {
    /// Opens (creating if missing) the store in the file at `path` and migrates its schema.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore, StoreError> {
        let path = path.as_ref().to_path_buf();
        let mut conn = connect(&path)?;
        migrate(&mut conn)?;
        let (tx, rx) = mpsc::channel();
        let thread = std::thread::Builder::new()
            .name("siproc-sqlite-writer".into())
            .spawn(move || write_loop(conn, rx))
            .map_err(|_| StoreError::Backend {
                reason: "sqlite: the writer thread did not start".into(),
            })?;
        Ok(SqliteStore {
            path,
            writer: Mutex::new(Some(tx)),
            thread: Mutex::new(Some(thread)),
            readers: Mutex::new(Vec::new()),
            counters: Mutex::new(HashMap::new()),
            verified: Verified::new(),
        })
    }

    /// The file.
    pub fn path(&self) -> &Path {
        &self.path
    }

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

    /// Runs `f` on a reader connection (opened on first need, kept for the next call).
    fn read<T>(
        &self,
        f: impl FnOnce(&Connection) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let conn = lock(&self.readers).pop();
        let conn = match conn {
            Some(c) => c,
            None => connect(&self.path)?,
        };
        let out = f(&conn);
        lock(&self.readers).push(conn);
        out
    }

    fn history(&self, case_id: Uuid) -> Result<Arc<CaseHistory>, StoreError> {
        self.read(|conn| read_history(conn, case_id, &self.verified))?
            .ok_or(StoreError::NotFound)
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

impl Drop for SqliteStore {
    fn drop(&mut self) {
        lock(&self.writer).take();
        if let Some(t) = lock(&self.thread).take() {
            let _ = t.join();
        }
    }
}

/// The case's history as stored, checked against its row's anchor (or kept in `cache` for
/// these very rows); `None` if no such case.
fn read_history(
    conn: &Connection,
    case_id: Uuid,
    cache: &Verified,
) -> Result<Option<Arc<CaseHistory>>, StoreError> {
    let id = case_id.to_string();
    let mut stmt = conn
        .prepare_cached(&sql::history_sql(placeholder))
        .map_err(db)?;
    let rows = stmt
        .query_map([&id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .map_err(db)?;
    sql::history_from_rows(
        case_id,
        rows.map(|r| r.map_err(db)),
        || {
            conn.prepare_cached("SELECT 1 FROM cases WHERE id = ?1")
                .and_then(|mut s| s.exists([&id]))
                .map_err(db)
        },
        cache,
    )
}

fn placeholder(n: usize) -> String {
    format!("?{n}")
}

// ---------------------------------------------------------------------------------------------
// The writer

fn write_loop(mut conn: Connection, jobs: Receiver<Job>) {
    let mut expected = 1;
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        gather(&jobs, &mut batch, expected);
        expected = batch.len();
        let results = commit(&mut conn, &batch);
        for (job, result) in batch.into_iter().zip(results) {
            let _ = job.reply.send(result);
        }
    }
}

/// Adds the jobs waiting in `jobs` to `batch` and, while it holds fewer than the `expected`
/// callers (as many as shared the last commit), waits up to [`LINGER`] for the rest: callers
/// answered by the last commit are preparing their next write, and a commit costs about as
/// much for eight cases as for one (its `fsync` and the pages every case shares), so letting
/// it leave with a part of them halves the group. A caller writing alone is never waited for.
fn gather(jobs: &Receiver<Job>, batch: &mut Vec<Job>, expected: usize) {
    let deadline = Instant::now() + LINGER;
    let target = expected.min(MAX_BATCH);
    loop {
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if batch.len() >= target || left.is_zero() {
            return;
        }
        match jobs.recv_timeout(left) {
            Ok(job) => batch.push(job),
            Err(_) => return,
        }
    }
}

/// Runs every operation of every job in its savepoint of one transaction and commits once.
fn commit(conn: &mut Connection, batch: &[Job]) -> Vec<Answer> {
    let fail_all = |e: StoreError| batch.iter().map(|_| Err(e.clone())).collect();
    let tx = match conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate) {
        Ok(tx) => tx,
        Err(e) => return fail_all(db(e)),
    };
    let mut answers = Vec::with_capacity(batch.len());
    for job in batch {
        let mut results = Vec::with_capacity(job.ops.len());
        for op in &job.ops {
            if let Err(e) = statement(&tx, "SAVEPOINT op") {
                return fail_all(db(e));
            }
            let result = run(&tx, op);
            let ended = if matches!(result, Ok(Write::Done)) {
                statement(&tx, "RELEASE op")
            } else {
                statement(&tx, "ROLLBACK TO op").and_then(|()| statement(&tx, "RELEASE op"))
            };
            if let Err(e) = ended {
                return fail_all(db(e));
            }
            results.push(result);
        }
        answers.push(Ok(results));
    }
    match tx.commit() {
        Ok(()) => answers,
        Err(e) => fail_all(db(e)),
    }
}

/// Runs `sql`, a statement without parameters, prepared once per connection.
fn statement(tx: &Transaction<'_>, sql: &str) -> rusqlite::Result<()> {
    tx.prepare_cached(sql)?.execute([]).map(drop)
}

fn run(tx: &Transaction<'_>, op: &Op) -> Result<Write, StoreError> {
    match op {
        Op::Create { rows, year, seq } => {
            let office = &rows.summary.office;
            let last: i64 = tx
                .prepare_cached("SELECT last FROM case_counters WHERE office = ?1 AND year = ?2")
                .and_then(|mut s| s.query_row(params![office, year], |r| r.get(0)).optional())
                .map_err(db)?
                .unwrap_or(0);
            if u64::try_from(last).ok().map(|l| l + 1) != Some(*seq) {
                return Ok(Write::Stale);
            }
            if case_exists(tx, &rows.summary.id)? {
                return Err(StoreError::DuplicateCase);
            }
            if number_exists(tx, &rows.summary.number)? {
                return Err(StoreError::NumberTaken);
            }
            insert_case(tx, rows)?;
            bump_counter(tx, office, *year, *seq)?;
            Ok(Write::Done)
        }
        Op::Append {
            read,
            case,
            events,
            terms,
            record,
        } => {
            let now: Option<(i64, String)> = tx
                .prepare_cached("SELECT version, head FROM cases WHERE id = ?1")
                .and_then(|mut s| {
                    s.query_row([case.id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
                        .optional()
                })
                .map_err(db)?;
            let still = now.is_some_and(|(v, h)| {
                u64::try_from(v).ok() == Some(read.version) && h == read.head
            });
            if !still {
                return Ok(Write::Stale);
            }
            let id = case.id.to_string();
            insert_events(tx, &id, &case.office, events)?;
            update_case(tx, case)?;
            if let Some(terms) = terms {
                index(tx, case.id, terms)?;
            }
            write_record(tx, &id, record)?;
            Ok(Write::Done)
        }
        Op::Import { rows } => {
            let number = &rows.summary.number;
            if case_exists(tx, &rows.summary.id)? || number_exists(tx, number)? {
                return Ok(Write::Stale);
            }
            insert_case(tx, rows)?;
            if let Some((office, year, seq)) = parse_case_number(number) {
                bump_counter(tx, office, year, seq)?;
            }
            Ok(Write::Done)
        }
    }
}

fn case_exists(tx: &Transaction<'_>, id: &str) -> Result<bool, StoreError> {
    tx.prepare_cached("SELECT 1 FROM cases WHERE id = ?1")
        .and_then(|mut s| s.exists([id]))
        .map_err(db)
}

fn number_exists(tx: &Transaction<'_>, number: &str) -> Result<bool, StoreError> {
    tx.prepare_cached("SELECT 1 FROM cases WHERE number = ?1")
        .and_then(|mut s| s.exists([number]))
        .map_err(db)
}

fn bump_counter(tx: &Transaction<'_>, office: &str, year: i32, seq: u64) -> Result<(), StoreError> {
    tx.prepare_cached(
        "INSERT INTO case_counters (office, year, last) VALUES (?1, ?2, ?3) \
         ON CONFLICT (office, year) DO UPDATE SET last = max(last, excluded.last)",
    )
    .and_then(|mut s| {
        s.execute(params![
            office,
            year,
            i64::try_from(seq).unwrap_or(i64::MAX)
        ])
    })
    .map_err(db)?;
    Ok(())
}

fn insert_case(tx: &Transaction<'_>, rows: &CaseRows) -> Result<(), StoreError> {
    let row = &rows.summary;
    tx.prepare_cached(&format!(
        "INSERT INTO cases ({}, transfer_to) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
        sql::SUMMARY_COLUMNS
    ))
    .and_then(|mut s| {
        s.execute(params![
            row.id,
            row.number,
            row.office,
            row.category,
            row.status,
            row.priority,
            row.opened_on,
            row.version,
            row.head,
            row.updated_at,
            row.follow_ups,
            rows.transfer_to
        ])
    })
    .map_err(db)?;
    insert_events(tx, &row.id, &row.office, &rows.events)?;
    insert_terms(tx, &row.id, &rows.terms)?;
    write_record(tx, &row.id, &rows.record)
}

fn update_case(tx: &Transaction<'_>, case: &Case) -> Result<(), StoreError> {
    let row = SummaryRow::of(&CaseSummary::of(case));
    tx.prepare_cached(
        "UPDATE cases SET office = ?2, category = ?3, status = ?4, priority = ?5, \
         opened_on = ?6, version = ?7, head = ?8, updated_at = ?9, transfer_to = ?10, \
         follow_ups = ?11 WHERE id = ?1",
    )
    .and_then(|mut s| {
        s.execute(params![
            row.id,
            row.office,
            row.category,
            row.status,
            row.priority,
            row.opened_on,
            row.version,
            row.head,
            row.updated_at,
            pending_transfer_to(case),
            row.follow_ups
        ])
    })
    .map_err(db)?;
    Ok(())
}

/// Adds the events of the case `id`, held by `office`.
fn insert_events(
    tx: &Transaction<'_>,
    id: &str,
    office: &str,
    events: &[EventRow],
) -> Result<(), StoreError> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO events (case_id, seq, id, hash, kind, office, body) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(db)?;
    for e in events {
        stmt.execute(params![id, e.seq, e.id, e.hash, e.kind, office, e.body])
            .map_err(db)?;
    }
    Ok(())
}

/// Replaces the search terms of the stored case `case_id`.
fn index(tx: &Transaction<'_>, case_id: Uuid, terms: &IndexTerms) -> Result<(), StoreError> {
    let id = case_id.to_string();
    for table in ["case_names", "case_documents"] {
        tx.prepare_cached(&format!("DELETE FROM {table} WHERE case_id = ?1"))
            .and_then(|mut s| s.execute([&id]))
            .map_err(db)?;
    }
    insert_terms(tx, &id, terms)
}

/// Adds the search terms of a case that has none stored.
fn insert_terms(tx: &Transaction<'_>, id: &str, terms: &IndexTerms) -> Result<(), StoreError> {
    let mut names = tx
        .prepare_cached("INSERT INTO case_names (term, case_id, person) VALUES (?1, ?2, ?3)")
        .map_err(db)?;
    for (person, words) in (0_i64..).zip(&terms.names) {
        for w in words {
            names.execute(params![w, id, person]).map_err(db)?;
        }
    }
    let mut documents = tx
        .prepare_cached("INSERT INTO case_documents (term, case_id) VALUES (?1, ?2)")
        .map_err(db)?;
    for d in &terms.documents {
        documents.execute(params![d, id]).map_err(db)?;
    }
    Ok(())
}

fn summary_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SummaryRow> {
    Ok(SummaryRow {
        id: r.get(0)?,
        number: r.get(1)?,
        office: r.get(2)?,
        category: r.get(3)?,
        status: r.get(4)?,
        priority: r.get(5)?,
        opened_on: r.get(6)?,
        version: r.get(7)?,
        head: r.get(8)?,
        updated_at: r.get(9)?,
        follow_ups: r.get(10)?,
    })
}

impl CaseStore for SqliteStore {
    fn create_case(
        &self,
        office: &str,
        year: i32,
        open: &mut dyn FnMut(&str) -> Result<history::FreshEvent, WorkflowError>,
    ) -> Result<Case, StoreError> {
        let key = (office.to_owned(), year);
        for _ in 0..MAX_RENUMBER {
            let mut counters = lock(&self.counters);
            let last = match counters.get(&key) {
                Some(last) => *last,
                None => self.read(|conn| {
                    conn.query_row(
                        "SELECT last FROM case_counters WHERE office = ?1 AND year = ?2",
                        params![office, year],
                        |r| r.get::<_, i64>(0),
                    )
                    .optional()
                    .map_err(db)
                    .map(|l| l.and_then(|l| u64::try_from(l).ok()).unwrap_or(0))
                })?,
            };
            let seq = last + 1;
            let number = case_number(office, year, seq);
            let history = CaseHistory::opened(open(&number)?, &number)?;
            let rows = Box::new(CaseRows::of(&history)?);
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
        checked_append(
            expected_version,
            events,
            &mut || self.load_history(case_id),
            &mut |read, after| {
                let terms = events
                    .iter()
                    .any(|e| IndexTerms::changed_by(&e.kind))
                    .then(|| IndexTerms::of(after.case()));
                self.write(Op::Append {
                    read: read.clone(),
                    case: Box::new(after.case().clone()),
                    events: EventRow::all(events)?,
                    terms,
                    record: KeptRecord::of(after.case(), after.events()).encode(),
                })
            },
        )
    }

    fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        self.read(|conn| {
            let (text, params) = sql::search(query, &rarest_first(conn, query)?, placeholder);
            let mut stmt = conn.prepare_cached(&text).map_err(db)?;
            let rows = stmt
                .query_map(rusqlite::params_from_iter(values(params)), summary_row)
                .map_err(db)?;
            rows.map(|r| r.map_err(db)?.summary()).collect()
        })
    }

    fn summary(&self, case_id: Uuid) -> Result<CaseSummary, StoreError> {
        self.read(|conn| {
            conn.prepare_cached(&format!(
                "SELECT {} FROM cases WHERE id = ?1",
                sql::SUMMARY_COLUMNS
            ))
            .and_then(|mut s| s.query_row([case_id.to_string()], summary_row).optional())
            .map_err(db)?
            .ok_or(StoreError::NotFound)?
            .summary()
        })
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
                            rows: Box::new(CaseRows::of(history)?),
                        })
                    })
                    .collect::<Result<_, StoreError>>()?;
                self.write_all(ops)
            },
            &mut |id| {
                Ok(self
                    .read(|conn| read_history(conn, id, &self.verified))?
                    .map(Arc::unwrap_or_clone))
            },
        )
    }

    fn feed(&self, after: u64, limit: usize) -> Result<Vec<FeedEntry>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn
                .prepare_cached(&sql::feed_sql(placeholder))
                .map_err(db)?;
            let rows = stmt
                .query_map(
                    params![
                        i64::try_from(after).unwrap_or(i64::MAX),
                        i64::try_from(limit).unwrap_or(i64::MAX)
                    ],
                    |r| {
                        Ok((
                            r.get::<_, i64>(0)?,
                            r.get::<_, String>(1)?,
                            r.get(2)?,
                            r.get(3)?,
                            r.get(4)?,
                            r.get(5)?,
                            r.get(6)?,
                        ))
                    },
                )
                .map_err(db)?;
            rows.map(|r| {
                let (position, case_id, number, office, seq, kind, transfer_to) = r.map_err(db)?;
                sql::feed_entry(position, &case_id, number, office, seq, kind, transfer_to)
            })
            .collect()
        })
    }

    fn feed_head(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            conn.query_row(sql::FEED_HEAD_SQL, [], |r| r.get::<_, i64>(0))
                .map_err(db)
                .map(|n| u64::try_from(n).unwrap_or(0))
        })
    }

    fn count(&self) -> Result<u64, StoreError> {
        self.read(|conn| {
            conn.query_row("SELECT COUNT(*) FROM cases", [], |r| r.get::<_, i64>(0))
                .map_err(db)
                .map(|n| u64::try_from(n).unwrap_or(0))
        })
    }

    fn records(&self, query: &CaseQuery) -> Result<Vec<(String, KeptRecord)>, StoreError> {
        self.read(|conn| {
            let names = rarest_first(conn, query)?;
            let (text, params) = sql::records_search(query, &names, placeholder);
            let mut stmt = conn.prepare_cached(&text).map_err(db)?;
            let mut rows = stmt
                .query(rusqlite::params_from_iter(values(params)))
                .map_err(db)?;
            let mut out = Vec::new();
            while let Some(row) = rows.next().map_err(db)? {
                let number: String = row.get(1).map_err(db)?;
                let bytes = row
                    .get_ref(2)
                    .map_err(db)?
                    .as_blob_or_null()
                    .map_err(|_| sql::corrupt("a statistics record is not a blob"))?;
                out.push(sql::record_of(number, bytes, || {
                    let id: String = row.get(0).map_err(db)?;
                    let case_id = Uuid::parse_str(&id)
                        .map_err(|_| sql::corrupt("a case row has a bad id"))?;
                    read_history(conn, case_id, &self.verified)?
                        .map(Arc::unwrap_or_clone)
                        .ok_or(StoreError::NotFound)
                })?);
            }
            Ok(out)
        })
    }
}

/// `query`'s name search, its terms in the order they are joined ([`sql::rarest_first`]).
fn rarest_first(conn: &Connection, query: &CaseQuery) -> Result<sql::Names, StoreError> {
    sql::rarest_first(query, |term| {
        conn.prepare_cached(&sql::postings_sql(placeholder))
            .and_then(|mut s| s.query_row([term], |r| r.get(0)))
            .map_err(db)
    })
}

/// Query parameters as SQLite values.
fn values(params: Vec<Param>) -> Vec<rusqlite::types::Value> {
    params
        .into_iter()
        .map(|p| match p {
            Param::Text(t) => rusqlite::types::Value::Text(t),
            Param::Int(i) => rusqlite::types::Value::Integer(i),
        })
        .collect()
}
