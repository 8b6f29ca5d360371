//! Normalisation of an intake before it becomes a case: names to NFC, document numbers to their
//! canonical form, phones to E.164, numbers in facts to the form their canonical JSON reads back
//! as (so a case replays from its stored history to the same case), the `minor` flag and the
//! priority the flags imply.
//!
//! Normalising never loses information that validation accepted: a value that cannot be
//! normalised (an invalid phone, say) is kept as entered, and validation reports it.

use std::str::FromStr;

use crate::case::Intake;
use crate::catalog::Catalog;
use crate::document::{DocumentKind, normalize_document};
use crate::history::canonical_numbers;
use crate::names::normalize_name;
use crate::person::{ContactKind, PersonRole};
use crate::phone::normalize_phone;
use crate::validation::{ADULT_AGE, effective_priority};

/// Returns the normalised form of `intake`. Applying it twice gives the same result.
pub fn normalize_intake(intake: &Intake, catalog: &Catalog) -> Intake {
    let mut out = intake.clone();
    let region = catalog.office(&intake.office).map(|o| o.country.clone());
    let mut minor = false;
    for person in &mut out.persons {
        person.given_names = normalize_name(&person.given_names);
        person.surnames = normalize_name(&person.surnames);
        for doc in &mut person.documents {
            if let Some(n) = DocumentKind::from_str(&doc.kind)
                .ok()
                .and_then(|k| normalize_document(k, &doc.number))
            {
                doc.number = n;
            }
        }
        for contact in &mut person.contacts {
            match contact.kind {
                ContactKind::Phone => {
                    let r = contact.country.as_deref().or(region.as_deref());
                    if let Some(e164) = normalize_phone(&contact.value, r) {
                        contact.value = e164;
                    }
                }
                ContactKind::Email => contact.value = contact.value.trim().to_owned(),
                ContactKind::Address => contact.value = normalize_name(&contact.value),
            }
        }
        if person.role == PersonRole::National
            && person
                .age_on(intake.opened_on)
                .is_some_and(|age| age < ADULT_AGE)
        {
            minor = true;
        }
    }
    out.facts.values_mut().for_each(canonical_numbers);
    if minor && !out.flags.iter().any(|f| f == "minor") && catalog.flag("minor").is_some() {
        out.flags.push("minor".to_owned());
    }
    out.priority = Some(effective_priority(&out, catalog));
    out
}
