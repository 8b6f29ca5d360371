//! Proving a history unaltered: [`verify`], [`verify_against`] an [`Anchor`] held elsewhere,
//! and [`verify_continuation`] for appends.

use serde::{Deserialize, Serialize};

use super::erased::Erasures;
use super::{Event, GENESIS_HASH, HistoryError, Tamper};

/// The state of a history at some moment: its length and last hash. Holding an anchor proves
/// later that the history was neither altered nor truncated up to that point.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// Number of events.
    pub version: u64,
    /// Hash of the last event.
    pub head: String,
}

fn tampered(events: &[Event], index: usize, reason: Tamper) -> HistoryError {
    let event = events.get(index);
    HistoryError::Tampered {
        index,
        seq: event.map_or(index as u64 + 1, |e| e.seq),
        event_id: event.map(|e| e.id),
        reason,
    }
}

/// Checks a whole history: hashes, commitments, sequence numbers, links and that every event
/// belongs to the first event's case. A sealed value without salt and value passes only if a
/// later `personal_data_erased` event lists it. Returns the history's [`Anchor`].
pub fn verify(events: &[Event]) -> Result<Anchor, HistoryError> {
    verify_from(events, None)
}

/// Checks a history as [`verify`] does, and that it matches `anchor`: a shorter history is
/// [`Tamper::Truncated`], a longer one [`Tamper::Inserted`] past the anchor, a different last
/// hash [`Tamper::Changed`].
pub fn verify_against(events: &[Event], anchor: &Anchor) -> Result<Anchor, HistoryError> {
    verify_from(events, Some(anchor))
}

/// Checks that `events` continue a history whose last state is `anchor` (appending).
pub fn verify_continuation(events: &[Event], anchor: &Anchor) -> Result<Anchor, HistoryError> {
    let Some(first) = events.first() else {
        return Ok(anchor.clone());
    };
    let mut buf = Vec::with_capacity(512);
    let mut prev = anchor.head.as_str();
    let mut version = anchor.version;
    for (i, e) in events.iter().enumerate() {
        if !e.intact_with(&mut buf) {
            return Err(tampered(events, i, Tamper::Changed));
        }
        if e.case_id != first.case_id {
            return Err(tampered(events, i, Tamper::ForeignCase));
        }
        if e.seq != version + 1 {
            let reason = if e.seq > version + 1 {
                Tamper::Removed
            } else {
                Tamper::Inserted
            };
            return Err(tampered(events, i, reason));
        }
        if e.prev_hash != prev {
            return Err(tampered(events, i, Tamper::Inserted));
        }
        prev = &e.hash;
        version = e.seq;
    }
    Ok(Anchor {
        version,
        head: prev.to_owned(),
    })
}

fn verify_from(events: &[Event], anchor: Option<&Anchor>) -> Result<Anchor, HistoryError> {
    let first = events.first().ok_or(HistoryError::Empty)?;
    let mut buf = Vec::with_capacity(512);
    let mut prev_hash: &str = GENESIS_HASH;
    let erasures = Erasures::of(events);
    for (i, e) in events.iter().enumerate() {
        let expected = i as u64 + 1;
        if !erasures.intact(e, i, &mut buf) {
            return Err(tampered(events, i, Tamper::Changed));
        }
        if e.case_id != first.case_id {
            return Err(tampered(events, i, Tamper::ForeignCase));
        }
        if e.seq != expected {
            return Err(misplaced(events, i, expected));
        }
        if e.prev_hash != prev_hash {
            // Its own hash is right, so the predecessor is not the event it was chained to.
            let index = i.saturating_sub(1);
            let reason = if i == 0 {
                Tamper::Inserted
            } else {
                Tamper::Changed
            };
            return Err(tampered(events, index, reason));
        }
        prev_hash = &e.hash;
    }
    let found = Anchor {
        version: events.len() as u64,
        head: prev_hash.to_owned(),
    };
    if let Some(anchor) = anchor {
        let n = events.len();
        if anchor.version > found.version {
            return Err(HistoryError::Tampered {
                index: n,
                seq: found.version + 1,
                event_id: None,
                reason: Tamper::Truncated,
            });
        }
        let at = usize::try_from(anchor.version).unwrap_or(usize::MAX);
        let head_then = at.checked_sub(1).and_then(|k| events.get(k));
        if head_then.is_none_or(|e| e.hash != anchor.head) {
            return Err(tampered(events, at.saturating_sub(1), Tamper::Changed));
        }
        if anchor.version < found.version {
            return Err(tampered(events, at, Tamper::Inserted));
        }
    }
    Ok(found)
}

/// Says why the intact event at `i` has the wrong sequence number.
fn misplaced(events: &[Event], i: usize, expected: u64) -> HistoryError {
    let Some(e) = events.get(i) else {
        return HistoryError::Empty;
    };
    let duplicate = events
        .iter()
        .enumerate()
        .any(|(j, other)| j != i && other.id == e.id);
    if duplicate {
        return tampered(events, i, Tamper::Inserted);
    }
    if e.seq > expected {
        let later = events
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .any(|x| x.seq == expected);
        let reason = if later {
            Tamper::Reordered
        } else {
            Tamper::Removed
        };
        return tampered(events, i, reason);
    }
    // e.seq < expected: two events claim the same place, or an earlier one was moved here.
    if let Some(before) = i.checked_sub(1).and_then(|k| events.get(k))
        && before.seq == e.seq
    {
        let link = i
            .checked_sub(2)
            .and_then(|k| events.get(k))
            .map_or(GENESIS_HASH, |x| x.hash.as_str());
        let index = if e.prev_hash == link { i - 1 } else { i };
        return tampered(events, index, Tamper::Inserted);
    }
    tampered(events, i, Tamper::Reordered)
}
