//! Where histories live: the [`CaseStore`] contract, the helpers every backend shares, and the
//! backends: [`MemoryStore`] (tests, bindings, embedders), [`sqlite::SqliteStore`] (feature
//! `sqlite`, the default durable store) and [`postgres::PostgresStore`] (feature `postgres`).
//! [`open_store`] picks one from a URL.
//!
//! A store keeps each case's events, numbers new cases per office and year without gaps, appends
//! with optimistic concurrency (an expected version; a mismatch is [`StoreError::Conflict`]
//! naming the current version), finds cases by office, status, category, case number, document
//! number and name (ignoring accents and case), a page at a time, and keeps a store-wide
//! [`feed`](CaseStore::feed) of what was written, without personal data.
//!
//! # One contract, shared rules
//!
//! The rules are the core's, not each backend's:
//! - what an append must satisfy (expected version, idempotency by event id, the chain continued,
//!   the events applying to the case) is [`CaseHistory::append`]; a backend loads the case's
//!   history inside its transaction, calls it, and writes what it accepted;
//! - a new case's first event is a [`history::FreshEvent`] the core sealed in the same call, taken
//!   by [`CaseHistory::opened`] (its number checked, not hashed again); an import is checked by
//!   [`CaseHistory::new`] and compared event by event (ids and hashes, as
//!   [`CaseHistory::is_same`] compares them);
//! - what the search index holds is [`IndexTerms::of`] (names folded with
//!   [`crate::names::fold_name`], documents as [`document_key`]) and what a query looks for is
//!   [`name_terms`] and [`document_key`].
//!
//! The [`testkit`] (feature `testkit`) runs the whole contract against any implementation:
//! `siproc_core::store::testkit::check_store(|| MyStore::new())`. Every backend here passes it.
//!
//! # Why the trait is synchronous
//!
//! The core has no async runtime and must stay usable from Python (pyo3), WebAssembly and
//! plain embedders, none of which want to bring or drive one; an in-memory store has nothing to
//! await. The SQL stores use blocking drivers (rusqlite, postgres) and the async server calls
//! the store inside `tokio::task::spawn_blocking`. A store call is one short transaction, so a
//! blocking pool is the right tool.
//!
//! # How the SQL stores map the contract
//!
//! Both write and read through one SQL layer (`sql`: one list of migrations, every statement
//! written once for SQLite and PostgreSQL); the records kept about access beside the cases
//! ([`records`]: the access log, grants, form checks, token hashes, idempotency keys) use it
//! too, in the same database ([`open_database`], [`StoreUrl`]).
//!
//! - numbers: a `case_counters(office, year, last)` row updated in the transaction that inserts
//!   the first event, so a failed creation rolls the number back and no gap appears;
//! - append: the case row is read and locked first (`SELECT … FOR UPDATE` on PostgreSQL, the
//!   single writer on SQLite); `(case_id, seq)` and event ids are unique keys, so a concurrent
//!   writer that slipped past is still refused;
//! - the feed: every event row gets a store-wide `position`, assigned in commit order;
//! - search: [`IndexTerms`] rows in `case_names` and `case_documents`, never in logs.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{self, AccessEntry, ReadKind, Scope};
use crate::actor::Actor;
use crate::case::{Case, Intake, Priority, Status};
use crate::case_record::KeptRecord;
use crate::catalog::Catalog;
use crate::history::CaseHistory;
use crate::history::{self, Anchor, AppendError, Event, EventKind, HistoryError};
use crate::names::fold_name;
use crate::workflow::{self, Command, WorkflowError};

#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod accounts;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod audit_log;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod credentials;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod oidc;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod passkeys;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use passkeys::Ceremony;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sessions;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use credentials::{Enrolment, PasswordCredentials};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod blobs;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod exports;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod grants;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub mod maintenance;
mod memory;
pub mod records;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod rekey;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod releases;
mod url;

#[cfg(feature = "postgres")]
pub mod postgres;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
pub mod sqlite;
#[cfg(feature = "testkit")]
pub mod testkit;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use blobs::DatabaseBlobs;
pub use memory::MemoryStore;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use records::Records;
pub use records::{CheckFilter, CheckOutcome, FormCheckRecord, LogFilter};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use rekey::{KeyChange, encrypt_store, rotate_master_key};
pub use url::{StoreUrl, open_store, open_store_with_key};
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use url::{open_database, open_database_with_key};

