//! [`MemoryStore`]: the thread-safe in-memory [`CaseStore`].

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{PoisonError, RwLock, RwLockReadGuard, RwLockWriteGuard};

use uuid::Uuid;

use super::{
    CaseHistory, CaseQuery, CaseStore, CaseSummary, FeedEntry, IndexTerms, PutOutcome, StoreError,
    document_key, name_terms, parse_case_number, pending_transfer_to,
};
use crate::Case;
use crate::case::case_number;
use crate::case_record::KeptRecord;
use crate::history::{Appended, Event, same_events};
use crate::workflow::WorkflowError;

/// A stored case: its events and what queries read of the case they make, as the SQL stores
/// keep their rows. Not the case itself: a case holds its payloads a second time (about as
/// much memory as its events), and an append replays the events instead
/// ([`CaseStore::append`] checks them against the case anyway).
struct Stored {
    events: Vec<Event>,
    summary: CaseSummary,
    /// The office a transfer is pending to ([`pending_transfer_to`]).
    transfer_to: Option<String>,
    terms: IndexTerms,
    /// The statistics record, kept with every write as the SQL stores keep theirs.
    record: KeptRecord,
}

impl Stored {
    /// The stored form of `history`, and the case it made.
    fn new(history: CaseHistory) -> (Stored, Case) {
        let (events, case) = history.into_parts();
        let stored = Stored {
            summary: CaseSummary::of(&case),
            transfer_to: pending_transfer_to(&case),
            terms: IndexTerms::of(&case),
            record: KeptRecord::of(&case, &events).keyed(crate::stats::perturb::record_key()),
            events,
        };
        (stored, case)
    }

    /// Keeps what queries read of `case`, which the stored events now make; the statistics
    /// record too unless `record` is false (an erasure keeps it: statistics do not change).
    fn update(&mut self, case: &Case, terms_changed: bool, record: bool) {
        self.summary = CaseSummary::of(case);
        self.transfer_to = pending_transfer_to(case);
        if terms_changed {
            self.terms = IndexTerms::of(case);
        }
        if record {
            // The record key is drawn once, with the case, and kept.
            self.record = KeptRecord::of(case, &self.events).keyed(self.record.record_key);
        }
    }

    fn matches(&self, q: &CaseQuery, name_words: &[String], document: Option<&str>) -> bool {
        let c = &self.summary;
        q.office.as_ref().is_none_or(|o| *o == c.office)
            && q.status.is_none_or(|s| s == c.status)
            && q.category.as_ref().is_none_or(|k| *k == c.category)
            && q.number.as_ref().is_none_or(|n| *n == c.number)
            && q.reaching_office
                .as_ref()
                .is_none_or(|o| *o == c.office || self.transfer_to.as_ref() == Some(o))
            && document.is_none_or(|d| self.terms.has_document(d))
            && (name_words.is_empty() || self.terms.has_name(name_words))
    }
}

#[derive(Default)]
struct Inner {
    /// Boxed: a stored case is half a kilobyte inline (its summary and statistics record),
    /// and a map of inline values moves every one of them each time it grows.
    cases: HashMap<Uuid, Box<Stored>>,
    /// Case numbers in order: the order lists are in.
    numbers: BTreeMap<String, Uuid>,
    counters: HashMap<(String, i32), u64>,
    feed: Vec<FeedEntry>,
}

impl Inner {
    /// The cases `query` matches, in case-number order, from after `query.after`, at most
    /// `query.limit`.
    fn matching<'a>(&'a self, query: &'a CaseQuery) -> impl Iterator<Item = &'a Stored> + 'a {
        let words = query.name.as_deref().map(name_terms).unwrap_or_default();
        let document = query.document_number.as_deref().map(document_key);
        let from = match &query.after {
            Some(after) => Bound::Excluded(after.clone()),
            None => Bound::Unbounded,
        };
        self.numbers
            .range((from, Bound::Unbounded))
            .filter_map(|(_, id)| self.cases.get(id).map(|s| &**s))
            .filter(move |s| s.matches(query, &words, document.as_deref()))
            .take(query.limit.unwrap_or(usize::MAX))
    }

    /// Adds `events` of `case` to the feed.
    fn record(&mut self, case: &Case, events: &[Event]) {
        let first = self.feed.len() as u64 + 1;
        self.feed.extend(FeedEntry::of(case, events, first));
    }

    /// Stores a new case's `history` under `number`; returns the case.
    fn insert(&mut self, number: String, history: CaseHistory) -> Case {
        let (stored, case) = Stored::new(history);
        self.numbers.insert(number, case.id);
        self.record(&case, &stored.events);
        self.cases.insert(case.id, Box::new(stored));
        case
    }
}

/// A thread-safe in-memory [`CaseStore`]. One lock guards everything, so every operation is
/// atomic; numbering is serialised anyway, and appends are short. An append replays the
/// case's events (a case's events are its only full copy, as in the SQL stores, which replay
/// what they read), so appending to a case costs time in proportion to its history.
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
    fn read(&self) -> RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(PoisonError::into_inner)
    }

    fn write(&self) -> RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(PoisonError::into_inner)
    }
}

