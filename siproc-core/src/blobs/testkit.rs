//! The blob store test kit (feature `testkit`): the [`BlobStore`] contract as one function, run
//! against every backend (database, directory, S3-compatible server) and available to anyone
//! writing one. Each check panics naming the rule that failed (test support).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use uuid::Uuid;

use super::{BlobError, BlobStore, get, put, sha256_hex};
use crate::keys::BlobKey;

/// Runs every check on `blobs` (which may hold other cases' blobs: each check uses new case
/// ids). Returns the case and digest of a known encrypted blob whose plaintext is
/// [`KNOWN_CONTENT`], for a caller that reads the backend's raw storage and looks for it.
pub fn check_blob_store(blobs: &dyn BlobStore) -> (Uuid, String) {
    let case = Uuid::now_v7();
    let other = Uuid::now_v7();
    // Round trip, idempotent put, one case's blobs apart from another's.
    let a = b"first file".to_vec();
    let b = vec![7_u8; 300_000];
    let sha_a = sha256_hex(&a);
    blobs.put(case, &sha_a, &a).unwrap();
    blobs.put(case, &sha_a, &a).unwrap();
    assert_eq!(
        blobs.get(case, &sha_a).unwrap(),
        Some(a.clone()),
        "round trip"
    );
    assert_eq!(blobs.get(other, &sha_a).unwrap(), None, "cases are apart");
    let sha_b = sha256_hex(&b);
    blobs.put(case, &sha_b, &b).unwrap();
    let mut both = vec![sha_a.clone(), sha_b.clone()];
    both.sort();
    assert_eq!(blobs.list(case).unwrap(), both, "list");
    assert!(
        blobs.list(other).unwrap().is_empty(),
        "an empty case lists nothing"
    );
    // Erasure removes a case's blobs and only them.
    blobs.put(other, &sha_a, &a).unwrap();
    blobs.remove_case(case).unwrap();
    blobs.remove_case(case).unwrap();
    assert!(blobs.list(case).unwrap().is_empty(), "erased");
    assert_eq!(blobs.get(case, &sha_b).unwrap(), None, "erased blob");
    assert_eq!(
        blobs.get(other, &sha_a).unwrap(),
        Some(a),
        "other case kept"
    );
    // Encrypted through `put`/`get`: the backend holds no plaintext; a flipped byte is damage.
    let key = BlobKey::generate();
    let known = Uuid::now_v7();
    let sha = put(blobs, Some(&key), known, KNOWN_CONTENT).unwrap();
    let raw = blobs.get(known, &sha).unwrap().unwrap();
    assert!(
        !raw.windows(16)
            .any(|w| KNOWN_CONTENT.windows(16).any(|k| k == w)),
        "plaintext at rest"
    );
    assert_eq!(get(blobs, Some(&key), known, &sha).unwrap(), KNOWN_CONTENT);
    let mut flipped = raw.clone();
    if let Some(byte) = flipped.last_mut() {
        *byte ^= 1;
    }
    let damaged = Uuid::now_v7();
    blobs.put(damaged, &sha, &flipped).unwrap();
    assert_eq!(
        get(blobs, Some(&key), damaged, &sha).unwrap_err(),
        BlobError::Damaged { case_id: damaged },
        "a flipped byte"
    );
    (known, sha)
}

/// The plaintext of the known blob [`check_blob_store`] leaves encrypted in the backend.
pub const KNOWN_CONTENT: &[u8] =
    b"Acta de detencion: Zelaya Bacedifo, centro de detencion La Escondida, 2026-03-01";

/// Files `content` into the stored case `case_id` as a clerk of its office would: the file
/// kept in `files` (encrypted with the case's key when the store has one), then its
/// `attachment_added` event. Returns its SHA-256. The content is not checked as an upload is
/// ([`crate::attachments`]): the kit tests storage, not uploads.
pub fn attach_file(
    store: &dyn crate::store::CaseStore,
    files: &dyn BlobStore,
    case_id: Uuid,
    content: &[u8],
) -> String {
    let case = crate::store::load_case(store, case_id).unwrap();
    let actor = crate::store::testkit::officer(&case.office);
    let attachment = crate::history::AddedAttachment {
        sha256: sha256_hex(content),
        media_type: "application/pdf".into(),
        size: content.len() as u64,
        description: Some("acta".into()),
        signs: None,
    };
    let event =
        crate::workflow::attachment_event(&case, &actor, &attachment, crate::store::testkit::now())
            .unwrap();
    let key = store.blob_key(case_id).unwrap();
    let sha = put(files, key.as_ref(), case_id, content).unwrap();
    store
        .append(case_id, case.version, std::slice::from_ref(&event))
        .unwrap();
    sha
}
