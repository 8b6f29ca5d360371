//! Writing a case: a new case's rows, an append's rows checked against the anchor it was
//! read at, an import, the numbering counters — each a function over any [`Conn`] in the
//! caller's transaction, written once for both databases.
//!
//! Every function answers [`Write::Stale`] where another writer got there first (the case
//! moved on, the number or id was taken): the caller reads again and retries, or reports.

use std::cell::Cell;
use std::sync::Arc;

use uuid::Uuid;

use super::conn::{Conn, Dialect, Param};
use super::crypt::StoreKeys;
use super::read::case_exists;
use super::rows::{
    AppendRows, CaseRows, EventRow, KeyWrite, RecordWrite, SUMMARY_COLUMNS, SummaryRow, corrupt,
};
use super::verified::KeptHistory;
use crate::case::Case;
use crate::case_record::KeptRecord;
use crate::history::{Anchor, Event};
use crate::store::{
    CaseSummary, IndexTerms, StoreError, Write, checked_append, parse_case_number,
    pending_transfer_to,
};

/// The channel PostgreSQL announces new feed entries on (the payload is the last position):
/// servers `LISTEN` to it to wake their event streams.
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub const NOTIFY_CHANNEL: &str = "siproc_events";

/// What stops a new case from being stored under its id and number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Taken {
    /// A case with this id is stored.
    Id,
    /// Another case has this number.
    Number,
}

/// Whether the id or the number of a new case is taken.
pub(crate) fn taken(c: &mut dyn Conn, id: &str, number: &str) -> Result<Option<Taken>, StoreError> {
    if case_exists(c, id)? {
        return Ok(Some(Taken::Id));
    }
    let number_taken = c
        .query_opt(
            "SELECT 1 FROM cases WHERE number = ?1",
            &[Param::Str(number)],
        )?
        .is_some();
    Ok(number_taken.then_some(Taken::Number))
}

/// A new case of `rows`, its number `seq` of its office and year: stored if `seq` is the
/// number after the counter's (else [`Write::Stale`]: another writer numbered first).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn create(
    c: &mut dyn Conn,
    rows: &CaseRows,
    year: i32,
    seq: u64,
) -> Result<Write, StoreError> {
    let office = &rows.summary.office;
    if super::read::counter_last(c, office, year)?.checked_add(1) != Some(seq) {
        return Ok(Write::Stale);
    }
    match taken(c, &rows.summary.id, &rows.summary.number)? {
        Some(Taken::Id) => return Err(StoreError::DuplicateCase),
        Some(Taken::Number) => return Err(StoreError::NumberTaken),
        None => {}
    }
    if insert_case(c, rows)? == Write::Stale {
        return Ok(Write::Stale);
    }
    bump_counter(c, office, year, seq)?;
    Ok(Write::Done)
}

/// Takes the next number of `office` in `year`: the counter row is incremented (and, on
/// PostgreSQL, locked until the transaction ends, so numbers stay gap-free across processes).
#[cfg_attr(not(feature = "postgres"), allow(dead_code))]
pub(crate) fn next_number(c: &mut dyn Conn, office: &str, year: i32) -> Result<u64, StoreError> {
    let last = c
        .query_one(
            "INSERT INTO case_counters (office, year, last) VALUES (?1, ?2, 1) \
             ON CONFLICT (office, year) DO UPDATE SET last = case_counters.last + 1 \
             RETURNING last",
            &[Param::Str(office), Param::Int(year.into())],
        )?
        .int(0)?;
    u64::try_from(last).map_err(|_| corrupt("a negative counter"))
}

/// An imported case: stored unless its id or number is taken ([`Write::Stale`]); the counter
/// of its number's office and year moves up to it.
pub(crate) fn import(c: &mut dyn Conn, rows: &CaseRows) -> Result<Write, StoreError> {
    let number = &rows.summary.number;
    if taken(c, &rows.summary.id, number)?.is_some() {
        return Ok(Write::Stale);
    }
    if let Some((office, year, seq)) = parse_case_number(number) {
        bump_counter(c, office, year, seq)?;
    }
    insert_case(c, rows)
}

/// [`checked_append`] as the SQL stores run it: `load` gives the case's history with its data
/// key as read with the same rows ([`super::read::history_and_key`]), the appended rows are
/// made with that key (no second read of `cases.data_key`), and `write` stores them
/// ([`Write::Stale`]: loaded and tried again).
pub(crate) fn keyed_append(
    expected_version: u64,
    events: &[Event],
    keys: Option<&StoreKeys>,
    load: &mut dyn FnMut() -> Result<KeptHistory, StoreError>,
    write: &mut dyn FnMut(&Anchor, AppendRows) -> Result<Write, StoreError>,
) -> Result<u64, StoreError> {
    let key = Cell::new(None);
    checked_append(
        expected_version,
        events,
        &mut || {
            let (history, read_key) = load()?;
            key.set(read_key);
            Ok(Arc::unwrap_or_clone(history))
        },
        &mut |read, after| write(read, AppendRows::of(events, after, keys, key.take())?),
    )
}

