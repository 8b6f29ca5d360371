//! [`CaseHistory`]: a case together with the events it is the fold of, changed only by applying
//! events that continue it (and left as it was when one does not apply).
//!
//! Every holder of a history in memory uses it: [`crate::store::MemoryStore`] while it checks
//! an append or opens a case, the SQL stores while they check an append inside their
//! transaction, and the Python binding's `CaseHistory`. The append rules of [`crate::store::CaseStore::append`] (expected
//! version, idempotency by event id, continuation of the chain) live in
//! [`CaseHistory::append`], so that no backend writes them again.

use uuid::Uuid;

use super::{Anchor, Event, EventKind, FreshEvent, HistoryError, Tamper};
use crate::case::Case;

/// A case and its events. The case is always the replay of the events.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseHistory {
    events: Vec<Event>,
    case: Case,
}

/// What [`CaseHistory::append`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// The events were new and now end the history; the new version.
    Written(u64),
    /// These very events (same ids and hashes) were already in the history at those
    /// positions: nothing changed. The current version.
    AlreadyStored(u64),
}

/// Why [`CaseHistory::append`] refused events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppendError {
    /// The history is not at the expected version (and the events are not already in it).
    Conflict {
        /// The current version.
        current: u64,
    },
    /// The events do not continue the history, or do not apply to the case.
    Invalid(HistoryError),
}

impl From<HistoryError> for AppendError {
    fn from(e: HistoryError) -> Self {
        AppendError::Invalid(e)
    }
}

impl CaseHistory {
    /// A history from its events: checked with [`super::verify`], folded with [`super::replay`].
    pub fn new(events: Vec<Event>) -> Result<CaseHistory, HistoryError> {
        super::verify(&events)?;
        CaseHistory::trusted(events)
    }

    /// A history from events already verified (or read back from where they were verified
    /// before being written): folded, not hashed again.
    pub fn trusted(events: Vec<Event>) -> Result<CaseHistory, HistoryError> {
        let case = super::replay(&events)?;
        Ok(CaseHistory { events, case })
    }

    /// A history from events and the case [`super::replay`] just made of them, for a holder
    /// that keeps events without their case ([`crate::store::MemoryStore`]) and replays them
    /// to append.
    pub(crate) fn replayed(events: Vec<Event>, case: Case) -> CaseHistory {
        CaseHistory { events, case }
    }

    /// The history made of one `case_opened` event the core has just sealed, which must carry
    /// `number`. It is replayed, not hashed again: a [`FreshEvent`]'s hash and commitments are
    /// right by construction. An event from anywhere else goes through [`CaseHistory::new`].
    pub fn opened(event: FreshEvent, number: &str) -> Result<CaseHistory, HistoryError> {
        let event = event.into_event();
        let opened_number = match &event.kind {
            EventKind::CaseOpened(o) => Some(o.number.as_str()),
            _ => None,
        };
        if opened_number != Some(number) {
            return Err(HistoryError::Invalid {
                seq: event.seq,
                reason: "wrong_number",
            });
        }
        CaseHistory::trusted(vec![event])
    }

    /// The events, in order.
    pub fn events(&self) -> &[Event] {
        &self.events
    }

    /// The case the events make.
    pub fn case(&self) -> &Case {
        &self.case
    }

    /// The case id.
    pub fn id(&self) -> Uuid {
        self.case.id
    }

    /// Number of events.
    pub fn version(&self) -> u64 {
        self.case.version
    }

    /// The history's anchor (version and last hash).
    pub fn anchor(&self) -> Anchor {
        Anchor {
            version: self.case.version,
            head: self.case.head.clone(),
        }
    }

    /// The events and the case.
    pub fn into_parts(self) -> (Vec<Event>, Case) {
        (self.events, self.case)
    }

    /// Whether `events` are exactly this history (same ids and hashes, same length).
    pub fn is_same(&self, events: &[Event]) -> bool {
        same_events(&self.events, events)
    }

    /// Applies one event the workflow made for this case (its hash is not checked: it was
    /// just sealed). On error nothing changes.
    pub fn push(&mut self, event: Event) -> Result<(), HistoryError> {
        super::apply(&mut self.case, &event)?;
        self.events.push(event);
        Ok(())
    }

    /// Appends `events` if the history is at `expected_version`, after checking that they
    /// continue it (hashes, commitments, sequence numbers, links, the case id) and apply to
    /// the case. At another version, events already in the history at those positions (same
    /// ids and hashes) are [`Appended::AlreadyStored`]; anything else is a conflict. On error
    /// nothing changes.
    pub fn append(
        &mut self,
        expected_version: u64,
        events: &[Event],
    ) -> Result<Appended, AppendError> {
        let current = self.case.version;
        if expected_version != current {
            return if self.holds_at(expected_version, events) {
                Ok(Appended::AlreadyStored(current))
            } else {
                Err(AppendError::Conflict { current })
            };
        }
        if let Some((index, e)) = events
            .iter()
            .enumerate()
            .find(|(_, e)| e.case_id != self.case.id)
        {
            return Err(HistoryError::Tampered {
                index,
                seq: e.seq,
                event_id: Some(e.id),
                reason: Tamper::ForeignCase,
            }
            .into());
        }
        super::verify_continuation(events, &self.anchor())?;
        if events.iter().any(|e| e.kind.erases()) {
            return self.append_erasing(events);
        }
        match events {
            [] => {}
            [one] => super::apply(&mut self.case, one)?,
            many => {
                let mut case = self.case.clone();
                for e in many {
                    super::apply(&mut case, e)?;
                }
                self.case = case;
            }
        }
        self.events.extend_from_slice(events);
        Ok(Appended::Written(self.case.version))
    }

    /// Appends checked `events` among which an erasure: carries each erasure out on the events
    /// before it ([`super::erased::strip`]) and replays the case, whose erased values become
    /// placeholders. On error nothing changes.
    fn append_erasing(&mut self, appended: &[Event]) -> Result<Appended, AppendError> {
        let mut events = self.events.clone();
        events.extend_from_slice(appended);
        for e in appended {
            if let EventKind::PersonalDataErased { pointers, .. } = &e.kind {
                super::erased::strip(&mut events, pointers, e.seq)?;
            }
        }
        let case = super::replay(&events)?;
        self.events = events;
        self.case = case;
        Ok(Appended::Written(self.case.version))
    }

    /// Whether `events` are stored right after version `after`.
    fn holds_at(&self, after: u64, events: &[Event]) -> bool {
        let start = usize::try_from(after).unwrap_or(usize::MAX);
        !events.is_empty()
            && events.iter().enumerate().all(|(k, e)| {
                self.events
                    .get(start.saturating_add(k))
                    .is_some_and(|s| s.id == e.id && s.hash == e.hash)
            })
    }
}

/// Whether `a` and `b` are the same events (same ids and hashes, same length).
pub(crate) fn same_events(a: &[Event], b: &[Event]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(a, b)| a.id == b.id && a.hash == b.hash)
}
