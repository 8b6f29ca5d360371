//! Candidate duplicates among a log's rows, before anything is imported.

use chrono::NaiveDate;

use super::convert::Converter;
use super::resolve::Names;
use super::{LegacyMap, LegacyRow};
use crate::catalog::Catalog;
use crate::duplicates::{DuplicatePair, find_duplicate_persons};
use crate::issue::Locale;
use crate::person::Person;

/// Candidate duplicates among `rows` (indexes into `rows`): their nationals, mapped as
/// [`convert`] maps them, compared by [`find_duplicate_persons`]. Blank rows take no part.
///
/// [`convert`]: super::convert()
pub fn find_duplicates<'a>(
    rows: impl IntoIterator<Item = &'a LegacyRow>,
    catalog: &Catalog,
    map: &LegacyMap,
    today: NaiveDate,
) -> Vec<DuplicatePair> {
    let names = Names::of(catalog);
    let mut c = Converter {
        catalog,
        map,
        names: &names,
        locale: Locale::default(),
        today,
        issues: Vec::new(),
        mappings: Vec::new(),
    };
    let nationals: Vec<Option<Person>> = rows
        .into_iter()
        .map(|row| {
            c.issues.clear();
            c.mappings.clear();
            (!row.is_blank()).then(|| c.person(row, None))
        })
        .collect();
    let persons: Vec<Option<&Person>> = nationals.iter().map(Option::as_ref).collect();
    find_duplicate_persons(&persons)
}
