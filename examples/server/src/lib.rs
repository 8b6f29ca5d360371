//! # siproc-server
//!
//! The reference server: consulates and the directorate on one live system, HTTP + JSON under
//! `/api/v1` over `siproc-core`. Every rule (validation, workflow, visibility) is the core's;
//! this crate authenticates, transports, logs and persists.
//!
//! Run it with `make run`, or:
//!
//! ```text
//! cargo run -p siproc-server -- serve --demo                # SQLite in ./data/siproc.db
//! cargo run -p siproc-server -- serve --database postgresql://user@host:5432/siproc
//! cargo run -p siproc-server -- token create --user ana --role officer --office TAP
//! ```
//!
//! Layout (as zero2prod's): [`startup`] builds the app, [`routes`] holds the handlers,
//! [`config`] the configuration file, [`client`] the client behind trusted proxies,
//! [`auth`] the bearer-token and session extractor, [`session`] the session cookie and CSRF, [`error`] the one error type, [`db`] the server's own
//! tables, [`store`] the database URL, [`feed`] the event stream, [`telemetry`] the logs,
//! [`demo`] the demo data, [`web`] the web application's files.
//!
//! Crates, and why: axum (the router and extractors, from the tokio project), tokio, tower and
//! tower-http (body limit, request ids, trace, security headers), tracing (structured logs),
//! utoipa (the OpenAPI document derived from the handlers), rusqlite (SQLite compiled in),
//! governor (the per-token rate limiter: GCRA, keyed), clap (the command line), getrandom
//! (token bytes from the operating system), toml (the configuration file), ipnet (networks of
//! trusted proxies), openidconnect and reqwest (sign-in with the ministry's identity provider:
//! [`oidc`] says why).
#![deny(missing_docs)]

pub mod auth;
pub mod client;
pub mod config;
pub mod connections;
pub mod db;
pub mod demo;
pub mod error;
pub mod extract;
pub mod feed;
pub mod json;
pub mod metrics;
pub mod oidc;
pub mod routes;
pub mod schema;
pub mod session;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;
