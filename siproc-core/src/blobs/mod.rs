//! The files of a case file (attachments, signed copies of forms): a [`BlobStore`] keeps each
//! one under its case and the SHA-256 of its content, and [`put`] and [`get`] move them in and
//! out, encrypted with the case's key.
//!
//! # Three places
//!
//! - [`DatabaseBlobs`](crate::store::DatabaseBlobs) (features `sqlite` / `postgres`): the
//!   table `blobs` of the case database, through the one SQL layer. The embedded default: a
//!   backup of the database carries the files.
//! - [`DirectoryBlobs`]: a directory on disk, one folder per case, one file per blob, written
//!   atomically (a temporary file renamed into place).
//! - [`S3Blobs`](s3::S3Blobs) (feature `s3`): S3-compatible object storage through the
//!   `object_store` crate, for a ministry whose files outgrow one machine.
//!
//! # Encrypted before they leave the process
//!
//! [`put`] encrypts the content with the case's [`BlobKey`] (the case's data key, which an
//! encrypted store hands out: [`crate::store::CaseStore::blob_key`]) before any backend sees it,
//! bound to the case and the digest; [`get`] decrypts and checks the SHA-256 of what comes
//! back. A changed byte at rest is [`BlobError::Damaged`] naming the case; a missing blob is
//! [`BlobError::NotFound`]. Erasing a case's data key (crypto-shredding) makes its blobs
//! unreadable with the rest of the case, wherever they are kept.
//!
//! A store opened **without a master key** keeps its cases in clear, and so its blobs: the
//! backend then holds the files as they were uploaded (checked and stripped of metadata by
//! [`crate::attachments`]), and the digest check on read still detects any change. Object
//! storage outside the ministry's machine should only ever be used with an encrypted store
//! (`docs/attachments.md`).

mod dir;
#[cfg(feature = "s3")]
pub mod s3;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use dir::DirectoryBlobs;

use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::hex::to_hex;
use crate::keys::BlobKey;

/// A blob operation that failed. Never holds content, a path or a credential.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BlobError {
    /// No blob with that digest in the case.
    #[error("no such file in the case")]
    NotFound,
    /// The digest is not 64 lowercase hexadecimal digits.
    #[error("not a SHA-256 digest")]
    BadDigest,
    /// What the backend returned does not decrypt, or its SHA-256 is not the one asked for.
    #[error("a stored file of case {case_id} is damaged: it does not match its digest")]
    Damaged {
        /// The case (an id, not personal data).
        case_id: Uuid,
    },
    /// The backend failed (described without content, path or credential).
    #[error("blob storage error: {reason}")]
    Backend {
        /// What failed.
        reason: String,
    },
}

impl BlobError {
    /// Every code [`BlobError::code`] returns.
    pub const CODES: &'static [&'static str] = &[
        "blob.not_found",
        "blob.bad_digest",
        "blob.damaged",
        "blob.backend",
    ];

    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            BlobError::NotFound => "blob.not_found",
            BlobError::BadDigest => "blob.bad_digest",
            BlobError::Damaged { .. } => "blob.damaged",
            BlobError::Backend { .. } => "blob.backend",
        }
    }

    /// For a damaged blob, its case.
    pub fn case_id(&self) -> Option<Uuid> {
        match self {
            BlobError::Damaged { case_id } => Some(*case_id),
            _ => None,
        }
    }
}

/// A blob storage failure met by a store operation (a backup, a check, an erasure): the
/// store's `store.backend`, described as the blob error is (without content, path or
/// credential).
impl From<BlobError> for crate::store::StoreError {
    fn from(e: BlobError) -> Self {
        crate::store::StoreError::Backend {
            reason: e.to_string(),
        }
    }
}

impl From<crate::store::StoreError> for BlobError {
    fn from(e: crate::store::StoreError) -> Self {
        BlobError::Backend {
            reason: e.to_string(),
        }
    }
}

/// Where blobs are kept: bytes under a case id and a digest, as [`put`] hands them over
/// (already encrypted when the case has a key). Implementations store and return bytes
/// unchanged; [`get`] does the checking. [`testkit::check_blob_store`] (feature `testkit`)
/// runs the contract against an implementation.
pub trait BlobStore: Send + Sync {
    /// Keeps `body` as the blob `sha256` of `case_id`. Idempotent: a blob already kept under
    /// that name is left as it is.
    fn put(&self, case_id: Uuid, sha256: &str, body: &[u8]) -> Result<(), BlobError>;