/// A store operation that failed. Never holds personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The case has moved on: its version is not the one expected.
    #[error("version conflict: the case is at version {current}")]
    Conflict {
        /// The case's current version (number of events).
        current: u64,
    },
    /// No case with that id.
    #[error("no such case")]
    NotFound,
    /// A case with that id exists, with another history.
    #[error("a case with that id already exists")]
    DuplicateCase,
    /// Another case has that case number.
    #[error("the case number is taken")]
    NumberTaken,
    /// The events do not verify or replay.
    #[error("the events are not a valid history: {0}")]
    Invalid(#[source] HistoryError),
    /// A stored case's events no longer verify or replay (changed on disk).
    #[error("the stored history of case {case_id} does not verify: {source}")]
    Damaged {
        /// The case (an id, not personal data).
        case_id: Uuid,
        /// What is wrong with its events.
        #[source]
        source: HistoryError,
    },
    /// The workflow refused the command.
    #[error("refused: {0}")]
    Rejected(#[source] WorkflowError),
    /// A form could not be rendered (see [`crate::forms::generate_form`]).
    #[cfg(feature = "pdf")]
    #[error("form not generated: {0}")]
    Form(#[source] crate::forms::FormError),
    /// The store URL names no store this build can open.
    #[error("bad store URL: {reason}")]
    BadUrl {
        /// What is wrong with it; never the URL itself (it may hold a password).
        reason: &'static str,
    },
    /// The database was written by a newer siproc: its schema version is unknown here.
    #[error("the database has schema version {found}; this siproc knows up to {supported}")]
    NewerSchema {
        /// The database's schema version.
        found: u32,
        /// The newest version this build knows.
        supported: u32,
    },
    /// The file or database is not a siproc store, or is damaged beyond a single case.
    #[error("the store is corrupt: {reason}")]
    Corrupt {
        /// What was found; never a value.
        reason: String,
    },
    /// No database where one must already be (the SQLite file to back up, check or restore
    /// from does not exist).
    #[error("no database there")]
    NoDatabase,
    /// A restore's target already holds data: restores go into an empty database.
    #[error("the target database is not empty")]
    NotEmpty,
    /// A backup would overwrite an existing file.
    #[error("the backup file already exists")]
    TargetExists,
    /// The backend failed (a database error, described without data).
    #[error("store backend error: {reason}")]
    Backend {
        /// What failed; never a value.
        reason: String,
    },
    /// A master key file is unreadable or not 64 hexadecimal digits ([`crate::keys`]).
    #[error("bad master key: {reason}")]
    KeyFile {
        /// What is wrong; never the path nor the content.
        reason: &'static str,
    },
    /// The store is encrypted and was opened without its master key.
    #[error("the store is encrypted: open it with its master key (SIPROC_MASTER_KEY_FILE)")]
    KeyRequired,
    /// The master key given is not the store's.
    #[error("the master key is not this store's")]
    WrongKey,
    /// A master key was given for a store that holds unencrypted cases: convert it first
    /// ([`crate::store::encrypt_store`]).
    #[error("the store holds unencrypted cases: convert it with its new master key first")]
    Unencrypted,
    /// A key rotation or a conversion to encryption was interrupted: run it again to finish
    /// before the store opens ([`crate::store::rotate_master_key`],
    /// [`crate::store::encrypt_store`]).
    #[error("a key rotation or conversion is unfinished: run it again to finish it")]
    KeyChangeUnfinished,
    /// A name search with more words than [`MAX_NAME_WORDS`] ([`CaseQuery::check`]).
    #[error("a name search has at most {max} words")]
    TooManyNameWords {
        /// The limit.
        max: usize,
    },
}

impl StoreError {
    /// Every code [`StoreError::code`] returns of its own (the inner `history.*`, `workflow.*`
    /// and `form.*` codes are listed by those modules).
    pub const CODES: &'static [&'static str] = &[
        "store.conflict",
        "store.not_found",
        "store.duplicate_case",
        "store.number_taken",
        "store.bad_url",
        "store.newer_schema",
        "store.corrupt",
        "store.no_database",
        "store.not_empty",
        "store.target_exists",
        "store.backend",
        "store.key_file",
        "store.key_required",
        "store.wrong_key",
        "store.unencrypted",
        "store.key_change_unfinished",
        "store.too_many_name_words",
    ];

    /// The stable machine code: `store.conflict`, `store.not_found`, `store.duplicate_case`,
    /// `store.number_taken`, `store.bad_url` (an unknown scheme, an empty path, a backend not
    /// built in), `store.newer_schema` (a database from a newer siproc), `store.corrupt` (not a
    /// siproc database, or unreadable), `store.backend`, `store.key_file` (a master key file
    /// unreadable or malformed), `store.key_required` (an encrypted store opened without its
    /// key), `store.wrong_key`, `store.unencrypted` (a key given for a store of clear cases),
    /// `store.key_change_unfinished` (an interrupted rotation or conversion), or the inner `history.*` (for a
    /// damaged stored case too) / `workflow.*` / `form.*` code.
    pub fn code(&self) -> &'static str {
        match self {
            StoreError::Conflict { .. } => "store.conflict",
            StoreError::NotFound => "store.not_found",
            StoreError::DuplicateCase => "store.duplicate_case",
            StoreError::NumberTaken => "store.number_taken",
            StoreError::Invalid(e) | StoreError::Damaged { source: e, .. } => e.code(),
            StoreError::Rejected(e) => e.code(),
            #[cfg(feature = "pdf")]
            StoreError::Form(e) => e.code,
            StoreError::BadUrl { .. } => "store.bad_url",
            StoreError::NewerSchema { .. } => "store.newer_schema",
            StoreError::Corrupt { .. } => "store.corrupt",
            StoreError::NoDatabase => "store.no_database",
            StoreError::NotEmpty => "store.not_empty",
            StoreError::TargetExists => "store.target_exists",
            StoreError::Backend { .. } => "store.backend",
            StoreError::KeyFile { .. } => "store.key_file",
            StoreError::KeyRequired => "store.key_required",
            StoreError::WrongKey => "store.wrong_key",
            StoreError::Unencrypted => "store.unencrypted",
            StoreError::KeyChangeUnfinished => "store.key_change_unfinished",
            StoreError::TooManyNameWords { .. } => "store.too_many_name_words",
        }
    }

    /// For a damaged stored case, which one.
    pub fn case_id(&self) -> Option<Uuid> {
        match self {
            StoreError::Damaged { case_id, .. } => Some(*case_id),
            _ => None,
        }
    }
}

