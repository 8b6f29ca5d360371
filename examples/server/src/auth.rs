//! Authentication as an extractor: a handler that takes a [`Caller`] runs only for a request
//! with a valid `Authorization: Bearer TOKEN` (401 otherwise) within its token's rate limit
//! (429 with `Retry-After` otherwise).

use std::sync::PoisonError;

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use governor::clock::{Clock, DefaultClock};
use siproc_core::Actor;

use crate::db::token_hash;
use crate::error::ApiError;
use crate::state::SharedState;

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

impl FromRequestParts<SharedState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let hash = token_hash(token);
        if let Some(limiter) = &state.limiter
            && let Err(not_until) = limiter.check_key(&hash)
        {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            return Err(ApiError::TooManyRequests {
                retry_after: wait.as_secs().max(1),
            });
        }
        let cached = state
            .known_tokens
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&hash)
            .cloned();
        if let Some(actor) = cached {
            return Ok(Caller(actor));
        }
        let looked_up = {
            let state = state.clone();
            let hash = hash.clone();
            tokio::task::spawn_blocking(move || state.db.actor_for(&hash)).await??
        };
        let actor = looked_up.ok_or(ApiError::Unauthorized)?;
        state
            .known_tokens
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(hash, actor.clone());
        Ok(Caller(actor))
    }
}
