//! The rows a case is written as: its summary in `cases`, its events, its search terms and its
//! statistics record — made before a write (by the caller, not by SQLite's writer thread, which
//! every write waits for), so that writing is binding values.

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use serde::de::DeserializeOwned;
use uuid::Uuid;

use super::crypt::{CaseKeyRow, StoreKeys, event_body};
use crate::case::Case;
use crate::case_record::KeptRecord;
use crate::history::{CaseHistory, Event, HistoryError, held_pointers};
use crate::keys::DataKey;
use crate::store::{CaseSummary, IndexTerms, StoreError, pending_transfer_to};

/// The columns of `cases` a summary is read from, in this order.
pub(crate) const SUMMARY_COLUMNS: &str = "id, number, office, category, status, priority, opened_on, version, head, updated_at, follow_ups";

/// The text form of a value whose serde form is a string (status, priority).
pub(crate) fn text_of<T: serde::Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

pub(crate) fn parse<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, StoreError> {
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
    /// In an encrypted store, the case's new data key, wrapped (`cases.data_key`).
    pub key: Option<CaseKeyRow>,
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
    /// The rows of `events`, their sealed values encrypted with `key` when there is one.
    pub fn all(events: &[Event], key: Option<&DataKey>) -> Result<Vec<EventRow>, HistoryError> {
        events
            .iter()
            .map(|e| {
                Ok(EventRow {
                    seq: i64::try_from(e.seq).unwrap_or(i64::MAX),
                    id: e.id.to_string(),
                    hash: e.hash.clone(),
                    kind: e.kind.name(),
                    body: event_body(e, key)?,
                })
            })
            .collect()
    }
}

/// What a backend writes for an append: the case as it is after the new events (its summary),
/// the events, the search terms when the events changed them, and the statistics record; for
/// an erasure, the earlier events rewritten without the erased values and what becomes of the
/// case's data key.
pub(crate) struct AppendRows {
    pub case: Case,
    pub events: Vec<EventRow>,
    pub terms: Option<IndexTerms>,
    /// What becomes of the case's statistics record.
    pub record: RecordWrite,
    /// The earlier events an erasure changed, as they are now stored (`events.body` replaced).
    pub rewritten: Vec<EventRow>,
    /// What the append does to the case's data key (`cases.data_key`).
    pub key: KeyWrite,
}

/// What an append does to the case's statistics record (`case_stats`).
pub(crate) enum RecordWrite {
    /// Nothing: an erasure keeps the stored record (statistics do not change when personal
    /// data is erased).
    Keep,
    /// Replace it with this one, encoded.
    Replace(Vec<u8>),
    /// A later step of an erased case: this record, with the national's facts of the stored
    /// one ([`KeptRecord::keeping_national`]).
    KeepNational(KeptRecord),
}

/// What an append does to the case's data key (`cases.key_id`, `cases.data_key`).
pub(crate) enum KeyWrite {
    /// Nothing.
    Keep,
    /// Set it: a case whose key an erasure destroyed is given a new one for new values.
    Set(CaseKeyRow),
    /// Clear it: every value of the case is erased (crypto-shredding).
    Destroy,
}

impl AppendRows {
    /// The rows of appending `events` to a case, `after` being its history with them; in an
    /// encrypted store (`keys`), sealed values are encrypted with the case's data key (`key`,
    /// or a new one when an erasure destroyed it) and the terms blinded.
    pub fn of(
        events: &[Event],
        after: &CaseHistory,
        keys: Option<&StoreKeys>,
        key: Option<DataKey>,
    ) -> Result<AppendRows, StoreError> {
        let case = after.case();
        let erasing = events.iter().any(|e| e.kind.erases());
        let shredded = erasing && held_pointers(after.events()).is_empty();
        let (key, key_write) = match (keys, key) {
            (Some(_), _) if shredded => (None, KeyWrite::Destroy),
            (Some(keys), None) => {
                let (data, row) = keys.new_case_key(&case.id.to_string());
                (Some(data), KeyWrite::Set(row))
            }
            (_, key) => (key, KeyWrite::Keep),
        };
        let rewritten = if erasing {
            let before = after.events().len().saturating_sub(events.len());
            EventRow::all(
                after.events().get(..before).unwrap_or_default(),
                key.as_ref(),
            )?
        } else {
            Vec::new()
        };
        Ok(AppendRows {
            case: case.clone(),
            events: EventRow::all(events, key.as_ref())?,
            terms: events
                .iter()
                .any(|e| IndexTerms::changed_by(&e.kind))
                .then(|| terms_of(case, keys)),
            record: if erasing {
                RecordWrite::Keep
            } else if after.events().iter().any(|e| e.kind.erases()) {
                RecordWrite::KeepNational(KeptRecord::of(case, after.events()))
            } else {
                RecordWrite::Replace(KeptRecord::of(case, after.events()).encode())
            },
            rewritten,
            key: key_write,
        })
    }
}

impl CaseRows {
    /// The rows of `history`'s case; in an encrypted store (`keys`), with a new data key that
    /// encrypts its sealed values, and blinded terms.
    pub fn of(history: &CaseHistory, keys: Option<&StoreKeys>) -> Result<CaseRows, StoreError> {
        let case = history.case();
        let summary = SummaryRow::of(&CaseSummary::of(case));
        let (data, key) = match keys {
            Some(keys) => {
                let (data, row) = keys.new_case_key(&summary.id);
                (Some(data), Some(row))
            }
            None => (None, None),
        };
        Ok(CaseRows {
            summary,
            transfer_to: pending_transfer_to(case),
            events: EventRow::all(history.events(), data.as_ref())?,
            terms: terms_of(case, keys),
            record: KeptRecord::of(case, history.events()).encode(),
            key,
        })
    }
}

/// The index terms of `case`, blinded in an encrypted store.
pub(crate) fn terms_of(case: &Case, keys: Option<&StoreKeys>) -> IndexTerms {
    let terms = IndexTerms::of(case);
    match keys {
        Some(keys) => terms.blinded(keys.index()),
        None => terms,
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
            name: None,
        })
    }
}
