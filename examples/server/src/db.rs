//! The server's records, kept in the case store's database through the core's SQL layer
//! ([`siproc_core::store::Records`]: API token hashes, break-the-glass grants, the access log,
//! idempotency keys, the log of paper-form checks), and the token helpers: a token is made
//! here from the operating system's randomness and only its SHA-256 is stored.
//!
//! Every write commits durably before it returns (SQLite `synchronous = FULL`, PostgreSQL's
//! `synchronous_commit` as the server is configured), so an access-log line exists before the
//! response it records is sent. The calls are synchronous: handlers make them inside
//! `spawn_blocking`.

use sha2::{Digest, Sha256};
use siproc_core::Role;

pub use siproc_core::store::{CheckFilter, CheckOutcome, FormCheckRecord, LogFilter};

/// The server's records (the core's [`siproc_core::store::Records`]).
pub type ServerDb = siproc_core::store::Records;

/// The SHA-256 of a bearer token, lowercase hex: what is stored and looked up.
pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random bearer token (256 bits from the operating system).
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(format!("sps_{}", hex(&bytes)))
}

/// The role of a wire name.
pub fn parse_role(s: &str) -> Option<Role> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}
