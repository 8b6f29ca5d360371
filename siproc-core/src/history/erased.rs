//! Erased values ([`EventKind::PersonalDataErased`]): which sealed values a history says it
//! erased ([`Erasures`]), checking an event whose values were erased, and carrying an erasure
//! out on the events held ([`strip`]).

use std::collections::HashMap;

use serde_json::Value;

use super::event::event_digest;
use super::{Event, EventKind, HistoryError};
use crate::hex::from_hex;

/// The sealed values a history's `personal_data_erased` events list: each JSON Pointer with the
/// sequence number of the first event that erased it.
#[derive(Debug, Default)]
pub(crate) struct Erasures(HashMap<String, u64>);

impl Erasures {
    /// The erasures listed in `events`.
    pub(crate) fn of(events: &[Event]) -> Erasures {
        let mut listed = HashMap::new();
        for e in events {
            if let EventKind::PersonalDataErased { pointers, .. } = &e.kind {
                for p in pointers {
                    listed.entry(p.clone()).or_insert(e.seq);
                }
            }
        }
        Erasures(listed)
    }

    /// Whether no value is listed.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether the event at `index` (0-based) of the history has a right hash and each of its
    /// sealed values either opens its commitment or is erased by a later event that lists it.
    pub(crate) fn intact(&self, event: &Event, index: usize, buf: &mut Vec<u8>) -> bool {
        if self.is_empty() {
            return event.intact_with(buf);
        }
        let Ok(digest) = event_digest(event, buf) else {
            return false;
        };
        if from_hex::<32>(&event.hash) != Some(digest) {
            return false;
        }
        event.kind.each_sealed(&mut |slot, s| {
            s.opens_with(buf)
                || (s.is_erased()
                    && self
                        .0
                        .get(&slot.pointer(index))
                        .is_some_and(|&by| by > event.seq))
        })
    }
}

/// The pointers of every sealed value of `events` that still holds its value: what erasing all
/// of a case's personal data lists.
pub(crate) fn held_pointers(events: &[Event]) -> Vec<String> {
    let mut pointers = Vec::new();
    for (index, e) in events.iter().enumerate() {
        e.kind.each_sealed(&mut |slot, s| {
            if !s.is_erased() {
                pointers.push(slot.pointer(index));
            }
            true
        });
    }
    pointers
}

/// Carries out an erasure listing `pointers` on `events` (the history before it): removes the
/// salt and value of each sealed value named, keeping its commitment, so the event's hash is
/// unchanged. Returns the indexes of the events changed. A pointer that names no sealed value
/// of these events is `history.invalid_event` (`bad_erasure`), and nothing changes.
pub(crate) fn strip(
    events: &mut [Event],
    pointers: &[String],
    seq: u64,
) -> Result<Vec<usize>, HistoryError> {
    let bad = HistoryError::Invalid {
        seq,
        reason: "bad_erasure",
    };
    let mut changed: Vec<(usize, Value)> = Vec::new();
    for pointer in pointers {
        let (index, inner) = split(pointer).ok_or(bad.clone())?;
        let event = events
            .get(index)
            .filter(|e| e.seq < seq)
            .ok_or(bad.clone())?;
        let at = match changed.iter().position(|(i, _)| *i == index) {
            Some(at) => at,
            None => {
                let value = serde_json::to_value(event).map_err(|_| bad.clone())?;
                changed.push((index, value));
                changed.len() - 1
            }
        };
        let sealed = changed
            .get_mut(at)
            .and_then(|(_, v)| v.pointer_mut(inner))
            .and_then(Value::as_object_mut)
            .filter(|m| m.contains_key("commitment"))
            .ok_or(bad.clone())?;
        sealed.remove("salt");
        sealed.remove("value");
    }
    let mut rewritten = Vec::with_capacity(changed.len());
    for (index, value) in &changed {
        let event: Event = serde_json::from_value(value.clone()).map_err(|_| bad.clone())?;
        rewritten.push((*index, event));
    }
    let indexes = rewritten.iter().map(|(i, _)| *i).collect();
    for (index, event) in rewritten {
        if let Some(slot) = events.get_mut(index) {
            *slot = event;
        }
    }
    Ok(indexes)
}

/// `/events/{index}/rest` as the index and `/rest`.
fn split(pointer: &str) -> Option<(usize, &str)> {
    let rest = pointer.strip_prefix("/events/")?;
    let (index, inner) = rest.split_at(rest.find('/')?);
    if inner.len() < 2 || !inner.starts_with("/kind/data/") {
        return None;
    }
    let parsed: usize = index.parse().ok()?;
    (parsed.to_string() == index).then_some((parsed, inner))
}
