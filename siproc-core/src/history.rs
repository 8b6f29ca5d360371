//! The history of a case: an append-only, hash-chained list of events. A case is the fold of
//! its history ([`replay`]); anyone can prove that a history was not altered ([`verify`]).
//!
//! # Events
//!
//! Every change is an [`Event`]: a unique id (UUID v7), the case id, a sequence number (`seq`,
//! 1 for the opening event, then 2, 3, … without gaps), the [`Actor`] (user id, role and office),
//! a UTC timestamp (`at`, microsecond precision, so that SQL stores keep it exactly), the
//! previous event's hash, an [`EventKind`] with its payload, and the event's own hash. Nothing is
//! edited in place: a correction of personal data is a `facts_corrected` event, and the values
//! entered at intake stay in the `case_opened` event.
//!
//! Stored as JSON, an event looks like this (payloads abridged):
//!
//! ```json
//! {"id":"0195…","case_id":"0195…","seq":2,
//!  "actor":{"user_id":"u-17","role":"officer","office":"TAP"},
//!  "at":"2026-03-02T15:04:05.123456Z","prev_hash":"9f2c…",
//!  "kind":{"type":"note_added","data":{"text":{"commitment":"…","salt":"…","value":"…"}}},
//!  "hash":"41d8…"}
//! ```
//!
//! # How the hash is computed (for third parties)
//!
//! The hash can be recomputed in any language with a JSON parser, an RFC 8785 (JSON
//! Canonicalization Scheme, JCS) canonicaliser and SHA-256. For one event, as stored:
//!
//! 1. Parse the event's JSON object and remove its `hash` member.
//! 2. Replace every **sealed value** — any object with a member named `commitment`; these only
//!    occur where a payload holds personal data — by an object holding only that member:
//!    `{"commitment": "<same hex>"}`. Do not look inside sealed values.
//! 3. Canonicalise the result with RFC 8785 (members sorted by UTF-16 code units, no white
//!    space, ECMAScript string escaping and number formatting: `1500.5`, `1e+21`, `1e-7`).
//!    Numbers are I-JSON's: no integer beyond ±2^53 (validation refuses larger numbers in an
//!    intake, `number.too_large`), so every parser reads them back exactly.
//! 4. Take SHA-256 of the UTF-8 bytes. Written as 64 lowercase hexadecimal digits it must equal
//!    the removed `hash`.
//!
//! The chain: event `seq` 1 has `prev_hash` equal to 64 zeros ([`GENESIS_HASH`]); event `n`
//! has `prev_hash` equal to the `hash` of event `n − 1`. The `hash` of the last event (with the
//! number of events) is the history's [`Anchor`]: whoever holds an anchor from an earlier
//! moment can also prove the history was not truncated since.
//!
//! Each sealed value with a `salt` and a `value` must also open its commitment:
//! `commitment = hex(SHA-256(bytes_from_hex(salt) ‖ JCS(value)))`, where the salt is 16 bytes
//! (32 hex digits) drawn at random when the event was made.
//!
//! `siproc-core/tests/recompute_hash.py` does exactly this with Python's standard library
//! (`hashlib` and a ten-line canonical JSON function); a Rust test runs it on real events and
//! compares the bytes.
//!
//! # Where salts come from
//!
//! A salt is what keeps an erased low-entropy value (a birth date, a sex, a short note) from being
//! found by hashing every candidate against its commitment, so it must be unpredictable to anyone
//! who does not hold it, even one who has seen every other salt. Salts (and, natively, event and
//! referral ids, through `uuid`'s `fast-rng` feature) are drawn from [`rand::rng`]: `rand`'s
//! `ThreadRng`, a ChaCha12 stream cipher used as a cryptographically secure generator, one per
//! thread, seeded from the operating system's generator (`getrandom`; the browser's
//! `crypto.getRandomValues` in WebAssembly) and reseeded from it after every 64 KiB of output. It
//! replaces one system call per sealed value (`getrandom`, through a v4 UUID, which also gave only
//! 122 random bits of the 128) by a few nanoseconds of ChaCha. The crate was chosen because it is
//! the maintained, reviewed generator of the Rust ecosystem made for exactly this (seeding,
//! reseeding, a vetted cipher), the one `uuid`'s `fast-rng` uses too, rather than a generator
//! written here. Its one caveat: a process that forks after sealing must reseed in the child
//! ([`reseed_salts`]), or the child would draw the parent's next salts; the Python module does so
//! with `os.register_at_fork`.
//!
//! # Erasure of personal data (designed, not yet implemented)
//!
//! Retention rules will require erasing personal data from closed cases after some years,
//! without breaking the proof that the rest of the history is intact. The payload shape already
//! allows it:
//!
//! - Every personal value in a payload — each person of `case_opened`, the facts, note texts,
//!   service descriptions, referral and reopening reasons, and both the old and new values of
//!   `facts_corrected` — is a [`Sealed`] value: `{"commitment", "salt", "value"}`.
//! - The event hash covers the **commitment only** (step 2 above). The commitment binds the
//!   value (SHA-256 is collision resistant) and, because of the random 128-bit salt, reveals
//!   nothing about it: a low-entropy value such as a birth date cannot be found by trying all
//!   candidates.
//! - Erasing will be a new event, `personal_data_erased` (who, why, under which retention
//!   rule, and the JSON Pointers of the sealed values it erases, e.g.
//!   `/events/1/kind/data/persons/0`). Carrying it out removes `salt` and `value` from those
//!   sealed values in the stored earlier events, keeping `commitment`. Every event hash, and so
//!   the whole chain, still verifies; the erased values can no longer be checked, nor
//!   recovered.
//! - [`verify`] then accepts a sealed value without `salt` and `value` only if a later
//!   `personal_data_erased` event lists it; today, with no such event kind, a missing value is
//!   reported as [`Tamper::Changed`]. [`replay`] will fold an erased value into a placeholder
//!   (today it refuses it with [`HistoryError::Erased`]).
//! - Non-personal data that statistics need (office, category, flags, status, dates, service
//!   kinds, partner codes, outcomes) is kept outside sealed values, so erasure does not break
//!   statistics or the workflow state.
//!
//! # Verification and replay
//!
//! [`verify`] recomputes every hash, checks every commitment, sequence number and link, and
//! names the first bad event with a [`Tamper`] reason: changed, removed, reordered, inserted,
//! truncated (given an [`Anchor`], see [`verify_against`]) or from a foreign case. Without a key
//! or an anchor held elsewhere, a hash chain cannot stop someone from rewriting a *whole*
//! history consistently; it makes any partial alteration evident, and an anchor (the last hash,
//! printed on the paper file or kept by the directorate) makes any alteration evident.
//!
//! [`replay`] folds the events into a [`Case`]. It checks the cheap structural facts (the first
//! event opens the case, sequence numbers and links follow, referrals and transfers exist) but
//! not hashes (that is [`verify`]'s job) and not the workflow's rules: rules may change over
//! time, and a history written under old rules must still replay.

