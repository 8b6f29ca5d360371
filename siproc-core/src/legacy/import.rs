//! Migrating a whole log into a store ([`import`]): idempotent by source and row, each row's
//! fate in the [`ImportReport`].

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use uuid::Uuid;

use super::convert::convert_with;
use super::resolve::Names;
use super::{LegacyMap, LegacyRow, Mapping, Ready, legacy_case_id, open};
use crate::actor::Actor;
use crate::case::FollowUp;
use crate::catalog::Catalog;
use crate::issue::{Issue, Locale};
use crate::store::{CaseStore, StoreError};

/// What became of one row in an [`import`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// A blank row, skipped.
    Blank,
    /// Held back: the issues say what is wrong.
    HeldBack,
    /// Opened as a case now (or, in a dry run, would be).
    Migrated {
        /// The case id.
        case_id: Uuid,
        /// The case number (empty in a dry run).
        case_number: String,
    },
    /// Imported by an earlier run: nothing done.
    AlreadyImported {
        /// The case id.
        case_id: Uuid,
        /// The case number.
        case_number: String,
    },
    /// The store refused the case (a backend error, a number taken): the code says why.
    Failed {
        /// The error's stable code.
        code: &'static str,
    },
}

/// One row's report: no personal data (codes, paths, rule messages, table entries).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RowReport {
    /// The row in the source.
    pub row: u64,
    /// The log's own `No.` when it is a number (anything else might be personal text).
    pub number: String,
    /// What became of it.
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Errors (held back) and warnings.
    pub issues: Vec<Issue>,
    /// The case's follow-up items.
    pub follow_ups: Vec<FollowUp>,
}

/// The report of a whole [`import`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ImportReport {
    /// One entry per row given, in order.
    pub rows: Vec<RowReport>,
    /// Every mapping used, with how many rows used it.
    pub mappings: BTreeMap<String, u64>,
}

/// How an [`import`] runs.
#[derive(Debug, Clone)]
pub struct ImportOptions<'a> {
    /// The source's reference (the log's file name): with the row, the idempotency key.
    pub source: &'a str,
    /// Who opens the cases (the directorate, for every office).
    pub actor: &'a Actor,
    /// Now: the event time, the year of case numbers, and today for validation.
    pub now: DateTime<Utc>,
    /// Language of messages.
    pub locale: Locale,
    /// Decide and report, write nothing.
    pub dry_run: bool,
}

/// Imports rows `(row number, row)` of a legacy log into `store` (see the module docs).
/// Never stops at a row: each row's fate is in the report.
pub fn import(
    store: &dyn CaseStore,
    catalog: &Catalog,
    map: &LegacyMap,
    rows: &[(u64, LegacyRow)],
    options: &ImportOptions<'_>,
) -> ImportReport {
    import_rows(store, catalog, map, rows, options, &mut |_, _| Vec::new())
}

/// [`import`], running `then` on each row's outcome: its answer is added to the row's issues
/// (the files of a row, `super::files`).
pub(super) fn import_rows(
    store: &dyn CaseStore,
    catalog: &Catalog,
    map: &LegacyMap,
    rows: &[(u64, LegacyRow)],
    options: &ImportOptions<'_>,
    then: &mut dyn FnMut(&Outcome, &LegacyRow) -> Vec<Issue>,
) -> ImportReport {
    let today = options.now.date_naive();
    let names = Names::of(catalog);
    // Counted by mapping, written out once at the end: the same few mappings recur on every row.
    let mut used: HashMap<Mapping, u64> = HashMap::new();
    let mut reports = Vec::with_capacity(rows.len());
    for (row, record) in rows {
        let mut conversion = convert_with(record, catalog, map, &names, options.locale, today);
        for m in BTreeSet::<&Mapping>::from_iter(&conversion.mappings) {
            match used.get_mut(m) {
                Some(count) => *count += 1,
                None => {
                    used.insert(m.clone(), 1);
                }
            }
        }
        let outcome = match conversion.ready.take() {
            None if conversion.is_blank() => Outcome::Blank,
            None => Outcome::HeldBack,
            Some(ready) => migrate(store, ready, (options.source, *row), options),
        };
        let mut issues = conversion.issues;
        issues.extend(then(&outcome, record));
        let number = record.number.trim();
        reports.push(RowReport {
            row: *row,
            number: if number.bytes().all(|b| b.is_ascii_digit()) {
                number.to_owned()
            } else {
                String::new()
            },
            outcome,
            issues,
            follow_ups: conversion.follow_ups,
        });
    }
    let mut mappings: BTreeMap<String, u64> = BTreeMap::new();
    for (m, count) in used {
        *mappings.entry(m.to_string()).or_default() += count;
    }
    ImportReport {
        rows: reports,
        mappings,
    }
}

fn migrate(
    store: &dyn CaseStore,
    ready: Ready,
    origin: (&str, u64),
    options: &ImportOptions<'_>,
) -> Outcome {
    let case_id = legacy_case_id(origin.0, origin.1);
    match store.summary(case_id) {
        Ok(summary) => {
            return Outcome::AlreadyImported {
                case_id,
                case_number: summary.number,
            };
        }
        Err(StoreError::NotFound) => {}
        Err(e) => return Outcome::Failed { code: e.code() },
    }
    if options.dry_run {
        return Outcome::Migrated {
            case_id,
            case_number: String::new(),
        };
    }
    let opening = match open(options.actor, ready, origin, options.now) {
        Ok(opening) => opening,
        Err(e) => return Outcome::Failed { code: e.code() },
    };
    let created = store.create_case(opening.office(), options.now.year(), &mut |number| {
        opening.seal(number)
    });
    match created {
        Ok(case) => Outcome::Migrated {
            case_id,
            case_number: case.number,
        },
        Err(e) => Outcome::Failed { code: e.code() },
    }
}