impl From<HistoryError> for StoreError {
    fn from(e: HistoryError) -> Self {
        StoreError::Invalid(e)
    }
}

impl From<WorkflowError> for StoreError {
    fn from(e: WorkflowError) -> Self {
        StoreError::Rejected(e)
    }
}

impl From<AppendError> for StoreError {
    fn from(e: AppendError) -> Self {
        match e {
            AppendError::Conflict { current } => StoreError::Conflict { current },
            AppendError::Invalid(h) => StoreError::Invalid(h),
        }
    }
}

/// What a store holds of some cases, by id and by number: [`CaseStore::known_cases`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KnownCases {
    /// The version and head of each case asked about that is stored, by id.
    pub stored: HashMap<Uuid, (u64, String)>,
    /// The numbers asked about that a stored case carries.
    pub numbers: HashSet<String>,
}

/// What to look for; every given criterion must match. Results are ordered by case number
/// (byte order); `after` and `limit` page through them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaseQuery {
    /// The responsible office.
    pub office: Option<String>,
    /// The workflow status.
    pub status: Option<Status>,
    /// The primary category.
    pub category: Option<String>,
    /// The case number, exactly.
    pub number: Option<String>,
    /// Cases of this office, or with a transfer pending to it (what an officer of the office
    /// sees: [`crate::access::visible_query`]).
    pub reaching_office: Option<String>,
    /// An identity document number of any person, compared on letters and digits only.
    pub document_number: Option<String>,
    /// Words of a person's name, compared without accents, case or punctuation; every word must
    /// be one of the same person's names.
    pub name: Option<String>,
    /// At most this many summaries.
    pub limit: Option<usize>,
    /// Only cases whose number sorts after this one (the last number of the previous page).
    pub after: Option<String>,
}

/// Most distinct words of a name search ([`CaseQuery::check`]): a person's names rarely
/// pass eight, and every word is one more join of the name index (SQLite refuses a join of
/// 64 tables).
pub const MAX_NAME_WORDS: usize = 16;

/// A stored case whose national is probably the intake's ([`possible_duplicates`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PossibleDuplicate {
    /// The case (no personal data).
    pub case: CaseSummary,
    /// Why ([`crate::duplicates`]'s reasons: `same_document`, `same_name_and_birth_date`,
    /// `similar_name`).
    pub reasons: Vec<crate::duplicates::DuplicateReason>,
    /// For sorting, most likely first ([`crate::duplicates`]'s score).
    pub score: f64,
}

/// The stored cases whose national is probably `intake`'s, before it is registered: candidates
/// from the search index (the national's document numbers, their surnames), each narrowed by
/// `visible` (the caller's visibility: `None` drops the query, as [`crate::access::visible_query`]
/// does for a role that sees no case), at most `limit` cases read, then compared with the
/// intake's national by [`crate::duplicates::find_duplicate_persons`]. Most likely first.
pub fn possible_duplicates(
    store: &dyn CaseStore,
    intake: &Intake,
    visible: impl Fn(CaseQuery) -> Option<CaseQuery>,
    limit: usize,
) -> Result<Vec<PossibleDuplicate>, StoreError> {
    let Some(national) = intake.national() else {
        return Ok(Vec::new());
    };
    let mut queries: Vec<CaseQuery> = national
        .documents
        .iter()
        .filter(|d| !d.number.trim().is_empty())
        .map(|d| CaseQuery {
            document_number: Some(d.number.clone()),
            ..CaseQuery::default()
        })
        .collect();
    if !national.surnames.trim().is_empty() {
        queries.push(CaseQuery {
            name: Some(national.surnames.clone()),
            ..CaseQuery::default()
        });
    }
    let mut found: Vec<CaseSummary> = Vec::new();
    for query in queries {
        let Some(query) = visible(CaseQuery {
            limit: Some(limit),
            ..query
        }) else {
            continue;
        };
        query.check()?;
        for summary in store.list(&query)? {
            if found.len() < limit && !found.iter().any(|f| f.id == summary.id) {
                found.push(summary);
            }
        }
    }
    let cases = found
        .iter()
        .map(|f| load_case(store, f.id))
        .collect::<Result<Vec<Case>, StoreError>>()?;
    let persons: Vec<Option<&crate::person::Person>> = std::iter::once(Some(national))
        .chain(cases.iter().map(Case::national))
        .collect();
    let mut out: Vec<PossibleDuplicate> = crate::duplicates::find_duplicate_persons(&persons)
        .into_iter()
        .filter(|p| p.a == 0 || p.b == 0)
        .filter_map(|p| {
            let other = if p.a == 0 { p.b } else { p.a };
            Some(PossibleDuplicate {
                case: found.get(other.checked_sub(1)?)?.clone(),
                reasons: p.reasons,
                score: p.score,
            })
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score));
    Ok(out)
}