mod canonical;
mod case_history;
pub(crate) mod hash;

use chrono::{DateTime, NaiveDate, Timelike, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::actor::Actor;
use crate::case::{
    Attachment, Case, Consent, ConsentScope, Facts, FollowUp, GeneratedForm, LegacyOrigin, Note,
    Priority, Referral, ReferralStatus, Service, Status, Transfer, TransferStatus,
};
use crate::person::Person;
use crate::transitions::{self, CommandKind};
pub(crate) use case_history::same_events;
pub use case_history::{AppendError, Appended, CaseHistory};
pub use hash::{GENESIS_HASH, canonical_json, event_hash, hashed_form};

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
            commitment: hash::to_hex(&digest),
            salt: Some(hash::to_hex(&salt)),
            value: Some(value),
        })
    }

    /// Whether the value and salt are present and open the commitment.
    pub fn opens(&self) -> bool {
        self.opens_with(&mut Vec::new())
    }

    fn opens_with(&self, buf: &mut Vec<u8>) -> bool {
        let (Some(salt), Some(value)) = (&self.salt, &self.value) else {
            return false;
        };
        let Some(salt) = hash::from_hex::<SALT_BYTES>(salt) else {
            return false;
        };
        let Some(expected) = hash::from_hex::<32>(&self.commitment) else {
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

/// A note as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteData {
    /// The text (personal data).
    pub text: Sealed<String>,
    /// The day it was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_on: Option<NaiveDate>,
}

/// A service as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceData {
    /// The service code from the catalog.
    pub kind: String,
    /// The day it was given.
    pub given_on: NaiveDate,
    /// What was done (personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Sealed<String>>,
}

/// A referral as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralData {
    /// Identifies the referral within the case.
    pub referral_id: Uuid,
    /// The partner code from the catalog.
    pub partner: String,
    /// Why (personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Sealed<String>>,
}