    /// The bytes kept as blob `sha256` of `case_id`, or `None`.
    fn get(&self, case_id: Uuid, sha256: &str) -> Result<Option<Vec<u8>>, BlobError>;

    /// The digests of the blobs kept for `case_id`, sorted.
    fn list(&self, case_id: Uuid) -> Result<Vec<String>, BlobError>;

    /// Removes every blob of `case_id` (erasure); nothing to remove is not an error.
    fn remove_case(&self, case_id: Uuid) -> Result<(), BlobError>;
}

/// Where a deployment keeps its blobs, as a setting names it ([`BlobPlace::parse`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BlobPlace {
    /// `database`: the case database ([`crate::store::DatabaseBlobs`]), the default.
    Database,
    /// `dir:PATH`: a directory ([`DirectoryBlobs`]).
    Directory(std::path::PathBuf),
    /// `s3://BUCKET[/PREFIX][?endpoint=URL&region=NAME]`: S3-compatible object storage
    /// (feature `s3`); credentials from the environment only.
    S3 {
        /// The bucket.
        bucket: String,
        /// The prefix inside it.
        prefix: String,
        /// An S3-compatible server's endpoint, or empty for AWS.
        endpoint: String,
        /// The region, or empty.
        region: String,
    },
}

impl BlobPlace {
    /// Reads a setting: `database`, `dir:PATH` or `s3://BUCKET/PREFIX?endpoint=…&region=…`.
    /// Anything else is `blob.backend` with a reason that does not quote the setting.
    pub fn parse(setting: &str) -> Result<BlobPlace, BlobError> {
        let bad = |reason: &str| BlobError::Backend {
            reason: format!("bad blob storage setting: {reason}"),
        };
        if setting == "database" {
            return Ok(BlobPlace::Database);
        }
        if let Some(path) = setting.strip_prefix("dir:") {
            if path.is_empty() {
                return Err(bad("dir: needs a path"));
            }
            return Ok(BlobPlace::Directory(path.into()));
        }
        let Some(rest) = setting.strip_prefix("s3://") else {
            return Err(bad("expected database, dir:PATH or s3://BUCKET"));
        };
        let (location, query) = rest.split_once('?').unwrap_or((rest, ""));
        let (bucket, prefix) = location.split_once('/').unwrap_or((location, ""));
        if bucket.is_empty() {
            return Err(bad("s3:// needs a bucket"));
        }
        let (mut endpoint, mut region) = (String::new(), String::new());
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            match pair.split_once('=') {
                Some(("endpoint", v)) => v.clone_into(&mut endpoint),
                Some(("region", v)) => v.clone_into(&mut region),
                _ => return Err(bad("s3:// takes endpoint= and region= only")),
            }
        }
        Ok(BlobPlace::S3 {
            bucket: bucket.to_owned(),
            prefix: prefix.trim_matches('/').to_owned(),
            endpoint,
            region,
        })
    }
}

impl BlobPlace {
    /// Opens the blob storage this place names outside the case database, or `None` for
    /// `database` (the case database's own table: [`crate::store::DatabaseBlobs`], which the
    /// database's connections reach). An `s3://` place in a build without the `s3` feature is
    /// `blob.backend`.
    pub fn open_outside(&self) -> Result<Option<Box<dyn BlobStore>>, BlobError> {
        Ok(match self {
            BlobPlace::Database => None,
            BlobPlace::Directory(path) => Some(Box::new(DirectoryBlobs::new(path)?)),
            #[cfg(feature = "s3")]
            BlobPlace::S3 {
                bucket,
                prefix,
                endpoint,
                region,
            } => Some(Box::new(s3::S3Blobs::new(&s3::S3Config {
                bucket: bucket.clone(),
                prefix: prefix.clone(),
                endpoint: endpoint.clone(),
                region: region.clone(),
                ..s3::S3Config::default()
            })?)),
            #[cfg(not(feature = "s3"))]
            BlobPlace::S3 { .. } => {
                return Err(BlobError::Backend {
                    reason: "this build has no S3 storage (feature s3)".into(),
                });
            }
        })
    }
}