/// What the text of one search box names: a case number (office letters, year, sequence:
/// `TAP-2026-000022`, in any case), else an identity document number (the text has a digit: a
/// DNI `0801-1994-04512`, a passport `E1234567`), else words of a person's name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SearchTerm {
    /// A case number, in upper case.
    Number(String),
    /// An identity document number, as typed (trimmed).
    Document(String),
    /// Words of a name, as typed (trimmed).
    Name(String),
}

impl SearchTerm {
    /// What `text` names; `None` for empty text.
    pub fn of(text: &str) -> Option<SearchTerm> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let upper = text.to_uppercase();
        let case_number = parse_case_number(&upper).is_some_and(|(office, _, _)| {
            office.starts_with(|c: char| c.is_ascii_uppercase())
                && office.chars().all(|c| c.is_ascii_uppercase() || c == '-')
        });
        Some(if case_number {
            SearchTerm::Number(upper)
        } else if text.chars().any(|c| c.is_ascii_digit()) {
            SearchTerm::Document(text.to_owned())
        } else {
            SearchTerm::Name(text.to_owned())
        })
    }
}

impl CaseQuery {
    /// Whether the query may be run: at most [`MAX_NAME_WORDS`] distinct name words
    /// ([`name_terms`]). Every store checks it before it searches, so no face of the core can
    /// ask for more.
    pub fn check(&self) -> Result<(), StoreError> {
        let words = self.name.as_deref().map(name_terms).unwrap_or_default();
        if words.len() > MAX_NAME_WORDS {
            return Err(StoreError::TooManyNameWords {
                max: MAX_NAME_WORDS,
            });
        }
        Ok(())
    }

    /// The personal values this query searches by, as the index compares them: `name` (one
    /// entry per distinct word, [`name_terms`]), `document_number` ([`document_key`]) and
    /// `number` (the case number). What an audit entry of the search keeps, as keyed hashes.
    pub fn search_terms(&self) -> Vec<(&'static str, String)> {
        let mut terms: Vec<(&'static str, String)> = self
            .name
            .as_deref()
            .map(name_terms)
            .unwrap_or_default()
            .into_iter()
            .map(|w| ("name", w))
            .collect();
        terms.extend(
            self.document_number
                .as_deref()
                .map(|d| ("document_number", document_key(d))),
        );
        terms.extend(self.number.clone().map(|n| ("number", n)));
        terms
    }

    /// The query with the text of one search box (what a user types to find a case) as the
    /// criterion it names ([`SearchTerm::of`]): a case number, a document number or a name.
    /// A criterion already given is kept. Empty text adds nothing.
    ///
    /// ```
    /// use siproc_core::store::CaseQuery;
    /// let q = CaseQuery::default().with_text(" tap-2026-000022 ");
    /// assert_eq!(q.number.as_deref(), Some("TAP-2026-000022"));
    /// let q = CaseQuery::default().with_text("0801-1994-04512");
    /// assert_eq!(q.document_number.as_deref(), Some("0801-1994-04512"));
    /// let q = CaseQuery::default().with_text("Núñez Güity");
    /// assert_eq!(q.name.as_deref(), Some("Núñez Güity"));
    /// ```
    #[must_use]
    pub fn with_text(mut self, text: &str) -> CaseQuery {
        match SearchTerm::of(text) {
            Some(SearchTerm::Number(n)) => self.number = self.number.or(Some(n)),
            Some(SearchTerm::Document(d)) => {
                self.document_number = self.document_number.or(Some(d));
            }
            Some(SearchTerm::Name(n)) => self.name = self.name.or(Some(n)),
            None => {}
        }
        self
    }

    /// The criteria this query names (`name`, `document_number`, `number`, `office`,
    /// `status`, `category`), in that order: what an audit entry of the search lists.
    pub fn searched_fields(&self) -> Vec<&'static str> {
        [
            ("name", self.name.is_some()),
            ("document_number", self.document_number.is_some()),
            ("number", self.number.is_some()),
            ("office", self.office.is_some()),
            ("status", self.status.is_some()),
            ("category", self.category.is_some()),
        ]
        .into_iter()
        .filter_map(|(field, given)| given.then_some(field))
        .collect()
    }
}

/// What a list shows of a case: no personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseSummary {
    /// The case id.
    pub id: Uuid,
    /// The case number.
    pub number: String,
    /// The responsible office.
    pub office: String,
    /// The primary category.
    pub category: String,
    /// The status.
    pub status: Status,
    /// The priority.
    pub priority: Priority,
    /// The day protection was asked for.
    pub opened_on: NaiveDate,
    /// Number of events.
    pub version: u64,
    /// Hash of the last event.
    pub head: String,
    /// When the last event happened.
    pub updated_at: DateTime<Utc>,
    /// Whether the case was migrated from a legacy log ([`crate::legacy`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub migrated: bool,
    /// How many follow-up items a migrated case still lacks (0: complete).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub follow_ups: usize,
    /// The national's name ([`Case::national_name`]): only in a list that asked for names,
    /// each case named there written to the access log ([`name_summaries`]); absent otherwise,
    /// and for a case whose names were erased.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl CaseSummary {
    /// The summary of a case.
    pub fn of(case: &Case) -> CaseSummary {
        CaseSummary {
            id: case.id,
            number: case.number.clone(),
            office: case.office.clone(),
            category: case.category.clone(),
            status: case.status,
            priority: case.priority,
            opened_on: case.opened_on,
            version: case.version,
            head: case.head.clone(),
            updated_at: case.updated_at,
            migrated: case.legacy.is_some(),
            follow_ups: case.legacy.as_ref().map_or(0, |l| l.follow_ups.len()),
            name: None,
        }
    }

    /// The anchor of the case's history.
    pub fn anchor(&self) -> Anchor {
        Anchor {
            version: self.version,
            head: self.head.clone(),
        }
    }
}