/// An append's rows: stored if the case is still at `read` (else [`Write::Stale`]).
pub(crate) fn append(
    c: &mut dyn Conn,
    read: &Anchor,
    rows: &AppendRows,
) -> Result<Write, StoreError> {
    let AppendRows {
        case,
        events,
        terms,
        record,
        rewritten,
        key,
    } = rows;
    let id = case.id.to_string();
    let sql = format!(
        "SELECT version, head FROM cases WHERE id = ?1{}",
        c.dialect().for_update()
    );
    let still = match c.query_opt(&sql, &[Param::Str(&id)])? {
        Some(mut row) => {
            u64::try_from(row.int(0)?).ok() == Some(read.version) && row.text(1)? == read.head
        }
        None => false,
    };
    if !still {
        return Ok(Write::Stale);
    }
    update_case(c, case)?;
    if let Some(terms) = terms {
        index(c, case.id, terms)?;
    }
    match record {
        RecordWrite::Keep => {}
        RecordWrite::Replace(record) => self::record(c, &id, record)?,
        RecordWrite::KeepNational(fresh) => {
            let record = match stored_record(c, &id)? {
                Some(kept) => fresh.clone().keeping_national(&kept),
                None => fresh.clone(),
            };
            self::record(c, &id, &record.encode())?;
        }
    }
    for e in rewritten {
        c.execute(
            "UPDATE events SET body = ?3 WHERE case_id = ?1 AND seq = ?2",
            &[Param::Str(&id), Param::Int(e.seq), Param::Str(&e.body)],
        )?;
    }
    match key {
        KeyWrite::Keep => {}
        KeyWrite::Set(row) => super::crypt::set_case_key(c, &id, row)?,
        KeyWrite::Destroy => super::crypt::destroy_case_key(c, &id)?,
    }
    insert_events(c, &id, &case.office, events)
}

/// The parameters `?1`…`?12` of a case row: [`SUMMARY_COLUMNS`] in order, then `transfer_to`.
fn case_params<'a>(r: &'a SummaryRow, transfer_to: Option<&'a str>) -> [Param<'a>; 12] {
    [
        Param::Str(&r.id),
        Param::Str(&r.number),
        Param::Str(&r.office),
        Param::Str(&r.category),
        Param::Str(&r.status),
        Param::Str(&r.priority),
        Param::Str(&r.opened_on),
        Param::Int(r.version),
        Param::Str(&r.head),
        Param::Str(&r.updated_at),
        Param::opt_int(r.follow_ups),
        Param::opt(transfer_to),
    ]
}

/// Stores a case the store does not hold: its row (with its data key in an encrypted store),
/// search terms, statistics record and events.
pub(crate) fn insert_case(c: &mut dyn Conn, rows: &CaseRows) -> Result<Write, StoreError> {
    let r = &rows.summary;
    let sql = format!(
        "INSERT INTO cases ({SUMMARY_COLUMNS}, transfer_to, key_id, data_key) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
    );
    let mut params = case_params(r, rows.transfer_to.as_deref()).to_vec();
    params.extend(match &rows.key {
        Some(key) => [Param::Str(&key.key_id), Param::Blob(&key.wrapped)],
        None => [Param::Null, Param::Null],
    });
    if c.try_execute(&sql, &params)?.is_none() {
        return Ok(Write::Stale);
    }
    insert_terms(c, &r.id, &rows.terms)?;
    record(c, &r.id, &rows.record)?;
    insert_events(c, &r.id, &r.office, &rows.events)
}

/// Writes the summary columns of a stored case (its id and number do not change).
fn update_case(c: &mut dyn Conn, case: &Case) -> Result<(), StoreError> {
    let r = SummaryRow::of(&CaseSummary::of(case));
    let transfer_to = pending_transfer_to(case);
    c.execute(
        "UPDATE cases SET office = ?3, category = ?4, status = ?5, priority = ?6, \
         opened_on = ?7, version = ?8, head = ?9, updated_at = ?10, follow_ups = ?11, \
         transfer_to = ?12 WHERE id = ?1 AND number = ?2",
        &case_params(&r, transfer_to.as_deref()),
    )?;
    Ok(())
}

