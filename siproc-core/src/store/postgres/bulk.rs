//! Many new cases in a few statements: the rows of a whole batch sent as arrays and inserted by
//! `INSERT … SELECT * FROM UNNEST(…)`, one statement a table, each a single round trip
//! (`execute_typed`: the statement is parsed, bound and run at once, never prepared apart).
//!
//! An import batch of 1,000 cases is about ten round trips instead of fifteen a case; a group
//! of creations ([`super::group`]) holds its office's counter row for as few round trips.
//!
//! What it writes is what [`crate::store::sql::write::insert_case`] writes for each case, and
//! it answers as [`crate::store::sql::write::import`] does: [`Write::Stale`] for a case whose id
//! or number is stored, or taken by an earlier case of the same batch. A unique key taken
//! while it writes (another process committed the same case or event id in the meantime) is
//! [`Bulk::Collided`]: the caller rolls back and writes case by case, as before.

use std::collections::{BTreeMap, HashSet};

use postgres::error::SqlState;
use postgres::types::{ToSql, Type};
use postgres::{GenericClient, Transaction};

use super::db;
use crate::store::sql::NOTIFY_CHANNEL;
use crate::store::sql::rows::CaseRows;
use crate::store::{StoreError, Write, parse_case_number};

/// What a bulk write did.
pub(super) enum Bulk {
    /// Each case's answer, in order (nothing written for a [`Write::Stale`] one).
    Written(Vec<Write>),
    /// A unique key was taken while writing: nothing of the batch is written (the caller's
    /// transaction is usable again only after a rollback to before the write).
    Collided,
}

/// Writes the imported cases of `rows` in the transaction `tx` (see the module docs); the
/// counter of each office and year moves up to the highest number written.
pub(super) fn insert(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<Bulk, StoreError> {
    collided(write(tx, rows))
}

/// Writes new cases whose numbers this transaction took from their counters ([`super::group`]):
/// nothing is looked up first (their ids are new and the numbers were free when taken; a
/// unique key taken anyway is [`Bulk::Collided`]) and the counters stay as they are.
pub(super) fn insert_created(
    tx: &mut Transaction<'_>,
    rows: &[&CaseRows],
) -> Result<Bulk, StoreError> {
    collided(write_new(tx, rows).map(|()| vec![Write::Done; rows.len()]))
}

fn collided(written: Result<Vec<Write>, postgres::Error>) -> Result<Bulk, StoreError> {
    match written {
        Ok(written) => Ok(Bulk::Written(written)),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(Bulk::Collided),
        Err(e) => Err(db(e)),
    }
}

/// A statement's parameters, each with the type it is sent as.
type Typed<'a> = Vec<(&'a (dyn ToSql + Sync), Type)>;

