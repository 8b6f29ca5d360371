//! Converting one row into an intake ([`convert`]): the cells mapped, the result validated, its
//! problems sorted, and every mapping used reported ([`super::Mapping`]).

use chrono::NaiveDate;

use super::problems::sort_problems;
use super::resolve::{Names, remembered, resolve_category, resolve_office};
use super::{LegacyMap, LegacyRow, Mapping, codes, fold, parse_date, split_name};
use crate::case::{Facts, FollowUp, Intake, Note};
use crate::catalog::Catalog;
use crate::issue::{Issue, Locale, Severity};
use crate::person::{
    Contact, ContactKind, IdentityDocument, Location, LocationKind, Person, PersonRole,
};

/// The outcome of converting one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Conversion {
    /// The record, ready to open; `None` when the row is blank or wrong.
    pub ready: Option<Ready>,
    /// The problems that are not follow-ups: errors (the row is held back) and warnings.
    pub issues: Vec<Issue>,
    /// The items the case will follow up.
    pub follow_ups: Vec<FollowUp>,
    /// The mappings used.
    pub mappings: Vec<Mapping>,
    /// The intake as converted (also for a wrong row, for duplicate detection); `None` for a
    /// blank row.
    pub intake: Option<Intake>,
}

impl Conversion {
    /// Whether the row holds nothing.
    pub fn is_blank(&self) -> bool {
        self.intake.is_none()
    }

    /// Whether the row is held back for correction.
    pub fn is_held_back(&self) -> bool {
        self.ready.is_none() && self.intake.is_some()
    }
}

/// A converted legacy record with no wrong value: only [`convert`] makes one, so [`open`] need
/// not validate it again.
///
/// [`open`]: super::open()
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    pub(super) intake: Intake,
    pub(super) follow_ups: Vec<FollowUp>,
}

impl Ready {
    /// The normalised intake the case is opened from.
    pub fn intake(&self) -> &Intake {
        &self.intake
    }
}

pub(super) struct Converter<'a> {
    pub(super) catalog: &'a Catalog,
    pub(super) map: &'a LegacyMap,
    pub(super) names: &'a Names,
    pub(super) locale: Locale,
    pub(super) today: NaiveDate,
    pub(super) issues: Vec<Issue>,
    pub(super) mappings: Vec<Mapping>,
}

impl Converter<'_> {
    fn wrong(&mut self, code: &str, path: &str) {
        self.issues.push(Issue::new(code, path, self.locale, &[]));
    }

    fn mapped(&mut self, field: &'static str, via: &'static str, entry: String) {
        self.mappings.push(Mapping { field, via, entry });
    }

    fn is_no_value(&self, text: &str) -> bool {
        let map = self.map;
        let folded = fold(text);
        folded.is_empty() || map.no_value.contains(&folded)
    }

    fn date(&mut self, field: &'static str, text: &str, path: &str) -> Option<NaiveDate> {
        let map = self.map;
        match parse_date(text, &map.months, self.today) {
            Some((date, format)) => {
                self.mapped(field, "date_format", format.to_owned());
                Some(date)
            }
            None => {
                self.wrong(codes::UNREADABLE_DATE, path);
                None
            }
        }
    }

    /// Records the mapping of a resolved cell and returns its code.
    fn resolved(&mut self, found: Option<(String, Mapping)>) -> Option<String> {
        let (code, mapping) = found?;
        self.mappings.push(mapping);
        Some(code)
    }

    fn office(&mut self, text: &str) -> Option<String> {
        let (map, names) = (self.map, self.names);
        let found = remembered(&names.seen_offices, text, || {
            resolve_office(map, names, text)
        });
        self.resolved(found)
    }

    fn category(&mut self, text: &str) -> Option<String> {
        let (catalog, map, names) = (self.catalog, self.map, self.names);
        let found = remembered(&names.seen_categories, text, || {
            resolve_category(catalog, map, names, text)
        });
        self.resolved(found)
    }

    fn country(&mut self, text: &str) -> Option<String> {
        let map = self.map;
        let folded = fold(text);
        if folded.is_empty() {
            return None;
        }
        if let Some(code) = map.country_aliases.get(&folded) {
            self.mapped("country", "alias", format!("{folded} → {code}"));
            return Some(code.clone());
        }
        let code = text.trim().to_uppercase();
        if code.len() == 2 && code.bytes().all(|b| b.is_ascii_uppercase()) {
            self.mapped("country", "code", code.clone());
            return Some(code);
        }
        None
    }

    pub(super) fn person(&mut self, row: &LegacyRow, office_country: Option<&str>) -> Person {
        let (catalog, map) = (self.catalog, self.map);
        let (given_names, surnames) = split_name(&row.full_name);
        let mut person = Person {
            role: PersonRole::National,
            relationship: None,
            given_names,
            surnames,
            birth_date: None,
            sex: None,
            nationality: Some(catalog.pack.country.clone()),
            documents: Vec::new(),
            contacts: Vec::new(),
            locations: Vec::new(),
        };
        if !self.is_no_value(&row.birth_date) {
            person.birth_date = self.date("birth_date", &row.birth_date, "/persons/0/birth_date");
        }
        let sex = fold(&row.sex);
        if let Some(s) = map.sex_aliases.get(&sex) {
            self.mapped("sex", "alias", sex);
            person.sex = Some(*s);
        }
        let identity = row.identity.trim();
        if !self.is_no_value(identity) && identity.chars().any(|c| c.is_ascii_digit()) {
            let passport = identity.chars().next().is_some_and(|c| c.is_alphabetic());
            let kind = if passport {
                &map.passport
            } else {
                &map.national_id
            };
            self.mapped("identity", "document_kind", kind.clone());
            person.documents.push(IdentityDocument {
                kind: kind.clone(),
                number: identity.to_owned(),
            });
        }
        let phone = row.phone.trim();
        if !self.is_no_value(phone) {
            let digits = phone.chars().filter(char::is_ascii_digit).count();
            let country = if phone.starts_with('+') {
                None
            } else if digits == 8 {
                Some(map.phone_country.clone())
            } else {
                office_country.map(str::to_owned)
            };
            person.contacts.push(Contact {
                kind: ContactKind::Phone,
                value: phone.to_owned(),
                country,
            });
        }
        let email = row.email.trim();
        if !self.is_no_value(email) {
            person.contacts.push(Contact {
                kind: ContactKind::Email,
                value: email.to_owned(),
                country: None,
            });
        }
        person
    }
}

