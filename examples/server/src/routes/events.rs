//! `GET /events`: Server-Sent Events, one per case event the caller may see. The `id` of each
//! is its feed position; a client that reconnects with `Last-Event-ID` (or `?after=`) gets
//! every event after it.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::sse::{Event, KeepAlive, Sse};
use chrono::Utc;
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use siproc_core::Actor;
use siproc_core::access::{self, Scope};
use tokio::sync::watch;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::feed::FeedEntry;
use crate::state::SharedState;

/// Entries read from the feed at a time.
const BATCH: usize = 256;

/// Query of `GET /events`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct EventsParams {
    /// Resume after this position (as `Last-Event-ID`, which wins when both are given).
    after: Option<String>,
}

struct Cursor {
    state: SharedState,
    actor: Actor,
    position: u64,
    wake: watch::Receiver<u64>,
    stop: watch::Receiver<bool>,
    pending: std::collections::VecDeque<FeedEntry>,
}

fn visible(actor: &Actor, entry: &FeedEntry) -> bool {
    access::can_see(
        actor,
        entry.case_id,
        Scope::office(&entry.office),
        &[],
        Utc::now(),
    )
    .is_some()
}

fn to_event(entry: &FeedEntry) -> Event {
    Event::default()
        .id(entry.position.to_string())
        .json_data(entry)
        .unwrap_or_else(|_| Event::default().comment("unserializable entry"))
}

/// Case events as Server-Sent Events.
#[utoipa::path(get, path = "/events", tag = "events",
    params(EventsParams, ("Last-Event-ID" = Option<String>, Header, description = "resume after this position")),
    responses(
        (status = 200, description = "`text/event-stream`: `id` = position, `data` = `{\"case_id\", \"number\", \"office\", \"seq\", \"type\"}`", content_type = "text/event-stream"),
        (status = 400, description = "A bad position", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role sees no case", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn events(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    Query(params): Query<EventsParams>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    if !access::sees_cases(actor.role) {
        return Err(ApiError::Forbidden {
            code: "access.no_cases",
            message: "this role sees no case".to_owned(),
        });
    }
    let raw = headers
        .get("last-event-id")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or(params.after);
    let position = match raw.as_deref().map(str::trim) {
        None | Some("") => state.feed.head(),
        Some(s) => s.parse().map_err(|_| ApiError::BadRequest {
            code: "http.bad_query",
            message: "the event position is not a number".to_owned(),
        })?,
    };
    let wake = state.feed.subscribe();
    let stop = state.shutdown.subscribe();
    let cursor = Cursor {
        state,
        actor,
        position,
        wake,
        stop,
        pending: Default::default(),
    };
    let stream = stream::unfold(cursor, |mut c| async move {
        loop {
            if let Some(entry) = c.pending.pop_front() {
                return Some((Ok::<_, Infallible>(to_event(&entry)), c));
            }
            let batch = c.state.feed.after(c.position, BATCH);
            if let Some(last) = batch.last() {
                c.position = last.position;
                let actor = &c.actor;
                c.pending
                    .extend(batch.into_iter().filter(|e| visible(actor, e)));
                continue;
            }
            if *c.stop.borrow() {
                return None;
            }
            // Nothing new: wait for the feed to move or the server to stop (the timeout also
            // notices a dropped sender).
            tokio::select! {
                _ = tokio::time::timeout(Duration::from_secs(15), c.wake.changed()) => {}
                _ = c.stop.changed() => {}
            }
        }
    });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}
