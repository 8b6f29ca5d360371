//! What the SQL stores share: the search query, and converting a case's summary to and from
//! the columns of the `cases` table. Each backend binds the values its own way.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::{CaseQuery, CaseSummary, FeedEntry, StoreError, document_key, name_terms};
use crate::history::{Event, HistoryError, Tamper};
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

/// The search: a `SELECT` of [`SUMMARY_COLUMNS`] from `cases` for `query`, with its
/// parameters; `placeholder(n)` writes the n-th (1-based) parameter's placeholder.
pub(crate) fn search(query: &CaseQuery, placeholder: fn(usize) -> String) -> (String, Vec<Param>) {
    filtered(
        &format!("SELECT {SUMMARY_COLUMNS} FROM cases"),
        query,
        placeholder,
    )
}

/// The statistics records of [`search`]'s cases: rows of (case id, case number, encoded
/// record or NULL), from `cases` left-joined with `case_stats` (whose columns no filter names).
pub(crate) fn records_search(
    query: &CaseQuery,
    placeholder: fn(usize) -> String,
) -> (String, Vec<Param>) {
    filtered(
        "SELECT id, number, s.record FROM cases LEFT JOIN case_stats s ON s.case_id = cases.id",
        query,
        placeholder,
    )
}

/// `select` (a `SELECT … FROM` over `cases`) restricted to `query`'s cases, in case-number
/// order, with its parameters.
fn filtered(
    select: &str,
    query: &CaseQuery,
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
    let words = query.name.as_deref().map(name_terms).unwrap_or_default();
    if !words.is_empty() {
        let n = words.len();
        let list: Vec<String> = words.into_iter().map(|w| bind(Param::Text(w))).collect();
        sql.push_str(&format!(
            " AND id IN (SELECT case_id FROM case_names WHERE term IN ({}) \
             GROUP BY case_id, person HAVING COUNT(*) = {n})",
            list.join(", ")
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
    anchor: &crate::history::Anchor,
) -> Result<crate::history::CaseHistory, StoreError> {
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
    crate::history::CaseHistory::trusted(events).map_err(damaged)
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
/// checked against the anchor; `Ok(None)` when there are no rows and `exists` says there is no
/// such case.
pub(crate) fn history_from_rows(
    case_id: Uuid,
    rows: impl IntoIterator<Item = Result<(i64, String, i64, String), StoreError>>,
    exists: impl FnOnce() -> Result<bool, StoreError>,
) -> Result<Option<crate::history::CaseHistory>, StoreError> {
    let mut anchor = None;
    let mut events = Vec::new();
    for row in rows {
        let (version, head, seq, body) = row?;
        anchor.get_or_insert(crate::history::Anchor {
            version: u64::try_from(version).unwrap_or(0),
            head,
        });
        let index = events.len();
        events.push(event_of(
            &body,
            case_id,
            index,
            u64::try_from(seq).unwrap_or(0),
        )?);
    }
    match anchor {
        Some(anchor) => verified(case_id, events, &anchor).map(Some),
        None if exists()? => Err(StoreError::Damaged {
            case_id,
            source: HistoryError::Empty,
        }),
        None => Ok(None),
    }
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
