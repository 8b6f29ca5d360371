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
//! The same tables as the SQLite store ([`super::sqlite`], whose docs also say how sealed values
//! can later be encrypted and the index become blind): `events` (canonical JSON bodies),
//! `cases` (summaries and anchors), `case_counters`, `case_names`, `case_documents`, plus
//! `siproc_meta` (the schema version) and `feed_counter`. Case numbers sort in byte order
//! (`COLLATE "C"`), as in every store.
//!
//! - Creating a case increments its office's counter row (`INSERT … ON CONFLICT DO UPDATE …
//!   RETURNING`), which locks that row until commit: numbers stay gap-free across processes.
//! - An append is checked by the core ([`super::checked_append`]) on a fresh read, then written
//!   in a transaction that locks the case row (`SELECT … FOR UPDATE`) and writes only if it is
//!   still at the version read; `(case_id, seq)` and event ids are unique keys besides.
//! - Feed positions come from one `feed_counter` row updated just before commit, so positions
//!   follow commit order (a reader never skips an entry committed later with a smaller
//!   position). The same transaction runs `SELECT pg_notify('siproc_events', <last position>)`:
//!   servers `LISTEN siproc_events` to learn of new entries.
//! - Migrations run at open under an advisory lock, so processes starting together do not race.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::ToSql;
use postgres::{GenericClient, NoTls, Statement, Transaction};
use r2d2_postgres::PostgresConnectionManager;
use uuid::Uuid;

use super::sql::{self, CaseRows, EventRow, Param, SummaryRow, Verified};
use super::{
    CaseHistory, CaseQuery, CaseStore, CaseSummary, FeedEntry, IndexTerms, PutOutcome, StoreError,
    Write, checked_append, checked_imports, parse_case_number, pending_transfer_to, put_one,
};
use crate::case::{Case, case_number};
use crate::history::{self, Event, HistoryError};
use crate::stats::KeptRecord;
use crate::workflow::WorkflowError;

/// A pool of PostgreSQL connections ([`connect_pool`]).
pub type Pool = r2d2::Pool<PostgresConnectionManager<NoTls>>;
type Client = r2d2::PooledConnection<PostgresConnectionManager<NoTls>>;

/// The schema, one migration per version (version `n` is `MIGRATIONS[n - 1]`).
pub const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    number TEXT COLLATE "C" NOT NULL UNIQUE,
    office TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    version BIGINT NOT NULL,
    head TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_office ON cases (office, number);
CREATE INDEX cases_status ON cases (status, number);
CREATE INDEX cases_category ON cases (category, number);
CREATE TABLE events (
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    position BIGINT NOT NULL UNIQUE,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    office TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TABLE feed_counter (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    last BIGINT NOT NULL
);
INSERT INTO feed_counter (only_row, last) VALUES (TRUE, 0);
CREATE TABLE case_counters (
    office TEXT NOT NULL,
    year INTEGER NOT NULL,
    last BIGINT NOT NULL,
    PRIMARY KEY (office, year)
);
CREATE TABLE case_names (
    term TEXT NOT NULL,
    case_id TEXT NOT NULL,
    person INTEGER NOT NULL,
    PRIMARY KEY (term, case_id, person)
);
CREATE INDEX case_names_case ON case_names (case_id);
CREATE TABLE case_documents (
    term TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (term, case_id)
);
CREATE INDEX case_documents_case ON case_documents (case_id);
"#,
    // 2: the office a pending transfer goes to (what that office sees), filled for the cases
    // stored before: the last transfer event decides.
    r#"
ALTER TABLE cases ADD COLUMN transfer_to TEXT;
CREATE INDEX cases_transfer_to ON cases (transfer_to, number);
UPDATE cases SET transfer_to = (
    SELECT CASE WHEN e.kind = 'transfer_requested'
                THEN e.body::jsonb #>> '{kind,data,to_office}' END
    FROM events e
    WHERE e.case_id = cases.id
      AND e.kind IN ('transfer_requested', 'transfer_accepted', 'transfer_rejected')
    ORDER BY e.seq DESC LIMIT 1
);
"#,
    // 3: migrated cases (crate::legacy) and their open follow-up items, for lists and statistics.
    "ALTER TABLE cases ADD COLUMN follow_ups BIGINT;",
    // 4: each case's statistics record (crate::stats, "The record a store keeps"), filled for
    // the cases stored before by replaying their histories (`fill_records`).
    "CREATE TABLE case_stats (case_id TEXT PRIMARY KEY, record BYTEA NOT NULL);",
];

