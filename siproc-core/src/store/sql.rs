//! What the SQL stores share: the search query, and converting a case's summary to and from
//! the columns of the `cases` table. Each backend binds the values its own way.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use std::sync::{Arc, Mutex, PoisonError};

use hashlink::LruCache;
use sha2::{Digest, Sha256};

use super::{
    CaseQuery, CaseSummary, FeedEntry, IndexTerms, StoreError, document_key, name_terms,
    pending_transfer_to,
};
use crate::history::{Anchor, CaseHistory, Event, HistoryError, Tamper};
use crate::stats::KeptRecord;

/// The columns of `cases` a summary is read from, in this order.
pub(crate) const SUMMARY_COLUMNS: &str = "id, number, office, category, status, priority, opened_on, version, head, updated_at, follow_ups";

/// A value to bind.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param {
    Text(String),
    Int(i64),
}

/// The text form of a value whose serde form is a string (status, priority).
pub(crate) fn text_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn parse<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
    serde_json::from_value(serde_json::Value::String(text.to_owned()))
        .map_err(|_| corrupt(&format!("a case row holds an unreadable {what}")))
}

/// `store.corrupt` with a reason.
pub(crate) fn corrupt(reason: &str) -> StoreError {
    StoreError::Corrupt {
        reason: reason.to_owned(),
    }
}

/// A timestamp as stored: RFC 3339, UTC, microseconds.
pub(crate) fn timestamp(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// The text columns of a summary row, in [`SUMMARY_COLUMNS`] order (the version apart).
pub(crate) struct SummaryRow {
    pub id: String,
    pub number: String,
    pub office: String,
    pub category: String,
    pub status: String,
    pub priority: String,
    pub opened_on: String,
    pub version: i64,
    pub head: String,
    pub updated_at: String,
    /// NULL for a case opened here; the count of follow-up items for a migrated case.
    pub follow_ups: Option<i64>,
}

/// What a backend writes for a case it stores for the first time (a creation, an import): the
/// summary, the events, the search terms and the statistics record. Made before the write —
/// by the caller, not by SQLite's writer thread, which every write waits for — so that writing
/// is binding values.
pub(crate) struct CaseRows {
    pub summary: SummaryRow,
    /// The office a pending transfer goes to (`cases.transfer_to`).
    pub transfer_to: Option<String>,
    pub events: Vec<EventRow>,
    pub terms: IndexTerms,
    /// The case's statistics record, encoded ([`KeptRecord::encode`]).
    pub record: Vec<u8>,
}

/// The columns of an `events` row (the case's id and office apart).
pub(crate) struct EventRow {
    pub seq: i64,
    pub id: String,
    pub hash: String,
    pub kind: &'static str,
    /// The event's canonical JSON ([`crate::history::canonical_json`]).
    pub body: String,
}

impl EventRow {
    /// The rows of `events`.
    pub fn all(events: &[Event]) -> Result<Vec<EventRow>, HistoryError> {
        events
            .iter()
            .map(|e| {
                Ok(EventRow {
                    seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
                    id: e.id.to_string(),
                    hash: e.hash.clone(),
                    kind: e.kind.name(),
                    body: crate::history::canonical_json(e)?,
                })
            })
            .collect()
    }
}

impl CaseRows {
    /// The rows of `history`'s case.
    pub fn of(history: &CaseHistory) -> Result<CaseRows, StoreError> {
        let case = history.case();
        Ok(CaseRows {
            summary: SummaryRow::of(&CaseSummary::of(case)),
            transfer_to: pending_transfer_to(case),
            events: EventRow::all(history.events())?,
            terms: IndexTerms::of(case),
            record: KeptRecord::of(case, history.events()).encode(),
        })
    }
}

impl SummaryRow {
    /// The columns of `summary`.
    pub fn of(summary: &CaseSummary) -> SummaryRow {
        SummaryRow {
            id: summary.id.to_string(),
            number: summary.number.clone(),
            office: summary.office.clone(),
            category: summary.category.clone(),
            status: text_of(&summary.status),
            priority: text_of(&summary.priority),
            opened_on: summary.opened_on.to_string(),
            version: i64::try_from(summary.version).unwrap_or(i64::MAX),
            head: summary.head.clone(),
            updated_at: timestamp(&summary.updated_at),
            follow_ups: summary
                .migrated
                .then(|| i64::try_from(summary.follow_ups).unwrap_or(i64::MAX)),
        }
    }

    /// The summary these columns hold.
    pub fn summary(&self) -> Result<CaseSummary, StoreError> {
        Ok(CaseSummary {
            id: Uuid::parse_str(&self.id).map_err(|_| corrupt("a case row has a bad id"))?,
            number: self.number.clone(),
            office: self.office.clone(),
            category: self.category.clone(),
            status: parse(&self.status, "status")?,
            priority: parse(&self.priority, "priority")?,
            opened_on: NaiveDate::parse_from_str(&self.opened_on, "%Y-%m-%d")
                .map_err(|_| corrupt("a case row has a bad date"))?,
            version: u64::try_from(self.version)
                .map_err(|_| corrupt("a case row has a bad version"))?,
            head: self.head.clone(),
            updated_at: DateTime::parse_from_rfc3339(&self.updated_at)
                .map_err(|_| corrupt("a case row has a bad timestamp"))?
                .with_timezone(&Utc),
            migrated: self.follow_ups.is_some(),
            follow_ups: match self.follow_ups {
                Some(n) => usize::try_from(n)
                    .map_err(|_| corrupt("a case row has a bad follow-up count"))?,
                None => 0,
            },
        })
    }
}

/// How many index rows of a term [`rarest_first`] counts at most: enough to tell a rare term
/// from a common one, few enough to count in well under a millisecond.
const POSTINGS_CAP: u32 = 2_000;

/// Counts a term's rows in `case_names`, up to [`POSTINGS_CAP`]; the term is the one parameter.
pub(crate) fn postings_sql(placeholder: fn(usize) -> String) -> String {
    format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM case_names WHERE term = {} LIMIT {POSTINGS_CAP}) t",
        placeholder(1)
    )
}

