//! The `correct` command: a value of the case replaced, checked as the intake it would make
//! today, and recorded with the old value and the new (both sealed).

use chrono::NaiveDate;
use serde_json::Value;

use super::WorkflowError;
use crate::case::{Case, Intake};
use crate::catalog::Catalog;
use crate::history::{self, CorrectionError, EventKind, Sealed};
use crate::issue::{Locale, Report};
use crate::normalize::normalize_intake;
use crate::validation::validate_on;

/// The path if every segment is an identifier or an index; otherwise empty (it might hold
/// personal data).
fn safe_path(path: &str) -> String {
    let safe = path.starts_with('/')
        && path.len() <= 200
        && path.split('/').skip(1).all(|s| {
            !s.is_empty()
                && s.len() <= 60
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
    if safe { path.to_owned() } else { String::new() }
}

/// The intake a case would be registered from today: what validation checks a correction on.
fn intake_view(case: &Case) -> Intake {
    Intake {
        office: case.office.clone(),
        category: case.category.clone(),
        flags: case.flags.clone(),
        priority: Some(case.priority),
        opened_on: case.opened_on,
        persons: case.persons.clone(),
        consent: case.consent.clone(),
        facts: case.facts.clone(),
        notes: Vec::new(),
        services: Vec::new(),
        referrals: Vec::new(),
        attachments: Vec::new(),
    }
}

/// The event of correcting the value at `path` of `case` to `value`.
pub(super) fn correct(
    case: &Case,
    catalog: &Catalog,
    path: &str,
    value: &Value,
    today: NaiveDate,
) -> Result<EventKind, WorkflowError> {
    let shown = safe_path(path);
    if shown.is_empty() {
        return Err(WorkflowError::NotCorrectable { path: shown });
    }
    let map = |e| match e {
        CorrectionError::NotCorrectable => WorkflowError::NotCorrectable {
            path: shown.clone(),
        },
        CorrectionError::BadValue => WorkflowError::BadValue {
            path: shown.clone(),
        },
    };
    let old = history::value_at(case, path).map_err(map)?;
    let mut candidate = case.clone();
    history::apply_correction(&mut candidate, path, value).map_err(map)?;
    let view = intake_view(&candidate);
    let report = validate_on(&view, catalog, Locale::default(), today);
    let below = format!("{path}/");
    let issues: Vec<_> = report
        .errors()
        .filter(|i| i.path == path || i.path.starts_with(&below))
        .cloned()
        .collect();
    if !issues.is_empty() {
        return Err(WorkflowError::InvalidCorrection {
            path: shown,
            report: Report::from_issues(issues),
        });
    }
    // Take the value in its normalised form (NFC names, canonical document numbers, E.164).
    let normal = normalize_intake(&view, catalog);
    candidate.persons = normal.persons;
    candidate.facts = normal.facts;
    let new = history::value_at(&candidate, path).map_err(map)?;
    if new == old {
        return Err(WorkflowError::Unchanged { path: shown });
    }
    Ok(EventKind::FactsCorrected {
        path: path.to_owned(),
        old: Sealed::new(old)?,
        new: Sealed::new(new)?,
        resolves: case
            .legacy
            .as_ref()
            .map(|origin| origin.resolved_by(path, &report))
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_with_free_text_are_not_shown() {
        assert_eq!(safe_path("/persons/0/surnames"), "/persons/0/surnames");
        assert_eq!(safe_path("/facts/María López"), "");
        assert_eq!(safe_path("facts"), "");
    }
}