/// Converts one row: maps it to an intake, validates it as of `today`, and sorts its problems
/// into follow-ups and wrong values (see the module docs).
pub fn convert(
    row: &LegacyRow,
    catalog: &Catalog,
    map: &LegacyMap,
    locale: Locale,
    today: NaiveDate,
) -> Conversion {
    convert_with(row, catalog, map, &Names::of(catalog), locale, today)
}

pub(super) fn convert_with(
    row: &LegacyRow,
    catalog: &Catalog,
    map: &LegacyMap,
    names: &Names,
    locale: Locale,
    today: NaiveDate,
) -> Conversion {
    let mut c = Converter {
        catalog,
        map,
        names,
        locale,
        today,
        issues: Vec::new(),
        mappings: Vec::new(),
    };
    if row.is_blank() {
        return Conversion {
            ready: None,
            issues: Vec::new(),
            follow_ups: Vec::new(),
            mappings: Vec::new(),
            intake: None,
        };
    }
    let opened_on = if row.opened_on.trim().is_empty() {
        c.wrong(codes::NO_DATE, "/opened_on");
        None
    } else {
        c.date("opened_on", &row.opened_on, "/opened_on")
    };
    let office = c.office(&row.office);
    if office.is_none() {
        c.wrong(codes::UNKNOWN_OFFICE, "/office");
    }
    let category = c.category(&row.category);
    if category.is_none() {
        c.wrong(codes::UNKNOWN_CATEGORY, "/category");
    }
    if fold(&row.full_name).is_empty() {
        c.wrong(codes::NO_NAME, "/persons/0");
    }
    let office_country = office
        .as_deref()
        .and_then(|o| catalog.office(o))
        .map(|o| o.country.clone());
    let mut national = c.person(row, office_country.as_deref());
    let country = c.country(&row.country);
    let place = row.place.trim();
    if let Some(country) = &country {
        national.locations.push(Location {
            kind: LocationKind::Current,
            country: country.clone(),
            place: (!place.is_empty()).then(|| place.to_owned()),
        });
    }
    let mut facts = Facts::new();
    if let Some(def) = category.as_deref().and_then(|k| catalog.category(k)) {
        for fact in &def.facts {
            if map.place_facts.contains(&fact.key) && !place.is_empty() {
                facts.insert(fact.key.clone(), place.into());
            } else if let Some(country) = country
                .as_ref()
                .filter(|_| map.country_facts.contains(&fact.key))
            {
                facts.insert(fact.key.clone(), country.as_str().into());
            }
        }
    }
    let day = opened_on.unwrap_or(today);
    let notes = row.notes.trim();
    let intake = Intake {
        office: office.unwrap_or_default(),
        category: category.unwrap_or_default(),
        flags: Vec::new(),
        priority: None,
        opened_on: day,
        persons: vec![national],
        consent: None,
        facts,
        notes: if notes.is_empty() {
            Vec::new()
        } else {
            vec![Note {
                text: notes.to_owned(),
                written_on: Some(day),
            }]
        },
        services: Vec::new(),
        referrals: Vec::new(),
        attachments: Vec::new(),
    };
    let Converter {
        mut issues,
        mappings,
        ..
    } = c;
    let (intake, follow_ups, found) = sort_problems(intake, catalog, map, locale, today);
    issues.extend(found);
    let wrong = issues.iter().any(|i| i.severity == Severity::Error);
    let ready = (!wrong).then(|| Ready {
        intake: crate::normalize::normalize_intake(&intake, catalog),
        follow_ups: follow_ups.clone(),
    });
    Conversion {
        ready,
        issues,
        follow_ups,
        mappings,
        intake: Some(intake),
    }
}