/// The payload of `case_opened`: the normalised intake, personal parts sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Opened {
    /// The case number given by the store (`MIA-2026-000123`).
    pub number: String,
    /// The registering office.
    pub office: String,
    /// The primary category.
    pub category: String,
    /// Vulnerability flags.
    pub flags: Vec<String>,
    /// Priority, after normalisation.
    pub priority: Priority,
    /// The day protection was asked for.
    pub opened_on: NaiveDate,
    /// The persons, each sealed.
    pub persons: Vec<Sealed<Person>>,
    /// Consent as recorded at intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Category-specific facts, sealed as a whole.
    pub facts: Sealed<Facts>,
    /// Notes entered at intake.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteData>,
    /// Services recorded at intake.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceData>,
    /// Referrals asked for at intake.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<ReferralData>,
    /// Attachments, by digest. Their descriptions must not hold personal data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Set when the case was migrated from a legacy log ([`crate::legacy`]): the source and
    /// row it came from and what today's intake would also require. Absent otherwise, so
    /// histories written before it hash as they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<LegacyOrigin>,
}

/// What happened, with its payload. Serialized as `{"type": "...", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    tag = "type",
    content = "data",
    rename_all = "snake_case",
    deny_unknown_fields
)]
#[non_exhaustive]
pub enum EventKind {
    /// The case was registered from a valid intake.
    CaseOpened(Box<Opened>),
    /// A value was corrected: the JSON Pointer into the case, the old and the new value
    /// (`null` when absent). Paths name fields and indexes only, never values.
    FactsCorrected {
        /// Where, e.g. `/persons/0/surnames` or `/facts/facility`.
        path: String,
        /// The value before (personal data).
        old: Sealed<Value>,
        /// The value after (personal data).
        new: Sealed<Value>,
        /// The follow-up items of a migrated case that this correction completes
        /// ([`crate::legacy`]); absent when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        resolves: Vec<FollowUp>,
    },
    /// The workflow status changed.
    StatusChanged {
        /// Before.
        from: Status,
        /// After.
        to: Status,
    },
    /// A note was added.
    NoteAdded(NoteData),
    /// A service was given.
    ServiceGiven(ServiceData),
    /// A form was generated for the paper file.
    FormGenerated {
        /// The form's id in the catalog.
        form: String,
        /// SHA-256 of the PDF, 64 lowercase hex digits.
        sha256: String,
    },
    /// A transfer to another office was asked for.
    TransferRequested {
        /// The sending office.
        from_office: String,
        /// The receiving office.
        to_office: String,
    },
    /// The receiving office took the case.
    TransferAccepted {
        /// The receiving office, now responsible.
        to_office: String,
    },
    /// The receiving office declined the case.
    TransferRejected {
        /// The office that declined.
        to_office: String,
    },
    /// The case was referred to a partner organisation.
    ReferralRequested(ReferralData),
    /// The partner took the referral on.
    ReferralAccepted {
        /// Which referral.
        referral_id: Uuid,
    },
    /// The partner declined the referral.
    ReferralRejected {
        /// Which referral.
        referral_id: Uuid,
    },
    /// The partner finished its part.
    ReferralDone {
        /// Which referral.
        referral_id: Uuid,
    },
    /// Consent was recorded (replacing any earlier one).
    ConsentRecorded {
        /// The consent.
        consent: Consent,
    },
    /// Consent was withdrawn, for the listed scopes or (empty list) entirely.
    ConsentWithdrawn {
        /// The scopes withdrawn; empty means all.
        #[serde(default)]
        scope: Vec<ConsentScope>,
    },
    /// Closure was asked for, with the outcome.
    ClosureRequested {
        /// The outcome: a short code or phrase (`repatriated`, `released`), not personal data.
        outcome: String,
    },
    /// A supervisor approved the closure.
    ClosureApproved,
    /// The case was closed.
    Closed {
        /// The outcome.
        outcome: String,
    },
    /// The case was reopened.
    Reopened {
        /// Why (personal data).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Sealed<String>>,
    },
    /// The case was archived: read-only from now on.
    Archived,
}

