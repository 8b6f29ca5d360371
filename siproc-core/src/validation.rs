//! Validation of an intake: every problem at once, as a [`Report`].
//!
//! Field rules (lengths, list sizes) are declared on the model with the `validator` crate; the
//! rules it cannot express — catalog-driven facts, date order, minors, consent, phones, identity
//! documents — are plain Rust below. Each problem is an [`Issue`] with a stable code from the rule
//! catalogue ([`crate::list_rules`]), a JSON Pointer and a message that never holds the failing
//! value.

use std::borrow::Cow;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate, Utc};
use validator::{Validate, ValidationErrors, ValidationErrorsKind};

use crate::case::{ConsentScope, Intake, Priority};
use crate::catalog::{Catalog, Category, DEFAULT_MAX_FACT_CHARS, FactType};
use crate::country::is_country;
use crate::document::{self, DocumentKind};
use crate::issue::{Issue, Locale, Pointer, Report};
use crate::names;
use crate::person::{ContactKind, Person, PersonRole};
use crate::reading::is_identifier;
use crate::{email, phone};

/// Age below which a national is a minor.
pub const ADULT_AGE: u32 = 18;
/// The largest number magnitude a record may hold: 2^53 − 1, ECMAScript's
/// `Number.MAX_SAFE_INTEGER`.
///
/// I-JSON (RFC 7493 §2.2), which RFC 8785 hashes, carries numbers as IEEE 754 doubles: beyond
/// this magnitude not every integer has one, so `9007199254740993` would be read as
/// `9007199254740992` by a browser (before siproc even sees it) and could not be hashed into a
/// case's history. Such numbers are `number.too_large` errors, whatever their spelling
/// (`1e21` too: a double that large is an integer, and the three runtimes must agree on a value
/// they cannot tell apart). Smaller numbers, fractions included, are canonicalised exactly.
pub const MAX_SAFE_NUMBER: f64 = 9_007_199_254_740_991.0;

/// Validates `intake` against `catalog`, with today's date (UTC) as the limit for past dates.
pub fn validate(intake: &Intake, catalog: &Catalog, locale: Locale) -> Report {
    validate_on(intake, catalog, locale, Utc::now().date_naive())
}

/// Validates `intake` as [`validate`] does, taking `today` as the current date.
pub fn validate_on(intake: &Intake, catalog: &Catalog, locale: Locale, today: NaiveDate) -> Report {
    let mut v = Validator {
        catalog,
        locale,
        today,
        issues: Vec::new(),
    };
    v.run(intake);
    Report::from_issues(v.issues)
}

/// Parses an intake from JSON text. On failure the issue says where parsing stopped, by JSON
/// Pointer (and line and column for malformed JSON), without quoting the input.
pub fn parse_intake(json: &str, locale: Locale) -> Result<Intake, Issue> {
    // serde also reads a struct from an array of its fields; an intake is an object only.
    if !json.trim_start().starts_with('{')
        && serde_json::from_str::<serde::de::IgnoredAny>(json).is_ok()
    {
        return Err(Issue::new("json.bad_value", "", locale, &[]));
    }
    crate::reading::read(json, locale)
}

/// Parses an intake from a JSON value (as the bindings hand it over).
pub fn intake_from_value(value: serde_json::Value, locale: Locale) -> Result<Intake, Issue> {
    if !value.is_object() {
        return Err(Issue::new("json.bad_value", "", locale, &[]));
    }
    from_json_value(&value, locale)
}

/// Reads any value of the wire format (an intake, a case, an event, a command) from JSON text,
/// the whole text, or returns the issue (`json.*`) that says where reading stopped, without
/// quoting the input: `json.syntax` with line and column for malformed text, otherwise
/// `json.missing_field`, `json.unknown_field` or `json.bad_value` with a JSON Pointer whose keys
/// are identifiers only (the place is found as `reading` in the source says).
pub fn from_json_text<T: serde::de::DeserializeOwned>(
    json: &str,
    locale: Locale,
) -> Result<T, Issue> {
    crate::reading::read(json, locale)
}

/// Reads any value of the wire format (an intake, a case, an event, a command) from JSON, or
/// returns the issue (`json.*`) that says where reading stopped, without quoting the input.
pub fn from_json_value<T: serde::de::DeserializeOwned>(
    value: &serde_json::Value,
    locale: Locale,
) -> Result<T, Issue> {
    crate::reading::read_value(value, locale)
}

