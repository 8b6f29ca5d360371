//! Erasing personal data: one case by decision of the directorate ([`erase_case`]), or every
//! closed case whose retention rule ran out ([`erase_due`]).
//!
//! An erasure is a `personal_data_erased` event ([`crate::history`]'s module docs say what it
//! holds and why the chain still verifies). Appending it to a store carries it out in the same
//! transaction: the salts and values of the sealed values it lists leave the stored events (in
//! an encrypted store, their ciphertexts), the case leaves the search index, and when no value
//! of the case is left, its data key is destroyed (crypto-shredding: a backup taken before
//! holds ciphertexts that nothing opens any more). The case's statistics record is kept, so
//! statistics do not change. The event itself holds no personal data.
//!
//! The case's files go with it: once the event is stored, every blob of the case is removed
//! from the [`BlobStore`] the attachments are kept in (the database's table, a directory or
//! object storage). Should that fail or the process die in between, erasing the case again
//! (`workflow.nothing_to_erase`) still removes them, and [`crate::store::maintenance::check`]
//! reports files kept for an erased case (`erased_files_kept`).
//!
//! Who may erase, and when, is a row of the workflow's table ([`crate::transitions`]): the
//! directorate, on a closed or archived case. The retention rules are the country pack's
//! ([`crate::catalog::Retention`]): a case is due once its rule's years have passed since it was
//! closed. A category without a rule is never due.

use chrono::{DateTime, Utc};
use uuid::Uuid;

use crate::actor::Actor;
use crate::blobs::BlobStore;
use crate::case::{Case, Status};
use crate::case_record::KeptRecord;
use crate::catalog::{Catalog, RetentionRule};
use crate::history::{CaseHistory, Event, EventKind, held_pointers};
use crate::store::{CaseQuery, CaseStore, StoreError, load_case};
use crate::transitions::CommandKind;
use crate::workflow::{MAX_SHORT_TEXT_CHARS, WorkflowError, admit_kind};

/// The reason [`erase_due`] records.
pub const RETENTION_REASON: &str = "retention period ended";

/// How many cases [`erase_due`] reads per page of the store's list.
const PAGE: usize = 500;

/// The `personal_data_erased` event that erases every personal value `history` still holds,
/// by `actor` (the table's checks: the directorate, a closed or archived case), for `reason`
/// (1 to [`MAX_SHORT_TEXT_CHARS`] characters) under `rule` when a retention rule ran out.
/// `workflow.nothing_to_erase` when every value is already erased.
pub fn erasure_event(
    history: &CaseHistory,
    actor: &Actor,
    reason: &str,
    rule: Option<&str>,
    now: DateTime<Utc>,
) -> Result<Event, WorkflowError> {
    admit_kind(history.case(), actor, CommandKind::Erase)?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(WorkflowError::EmptyText { field: "reason" });
    }
    if reason.chars().count() > MAX_SHORT_TEXT_CHARS {
        return Err(WorkflowError::TooLong {
            field: "reason",
            max: MAX_SHORT_TEXT_CHARS,
        });
    }
    let pointers = held_pointers(history.events());
    if pointers.is_empty() {
        return Err(WorkflowError::NothingToErase);
    }
    let kind = EventKind::PersonalDataErased {
        reason: reason.to_owned(),
        rule: rule.map(str::to_owned),
        pointers,
    };
    Ok(Event::next(history.case(), actor.clone(), now, kind)?)
}

