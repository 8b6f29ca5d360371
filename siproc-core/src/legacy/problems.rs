//! Sorting a converted record's problems: follow-ups (what today's intake requires and the log
//! never asked for, or values dropped to be entered again) and wrong values.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::{LegacyMap, Policy};
use crate::case::{FollowUp, Intake};
use crate::catalog::Catalog;
use crate::issue::{Issue, Locale};
use crate::validation::validate_on;

/// Validates `intake` and sorts the issues by the map's policies: follow-ups (values dropped
/// where the policy says so, then validated again), and the rest. Returns the intake as
/// opened.
pub(super) fn sort_problems(
    mut intake: Intake,
    catalog: &Catalog,
    map: &LegacyMap,
    locale: Locale,
    today: NaiveDate,
) -> (Intake, Vec<FollowUp>, Vec<Issue>) {
    let mut follow_ups = BTreeSet::new();
    let mut report = validate_on(&intake, catalog, locale, today);
    let drops: Vec<&Issue> = report
        .issues
        .iter()
        .filter(|i| map.incomplete.get(&i.code) == Some(&Policy::DropValue))
        .collect();
    if !drops.is_empty() {
        let paths: Vec<String> = drops.iter().map(|i| drop_target(&i.path)).collect();
        for (issue, path) in drops.iter().zip(&paths) {
            follow_ups.insert(FollowUp {
                code: issue.code.clone(),
                path: parent(path).to_owned(),
            });
        }
        drop_values(&mut intake, &paths);
        report = validate_on(&intake, catalog, locale, today);
    }
    let mut rest = Vec::new();
    for issue in report.issues {
        match map.incomplete.get(&issue.code) {
            Some(Policy::FollowUp) => {
                follow_ups.insert(FollowUp {
                    path: follow_up_path(&issue),
                    code: issue.code,
                });
            }
            _ => rest.push(issue),
        }
    }
    (intake, follow_ups.into_iter().collect(), rest)
}

/// Where a follow-up item goes: the issue's path, except a minor's guardian, which is a new
/// person (`/persons`).
fn follow_up_path(issue: &Issue) -> String {
    if issue.code == "person.minor_without_guardian" {
        "/persons".to_owned()
    } else {
        issue.path.clone()
    }
}

/// The value a dropped issue removes: a contact as a whole, a fact, or the value itself.
fn drop_target(path: &str) -> String {
    match path.strip_suffix("/value") {
        Some(contact) if contact.contains("/contacts/") => contact.to_owned(),
        _ => path.to_owned(),
    }
}

fn parent(path: &str) -> &str {
    if path.starts_with("/facts/") {
        return path;
    }
    path.rfind('/')
        .map_or(path, |at| path.get(..at).unwrap_or(path))
}

/// Removes the values at `paths` ([`drop_target`]s: contacts, facts).
fn drop_values(intake: &mut Intake, paths: &[String]) {
    let mut contacts: BTreeSet<(usize, usize)> = BTreeSet::new();
    for path in paths {
        let segs: Vec<&str> = path.split('/').skip(1).collect();
        match segs.as_slice() {
            ["facts", key] => {
                intake.facts.remove(*key);
            }
            ["persons", p, "contacts", k] => {
                if let (Ok(p), Ok(k)) = (p.parse(), k.parse()) {
                    contacts.insert((p, k));
                }
            }
            _ => {}
        }
    }
    // Highest index first, so that earlier indexes stay valid.
    for (p, k) in contacts.into_iter().rev() {
        if let Some(person) = intake.persons.get_mut(p)
            && k < person.contacts.len()
        {
            person.contacts.remove(k);
        }
    }
}