impl EventKind {
    /// The wire name (`case_opened`, `note_added`, …).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::CaseOpened(_) => "case_opened",
            EventKind::FactsCorrected { .. } => "facts_corrected",
            EventKind::StatusChanged { .. } => "status_changed",
            EventKind::NoteAdded(_) => "note_added",
            EventKind::ServiceGiven(_) => "service_given",
            EventKind::FormGenerated { .. } => "form_generated",
            EventKind::TransferRequested { .. } => "transfer_requested",
            EventKind::TransferAccepted { .. } => "transfer_accepted",
            EventKind::TransferRejected { .. } => "transfer_rejected",
            EventKind::ReferralRequested(_) => "referral_requested",
            EventKind::ReferralAccepted { .. } => "referral_accepted",
            EventKind::ReferralRejected { .. } => "referral_rejected",
            EventKind::ReferralDone { .. } => "referral_done",
            EventKind::ConsentRecorded { .. } => "consent_recorded",
            EventKind::ConsentWithdrawn { .. } => "consent_withdrawn",
            EventKind::ClosureRequested { .. } => "closure_requested",
            EventKind::ClosureApproved => "closure_approved",
            EventKind::Closed { .. } => "closed",
            EventKind::Reopened { .. } => "reopened",
            EventKind::Archived => "archived",
        }
    }

    /// The command that makes this event (`case_opened` is made by `open`).
    pub fn command(&self) -> CommandKind {
        match self {
            EventKind::CaseOpened(_) => CommandKind::Open,
            EventKind::FactsCorrected { .. } => CommandKind::Correct,
            EventKind::StatusChanged { .. } => CommandKind::ChangeStatus,
            EventKind::NoteAdded(_) => CommandKind::AddNote,
            EventKind::ServiceGiven(_) => CommandKind::RecordService,
            EventKind::FormGenerated { .. } => CommandKind::RecordForm,
            EventKind::TransferRequested { .. } => CommandKind::RequestTransfer,
            EventKind::TransferAccepted { .. } => CommandKind::AcceptTransfer,
            EventKind::TransferRejected { .. } => CommandKind::RejectTransfer,
            EventKind::ReferralRequested(_) => CommandKind::Refer,
            EventKind::ReferralAccepted { .. } => CommandKind::AcceptReferral,
            EventKind::ReferralRejected { .. } => CommandKind::RejectReferral,
            EventKind::ReferralDone { .. } => CommandKind::CompleteReferral,
            EventKind::ConsentRecorded { .. } => CommandKind::RecordConsent,
            EventKind::ConsentWithdrawn { .. } => CommandKind::WithdrawConsent,
            EventKind::ClosureRequested { .. } => CommandKind::RequestClosure,
            EventKind::ClosureApproved => CommandKind::ApproveClosure,
            EventKind::Closed { .. } => CommandKind::Close,
            EventKind::Reopened { .. } => CommandKind::Reopen,
            EventKind::Archived => CommandKind::Archive,
        }
    }

    /// Whether every sealed value in the payload is present and opens its commitment.
    fn commitments_open(&self, buf: &mut Vec<u8>) -> bool {
        fn opt<T: Serialize>(s: &Option<Sealed<T>>, buf: &mut Vec<u8>) -> bool {
            s.as_ref().is_none_or(|s| s.opens_with(buf))
        }
        match self {
            EventKind::CaseOpened(o) => {
                o.persons.iter().all(|p| p.opens_with(buf))
                    && o.facts.opens_with(buf)
                    && o.notes.iter().all(|n| n.text.opens_with(buf))
                    && o.services.iter().all(|s| opt(&s.description, buf))
                    && o.referrals.iter().all(|r| opt(&r.reason, buf))
            }
            EventKind::FactsCorrected { old, new, .. } => {
                old.opens_with(buf) && new.opens_with(buf)
            }
            EventKind::NoteAdded(n) => n.text.opens_with(buf),
            EventKind::ServiceGiven(s) => opt(&s.description, buf),
            EventKind::ReferralRequested(r) => opt(&r.reason, buf),
            EventKind::Reopened { reason } => opt(reason, buf),
            _ => true,
        }
    }
}

/// One entry of a case's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// Unique event id, a UUID v7.
    pub id: Uuid,
    /// The case it belongs to.
    pub case_id: Uuid,
    /// Position in the history: 1 for `case_opened`, then without gaps.
    pub seq: u64,
    /// Who did it, with which role, from which office.
    pub actor: Actor,
    /// When, in UTC, to the microsecond.
    pub at: DateTime<Utc>,
    /// The previous event's hash; [`GENESIS_HASH`] for the first event.
    pub prev_hash: String,
    /// What happened.
    pub kind: EventKind,
    /// SHA-256 of the event's hashed form, 64 lowercase hex digits (see the module docs).
    pub hash: String,
}

impl Event {
    /// Makes an event with a fresh id and its hash. `at` is truncated to microseconds.
    pub fn seal(
        case_id: Uuid,
        seq: u64,
        prev_hash: &str,
        actor: Actor,
        at: DateTime<Utc>,
        kind: EventKind,
    ) -> Result<Event, HistoryError> {
        let micros = at.nanosecond() / 1_000 * 1_000;
        let at = at.with_nanosecond(micros).unwrap_or(at);
        let mut event = Event {
            id: Uuid::now_v7(),
            case_id,
            seq,
            actor,
            at,
            prev_hash: prev_hash.to_owned(),
            kind,
            hash: String::new(),
        };
        event.hash = event_hash(&event)?;
        Ok(event)
    }

    /// Makes the event that follows `case`'s last one.
    pub fn next(
        case: &Case,
        actor: Actor,
        at: DateTime<Utc>,
        kind: EventKind,
    ) -> Result<Event, HistoryError> {
        Event::seal(case.id, case.version + 1, &case.head, actor, at, kind)
    }

