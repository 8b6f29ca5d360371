//! The server's integration tests: each spawns the real application on a random 127.0.0.1 port
//! and talks HTTP to it.
//!
//! - `helpers`: spawning the app, tokens per role, intakes;
//! - `matrix`: the authorization matrix (every route × role × own/other office/pending transfer);
//! - `api`: status codes, headers and shapes (ETag/If-Match races, idempotency, validation);
//! - `hardening`: body limits, malformed JSON, rate limits, security headers;
//! - `events`: the SSE stream (delivery, visibility, resume).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod api;
mod events;
mod hardening;
mod helpers;
mod matrix;
