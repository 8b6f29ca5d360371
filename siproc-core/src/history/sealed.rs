//! Sealed values: a personal value with its salted commitment, and where salts come from (the
//! module docs of [`crate::history`] say why: erasure, and no guessing of low-entropy values).

use serde::{Deserialize, Deserializer, Serialize};

use super::HistoryError;
use super::hash;
use crate::hex::{from_hex, to_hex};

/// Length of a commitment salt, in bytes.
pub const SALT_BYTES: usize = 16;

/// A personal value with its salted commitment. The event hash covers only the commitment, so
/// that the value can later be erased without breaking the chain (see the module docs).
///
/// Its `Debug` output shows the commitment, never the value.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    rename(serialize = "$siproc::Sealed"),
    deny_unknown_fields,
    bound(serialize = "T: Serialize", deserialize = "T: Deserialize<'de>")
)]
#[schemars(rename = "Sealed_{T}")]
pub struct Sealed<T> {
    /// `hex(SHA-256(salt ‖ JCS(value)))`.
    pub commitment: String,
    /// 16 random bytes as 32 hex digits; absent once erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub salt: Option<String>,
    /// The value; absent once erased.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "present"
    )]
    pub value: Option<T>,
}

/// Reads a present member as `Some`, even when it is JSON `null` (a sealed `null` is a value).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

impl<T> std::fmt::Debug for Sealed<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("commitment", &self.commitment)
            .field("erased", &self.value.is_none())
            .finish()
    }
}

/// A fresh salt: [`SALT_BYTES`] bytes from the thread's CSPRNG (see the module docs).
fn fresh_salt() -> [u8; SALT_BYTES] {
    let mut salt = [0_u8; SALT_BYTES];
    rand::fill(&mut salt);
    salt
}

/// Reseeds this thread's salt generator from the operating system: call it in a forked child
/// before it seals anything, so that it does not repeat its parent's salts.
/// Fails only if the operating system's generator does.
pub fn reseed_salts() -> std::io::Result<()> {
    rand::rng().reseed().map_err(std::io::Error::other)
}

impl<T: Serialize> Sealed<T> {
    /// Seals `value` with a fresh random salt (see the module docs for where it comes from).
    pub fn new(value: T) -> Result<Sealed<T>, HistoryError> {
        Sealed::with_salt(value, fresh_salt())
    }

    /// Seals `value` with the given salt (tests and imports; use [`Sealed::new`] otherwise).
    pub fn with_salt(value: T, salt: [u8; SALT_BYTES]) -> Result<Sealed<T>, HistoryError> {
        // Room for a typical person's canonical JSON, so that writing it does not grow the
        // buffer.
        let mut buf = Vec::with_capacity(1024);
        let digest = hash::commitment(&salt, &value, &mut buf).map_err(hash::not_canonical)?;
        Ok(Sealed {
            commitment: to_hex(&digest),
            salt: Some(to_hex(&salt)),
            value: Some(value),
        })
    }

    /// Whether the value and salt are present and open the commitment.
    pub fn opens(&self) -> bool {
        self.opens_with(&mut Vec::new())
    }

    pub(super) fn opens_with(&self, buf: &mut Vec<u8>) -> bool {
        let (Some(salt), Some(value)) = (&self.salt, &self.value) else {
            return false;
        };
        let Some(salt) = from_hex::<SALT_BYTES>(salt) else {
            return false;
        };
        let Some(expected) = from_hex::<32>(&self.commitment) else {
            return false;
        };
        hash::commitment(&salt, value, buf).is_ok_and(|d| d == expected)
    }
}

impl<T> Sealed<T> {
    /// The value, unless erased.
    pub fn value(&self) -> Option<&T> {
        self.value.as_ref()
    }
}
