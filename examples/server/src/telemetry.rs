//! Structured logs on standard error, one line per event: JSON objects (`log.format = "json"`,
//! the default) or human-readable text (`"text"`), filtered by `log.filter` (`RUST_LOG`'s
//! syntax, `info` by default). Request lines carry the request id (also the `X-Request-Id`
//! answer header), method, route template (never the concrete path, which holds case ids),
//! status and time — no query strings, no bodies, no tokens, no client addresses. At any
//! level: the libraries that would write values below `info` are capped there ([`CAPPED`]).
//!
//! Lines are written to standard error as they happen, unbuffered: when the process stops,
//! nothing is left to flush.

use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

/// Libraries whose lines below `info` would hold values: the PostgreSQL client writes each
/// statement's parameters (names, document numbers…) at `debug`. Their lines stop at `info`,
/// whatever the filter asks.
const CAPPED: &[&str] = &["tokio_postgres=info", "postgres=info"];

/// Installs the subscriber once (later calls do nothing). `filter` has been checked by the
/// configuration ([`crate::config`]); a filter that does not parse falls back to `info`.
pub fn init(format: LogFormat, filter: &str) {
    let filter = CAPPED.iter().fold(
        EnvFilter::builder()
            .parse(filter)
            .unwrap_or_else(|_| EnvFilter::new("info")),
        |filter, cap| match cap.parse() {
            Ok(directive) => filter.add_directive(directive),
            Err(_) => filter,
        },
    );
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Json => builder.json().try_init(),
        LogFormat::Text => builder.with_ansi(false).try_init(),
    };
}