/// Adds the events of the case `id`, held by `office`, with their feed positions: numbered by
/// SQLite as it inserts them; on PostgreSQL taken from the feed counter and announced on
/// [`NOTIFY_CHANNEL`].
fn insert_events(
    c: &mut dyn Conn,
    id: &str,
    office: &str,
    events: &[EventRow],
) -> Result<Write, StoreError> {
    // SQLite numbers the rows itself (a NULL position is the next one); PostgreSQL takes a run
    // of positions from the feed counter.
    let first = match c.dialect() {
        Dialect::Sqlite => None,
        Dialect::Postgres => {
            let n = i64::try_from(events.len()).unwrap_or(i64::MAX);
            let last = c
                .query_one(
                    "UPDATE feed_counter SET last = last + ?1 RETURNING last",
                    &[Param::Int(n)],
                )?
                .int(0)?;
            Some(last - n + 1)
        }
    };
    for (k, e) in (0_i64..).zip(events) {
        let inserted = c.try_execute(
            "INSERT INTO events (case_id, seq, position, id, hash, kind, office, body) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &[
                Param::Str(id),
                Param::Int(e.seq),
                Param::opt_int(first.map(|f| f + k)),
                Param::Str(&e.id),
                Param::Str(&e.hash),
                Param::Str(e.kind),
                Param::Str(office),
                Param::Str(&e.body),
            ],
        )?;
        if inserted.is_none() {
            return Ok(Write::Stale);
        }
    }
    if let Some(first) = first {
        let last = first + i64::try_from(events.len()).unwrap_or(i64::MAX) - 1;
        c.query(
            "SELECT pg_notify(?1, ?2)",
            &[Param::Str(NOTIFY_CHANNEL), Param::Text(last.to_string())],
        )?;
    }
    Ok(Write::Done)
}

/// Replaces the search terms of the stored case `case_id`.
pub(crate) fn index(c: &mut dyn Conn, case_id: Uuid, terms: &IndexTerms) -> Result<(), StoreError> {
    let id = case_id.to_string();
    for delete in [
        "DELETE FROM case_names WHERE case_id = ?1",
        "DELETE FROM case_documents WHERE case_id = ?1",
    ] {
        c.execute(delete, &[Param::Str(&id)])?;
    }
    insert_terms(c, &id, terms)
}

/// Adds the search terms of a case that has none stored.
fn insert_terms(c: &mut dyn Conn, id: &str, terms: &IndexTerms) -> Result<(), StoreError> {
    for (person, words) in (0_i64..).zip(&terms.names) {
        for w in words {
            c.execute(
                "INSERT INTO case_names (term, case_id, person) VALUES (?1, ?2, ?3)",
                &[Param::Str(w), Param::Str(id), Param::Int(person)],
            )?;
        }
    }
    for d in &terms.documents {
        c.execute(
            "INSERT INTO case_documents (term, case_id) VALUES (?1, ?2)",
            &[Param::Str(d), Param::Str(id)],
        )?;
    }
    Ok(())
}

/// Moves the counter of `office` and `year` up to `seq` (never down).
fn bump_counter(c: &mut dyn Conn, office: &str, year: i32, seq: u64) -> Result<(), StoreError> {
    let sql = format!(
        "INSERT INTO case_counters (office, year, last) VALUES (?1, ?2, ?3) \
         ON CONFLICT (office, year) DO UPDATE SET last = {}(case_counters.last, excluded.last)",
        c.dialect().greatest()
    );
    c.execute(
        &sql,
        &[
            Param::Str(office),
            Param::Int(year.into()),
            Param::count(seq),
        ],
    )?;
    Ok(())
}

/// The statistics record stored for the case `id`, if any (`store.corrupt` if unreadable).
pub(crate) fn stored_record(c: &mut dyn Conn, id: &str) -> Result<Option<KeptRecord>, StoreError> {
    c.query_opt(
        "SELECT record FROM case_stats WHERE case_id = ?1",
        &[Param::Str(id)],
    )?
    .map(|mut r| r.opt_blob(0))
    .transpose()?
    .flatten()
    .map(|bytes| {
        KeptRecord::decode(&bytes).ok_or_else(|| corrupt("a statistics record is unreadable"))
    })
    .transpose()
}

/// Writes `record` (encoded) as the statistics record of the case `id` (replacing the one
/// stored). A new record gets a random record key ([`crate::stats::perturb::record_key`]); a
/// replaced one keeps its own.
pub(crate) fn record(c: &mut dyn Conn, id: &str, record: &[u8]) -> Result<(), StoreError> {
    c.execute(
        "INSERT INTO case_stats (case_id, record, cell_key) VALUES (?1, ?2, ?3) \
         ON CONFLICT (case_id) DO UPDATE SET record = excluded.record",
        &[
            Param::Str(id),
            Param::Blob(record),
            Param::Int(crate::stats::perturb::record_key().into()),
        ],
    )?;
    Ok(())
}
