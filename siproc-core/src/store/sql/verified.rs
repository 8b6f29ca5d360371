//! [`Verified`]: the histories a store has verified, kept with the rows they were made from so
//! that a load of unchanged rows skips verifying them again.

use std::sync::{Arc, Mutex, PoisonError};

use hashlink::LruCache;
use uuid::Uuid;

use crate::history::CaseHistory;
use crate::keys::DataKey;

/// How many verified histories a store keeps at most ([`Verified`]).
const VERIFIED_CASES: usize = 1024;

/// How many bytes of rows (heads and event bodies) a store keeps at most ([`Verified`]); a
/// case whose rows alone are more than a sixteenth of this is not kept.
const VERIFIED_BYTES: usize = 32 * 1024 * 1024;

/// The rows of a case as `read::HISTORY_SQL` reads them: version, head, seq, body.
pub(crate) type HistoryRow = (i64, String, i64, String);

/// A verified history, the rows it was made from and, in an encrypted store, the case's data
/// key as it was read with them.
struct Kept {
    rows: Vec<HistoryRow>,
    history: Arc<CaseHistory>,
    key: Option<DataKey>,
}

/// A kept history and the case's data key read with its rows (`None`: a store without
/// encryption, or a key destroyed by an erasure).
pub(crate) type KeptHistory = (Arc<CaseHistory>, Option<DataKey>);

/// The kept histories and the bytes of their rows.
struct KeptCases {
    cases: LruCache<Uuid, Kept>,
    bytes: usize,
}

/// Histories this process has read and fully verified (parsed, every hash and commitment
/// checked against the case row's anchor, replayed), each with the rows it was made from, at
/// most [`VERIFIED_CASES`] of them and [`VERIFIED_BYTES`] of rows, the least recently used
/// dropped first.
///
/// Why this is sound: verifying is a function of the rows alone, so the same rows verify to the
/// same history; a load whose rows are equal, byte for byte, to those kept for its case gets the
/// kept history without parsing, decrypting and hashing every event again. Any byte changed on
/// disk — an event body, a removed or added row, the anchor — makes the rows differ, and they
/// are then verified in full, so a damaged case is still [`StoreError::Damaged`] naming it. A
/// write by this store or any other process changes the rows too.
///
/// The case's data key is kept too: rows equal to those it was read with mean the case was not
/// erased since (an erasure appends an event and destroys the key in one write), and a key
/// rotation re-wraps data keys without changing them, so an append after a load needs no second
/// read of `cases.data_key`.
///
/// Comparing the rows costs a memory comparison; the SHA-256 of them that was kept before cost
/// a quarter of an encrypted case's load on SQLite (sealed values are longer than plain ones),
/// and the rows' memory is bounded by [`VERIFIED_BYTES`].
///
/// The LRU is hashlink's `LruCache` (the one rusqlite uses for its statement cache, so no new
/// crate is built): a well-kept linked hash map with O(1) get and insert.
///
/// [`StoreError::Damaged`]: crate::store::StoreError::Damaged
pub(crate) struct Verified {
    kept: Mutex<KeptCases>,
}

impl Verified {
    /// An empty cache.
    pub fn new() -> Verified {
        Verified {
            kept: Mutex::new(KeptCases {
                cases: LruCache::new(VERIFIED_CASES),
                bytes: 0,
            }),
        }
    }

    /// The history (and data key) kept for case `case_id` if it was made from exactly `rows`.
    pub(crate) fn get(&self, case_id: Uuid, rows: &[HistoryRow]) -> Option<KeptHistory> {
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        match kept.cases.get(&case_id) {
            Some(k) if k.rows == rows => Some((Arc::clone(&k.history), k.key.clone())),
            _ => None,
        }
    }

    /// Keeps `history`, verified from `rows`, and the data key read with them for case
    /// `case_id`, dropping the least recently
    /// used histories while the rows kept are over [`VERIFIED_BYTES`].
    pub(crate) fn keep(&self, case_id: Uuid, rows: Vec<HistoryRow>, (history, key): KeptHistory) {
        let size = bytes_of(&rows);
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(old) = kept.cases.remove(&case_id) {
            kept.bytes -= bytes_of(&old.rows);
        }
        if size > VERIFIED_BYTES / 16 {
            return;
        }
        while kept.bytes + size > VERIFIED_BYTES || kept.cases.len() >= VERIFIED_CASES {
            match kept.cases.remove_lru() {
                Some((_, old)) => kept.bytes -= bytes_of(&old.rows),
                None => break,
            }
        }
        kept.bytes += size;
        kept.cases.insert(case_id, Kept { rows, history, key });
    }
}

/// The bytes of `rows`' texts (what [`VERIFIED_BYTES`] counts).
fn bytes_of(rows: &[HistoryRow]) -> usize {
    rows.iter()
        .map(|(_, head, _, body)| head.len() + body.len())
        .sum()
}
