//! The stream of case events behind `GET /events`: every stored event gets a position, and
//! waiting streams are woken when the position moves.
//!
//! Entries carry no personal data: the case id and number, its office, the event's sequence
//! number and kind. Positions are those of this process (the core's in-memory store keeps no
//! store-wide feed).

use std::sync::{Mutex, PoisonError};

use serde::Serialize;
use siproc_core::Event;
use tokio::sync::watch;
use uuid::Uuid;

/// One case event in the feed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FeedEntry {
    /// Position in the feed (the SSE `id`).
    #[serde(skip)]
    pub position: u64,
    /// The case.
    pub case_id: Uuid,
    /// Its number.
    pub number: String,
    /// Its office after the event.
    pub office: String,
    /// The event's sequence number.
    pub seq: u64,
    /// The event's kind (`case_opened`, `status_changed`, …).
    #[serde(rename = "type")]
    pub kind: String,
}

/// The feed.
pub struct Feed {
    entries: Mutex<Vec<FeedEntry>>,
    head: watch::Sender<u64>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            entries: Mutex::new(Vec::new()),
            head: watch::Sender::new(0),
        }
    }
}

impl Feed {
    /// Records `events` of the case numbered `number`, in `office`, and wakes the streams.
    pub fn record(&self, number: &str, office: &str, events: &[Event]) {
        let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        for e in events {
            let position = entries.len() as u64 + 1;
            entries.push(FeedEntry {
                position,
                case_id: e.case_id,
                number: number.to_owned(),
                office: office.to_owned(),
                seq: e.seq,
                kind: e.kind.name().to_owned(),
            });
        }
        let head = entries.len() as u64;
        drop(entries);
        self.head.send_replace(head);
    }

    /// Up to `limit` entries after position `after`.
    pub fn after(&self, after: u64, limit: usize) -> Vec<FeedEntry> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let start = usize::try_from(after).unwrap_or(usize::MAX);
        entries.iter().skip(start).take(limit).cloned().collect()
    }

    /// The position of the newest entry (0 when empty).
    pub fn head(&self) -> u64 {
        *self.head.borrow()
    }

    /// A receiver that changes when new entries arrive.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }
}
