//! Hashes of events and commitments of sealed values: SHA-256 over RFC 8785 canonical JSON.
//!
//! The procedure is written out for third parties in the [`crate::history`] docs; this module is
//! its Rust implementation.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::canonical::{self, CanonError, Mode};
use super::{Event, HistoryError};

/// The previous hash of a case's first event: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A SHA-256 digest.
pub type Digest32 = [u8; 32];

/// The lowercase hex digit of a nibble (`n` below 16).
pub(crate) fn hex_digit(n: u8) -> u8 {
    if n < 10 {
        b'0' + n
    } else {
        b'a' + (n & 0xf) - 10
    }
}

/// Lowercase hexadecimal of `bytes`.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        s.push(char::from(hex_digit(b >> 4)));
        s.push(char::from(hex_digit(b & 0xf)));
    }
    s
}

/// Decodes lowercase (or uppercase) hexadecimal; `None` if it is not hex of exactly `N` bytes.
pub fn from_hex<const N: usize>(s: &str) -> Option<[u8; N]> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    if s.len() != N * 2 {
        return None;
    }
    let mut out = [0_u8; N];
    for (o, pair) in out.iter_mut().zip(s.as_bytes().chunks_exact(2)) {
        let (hi, lo) = match pair {
            [hi, lo] => (*hi, *lo),
            _ => return None,
        };
        *o = nibble(hi)? << 4 | nibble(lo)?;
    }
    Some(out)
}

/// Whether `s` is 64 lowercase hex digits (the form every hash and digest is stored in).
pub fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

/// The RFC 8785 canonical JSON of `value`, as text.
///
/// Fails (without quoting the value, and without naming an event: `seq` is `None`) on NaN, the
/// infinities and integers beyond ±2^53, which JCS's I-JSON numbers cannot carry exactly.
///
/// ```
/// use siproc_core::history::canonical_json;
/// let v = serde_json::json!({"b": 1500.5, "a": [1e21, 1e-7, -0.0]});
/// assert_eq!(canonical_json(&v).unwrap(), r#"{"a":[1e+21,1e-7,0],"b":1500.5}"#);
/// let err = canonical_json(&9007199254740993_u64).unwrap_err();
/// assert_eq!(err.to_string(), "a value with no canonical JSON form (integer_range)");
/// ```
pub fn canonical_json<T: Serialize + ?Sized>(value: &T) -> Result<String, HistoryError> {
    let mut out = Vec::new();
    canonical::write(value, Mode::Full, &mut out).map_err(not_canonical)?;
    String::from_utf8(out).map_err(|_| HistoryError::NotCanonical {
        seq: None,
        reason: "utf8",
    })
}

/// The exact bytes an event's hash is computed over: the canonical JSON of the event without
/// its `hash` member, with every sealed value reduced to `{"commitment": ...}`.
pub fn hashed_form(event: &Event) -> Result<Vec<u8>, HistoryError> {
    let mut out = Vec::with_capacity(512);
    write_hashed_form(event, &mut out).map_err(|e| with_seq(not_canonical(e), event.seq))?;
    Ok(out)
}

/// The hash an event should carry, as 64 lowercase hex digits.
pub fn event_hash(event: &Event) -> Result<String, HistoryError> {
    // Room for a typical event's hashed form, so that writing it does not grow the buffer.
    let mut buf = Vec::with_capacity(4096);
    Ok(to_hex(&event_digest(event, &mut buf)?))
}

/// The event's digest, reusing `buf` for the canonical bytes.
pub(crate) fn event_digest(event: &Event, buf: &mut Vec<u8>) -> Result<Digest32, HistoryError> {
    buf.clear();
    write_hashed_form(event, buf).map_err(|e| with_seq(not_canonical(e), event.seq))?;
    Ok(Sha256::digest(buf.as_slice()).into())
}

/// The commitment to a value: SHA-256 over the salt's bytes followed by the value's canonical
/// JSON.
pub(crate) fn commitment<T: Serialize + ?Sized>(
    salt: &[u8],
    value: &T,
    buf: &mut Vec<u8>,
) -> Result<Digest32, CanonError> {
    buf.clear();
    buf.extend_from_slice(salt);
    canonical::write(value, Mode::Full, buf)?;
    Ok(Sha256::digest(buf.as_slice()).into())
}

/// The event without its hash, borrowed.
#[derive(Serialize)]
struct Unhashed<'a> {
    id: &'a uuid::Uuid,
    case_id: &'a uuid::Uuid,
    seq: u64,
    actor: &'a crate::actor::Actor,
    at: &'a chrono::DateTime<chrono::Utc>,
    prev_hash: &'a str,
    kind: &'a super::EventKind,
}

fn write_hashed_form(event: &Event, out: &mut Vec<u8>) -> Result<(), CanonError> {
    let body = Unhashed {
        id: &event.id,
        case_id: &event.case_id,
        seq: event.seq,
        actor: &event.actor,
        at: &event.at,
        prev_hash: &event.prev_hash,
        kind: &event.kind,
    };
    canonical::write(&body, Mode::Commitments, out)
}

pub(crate) fn not_canonical(e: CanonError) -> HistoryError {
    HistoryError::NotCanonical {
        seq: None,
        reason: match e {
            CanonError::NonFinite => "non_finite",
            CanonError::IntegerRange => "integer_range",
            CanonError::MapKey => "map_key",
            CanonError::Custom => "unserializable",
        },
    }
}

fn with_seq(e: HistoryError, seq: u64) -> HistoryError {
    match e {
        HistoryError::NotCanonical { reason, .. } => HistoryError::NotCanonical {
            seq: Some(seq),
            reason,
        },
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let bytes: [u8; 4] = [0, 0x7f, 0xab, 0xff];
        assert_eq!(to_hex(&bytes), "007fabff");
        assert_eq!(from_hex::<4>("007fabff"), Some(bytes));
        assert_eq!(from_hex::<4>("007fabf"), None);
        assert_eq!(from_hex::<4>("007fabfg"), None);
        assert!(is_sha256_hex(GENESIS_HASH));
    }
}
