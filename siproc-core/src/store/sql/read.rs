//! Reading the stores' tables: a case's verified history, its summary, searches, statistics
//! records and the feed — each a function over any [`Conn`], written once for both databases.

use std::sync::Arc;

use uuid::Uuid;

use super::conn::{Conn, Param, Row};
use super::crypt::{StoreKeys, event_of};
use super::rows::{SUMMARY_COLUMNS, SummaryRow, corrupt};
use super::search::{self, records_search};
use super::verified::{HistoryRow, KeptHistory, Verified};
use crate::case::Status;
use crate::case_record::KeptRecord;
use crate::history::{Anchor, CaseHistory, Event, HistoryError, Tamper};
use crate::keys::{DataKey, IndexKey};
use crate::store::{CaseQuery, CaseSummary, FeedEntry, StoreError};

/// The history of case `case_id` as stored, checked against its row's anchor (or kept in
/// `cache` for these very rows), its sealed values decrypted in an encrypted store (`keys`);
/// `None` if no such case.
pub(crate) fn history(
    c: &mut dyn Conn,
    case_id: Uuid,
    cache: &Verified,
    keys: Option<&StoreKeys>,
) -> Result<Option<Arc<CaseHistory>>, StoreError> {
    Ok(history_and_key(c, case_id, cache, keys)?.map(|(history, _)| history))
}

/// [`history`], and in an encrypted store the case's data key as read with it (`None` once an
/// erasure destroyed it), for a write that follows the load.
pub(crate) fn history_and_key(
    c: &mut dyn Conn,
    case_id: Uuid,
    cache: &Verified,
    keys: Option<&StoreKeys>,
) -> Result<Option<KeptHistory>, StoreError> {
    let id = case_id.to_string();
    let rows = c.query(HISTORY_SQL, &[Param::Str(&id)])?;
    let rows = rows
        .into_iter()
        .map(|mut r| -> Result<HistoryRow, StoreError> {
            Ok((r.int(0)?, r.text(1)?, r.int(2)?, r.text(3)?))
        })
        .collect::<Result<Vec<_>, _>>()?;
    if rows.is_empty() {
        return if case_exists(c, &id)? {
            Err(StoreError::Damaged {
                case_id,
                source: HistoryError::Empty,
            })
        } else {
            Ok(None)
        };
    }
    if let Some(kept) = cache.get(case_id, &rows) {
        return Ok(Some(kept));
    }
    let data_key = keys.map(|k| k.case_key(c, &id)).transpose()?.flatten();
    let history = Arc::new(history_from_rows(case_id, &rows, data_key.as_ref())?);
    cache.keep(case_id, rows, (Arc::clone(&history), data_key.clone()));
    Ok(Some((history, data_key)))
}

/// Whether a case row with this id exists.
pub(crate) fn case_exists(c: &mut dyn Conn, id: &str) -> Result<bool, StoreError> {
    Ok(
        c.query_opt("SELECT 1 FROM cases WHERE id = ?1", &[Param::Str(id)])?
            .is_some(),
    )
}

/// A summary from the columns of [`SUMMARY_COLUMNS`].
fn summary_row(r: &mut Row) -> Result<SummaryRow, StoreError> {
    Ok(SummaryRow {
        id: r.text(0)?,
        number: r.text(1)?,
        office: r.text(2)?,
        category: r.text(3)?,
        status: r.text(4)?,
        priority: r.text(5)?,
        opened_on: r.text(6)?,
        version: r.int(7)?,
        head: r.text(8)?,
        updated_at: r.text(9)?,
        follow_ups: r.opt_int(10)?,
    })
}

/// The summary of the case `case_id`.
pub(crate) fn summary(c: &mut dyn Conn, case_id: Uuid) -> Result<CaseSummary, StoreError> {
    let sql = format!("SELECT {SUMMARY_COLUMNS} FROM cases WHERE id = ?1");
    let mut row = c
        .query_opt(&sql, &[Param::Text(case_id.to_string())])?
        .ok_or(StoreError::NotFound)?;
    summary_row(&mut row)?.summary()
}

