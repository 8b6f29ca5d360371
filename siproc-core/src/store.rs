//! Where histories live: the [`CaseStore`] trait and [`MemoryStore`], its thread-safe in-memory
//! implementation (used by the tests, the bindings and embedders).
//!
//! A store keeps each case's events, numbers new cases per office and year without gaps, appends
//! with optimistic concurrency (an expected version; a mismatch is [`StoreError::Conflict`]
//! naming the current version), and finds cases by office, status, category, case number,
//! document number and name (ignoring accents and case).
//!
//! # Why the trait is synchronous
//!
//! The core has no async runtime and must stay usable from Python (pyo3), WebAssembly and
//! plain embedders, none of which want to bring or drive one; an in-memory store has nothing to
//! await. The server issue's SQL stores (sqlx, SQLite and PostgreSQL) fit it as follows: they
//! implement [`CaseStore`] with blocking calls (sqlx drives them with a small runtime handle's
//! `block_on`, or rusqlite/postgres directly), and the async server calls the store inside
//! `tokio::task::spawn_blocking`. A store call is one short transaction, so a blocking pool is
//! the right tool. If the server later wants native async, it can define an `AsyncCaseStore`
//! mirroring these methods one for one; the semantics documented here (numbering, expected
//! versions, idempotent appends) are the contract both follow.
//!
//! How the SQL stores map the contract:
//! - numbers: a `case_counters(office, year, last)` row updated in the same transaction that
//!   inserts the first event (`UPDATE … SET last = last + 1 RETURNING last`), so a failed
//!   creation rolls the number back and no gap appears;
//! - append: `INSERT` of the events with a unique `(case_id, seq)` key inside a transaction that
//!   first reads the current version (`SELECT … FOR UPDATE` on PostgreSQL, `BEGIN IMMEDIATE` on
//!   SQLite); a unique violation is a conflict too;
//! - idempotency: event ids are a unique key; an append whose ids are already stored at the
//!   same positions returns the current version;
//! - search: `fold_name` and the document keys are stored in index tables, never in logs.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::case::{Case, Intake, Priority, Status, case_number};
use crate::catalog::Catalog;
use crate::history::{self, Anchor, Event, EventKind, HistoryError};
use crate::names::fold_name;
use crate::workflow::{self, Actor, Command, WorkflowError};

/// A store operation that failed. Never holds personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The case has moved on: its version is not the one expected.
    #[error("version conflict: the case is at version {current}")]
    Conflict {
        /// The case's current version (number of events).
        current: u64,
    },
    /// No case with that id.
    #[error("no such case")]
    NotFound,
    /// A case with that id exists, with another history.
    #[error("a case with that id already exists")]
    DuplicateCase,
    /// Another case has that case number.
    #[error("the case number is taken")]
    NumberTaken,
    /// The events do not verify or replay.
    #[error("the events are not a valid history: {0}")]
    Invalid(#[source] HistoryError),
    /// The workflow refused the command.
    #[error("refused: {0}")]
    Rejected(#[source] WorkflowError),
    /// A form could not be rendered (see [`crate::forms::generate_form`]).
    #[cfg(feature = "pdf")]
    #[error("form not generated: {0}")]
    Form(#[source] crate::forms::FormError),
    /// The backend failed (a database error, described without data).
    #[error("store backend error: {reason}")]
    Backend {
        /// What failed; never a value.
        reason: String,
    },
}

impl StoreError {
    /// The stable machine code: `store.conflict`, `store.not_found`, `store.duplicate_case`,
    /// `store.number_taken`, `store.backend`, or the inner `history.*` / `workflow.*` code.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Conflict { .. } => "store.conflict",
            StoreError::NotFound => "store.not_found",
            StoreError::DuplicateCase => "store.duplicate_case",
            StoreError::NumberTaken => "store.number_taken",
            StoreError::Invalid(e) => e.code(),
            StoreError::Rejected(e) => e.code(),
            #[cfg(feature = "pdf")]
            StoreError::Form(e) => e.code,
            StoreError::Backend { .. } => "store.backend",
        }
    }
}

impl From<HistoryError> for StoreError {
    fn from(e: HistoryError) -> Self {
        StoreError::Invalid(e)
    }
}

impl From<WorkflowError> for StoreError {
    fn from(e: WorkflowError) -> Self {
        StoreError::Rejected(e)
    }
}

/// What to look for; every given criterion must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseQuery {
    /// The responsible office.
    pub office: Option<String>,
    /// The workflow status.
    pub status: Option<Status>,
    /// The primary category.
    pub category: Option<String>,
    /// The case number, exactly.
    pub number: Option<String>,
    /// An identity document number of any person, compared on letters and digits only.
    pub document_number: Option<String>,
    /// Words of a person's name, compared without accents, case or punctuation; every word must
    /// be one of the person's names.
    pub name: Option<String>,
}