    /// Whether the event's hash and commitments are right (its links are not checked).
    pub fn is_intact(&self) -> bool {
        self.intact_with(&mut Vec::new())
    }

    fn intact_with(&self, buf: &mut Vec<u8>) -> bool {
        let Ok(digest) = hash::event_digest(self, buf) else {
            return false;
        };
        hash::from_hex::<32>(&self.hash) == Some(digest) && self.kind.commitments_open(buf)
    }
}

/// An event sealed by the core just now, from values it sealed itself, and out of reach of any
/// change since: nothing outside the core can make one or alter the event inside. Its hash and
/// every commitment are right by construction, so a store takes it without computing them again
/// ([`CaseHistory::opened`]); events from anywhere else (imports, appends, a store's own rows)
/// are checked ([`CaseHistory::new`], [`CaseHistory::append`]).
///
/// It cannot be made from an [`Event`]:
///
/// ```compile_fail
/// # fn forge(event: siproc_core::history::Event) {
/// let fresh = siproc_core::history::FreshEvent(event);
/// # }
/// ```
///
/// The core wraps only what [`Event::seal`] returned for a kind whose sealed values it sealed
/// itself ([`Sealed::new`]) in the same call, never sealed values read from outside: their
/// commitments are not checked (hence the crate-private constructor).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreshEvent(pub(crate) Event);

impl FreshEvent {
    /// The event.
    pub fn event(&self) -> &Event {
        &self.0
    }

    /// The event, to keep or send (it is an ordinary event from then on).
    pub fn into_event(self) -> Event {
        self.0
    }
}

/// The state of a history at some moment: its length and last hash. Holding an anchor proves
/// later that the history was neither altered nor truncated up to that point.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Anchor {
    /// Number of events.
    pub version: u64,
    /// Hash of the last event.
    pub head: String,
}

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

fn tampered(events: &[Event], index: usize, reason: Tamper) -> HistoryError {
    let event = events.get(index);
    HistoryError::Tampered {
        index,
        seq: event.map_or(index as u64 + 1, |e| e.seq),
        event_id: event.map(|e| e.id),
        reason,
    }
}

/// Checks a whole history: hashes, commitments, sequence numbers, links and that every event
/// belongs to the first event's case. Returns the history's [`Anchor`].
pub fn verify(events: &[Event]) -> Result<Anchor, HistoryError> {
    verify_from(events, None)
}

/// Checks a history as [`verify`] does, and that it matches `anchor`: a shorter history is
/// [`Tamper::Truncated`], a longer one [`Tamper::Inserted`] past the anchor, a different last
/// hash [`Tamper::Changed`].
pub fn verify_against(events: &[Event], anchor: &Anchor) -> Result<Anchor, HistoryError> {
    verify_from(events, Some(anchor))
}

/// Checks that `events` continue a history whose last state is `anchor` (appending).
pub fn verify_continuation(events: &[Event], anchor: &Anchor) -> Result<Anchor, HistoryError> {
    let Some(first) = events.first() else {
        return Ok(anchor.clone());
    };
    let mut buf = Vec::with_capacity(512);
    let mut prev = anchor.head.as_str();
    let mut version = anchor.version;
    for (i, e) in events.iter().enumerate() {
        if !e.intact_with(&mut buf) {
            return Err(tampered(events, i, Tamper::Changed));
        }
        if e.case_id != first.case_id {
            return Err(tampered(events, i, Tamper::ForeignCase));
        }
        if e.seq != version + 1 {
            let reason = if e.seq > version + 1 {
                Tamper::Removed
            } else {
                Tamper::Inserted
            };
            return Err(tampered(events, i, reason));
        }
        if e.prev_hash != prev {
            return Err(tampered(events, i, Tamper::Inserted));
        }
        prev = &e.hash;
        version = e.seq;
    }
    Ok(Anchor {
        version,
        head: prev.to_owned(),
    })
}