/// Parses and validates JSON text: a record that does not parse gets a report with the one issue
/// that says where parsing stopped.
pub fn validate_json(json: &str, catalog: &Catalog, locale: Locale) -> Report {
    match parse_intake(json, locale) {
        Ok(intake) => validate(&intake, catalog, locale),
        Err(issue) => Report::from_issues(vec![issue]),
    }
}

/// Parses and validates a JSON value, as [`validate_json`] does.
pub fn validate_value(value: serde_json::Value, catalog: &Catalog, locale: Locale) -> Report {
    match intake_from_value(value, locale) {
        Ok(intake) => validate(&intake, catalog, locale),
        Err(issue) => Report::from_issues(vec![issue]),
    }
}

/// Validates the record a form is editing, with `value` put at `pointer`, and returns only the
/// issues at or below `pointer`: the live check of one field as an officer types.
///
/// Missing parts of the path are created, so a field can be checked before the rest of the
/// form is filled in. A pointer that cannot be applied (it goes through a scalar, or indexes
/// past the end of a list) gives a `json.bad_value` issue at the pointer.
pub fn validate_field(
    mut record: serde_json::Value,
    pointer: &str,
    value: serde_json::Value,
    catalog: &Catalog,
    locale: Locale,
) -> Report {
    if !put(&mut record, pointer, value) {
        return Report::from_issues(vec![Issue::new("json.bad_value", pointer, locale, &[])]);
    }
    // Through the record's JSON text, as `validate_json` reads it: one reading of the wire
    // format for both, which keeps the WebAssembly package small (a check as one types is no
    // hot path).
    let report = validate_json(&record.to_string(), catalog, locale);
    let below = |path: &str| {
        path == pointer
            || (path.starts_with(pointer) && path.as_bytes().get(pointer.len()) == Some(&b'/'))
    };
    Report::from_issues(
        report
            .issues
            .into_iter()
            .filter(|i| below(&i.path))
            .collect(),
    )
}

/// The deepest pointer [`validate_field`] applies: far below any field of the wire format, and
/// low enough that a hostile pointer cannot build a record too deep to walk without overflowing
/// the stack.
const MAX_POINTER_SEGMENTS: usize = 32;

/// Puts `value` at JSON Pointer `pointer` in `record`, creating objects on the way (and appending
/// to a list at index `len`). `false` when the pointer cannot be applied.
fn put(record: &mut serde_json::Value, pointer: &str, value: serde_json::Value) -> bool {
    if pointer.split('/').nth(MAX_POINTER_SEGMENTS + 1).is_some() {
        return false;
    }
    if pointer.is_empty() {
        *record = value;
        return true;
    }
    let Some(rest) = pointer.strip_prefix('/') else {
        return false;
    };
    let mut target = record;
    let segments: Vec<String> = rest
        .split('/')
        .map(|s| s.replace("~1", "/").replace("~0", "~"))
        .collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        if target.is_null() {
            *target = serde_json::Value::Object(serde_json::Map::new());
        }
        let next = match target {
            serde_json::Value::Object(map) => {
                let slot = map
                    .entry(segment.clone())
                    .or_insert(serde_json::Value::Null);
                Some(slot)
            }
            serde_json::Value::Array(list) => match segment.parse::<usize>() {
                Ok(index) if index == list.len() => {
                    list.push(serde_json::Value::Null);
                    list.last_mut()
                }
                Ok(index) => list.get_mut(index),
                Err(_) => None,
            },
            _ => None,
        };
        let Some(next) = next else { return false };
        if last {
            *next = value;
            return true;
        }
        target = next;
    }
    false
}

/// A location in the record being validated, built on the stack as validation walks it; it is
/// rendered to a JSON Pointer only when an issue is reported, so valid records cost no allocation.
#[derive(Clone, Copy)]
enum Loc<'a> {
    Root,
    Key(&'a Loc<'a>, &'a str),
    Index(&'a Loc<'a>, usize),
}

impl<'a> Loc<'a> {
    fn key(&'a self, key: &'a str) -> Loc<'a> {
        Loc::Key(self, key)
    }

    fn index(&'a self, index: usize) -> Loc<'a> {
        Loc::Index(self, index)
    }

    fn pointer(&self) -> Pointer {
        match self {
            Loc::Root => Pointer::root(),
            Loc::Key(parent, key) => parent.pointer().key(key),
            Loc::Index(parent, index) => parent.pointer().index(*index),
        }
    }
}

