//! Structured logs on standard error, one line per event: JSON objects (`log.format = "json"`,
//! the default) or human-readable text (`"text"`), filtered by `log.filter` (`RUST_LOG`'s
//! syntax, `info` by default). Request lines carry the request id (also the `X-Request-Id`
//! answer header), method, route template (never the concrete path, which holds case ids),
//! status and time — no query strings, no bodies, no tokens, no client addresses.
//!
//! Lines are written to standard error as they happen, unbuffered: when the process stops,
//! nothing is left to flush.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Installs the subscriber once (later calls do nothing). `filter` has been checked by the
/// configuration ([`crate::config`]); a filter that does not parse falls back to `info`.
pub fn init(format: LogFormat, filter: &str) {
    let filter = EnvFilter::builder()
        .parse(filter)
        .unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
}