fn verify_from(events: &[Event], anchor: Option<&Anchor>) -> Result<Anchor, HistoryError> {
    let first = events.first().ok_or(HistoryError::Empty)?;
    let mut buf = Vec::with_capacity(512);
    let mut prev_hash: &str = GENESIS_HASH;
    for (i, e) in events.iter().enumerate() {
        let expected = i as u64 + 1;
        if !e.intact_with(&mut buf) {
            return Err(tampered(events, i, Tamper::Changed));
        }
        if e.case_id != first.case_id {
            return Err(tampered(events, i, Tamper::ForeignCase));
        }
        if e.seq != expected {
            return Err(misplaced(events, i, expected));
        }
        if e.prev_hash != prev_hash {
            // Its own hash is right, so the predecessor is not the event it was chained to.
            let index = i.saturating_sub(1);
            let reason = if i == 0 {
                Tamper::Inserted
            } else {
                Tamper::Changed
            };
            return Err(tampered(events, index, reason));
        }
        prev_hash = &e.hash;
    }
    let found = Anchor {
        version: events.len() as u64,
        head: prev_hash.to_owned(),
    };
    if let Some(anchor) = anchor {
        let n = events.len();
        if anchor.version > found.version {
            return Err(HistoryError::Tampered {
                index: n,
                seq: found.version + 1,
                event_id: None,
                reason: Tamper::Truncated,
            });
        }
        let at = usize::try_from(anchor.version).unwrap_or(usize::MAX);
        let head_then = at.checked_sub(1).and_then(|k| events.get(k));
        if head_then.is_none_or(|e| e.hash != anchor.head) {
            return Err(tampered(events, at.saturating_sub(1), Tamper::Changed));
        }
        if anchor.version < found.version {
            return Err(tampered(events, at, Tamper::Inserted));
        }
    }
    Ok(found)
}

/// Says why the intact event at `i` has the wrong sequence number.
fn misplaced(events: &[Event], i: usize, expected: u64) -> HistoryError {
    let Some(e) = events.get(i) else {
        return HistoryError::Empty;
    };
    let duplicate = events
        .iter()
        .enumerate()
        .any(|(j, other)| j != i && other.id == e.id);
    if duplicate {
        return tampered(events, i, Tamper::Inserted);
    }
    if e.seq > expected {
        let later = events
            .get(i + 1..)
            .unwrap_or_default()
            .iter()
            .any(|x| x.seq == expected);
        let reason = if later {
            Tamper::Reordered
        } else {
            Tamper::Removed
        };
        return tampered(events, i, reason);
    }
    // e.seq < expected: two events claim the same place, or an earlier one was moved here.
    if let Some(before) = i.checked_sub(1).and_then(|k| events.get(k))
        && before.seq == e.seq
    {
        let link = i
            .checked_sub(2)
            .and_then(|k| events.get(k))
            .map_or(GENESIS_HASH, |x| x.hash.as_str());
        let index = if e.prev_hash == link { i - 1 } else { i };
        return tampered(events, index, Tamper::Inserted);
    }
    tampered(events, i, Tamper::Reordered)
}

/// Rebuilds the case from its history. Checks structure (see the module docs), not hashes.
pub fn replay(events: &[Event]) -> Result<Case, HistoryError> {
    let (first, rest) = events.split_first().ok_or(HistoryError::Empty)?;
    let mut case = open(first)?;
    for event in rest {
        apply(&mut case, event)?;
    }
    Ok(case)
}

/// Builds the case from its `case_opened` event.
pub fn open(event: &Event) -> Result<Case, HistoryError> {
    let invalid = |reason| HistoryError::Invalid {
        seq: event.seq,
        reason,
    };
    let EventKind::CaseOpened(o) = &event.kind else {
        return Err(invalid("not_opened"));
    };
    if event.seq != 1 || event.prev_hash != GENESIS_HASH {
        return Err(invalid("not_first"));
    }
    let erased = HistoryError::Erased { seq: event.seq };
    let persons = o
        .persons
        .iter()
        .map(|p| p.value().cloned().ok_or(erased.clone()))
        .collect::<Result<Vec<Person>, _>>()?;
    let facts = o.facts.value().cloned().ok_or(erased.clone())?;
    let notes = o
        .notes
        .iter()
        .map(|n| note(n, event.seq))
        .collect::<Result<Vec<_>, _>>()?;
    let services = o
        .services
        .iter()
        .map(|s| service(s, event.seq))
        .collect::<Result<Vec<_>, _>>()?;
    let referrals = o
        .referrals
        .iter()
        .map(|r| referral(r, event.seq))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Case {
        id: event.case_id,
        number: o.number.clone(),
        office: o.office.clone(),
        category: o.category.clone(),
        flags: o.flags.clone(),
        priority: o.priority,
        status: Status::Registered,
        opened_on: o.opened_on,
        persons,
        consent: o.consent.clone(),
        facts,
        notes,
        services,
        referrals,
        attachments: o.attachments.clone(),
        legacy: o.legacy.clone(),
        transfer: None,
        closure_requested: false,
        closure_approved: false,
        outcome: None,
        forms: Vec::new(),
        version: event.seq,
        created_at: event.at,
        updated_at: event.at,
        head: event.hash.clone(),
    })
}

fn unseal<T: Clone>(s: &Sealed<T>, seq: u64) -> Result<T, HistoryError> {
    s.value().cloned().ok_or(HistoryError::Erased { seq })
}

fn unseal_opt<T: Clone>(s: &Option<Sealed<T>>, seq: u64) -> Result<Option<T>, HistoryError> {
    s.as_ref().map(|s| unseal(s, seq)).transpose()
}

