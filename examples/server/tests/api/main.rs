//! The server's integration tests: each spawns the real application on a random 127.0.0.1 port
//! and talks HTTP to it.
//!
//! - `helpers`: `TestApp` (one method per route, named after its operation), `spawn(backend)`,
//!   tokens per role, intakes;
//! - `matrix`: the authorization matrix (every route × role × own/other office/pending transfer);
//! - `accounts`: users, API tokens (scopes, expiry, revocation), every route's refusal of a bad
//!   credential, on every backend;
//! - `api`: status codes, headers and shapes (ETag/If-Match races, idempotency, validation),
//!   written once and run on every backend (`scenarios!`);
//! - `hardening`: body limits, malformed JSON, rate limits, security headers;
//! - `events`: the SSE stream (delivery, visibility, resume);
//! - `process`: real server processes, `token create`, fresh PostgreSQL databases;
//! - `pg`: the `api` scenarios on PostgreSQL, the server tables there, two processes on one
//!   database;
//! - `durable`: SIGKILL under load and restart (SQLite, PostgreSQL), resuming a stream;
//! - `stats`: full tables for staff, the disclosure-controlled release for partners;
//! - `form_checks`: the durable log of paper-form checks (SQLite, PostgreSQL);
//! - `database_url`: every spelling of a database URL is one database.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod accounts;
mod api;
mod database_url;
mod durable;
mod events;
mod form_checks;
mod hardening;
mod helpers;
mod matrix;
mod pg;
mod process;
mod stats;
