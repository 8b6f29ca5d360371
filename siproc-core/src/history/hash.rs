//! SHA-256 over RFC 8785 canonical JSON: the genesis link, [`canonical_json`] and the commitment
//! of a sealed value. The event's own hash is computed in [`super::event`] from these.
//!
//! The procedure is written out for third parties in the [`crate::history`] docs; this module is
//! its Rust implementation.

use serde::Serialize;
use sha2::{Digest, Sha256};

use super::HistoryError;
use super::canonical::{self, CanonError, Mode, Sealer};

// Whether a digest is 64 lowercase hex digits (`crate::hex`), under the path the workflow has
// always used.
pub(crate) use crate::hex::is_sha256_hex;

/// The previous hash of a case's first event: 64 zeros.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// A SHA-256 digest.
pub type Digest32 = [u8; 32];

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
    canonical_text(value, Mode::Full)
}

/// The canonical JSON of `value` with every sealed value's salt and value replaced by
/// `sealer`'s text for them (an encrypted store's event bodies, `crate::store::sql::crypt`).
#[cfg_attr(not(feature = "sqlite"), allow(dead_code))] // only encrypted stores seal
pub(crate) fn canonical_json_sealing<T: Serialize + ?Sized>(
    value: &T,
    sealer: &dyn Sealer,
) -> Result<String, HistoryError> {
    canonical_text(value, Mode::Sealing(sealer))
}

fn canonical_text<T: Serialize + ?Sized>(
    value: &T,
    mode: Mode<'_>,
) -> Result<String, HistoryError> {
    let mut out = Vec::new();
    canonical::write(value, mode, &mut out).map_err(not_canonical)?;
    String::from_utf8(out).map_err(|_| HistoryError::NotCanonical {
        seq: None,
        reason: "utf8",
    })
}

/// Puts every number in `value` in the form it reads back from its canonical JSON, so that a
/// value decided in memory equals the same value replayed from its stored text.
///
/// RFC 8785 writes the double `0.0` as `0`, which reads back as an integer, and `serde_json`
/// compares the two as different; integers are already in their canonical form. A number with no
/// canonical form is left as it is (sealing it is refused later, with its own error).
///
/// ```
/// use siproc_core::history::canonical_numbers;
/// let mut v = serde_json::json!({"a": [0.0, -0.0, 2.5, 1e21], "b": 7});
/// canonical_numbers(&mut v);
/// assert_eq!(v, serde_json::json!({"a": [0, 0, 2.5, 1e21], "b": 7}));
/// assert!(v["a"][0].is_u64());
/// ```
pub fn canonical_numbers(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Number(n) if n.is_f64() => {
            if let Some(read) = canonical_json(n)
                .ok()
                .and_then(|text| serde_json::from_str::<serde_json::Number>(&text).ok())
            {
                *n = read;
            }
        }
        Value::Array(items) => items.iter_mut().for_each(canonical_numbers),
        Value::Object(fields) => fields.values_mut().for_each(canonical_numbers),
        _ => {}
    }
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

pub(super) fn with_seq(e: HistoryError, seq: u64) -> HistoryError {
    match e {
        HistoryError::NotCanonical { reason, .. } => HistoryError::NotCanonical {
            seq: Some(seq),
            reason,
        },
        other => other,
    }
}
