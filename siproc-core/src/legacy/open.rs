//! Opening a migrated case: its id derived from source and row ([`legacy_case_id`]) and its
//! opening ([`open`]).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Ready;
use crate::actor::Actor;
use crate::case::LegacyOrigin;
use crate::workflow::{self, Opening, WorkflowError};

/// The id of the case migrated from `row` of `source`: the same on every run, so that an
/// import is idempotent. A UUID of version 8 (custom) made of the first 16 bytes of
/// SHA-256(`siproc.legacy` ‖ 0 ‖ source ‖ 0 ‖ row).
pub fn legacy_case_id(source: &str, row: u64) -> Uuid {
    let mut h = Sha256::new();
    h.update(b"siproc.legacy\0");
    h.update(source.as_bytes());
    h.update(b"\0");
    h.update(row.to_string().as_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.get(..16).unwrap_or(&[0u8; 16]));
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Opens a migrated case: its [`Opening`], to be sealed with the number a store gives it
/// ([`Opening::seal`]). Like [`workflow::open`], the actor must be allowed to open cases in the
/// record's office; the record was validated by [`convert`]. The case's id is
/// [`legacy_case_id`] of `origin` (source and row).
///
/// [`convert`]: super::convert()
pub fn open(
    actor: &Actor,
    ready: Ready,
    origin: (&str, u64),
    now: DateTime<Utc>,
) -> Result<Opening, WorkflowError> {
    workflow::may_open(actor, &ready.intake.office)?;
    let (source, row) = origin;
    let legacy = LegacyOrigin {
        source: source.to_owned(),
        row,
        follow_ups: ready.follow_ups,
    };
    Ok(Opening::from_intake(
        ready.intake,
        legacy_case_id(source, row),
        actor,
        now,
        Some(legacy),
    )?)
}
