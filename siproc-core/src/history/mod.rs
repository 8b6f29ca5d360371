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
//! # Erasure of personal data
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
//! - Erasing is an event, `personal_data_erased` (who: its actor; why: `reason`; under which
//!   retention rule: `rule`; and `pointers`, the JSON Pointers of the sealed values it erases
//!   into the history as a list of events, 0-based, e.g. `/events/0/kind/data/persons/0` for
//!   the first person of the opening event). Carrying it out ([`CaseHistory::append`], and
//!   every store as it appends it) removes `salt` and `value` from those sealed values in the
//!   stored earlier events, keeping `commitment`. Every event hash, and so the whole chain,
//!   still verifies; the erased values can no longer be checked, nor recovered.
//! - [`verify`] accepts a sealed value without `salt` and `value` only if a later
//!   `personal_data_erased` event lists it; any other missing value is [`Tamper::Changed`].
//!   [`replay`] folds an erased value into a placeholder (an empty text, an absent
//!   description, a person with no names) and lists where it was in [`Case::erased`].
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
//!
//! # Layout
//!
//! One concept per child: `sealed` ([`Sealed`] values and their salts), `payload` (what an
//! opening, a note, a service or a referral records), `kind` ([`EventKind`]), `event` ([`Event`],
//! its hashed form and hash, [`FreshEvent`]), `error` ([`HistoryError`], [`Tamper`]), `verify`
//! ([`verify`], [`Anchor`]), `replay` ([`replay`], [`apply`]), `correction` (the JSON Pointers a
//! correction may change), `hash` (SHA-256 over canonical JSON), `canonical` (the RFC 8785
//! writer) and `case_history` ([`CaseHistory`]). Hexadecimal is the crate's `hex` module, shared
//! with the archive and validation.
//!
//! [`Actor`]: crate::Actor
//! [`Case`]: crate::Case
//! [`Case::erased`]: crate::Case::erased

mod canonical;
mod case_history;
mod correction;
mod erased;
mod error;
mod event;
pub(crate) mod hash;
mod kind;
mod payload;
mod replay;
mod sealed;
mod verify;

#[cfg(feature = "sqlite")] // the encrypted stores' event bodies
pub(crate) use canonical::{SEALED_MEMBER, Sealer};
pub(crate) use case_history::same_events;
pub use case_history::{AppendError, Appended, CaseHistory};
pub use correction::CORRECTABLE;
pub(crate) use correction::{CorrectionError, apply_correction, value_at};
pub(crate) use erased::held_pointers;
pub use error::{HistoryError, Tamper};
pub use event::{Event, FreshEvent, event_hash, hashed_form};
#[cfg(feature = "sqlite")]
pub(crate) use hash::canonical_json_sealing;
pub use hash::{GENESIS_HASH, canonical_json, canonical_numbers};
pub use kind::EventKind;
pub use payload::{AddedAttachment, NoteData, Opened, ReferralData, ServiceData};
pub use replay::{apply, open, replay};
pub use sealed::{SALT_BYTES, Sealed, reseed_salts};
pub use verify::{Anchor, verify, verify_against, verify_continuation};
