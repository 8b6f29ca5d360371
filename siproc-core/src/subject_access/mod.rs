//! Subject access: answering a person who asks what the ministry holds about them.
//!
//! Given a document number or a name, [`find`] searches the store the way every search does
//! (through the blind index in an encrypted store: the terms are compared as keyed hashes,
//! [`crate::store::IndexTerms`]), loads every case that holds the person, and builds a
//! [`SubjectReport`]: for each case, the person's own values (names, birth date, documents,
//! contacts, addresses), the case's facts, notes and services, the events that hold personal
//! values (by JSON Pointer, never the values twice), who read the case (the access log,
//! [`crate::store::Records::access_log`]) and which partners it was shared with (its
//! referrals). [`SubjectReport`] is the JSON form; [`render_pdf`] prints it as a readable PDF in
//! the person's language.
//!
//! What it leaves out, and why: the values of the *other* persons of a case (relatives,
//! requesters) are their personal data, not the subject's; the report names only their role
//! and relationship. A case found by a name word that belongs to another person of it is not
//! reported: a person of the case must hold every word searched (and the document, when one is
//! given).
//!
//! Who may ask is the embedder's decision; the reference server lets the directorate only
//! ([`crate::access::answers_subject_access`]) and writes every export to its audit log with
//! counts only ([`crate::audit::AuditEvent::SubjectAccess`]).

#[cfg(feature = "pdf")]
mod pdf;

#[cfg(feature = "pdf")]
pub use pdf::render_pdf;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::AccessEntry;
use crate::case::{Case, Consent, Facts, Note, Referral, Service, Status};
use crate::history::{CaseHistory, held_pointers};
use crate::person::{Person, PersonRole, Relationship};
use crate::store::{
    CaseQuery, CaseStore, LogFilter, Records, StoreError, document_key, name_terms,
};

/// Most access-log entries reported per case (newest first); [`SubjectCase::reads_truncated`]
/// says when a case had more.
pub const MAX_READS_PER_CASE: u32 = 10_000;

/// Whom to look for: a document number, a name, or both (then the same person must hold both).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectQuery {
    /// An identity document number, compared on letters and digits only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_number: Option<String>,
    /// Words of the person's name, compared without accents, case or punctuation, in any order.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

impl SubjectQuery {
    /// The fields searched (`document_number`, `name`), never their values: what a report and
    /// an audit entry say of the search.
    pub fn fields(&self) -> Vec<String> {
        let mut fields = Vec::new();
        if self.document_key().is_some() {
            fields.push("document_number".to_owned());
        }
        if !self.name_words().is_empty() {
            fields.push("name".to_owned());
        }
        fields
    }

    fn document_key(&self) -> Option<String> {
        self.document_number
            .as_deref()
            .map(document_key)
            .filter(|k| !k.is_empty())
    }

    fn name_words(&self) -> Vec<String> {
        self.name.as_deref().map(name_terms).unwrap_or_default()
    }

    /// Whether `person` is the one searched for: every name word among their names, and the
    /// document among their documents (each when given).
    fn matches(&self, person: &Person) -> bool {
        let words = self.name_words();
        let names = name_terms(&format!("{} {}", person.given_names, person.surnames));
        let named = words.iter().all(|w| names.contains(w));
        let documented = self.document_key().is_none_or(|key| {
            person
                .documents
                .iter()
                .any(|d| document_key(&d.number) == key)
        });
        named && documented
    }
}

/// The codes of [`SubjectAccessError`] besides the store's and the forms' own.
pub const ERROR_CODES: &[&str] = &["subject_access.no_terms"];

/// A subject access request that cannot be answered. Never holds a searched value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SubjectAccessError {
    /// Neither a document number nor a name (with at least one letter or digit) was given.
    #[error("give a document number or a name")]
    NoTerms,
    /// The store failed (or the name has too many words: `store.too_many_name_words`).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The PDF could not be written (`forms.*`).
    #[cfg(feature = "pdf")]
    #[error("the report could not be printed: {0}")]
    Pdf(crate::forms::FormError),
}

impl SubjectAccessError {
    /// The stable code: `subject_access.no_terms`, or the store's or the form's.
    pub fn code(&self) -> &'static str {
        match self {
            SubjectAccessError::NoTerms => "subject_access.no_terms",
            SubjectAccessError::Store(e) => e.code(),
            #[cfg(feature = "pdf")]
            SubjectAccessError::Pdf(e) => e.code,
        }
    }
}

/// What is held about one person: every case that holds them, and what each holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectReport {
    /// When the report was made.
    pub generated_at: DateTime<Utc>,
    /// The fields searched by (`document_number`, `name`), not their values.
    pub searched_by: Vec<String>,
    /// The cases holding the person, by case number.
    pub cases: Vec<SubjectCase>,
}

impl SubjectReport {
    /// How many access-log entries the report lists, over every case.
    pub fn reads(&self) -> usize {
        self.cases.iter().map(|c| c.reads.len()).sum()
    }

    /// How many referrals (shares with partners) the report lists, over every case.
    pub fn shares(&self) -> usize {
        self.cases.iter().map(|c| c.shared_with.len()).sum()
    }
}