/// What a list shows of a case: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseSummary {
    /// The case id.
    pub id: Uuid,
    /// The case number.
    pub number: String,
    /// The responsible office.
    pub office: String,
    /// The primary category.
    pub category: String,
    /// The status.
    pub status: Status,
    /// The priority.
    pub priority: Priority,
    /// The day protection was asked for.
    pub opened_on: NaiveDate,
    /// Number of events.
    pub version: u64,
    /// Hash of the last event.
    pub head: String,
    /// When the last event happened.
    pub updated_at: DateTime<Utc>,
    /// Whether the case was migrated from a legacy log ([`crate::legacy`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub migrated: bool,
    /// How many follow-up items a migrated case still lacks (0: complete).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub follow_ups: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl CaseSummary {
    /// The summary of a case.
    pub fn of(case: &Case) -> CaseSummary {
        CaseSummary {
            id: case.id,
            number: case.number.clone(),
            office: case.office.clone(),
            category: case.category.clone(),
            status: case.status,
            priority: case.priority,
            opened_on: case.opened_on,
            version: case.version,
            head: case.head.clone(),
            updated_at: case.updated_at,
            migrated: case.legacy.is_some(),
            follow_ups: case.legacy.as_ref().map_or(0, |l| l.follow_ups.len()),
        }
    }

    /// The anchor of the case's history.
    pub fn anchor(&self) -> Anchor {
        Anchor {
            version: self.version,
            head: self.head.clone(),
        }
    }
}

/// What [`CaseStore::put_history`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The case was new and is now stored.
    Inserted,
    /// The very same history was already stored.
    Unchanged,
}

/// A place that keeps case histories. See the module docs for why it is synchronous and how the
/// SQL stores implement it.
pub trait CaseStore: Send + Sync {
    /// Creates a case: takes the next number for `office` and `year`, calls `open` with it to
    /// make the `case_opened` event, and stores that event — atomically, so that numbers run
    /// without gaps even under concurrency (a refused `open` consumes no number).
    fn create_case(
        &self,
        office: &str,
        year: i32,
        open: &mut dyn FnMut(&str) -> Result<Event, WorkflowError>,
    ) -> Result<Event, StoreError>;

    /// All events of a case, in order.
    fn load(&self, case_id: Uuid) -> Result<Vec<Event>, StoreError>;

    /// Appends `events` if the case is at `expected_version`; returns the new version. A
    /// different version is [`StoreError::Conflict`] — unless these very events (same ids) are
    /// already stored at those positions, which returns the current version (idempotent).
    fn append(
        &self,
        case_id: Uuid,
        expected_version: u64,
        events: &[Event],
    ) -> Result<u64, StoreError>;

    /// The summaries of the cases that match, ordered by case number.
    fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError>;

    /// The summary of one case.
    fn summary(&self, case_id: Uuid) -> Result<CaseSummary, StoreError>;

    /// Stores a whole history as it is (an import), keeping its case number. The history must
    /// verify and replay; the case must be new, or stored with exactly this history.
    fn put_history(&self, events: &[Event]) -> Result<PutOutcome, StoreError>;
}

/// Opens a case in `store`: a new id, the next number of the intake's office for the year of
/// `now` (UTC), and the `case_opened` event ([`workflow::open`]).
pub fn open_case(
    store: &dyn CaseStore,
    catalog: &Catalog,
    actor: &Actor,
    intake: &Intake,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    let case_id = Uuid::now_v7();
    let event = store.create_case(&intake.office, now.year(), &mut |number| {
        workflow::open(catalog, actor, intake, number, case_id, now)
    })?;
    Ok(history::open(&event)?)
}

/// Loads and replays a case.
pub fn load_case(store: &dyn CaseStore, case_id: Uuid) -> Result<Case, StoreError> {
    Ok(history::replay(&store.load(case_id)?)?)
}

/// Runs `command` on a stored case: load, replay, decide, append at the version read. Returns
/// the case after the event. A concurrent change is a [`StoreError::Conflict`]; the caller may
/// run the command again.
pub fn run(
    store: &dyn CaseStore,
    catalog: &Catalog,
    actor: &Actor,
    case_id: Uuid,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    let mut case = load_case(store, case_id)?;
    let event = workflow::execute(&case, catalog, actor, command, now)?;
    store.append(case_id, case.version, std::slice::from_ref(&event))?;
    history::apply(&mut case, &event)?;
    Ok(case)
}