/// The summaries of `query`'s cases, in case-number order (`index`: the blind index key of an
/// encrypted store).
pub(crate) fn list(
    c: &mut dyn Conn,
    query: &CaseQuery,
    index: Option<&IndexKey>,
) -> Result<Vec<CaseSummary>, StoreError> {
    let names = search::names(c, query, index)?;
    let (sql, params) = search::search(query, &names);
    c.query(&sql, &params)?
        .iter_mut()
        .map(|r| summary_row(r)?.summary())
        .collect()
}

/// The statistics records of `query`'s cases with their case numbers.
pub(crate) fn records(
    c: &mut dyn Conn,
    query: &CaseQuery,
    cache: &Verified,
    keys: Option<&StoreKeys>,
) -> Result<Vec<(String, KeptRecord)>, StoreError> {
    let names = search::names(c, query, keys.map(StoreKeys::index))?;
    let (sql, params) = records_search(query, &names);
    let rows = c.query(&sql, &params)?;
    rows.into_iter()
        .map(|mut r| {
            let number = r.text(1)?;
            let bytes = r.opt_blob(2)?;
            let id = r.text(0)?;
            let case_id = Uuid::parse_str(&id).map_err(|_| corrupt("a case row has a bad id"))?;
            // A record key is a 32-bit number; a row without one (none written yet) gets the
            // case's fixed fallback.
            let key = match r.opt_int(3)? {
                Some(k) => u32::try_from(k).map_err(|_| corrupt("a record key is out of range"))?,
                None => crate::stats::perturb::fallback_key(case_id),
            };
            let (number, record) = record_of(number, bytes.as_deref(), || {
                history(c, case_id, cache, keys)?
                    .map(Arc::unwrap_or_clone)
                    .ok_or(StoreError::NotFound)
            })?;
            Ok((number, record.keyed(key)))
        })
        .collect()
}

/// The feed's entries after position `after`, at most `limit`.
pub(crate) fn feed(
    c: &mut dyn Conn,
    after: u64,
    limit: usize,
) -> Result<Vec<FeedEntry>, StoreError> {
    let limit = u64::try_from(limit).unwrap_or(u64::MAX);
    c.query(FEED_SQL, &[Param::count(after), Param::count(limit)])?
        .into_iter()
        .map(|mut r| {
            feed_entry(
                r.int(0)?,
                &r.text(1)?,
                r.text(2)?,
                r.text(3)?,
                r.int(4)?,
                r.text(5)?,
                r.opt_text(6)?,
            )
        })
        .collect()
}

/// The position of the newest feed entry (0 when none).
pub(crate) fn feed_head(c: &mut dyn Conn) -> Result<u64, StoreError> {
    Ok(u64::try_from(c.query_one(FEED_HEAD_SQL, &[])?.int(0)?).unwrap_or(0))
}

/// How many cases are stored.
pub(crate) fn count(c: &mut dyn Conn) -> Result<u64, StoreError> {
    Ok(u64::try_from(c.query_one("SELECT COUNT(*) FROM cases", &[])?.int(0)?).unwrap_or(0))
}

/// How many cases are in each status, in [`Status::ALL`]'s order.
pub(crate) fn status_counts(c: &mut dyn Conn) -> Result<Vec<(Status, u64)>, StoreError> {
    let mut counts: Vec<(Status, u64)> = Status::ALL.into_iter().map(|s| (s, 0)).collect();
    for mut row in c.query("SELECT status, COUNT(*) FROM cases GROUP BY status", &[])? {
        let status: Status = super::rows::parse(&row.text(0)?, "status")?;
        let n = u64::try_from(row.int(1)?).unwrap_or(0);
        if let Some(slot) = counts.iter_mut().find(|(s, _)| *s == status) {
            slot.1 = n;
        }
    }
    Ok(counts)
}

