//! Many new cases in a few statements: the rows of a whole batch, each table's in one binary
//! `COPY … FROM STDIN` (values sent as stored: no statement to plan per row, no array to take
//! apart), and the counters in one upsert.
//!
//! An import batch of 1,000 cases is about ten round trips instead of fifteen a case; a group
//! of creations ([`super::group`]) holds its office's counter row for as few round trips.
//! (`INSERT … SELECT * FROM UNNEST($1, …)` with a column's values as an array did the same in
//! as many round trips; `COPY` was measured as fast or faster: benches/README.md.)
//!
//! What it writes is what [`crate::store::sql::write::insert_case`] writes for each case, and
//! it answers as [`crate::store::sql::write::import`] does: [`Write::Stale`] for a case whose id
//! or number is stored, or taken by an earlier case of the same batch. A unique key taken
//! while it writes (another process committed the same case or event id in the meantime) is
//! [`Bulk::Collided`]: the caller rolls back and writes case by case, as before.

use std::collections::{BTreeMap, HashSet};

use postgres::binary_copy::BinaryCopyInWriter;
use postgres::error::SqlState;
use postgres::types::Type;
use postgres::{GenericClient, Transaction};

use super::{Pg, db};
use crate::store::sql::NOTIFY_CHANNEL;
use crate::store::sql::rows::CaseRows;
use crate::store::{StoreError, Write, parse_case_number};