/// One entry of the store-wide feed: an event was written. No personal data: the server
/// streams these to anyone allowed to follow the store's activity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedEntry {
    /// The entry's place in the feed: strictly increasing across the store, in the order the
    /// writes were committed (a reader that saw position `p` misses nothing by asking for
    /// entries after `p`). Not necessarily contiguous.
    pub position: u64,
    /// The case.
    pub case_id: Uuid,
    /// The case number.
    pub number: String,
    /// The case's responsible office once the write was committed.
    pub office: String,
    /// The event's sequence number in its case.
    pub seq: u64,
    /// The event type's wire name (`case_opened`, `note_added`, …).
    pub kind: String,
    /// The office a transfer of the case is pending to, as the case stands when the feed is
    /// read (none when no transfer is pending): that office sees the case too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer_to: Option<String>,
}

impl FeedEntry {
    /// The entries for `events` just written to `case`, numbered from `first_position`.
    pub fn of(case: &Case, events: &[Event], first_position: u64) -> Vec<FeedEntry> {
        (first_position..)
            .zip(events)
            .map(|(position, e)| FeedEntry {
                position,
                case_id: case.id,
                number: case.number.clone(),
                office: case.office.clone(),
                seq: e.seq,
                kind: e.kind.name().to_owned(),
                transfer_to: pending_transfer_to(case),
            })
            .collect()
    }
}

/// The office a transfer of `case` is pending to, if any: the SQL stores keep it in the
/// `transfer_to` column of `cases`, for [`CaseQuery::reaching_office`] and the feed.
pub(crate) fn pending_transfer_to(case: &Case) -> Option<String> {
    case.pending_transfer().map(str::to_owned)
}

/// What [`CaseStore::put_history`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PutOutcome {
    /// The case was new and is now stored.
    Inserted,
    /// The very same history was already stored.
    Unchanged,
}

/// A place that keeps case histories. See the module docs for why it is synchronous and how the
/// SQL stores implement it; [`testkit::check_store`] checks an implementation.
pub trait CaseStore: Send + Sync {
    /// Creates a case: takes the next number for `office` and `year`, calls `seal` with it to
    /// make the `case_opened` event, and stores that event — atomically, so that numbers run
    /// without gaps even under concurrency (a refused `seal` consumes no number). The event is
    /// a [`history::FreshEvent`]: only the core's [`workflow::Opening::seal`] makes one, so the
    /// store need not hash it again. Returns the case the event opened: the store replays the
    /// event to index it, and hands over that replay rather than a copy of the event (a caller
    /// that wants the event reads it back).
    fn create_case(
        &self,
        office: &str,
        year: i32,
        seal: &mut dyn FnMut(&str) -> Result<history::FreshEvent, WorkflowError>,
    ) -> Result<Case, StoreError>;

    /// All events of a case, in order. A durable store checks what it read: events that no
    /// longer verify are [`StoreError::Damaged`] naming the case.
    fn load(&self, case_id: Uuid) -> Result<Vec<Event>, StoreError>;

    /// Calls `read` with a case's events, checked as [`load`](CaseStore::load) checks them.
    /// The default reads them with `load`; a store that holds the events in memory lends them
    /// instead of copying them (an archive of every case reads each case this way), holding
    /// its lock while `read` runs: `read` must not call the store.
    fn read_events(&self, case_id: Uuid, read: &mut dyn FnMut(&[Event])) -> Result<(), StoreError> {
        read(&self.load(case_id)?);
        Ok(())
    }

    /// A case's history and the case it makes, checked as [`load`](CaseStore::load) checks
    /// it. The default replays what `load` returns; a store that builds the history while
    /// checking (the SQL stores) returns it without replaying twice.
    fn load_history(&self, case_id: Uuid) -> Result<CaseHistory, StoreError> {
        Ok(CaseHistory::trusted(self.load(case_id)?)?)
    }

    /// Appends `events` if the case is at `expected_version`; returns the new version. A
    /// different version is [`StoreError::Conflict`] — unless these very events (same ids) are
    /// already stored at those positions, which returns the current version (idempotent).
    /// The rules are [`CaseHistory::append`]'s.
    fn append(
        &self,
        case_id: Uuid,
        expected_version: u64,
        events: &[Event],
    ) -> Result<u64, StoreError>;

    /// The summaries of the cases that match, ordered by case number, from after
    /// `query.after`, at most `query.limit`.
    fn list(&self, query: &CaseQuery) -> Result<Vec<CaseSummary>, StoreError>;

    /// The summary of one case.
    fn summary(&self, case_id: Uuid) -> Result<CaseSummary, StoreError>;

