//! [`Verified`]: the histories a store has verified, kept so that a load of unchanged rows
//! skips verifying them again.

use std::sync::{Arc, Mutex, PoisonError};

use hashlink::LruCache;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::history::CaseHistory;

/// How many verified histories a store keeps ([`Verified`]).
const VERIFIED_CASES: usize = 1024;

/// The SHA-256 of a case's rows exactly as read: the anchor (`version`, `head`), then each
/// event's `seq` and `body`, every text preceded by its length.
pub(crate) type RowsDigest = [u8; 32];

/// The rows of a case as `read::HISTORY_SQL` reads them: version, head, seq, body.
pub(crate) type HistoryRow = (i64, String, i64, String);

/// Histories this process has read and fully verified (parsed, every hash and commitment
/// checked against the case row's anchor, replayed), each with the [`RowsDigest`] of the rows it
/// was made from, at most [`VERIFIED_CASES`] of them, the least recently used dropped first.
///
/// Why this is sound: verifying is a function of the rows alone, so rows with the same digest
/// verify to the same history; a load whose rows hash to the digest kept for its case gets the
/// kept history without parsing and hashing every event again. Any byte changed on disk — an
/// event body, a removed or added row, the anchor — changes the digest, and the rows are then
/// verified in full, so a damaged case is still [`StoreError::Damaged`] naming it. A write by
/// this store or any other process changes the rows too. SHA-256 (already the chain's hash) is
/// collision resistant: a changed row cannot be made to keep its digest.
///
/// The LRU is hashlink's `LruCache` (the one rusqlite uses for its statement cache, so no new
/// crate is built): a well-kept linked hash map with O(1) get and insert.
pub(crate) struct Verified {
    cases: Mutex<LruCache<Uuid, (RowsDigest, Arc<CaseHistory>)>>,
}

impl Verified {
    /// An empty cache.
    pub fn new() -> Verified {
        Verified {
            cases: Mutex::new(LruCache::new(VERIFIED_CASES)),
        }
    }

    pub(crate) fn get(&self, case_id: Uuid, digest: &RowsDigest) -> Option<Arc<CaseHistory>> {
        let mut cases = self.cases.lock().unwrap_or_else(PoisonError::into_inner);
        match cases.get(&case_id) {
            Some((kept, history)) if kept == digest => Some(Arc::clone(history)),
            _ => None,
        }
    }

    pub(crate) fn keep(&self, case_id: Uuid, digest: RowsDigest, history: Arc<CaseHistory>) {
        self.cases
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(case_id, (digest, history));
    }
}

pub(crate) fn digest_of(rows: &[HistoryRow]) -> RowsDigest {
    fn text(h: &mut Sha256, t: &str) {
        h.update((t.len() as u64).to_le_bytes());
        h.update(t.as_bytes());
    }
    let mut h = Sha256::new();
    if let Some((version, head, _, _)) = rows.first() {
        h.update(version.to_le_bytes());
        text(&mut h, head);
    }
    for (_, _, seq, body) in rows {
        h.update(seq.to_le_bytes());
        text(&mut h, body);
    }
    h.finalize().into()
}