/// The last number given to a case of `office` in `year` (0 when none).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
pub(crate) fn counter_last(c: &mut dyn Conn, office: &str, year: i32) -> Result<u64, StoreError> {
    let row = c.query_opt(
        "SELECT last FROM case_counters WHERE office = ?1 AND year = ?2",
        &[Param::Str(office), Param::Int(year.into())],
    )?;
    Ok(match row {
        Some(mut r) => u64::try_from(r.int(0)?).unwrap_or(0),
        None => 0,
    })
}

/// The events of case `case_id` as read, checked against the case row's anchor: any change,
/// removal or addition is [`StoreError::Damaged`] naming the case.
fn verified(case_id: Uuid, events: Vec<Event>, anchor: &Anchor) -> Result<CaseHistory, StoreError> {
    let damaged = |source| StoreError::Damaged { case_id, source };
    crate::history::verify_against(&events, anchor).map_err(damaged)?;
    if events.first().is_some_and(|e| e.case_id != case_id) {
        return Err(damaged(HistoryError::Tampered {
            index: 0,
            seq: 1,
            event_id: events.first().map(|e| e.id),
            reason: Tamper::ForeignCase,
        }));
    }
    CaseHistory::trusted(events).map_err(damaged)
}

/// The position of the newest feed entry (0 when none).
const FEED_HEAD_SQL: &str = "SELECT COALESCE(MAX(position), 0) FROM events";

/// The feed query: entries after the first parameter, at most the second.
const FEED_SQL: &str = "SELECT e.position, e.case_id, c.number, e.office, e.seq, e.kind, c.transfer_to \
     FROM events e JOIN cases c ON c.id = e.case_id \
     WHERE e.position > ?1 ORDER BY e.position LIMIT ?2";

/// A feed entry from the columns of [`feed_sql`].
fn feed_entry(
    position: i64,
    case_id: &str,
    number: String,
    office: String,
    seq: i64,
    kind: String,
    transfer_to: Option<String>,
) -> Result<FeedEntry, StoreError> {
    Ok(FeedEntry {
        position: u64::try_from(position).map_err(|_| corrupt("a feed position is negative"))?,
        case_id: Uuid::parse_str(case_id).map_err(|_| corrupt("an event row has a bad case id"))?,
        number,
        office,
        seq: u64::try_from(seq).map_err(|_| corrupt("an event row has a bad seq"))?,
        kind,
        transfer_to,
    })
}

/// The query reading a case's anchor and events (the first parameter is the case id).
const HISTORY_SQL: &str = "SELECT c.version, c.head, e.seq, e.body FROM cases c JOIN events e \
     ON e.case_id = c.id WHERE c.id = ?1 ORDER BY e.seq";

/// The history of case `case_id` from the rows of [`HISTORY_SQL`] (version, head, seq, body;
/// at least one), its bodies decrypted with `key` in an encrypted store, checked against the
/// anchor.
fn history_from_rows(
    case_id: Uuid,
    rows: &[HistoryRow],
    key: Option<&DataKey>,
) -> Result<CaseHistory, StoreError> {
    let (version, head) = rows
        .first()
        .map(|(v, h, _, _)| (*v, h.clone()))
        .unwrap_or_default();
    let anchor = Anchor {
        version: u64::try_from(version).unwrap_or(0),
        head,
    };
    let events = rows
        .iter()
        .enumerate()
        .map(|(index, (_, _, seq, body))| {
            event_of(body, key, case_id, index, u64::try_from(*seq).unwrap_or(0))
        })
        .collect::<Result<Vec<_>, _>>()?;
    verified(case_id, events, &anchor)
}

/// A row of [`records_search`] as a record with its case number: the stored record decoded, or,
/// for a case that has none (its history was damaged when the table was filled), the record
/// of its history as `history` loads it (which names the damage).
fn record_of(
    number: String,
    record: Option<&[u8]>,
    history: impl FnOnce() -> Result<crate::history::CaseHistory, StoreError>,
) -> Result<(String, KeptRecord), StoreError> {
    let record = match record {
        Some(bytes) => {
            KeptRecord::decode(bytes).ok_or_else(|| corrupt("a statistics record is unreadable"))?
        }
        None => {
            let history = history()?;
            KeptRecord::of(history.case(), history.events())
        }
    };
    Ok((number, record))
}