fn note(n: &NoteData, seq: u64) -> Result<Note, HistoryError> {
    Ok(Note {
        text: unseal(&n.text, seq)?,
        written_on: n.written_on,
    })
}

fn service(s: &ServiceData, seq: u64) -> Result<Service, HistoryError> {
    Ok(Service {
        kind: s.kind.clone(),
        given_on: s.given_on,
        description: unseal_opt(&s.description, seq)?,
    })
}

fn referral(r: &ReferralData, seq: u64) -> Result<Referral, HistoryError> {
    Ok(Referral {
        id: r.referral_id,
        partner: r.partner.clone(),
        reason: unseal_opt(&r.reason, seq)?,
        status: ReferralStatus::Pending,
    })
}

/// Applies one event to the case: the step of [`replay`]. On error the case is left unchanged.
pub fn apply(case: &mut Case, event: &Event) -> Result<(), HistoryError> {
    let seq = event.seq;
    let invalid = |reason| HistoryError::Invalid { seq, reason };
    if event.case_id != case.id {
        return Err(invalid("foreign_case"));
    }
    if seq != case.version + 1 || event.prev_hash != case.head {
        return Err(invalid("out_of_sequence"));
    }
    // The status the event leaves the case in: the `to` column of the workflow's table, for
    // the row of the event's command that runs in the case's status.
    let target = match &event.kind {
        EventKind::CaseOpened(_) => return Err(invalid("opened_twice")),
        EventKind::StatusChanged { from, to } => {
            if *from != case.status {
                return Err(invalid("status_mismatch"));
            }
            transitions::transition(CommandKind::ChangeStatus, *from, *to).map(|_| *to)
        }
        kind => kind.command().target(case.status),
    }
    .ok_or(invalid("wrong_status"))?;
    match &event.kind {
        EventKind::CaseOpened(_) => return Err(invalid("opened_twice")),
        EventKind::FactsCorrected {
            path,
            new,
            resolves,
            ..
        } => {
            let value = new.value().ok_or(HistoryError::Erased { seq })?;
            apply_correction(case, path, value).map_err(|_| invalid("bad_correction"))?;
            if let Some(origin) = &mut case.legacy {
                origin.complete(resolves);
            }
        }
        EventKind::StatusChanged { from, .. } => {
            if *from == Status::Resolved {
                clear_closure(case);
            }
        }
        EventKind::NoteAdded(n) => case.notes.push(note(n, seq)?),
        EventKind::ServiceGiven(s) => case.services.push(service(s, seq)?),
        EventKind::FormGenerated { form, sha256 } => case.forms.push(GeneratedForm {
            form: form.clone(),
            sha256: sha256.clone(),
            generated_at: event.at,
        }),
        EventKind::TransferRequested {
            from_office,
            to_office,
        } => {
            case.transfer = Some(Transfer {
                from_office: from_office.clone(),
                to_office: to_office.clone(),
                status: TransferStatus::Pending,
            });
        }
        EventKind::TransferAccepted { .. } | EventKind::TransferRejected { .. } => {
            let transfer = case
                .transfer
                .as_mut()
                .filter(|t| t.status == TransferStatus::Pending)
                .ok_or(invalid("no_pending_transfer"))?;
            if matches!(event.kind, EventKind::TransferAccepted { .. }) {
                transfer.status = TransferStatus::Accepted;
                case.office = transfer.to_office.clone();
            } else {
                transfer.status = TransferStatus::Rejected;
            }
        }
        EventKind::ReferralRequested(r) => case.referrals.push(referral(r, seq)?),
        EventKind::ReferralAccepted { referral_id }
        | EventKind::ReferralRejected { referral_id }
        | EventKind::ReferralDone { referral_id } => {
            let referral = case
                .referrals
                .iter_mut()
                .find(|r| r.id == *referral_id)
                .ok_or(invalid("unknown_referral"))?;
            referral.status = match event.kind {
                EventKind::ReferralAccepted { .. } => ReferralStatus::Accepted,
                EventKind::ReferralRejected { .. } => ReferralStatus::Rejected,
                _ => ReferralStatus::Done,
            };
        }
        EventKind::ConsentRecorded { consent } => {
            case.consent = Some(consent.clone());
            if let Some(origin) = &mut case.legacy {
                origin.consent_recorded(consent);
            }
        }
        EventKind::ConsentWithdrawn { scope } => {
            let consent = case.consent.as_mut().ok_or(invalid("no_consent"))?;
            if scope.is_empty() {
                consent.given = false;
                consent.scope.clear();
            } else {
                consent.scope.retain(|s| !scope.contains(s));
            }
        }
        EventKind::ClosureRequested { outcome } => {
            case.closure_requested = true;
            case.outcome = Some(outcome.clone());
        }
        EventKind::ClosureApproved => case.closure_approved = true,
        EventKind::Closed { outcome } => case.outcome = Some(outcome.clone()),
        EventKind::Reopened { .. } => clear_closure(case),
        EventKind::Archived => {}
    }
    case.status = target;
    case.version = seq;
    case.updated_at = event.at;
    case.head.clone_from(&event.hash);
    Ok(())
}