/// The schema version that added `case_stats`: opening an older database fills it.
const STATS_SINCE: u32 = 4;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The channel new feed entries are announced on (the payload is the last new position).
pub const NOTIFY_CHANNEL: &str = "siproc_events";

/// The advisory lock migrations hold (an arbitrary constant: "siproc" in ASCII).
const MIGRATION_LOCK: i64 = 0x7369_7072_6f63;

/// Connections kept by one store.
const POOL_SIZE: u32 = 16;

/// How many times a write is retried after another process wrote first.
const MAX_RETRIES: usize = 10_000;

/// A store in a PostgreSQL database. See the module docs.
pub struct PostgresStore {
    pool: Pool,
    /// Histories verified by this process ([`Verified`]: loads of unchanged rows skip hashing).
    verified: Verified,
}

/// A PostgreSQL error as a store error, without data: the SQLSTATE and the server's message,
/// never its DETAIL (which quotes values).
fn db(e: postgres::Error) -> StoreError {
    let reason = match e.as_db_error() {
        Some(d) => format!("postgres {}: {}", d.code().code(), d.message()),
        None => format!("postgres: {e}"),
    };
    StoreError::Backend { reason }
}

fn unique_violation(e: &postgres::Error) -> bool {
    e.code() == Some(&SqlState::UNIQUE_VIOLATION)
}

fn pool_error(e: r2d2::Error) -> StoreError {
    StoreError::Backend {
        reason: format!("postgres: no connection ({e})"),
    }
}

fn migrate(client: &mut Client) -> Result<(), StoreError> {
    let mut tx = client.transaction().map_err(db)?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
        .map_err(db)?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS siproc_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    )
    .map_err(db)?;
    let found: u32 = match tx
        .query_opt(
            "SELECT value FROM siproc_meta WHERE key = 'schema_version'",
            &[],
        )
        .map_err(db)?
    {
        Some(row) => row
            .get::<_, String>(0)
            .parse()
            .map_err(|_| sql::corrupt("the schema version is not a number"))?,
        None => 0,
    };
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    if found == 0 {
        let foreign = tx
            .query_one(
                "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() \
                 AND tablename = 'cases'",
                &[],
            )
            .map_err(db)?
            .get::<_, i64>(0);
        if foreign > 0 {
            return Err(sql::corrupt(
                "the schema holds tables that are not a siproc store",
            ));
        }
    }
    for (version, migration) in (1_u32..).zip(MIGRATIONS).skip(found as usize) {
        tx.batch_execute(migration).map_err(db)?;
        tx.execute(
            "INSERT INTO siproc_meta (key, value) VALUES ('schema_version', $1) \
             ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
            &[&version.to_string()],
        )
        .map_err(db)?;
    }
    if found > 0 && found < STATS_SINCE {
        fill_records(&mut tx)?;
    }
    tx.commit().map_err(db)
}

