//! The case file's attachments (feature `attachments`): a file uploaded for a case is checked
//! ([`check`]: size, media type sniffed and allowed, images stripped of their metadata, PDFs
//! without JavaScript or embedded files), kept in blob storage encrypted with the case's key
//! ([`crate::blobs`]) and recorded by an `attachment_added` event (digest, media type, size and
//! description; never the file's name) — [`attach`]. [`attachment`] reads one back, checked
//! against its digest.
//!
//! Visibility is the case's: whoever may read the case may read its attachments, and a reader
//! of a file is logged like a reader of the case (the server does both).
//!
//! # Signed copies
//! The paper forms siproc prints come back signed. Every file is read for a form's QR code
//! ([`scan`]) once it passes its checks ([`prepare`]); a file that carries one is filed as the
//! **signed copy** of the printing of the form the code names ([`file`]): its
//! `attachment_added` event says which (`signs`: the form's id and its verification code), the
//! case's `forms` list shows it received with the date ([`crate::case::SignedCopy`]), and the
//! form's public check says a signed copy is on file
//! ([`crate::forms::verification::IssuedForm::signed_copy_at`]). A code of a form this case
//! did not print is refused (`signed_copy.other_case`), never filed to another case; a file
//! without a form's code is an ordinary attachment, unless a signed copy was asked for
//! (`signed_copy.no_code`). Where the case is not known beforehand (a pile of scans dropped
//! on one page), the caller finds it from the code ([`Prepared::code`]) through its
//! [`crate::forms::verification::FormRegistry`], and checks that the uploader may write it.
//!
//! # Thumbnails
//! An image attachment has a small preview for the case's list of files ([`thumbnail()`]):
//! rendered from the kept file when asked for, never stored; a PDF has none
//! ([`AttachError::NoThumbnail`]). Reading one is reading the file (the same visibility, the
//! same access log).

pub mod check;
pub mod scan;
#[cfg(feature = "testkit")]
pub mod testkit;
pub mod thumbnail;

pub use check::{ALLOWED, CheckError, Checked, DEFAULT_MAX_BYTES, Limits};

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::actor::Actor;
use crate::blobs::{self, BlobError, BlobStore};
use crate::case::{Attachment, Case, SignedForm};
use crate::history::{self, AddedAttachment};
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
    /// The file was removed when the case's personal data was erased ([`crate::erasure`]).
    #[error("the file was erased with the case's personal data")]
    Erased,
    /// A signed copy was asked for, and no form's QR code can be read on the file.
    #[error("no siproc form's QR code can be read on the file")]
    NoCode,
    /// The file's QR code names a form this case did not print: it is another case's (or no
    /// case's), and is not filed here.
    #[error("the form's QR code belongs to another case")]
    OtherCase,
    /// The file's QR code names no form the caller may file to (unknown, or of a case the
    /// caller may not write: the same answer for both).
    #[error("the form's QR code names no form known here")]
    UnknownForm,
    /// The attachment is not an image: it has no thumbnail ([`thumbnail::has_thumbnail`]).
    #[error("the attachment has no thumbnail: it is not an image")]
    NoThumbnail,
}

impl AttachError {
    /// The codes of an attachment that cannot be read or filed, beside [`CheckError::CODES`].
    pub const CODES: &'static [&'static str] = &[
        "attachment.not_found",
        "attachment.erased",
        "attachment.no_thumbnail",
        "signed_copy.no_code",
        "signed_copy.other_case",
        "signed_copy.unknown_form",
    ];

    /// The stable machine code: `attachment.*` ([`CheckError::code`], and [`Self::CODES`]),
    /// `blob.*`, `store.*`, `workflow.*`.
    pub fn code(&self) -> &'static str {
        match self {
            AttachError::Refused(e) => e.code(),
            AttachError::Rejected(e) => e.code(),
            AttachError::Store(e) => e.code(),
            AttachError::Blob(e) => e.code(),
            AttachError::NotAttached => "attachment.not_found",
            AttachError::Erased => "attachment.erased",
            AttachError::NoThumbnail => "attachment.no_thumbnail",
            AttachError::NoCode => "signed_copy.no_code",
            AttachError::OtherCase => "signed_copy.other_case",
            AttachError::UnknownForm => "signed_copy.unknown_form",
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
    /// The form (and printing) it is the signed copy of, if it is one.
    pub signs: Option<SignedForm>,
    /// `false` when the case already held this very file (nothing new was recorded).
    pub added: bool,
}

/// A file that passed its checks, and the form code read on it: [`prepare`].
#[derive(Debug, Clone)]
pub struct Prepared {
    /// What to keep.
    pub checked: Checked,
    /// The verification code of the form whose QR code is on it (`3F2A-9C1B-7E04`), if any.
    pub code: Option<String>,
}

/// Checks `content` ([`check::check`]) and reads a form's QR code on it ([`scan`]).
pub fn prepare(
    content: &[u8],
    declared: Option<&str>,
    limits: &Limits,
) -> Result<Prepared, AttachError> {
    let (checked, image) =
        check::check_decoding(content, declared, limits).map_err(AttachError::Refused)?;
    let code = match &image {
        Some(image) => scan::read_image_code(image),
        None => scan::read_code(&checked.content, checked.media_type),
    };
    Ok(Prepared { checked, code })
}

/// How a prepared file is filed ([`file`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct Filing<'a> {
    /// What the file is (no personal data, never the file name).
    pub description: Option<&'a str>,
    /// The version the client saw (`If-Match`; `None`: the current one).
    pub expected_version: Option<u64>,
    /// Only as a form's signed copy: a file without a form's QR code is refused
    /// (`signed_copy.no_code`) instead of added as an ordinary attachment.
    pub signed_copy_only: bool,
}