    /// What the store holds of the cases an archive brings (its import's check, before it
    /// writes): which of `ids` are stored, with their version and head, and which of `numbers`
    /// a stored case carries. The default asks case by case ([`CaseStore::summary`],
    /// [`CaseStore::list`]); a store across a network answers a whole batch in one query.
    fn known_cases(&self, ids: &[Uuid], numbers: &[&str]) -> Result<KnownCases, StoreError> {
        let mut known = KnownCases::default();
        for id in ids {
            match self.summary(*id) {
                Ok(s) => {
                    known.stored.insert(*id, (s.version, s.head));
                }
                Err(StoreError::NotFound) => {}
                Err(e) => return Err(e),
            }
        }
        for number in numbers {
            let query = CaseQuery {
                number: Some((*number).to_owned()),
                ..CaseQuery::default()
            };
            if !self.list(&query)?.is_empty() {
                known.numbers.insert((*number).to_owned());
            }
        }
        Ok(known)
    }

    /// Stores a whole history as it is (an import), keeping its case number. The history must
    /// verify and replay; the case must be new, or stored with exactly this history.
    fn put_history(&self, events: &[Event]) -> Result<PutOutcome, StoreError>;

    /// Stores many whole histories (an import in batches): each one is checked and stored
    /// exactly as [`put_history`](CaseStore::put_history) would, and gets its own outcome, in
    /// the order given. Each case is all or nothing on its own: a case that is refused (it
    /// does not verify, its id holds another history, its number is taken — also by an earlier
    /// case of the same batch) is not written and does not stop the others. A durable store
    /// writes the batch in one transaction (one commit for all its cases, each in its own
    /// savepoint), so a batch costs one disk flush instead of one per case.
    ///
    /// `Err` for the whole call means the backend failed (e.g. the commit did not reach the
    /// disk): no case of the batch can be counted as written, and running the batch again is
    /// safe, since imports are idempotent.
    fn put_histories(
        &self,
        histories: &[&[Event]],
    ) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
        Ok(histories.iter().map(|h| self.put_history(h)).collect())
    }

    /// The feed entries after position `after` (0 for the start), oldest first, at most
    /// `limit`.
    fn feed(&self, after: u64, limit: usize) -> Result<Vec<FeedEntry>, StoreError>;

    /// The position of the newest feed entry (0 while the feed is empty): a reader that starts
    /// after it sees every entry written later, and none written before.
    fn feed_head(&self) -> Result<u64, StoreError>;

    /// Number of cases stored.
    fn count(&self) -> Result<u64, StoreError>;

    /// How many cases are in each status, in [`Status::ALL`]'s order (counts only: what a
    /// monitoring page shows). A SQL store counts in one query.
    fn status_counts(&self) -> Result<Vec<(Status, u64)>, StoreError> {
        Status::ALL
            .into_iter()
            .map(|status| {
                let query = CaseQuery {
                    status: Some(status),
                    ..CaseQuery::default()
                };
                Ok((status, self.list(&query)?.len() as u64))
            })
            .collect()
    }

    /// The statistics records ([`KeptRecord`]) of the cases `query` matches, each with its case
    /// number, ordered by case number, from after `query.after`, at most `query.limit` — the
    /// cases [`CaseStore::list`] gives for the same query.
    ///
    /// Every store here keeps each case's record, written with its events (see
    /// [`crate::stats`]'s record docs), and reads them without loading a history. This default,
    /// for a store that does not, loads and replays each history; its records' keys are the
    /// cases' fixed fallback keys ([`crate::stats::perturb::fallback_key`]).
    fn records(&self, query: &CaseQuery) -> Result<Vec<(String, KeptRecord)>, StoreError> {
        self.list(query)?
            .into_iter()
            .map(|s| {
                let record = KeptRecord::replayed(&self.load(s.id)?)?;
                let key = crate::stats::perturb::fallback_key(s.id);
                Ok((s.number, record.keyed(key)))
            })
            .collect()
    }

    /// The key of the store's blind indexes when it is encrypted ([`crate::keys`]): other
    /// keyed hashes of personal values (the audit log's search terms) use it. `None` (the
    /// default) for a store that keeps nothing encrypted.
    fn index_key(&self) -> Option<crate::keys::IndexKey> {
        None
    }

    /// The key the case's blobs are encrypted with ([`crate::blobs`]): its data key in an
    /// encrypted store, `None` (the default) in a store that keeps cases in clear.
    fn blob_key(&self, case_id: Uuid) -> Result<Option<crate::keys::BlobKey>, StoreError> {
        let _ = case_id;
        Ok(None)
    }
}

/// What the search index holds for a case: for each person the words of their names (folded:
/// no accents, case or punctuation; sorted, each once) and the keys of every identity document
/// ([`document_key`]). Every backend indexes exactly these terms; an encrypted SQL store keeps
/// keyed hashes of them instead (blind indexes, [`crate::keys::IndexKey`]), and hashes a query's
/// terms the same way.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IndexTerms {
    /// Per person, the words of their given names and surnames.
    pub names: Vec<Vec<String>>,
    /// The document keys of every person's documents.
    pub documents: Vec<String>,
}