/// Letters and digits of a document number, upper case: the form documents are searched in.
pub fn document_key(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Splits a case number `OFFICE-YEAR-SEQUENCE` into its parts.
pub fn parse_case_number(number: &str) -> Option<(&str, i32, u64)> {
    let mut parts = number.rsplitn(3, '-');
    let seq = parts.next()?.parse().ok()?;
    let year = parts.next()?.parse().ok()?;
    let office = parts.next().filter(|o| !o.is_empty())?;
    Some((office, year, seq))
}

struct Stored {
    events: Vec<Event>,
    case: Case,
    names: Vec<Vec<String>>,
    documents: Vec<String>,
}

impl Stored {
    fn new(events: Vec<Event>, case: Case) -> Stored {
        let mut stored = Stored {
            events,
            case,
            names: Vec::new(),
            documents: Vec::new(),
        };
        stored.index();
        stored
    }

    fn index(&mut self) {
        self.names = self
            .case
            .persons
            .iter()
            .map(|p| {
                fold_name(&format!("{} {}", p.given_names, p.surnames))
                    .split(' ')
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        self.documents = self
            .case
            .persons
            .iter()
            .flat_map(|p| p.documents.iter().map(|d| document_key(&d.number)))
            .collect();
    }

    fn matches(&self, q: &CaseQuery, name_words: &[String], document: Option<&str>) -> bool {
        let c = &self.case;
        q.office.as_ref().is_none_or(|o| *o == c.office)
            && q.status.is_none_or(|s| s == c.status)
            && q.category.as_ref().is_none_or(|k| *k == c.category)
            && q.number.as_ref().is_none_or(|n| *n == c.number)
            && document.is_none_or(|d| self.documents.iter().any(|x| x == d))
            && (name_words.is_empty()
                || self
                    .names
                    .iter()
                    .any(|words| name_words.iter().all(|w| words.contains(w))))
    }
}

#[derive(Default)]
struct Inner {
    cases: HashMap<Uuid, Stored>,
    numbers: HashMap<String, Uuid>,
    counters: HashMap<(String, i32), u64>,
}

/// A thread-safe in-memory [`CaseStore`]. One lock guards everything, so every operation is
/// atomic; numbering is serialised anyway, and appends are short.
#[derive(Default)]
pub struct MemoryStore {
    inner: RwLock<Inner>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    /// Number of cases stored.
    pub fn len(&self) -> usize {
        self.read().cases.len()
    }

    /// Whether no case is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    // A panic while holding the lock cannot leave the maps half-updated (every update is
    // computed first and committed with plain inserts), so a poisoned lock is safe to reuse.
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CaseStore for MemoryStore {
    fn create_case(
        &self,
        office: &str,
        year: i32,
        open: &mut dyn FnMut(&str) -> Result<Event, WorkflowError>,
    ) -> Result<Event, StoreError> {
        let mut inner = self.write();
        let key = (office.to_owned(), year);
        let mut next = inner.counters.get(&key).copied().unwrap_or(0) + 1;
        let mut number = case_number(office, year, next);
        while inner.numbers.contains_key(&number) {
            next += 1;
            number = case_number(office, year, next);
        }
        let event = open(&number)?;
        let opened_number = match &event.kind {
            EventKind::CaseOpened(o) => Some(o.number.as_str()),
            _ => None,
        };
        if opened_number != Some(number.as_str()) {
            return Err(StoreError::Invalid(HistoryError::Invalid {
                seq: event.seq,
                reason: "wrong_number",
            }));
        }
        if inner.cases.contains_key(&event.case_id) {
            return Err(StoreError::DuplicateCase);
        }
        let events = vec![event];
        history::verify(&events)?;
        let case = history::replay(&events)?;
        inner.counters.insert(key, next);
        inner.numbers.insert(number, case.id);
        let event = events.first().cloned().ok_or(HistoryError::Empty)?;
        inner.cases.insert(case.id, Stored::new(events, case));
        Ok(event)
    }

    fn load(&self, case_id: Uuid) -> Result<Vec<Event>, StoreError> {
        self.read()
            .cases
            .get(&case_id)
            .map(|s| s.events.clone())
            .ok_or(StoreError::NotFound)
    }

    fn append(
        &self,
        case_id: Uuid,
        expected_version: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        let mut inner = self.write();
        let stored = inner.cases.get_mut(&case_id).ok_or(StoreError::NotFound)?;
        let current = stored.case.version;
        if expected_version != current {
            let start = usize::try_from(expected_version).unwrap_or(usize::MAX);
            let already = !events.is_empty()
                && events.iter().enumerate().all(|(k, e)| {
                    stored
                        .events
                        .get(start.saturating_add(k))
                        .is_some_and(|s| s.id == e.id && s.hash == e.hash)
                });
            return if already {
                Ok(current)
            } else {
                Err(StoreError::Conflict { current })
            };
        }
        if events.iter().any(|e| e.case_id != case_id) {
            return Err(StoreError::Invalid(HistoryError::Tampered {
                index: 0,
                seq: current + 1,
                event_id: None,
                reason: history::Tamper::ForeignCase,
            }));
        }
        history::verify_continuation(
            events,
            &Anchor {
                version: current,
                head: stored.case.head.clone(),
            },
        )?;
        // `apply` changes nothing when it fails, so a single event folds in place; a failure
        // within a batch rebuilds the case from the events stored so far.
        let mut reindex = false;
        for e in events {
            if let Err(err) = history::apply(&mut stored.case, e) {
                if stored.case.version != current {
                    stored.case = history::replay(&stored.events)?;
                }
                return Err(err.into());
            }
            reindex |= matches!(e.kind, EventKind::FactsCorrected { .. });
        }
        stored.events.extend_from_slice(events);
        if reindex {
            stored.index();
        }
        Ok(stored.case.version)
    }

    fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        let words: Vec<String> = query
            .name
            .as_deref()
            .map(|n| {
                fold_name(n)
                    .split(' ')
                    .filter(|w| !w.is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        let document = query.document_number.as_deref().map(document_key);
        let inner = self.read();
        if let Some(number) = &query.number {
            // The number index answers at once.
            let hit = inner.numbers.get(number).and_then(|id| inner.cases.get(id));
            return Ok(hit
                .filter(|s| s.matches(query, &words, document.as_deref()))
                .map(|s| vec![CaseSummary::of(&s.case)])
                .unwrap_or_default());
        }
        let mut found: Vec<CaseSummary> = inner
            .cases
            .values()
            .filter(|s| s.matches(query, &words, document.as_deref()))
            .map(|s| CaseSummary::of(&s.case))
            .collect();
        found.sort_by(|a, b| a.number.cmp(&b.number));
        Ok(found)
    }

    fn summary(&self, case_id: Uuid) -> Result<CaseSummary, StoreError> {
        self.read()
            .cases
            .get(&case_id)
            .map(|s| CaseSummary::of(&s.case))
            .ok_or(StoreError::NotFound)
    }

    fn put_history(&self, events: &[Event]) -> Result<PutOutcome, StoreError> {
        history::verify(events)?;
        let case = history::replay(events)?;
        let mut inner = self.write();
        if let Some(existing) = inner.cases.get(&case.id) {
            let same = existing.events.len() == events.len()
                && existing
                    .events
                    .iter()
                    .zip(events)
                    .all(|(a, b)| a.id == b.id && a.hash == b.hash);
            return if same {
                Ok(PutOutcome::Unchanged)
            } else {
                Err(StoreError::DuplicateCase)
            };
        }
        if inner.numbers.contains_key(&case.number) {
            return Err(StoreError::NumberTaken);
        }
        if let Some((office, year, seq)) = parse_case_number(&case.number) {
            let counter = inner.counters.entry((office.to_owned(), year)).or_insert(0);
            *counter = (*counter).max(seq);
        }
        inner.numbers.insert(case.number.clone(), case.id);
        inner
            .cases
            .insert(case.id, Stored::new(events.to_vec(), case));
        Ok(PutOutcome::Inserted)
    }
}

#[cfg(feature = "pdf")]
/// Generates form `form_id` for the stored case and appends its *form generated* event, with the
/// case's version as the expected version: the PDF and its record land together or not at all.
/// Returns the updated case and the PDF.
pub fn generate_form(
    store: &dyn CaseStore,
    catalog: &Catalog,
    actor: &Actor,
    case_id: Uuid,
    form_id: &str,
    locale: crate::issue::Locale,
    now: DateTime<Utc>,
) -> Result<(Case, crate::forms::RenderedForm), StoreError> {
    let mut case = load_case(store, case_id)?;
    let generation = crate::forms::generate_form(&case, catalog, actor, form_id, locale, now)
        .map_err(|e| match e {
            crate::forms::GenerateError::Workflow(w) => StoreError::Rejected(w),
            crate::forms::GenerateError::Form(f) => StoreError::Form(f),
        })?;
    store.append(
        case_id,
        case.version,
        std::slice::from_ref(&generation.event),
    )?;
    history::apply(&mut case, &generation.event)?;
    Ok((case, generation.rendered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_parse() {
        assert_eq!(
            parse_case_number("MIA-2026-000123"),
            Some(("MIA", 2026, 123))
        );
        assert_eq!(
            parse_case_number("SAN-JOSE-2026-000001"),
            Some(("SAN-JOSE", 2026, 1))
        );
        assert_eq!(parse_case_number("2026-000001"), None);
        assert_eq!(document_key("0801-1994-04512"), "0801199404512");
    }
}
