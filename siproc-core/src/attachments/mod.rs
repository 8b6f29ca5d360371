//! The case file's attachments (feature `attachments`): a file uploaded for a case is checked
//! ([`check`]: size, media type sniffed and allowed, images stripped of their metadata, PDFs
//! without JavaScript or embedded files), kept in blob storage encrypted with the case's key
//! ([`crate::blobs`]) and recorded by an `attachment_added` event (digest, media type, size and
//! description; never the file's name) — [`attach`]. [`attachment`] reads one back, checked
//! against its digest.
//!
//! Visibility is the case's: whoever may read the case may read its attachments, and a reader
//! of a file is logged like a reader of the case (the server does both).

pub mod check;

pub use check::{ALLOWED, CheckError, Checked, DEFAULT_MAX_BYTES, Limits};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::actor::Actor;
use crate::blobs::{self, BlobError, BlobStore};
use crate::case::{Attachment, Case};
use crate::history;
use crate::store::{CaseStore, StoreError, load_case};
use crate::workflow::{WorkflowError, attachment_event};

/// Why an attachment was not added or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AttachError {
    /// The file was refused ([`check::check`]).
    #[error("{0}")]
    Refused(#[source] CheckError),
    /// The workflow refused the addition (role, office, status, description).
    #[error("refused: {0}")]
    Rejected(#[source] WorkflowError),
    /// The case store failed or refused (no such case, a version conflict…).
    #[error("{0}")]
    Store(#[source] StoreError),
    /// The blob storage failed, or a kept file is damaged or missing.
    #[error("{0}")]
    Blob(#[source] BlobError),
    /// The case has no attachment with that digest.
    #[error("the case has no such attachment")]
    NotAttached,
}

impl AttachError {
    /// The stable machine code: `attachment.*` ([`CheckError::code`], and
    /// `attachment.not_found`), `blob.*`, `store.*`, `workflow.*`.
    pub fn code(&self) -> &'static str {
        match self {
            AttachError::Refused(e) => e.code(),
            AttachError::Rejected(e) => e.code(),
            AttachError::Store(e) => e.code(),
            AttachError::Blob(e) => e.code(),
            AttachError::NotAttached => "attachment.not_found",
        }
    }
}

impl From<StoreError> for AttachError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Rejected(w) => AttachError::Rejected(w),
            e => AttachError::Store(e),
        }
    }
}

impl From<BlobError> for AttachError {
    fn from(e: BlobError) -> Self {
        AttachError::Blob(e)
    }
}

impl From<WorkflowError> for AttachError {
    fn from(e: WorkflowError) -> Self {
        AttachError::Rejected(e)
    }
}

/// An upload: the bytes, the type the client declared (`None`: the sniffed one), a
/// description, and the case version the client saw (`None`: the current one).
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    /// The file's bytes.
    pub content: &'a [u8],
    /// The declared media type.
    pub declared: Option<&'a str>,
    /// What the file is (no personal data, never the file name).
    pub description: Option<&'a str>,
    /// The version the client saw (`If-Match`).
    pub expected_version: Option<u64>,
}

/// What [`attach`] did.
#[derive(Debug, Clone)]
pub struct Attached {
    /// The case after the addition.
    pub case: Case,
    /// The attachment as recorded.
    pub attachment: Attachment,
    /// `false` when the case already held this very file (nothing new was recorded).
    pub added: bool,
}

/// Checks `upload`, keeps the file in `blobs` encrypted with the case's key and records it on
/// the case (see the module docs). The workflow's checks run before anything is kept; adding a
/// file the case already holds records nothing and answers the attachment on file.
pub fn attach(
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    limits: &Limits,
    actor: &Actor,
    case_id: Uuid,
    upload: Upload<'_>,
    now: DateTime<Utc>,
) -> Result<Attached, AttachError> {
    let mut case = load_case(store, case_id)?;
    if upload.expected_version.is_some_and(|v| v != case.version) {
        return Err(StoreError::Conflict {
            current: case.version,
        }
        .into());
    }
    let checked =
        check::check(upload.content, upload.declared, limits).map_err(AttachError::Refused)?;
    let attachment = Attachment {
        sha256: blobs::sha256_hex(&checked.content),
        media_type: checked.media_type.to_owned(),
        size: checked.content.len() as u64,
        description: upload
            .description
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
    };
    let event = attachment_event(&case, actor, &attachment, now)?;
    if let Some(kept) = case
        .attachments
        .iter()
        .find(|a| a.sha256 == attachment.sha256)
    {
        let attachment = kept.clone();
        return Ok(Attached {
            case,
            attachment,
            added: false,
        });
    }
    let key = store.blob_key(case_id)?;
    blobs::put(blobs, key.as_ref(), case_id, &checked.content)?;
    store.append(case_id, case.version, std::slice::from_ref(&event))?;
    history::apply(&mut case, &event).map_err(StoreError::from)?;
    Ok(Attached {
        case,
        attachment,
        added: true,
    })
}

/// The attachment `sha256` of `case` and its content, read from `blobs`, decrypted and checked
/// against its digest (a changed byte is `blob.damaged` naming the case). The caller has
/// loaded the case (and checked that the reader may see it).
pub fn attachment(
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    case: &Case,
    sha256: &str,
) -> Result<(Attachment, Vec<u8>), AttachError> {
    let attachment = case
        .attachments
        .iter()
        .find(|a| a.sha256 == sha256)
        .cloned()
        .ok_or(AttachError::NotAttached)?;
    let key = store.blob_key(case.id)?;
    let content = blobs::get(blobs, key.as_ref(), case.id, sha256)?;
    Ok((attachment, content))
}