impl CaseStore for MemoryStore {
    fn create_case(
        &self,
        office: &str,
        year: i32,
        seal: &mut dyn FnMut(&str) -> Result<crate::history::FreshEvent, WorkflowError>,
    ) -> Result<Case, StoreError> {
        let mut inner = self.write();
        let key = (office.to_owned(), year);
        let mut next = inner.counters.get(&key).copied().unwrap_or(0) + 1;
        let mut number = case_number(office, year, next);
        while inner.numbers.contains_key(&number) {
            next += 1;
            number = case_number(office, year, next);
        }
        let history = CaseHistory::opened(seal(&number)?, &number)?;
        if inner.cases.contains_key(&history.id()) {
            return Err(StoreError::DuplicateCase);
        }
        inner.counters.insert(key, next);
        Ok(inner.insert(number, history))
    }

    fn load(&self, case_id: Uuid) -> Result<Vec<Event>, StoreError> {
        self.read()
            .cases
            .get(&case_id)
            .map(|s| s.events.clone())
            .ok_or(StoreError::NotFound)
    }

    fn read_events(&self, case_id: Uuid, read: &mut dyn FnMut(&[Event])) -> Result<(), StoreError> {
        let inner = self.read();
        let stored = inner.cases.get(&case_id).ok_or(StoreError::NotFound)?;
        read(&stored.events);
        Ok(())
    }

    fn append(
        &self,
        case_id: Uuid,
        expected_version: u64,
        events: &[Event],
    ) -> Result<u64, StoreError> {
        let mut inner = self.write();
        let stored = inner.cases.get_mut(&case_id).ok_or(StoreError::NotFound)?;
        // The stored events were checked when they were stored: replayed, not hashed again, and
        // checked against by a copy, so that the stored ones change only by the new events
        // being added once they are accepted (a panic in between leaves them whole).
        let case = crate::history::replay(&stored.events)
            .map_err(|source| StoreError::Damaged { case_id, source })?;
        let mut history = CaseHistory::replayed(stored.events.clone(), case);
        match history.append(expected_version, events)? {
            Appended::AlreadyStored(version) => Ok(version),
            Appended::Written(version) => {
                let erasing = events.iter().any(|e| e.kind.erases());
                if erasing {
                    // The erased values are gone from the earlier events too.
                    stored.events = history.events().to_vec();
                } else {
                    stored.events.extend_from_slice(events);
                }
                stored.update(
                    history.case(),
                    events.iter().any(|e| IndexTerms::changed_by(&e.kind)),
                    !erasing,
                );
                inner.record(history.case(), events);
                Ok(version)
            }
        }
    }

    fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError> {
        query.check()?;
        Ok(self
            .read()
            .matching(query)
            .map(|s| s.summary.clone())
            .collect())
    }

    fn records(&self, query: &CaseQuery) -> Result<Vec<(String, KeptRecord)>, StoreError> {
        query.check()?;
        Ok(self
            .read()
            .matching(query)
            .map(|s| (s.summary.number.clone(), s.record.clone()))
            .collect())
    }

    fn summary(&self, case_id: Uuid) -> Result<CaseSummary, StoreError> {
        self.read()
            .cases
            .get(&case_id)
            .map(|s| s.summary.clone())
            .ok_or(StoreError::NotFound)
    }

    fn put_history(&self, events: &[Event]) -> Result<PutOutcome, StoreError> {
        let history = CaseHistory::new(events.to_vec())?;
        let mut inner = self.write();
        if let Some(existing) = inner.cases.get(&history.id()) {
            return if same_events(&existing.events, events) {
                Ok(PutOutcome::Unchanged)
            } else {
                Err(StoreError::DuplicateCase)
            };
        }
        let number = history.case().number.clone();
        if inner.numbers.contains_key(&number) {
            return Err(StoreError::NumberTaken);
        }
        if let Some((office, year, seq)) = parse_case_number(&number) {
            let counter = inner.counters.entry((office.to_owned(), year)).or_insert(0);
            *counter = (*counter).max(seq);
        }
        inner.insert(number, history);
        Ok(PutOutcome::Inserted)
    }

    fn feed(&self, after: u64, limit: usize) -> Result<Vec<FeedEntry>, StoreError> {
        let inner = self.read();
        let start = usize::try_from(after).unwrap_or(usize::MAX);
        Ok(inner
            .feed
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take(limit)
            .map(|e| FeedEntry {
                // As the case stands now, as the SQL stores read it.
                transfer_to: inner
                    .cases
                    .get(&e.case_id)
                    .and_then(|s| s.transfer_to.clone()),
                ..e.clone()
            })
            .collect())
    }

    fn feed_head(&self) -> Result<u64, StoreError> {
        Ok(self.read().feed.last().map_or(0, |e| e.position))
    }

    fn count(&self) -> Result<u64, StoreError> {
        Ok(self.read().cases.len() as u64)
    }
}
