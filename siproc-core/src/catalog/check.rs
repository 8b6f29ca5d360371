//! Checking a pack across its files: unique codes, references between files, values in range,
//! and (with PDF forms) the templates.

use std::collections::BTreeSet;
use std::str::FromStr;

#[cfg(feature = "pdf")]
use super::template;
use super::{Catalog, CatalogError, FactType, OfficeKind};
use crate::document::DocumentKind;

impl Catalog {
    /// Adds every problem of the pack, read file by file, to `problems`.
    pub(super) fn check(&self, problems: &mut Vec<CatalogError>) {
        let mut bad = |code, file: &str, entry: Option<&str>, reason: &str| {
            problems.push(CatalogError::new(code, file, entry, reason));
        };
        let p = &self.pack;
        if p.disclosure.k < 2 {
            bad(
                "catalog.bad_value",
                "pack.json",
                Some("disclosure/k"),
                "k must be at least 2",
            );
        }
        if !crate::country::is_country(&p.country) {
            bad(
                "catalog.bad_value",
                "pack.json",
                Some("country"),
                "not an ISO 3166-1 alpha-2 code",
            );
        }
        for kind in &p.documents {
            if DocumentKind::from_str(kind).is_err() {
                bad(
                    "catalog.unknown_reference",
                    "pack.json",
                    Some(kind),
                    "unknown document kind",
                );
            }
        }
        for id in &p.common_forms {
            if self.form(id).is_none() {
                bad(
                    "catalog.unknown_reference",
                    "pack.json",
                    Some(id),
                    "common form not in forms.json",
                );
            }
        }
        let lists: [(&str, Vec<&str>); 7] = [
            (
                "pack.json",
                p.access_reasons.iter().map(|r| r.code.as_str()).collect(),
            ),
            (
                "categories.json",
                self.categories.iter().map(|c| c.code.as_str()).collect(),
            ),
            (
                "offices.json",
                self.offices.iter().map(|o| o.code.as_str()).collect(),
            ),
            (
                "flags.json",
                self.flags.iter().map(|f| f.code.as_str()).collect(),
            ),
            (
                "partners.json",
                self.partners.iter().map(|x| x.code.as_str()).collect(),
            ),
            (
                "services.json",
                self.services.iter().map(|x| x.code.as_str()).collect(),
            ),
            (
                "forms.json",
                self.forms.iter().map(|x| x.id.as_str()).collect(),
            ),
        ];
        for (file, codes) in lists {
            unique(file, codes.iter().copied(), &mut bad);
            for code in codes {
                check_code(file, code, &mut bad);
            }
        }
        for c in &self.categories {
            let keys = c.facts.iter().map(|f| f.key.as_str());
            unique("categories.json", keys, &mut bad);
            for f in &c.facts {
                let entry = format!("{}/{}", c.code, f.key);
                check_code("categories.json", &f.key, &mut bad);
                let choice = f.kind == FactType::Choice;
                if choice == f.values.is_empty() {
                    bad(
                        "catalog.bad_value",
                        "categories.json",
                        Some(&entry),
                        "a choice fact needs values, and only a choice fact has them",
                    );
                }
                if (f.after_birth || f.before_request) && f.kind != FactType::Date {
                    bad(
                        "catalog.bad_value",
                        "categories.json",
                        Some(&entry),
                        "date order applies to date facts only",
                    );
                }
                unique(
                    "categories.json",
                    f.values.iter().map(|v| v.code.as_str()),
                    &mut bad,
                );
            }
            for id in &c.forms {
                if self.form(id).is_none() {
                    bad(
                        "catalog.unknown_reference",
                        "categories.json",
                        Some(&format!("{}/{id}", c.code)),
                        "form not in forms.json",
                    );
                }
            }
            if !self.sla.contains_key(&c.code) {
                bad(
                    "catalog.unknown_reference",
                    "sla.json",
                    Some(&c.code),
                    "category has no SLA target",
                );
            }
        }
        for code in self.sla.keys() {
            if self.category(code).is_none() {
                bad(
                    "catalog.unknown_reference",
                    "sla.json",
                    Some(code),
                    "no such category",
                );
            }
        }
        if !self
            .offices
            .iter()
            .any(|o| o.kind == OfficeKind::Directorate)
        {
            bad(
                "catalog.bad_value",
                "offices.json",
                None,
                "the pack needs its central directorate",
            );
        }
        for o in &self.offices {
            if !crate::country::is_country(&o.country) {
                bad(
                    "catalog.bad_value",
                    "offices.json",
                    Some(&o.code),
                    "country is not an ISO 3166-1 alpha-2 code",
                );
            }
            if chrono_tz::Tz::from_str(&o.time_zone).is_err() {
                bad(
                    "catalog.bad_value",
                    "offices.json",
                    Some(&o.code),
                    "time_zone is not an IANA time zone",
                );
            }
        }
        super::retention::check(self, problems);
        // Bindings, placeholders and glyphs of the templates are checked where forms are
        // printed; a build without PDF rendering (the WebAssembly package) only reads them.
        #[cfg(feature = "pdf")]
        template::check_templates(self, problems);
    }
}

/// Reports each code of `codes` seen before, once per repeat.
fn unique<'a>(
    file: &str,
    codes: impl Iterator<Item = &'a str>,
    bad: &mut impl FnMut(&'static str, &str, Option<&str>, &str),
) {
    let mut seen = BTreeSet::new();
    for code in codes {
        if !seen.insert(code) {
            bad("catalog.duplicate", file, Some(code), "appears twice");
        }
    }
}

/// Codes are short ASCII identifiers: they appear in case numbers, URLs and JSON Pointers.
fn check_code(
    file: &str,
    code: &str,
    bad: &mut impl FnMut(&'static str, &str, Option<&str>, &str),
) {
    let ok = !code.is_empty()
        && code.len() <= 60
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !ok {
        bad(
            "catalog.bad_value",
            file,
            Some(code),
            "codes are 1 to 60 ASCII letters, digits or underscores",
        );
    }
}
