//! Structured logs: one JSON line per event on standard error (`RUST_LOG` filters, `info` by
//! default). Request lines carry the request id, method, route template (never the concrete
//! path, which holds case ids), status and time — no query strings, no bodies.

use tracing_subscriber::EnvFilter;

/// Installs the subscriber once (later calls do nothing).
pub fn init() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .json()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}
