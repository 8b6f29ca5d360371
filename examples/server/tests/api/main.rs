//! The server's integration tests: each spawns the real application on a random 127.0.0.1 port
//! and talks HTTP to it.
//!
//! - `helpers`: `TestApp` (one method per route, named after its operation), `spawn(backend)`,
//!   tokens per role, intakes;
//! - `matrix`: the authorization matrix (every route × role × own/other office/pending transfer);
//! - `signin`: enrolment, password and second-factor or recovery-code sign-in, the session
//!   cookie and CSRF, sign out (everywhere), backoff, disabled users (memory, SQLite shared by
//!   two servers, PostgreSQL);
//! - `selfservice`: a person's own password, second factor and recovery codes, each changed
//!   only behind a fresh re-authentication of their session (never with an API token), other
//!   sessions ended, failed re-authentications in the sign-in's backoff, their own security
//!   events, the password check (memory, PostgreSQL);
//! - `oidc`: sign-in with an identity provider as far as no provider is needed (status, 404,
//!   an unreachable provider, refused callbacks counted and audited; the whole sign-in is the
//!   Chromium test's);
//! - `passkeys`: passkeys added, listed, removed and signed in with (a software authenticator),
//!   and the refusals (replayed, forged, unknown, another user's handle, disabled user);
//! - `accounts`: users, API tokens (scopes, expiry, revocation), every route's refusal of a bad
//!   credential, on every backend;
//! - `api`: status codes, headers and shapes (ETag/If-Match races, idempotency, validation),
//!   written once and run on every backend (`scenarios!`);
//! - `hardening`: body limits, malformed JSON, rate limits, security headers;
//! - `hostile`: slow heads and bodies, thousands of idle connections, event streams never read,
//!   hostile bodies, headers and path parameters (a 4xx or a closed connection, never a 5xx);
//! - `events`: the SSE stream (delivery, visibility, resume);
//! - `process`: real server processes, `token create`, fresh PostgreSQL databases;
//! - `pg`: the `api` scenarios on PostgreSQL, the server tables there, two processes on one
//!   database;
//! - `durable`: SIGKILL under load and restart (SQLite, PostgreSQL), resuming a stream;
//! - `stats`: full tables for staff; partners refused;
//! - `releases`: published releases for partners, and the hidden differencing attacks they
//!   defeat (around a registration, a quarter and its months, a release and its correction);
//! - `form_checks`: the durable log of paper-form checks (SQLite, PostgreSQL);
//! - `privacy`: searches in the body and audited, replays, the archive upload, break-the-glass
//!   with friction and daylight, four-eyes and encrypted exports (memory, SQLite, PostgreSQL);
//! - `database_url`: every spelling of a database URL is one database;
//! - `operations`: `backup` under load, `restore` into SQLite and PostgreSQL, `check`;
//! - `encryption`: an encrypted store through the command line (keys, serve, rotate, convert);
//! - `attachments`: files added to a case and downloaded, and the refusals;
//! - `thumbnails`: images' thumbnails (small, stripped, private, logged); none for a PDF;
//! - `subject_access`: consent withdrawal through the server (a pending referral cancelled, a
//!   new one refused, the next release without the cases) and subject access reports (JSON,
//!   a PDF `pdftotext` reads, directorate only, audited with counts);
//! - `erasure`: the directorate erases a closed case (`POST /cases/{id}/erase`), audited; the
//!   chain still verifies and search no longer finds the person;
//! - `webapp`: the web application's files under content-hashed names;
//! - `configuration`: `config check`, a server configured by file, environment and flags, and
//!   forwarding headers believed from trusted proxies only;
//! - `shutdown`: SIGTERM to a real process during a slow request and an open event stream;
//! - `logs`: a whole session at debug level logs no personal value and no token (`logged`:
//!   a real process whose log the test reads).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs
)]

mod accounts;
mod api;
mod attachments;
mod configuration;
mod database_url;
mod durable;
mod encryption;
mod erasure;
mod events;
mod form_checks;
mod hardening;
mod helpers;
mod hostile;
mod logged;
mod logs;
mod matrix;
mod oidc;
mod operations;
mod passkeys;
mod pg;
mod privacy;
mod process;
mod releases;
mod selfservice;
mod shutdown;
mod signin;
mod stats;
mod subject_access;
mod thumbnails;
mod webapp;