struct Validator<'a> {
    catalog: &'a Catalog,
    locale: Locale,
    today: NaiveDate,
    issues: Vec<Issue>,
}

impl Validator<'_> {
    fn push(&mut self, code: &str, path: &Loc<'_>, params: &[(&str, &str)]) {
        self.issues
            .push(Issue::new(code, path.pointer(), self.locale, params));
    }

    fn run(&mut self, intake: &Intake) {
        let root = Loc::Root;
        if let Err(errors) = intake.validate() {
            self.field_errors(&errors, &Pointer::root());
        }
        let office = self.catalog.office(&intake.office);
        if office.is_none() {
            let code = if intake.office.is_empty() {
                "field.required"
            } else {
                "office.unknown"
            };
            self.push(code, &root.key("office"), &[]);
        }
        let category = self.catalog.category(&intake.category);
        if category.is_none() {
            let code = if intake.category.is_empty() {
                "field.required"
            } else {
                "category.unknown"
            };
            self.push(code, &root.key("category"), &[]);
        }
        for (i, flag) in intake.flags.iter().enumerate() {
            if self.catalog.flag(flag).is_none() {
                self.push("flag.unknown", &root.key("flags").index(i), &[]);
            }
        }
        let implied = self.catalog.priority_for(&intake.flags);
        if intake.priority.is_some_and(|p| p < implied) {
            self.push(
                "priority.below_flags",
                &root.key("priority"),
                &[("priority", implied.as_str())],
            );
        }
        self.not_future(intake.opened_on, &root.key("opened_on"));

        let default_region = office.map(|o| o.country.as_str());
        self.persons(intake, default_region);
        // Other dates are compared with a plausible birth date only: a birth date in the future
        // is one problem (at the birth date), not one more at every date after it.
        let birth = intake
            .national()
            .and_then(|n| n.birth_date)
            .filter(|b| self.plausible_birth(*b));
        if birth.is_some_and(|b| intake.opened_on < b) {
            self.push("date.before_birth", &root.key("opened_on"), &[]);
        }
        let facts = root.key("facts");
        for (key, value) in &intake.facts {
            // Keys that are free text do not go into paths (they may be personal data).
            let at = if is_identifier(key) {
                facts.key(key)
            } else {
                facts
            };
            self.numbers(value, &at);
        }
        if let Some(category) = category {
            self.facts(intake, category, birth);
            self.required_relative(intake, category);
        } else {
            // Without a category the facts cannot be checked, but must still be well-formed keys.
            let facts = root.key("facts");
            for key in intake.facts.keys().filter(|k| !is_identifier(k)) {
                let _ = key;
                self.push("fact.unknown", &facts, &[]);
            }
        }
        self.minor(intake);
        self.consent(intake);
        let services = root.key("services");
        for (i, service) in intake.services.iter().enumerate() {
            let path = services.index(i);
            if self.catalog.service(&service.kind).is_none() {
                self.push("service.unknown_kind", &path.key("kind"), &[]);
            }
            self.not_future(service.given_on, &path.key("given_on"));
        }
        let notes = root.key("notes");
        for (i, note) in intake.notes.iter().enumerate() {
            let at = notes.index(i);
            if note.text.trim().is_empty() {
                self.push("text.empty", &at.key("text"), &[]);
            }
            if let Some(day) = note.written_on {
                self.not_future(day, &at.key("written_on"));
            }
        }
        for (i, referral) in intake.referrals.iter().enumerate() {
            if self.catalog.partner(&referral.partner).is_none() {
                self.push(
                    "referral.unknown_partner",
                    &root.key("referrals").index(i).key("partner"),
                    &[],
                );
            }
        }
        let attachments = root.key("attachments");
        for (i, a) in intake.attachments.iter().enumerate() {
            let path = attachments.index(i);
            if !crate::hex::is_sha256_hex(&a.sha256) {
                self.push("attachment.bad_digest", &path.key("sha256"), &[]);
            }
            if !is_media_type(&a.media_type) {
                self.push("attachment.bad_media_type", &path.key("media_type"), &[]);
            }
            if a.size == 0 {
                self.push("attachment.empty", &path.key("size"), &[]);
            }
            if a.size as f64 > MAX_SAFE_NUMBER {
                self.push("number.too_large", &path.key("size"), &[]);
            }
        }
    }

    /// Reports every number in `value` (at any depth) that JSON cannot carry exactly.
    fn numbers(&mut self, value: &serde_json::Value, at: &Loc<'_>) {
        match value {
            serde_json::Value::Number(_) if is_too_large(value) => {
                self.push("number.too_large", at, &[]);
            }
            serde_json::Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.numbers(item, &at.index(i));
                }
            }
            serde_json::Value::Object(members) => {
                for (key, item) in members {
                    let path = if is_identifier(key) { at.key(key) } else { *at };
                    self.numbers(item, &path);
                }
            }
            _ => {}
        }
    }

    /// Turns the `validator` crate's errors into issues, in a stable order.
    fn field_errors(&mut self, errors: &ValidationErrors, at: &Pointer) {
        let locale = self.locale;
        let mut fields: Vec<(&Cow<'static, str>, &ValidationErrorsKind)> =
            errors.errors().iter().collect();
        fields.sort_by(|a, b| a.0.cmp(b.0));
        for (field, kind) in fields {
            let path = at.key(field);
            match kind {
                ValidationErrorsKind::Field(list) => {
                    for e in list {
                        let mut params: Vec<(&str, String)> = Vec::new();
                        for name in ["min", "max"] {
                            if let Some(v) = e.params.get(name) {
                                params.push((name, v.to_string()));
                            }
                        }
                        let params: Vec<(&str, &str)> =
                            params.iter().map(|(n, v)| (*n, v.as_str())).collect();
                        self.issues
                            .push(Issue::new(&e.code, &path, locale, &params));
                    }
                }
                ValidationErrorsKind::Struct(inner) => self.field_errors(inner, &path),
                ValidationErrorsKind::List(items) => {
                    for (index, inner) in items {
                        self.field_errors(inner, &path.index(*index));
                    }
                }
            }
        }
    }

    fn not_future(&mut self, day: NaiveDate, path: &Loc<'_>) -> bool {
        if day > self.today {
            self.push("date.in_future", path, &[]);
            false
        } else {
            true
        }
    }

    fn country(&mut self, code: &str, path: &Loc<'_>) {
        if !is_country(code) {
            self.push("country.unknown", path, &[]);
        }
    }

    fn persons(&mut self, intake: &Intake, default_region: Option<&str>) {
        let root = Loc::Root.key("persons");
        let mut nationals = 0;
        for (i, person) in intake.persons.iter().enumerate() {
            let at = root.index(i);
            if person.role == PersonRole::National {
                nationals += 1;
                if nationals == 2 {
                    self.push("persons.many_nationals", &at.key("role"), &[]);
                }
            }
            if person.role == PersonRole::Relative && person.relationship.is_none() {
                self.push("person.relationship_missing", &at.key("relationship"), &[]);
            }
            self.person(person, &at, default_region);
        }
        if nationals == 0 {
            self.push("persons.no_national", &root, &[]);
        }
    }

    fn person(&mut self, person: &Person, at: &Loc<'_>, default_region: Option<&str>) {
        for (field, value) in [
            ("given_names", &person.given_names),
            ("surnames", &person.surnames),
        ] {
            let path = at.key(field);
            if value.trim().is_empty() {
                self.push("name.empty", &path, &[]);
            } else if value.len() <= 4 * crate::person::MAX_NAME_CHARS as usize
                && !names::is_valid_name(value)
            {
                self.push("name.bad_characters", &path, &[]);
            }
        }
        if let Some(birth) = person.birth_date {
            let path = at.key("birth_date");
            if self.not_future(birth, &path) && birth.year() < 1900 {
                self.push("date.implausible", &path, &[]);
            }
        }
        if let Some(nationality) = &person.nationality {
            self.country(nationality, &at.key("nationality"));
        }
        let documents = at.key("documents");
        for (j, doc) in person.documents.iter().enumerate() {
            let path = documents.index(j);
            match DocumentKind::from_str(&doc.kind) {
                Err(_) if doc.kind.is_empty() => {
                    self.push("field.required", &path.key("kind"), &[])
                }
                Err(_) => self.push(
                    "document.unknown_kind",
                    &path.key("kind"),
                    &[("kinds", &document::known_kinds())],
                ),
                Ok(kind) => {
                    let number = path.key("number");
                    let found = document::check_document_at(
                        kind,
                        &doc.number,
                        &number.pointer(),
                        self.locale,
                    );
                    let valid = found.is_empty();
                    self.issues.extend(found);
                    if valid && kind == DocumentKind::HnDni {
                        let year = document::dni_registration_year(&doc.number);
                        let born = person
                            .birth_date
                            .filter(|b| self.plausible_birth(*b))
                            .map(|b| b.year());
                        if let (Some(year), Some(born)) = (year, born)
                            && year != born
                        {
                            self.push("dni.year_mismatch", &number, &[]);
                        }
                    }
                }
            }
        }
        let contacts = at.key("contacts");
        for (j, contact) in person.contacts.iter().enumerate() {
            let path = contacts.index(j);
            if let Some(country) = &contact.country {
                self.country(country, &path.key("country"));
            }
            if contact.value.trim().is_empty() {
                self.push("text.empty", &path.key("value"), &[]);
                continue;
            }
            if contact.value.chars().count() > 300 {
                continue; // already reported as too long
            }
            match contact.kind {
                ContactKind::Phone => {
                    let region = contact.country.as_deref().or(default_region);
                    if phone::parse(&contact.value, region).is_none() {
                        self.push("phone.invalid", &path.key("value"), &[]);
                    }
                }
                ContactKind::Email => {
                    if !email::is_valid(&contact.value) {
                        self.push("email.invalid", &path.key("value"), &[]);
                    }
                }
                ContactKind::Address => {}
            }
        }
        for (j, location) in person.locations.iter().enumerate() {
            self.country(
                &location.country,
                &at.key("locations").index(j).key("country"),
            );
        }
    }

    fn facts(&mut self, intake: &Intake, category: &Category, birth: Option<NaiveDate>) {
        let root = Loc::Root.key("facts");
        for def in &category.facts {
            let path = root.key(&def.key);
            let value = intake.facts.get(&def.key).filter(|v| !v.is_null());
            let Some(value) = value else {
                if def.required {
                    self.push("fact.required", &path, &[("fact", &def.key)]);
                }
                continue;
            };
            if is_too_large(value) {
                continue; // reported as number.too_large
            }
            match def.kind {
                FactType::Text => match value.as_str() {
                    Some(text) if text.trim().is_empty() => {
                        if def.required {
                            self.push("fact.required", &path, &[("fact", &def.key)]);
                        }
                    }
                    Some(text) => {
                        let max = def.max_chars.unwrap_or(DEFAULT_MAX_FACT_CHARS);
                        if text.chars().count() > max as usize {
                            self.push("text.too_long", &path, &[("max", &max.to_string())]);
                        }
                    }
                    None => self.push("fact.wrong_type", &path, &[("type", "text")]),
                },
                FactType::Date => match value.as_str().map(NaiveDate::from_str) {
                    Some(Ok(day)) => {
                        if def.before_request
                            && self.not_future(day, &path)
                            && day > intake.opened_on
                        {
                            self.push("date.after_request", &path, &[]);
                        }
                        if def.after_birth && birth.is_some_and(|b| day < b) {
                            self.push("date.before_birth", &path, &[]);
                        }
                    }
                    _ => self.push("fact.wrong_type", &path, &[("type", "date")]),
                },
                FactType::Country => match value.as_str() {
                    Some(code) => self.country(code, &path),
                    None => self.push("fact.wrong_type", &path, &[("type", "country")]),
                },
                FactType::Choice => match value.as_str() {
                    Some(code) if def.values.iter().any(|c| c.code == code) => {}
                    Some(_) => self.push("fact.not_allowed", &path, &[]),
                    None => self.push("fact.wrong_type", &path, &[("type", "choice")]),
                },
                FactType::Boolean => {
                    if !value.is_boolean() {
                        self.push("fact.wrong_type", &path, &[("type", "boolean")]);
                    }
                }
                FactType::Count => {
                    if !value.is_u64() {
                        self.push("fact.wrong_type", &path, &[("type", "count")]);
                    }
                }
            }
        }
        for key in intake.facts.keys() {
            if category.fact(key).is_none() {
                let path = if is_identifier(key) {
                    root.key(key)
                } else {
                    root
                };
                self.push("fact.unknown", &path, &[]);
            }
        }
    }

    fn required_relative(&mut self, intake: &Intake, category: &Category) {
        let Some(required) = &category.requires_relative else {
            return;
        };
        let present = intake.persons.iter().any(|p| {
            p.role == PersonRole::Relative
                && p.relationship
                    .is_some_and(|r| required.relationships.contains(&r))
        });
        if !present {
            let list: Vec<&str> = required.relationships.iter().map(|r| r.as_str()).collect();
            self.push(
                "persons.relative_required",
                &Loc::Root.key("persons"),
                &[("relationships", &list.join(", "))],
            );
        }
    }

    fn minor(&mut self, intake: &Intake) {
        let Some((index, national)) = intake
            .persons
            .iter()
            .enumerate()
            .find(|(_, p)| p.role == PersonRole::National)
        else {
            return;
        };
        let Some(age) = national.age_on(intake.opened_on) else {
            return;
        };
        if age >= ADULT_AGE {
            return;
        }
        if !intake.flags.iter().any(|f| f == "minor") {
            self.push("person.minor_not_flagged", &Loc::Root.key("flags"), &[]);
        }
        let guardian = intake
            .persons
            .iter()
            .any(|p| p.role == PersonRole::Guardian);
        let shelter = intake
            .facts
            .get("shelter")
            .and_then(|v| v.as_str())
            .is_some_and(|s| !s.trim().is_empty());
        if !guardian && !shelter {
            self.push(
                "person.minor_without_guardian",
                &Loc::Root.key("persons").index(index),
                &[],
            );
        }
    }

    /// Whether `birth` is a birth date other dates may be compared with: not in the future, not
    /// before 1900 (either is reported at the birth date itself).
    fn plausible_birth(&self, birth: NaiveDate) -> bool {
        birth <= self.today && birth.year() >= 1900
    }

    fn consent(&mut self, intake: &Intake) {
        let root = Loc::Root;
        match &intake.consent {
            None => self.push("consent.missing", &root.key("consent"), &[]),
            Some(consent) => {
                let path = root.key("consent");
                if !consent.given {
                    self.push("consent.not_given", &path.key("given"), &[]);
                }
                if intake.persons.get(consent.given_by).is_none() {
                    self.push("consent.unknown_person", &path.key("given_by"), &[]);
                }
                self.not_future(consent.recorded_on, &path.key("recorded_on"));
            }
        }
        let shared = intake
            .consent
            .as_ref()
            .is_some_and(|c| c.covers(ConsentScope::ShareWithPartners));
        if !shared {
            for i in 0..intake.referrals.len() {
                self.push(
                    "consent.required_for_referral",
                    &root.key("referrals").index(i),
                    &[],
                );
            }
        }
    }
}

