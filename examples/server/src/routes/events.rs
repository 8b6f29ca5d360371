//! `GET /events`: Server-Sent Events, one per case event the caller may see. The `id` of each
//! is its position in the case store's feed (durable, shared by every process on one
//! database); a client that reconnects with `Last-Event-ID` (or `?after=`) gets every event
//! after it, even from another process or after a restart.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::IntoResponse;
use axum::response::sse::{Event, KeepAlive, Sse};
use axum::routing::get;
use chrono::Utc;
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use siproc_core::access::{self, Grant, Scope};
use siproc_core::{Actor, store};
use tokio::sync::watch;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Query, bad_query};
use crate::feed::FeedEntry;
use crate::routes::shared::{blocking, no_cases};
use crate::state::SharedState;

/// `GET /events`.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new().route("/events", get(events))
}

/// Entries read from the feed at a time.
const BATCH: usize = 256;

/// A stream reads the feed again after this long even when nothing woke it.
const POLL: Duration = Duration::from_secs(5);

/// One Server-Sent Event of `GET /events`, as an event-stream parser reads it.
#[derive(Debug, utoipa::ToSchema)]
pub struct FeedEvent {
    /// The entry's position in the store's feed: send it back as `Last-Event-ID` (none on a
    /// `grant` event).
    #[schema(pattern = "^[0-9]+$")]
    pub id: Option<String>,
    /// Absent for a case event; `grant` for a break-the-glass grant.
    pub event: Option<String>,
    /// The entry: a [`FeedEntry`] as JSON (a `Grant` on a `grant` event).
    #[schema(content_media_type = "application/json")]
    pub data: String,
}

/// Query of `GET /events`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventsParams {
    /// Resume after this position (as `Last-Event-ID`, which wins when both are given).
    #[param(minimum = 0)]
    after: Option<u64>,
}

struct Cursor {
    state: SharedState,
    actor: Actor,
    position: u64,
    /// The grants the caller oversees (`access::grants_seen_by`: one office's, or every
    /// office's), and the number of the last one streamed; `None` for callers who oversee none.
    grants: Option<(Option<String>, u64)>,
    wake: watch::Receiver<u64>,
    stop: watch::Receiver<bool>,
    pending: std::collections::VecDeque<Event>,
    /// Counts the stream as open until it ends.
    _open: crate::metrics::OpenStream,
}

/// Whether `actor` sees the case of `entry`: its office, or a transfer pending to theirs.
fn visible(actor: &Actor, entry: &store::FeedEntry) -> bool {
    access::can_see(
        actor,
        entry.case_id,
        Scope::of_entry(entry),
        &[],
        Utc::now(),
    )
    .is_some()
}

fn to_event(entry: store::FeedEntry) -> Event {
    let position = entry.position;
    Event::default()
        .id(position.to_string())
        .json_data(FeedEntry::from(entry))
        .unwrap_or_else(|_| Event::default().comment("unserializable entry"))
}

/// A break-the-glass grant as an event: `event: grant`, without an `id` (a client's
/// `Last-Event-ID` stays the position of the last case event).
fn grant_event(grant: Grant) -> Event {
    Event::default()
        .event("grant")
        .json_data(grant)
        .unwrap_or_else(|_| Event::default().comment("unserializable grant"))
}

/// Case events as Server-Sent Events.
#[utoipa::path(get, path = "/events", tag = "events",
    description = "Server-Sent Events, one per case event the caller may see (no personal data): `id` is the event's position in the store's feed, `data` a `FeedEntry`. Reconnect with `Last-Event-ID` (or `after`) to resume without loss; without either, the stream starts at the present. Supervisors (for their office's cases), the directorate and auditors also get each break-the-glass grant given after they connected as `event: grant` with a `Grant` as `data` and no `id`.",
    params(EventsParams, ("Last-Event-ID" = Option<String>, Header, description = "Resume after this position (digits)", pattern = "^[0-9]*$")),
    responses(
        (status = 200, description = "The stream: `id` = position, `data` = a `FeedEntry`", content_type = "text/event-stream", body = FeedEvent),
        (status = 400, description = "A bad position (`http.bad_query`)", body = ErrorBody),
        (status = 403, description = "The role sees no case (`access.no_cases`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn events(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    Query(params): Query<EventsParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    if !access::sees_cases(actor.role) {
        return Err(no_cases());
    }
    let header = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.parse::<u64>().map_err(|_| bad_query("Last-Event-ID")))
        .transpose()?;
    let position = match header.or(params.after) {
        Some(position) => position,
        None => blocking(&state, |s| Ok(s.store.feed_head()?)).await?,
    };
    let grants = match access::grants_seen_by(&actor) {
        Some(office) => {
            let office = office.map(str::to_owned);
            Some((office, blocking(&state, |s| Ok(s.db.grants_head()?)).await?))
        }
        None => None,
    };
    let wake = state.feed.subscribe();
    let stop = state.shutdown.subscribe();
    let cursor = Cursor {
        _open: state.metrics.open_stream(),
        state,
        actor,
        position,
        grants,
        wake,
        stop,
        pending: Default::default(),
    };
    let stream = stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(event) = c.pending.pop_front() {
                return Some((Ok::<_, Infallible>(event), c));
            }
            let after = c.position;
            let batch = match blocking(&c.state, move |s| Ok(s.store.feed(after, BATCH)?)).await {
                Ok(batch) => batch,
                Err(e) => {
                    // Logged by the error type; the client reconnects with Last-Event-ID.
                    let _ = e.into_response();
                    return None;
                }
            };
            if let Some(last) = batch.last() {
                c.position = last.position;
                let actor = &c.actor;
                c.pending.extend(
                    batch
                        .into_iter()
                        .filter(|e| visible(actor, e))
                        .map(to_event),
                );
                continue;
            }
            if let Some((office, after)) = c.grants.clone() {
                let limit = u32::try_from(BATCH).unwrap_or(u32::MAX);
                let grants = blocking(&c.state, move |s| {
                    Ok(s.db.grants_after(office.as_deref(), None, after, limit)?)
                })
                .await;
                match grants {
                    Ok(grants) if !grants.is_empty() => {
                        if let (Some((_, seen)), Some(id)) =
                            (c.grants.as_mut(), grants.last().and_then(|g| g.id))
                        {
                            *seen = id;
                        }
                        c.pending.extend(grants.into_iter().map(grant_event));
                        continue;
                    }
                    Ok(_) => {}
                    Err(e) => {
                        let _ = e.into_response();
                        return None;
                    }
                }
            }
            if *c.stop.borrow() {
                return None;
            }
            // Nothing new: wait for a write, the server to stop, or the next poll.
            tokio::select! {
                _ = tokio::time::timeout(POLL, c.wake.changed()) => {}
                _ = c.stop.changed() => {}
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
