//! One entry of a history ([`Event`]), how it is sealed with its hash, and [`FreshEvent`], an
//! event the core has just sealed itself.

use chrono::{DateTime, Timelike, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::canonical::{self, CanonError, Mode};
use super::hash::{Digest32, not_canonical, with_seq};
use super::{EventKind, HistoryError};
use crate::actor::Actor;
use crate::case::Case;
use crate::hex::{from_hex, to_hex};

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Unique event id, a UUID v7.
    pub id: Uuid,
    /// The case it belongs to.
    pub case_id: Uuid,
    /// Position in the history: 1 for `case_opened`, then without gaps.
    pub seq: u64,
    /// Who did it, with which role, from which office.
    pub actor: Actor,
    /// When, in UTC, to the microsecond.
    pub at: DateTime<Utc>,
    /// The previous event's hash; [`GENESIS_HASH`](super::GENESIS_HASH) for the first event.
    pub prev_hash: String,
    /// What happened.
    pub kind: EventKind,
    /// SHA-256 of the event's hashed form, 64 lowercase hex digits (see the module docs).
    pub hash: String,
}

impl Event {
    /// Makes an event with a fresh id and its hash. `at` is truncated to microseconds.
    pub fn seal(
        case_id: Uuid,
        seq: u64,
        prev_hash: &str,
        actor: Actor,
        at: DateTime<Utc>,
        kind: EventKind,
    ) -> Result<Event, HistoryError> {
        let micros = at.nanosecond() / 1_000 * 1_000;
        let at = at.with_nanosecond(micros).unwrap_or(at);
        let mut event = Event {
            id: Uuid::now_v7(),
            case_id,
            seq,
            actor,
            at,
            prev_hash: prev_hash.to_owned(),
            kind,
            hash: String::new(),
        };
        event.hash = event_hash(&event)?;
        Ok(event)
    }

    /// Makes the event that follows `case`'s last one.
    pub fn next(
        case: &Case,
        actor: Actor,
        at: DateTime<Utc>,
        kind: EventKind,
    ) -> Result<Event, HistoryError> {
        Event::seal(case.id, case.version + 1, &case.head, actor, at, kind)
    }

    /// Whether the event's hash and commitments are right (its links are not checked).
    pub fn is_intact(&self) -> bool {
        self.intact_with(&mut Vec::new())
    }

    pub(super) fn intact_with(&self, buf: &mut Vec<u8>) -> bool {
        let Ok(digest) = event_digest(self, buf) else {
            return false;
        };
        from_hex::<32>(&self.hash) == Some(digest) && self.kind.commitments_open(buf)
    }
}

/// An event sealed by the core just now, from values it sealed itself, and out of reach of any
/// change since: nothing outside the core can make one or alter the event inside. Its hash and
/// every commitment are right by construction, so a store takes it without computing them again
/// ([`CaseHistory::opened`]); events from anywhere else (imports, appends, a store's own rows)
/// are checked ([`CaseHistory::new`], [`CaseHistory::append`]).
///
/// It cannot be made from an [`Event`]:
///
/// ```compile_fail
/// # fn forge(event: siproc_core::history::Event) {
/// let fresh = siproc_core::history::FreshEvent(event);
/// # }
/// ```
///
/// The core wraps only what [`Event::seal`] returned for a kind whose sealed values it sealed
/// itself ([`Sealed::new`]) in the same call, never sealed values read from outside: their
/// commitments are not checked (hence the crate-private constructor).
///
/// [`CaseHistory::opened`]: super::CaseHistory::opened
/// [`CaseHistory::new`]: super::CaseHistory::new
/// [`CaseHistory::append`]: super::CaseHistory::append
/// [`Sealed::new`]: super::Sealed::new
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreshEvent(pub(crate) Event);

impl FreshEvent {
    /// The event.
    pub fn event(&self) -> &Event {
        &self.0
    }

    /// The event, to keep or send (it is an ordinary event from then on).
    pub fn into_event(self) -> Event {
        self.0
    }
}

/// The exact bytes an event's hash is computed over: the canonical JSON of the event without
/// its `hash` member, with every sealed value reduced to `{"commitment": ...}`.
pub fn hashed_form(event: &Event) -> Result<Vec<u8>, HistoryError> {
    let mut out = Vec::with_capacity(512);
    write_hashed_form(event, &mut out).map_err(|e| with_seq(not_canonical(e), event.seq))?;
    Ok(out)
}

/// The hash an event should carry, as 64 lowercase hex digits.
pub fn event_hash(event: &Event) -> Result<String, HistoryError> {
    // Room for a typical event's hashed form, so that writing it does not grow the buffer.
    let mut buf = Vec::with_capacity(4096);
    Ok(to_hex(&event_digest(event, &mut buf)?))
}

/// The event's digest, reusing `buf` for the canonical bytes.
pub(crate) fn event_digest(event: &Event, buf: &mut Vec<u8>) -> Result<Digest32, HistoryError> {
    buf.clear();
    write_hashed_form(event, buf).map_err(|e| with_seq(not_canonical(e), event.seq))?;
    Ok(Sha256::digest(buf.as_slice()).into())
}

/// The event without its hash, borrowed.
#[derive(Serialize)]
struct Unhashed<'a> {
    id: &'a Uuid,
    case_id: &'a Uuid,
    seq: u64,
    actor: &'a Actor,
    at: &'a DateTime<Utc>,
    prev_hash: &'a str,
    kind: &'a EventKind,
}

fn write_hashed_form(event: &Event, out: &mut Vec<u8>) -> Result<(), CanonError> {
    let body = Unhashed {
        id: &event.id,
        case_id: &event.case_id,
        seq: event.seq,
        actor: &event.actor,
        at: &event.at,
        prev_hash: &event.prev_hash,
        kind: &event.kind,
    };
    canonical::write(&body, Mode::Commitments, out)
}