impl IndexTerms {
    /// The terms of `case`.
    pub fn of(case: &Case) -> IndexTerms {
        IndexTerms {
            names: case
                .persons
                .iter()
                .map(|p| name_terms(&format!("{} {}", p.given_names, p.surnames)))
                .collect(),
            documents: case
                .persons
                .iter()
                .flat_map(|p| p.documents.iter().map(|d| document_key(&d.number)))
                .filter(|k| !k.is_empty())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        }
    }

    /// Whether an event of this kind may change a case's terms (corrections and erasures).
    pub fn changed_by(kind: &EventKind) -> bool {
        matches!(kind, EventKind::FactsCorrected { .. }) || kind.erases()
    }

    /// Whether one person's names hold every word of `words` ([`name_terms`] of a query).
    pub fn has_name(&self, words: &[String]) -> bool {
        self.names
            .iter()
            .any(|names| words.iter().all(|w| names.binary_search(w).is_ok()))
    }

    /// Whether a document has the key `key` ([`document_key`] of a query).
    pub fn has_document(&self, key: &str) -> bool {
        self.documents
            .binary_search_by(|d| d.as_str().cmp(key))
            .is_ok()
    }
}

/// The words a name is indexed and searched by: folded ([`fold_name`]), sorted, each once.
pub fn name_terms(name: &str) -> Vec<String> {
    fold_name(name)
        .split(' ')
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// Letters and digits of a document number, upper case: the form documents are searched in.
pub fn document_key(number: &str) -> String {
    number
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Splits a case number `OFFICE-YEAR-SEQUENCE` into its parts.
pub fn parse_case_number(number: &str) -> Option<(&str, i32, u64)> {
    let mut parts = number.rsplitn(3, '-');
    let seq = parts.next()?.parse().ok()?;
    let year = parts.next()?.parse().ok()?;
    let office = parts.next().filter(|o| !o.is_empty())?;
    Some((office, year, seq))
}

/// What a durable backend's conditional write found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    /// The case was still as read: the write is committed.
    Done,
    /// The case changed since it was read (another writer): nothing was written; check again.
    Stale,
}

/// The shape of every durable append, so that the rules stay the core's: `load` reads the
/// case's history (verified), [`CaseHistory::append`] decides on it, and `write` stores the
/// accepted events only if the case is still at the anchor that was read (a compare-and-swap
/// inside the backend's transaction), else answers [`Write::Stale`] and the check runs again
/// on a fresh read (where it becomes a conflict or an idempotent success).
pub fn checked_append(
    expected_version: u64,
    events: &[Event],
    load: &mut dyn FnMut() -> Result<CaseHistory, StoreError>,
    write: &mut dyn FnMut(&Anchor, &CaseHistory) -> Result<Write, StoreError>,
) -> Result<u64, StoreError> {
    loop {
        let mut history = load()?;
        let read = history.anchor();
        match history.append(expected_version, events)? {
            history::Appended::AlreadyStored(version) => return Ok(version),
            history::Appended::Written(version) => {
                if write(&read, &history)? == Write::Done {
                    return Ok(version);
                }
            }
        }
    }
}

/// What one case of a batch import met in the backend's transaction ([`checked_imports`]).
pub type CaseWrite = Result<Write, StoreError>;

/// The shape of every durable import ([`CaseStore::put_histories`], and
/// [`CaseStore::put_history`] as a batch of one): each history is checked by
/// [`CaseHistory::new`] (one that fails is refused as [`StoreError::Invalid`] and not handed
/// on); `insert` stores the sound ones in one transaction, each only if neither its id nor its
/// number is taken (else [`Write::Stale`] for that case, nothing of it written), and answers one
/// result per history it was given, in order (an `Err` of its own: nothing committed). Then,
/// for each stale case, `existing` loads the case stored under its id, if any, to tell
/// [`PutOutcome::Unchanged`] from [`StoreError::DuplicateCase`] — and a number held by another
/// case is [`StoreError::NumberTaken`].
pub fn checked_imports(
    histories: &[&[Event]],
    insert: &mut dyn FnMut(Vec<CaseHistory>) -> Result<Vec<CaseWrite>, StoreError>,
    existing: &mut dyn FnMut(Uuid) -> Result<Option<CaseHistory>, StoreError>,
) -> Result<Vec<Result<PutOutcome, StoreError>>, StoreError> {
    let mut outcomes: Vec<Option<Result<PutOutcome, StoreError>>> =
        Vec::with_capacity(histories.len());
    let mut sound = Vec::with_capacity(histories.len());
    for events in histories {
        match CaseHistory::new(events.to_vec()) {
            Ok(history) => {
                sound.push(history);
                outcomes.push(None);
            }
            Err(e) => outcomes.push(Some(Err(e.into()))),
        }
    }
    let ids: Vec<Uuid> = sound.iter().map(CaseHistory::id).collect();
    let written = if sound.is_empty() {
        Vec::new()
    } else {
        insert(sound)?
    };
    if written.len() != ids.len() {
        return Err(StoreError::Backend {
            reason: "the backend answered for another number of cases".into(),
        });
    }
    let mut written = ids.into_iter().zip(written);
    for (slot, events) in outcomes.iter_mut().zip(histories) {
        if slot.is_some() {
            continue;
        }
        let Some((id, result)) = written.next() else {
            break;
        };
        *slot = Some(match result {
            Ok(Write::Done) => Ok(PutOutcome::Inserted),
            Ok(Write::Stale) => match existing(id) {
                Ok(Some(stored)) if stored.is_same(events) => Ok(PutOutcome::Unchanged),
                Ok(Some(_)) => Err(StoreError::DuplicateCase),
                Ok(None) => Err(StoreError::NumberTaken),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        });
    }
    Ok(outcomes
        .into_iter()
        .map(|o| {
            o.unwrap_or_else(|| {
                Err(StoreError::Backend {
                    reason: "a case of the batch got no answer".into(),
                })
            })
        })
        .collect())
}

/// [`CaseStore::put_history`] for a store whose [`CaseStore::put_histories`] does the work: a
/// batch of one.
pub fn put_one(store: &dyn CaseStore, events: &[Event]) -> Result<PutOutcome, StoreError> {
    store.put_histories(&[events])?.pop().unwrap_or_else(|| {
        Err(StoreError::Backend {
            reason: "the case got no answer".into(),
        })
    })
}

/// Opens a case in `store`: a new id, the next number of the intake's office for the year of
/// `now` (UTC), and the `case_opened` event ([`workflow::open`]).
pub fn open_case(
    store: &dyn CaseStore,
    catalog: &Catalog,
    actor: &Actor,
    intake: &Intake,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    // Checked and sealed before the store's numbering lock; only the number is sealed under it.
    let opening = workflow::open(catalog, actor, intake, Uuid::now_v7(), now)?;
    store.create_case(&intake.office, now.year(), &mut |number| {
        opening.seal(number)
    })
}

/// Loads and replays a case.
pub fn load_case(store: &dyn CaseStore, case_id: Uuid) -> Result<Case, StoreError> {
    Ok(store.load_history(case_id)?.into_parts().1)
}

/// Names the cases of a list for `actor`: each summary of a case `actor` may see (by their
/// role and office: a list holds no case seen through a grant) gets its national's name, and
/// the answer holds one access-log entry ([`ReadKind::List`]) per case named, which the caller
/// writes before the list leaves. A name is personal data: a list that shows names is a read
/// of each case it names.
pub fn name_summaries(
    store: &dyn CaseStore,
    actor: &Actor,
    summaries: &mut [CaseSummary],
    now: DateTime<Utc>,
) -> Result<Vec<AccessEntry>, StoreError> {
    let mut reads = Vec::new();
    for summary in summaries {
        let case = load_case(store, summary.id)?;
        let Some(access) = access::can_see(actor, case.id, Scope::of(&case), &[], now) else {
            continue;
        };
        summary.name = case.national_name();
        if summary.name.is_some() {
            reads.push(AccessEntry::new(
                actor,
                case.id,
                ReadKind::List,
                access,
                now,
                None,
            ));
        }
    }
    Ok(reads)
}

/// Loads a case's history ([`CaseStore::load_history`]).
pub fn load_history(store: &dyn CaseStore, case_id: Uuid) -> Result<CaseHistory, StoreError> {
    store.load_history(case_id)
}

/// Runs `command` on a stored case: load, replay, decide, append at the version read. Returns
/// the case after the event. A concurrent change is a [`StoreError::Conflict`]; the caller may
/// run the command again.
pub fn run(
    store: &dyn CaseStore,
    catalog: &Catalog,
    actor: &Actor,
    case_id: Uuid,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    let mut case = load_case(store, case_id)?;
    let event = workflow::execute(&case, catalog, actor, command, now)?;
    store.append(case_id, case.version, std::slice::from_ref(&event))?;
    history::apply(&mut case, &event)?;
    Ok(case)
}

#[cfg(feature = "pdf")]
/// Generates form `form_id` for the stored case and appends its *form generated* event, with the
/// case's version as the expected version: the PDF and its record land together or not at all.
/// Returns the updated case and the PDF.
pub fn generate_form(
    store: &dyn CaseStore,
    catalog: &Catalog,
    actor: &Actor,
    case_id: Uuid,
    form_id: &str,
    how: &crate::forms::Generating<'_>,
) -> Result<(Case, crate::forms::RenderedForm), StoreError> {
    let mut case = load_case(store, case_id)?;
    let generation =
        crate::forms::generate_form(&case, catalog, actor, form_id, how).map_err(|e| match e {
            crate::forms::GenerateError::Workflow(w) => StoreError::Rejected(w),
            crate::forms::GenerateError::Form(f) => StoreError::Form(f),
        })?;
    store.append(
        case_id,
        case.version,
        std::slice::from_ref(&generation.event),
    )?;
    history::apply(&mut case, &generation.event)?;
    Ok((case, generation.rendered))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_parse() {
        assert_eq!(
            parse_case_number("MIA-2026-000123"),
            Some(("MIA", 2026, 123))
        );
        assert_eq!(
            parse_case_number("SAN-JOSE-2026-000001"),
            Some(("SAN-JOSE", 2026, 1))
        );
        assert_eq!(parse_case_number("2026-000001"), None);
        assert_eq!(document_key("0801-1994-04512"), "0801199404512");
    }

    #[test]
    fn name_terms_are_folded_and_unique() {
        assert_eq!(name_terms("Peña  PEÑA, Güity"), vec!["guity", "pena"]);
        assert!(name_terms(" ,. ").is_empty());
    }
}