/// One case holding the person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectCase {
    /// The case's id.
    #[schemars(with = "String")]
    pub case_id: Uuid,
    /// The case number (`MIA-2026-000123`).
    pub number: String,
    /// The office responsible.
    pub office: String,
    /// The primary category.
    pub category: String,
    /// The workflow status.
    pub status: Status,
    /// The day protection was asked for.
    pub opened_on: NaiveDate,
    /// The person's values as the case holds them (one entry per person of the case that
    /// matches: usually one).
    pub subject: Vec<HeldPerson>,
    /// The case's other persons: their role and relationship only (their values are theirs).
    pub others: Vec<OtherPerson>,
    /// The consent recorded, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Whether consent to share with partners was withdrawn.
    pub sharing_withdrawn: bool,
    /// The category's facts.
    pub facts: Facts,
    /// The notes.
    pub notes: Vec<Note>,
    /// The services given.
    pub services: Vec<Service>,
    /// The partners the case was referred to, and where each referral stands.
    pub shared_with: Vec<Referral>,
    /// The events that hold personal values, as JSON Pointers into the history
    /// (`/events/0/kind/data/persons/0`).
    pub events_holding_values: Vec<String>,
    /// Where values were erased ([`Case::erased`]).
    pub erased: Vec<String>,
    /// Who read the case: the access log, newest first.
    pub reads: Vec<AccessEntry>,
    /// Whether the case had more than [`MAX_READS_PER_CASE`] reads (the oldest are left out).
    pub reads_truncated: bool,
}

/// A person of the case who matched the search, with every value the case holds of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HeldPerson {
    /// Their position in the case's persons (`/persons/{index}`).
    pub index: usize,
    /// Their values.
    pub person: Person,
}

/// Another person of the case: what the report says of them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OtherPerson {
    /// Their position in the case's persons.
    pub index: usize,
    /// Their role in the case.
    pub role: PersonRole,
    /// Their relationship to the national, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
}

/// Finds every case of `store` holding the person `query` names and reports what is held,
/// with each case's reads from `records`' access log. `now` is the report's time.
///
/// The search is the store's ([`CaseStore::list`] with [`CaseQuery::name`] and
/// [`CaseQuery::document_number`]); each case found is loaded (and so verified), and kept when
/// one of its persons holds every term. Nothing is logged here: the embedder logs the export.
pub fn find(
    store: &dyn CaseStore,
    records: &Records,
    query: &SubjectQuery,
    now: DateTime<Utc>,
) -> Result<SubjectReport, SubjectAccessError> {
    let searched_by = query.fields();
    if searched_by.is_empty() {
        return Err(SubjectAccessError::NoTerms);
    }
    let search = CaseQuery {
        name: query
            .name
            .clone()
            .filter(|_| !query.name_words().is_empty()),
        document_number: query.document_key(),
        ..CaseQuery::default()
    };
    let mut cases = Vec::new();
    for summary in store.list(&search)? {
        let history = store.load_history(summary.id)?;
        if let Some(mut case) = subject_case(&history, query) {
            let reads = records.access_log(&LogFilter {
                case_id: Some(case.case_id),
                user_id: None,
                since: None,
                limit: MAX_READS_PER_CASE + 1,
            })?;
            case.reads_truncated = reads.len() > MAX_READS_PER_CASE as usize;
            case.reads = reads
                .into_iter()
                .take(MAX_READS_PER_CASE as usize)
                .collect();
            cases.push(case);
        }
    }
    cases.sort_by(|a, b| a.number.cmp(&b.number));
    Ok(SubjectReport {
        generated_at: now,
        searched_by,
        cases,
    })
}

/// What `history`'s case holds of the person `query` names (reads not yet filled in); `None`
/// when no person of the case holds every term.
fn subject_case(history: &CaseHistory, query: &SubjectQuery) -> Option<SubjectCase> {
    let case: &Case = history.case();
    let (subject, others): (Vec<_>, Vec<_>) = case
        .persons
        .iter()
        .enumerate()
        .partition(|(_, p)| query.matches(p));
    if subject.is_empty() {
        return None;
    }
    Some(SubjectCase {
        case_id: case.id,
        number: case.number.clone(),
        office: case.office.clone(),
        category: case.category.clone(),
        status: case.status,
        opened_on: case.opened_on,
        subject: subject
            .into_iter()
            .map(|(index, p)| HeldPerson {
                index,
                person: p.clone(),
            })
            .collect(),
        others: others
            .into_iter()
            .map(|(index, p)| OtherPerson {
                index,
                role: p.role,
                relationship: p.relationship,
            })
            .collect(),
        consent: case.consent.clone(),
        sharing_withdrawn: case.sharing_withdrawn,
        facts: case.facts.clone(),
        notes: case.notes.clone(),
        services: case.services.clone(),
        shared_with: case.referrals.clone(),
        events_holding_values: held_pointers(history.events()),
        erased: case.erased.clone(),
        reads: Vec::new(),
        reads_truncated: false,
    })
}