/// A transaction and the statements prepared on its connection.
pub(super) type Tx<'c, 't> = Pg<'c, Transaction<'t>>;

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
pub(super) fn insert(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<Bulk, StoreError> {
    collided(write(tx, rows))
}

/// Writes new cases whose numbers this transaction took from their counters ([`super::group`]):
/// nothing is looked up first (their ids are new and the numbers were free when taken; a
/// unique key taken anyway is [`Bulk::Collided`]) and the counters stay as they are.
pub(super) fn insert_created(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<Bulk, StoreError> {
    collided(write_new(tx, rows).map(|()| vec![Write::Done; rows.len()]))
}

fn collided(written: Result<Vec<Write>, postgres::Error>) -> Result<Bulk, StoreError> {
    match written {
        Ok(written) => Ok(Bulk::Written(written)),
        Err(e) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => Ok(Bulk::Collided),
        Err(e) => Err(db(e)),
    }
}

fn write(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<Vec<Write>, postgres::Error> {
    let fresh = fresh(tx, rows)?;
    let new: Vec<&CaseRows> = rows
        .iter()
        .zip(&fresh)
        .filter(|(_, w)| **w == Write::Done)
        .map(|(r, _)| *r)
        .collect();
    if !new.is_empty() {
        // The rows that lock nothing another writer needs first, then the counter rows and
        // the feed counter, held from there to the commit: another import's batch writes its
        // own rows meanwhile, and every writer takes the counters in the same order (an
        // office's counter rows, then the feed's), as creations do.
        case_rows(tx, &new)?;
        counters(tx, &new)?;
        events(tx, &new)?;
    }
    Ok(fresh)
}

/// The rows of cases not stored yet, each table in one statement.
fn write_new(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    case_rows(tx, rows)?;
    events(tx, rows)
}

/// The rows of cases not stored yet but their events: the cases (with their data keys), search
/// terms and statistics records.
fn case_rows(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    cases(tx, rows)?;
    terms(tx, rows)?;
    stats(tx, rows)
}

/// Each case's answer before writing: [`Write::Stale`] when its id or number is stored or
/// taken by an earlier case of the batch.
fn fresh(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<Vec<Write>, postgres::Error> {
    let ids: Vec<&str> = rows.iter().map(|r| r.summary.id.as_str()).collect();
    let numbers: Vec<&str> = rows.iter().map(|r| r.summary.number.as_str()).collect();
    let mut taken_ids = HashSet::new();
    let mut taken_numbers = HashSet::new();
    for stored in stored(&mut *tx.client, &ids, &numbers)? {
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
fn counters(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
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
    tx.client.execute_typed(
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

/// The case rows (their summaries, and in an encrypted store their data keys).
fn cases(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    let target = format!(
        "cases ({}, transfer_to, key_id, data_key)",
        crate::store::sql::rows::SUMMARY_COLUMNS
    );
    let mut types = vec![Type::TEXT; 7];
    types.extend([Type::INT8, Type::TEXT, Type::TEXT, Type::INT8, Type::TEXT]);
    types.extend([Type::TEXT, Type::BYTEA]);
    copy_rows(tx, &target, &types, |copy| {
        for r in rows {
            let s = &r.summary;
            let (key_id, data_key) = match &r.key {
                Some(k) => (Some(k.key_id.as_str()), Some(k.wrapped.as_slice())),
                None => (None, None),
            };
            copy.write(&[
                &s.id,
                &s.number,
                &s.office,
                &s.category,
                &s.status,
                &s.priority,
                &s.opened_on,
                &s.version,
                &s.head,
                &s.updated_at,
                &s.follow_ups,
                &r.transfer_to,
                &key_id,
                &data_key,
            ])?;
        }
        Ok(())
    })
}

/// The search terms: the words of each person's names, and the document keys.
fn terms(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    if rows
        .iter()
        .any(|r| r.terms.names.iter().any(|n| !n.is_empty()))
    {
        copy_rows(
            tx,
            "case_names (term, case_id, person)",
            &[Type::TEXT, Type::TEXT, Type::INT4],
            |copy| {
                for r in rows {
                    for (person, names) in (0_i32..).zip(&r.terms.names) {
                        for w in names {
                            copy.write(&[w, &r.summary.id, &person])?;
                        }
                    }
                }
                Ok(())
            },
        )?;
    }
    if rows.iter().any(|r| !r.terms.documents.is_empty()) {
        copy_rows(
            tx,
            "case_documents (term, case_id)",
            &[Type::TEXT, Type::TEXT],
            |copy| {
                for r in rows {
                    for d in &r.terms.documents {
                        copy.write(&[d, &r.summary.id])?;
                    }
                }
                Ok(())
            },
        )?;
    }
    Ok(())
}

/// The statistics records, each with a new random record key
/// ([`crate::stats::perturb::record_key`]).
fn stats(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    copy_rows(
        tx,
        "case_stats (case_id, record, cell_key)",
        &[Type::TEXT, Type::BYTEA, Type::INT8],
        |copy| {
            for r in rows {
                let cell_key: i64 = crate::stats::perturb::record_key().into();
                copy.write(&[&r.summary.id, &r.record, &cell_key])?;
            }
            Ok(())
        },
    )
}

/// The events, with a run of feed positions taken from the feed counter (locked until the
/// transaction ends, so positions follow commit order), the last announced on
/// [`NOTIFY_CHANNEL`] (delivered at commit) by the same statement.
fn events(tx: &mut Tx<'_, '_>, rows: &[&CaseRows]) -> Result<(), postgres::Error> {
    let total: usize = rows.iter().map(|r| r.events.len()).sum();
    if total == 0 {
        return Ok(());
    }
    let n = i64::try_from(total).unwrap_or(i64::MAX);
    let last: i64 = tx
        .client
        .query_typed_one(
            "UPDATE feed_counter SET last = last + $1 \
             RETURNING last, pg_notify($2, last::text)",
            &[(&n, Type::INT8), (&NOTIFY_CHANNEL, Type::TEXT)],
        )?
        .try_get(0)?;
    let first = last - n + 1;
    let rows = rows
        .iter()
        .flat_map(|r| r.events.iter().map(move |e| (*r, e)))
        .zip(first..);
    copy_rows(
        tx,
        "events (case_id, seq, position, id, hash, kind, office, body)",
        &[
            Type::TEXT,
            Type::INT8,
            Type::INT8,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
            Type::TEXT,
        ],
        |copy| {
            for ((r, e), position) in rows {
                copy.write(&[
                    &r.summary.id,
                    &e.seq,
                    &position,
                    &e.id,
                    &e.hash,
                    &e.kind,
                    &r.summary.office,
                    &e.body,
                ])?;
            }
            Ok(())
        },
    )
}

/// `COPY target FROM STDIN (FORMAT binary)`: `write` writes the rows, each of values of
/// `types` in the order `target` names its columns. Binary `COPY` sends each value as it is
/// stored, with no statement to plan and no array to take apart.
fn copy_rows(
    tx: &mut Tx<'_, '_>,
    target: &str,
    types: &[Type],
    write: impl FnOnce(&mut BinaryCopyInWriter<'_>) -> Result<(), postgres::Error>,
) -> Result<(), postgres::Error> {
    // Prepared once per connection: `COPY` from text would be prepared at every call, a
    // round trip of its own (a group of a few creations would feel it).
    let statement = tx.prepare(&format!("COPY {target} FROM STDIN (FORMAT binary)"))?;
    let sink = tx.client.copy_in(&statement)?;
    let mut copy = BinaryCopyInWriter::new(sink, types);
    write(&mut copy)?;
    copy.finish()?;
    Ok(())
}