/// Writes the statistics record of every case that has none, from its history. A case whose
/// history no longer verifies is left without one: reading its record loads the history,
/// which names the damage ([`sql::record_of`]).
fn fill_records(tx: &mut Transaction<'_>) -> Result<(), StoreError> {
    let ids: Vec<String> = tx
        .query(
            "SELECT id FROM cases WHERE id NOT IN (SELECT case_id FROM case_stats)",
            &[],
        )
        .map_err(db)?
        .iter()
        .map(|r| r.get(0))
        .collect();
    // Each history is read once here: nothing to keep for later loads.
    let verified = Verified::new();
    for id in ids {
        let case_id = Uuid::parse_str(&id).map_err(|_| sql::corrupt("a case row has a bad id"))?;
        match read_history(tx, case_id, &verified) {
            Ok(Some(history)) => put_record(tx, &mut Statements::default(), &history)?,
            Ok(None) | Err(StoreError::Damaged { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes the statistics record of `history`'s case (replacing the one stored).
fn put_record(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    history: &CaseHistory,
) -> Result<(), StoreError> {
    let record = KeptRecord::of(history.case(), history.events()).encode();
    write_record(tx, st, &history.id().to_string(), &record)
}

/// Writes `record` (encoded) as the statistics record of the case `id` (replacing the one
/// stored).
fn write_record(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    id: &str,
    record: &[u8],
) -> Result<(), StoreError> {
    st.execute(
        tx,
        "INSERT INTO case_stats (case_id, record) VALUES ($1, $2) \
         ON CONFLICT (case_id) DO UPDATE SET record = EXCLUDED.record",
        &[&id, &record],
    )
    .map_err(db)?;
    Ok(())
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

/// A pool of at most `size` connections to the database `url` names: the store's, and the
/// one an embedder keeps for tables of its own beside the store's (the reference server's
/// tokens and access log).
pub fn connect_pool(url: &str, size: u32) -> Result<Pool, StoreError> {
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(1))
        .connection_timeout(Duration::from_secs(30))
        .build(PostgresConnectionManager::new(
            connection_config(url)?,
            NoTls,
        ))
        .map_err(pool_error)
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

impl PostgresStore {
    /// Connects to the database `url` names (`postgresql://user:password@host:port/db`, or any
    /// libpq connection string) and migrates its schema.
    pub fn open(url: &str) -> Result<PostgresStore, StoreError> {
        let pool = connect_pool(url, POOL_SIZE)?;
        let store = PostgresStore {
            pool,
            verified: Verified::new(),
        };
        migrate(&mut store.client()?)?;
        Ok(store)
    }

    fn client(&self) -> Result<Client, StoreError> {
        self.pool.get().map_err(pool_error)
    }

    fn history(&self, case_id: Uuid) -> Result<Arc<CaseHistory>, StoreError> {
        read_history(&mut *self.client()?, case_id, &self.verified)?.ok_or(StoreError::NotFound)
    }

    /// Runs `f` in a transaction and commits if it says [`Write::Done`]; a unique violation
    /// (another process wrote the same row first) is [`Write::Stale`].
    fn write(
        &self,
        f: impl FnOnce(&mut Transaction<'_>) -> Result<Write, StoreError>,
    ) -> Result<Write, StoreError> {
        let mut client = self.client()?;
        let mut tx = client.transaction().map_err(db)?;
        match f(&mut tx) {
            Ok(Write::Done) => match tx.commit() {
                Ok(()) => Ok(Write::Done),
                Err(e) if unique_violation(&e) => Ok(Write::Stale),
                Err(e) => Err(db(e)),
            },
            other => other,
        }
    }
}

/// `db` for writes: a unique violation means another writer was first.
fn stale_or(e: postgres::Error) -> Result<Write, StoreError> {
    if unique_violation(&e) {
        Ok(Write::Stale)
    } else {
        Err(db(e))
    }
}

fn read_history(
    client: &mut impl GenericClient,
    case_id: Uuid,
    cache: &Verified,
) -> Result<Option<Arc<CaseHistory>>, StoreError> {
    let id = case_id.to_string();
    let rows = client
        .query(&sql::history_sql(placeholder), &[&id])
        .map_err(db)?;
    let rows = rows.iter().map(|r| {
        Ok((
            r.try_get(0).map_err(db)?,
            r.try_get(1).map_err(db)?,
            r.try_get(2).map_err(db)?,
            r.try_get(3).map_err(db)?,
        ))
    });
    sql::history_from_rows(
        case_id,
        rows,
        || {
            client
                .query_opt("SELECT 1 FROM cases WHERE id = $1", &[&id])
                .map(|r| r.is_some())
                .map_err(db)
        },
        cache,
    )
}

fn placeholder(n: usize) -> String {
    format!("${n}")
}

/// The statements of one transaction, each prepared once: a statement given as text is
/// prepared on the server at every call (a round trip of its own), and an import batch runs
/// the same few statements for each of its cases.
#[derive(Default)]
struct Statements(HashMap<String, Statement>);

impl Statements {
    fn get(&mut self, tx: &mut Transaction<'_>, sql: &str) -> Result<Statement, postgres::Error> {
        if let Some(stmt) = self.0.get(sql) {
            return Ok(stmt.clone());
        }
        let stmt = tx.prepare(sql)?;
        self.0.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }

    fn execute(
        &mut self,
        tx: &mut Transaction<'_>,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<u64, postgres::Error> {
        let stmt = self.get(tx, sql)?;
        tx.execute(&stmt, params)
    }

    fn query_opt(
        &mut self,
        tx: &mut Transaction<'_>,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> Result<Option<postgres::Row>, StoreError> {
        let stmt = self.get(tx, sql).map_err(db)?;
        tx.query_opt(&stmt, params).map_err(db)
    }
}

fn insert_case(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    rows: &CaseRows,
) -> Result<Write, StoreError> {
    let r = &rows.summary;
    let inserted = st.execute(
        tx,
        &format!(
            "INSERT INTO cases ({}, transfer_to) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
            sql::SUMMARY_COLUMNS
        ),
        &[
            &r.id,
            &r.number,
            &r.office,
            &r.category,
            &r.status,
            &r.priority,
            &r.opened_on,
            &r.version,
            &r.head,
            &r.updated_at,
            &r.follow_ups,
            &rows.transfer_to,
        ],
    );
    if let Err(e) = inserted {
        return stale_or(e);
    }
    insert_terms(tx, st, &r.id, &rows.terms)?;
    write_record(tx, st, &r.id, &rows.record)?;
    insert_events(tx, st, &r.id, &r.office, &rows.events)
}

/// Stores an imported case unless its id or number is taken ([`Write::Stale`]).
fn import_case(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    rows: &CaseRows,
) -> Result<Write, StoreError> {
    let number = &rows.summary.number;
    let taken = st.query_opt(
        tx,
        "SELECT 1 FROM cases WHERE id = $1 OR number = $2",
        &[&rows.summary.id, number],
    )?;
    if taken.is_some() {
        return Ok(Write::Stale);
    }
    if let Some((office, year, seq)) = parse_case_number(number) {
        bump_counter(tx, st, office, year, seq)?;
    }
    insert_case(tx, st, rows)
}

fn update_case(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    case: &Case,
) -> Result<(), StoreError> {
    let r = SummaryRow::of(&CaseSummary::of(case));
    st.execute(
        tx,
        "UPDATE cases SET office = $2, category = $3, status = $4, priority = $5, \
         opened_on = $6, version = $7, head = $8, updated_at = $9, transfer_to = $10, \
         follow_ups = $11 WHERE id = $1",
        &[
            &r.id,
            &r.office,
            &r.category,
            &r.status,
            &r.priority,
            &r.opened_on,
            &r.version,
            &r.head,
            &r.updated_at,
            &pending_transfer_to(case),
            &r.follow_ups,
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// Inserts the events with their feed positions and announces them.
fn insert_events(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    id: &str,
    office: &str,
    events: &[EventRow],
) -> Result<Write, StoreError> {
    let n = i64::try_from(events.len()).unwrap_or(i64::MAX);
    let last: i64 = st
        .query_opt(
            tx,
            "UPDATE feed_counter SET last = last + $1 RETURNING last",
            &[&n],
        )?
        .ok_or_else(|| sql::corrupt("no feed counter"))?
        .get(0);
    let stmt = st
        .get(
            tx,
            "INSERT INTO events (case_id, seq, position, id, hash, kind, office, body) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .map_err(db)?;
    for (position, e) in (last - n + 1..).zip(events) {
        let inserted = tx.execute(
            &stmt,
            &[
                &id, &e.seq, &position, &e.id, &e.hash, &e.kind, &office, &e.body,
            ],
        );
        if let Err(e) = inserted {
            return stale_or(e);
        }
    }
    st.execute(
        tx,
        "SELECT pg_notify($1, $2)",
        &[&NOTIFY_CHANNEL, &last.to_string()],
    )
    .map_err(db)?;
    Ok(Write::Done)
}

/// Replaces the search terms of the stored case `case_id`.
fn index(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    case_id: Uuid,
    terms: &IndexTerms,
) -> Result<(), StoreError> {
    let id = case_id.to_string();
    for delete in [
        "DELETE FROM case_names WHERE case_id = $1",
        "DELETE FROM case_documents WHERE case_id = $1",
    ] {
        st.execute(tx, delete, &[&id]).map_err(db)?;
    }
    insert_terms(tx, st, &id, terms)
}

/// Adds the search terms of a case that has none stored.
fn insert_terms(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    id: &str,
    terms: &IndexTerms,
) -> Result<(), StoreError> {
    for (person, words) in (0_i32..).zip(&terms.names) {
        for w in words {
            st.execute(
                tx,
                "INSERT INTO case_names (term, case_id, person) VALUES ($1, $2, $3)",
                &[w, &id, &person],
            )
            .map_err(db)?;
        }
    }
    for d in &terms.documents {
        st.execute(
            tx,
            "INSERT INTO case_documents (term, case_id) VALUES ($1, $2)",
            &[d, &id],
        )
        .map_err(db)?;
    }
    Ok(())
}

fn bump_counter(
    tx: &mut Transaction<'_>,
    st: &mut Statements,
    office: &str,
    year: i32,
    seq: u64,
) -> Result<(), StoreError> {
    st.execute(
        tx,
        "INSERT INTO case_counters (office, year, last) VALUES ($1, $2, $3) \
         ON CONFLICT (office, year) DO UPDATE SET last = GREATEST(case_counters.last, EXCLUDED.last)",
        &[&office, &year, &i64::try_from(seq).unwrap_or(i64::MAX)],
    )
    .map_err(db)?;
    Ok(())
}

fn summary_row(r: &postgres::Row) -> Result<SummaryRow, StoreError> {
    Ok(SummaryRow {
        id: r.try_get(0).map_err(db)?,
        number: r.try_get(1).map_err(db)?,
        office: r.try_get(2).map_err(db)?,
        category: r.try_get(3).map_err(db)?,
        status: r.try_get(4).map_err(db)?,
        priority: r.try_get(5).map_err(db)?,
        opened_on: r.try_get(6).map_err(db)?,
        version: r.try_get(7).map_err(db)?,
        head: r.try_get(8).map_err(db)?,
        updated_at: r.try_get(9).map_err(db)?,
        follow_ups: r.try_get(10).map_err(db)?,
    })
}

impl CaseStore for PostgresStore {
    fn create_case(
        &self,
        office: &str,
        year: i32,
        open: &mut dyn FnMut(&str) -> Result<history::FreshEvent, WorkflowError>,
    ) -> Result<Case, StoreError> {
        for _ in 0..MAX_RETRIES {
            let mut opened = None;
            let written = self.write(|tx| {
                let last: i64 = tx
                    .query_one(
                        "INSERT INTO case_counters (office, year, last) VALUES ($1, $2, 1) \
                         ON CONFLICT (office, year) DO UPDATE SET last = case_counters.last + 1 \
                         RETURNING last",
                        &[&office, &year],
                    )
                    .map_err(db)?
                    .get(0);
                let seq = u64::try_from(last).map_err(|_| sql::corrupt("a negative counter"))?;
                let number = case_number(office, year, seq);
                let history = CaseHistory::opened(open(&number)?, &number)?;
                let exists = tx
                    .query_opt(
                        "SELECT id = $1 FROM cases WHERE id = $1 OR number = $2",
                        &[&history.id().to_string(), &number],
                    )
                    .map_err(db)?;
                match exists.map(|r| r.get::<_, bool>(0)) {
                    Some(true) => return Err(StoreError::DuplicateCase),
                    Some(false) => return Err(StoreError::NumberTaken),
                    None => {}
                }
                let rows = CaseRows::of(&history)?;
                opened = Some(history.into_parts().1);
                insert_case(tx, &mut Statements::default(), &rows)
            })?;
            if written == Write::Done {
                return opened.ok_or(StoreError::Invalid(HistoryError::Empty));
            }
        }
        Err(StoreError::Backend {
            reason: "postgres: the case number did not settle".into(),
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
                let rows = EventRow::all(events)?;
                self.write(|tx| {
                    let now = tx
                        .query_opt(
                            "SELECT version, head FROM cases WHERE id = $1 FOR UPDATE",
                            &[&case_id.to_string()],
                        )
                        .map_err(db)?;
                    let still = now.is_some_and(|r| {
                        u64::try_from(r.get::<_, i64>(0)).ok() == Some(read.version)
                            && r.get::<_, String>(1) == read.head
                    });
                    if !still {
                        return Ok(Write::Stale);
                    }
                    let case = after.case();
                    let st = &mut Statements::default();
                    update_case(tx, st, case)?;
                    if events.iter().any(|e| IndexTerms::changed_by(&e.kind)) {
                        index(tx, st, case.id, &IndexTerms::of(case))?;
                    }
                    put_record(tx, st, after)?;
                    insert_events(tx, st, &case.id.to_string(), &case.office, &rows)
                })
            },
        )
    }

    fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        // PostgreSQL's planner knows how common each term is from its own statistics and
        // orders the join itself, so no term is counted first (see `sql::rarest_first`).
        let (text, params) = sql::search(query, &sql::Names::as_given(query), placeholder);
        let values = values(params);
        let rows = self.client()?.query(&text, &refs(&values)).map_err(db)?;
        rows.iter().map(|r| summary_row(r)?.summary()).collect()
    }

    fn records(&self, query: &CaseQuery) -> Result<Vec<(String, KeptRecord)>, StoreError> {
        let (text, params) = sql::records_search(query, &sql::Names::as_given(query), placeholder);
        let values = values(params);
        let mut client = self.client()?;
        let rows = client.query(&text, &refs(&values)).map_err(db)?;
        rows.iter()
            .map(|r| {
                let bytes: Option<&[u8]> = r.try_get(2).map_err(db)?;
                sql::record_of(r.try_get(1).map_err(db)?, bytes, || {
                    let id: String = r.try_get(0).map_err(db)?;
                    let case_id = Uuid::parse_str(&id)
                        .map_err(|_| sql::corrupt("a case row has a bad id"))?;
                    read_history(&mut *client, case_id, &self.verified)?
                        .map(Arc::unwrap_or_clone)
                        .ok_or(StoreError::NotFound)
                })
            })
            .collect()
    }

    fn summary(&self, case_id: Uuid) -> Result<CaseSummary, StoreError> {
        self.client()?
            .query_opt(
                &format!("SELECT {} FROM cases WHERE id = $1", sql::SUMMARY_COLUMNS),
                &[&case_id.to_string()],
            )
            .map_err(db)?
            .map(|r| summary_row(&r))
            .ok_or(StoreError::NotFound)??
            .summary()
    }

    fn put_history(&self, events: &[Event]) -> Result<PutOutcome, StoreError> {
        put_one(self, events)
    }

    /// One transaction for the batch, each case in its own savepoint: a case whose id or number
    /// is taken (also by another process that committed it first: a unique violation) is
    /// rolled back to its savepoint and the others stay.
    fn put_histories(
        &self,
        histories: &[&[Event]],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        checked_imports(
            histories,
            &mut |sound| {
                let mut client = self.client()?;
                let mut tx = client.transaction().map_err(db)?;
                let mut results = Vec::with_capacity(sound.len());
                let st = &mut Statements::default();
                for history in &sound {
                    let rows = CaseRows::of(history)?;
                    let mut case_tx = tx.savepoint("import").map_err(db)?;
                    let result = import_case(&mut case_tx, st, &rows);
                    if matches!(result, Ok(Write::Done)) {
                        case_tx.commit().map_err(db)?;
                    }
                    // Otherwise dropping `case_tx` rolls the case back to its savepoint.
                    results.push(result);
                }
                tx.commit().map_err(db)?;
                Ok(results)
            },
            &mut |id| {
                Ok(read_history(&mut *self.client()?, id, &self.verified)?
                    .map(Arc::unwrap_or_clone))
            },
        )
    }

    fn feed(&self, after: u64, limit: usize) -> Result<Vec<FeedEntry>, StoreError> {
        let rows = self
            .client()?
            .query(
                &sql::feed_sql(placeholder),
                &[
                    &i64::try_from(after).unwrap_or(i64::MAX),
                    &i64::try_from(limit).unwrap_or(i64::MAX),
                ],
            )
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                let case_id: String = r.try_get(1).map_err(db)?;
                sql::feed_entry(
                    r.try_get(0).map_err(db)?,
                    &case_id,
                    r.try_get(2).map_err(db)?,
                    r.try_get(3).map_err(db)?,
                    r.try_get(4).map_err(db)?,
                    r.try_get(5).map_err(db)?,
                    r.try_get(6).map_err(db)?,
                )
            })
            .collect()
    }

    fn feed_head(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()?
            .query_one(sql::FEED_HEAD_SQL, &[])
            .map_err(db)?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    fn count(&self) -> Result<u64, StoreError> {
        let n: i64 = self
            .client()?
            .query_one("SELECT COUNT(*) FROM cases", &[])
            .map_err(db)?
            .get(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Query parameters as PostgreSQL values.
fn values(params: Vec<Param>) -> Vec<Box<dyn ToSql + Sync>> {
    params
        .into_iter()
        .map(|p| -> Box<dyn ToSql + Sync> {
            match p {
                Param::Text(t) => Box::new(t),
                Param::Int(i) => Box::new(i),
            }
        })
        .collect()
}

/// [`values`] as the driver takes them.
fn refs(values: &[Box<dyn ToSql + Sync>]) -> Vec<&(dyn ToSql + Sync)> {
    values.iter().map(|v| v.as_ref()).collect()
}