fn write(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<Vec<Write>, postgres::Error> {
    let fresh = fresh(tx, rows)?;
    let new: Vec<&CaseRows> = rows
        .iter()
        .zip(&fresh)
        .filter(|(_, w)| **w == Write::Done)
        .map(|(r, _)| *r)
        .collect();
    if !new.is_empty() {
        counters(tx, &new)?;
        write_new(tx, &new)?;
    }
    Ok(fresh)
}

/// The rows of cases not stored yet, each table in one statement.
fn write_new(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    cases(tx, rows)?;
    keys(tx, rows)?;
    terms(tx, rows)?;
    stats(tx, rows)?;
    events(tx, rows)
}

/// Each case's answer before writing: [`Write::Stale`] when its id or number is stored or
/// taken by an earlier case of the batch.
fn fresh(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<Vec<Write>, postgres::Error> {
    let ids: Vec<&str> = rows.iter().map(|r| r.summary.id.as_str()).collect();
    let numbers: Vec<&str> = rows.iter().map(|r| r.summary.number.as_str()).collect();
    let mut taken_ids = HashSet::new();
    let mut taken_numbers = HashSet::new();
    for stored in stored(tx, &ids, &numbers)? {
        taken_ids.insert(stored.id);
        taken_numbers.insert(stored.number);
    }
    Ok(rows
        .iter()
        .map(|r| {
            let (id, number) = (&r.summary.id, &r.summary.number);
            if taken_ids.contains(id) || taken_numbers.contains(number) {
                Write::Stale
            } else {
                taken_ids.insert(id.clone());
                taken_numbers.insert(number.clone());
                Write::Done
            }
        })
        .collect())
}

/// A stored case found by [`stored`].
pub(super) struct Stored {
    pub(super) id: String,
    pub(super) number: String,
    pub(super) version: i64,
    pub(super) head: String,
}

/// The stored cases whose id is one of `ids` or whose number is one of `numbers`, in one
/// query.
pub(super) fn stored(
    client: &mut impl GenericClient,
    ids: &[&str],
    numbers: &[&str],
) -> Result<Vec<Stored>, postgres::Error> {
    client
        .query_typed(
            "SELECT id, number, version, head FROM cases WHERE id = ANY($1) OR number = ANY($2)",
            &[(&ids, Type::TEXT_ARRAY), (&numbers, Type::TEXT_ARRAY)],
        )?
        .into_iter()
        .map(|row| {
            Ok(Stored {
                id: row.try_get(0)?,
                number: row.try_get(1)?,
                version: row.try_get(2)?,
                head: row.try_get(3)?,
            })
        })
        .collect()
}

/// Moves each office's counter of each year up to the highest number of the batch (never
/// down), the counter rows in key order so that two writers never wait for each other's rows.
fn counters(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    let mut highest: BTreeMap<(&str, i32), u64> = BTreeMap::new();
    for r in rows {
        if let Some((office, year, seq)) = parse_case_number(&r.summary.number) {
            let last = highest.entry((office, year)).or_default();
            *last = (*last).max(seq);
        }
    }
    if highest.is_empty() {
        return Ok(());
    }
    let offices: Vec<&str> = highest.keys().map(|(o, _)| *o).collect();
    let years: Vec<i32> = highest.keys().map(|(_, y)| *y).collect();
    let lasts: Vec<i64> = highest
        .values()
        .map(|n| i64::try_from(*n).unwrap_or(i64::MAX))
        .collect();
    tx.execute_typed(
        "INSERT INTO case_counters (office, year, last) \
         SELECT * FROM UNNEST($1, $2, $3) \
         ON CONFLICT (office, year) DO UPDATE SET last = GREATEST(case_counters.last, excluded.last)",
        &[
            (&offices, Type::TEXT_ARRAY),
            (&years, Type::INT4_ARRAY),
            (&lasts, Type::INT8_ARRAY),
        ],
    )?;
    Ok(())
}

fn cases(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    let text = |f: fn(&CaseRows) -> &str| rows.iter().map(|r| f(r)).collect::<Vec<&str>>();
    let columns = [
        text(|r| &r.summary.id),
        text(|r| &r.summary.number),
        text(|r| &r.summary.office),
        text(|r| &r.summary.category),
        text(|r| &r.summary.status),
        text(|r| &r.summary.priority),
        text(|r| &r.summary.opened_on),
    ];
    let versions: Vec<i64> = rows.iter().map(|r| r.summary.version).collect();
    let heads = text(|r| &r.summary.head);
    let updated = text(|r| &r.summary.updated_at);
    let follow_ups: Vec<Option<i64>> = rows.iter().map(|r| r.summary.follow_ups).collect();
    let transfer_to: Vec<Option<&str>> = rows.iter().map(|r| r.transfer_to.as_deref()).collect();
    let mut params: Typed<'_> = columns
        .iter()
        .map(|c| (c as &(dyn ToSql + Sync), Type::TEXT_ARRAY))
        .collect();
    params.extend([
        (&versions as &(dyn ToSql + Sync), Type::INT8_ARRAY),
        (&heads, Type::TEXT_ARRAY),
        (&updated, Type::TEXT_ARRAY),
        (&follow_ups, Type::INT8_ARRAY),
        (&transfer_to, Type::TEXT_ARRAY),
    ]);
    let target = format!(
        "cases ({}, transfer_to)",
        crate::store::sql::rows::SUMMARY_COLUMNS
    );
    insert_arrays(tx, &target, &params)
}

/// `INSERT INTO target SELECT * FROM UNNEST($1, …, $n)`: a row for each element of the arrays,
/// its i-th column from the i-th array (`target` names the table and its columns).
fn insert_arrays(
    tx: &mut Transaction<'_>,
    target: &str,
    arrays: &[(&(dyn ToSql + Sync), Type)],
) -> Result<(), postgres::Error> {
    let params: Vec<String> = (1..=arrays.len()).map(|i| format!("${i}")).collect();
    tx.execute_typed(
        &format!(
            "INSERT INTO {target} SELECT * FROM UNNEST({})",
            params.join(", ")
        ),
        arrays,
    )?;
    Ok(())
}

/// The data keys of the cases of an encrypted store.
fn keys(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    let keyed: Vec<_> = rows
        .iter()
        .filter_map(|r| r.key.as_ref().map(|k| (r.summary.id.as_str(), k)))
        .collect();
    if keyed.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = keyed.iter().map(|(id, _)| *id).collect();
    let key_ids: Vec<&str> = keyed.iter().map(|(_, k)| k.key_id.as_str()).collect();
    let wrapped: Vec<&[u8]> = keyed.iter().map(|(_, k)| k.wrapped.as_slice()).collect();
    insert_arrays(
        tx,
        "case_keys (case_id, key_id, wrapped)",
        &[
            (&ids, Type::TEXT_ARRAY),
            (&key_ids, Type::TEXT_ARRAY),
            (&wrapped, Type::BYTEA_ARRAY),
        ],
    )
}

/// The search terms: the words of each person's names, and the document keys.
fn terms(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    let (mut words, mut word_cases, mut persons) = (Vec::new(), Vec::new(), Vec::new());
    let (mut documents, mut document_cases) = (Vec::new(), Vec::new());
    for r in rows {
        let id = r.summary.id.as_str();
        for (person, names) in (0_i32..).zip(&r.terms.names) {
            for w in names {
                words.push(w.as_str());
                word_cases.push(id);
                persons.push(person);
            }
        }
        for d in &r.terms.documents {
            documents.push(d.as_str());
            document_cases.push(id);
        }
    }
    if !words.is_empty() {
        insert_arrays(
            tx,
            "case_names (term, case_id, person)",
            &[
                (&words, Type::TEXT_ARRAY),
                (&word_cases, Type::TEXT_ARRAY),
                (&persons, Type::INT4_ARRAY),
            ],
        )?;
    }
    if !documents.is_empty() {
        insert_arrays(
            tx,
            "case_documents (term, case_id)",
            &[
                (&documents, Type::TEXT_ARRAY),
                (&document_cases, Type::TEXT_ARRAY),
            ],
        )?;
    }
    Ok(())
}

/// The statistics records, each with a new random record key
/// ([`crate::stats::perturb::record_key`]).
fn stats(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    let ids: Vec<&str> = rows.iter().map(|r| r.summary.id.as_str()).collect();
    let records: Vec<&[u8]> = rows.iter().map(|r| r.record.as_slice()).collect();
    let cell_keys: Vec<i64> = rows
        .iter()
        .map(|_| crate::stats::perturb::record_key().into())
        .collect();
    insert_arrays(
        tx,
        "case_stats (case_id, record, cell_key)",
        &[
            (&ids, Type::TEXT_ARRAY),
            (&records, Type::BYTEA_ARRAY),
            (&cell_keys, Type::INT8_ARRAY),
        ],
    )
}

/// The events, with a run of feed positions taken from the feed counter (locked until the
/// transaction ends, so positions follow commit order), the last announced on
/// [`NOTIFY_CHANNEL`] (delivered at commit) by the same statement.
fn events(tx: &mut Transaction<'_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    let total: usize = rows.iter().map(|r| r.events.len()).sum();
    if total == 0 {
        return Ok(());
    }
    let n = i64::try_from(total).unwrap_or(i64::MAX);
    let last: i64 = tx
        .query_typed_one(
            "UPDATE feed_counter SET last = last + $1 \
             RETURNING last, pg_notify($2, last::text)",
            &[(&n, Type::INT8), (&NOTIFY_CHANNEL, Type::TEXT)],
        )?
        .try_get(0)?;
    let first = last - n + 1;
    let mut columns = EventColumns::default();
    for r in rows {
        for e in &r.events {
            columns.case_ids.push(r.summary.id.as_str());
            columns.seqs.push(e.seq);
            columns.ids.push(e.id.as_str());
            columns.hashes.push(e.hash.as_str());
            columns.kinds.push(e.kind);
            columns.offices.push(r.summary.office.as_str());
            columns.bodies.push(e.body.as_str());
        }
    }
    let positions: Vec<i64> = (first..=last).collect();
    insert_arrays(
        tx,
        "events (case_id, seq, position, id, hash, kind, office, body)",
        &[
            (&columns.case_ids, Type::TEXT_ARRAY),
            (&columns.seqs, Type::INT8_ARRAY),
            (&positions, Type::INT8_ARRAY),
            (&columns.ids, Type::TEXT_ARRAY),
            (&columns.hashes, Type::TEXT_ARRAY),
            (&columns.kinds, Type::TEXT_ARRAY),
            (&columns.offices, Type::TEXT_ARRAY),
            (&columns.bodies, Type::TEXT_ARRAY),
        ],
    )
}

/// The columns of the events of a batch (positions apart).
#[derive(Default)]
struct EventColumns<'a> {
    case_ids: Vec<&'a str>,
    seqs: Vec<i64>,
    ids: Vec<&'a str>,
    hashes: Vec<&'a str>,
    kinds: Vec<&'a str>,
    offices: Vec<&'a str>,
    bodies: Vec<&'a str>,
}
