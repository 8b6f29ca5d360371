//! Resolving an office or category cell against the catalog and the pack's aliases, remembering
//! each spelling once per run.

use std::cell::RefCell;
use std::collections::HashMap;

use super::{LegacyMap, Mapping, fold};
use crate::catalog::Catalog;

/// The catalog's names folded once for look-ups: (folded name, how, office or category code).
/// Also remembers, for one run over a log, what each office and category cell resolved to:
/// a log writes the same few spellings row after row, and resolving one scans every table.
pub(super) struct Names {
    pub(super) offices: Vec<(String, &'static str, String)>,
    pub(super) categories: Vec<(String, String)>,
    pub(super) seen_offices: RefCell<Seen>,
    pub(super) seen_categories: RefCell<Seen>,
}

/// Cells already resolved, by their text: the code and the mapping used, or `None` when no
/// mapping resolves it.
type Seen = HashMap<String, Option<(String, Mapping)>>;

/// The most cells remembered per column: a log of all-different spellings stops being
/// remembered rather than growing the memory without bound.
const MAX_SEEN: usize = 4096;

/// `resolve(text)` through `seen`: the remembered outcome, or the resolved one remembered.
pub(super) fn remembered(
    seen: &RefCell<Seen>,
    text: &str,
    resolve: impl FnOnce() -> Option<(String, Mapping)>,
) -> Option<(String, Mapping)> {
    if let Some(found) = seen.borrow().get(text) {
        return found.clone();
    }
    let found = resolve();
    let mut seen = seen.borrow_mut();
    if seen.len() < MAX_SEEN {
        seen.insert(text.to_owned(), found.clone());
    }
    found
}

impl Names {
    pub(super) fn of(catalog: &Catalog) -> Names {
        let mut offices = Vec::with_capacity(catalog.offices.len() * 3);
        for office in &catalog.offices {
            let city = office.city.split(',').next().unwrap_or_default();
            for (via, name) in [
                ("code", fold(&office.code)),
                ("name", fold(&office.name.es)),
                ("city", fold(city)),
            ] {
                if !name.is_empty() {
                    offices.push((name, via, office.code.clone()));
                }
            }
        }
        // Longest names first: the most specific match wins.
        offices.sort_by_key(|(name, _, _)| std::cmp::Reverse(name.len()));
        let categories = catalog
            .categories
            .iter()
            .map(|c| (fold(&c.label.es), c.code.clone()))
            .collect();
        Names {
            offices,
            categories,
            seen_offices: RefCell::default(),
            seen_categories: RefCell::default(),
        }
    }
}

/// The office a cell names, and the mapping used: an alias of the whole text, else the
/// catalog's longest code, name or city the text contains as words, unless a longer alias is
/// contained.
pub(super) fn resolve_office(
    map: &LegacyMap,
    names: &Names,
    text: &str,
) -> Option<(String, Mapping)> {
    let mapped = |via: &'static str, entry: String| Mapping {
        field: "office",
        via,
        entry,
    };
    let folded = fold(text);
    if folded.is_empty() {
        return None;
    }
    if let Some(code) = map.office_aliases.get(&folded) {
        return Some((code.clone(), mapped("alias", format!("{folded} → {code}"))));
    }
    let from_catalog = names
        .offices
        .iter()
        .find(|(name, _, _)| folded == *name || contains_words(&folded, name));
    let from_alias = map
        .office_aliases
        .iter()
        .filter(|(alias, _)| contains_words(&folded, alias))
        .max_by_key(|(alias, _)| alias.len());
    let (via, name, code) = match (from_catalog, from_alias) {
        (Some((name, _, _)), Some((alias, code))) if alias.len() > name.len() => {
            ("alias", alias, code)
        }
        (Some((name, via, code)), _) => (*via, name, code),
        (None, Some((alias, code))) => ("alias", alias, code),
        (None, None) => return None,
    };
    Some((code.clone(), mapped(via, format!("{name} → {code}"))))
}

/// The category a cell names, and the mapping used: a code, an alias or a label of the whole
/// text, else the longest alias the text contains (`Detenido en Krome` → `detenido`).
pub(super) fn resolve_category(
    catalog: &Catalog,
    map: &LegacyMap,
    names: &Names,
    text: &str,
) -> Option<(String, Mapping)> {
    let mapped = |via: &'static str, entry: String| Mapping {
        field: "category",
        via,
        entry,
    };
    let folded = fold(text);
    if let Some(category) = catalog.category(&folded.replace(' ', "_")) {
        let code = category.code.clone();
        return Some((code.clone(), mapped("code", code)));
    }
    if let Some(code) = map.category_aliases.get(&folded) {
        return Some((code.clone(), mapped("alias", format!("{folded} → {code}"))));
    }
    if let Some((_, code)) = names.categories.iter().find(|(label, _)| *label == folded) {
        return Some((code.clone(), mapped("name", code.clone())));
    }
    let (alias, code) = map
        .category_aliases
        .iter()
        .filter(|(alias, _)| contains_words(&folded, alias))
        .max_by_key(|(alias, _)| alias.len())?;
    Some((code.clone(), mapped("alias", format!("{alias} → {code}"))))
}

/// Whether `words` occurs in `text` as whole words (both folded).
fn contains_words(text: &str, words: &str) -> bool {
    text.match_indices(words).any(|(at, _)| {
        let before = text
            .get(..at)
            .is_none_or(|s| s.is_empty() || s.ends_with(' '));
        let after = text
            .get(at + words.len()..)
            .is_none_or(|s| s.is_empty() || s.starts_with(' '));
        before && after
    })
}