fn clear_closure(case: &mut Case) {
    case.closure_requested = false;
    case.closure_approved = false;
    case.outcome = None;
}

/// Why a correction cannot be applied.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CorrectionError {
    /// The path does not name a correctable field.
    NotCorrectable,
    /// The value does not have the field's type.
    BadValue,
}

/// The top-level fields a correction may change.
pub const CORRECTABLE: &[&str] = &["persons", "facts", "flags", "priority", "opened_on"];

fn segments(path: &str) -> Result<Vec<String>, CorrectionError> {
    let rest = path
        .strip_prefix('/')
        .ok_or(CorrectionError::NotCorrectable)?;
    Ok(rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect())
}

/// The value at `path` in the case's correctable fields (`null` when absent).
pub(crate) fn value_at(case: &Case, path: &str) -> Result<Value, CorrectionError> {
    let segs = segments(path)?;
    let (head, rest) = segs.split_first().ok_or(CorrectionError::NotCorrectable)?;
    let whole = match head.as_str() {
        "persons" => serde_json::to_value(&case.persons),
        "facts" => serde_json::to_value(&case.facts),
        "flags" => serde_json::to_value(&case.flags),
        "priority" => serde_json::to_value(case.priority),
        "opened_on" => serde_json::to_value(case.opened_on),
        _ => return Err(CorrectionError::NotCorrectable),
    }
    .map_err(|_| CorrectionError::BadValue)?;
    let mut at = &whole;
    for seg in rest {
        let next = match at {
            Value::Object(m) => m.get(seg.as_str()),
            Value::Array(a) => seg.parse::<usize>().ok().and_then(|i| a.get(i)),
            _ => None,
        };
        match next {
            Some(v) => at = v,
            None => return Ok(Value::Null),
        }
    }
    Ok(at.clone())
}

/// Sets the value at `path` in the case's correctable fields. `null` removes an object member
/// (a fact, an optional field); an index equal to an array's length (or `-`) appends.
pub(crate) fn apply_correction(
    case: &mut Case,
    path: &str,
    value: &Value,
) -> Result<(), CorrectionError> {
    let segs = segments(path)?;
    let (head, rest) = segs.split_first().ok_or(CorrectionError::NotCorrectable)?;
    fn set<T: Serialize + serde::de::DeserializeOwned>(
        target: &mut T,
        rest: &[String],
        value: &Value,
    ) -> Result<(), CorrectionError> {
        let mut whole = serde_json::to_value(&*target).map_err(|_| CorrectionError::BadValue)?;
        set_in(&mut whole, rest, value)?;
        *target = serde_json::from_value(whole).map_err(|_| CorrectionError::BadValue)?;
        Ok(())
    }
    match head.as_str() {
        "persons" if !rest.is_empty() => set(&mut case.persons, rest, value),
        "facts" if rest.len() == 1 => set(&mut case.facts, rest, value),
        "flags" | "priority" | "opened_on" if rest.is_empty() => match head.as_str() {
            "flags" => set(&mut case.flags, rest, value),
            "priority" => set(&mut case.priority, rest, value),
            _ => set(&mut case.opened_on, rest, value),
        },
        _ => Err(CorrectionError::NotCorrectable),
    }
}

fn set_in(target: &mut Value, path: &[String], value: &Value) -> Result<(), CorrectionError> {
    let Some((seg, rest)) = path.split_first() else {
        *target = value.clone();
        return Ok(());
    };
    match target {
        Value::Object(m) => {
            if rest.is_empty() && value.is_null() {
                m.remove(seg.as_str());
                return Ok(());
            }
            let slot = m.entry(seg.clone()).or_insert(Value::Null);
            set_in(slot, rest, value)
        }
        Value::Array(a) => {
            let index = if seg == "-" {
                a.len()
            } else {
                seg.parse::<usize>()
                    .map_err(|_| CorrectionError::NotCorrectable)?
            };
            if index == a.len() && rest.is_empty() {
                a.push(value.clone());
                return Ok(());
            }
            let slot = a.get_mut(index).ok_or(CorrectionError::NotCorrectable)?;
            set_in(slot, rest, value)
        }
        _ => Err(CorrectionError::NotCorrectable),
    }
}
