//! Why a history does not verify or replay: [`HistoryError`], with [`Tamper`] naming how an
//! event was altered.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Why an event is bad.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tamper {
    /// Its content no longer matches its hash, a commitment, or its successor's link.
    Changed,
    /// Events before it are missing.
    Removed,
    /// It is out of order.
    Reordered,
    /// It does not belong in the chain (a duplicate or an event that does not continue it).
    Inserted,
    /// The history ends before the anchor's version.
    Truncated,
    /// It belongs to another case.
    ForeignCase,
}

impl Tamper {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Tamper::Changed => "changed",
            Tamper::Removed => "removed",
            Tamper::Reordered => "reordered",
            Tamper::Inserted => "inserted",
            Tamper::Truncated => "truncated",
            Tamper::ForeignCase => "foreign_case",
        }
    }
}

impl std::fmt::Display for Tamper {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A history that does not verify or replay. Names events by position and sequence number,
/// never by content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum HistoryError {
    /// No events at all.
    #[error("the history is empty")]
    Empty,
    /// The event at `index` (0-based position in the list) is the first bad one.
    #[error("event at position {index} (seq {seq}) is bad: {reason}")]
    Tampered {
        /// 0-based position in the list given; for truncation, the list's length.
        index: usize,
        /// The event's sequence number (for truncation, the first missing one).
        seq: u64,
        /// The event's id (none for truncation).
        event_id: Option<Uuid>,
        /// Why.
        reason: Tamper,
    },
    /// The event cannot be applied to the case as it stands.
    #[error("event seq {seq} cannot be applied: {reason}")]
    Invalid {
        /// The event's sequence number.
        seq: u64,
        /// A stable reason code (`not_opened`, `unknown_referral`, …).
        reason: &'static str,
    },
    /// A value has no canonical JSON form (RFC 8785 with I-JSON numbers).
    #[error("{}", not_canonical_message(*seq, reason))]
    NotCanonical {
        /// The sequence number of the event holding the value; `None` for a value that is not
        /// (yet) in an event, such as one given to [`canonical_json`] or [`Sealed::new`].
        ///
        /// [`canonical_json`]: super::canonical_json
        /// [`Sealed::new`]: super::Sealed::new
        seq: Option<u64>,
        /// `non_finite` (NaN or an infinity), `integer_range` (an integer beyond ±2^53),
        /// `map_key` or `unserializable`.
        reason: &'static str,
    },
    /// A sealed value the case needs has been erased.
    #[error("event seq {seq} holds an erased value")]
    Erased {
        /// The event's sequence number.
        seq: u64,
    },
}

impl HistoryError {
    /// The stable machine code: `history.empty`, `history.changed`, `history.removed`,
    /// `history.reordered`, `history.inserted`, `history.truncated`, `history.foreign_case`,
    /// `history.invalid_event`, `history.not_canonical` or `history.erased`.
    pub fn code(&self) -> &'static str {
        match self {
            HistoryError::Empty => "history.empty",
            HistoryError::Tampered { reason, .. } => match reason {
                Tamper::Changed => "history.changed",
                Tamper::Removed => "history.removed",
                Tamper::Reordered => "history.reordered",
                Tamper::Inserted => "history.inserted",
                Tamper::Truncated => "history.truncated",
                Tamper::ForeignCase => "history.foreign_case",
            },
            HistoryError::Invalid { .. } => "history.invalid_event",
            HistoryError::NotCanonical { .. } => "history.not_canonical",
            HistoryError::Erased { .. } => "history.erased",
        }
    }

    /// The sequence number of the first bad event, where the error names one.
    pub fn seq(&self) -> Option<u64> {
        match self {
            HistoryError::Tampered { seq, .. }
            | HistoryError::Invalid { seq, .. }
            | HistoryError::Erased { seq } => Some(*seq),
            HistoryError::NotCanonical { seq, .. } => *seq,
            _ => None,
        }
    }

    /// For tampering: the reason.
    pub fn tamper(&self) -> Option<Tamper> {
        match self {
            HistoryError::Tampered { reason, .. } => Some(*reason),
            _ => None,
        }
    }
}

/// The message of [`HistoryError::NotCanonical`]: names the event only when there is one.
fn not_canonical_message(seq: Option<u64>, reason: &str) -> String {
    match seq {
        Some(seq) => {
            format!("event seq {seq} holds a value with no canonical JSON form ({reason})")
        }
        None => format!("a value with no canonical JSON form ({reason})"),
    }
}