/// Whether `value` is a number of magnitude above [`MAX_SAFE_NUMBER`].
fn is_too_large(value: &serde_json::Value) -> bool {
    value.as_f64().is_some_and(|n| n.abs() > MAX_SAFE_NUMBER)
}

/// Whether `s` looks like a media type: `type/subtype`, ASCII token characters.
fn is_media_type(s: &str) -> bool {
    let token = |t: &str| {
        !t.is_empty()
            && t.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$&^_.+-".contains(&b))
    };
    match s.split_once('/') {
        Some((kind, sub)) => token(kind) && token(sub),
        None => false,
    }
}

/// The priority an intake gets: its own, raised to what its flags imply.
pub fn effective_priority(intake: &Intake, catalog: &Catalog) -> Priority {
    let implied = catalog.priority_for(&intake.flags);
    intake.priority.map_or(implied, |p| p.max(implied))
}

/// Parses and validates JSON given as bytes (a line of a JSON Lines file), as [`validate_json`]
/// does. Bytes that are not UTF-8 give a `json.syntax` issue at the line and column of the first
/// bad byte.
pub fn validate_json_bytes(json: &[u8], catalog: &Catalog, locale: Locale) -> Report {
    match std::str::from_utf8(json) {
        Ok(text) => validate_json(text, catalog, locale),
        Err(e) => {
            let valid = json.get(..e.valid_up_to()).unwrap_or_default();
            let line = valid.iter().filter(|&&b| b == b'\n').count() + 1;
            let start = valid.iter().rposition(|&b| b == b'\n').map_or(0, |p| p + 1);
            let column = valid.len() - start + 1;
            let (line, column) = (line.to_string(), column.to_string());
            Report::from_issues(vec![Issue::new(
                "json.syntax",
                "",
                locale,
                &[("line", &line), ("column", &column)],
            )])
        }
    }
}