/// A name search as [`search`] runs it ([`rarest_first`]).
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// The query's name terms ([`name_terms`]), rarest first.
    words: Vec<String>,
    /// Whether even the rarest has [`POSTINGS_CAP`] index rows or more: a page of such a
    /// search is read in case-number order (see [`filtered`]).
    common: bool,
}

impl Names {
    /// `query`'s name terms in the order [`name_terms`] gives, for a database whose planner
    /// orders the join itself from its own statistics (PostgreSQL): nothing is counted.
    pub(crate) fn as_given(query: &CaseQuery) -> Names {
        Names {
            words: query.name.as_deref().map(name_terms).unwrap_or_default(),
            common: false,
        }
    }
}

/// `query`'s name search: its terms rarest first, `postings(term)` counting each term's
/// index rows with [`postings_sql`]. A name search reads the index rows of its first term and
/// looks the other terms up for those rows only, so it costs what the rarest term costs (a
/// search for "Ana Peña Zelaya Bacedifo" reads the one row of "bacedifo", not the thousands of
/// "ana").
pub(crate) fn rarest_first(
    query: &CaseQuery,
    mut postings: impl FnMut(&str) -> Result<i64, StoreError>,
) -> Result<Names, StoreError> {
    let words = query.name.as_deref().map(name_terms).unwrap_or_default();
    // One word needs no order; it is counted only when a page of it is asked for.
    if words.is_empty() || (words.len() == 1 && query.limit.is_none()) {
        return Ok(Names {
            words,
            common: false,
        });
    }
    let mut counted = words
        .into_iter()
        .map(|w| Ok((postings(&w)?, w)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    counted.sort();
    Ok(Names {
        common: counted
            .first()
            .is_some_and(|(n, _)| *n >= i64::from(POSTINGS_CAP)),
        words: counted.into_iter().map(|(_, w)| w).collect(),
    })
}

/// The search: a `SELECT` of [`SUMMARY_COLUMNS`] from `cases` for `query`, with its
/// parameters; `names` are the query's name terms in the order to join them
/// ([`rarest_first`]); `placeholder(n)` writes the n-th (1-based) parameter's placeholder.
pub(crate) fn search(
    query: &CaseQuery,
    names: &Names,
    placeholder: fn(usize) -> String,
) -> (String, Vec<Param>) {
    filtered(
        &format!("SELECT {SUMMARY_COLUMNS} FROM cases"),
        query,
        names,
        placeholder,
    )
}

/// The statistics records of [`search`]'s cases: rows of (case id, case number, encoded
/// record or NULL), from `cases` left-joined with `case_stats` (whose columns no filter names).
pub(crate) fn records_search(
    query: &CaseQuery,
    names: &Names,
    placeholder: fn(usize) -> String,
) -> (String, Vec<Param>) {
    filtered(
        "SELECT id, number, s.record FROM cases LEFT JOIN case_stats s ON s.case_id = cases.id",
        query,
        names,
        placeholder,
    )
}

/// `select` (a `SELECT … FROM` over `cases`) restricted to `query`'s cases, in case-number
/// order, with its parameters; `names` as in [`search`].
fn filtered(
    select: &str,
    query: &CaseQuery,
    names: &Names,
    placeholder: fn(usize) -> String,
) -> (String, Vec<Param>) {
    let mut sql = format!("{select} WHERE TRUE");
    let mut params = Vec::new();
    let mut bind = |p: Param| {
        params.push(p);
        placeholder(params.len())
    };
    for (column, value) in [
        ("office", query.office.clone()),
        ("status", query.status.map(|s| text_of(&s))),
        ("category", query.category.clone()),
        ("number", query.number.clone()),
    ] {
        if let Some(v) = value {
            let p = bind(Param::Text(v));
            sql.push_str(&format!(" AND {column} = {p}"));
        }
    }
    if let Some(office) = &query.reaching_office {
        let p = bind(Param::Text(office.clone()));
        sql.push_str(&format!(" AND (office = {p} OR transfer_to = {p})"));
    }
    if let Some(after) = &query.after {
        let p = bind(Param::Text(after.clone()));
        sql.push_str(&format!(" AND number > {p}"));
    }
    if let Some(document) = &query.document_number {
        let p = bind(Param::Text(document_key(document)));
        sql.push_str(&format!(
            " AND id IN (SELECT case_id FROM case_documents WHERE term = {p})"
        ));
    }
    // Every term on one person: the first term's index rows, each other term looked up by its
    // primary key (term, case, person). `CROSS JOIN` keeps that order in SQLite.
    if let Some((first, rest)) = names.words.split_first() {
        let mut from = String::from("case_names n0");
        let mut on = format!("n0.term = {}", bind(Param::Text(first.clone())));
        for (k, word) in (1..).zip(rest) {
            let p = bind(Param::Text(word.clone()));
            from.push_str(&format!(" CROSS JOIN case_names n{k}"));
            on.push_str(&format!(
                " AND n{k}.term = {p} AND n{k}.case_id = n0.case_id AND n{k}.person = n0.person"
            ));
        }
        // A page of a common name: reading cases in number order and testing each against the
        // name's rows finds the page after about (page size × cases ÷ rows) cases, where
        // starting from the name's thousands of rows would fetch and sort every case they
        // name. `id || ''` is `id` that no index can drive from, so the case-number order is.
        let id = if names.common && query.limit.is_some() {
            "id || ''"
        } else {
            "id"
        };
        sql.push_str(&format!(
            " AND {id} IN (SELECT n0.case_id FROM {from} WHERE {on})"
        ));
    }
    sql.push_str(" ORDER BY number");
    if let Some(limit) = query.limit {
        let p = bind(Param::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" LIMIT {p}"));
    }
    (sql, params)
}

/// An event read back from its stored JSON; one that no longer reads is a changed event of
/// case `case_id` at position `index`.
pub(crate) fn event_of(
    body: &str,
    case_id: Uuid,
    index: usize,
    seq: u64,
) -> Result<Event, StoreError> {
    serde_json::from_str(body).map_err(|_| StoreError::Damaged {
        case_id,
        source: HistoryError::Tampered {
            index,
            seq,
            event_id: None,
            reason: Tamper::Changed,
        },
    })
}

/// The events of case `case_id` as read, checked against the case row's anchor: any change,
/// removal or addition is [`StoreError::Damaged`] naming the case.
pub(crate) fn verified(
    case_id: Uuid,
    events: Vec<Event>,
    anchor: &Anchor,
) -> Result<CaseHistory, StoreError> {
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
pub(crate) const FEED_HEAD_SQL: &str = "SELECT COALESCE(MAX(position), 0) FROM events";

/// The feed query: entries after the first parameter, at most the second.
pub(crate) fn feed_sql(placeholder: fn(usize) -> String) -> String {
    format!(
        "SELECT e.position, e.case_id, c.number, e.office, e.seq, e.kind, c.transfer_to \
         FROM events e JOIN cases c ON c.id = e.case_id \
         WHERE e.position > {} ORDER BY e.position LIMIT {}",
        placeholder(1),
        placeholder(2)
    )
}

/// A feed entry from the columns of [`feed_sql`].
pub(crate) fn feed_entry(
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
pub(crate) fn history_sql(placeholder: fn(usize) -> String) -> String {
    format!(
        "SELECT c.version, c.head, e.seq, e.body FROM cases c JOIN events e \
         ON e.case_id = c.id WHERE c.id = {} ORDER BY e.seq",
        placeholder(1)
    )
}

/// The history of case `case_id` from the rows of [`history_sql`] (version, head, seq, body),
/// checked against the anchor — or the one `cache` kept for these very rows; `Ok(None)` when
/// there are no rows and `exists` says there is no such case.
pub(crate) fn history_from_rows(
    case_id: Uuid,
    rows: impl IntoIterator<Item = Result<HistoryRow, StoreError>>,
    exists: impl FnOnce() -> Result<bool, StoreError>,
    cache: &Verified,
) -> Result<Option<Arc<CaseHistory>>, StoreError> {
    let rows = rows.into_iter().collect::<Result<Vec<_>, _>>()?;
    let Some((version, head, _, _)) = rows.first() else {
        return if exists()? {
            Err(StoreError::Damaged {
                case_id,
                source: HistoryError::Empty,
            })
        } else {
            Ok(None)
        };
    };
    let digest = digest_of(&rows);
    if let Some(history) = cache.get(case_id, &digest) {
        return Ok(Some(history));
    }
    let anchor = Anchor {
        version: u64::try_from(*version).unwrap_or(0),
        head: head.clone(),
    };
    let events = rows
        .iter()
        .enumerate()
        .map(|(index, (_, _, seq, body))| {
            event_of(body, case_id, index, u64::try_from(*seq).unwrap_or(0))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let history = Arc::new(verified(case_id, events, &anchor)?);
    cache.keep(case_id, digest, Arc::clone(&history));
    Ok(Some(history))
}

/// How many verified histories a store keeps ([`Verified`]).
const VERIFIED_CASES: usize = 1024;

/// The SHA-256 of a case's rows exactly as read: the anchor (`version`, `head`), then each
/// event's `seq` and `body`, every text preceded by its length.
type RowsDigest = [u8; 32];

/// The rows of a case as [`history_sql`] reads them: version, head, seq, body.
pub(crate) type HistoryRow = (i64, String, i64, String);

/// Histories this process has read and fully verified (parsed, every hash and commitment
/// checked against the case row's anchor, replayed), each with the [`RowsDigest`] of the rows it
/// was made from, at most [`VERIFIED_CASES`] of them, the least recently used dropped first.
///
/// Why this is sound: verifying is a function of the rows alone, so rows with the same digest
/// verify to the same history; a load whose rows hash to the digest kept for its case gets the
/// kept history without parsing and hashing every event again. Any byte changed on disk — an
/// event body, a removed or added row, the anchor — changes the digest, and the rows are then
/// verified in full, so a damaged case is still [`StoreError::Damaged`] naming it. A write by
/// this store or any other process changes the rows too. SHA-256 (already the chain's hash) is
/// collision resistant: a changed row cannot be made to keep its digest.
///
/// The LRU is hashlink's `LruCache` (the one rusqlite uses for its statement cache, so no new
/// crate is built): a well-kept linked hash map with O(1) get and insert.
pub(crate) struct Verified {
    cases: Mutex<LruCache<Uuid, (RowsDigest, Arc<CaseHistory>)>>,
}

impl Verified {
    /// An empty cache.
    pub fn new() -> Verified {
        Verified {
            cases: Mutex::new(LruCache::new(VERIFIED_CASES)),
        }
    }

    fn get(&self, case_id: Uuid, digest: &RowsDigest) -> Option<Arc<CaseHistory>> {
        let mut cases = self.cases.lock().unwrap_or_else(PoisonError::into_inner);
        match cases.get(&case_id) {
            Some((kept, history)) if kept == digest => Some(Arc::clone(history)),
            _ => None,
        }
    }

    fn keep(&self, case_id: Uuid, digest: RowsDigest, history: Arc<CaseHistory>) {
        self.cases
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(case_id, (digest, history));
    }
}

fn digest_of(rows: &[HistoryRow]) -> RowsDigest {
    fn text(h: &mut Sha256, t: &str) {
        h.update((t.len() as u64).to_le_bytes());
        h.update(t.as_bytes());
    }
    let mut h = Sha256::new();
    if let Some((version, head, _, _)) = rows.first() {
        h.update(version.to_le_bytes());
        text(&mut h, head);
    }
    for (_, _, seq, body) in rows {
        h.update(seq.to_le_bytes());
        text(&mut h, body);
    }
    h.finalize().into()
}

/// A row of [`records_search`] as a record with its case number: the stored record decoded, or,
/// for a case that has none (its history was damaged when the table was filled), the record
/// of its history as `history` loads it (which names the damage).
pub(crate) fn record_of(
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