/// Checks `upload`, keeps the file in `blobs` encrypted with the case's key and records it on
/// the case, as a form's signed copy if it carries one of the case's forms' QR codes (see the
/// module docs). The workflow's checks run before anything is kept; adding a file the case
/// already holds records nothing and answers the attachment on file.
pub fn attach(
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    limits: &Limits,
    actor: &Actor,
    case_id: Uuid,
    upload: Upload<'_>,
    now: DateTime<Utc>,
) -> Result<Attached, AttachError> {
    let case = load_case(store, case_id)?;
    conflict(&case, upload.expected_version)?;
    let prepared = prepare(upload.content, upload.declared, limits)?;
    let filing = Filing {
        description: upload.description,
        expected_version: upload.expected_version,
        signed_copy_only: false,
    };
    file_to(store, blobs, actor, case, &prepared, filing, now)
}

/// Files a [`prepare`]d file into case `case_id`: a form's signed copy when it carries the QR
/// code of a form the case printed, refused when it carries another's (see the module docs).
pub fn file(
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    actor: &Actor,
    case_id: Uuid,
    prepared: &Prepared,
    filing: Filing<'_>,
    now: DateTime<Utc>,
) -> Result<Attached, AttachError> {
    let case = load_case(store, case_id)?;
    file_to(store, blobs, actor, case, prepared, filing, now)
}

/// A version conflict if the client saw another version than `case`'s.
fn conflict(case: &Case, expected: Option<u64>) -> Result<(), AttachError> {
    match expected {
        Some(v) if v != case.version => Err(StoreError::Conflict {
            current: case.version,
        }
        .into()),
        _ => Ok(()),
    }
}

/// The printing of a form of `case` that `code` names, as a signed copy's `signs`.
fn signed_form(case: &Case, code: &str) -> Result<SignedForm, AttachError> {
    case.forms
        .iter()
        .find(|f| f.code == code)
        .map(|f| SignedForm {
            form: f.form.clone(),
            code: f.code.clone(),
        })
        .ok_or(AttachError::OtherCase)
}

fn file_to(
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    actor: &Actor,
    mut case: Case,
    prepared: &Prepared,
    filing: Filing<'_>,
    now: DateTime<Utc>,
) -> Result<Attached, AttachError> {
    conflict(&case, filing.expected_version)?;
    let signs = match &prepared.code {
        Some(code) => Some(signed_form(&case, code)?),
        None if filing.signed_copy_only => return Err(AttachError::NoCode),
        None => None,
    };
    let checked = &prepared.checked;
    let attachment = Attachment {
        sha256: blobs::sha256_hex(&checked.content),
        media_type: checked.media_type.to_owned(),
        size: checked.content.len() as u64,
        description: filing
            .description
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
    };
    let added = AddedAttachment::new(attachment.clone(), signs.clone());
    let event = attachment_event(&case, actor, &added, now)?;
    if let Some(kept) = case
        .attachments
        .iter()
        .find(|a| a.sha256 == attachment.sha256)
    {
        let attachment = kept.clone();
        return Ok(Attached {
            case,
            attachment,
            signs,
            added: false,
        });
    }
    let key = store.blob_key(case.id)?;
    blobs::put(blobs, key.as_ref(), case.id, &checked.content)?;
    store.append(case.id, case.version, std::slice::from_ref(&event))?;
    history::apply(&mut case, &event).map_err(StoreError::from)?;
    Ok(Attached {
        case,
        attachment,
        signs,
        added: true,
    })
}

/// The attachment `sha256` of `case` as recorded ([`AttachError::NotAttached`] if it has none).
fn on_file<'a>(case: &'a Case, sha256: &str) -> Result<&'a Attachment, AttachError> {
    case.attachments
        .iter()
        .find(|a| a.sha256 == sha256)
        .ok_or(AttachError::NotAttached)
}

/// The attachment `sha256` of `case` and its content, read from `blobs`, decrypted and checked
/// against its digest (a changed byte is `blob.damaged` naming the case); the file of an erased
/// case is [`AttachError::Erased`]. The caller has loaded the case (and checked that the
/// reader may see it).
pub fn attachment(
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    case: &Case,
    sha256: &str,
) -> Result<(Attachment, Vec<u8>), AttachError> {
    let attachment = on_file(case, sha256)?.clone();
    // An erased case's files are gone: removed with it, or unreadable without its data key.
    let erased = |e: AttachError| match e {
        AttachError::Store(StoreError::NotFound) | AttachError::Blob(BlobError::NotFound)
            if !case.erased.is_empty() =>
        {
            AttachError::Erased
        }
        e => e,
    };
    let key = store.blob_key(case.id).map_err(|e| erased(e.into()))?;
    let content = blobs::get(blobs, key.as_ref(), case.id, sha256).map_err(|e| erased(e.into()))?;
    Ok((attachment, content))
}

/// The thumbnail of the image attachment `sha256` of `case` ([`thumbnail::render`]), from its
/// content as [`attachment`] reads it (decrypted, checked against its digest). An attachment
/// that is not an image is [`AttachError::NoThumbnail`], answered before its file is read. The
/// caller has loaded the case (and checked that the reader may see it, and logged the read).
pub fn thumbnail(
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
    case: &Case,
    sha256: &str,
) -> Result<thumbnail::Thumbnail, AttachError> {
    if !thumbnail::has_thumbnail(&on_file(case, sha256)?.media_type) {
        return Err(AttachError::NoThumbnail);
    }
    let (kept, content) = attachment(store, blobs, case, sha256)?;
    thumbnail::render(&content, &kept.media_type).map_err(AttachError::Refused)
}