/// Erases every personal value of the stored case `case_id` (see [the module](self)), for
/// `reason`, and removes its files from `files`; returns the case as it now replays (its erased
/// values listed in [`Case::erased`]). A concurrent change is [`StoreError::Conflict`]. A case
/// already erased is `workflow.nothing_to_erase`, its files removed all the same (an erasure
/// cut short between the event and the files is finished).
pub fn erase_case(
    store: &dyn CaseStore,
    files: &dyn BlobStore,
    actor: &Actor,
    case_id: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<Case, StoreError> {
    let history = store.load_history(case_id)?;
    let event = match erasure_event(&history, actor, reason, None, now) {
        Ok(event) => event,
        Err(WorkflowError::NothingToErase) => {
            remove_files(files, case_id)?;
            return Err(WorkflowError::NothingToErase.into());
        }
        Err(e) => return Err(e.into()),
    };
    store.append(case_id, history.version(), std::slice::from_ref(&event))?;
    remove_files(files, case_id)?;
    load_case(store, case_id)
}

/// Removes every file of the erased case `case_id` from `files`.
fn remove_files(files: &dyn BlobStore, case_id: Uuid) -> Result<(), StoreError> {
    Ok(files.remove_case(case_id)?)
}

/// What [`erase_due`] found and did: counts only.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct DueReport {
    /// Closed or archived cases looked at.
    pub checked: u64,
    /// Cases whose retention ran out and that still held personal data.
    pub due: u64,
    /// Cases erased by this run (0 for a dry run).
    pub erased: u64,
    /// Closed cases whose category has no retention rule (never due).
    pub without_rule: u64,
}

/// Where a closed case stands with its retention rule.
enum Retained {
    /// Its category has no rule: never due.
    NoRule,
    /// Time is left, or nothing is left to erase.
    NotDue,
    /// Its rule ran out and it still holds personal data.
    Due(RetentionRule),
}

/// Where the case of `history` stands with its rule from `catalog` at `now`.
fn retained(catalog: &Catalog, history: &CaseHistory, now: DateTime<Utc>) -> Retained {
    let case = history.case();
    let Some(rule) = catalog.retention(&case.category, case.outcome.as_deref()) else {
        return Retained::NoRule;
    };
    let closed_at = KeptRecord::of(case, history.events()).closed_at;
    let ran_out = closed_at
        .and_then(|at| rule.due_at(at))
        .is_some_and(|at| at <= now);
    if ran_out && !held_pointers(history.events()).is_empty() {
        Retained::Due(rule)
    } else {
        Retained::NotDue
    }
}

/// Finds the closed and archived cases of `store` whose retention rule (from `catalog`) ran
/// out by `now` and, unless `dry_run`, erases each one as `actor` (the directorate) under its
/// rule, its files removed from `files`. Reports counts only. A case changed meanwhile by
/// someone else is left for the next run; any other failure stops the run (what was erased
/// stays erased).
pub fn erase_due(
    store: &dyn CaseStore,
    files: &dyn BlobStore,
    catalog: &Catalog,
    actor: &Actor,
    now: DateTime<Utc>,
    dry_run: bool,
) -> Result<DueReport, StoreError> {
    let mut report = DueReport::default();
    for status in [Status::Closed, Status::Archived] {
        let mut after = None;
        loop {
            let page = store.list(&CaseQuery {
                status: Some(status),
                limit: Some(PAGE),
                after: after.clone(),
                ..CaseQuery::default()
            })?;
            let Some(last) = page.last() else { break };
            after = Some(last.number.clone());
            for summary in &page {
                report.checked += 1;
                let history = store.load_history(summary.id)?;
                let rule = match retained(catalog, &history, now) {
                    Retained::Due(rule) => rule,
                    Retained::NotDue => continue,
                    Retained::NoRule => {
                        report.without_rule += 1;
                        continue;
                    }
                };
                report.due += 1;
                if dry_run {
                    continue;
                }
                let erased =
                    erasure_event(&history, actor, RETENTION_REASON, Some(&rule.name), now)
                        .map_err(StoreError::from)
                        .and_then(|event| {
                            store.append(
                                summary.id,
                                history.version(),
                                std::slice::from_ref(&event),
                            )
                        });
                match erased.and_then(|_| remove_files(files, summary.id)) {
                    Ok(()) => report.erased += 1,
                    Err(StoreError::Conflict { .. }) => {}
                    Err(e) => return Err(e),
                }
            }
            if page.len() < PAGE {
                break;
            }
        }
    }
    Ok(report)
}