/// The SHA-256 of `bytes`, 64 lowercase hexadecimal digits.
pub fn sha256_hex(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

/// `blob.bad_digest` unless `sha256` is 64 lowercase hexadecimal digits (every backend checks
/// the names it is given).
pub(crate) fn check_digest(sha256: &str) -> Result<(), BlobError> {
    if crate::hex::is_sha256_hex(sha256) {
        Ok(())
    } else {
        Err(BlobError::BadDigest)
    }
}

/// Keeps `content` as a blob of `case_id`, encrypted under `key` when there is one; returns
/// its SHA-256 (the digest of the content, not of the ciphertext).
pub fn put(
    blobs: &dyn BlobStore,
    key: Option<&BlobKey>,
    case_id: Uuid,
    content: &[u8],
) -> Result<String, BlobError> {
    let sha256 = sha256_hex(content);
    if blobs.get(case_id, &sha256)?.is_some() {
        return Ok(sha256);
    }
    match key {
        Some(key) => blobs.put(case_id, &sha256, &key.encrypt(&case_id, &sha256, content))?,
        None => blobs.put(case_id, &sha256, content)?,
    }
    Ok(sha256)
}

/// The content of blob `sha256` of `case_id`, decrypted with `key` when there is one and
/// checked against its digest.
pub fn get(
    blobs: &dyn BlobStore,
    key: Option<&BlobKey>,
    case_id: Uuid,
    sha256: &str,
) -> Result<Vec<u8>, BlobError> {
    check_digest(sha256)?;
    let body = blobs.get(case_id, sha256)?.ok_or(BlobError::NotFound)?;
    open_body(key, case_id, sha256, body)
}

/// The content of the stored bytes `body` of blob `sha256` of `case_id`: decrypted with `key`
/// when there is one, and checked against its digest (`blob.damaged` otherwise).
pub(crate) fn open_body(
    key: Option<&BlobKey>,
    case_id: Uuid,
    sha256: &str,
    body: Vec<u8>,
) -> Result<Vec<u8>, BlobError> {
    let content = match key {
        Some(key) => key
            .decrypt(&case_id, sha256, &body)
            .ok_or(BlobError::Damaged { case_id })?
            .to_vec(),
        None => body,
    };
    if sha256_hex(&content) != sha256 {
        return Err(BlobError::Damaged { case_id });
    }
    Ok(content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_blobs_hide_their_content_and_detect_changes() {
        let dir = tempfile::tempdir().unwrap();
        let blobs = DirectoryBlobs::new(dir.path()).unwrap();
        let key = BlobKey::generate();
        let case = Uuid::now_v7();
        let content = b"%PDF-1.4 acta de detencion de Ana Pena".to_vec();
        let sha = put(&blobs, Some(&key), case, &content).unwrap();
        let raw = blobs.get(case, &sha).unwrap().unwrap();
        assert!(!raw.windows(9).any(|w| w == b"Ana Pena "[..9].as_ref()));
        assert_eq!(get(&blobs, Some(&key), case, &sha).unwrap(), content);
        // Another key, another case: nothing opens.
        assert_eq!(
            get(&blobs, Some(&BlobKey::generate()), case, &sha).unwrap_err(),
            BlobError::Damaged { case_id: case }
        );
        assert_eq!(
            get(&blobs, Some(&key), Uuid::now_v7(), &sha).unwrap_err(),
            BlobError::NotFound
        );
        assert_eq!(
            get(&blobs, Some(&key), case, "abc").unwrap_err(),
            BlobError::BadDigest
        );
        // A clear blob changed at rest is damaged too.
        let clear = put(&blobs, None, case, b"clear").unwrap();
        let path = dir.path().join(case.to_string()).join(&clear);
        std::fs::write(&path, b"clEar").unwrap();
        let err = get(&blobs, None, case, &clear).unwrap_err();
        assert_eq!(err.code(), "blob.damaged");
        assert_eq!(err.case_id(), Some(case));
        assert!(err.to_string().contains(&case.to_string()));
    }
}
