//! The stream of case events behind `GET /events`. The entries and their positions are the case
//! store's own feed ([`CaseStore::feed`](siproc_core::store::CaseStore::feed)): durable, so a client
//! that reconnects with `Last-Event-ID` resumes without loss, across a restart of the server
//! and from any server process sharing the database.
//!
//! [`Feed`] only wakes the streams: a write in this process wakes them at once; with PostgreSQL
//! a listener thread ([`siproc_core::store::postgres::FeedListener`], `LISTEN siproc_events`)
//! wakes them when any process writes; and streams also look again every few seconds.
//!
//! Entries carry no personal data: the case id and number, its office, the event's sequence
//! number and kind.

use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use siproc_core::store;
use tokio::sync::watch;
use uuid::Uuid;

/// One case event as streamed (the SSE `data`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FeedEntry {
    /// Position in the store's feed (the SSE `id`).
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

impl From<store::FeedEntry> for FeedEntry {
    fn from(e: store::FeedEntry) -> FeedEntry {
        FeedEntry {
            position: e.position,
            case_id: e.case_id,
            number: e.number,
            office: e.office,
            seq: e.seq,
            kind: e.kind,
        }
    }
}

/// How long the PostgreSQL listener waits before it looks at the shutdown flag again.
const LISTEN_TICK: Duration = Duration::from_secs(1);

/// Wakes the event streams when the store's feed may have moved.
#[derive(Clone)]
pub struct Feed {
    wake: Arc<watch::Sender<u64>>,
}

impl Default for Feed {
    fn default() -> Self {
        Feed {
            wake: Arc::new(watch::Sender::new(0)),
        }
    }
}

impl Feed {
    /// Something was written: the streams read the store's feed again.
    pub fn written(&self) {
        self.wake.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// A receiver that changes when the streams should read again.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.wake.subscribe()
    }

    /// Listens for writes of every process to the PostgreSQL database `url` on a thread of its
    /// own, until `stop` turns true. A lost connection is reopened (and the streams woken, as
    /// announcements may have been missed meanwhile).
    pub fn listen_postgres(
        &self,
        url: String,
        stop: watch::Receiver<bool>,
    ) -> std::io::Result<std::thread::JoinHandle<()>> {
        use siproc_core::store::postgres::FeedListener;
        let feed = self.clone();
        std::thread::Builder::new()
            .name("siproc-feed-listener".to_owned())
            .spawn(move || {
                let mut listener: Option<FeedListener> = None;
                while !*stop.borrow() {
                    let Some(l) = listener.as_mut() else {
                        match FeedListener::connect(&url) {
                            Ok(l) => {
                                listener = Some(l);
                                feed.written();
                            }
                            Err(e) => {
                                tracing::warn!(code = e.code(), "feed listener cannot connect");
                                std::thread::sleep(LISTEN_TICK);
                            }
                        }
                        continue;
                    };
                    match l.wait(LISTEN_TICK) {
                        Ok(Some(_)) => feed.written(),
                        Ok(None) => {}
                        Err(e) => {
                            tracing::warn!(code = e.code(), "feed listener lost its connection");
                            listener = None;
                        }
                    }
                }
            })
    }
}
