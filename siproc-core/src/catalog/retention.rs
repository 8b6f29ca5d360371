//! Retention rules: how long after a case is closed its personal data is kept, per category and
//! outcome ([`Retention`], in `categories.json`), the rule that applies to a case
//! ([`Catalog::retention`]) and the pack check of the rules.
//!
//! A category without a `retention` entry keeps its personal data until someone erases it by
//! hand: [`crate::erasure::due`] never selects its cases. Statistics do not depend on the rules
//! (erasure keeps each case's statistics record).

use std::collections::BTreeMap;

use chrono::{DateTime, Months, Utc};
use serde::{Deserialize, Serialize};

use super::{Catalog, CatalogError};

/// The longest retention a rule may give, in years.
pub const MAX_RETENTION_YEARS: u32 = 100;

/// How long a category keeps personal data after closure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retention {
    /// Years after closure, for every outcome not listed in `outcomes` (1 to 100).
    pub years: u32,
    /// Years after closure for particular outcomes (the `outcome` code of the closure, e.g.
    /// `repatriated`), each 1 to 100.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub outcomes: BTreeMap<String, u32>,
}

/// The retention rule that applies to one case: its name (as the `personal_data_erased` event
/// records it) and how many years after closure it keeps personal data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetentionRule {
    /// `retention/{category}` or `retention/{category}/{outcome}` (codes, no personal data).
    pub name: String,
    /// Years after closure.
    pub years: u32,
}

impl RetentionRule {
    /// When personal data closed at `closed_at` falls due for erasure (`None` past the
    /// calendar's end).
    pub fn due_at(&self, closed_at: DateTime<Utc>) -> Option<DateTime<Utc>> {
        closed_at.checked_add_months(Months::new(self.years.checked_mul(12)?))
    }
}

impl Catalog {
    /// The retention rule of a case of `category` closed with `outcome`, if the pack gives one.
    pub fn retention(&self, category: &str, outcome: Option<&str>) -> Option<RetentionRule> {
        let r = self.category(category)?.retention.as_ref()?;
        let by_outcome = outcome.and_then(|o| r.outcomes.get_key_value(o));
        Some(match by_outcome {
            Some((o, years)) => RetentionRule {
                name: format!("retention/{category}/{o}"),
                years: *years,
            },
            None => RetentionRule {
                name: format!("retention/{category}"),
                years: r.years,
            },
        })
    }
}

/// Adds the problems of the retention rules of `catalog` (years out of range, bad outcome
/// codes) to `problems`.
pub(super) fn check(catalog: &Catalog, problems: &mut Vec<CatalogError>) {
    let in_range = |years: u32| (1..=MAX_RETENTION_YEARS).contains(&years);
    for c in &catalog.categories {
        let Some(r) = &c.retention else { continue };
        let mut bad = |entry: String, reason: &str| {
            problems.push(CatalogError::new(
                "catalog.bad_value",
                "categories.json",
                Some(&entry),
                reason,
            ));
        };
        if !in_range(r.years) {
            bad(
                format!("{}/retention/years", c.code),
                "retention years must be 1 to 100",
            );
        }
        for (outcome, years) in &r.outcomes {
            let code_ok = !outcome.is_empty()
                && outcome.len() <= 60
                && outcome
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_');
            if !code_ok {
                bad(
                    format!("{}/retention/outcomes", c.code),
                    "outcome codes are 1 to 60 ASCII letters, digits or underscores",
                );
            } else if !in_range(*years) {
                bad(
                    format!("{}/retention/outcomes/{outcome}", c.code),
                    "retention years must be 1 to 100",
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn honduran_rules_apply_by_outcome_then_category() {
        let catalog = Catalog::honduras().unwrap();
        let rule = catalog.retention("detention", Some("repatriated")).unwrap();
        assert_eq!(
            (rule.name.as_str(), rule.years),
            ("retention/detention", 10)
        );
        let released = catalog.retention("detention", Some("released")).unwrap();
        assert_eq!(
            (released.name.as_str(), released.years),
            ("retention/detention/released", 5)
        );
        let minor = catalog
            .retention("unaccompanied_minor", Some("reunified"))
            .unwrap();
        assert_eq!(
            (minor.name.as_str(), minor.years),
            ("retention/unaccompanied_minor", 15)
        );
        assert!(catalog.retention("no_such_category", None).is_none());
        let closed = DateTime::parse_from_rfc3339("2020-02-29T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let due = RetentionRule {
            name: "r".into(),
            years: 1,
        }
        .due_at(closed)
        .unwrap();
        assert_eq!(due.to_rfc3339(), "2021-02-28T10:00:00+00:00");
    }

    #[test]
    fn bad_rules_are_reported() {
        let mut catalog = Catalog::honduras().unwrap();
        let c = &mut catalog.categories[0];
        c.retention = Some(Retention {
            years: 0,
            outcomes: [("bad code".to_owned(), 5), ("ok".to_owned(), 101)].into(),
        });
        let mut problems = Vec::new();
        check(&catalog, &mut problems);
        let entries: Vec<_> = problems.iter().filter_map(|p| p.entry.clone()).collect();
        assert_eq!(problems.len(), 3, "{entries:?}");
        assert!(problems.iter().all(|p| p.code == "catalog.bad_value"));
    }
}
