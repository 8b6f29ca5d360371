//! Opening a migrated case: its id derived from source and row ([`legacy_case_id`]) and its
//! `case_opened` event ([`open`], [`draft`]).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use super::Ready;
use crate::actor::Actor;
use crate::case::LegacyOrigin;
use crate::history::FreshEvent;
use crate::workflow::{self, OpeningDraft, WorkflowError};

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

/// Makes the `case_opened` event of a migrated case. Like [`workflow::open`], the actor must
/// be allowed to open cases in the record's office; the record was validated by [`convert`].
///
/// [`convert`]: super::convert()
pub fn open(
    actor: &Actor,
    ready: &Ready,
    origin: (&str, u64),
    number: &str,
    now: DateTime<Utc>,
) -> Result<FreshEvent, WorkflowError> {
    draft(actor, ready.clone(), origin, now)?.seal(number)
}

/// [`open`] without the number: the migrated case's `case_opened` payload sealed, waiting for
/// the number a store gives it ([`workflow::OpeningDraft::seal`]).
pub fn draft(
    actor: &Actor,
    ready: Ready,
    origin: (&str, u64),
    now: DateTime<Utc>,
) -> Result<OpeningDraft, WorkflowError> {
    workflow::may_open(actor, &ready.intake.office)?;
    let (source, row) = origin;
    let legacy = LegacyOrigin {
        source: source.to_owned(),
        row,
        follow_ups: ready.follow_ups,
    };
    let opened = workflow::opening(ready.intake, "", Some(legacy))?;
    Ok(workflow::draft(
        legacy_case_id(source, row),
        actor,
        now,
        opened,
    ))
}
