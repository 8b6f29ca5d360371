//! Legacy import: cases from a consulate's old spreadsheet log, opened as cases even when the
//! log lacks what today's intake requires.
//!
//! A legacy log records a case that happened; refusing it because the old log never asked for
//! the category's facts, the requesting relative, a minor's guardian or consent would drop the
//! case from the ministry's memory. This module is the distinct path for those records:
//!
//! 1. [`convert`] reads one [`LegacyRow`] (the log's documented columns, as text) through the
//!    pack's [`LegacyMap`] — office and category spellings, country names, the date formats
//!    consulates write (`23-11-2020`, `11/7/1979`, `2024-11-20`, `7 de marzo de 2021`; day
//!    first, never US order) — into an [`Intake`], validates it, and sorts the problems:
//!    - *incomplete*: requirements that exist for new intakes. The map's `incomplete` table
//!      says which rule codes these are ([`Policy::FollowUp`]), and which values that fail
//!      their check are left out and re-entered later ([`Policy::DropValue`], e.g. a phone
//!      number that cannot be dialled). Each becomes a [`FollowUp`] item.
//!    - *wrong*: every other error (an impossible document number, a birth date in the future,
//!      an office no mapping resolves, a row with no name). The row is held back, with the
//!      issues, for correction in the log.
//!
//!    Every mapping used is reported ([`Mapping`]), naming the pack's table entry, never the
//!    cell's text.
//! 2. [`open`] opens the converted record: a `case_opened` event whose payload carries a
//!    [`LegacyOrigin`] (the source file's reference and row, no personal data, and the follow-up
//!    items). The case ([`crate::Case::legacy`]) and its summary tell migrated and incomplete
//!    cases apart.
//! 3. A later `correct` command that supplies a missing item completes it: the
//!    `facts_corrected` event lists the items it resolves (see [`LegacyOrigin::resolved_by`](crate::LegacyOrigin::resolved_by)), and
//!    recording consent resolves the consent item.
//!
//! [`import`] runs the whole migration of a log against a [`CaseStore`]: idempotent by source
//! and row (the case id is derived from them, [`legacy_case_id`]), so re-running after fixing
//! held-back rows imports exactly those rows; with `dry_run` it decides and reports without
//! writing. [`find_duplicates`] finds candidate duplicates among a log's rows.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::actor::Actor;
use crate::case::{Facts, FollowUp, Intake, LegacyOrigin, Note};
use crate::catalog::{Catalog, CatalogError};
use crate::duplicates::{DuplicatePair, find_duplicate_persons};
use crate::history::FreshEvent;
use crate::issue::{Issue, Locale, Severity};
use crate::names::fold_name;
use crate::person::{
    Contact, ContactKind, IdentityDocument, Location, LocationKind, Person, PersonRole, Sex,
};
use crate::store::{CaseStore, StoreError};
use crate::validation::validate_on;
use crate::workflow::{self, OpeningDraft, WorkflowError};

mod log;
pub use log::{LogError, read_log};

/// How a legacy import treats a validation error of a given code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// A requirement of new intakes: the case is opened and the item is followed up.
    FollowUp,
    /// A value the log holds that fails its check but is not essential (a phone number, an
    /// e-mail address, a fact): it is left out and followed up.
    DropValue,
}

/// The pack's tables for legacy logs (`legacy.json` in the pack's folder). A ministry extends
/// them with its own spellings ([`LegacyMap::extend`]). Keys of the alias tables are written
/// folded (lower case, no accents, punctuation as single spaces; see [`fold`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacyMap {
    /// The document kind of a national identity number (`hn_dni`).
    pub national_id: String,
    /// The document kind of a number that starts with a letter (`hn_passport`).
    pub passport: String,
    /// The country of phone numbers written without a `+` and with 8 digits.
    pub phone_country: String,
    /// Rule codes that make a legacy record incomplete rather than wrong.
    pub incomplete: BTreeMap<String, Policy>,
    /// Office spellings → office code.
    #[serde(default)]
    pub office_aliases: BTreeMap<String, String>,
    /// Case type spellings → category code.
    #[serde(default)]
    pub category_aliases: BTreeMap<String, String>,
    /// Country names → ISO 3166-1 alpha-2 code.
    #[serde(default)]
    pub country_aliases: BTreeMap<String, String>,
    /// Sex spellings → `female` / `male`.
    #[serde(default)]
    pub sex_aliases: BTreeMap<String, Sex>,
    /// Words that stand for "no value" in a cell (`no tiene`).
    #[serde(default)]
    pub no_value: BTreeSet<String>,
    /// Month names and abbreviations → month number.
    #[serde(default)]
    pub months: BTreeMap<String, u32>,
    /// Facts that the log's `Lugar` (place) column fills when the category has them.
    #[serde(default)]
    pub place_facts: Vec<String>,
    /// Facts that the log's `País` (country) column fills when the category has them.
    #[serde(default)]
    pub country_facts: Vec<String>,
}

const HN_LEGACY: &str = include_str!("../packs/hn/legacy.json");

impl LegacyMap {
    /// The built-in tables of a built-in pack (`hn`); `None` for a pack without them.
    pub fn builtin(pack_id: &str) -> Option<LegacyMap> {
        match pack_id {
            "hn" => serde_json::from_str(HN_LEGACY).ok(),
            _ => None,
        }
    }

    /// Reads the tables from JSON, checking every code against the catalog.
    pub fn from_json(json: &str, catalog: &Catalog) -> Result<LegacyMap, CatalogError> {
        let map: LegacyMap = serde_json::from_str(json).map_err(|e| {
            CatalogError::new(
                "catalog.bad_json",
                "legacy.json",
                None,
                format!("line {}, column {}: {e}", e.line(), e.column()),
            )
        })?;
        map.check(catalog)?;
        Ok(map)
    }

    /// Reads `legacy.json` from a pack's folder.
    pub fn load_dir(dir: impl AsRef<Path>, catalog: &Catalog) -> Result<LegacyMap, CatalogError> {
        let text = std::fs::read_to_string(dir.as_ref().join("legacy.json")).map_err(|e| {
            CatalogError::new(
                "catalog.missing_file",
                "legacy.json",
                None,
                format!("cannot read it: {e}"),
            )
        })?;
        LegacyMap::from_json(&text, catalog)
    }

    /// Adds `other`'s entries (a ministry's own spellings); its entries win.
    pub fn extend(&mut self, other: LegacyMap) {
        self.incomplete.extend(other.incomplete);
        self.office_aliases.extend(other.office_aliases);
        self.category_aliases.extend(other.category_aliases);
        self.country_aliases.extend(other.country_aliases);
        self.sex_aliases.extend(other.sex_aliases);
        self.no_value.extend(other.no_value);
        self.months.extend(other.months);
        self.place_facts.extend(other.place_facts);
        self.country_facts.extend(other.country_facts);
    }

    /// Checks that every office and category the tables name is in the catalog.
    pub fn check(&self, catalog: &Catalog) -> Result<(), CatalogError> {
        let unknown = |entry: &str, reason: &str| {
            Err(CatalogError::new(
                "catalog.unknown_reference",
                "legacy.json",
                Some(entry),
                reason.to_owned(),
            ))
        };
        for (alias, code) in &self.office_aliases {
            if catalog.office(code).is_none() {
                return unknown(alias, "the office is not in the pack");
            }
        }
        for (alias, code) in &self.category_aliases {
            if catalog.category(code).is_none() {
                return unknown(alias, "the category is not in the pack");
            }
        }
        for (name, month) in &self.months {
            if !(1..=12).contains(month) {
                return unknown(name, "a month is 1 to 12");
            }
        }
        Ok(())
    }
}

/// One row of a legacy log, as text, in the documented columns (named as in the log's header).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct LegacyRow {
    /// `No.`: the log's own number.
    #[serde(rename = "No.", default)]
    pub number: String,
    /// `Fecha`: the day the case was opened.
    #[serde(rename = "Fecha", default)]
    pub opened_on: String,
    /// `Consulado`: the office, as written.
    #[serde(rename = "Consulado", default)]
    pub office: String,
    /// `Tipo de caso`: the case type, as written.
    #[serde(rename = "Tipo de caso", default)]
    pub category: String,
    /// `Nombre completo`: `GIVEN NAMES SURNAMES` or `SURNAMES, GIVEN NAMES`.
    #[serde(rename = "Nombre completo", default)]
    pub full_name: String,
    /// `Identidad`: a national identity number (with or without separators) or, starting
    /// with a letter, a passport number.
    #[serde(rename = "Identidad", default)]
    pub identity: String,
    /// `Fecha de nacimiento`.
    #[serde(rename = "Fecha de nacimiento", default)]
    pub birth_date: String,
    /// `Sexo`.
    #[serde(rename = "Sexo", default)]
    pub sex: String,
    /// `Teléfono`.
    #[serde(rename = "Teléfono", default)]
    pub phone: String,
    /// `Correo`.
    #[serde(rename = "Correo", default)]
    pub email: String,
    /// `País`: the country the national is in.
    #[serde(rename = "País", default)]
    pub country: String,
    /// `Lugar`: the place (a detention centre, a hospital, a city).
    #[serde(rename = "Lugar", default)]
    pub place: String,
    /// `Observaciones`: free-text notes, kept as the case's first note.
    #[serde(rename = "Observaciones", default)]
    pub notes: String,
}

/// The documented columns of a legacy log, as its header names them, in [`LegacyRow`]'s order.
pub const COLUMNS: [&str; 13] = [
    "No.",
    "Fecha",
    "Consulado",
    "Tipo de caso",
    "Nombre completo",
    "Identidad",
    "Fecha de nacimiento",
    "Sexo",
    "Teléfono",
    "Correo",
    "País",
    "Lugar",
    "Observaciones",
];

impl LegacyRow {
    /// The cell of the column `COLUMNS[i]`.
    fn cell_mut(&mut self, i: usize) -> Option<&mut String> {
        Some(match i {
            0 => &mut self.number,
            1 => &mut self.opened_on,
            2 => &mut self.office,
            3 => &mut self.category,
            4 => &mut self.full_name,
            5 => &mut self.identity,
            6 => &mut self.birth_date,
            7 => &mut self.sex,
            8 => &mut self.phone,
            9 => &mut self.email,
            10 => &mut self.country,
            11 => &mut self.place,
            12 => &mut self.notes,
            _ => return None,
        })
    }

    /// The cells, in [`COLUMNS`] order.
    pub fn cells(&self) -> [&str; 13] {
        [
            &self.number,
            &self.opened_on,
            &self.office,
            &self.category,
            &self.full_name,
            &self.identity,
            &self.birth_date,
            &self.sex,
            &self.phone,
            &self.email,
            &self.country,
            &self.place,
            &self.notes,
        ]
    }

    /// Whether every cell is blank.
    pub fn is_blank(&self) -> bool {
        self.cells().iter().all(|c| c.trim().is_empty())
    }
}

/// A mapping the conversion used: which field, which table or rule, which entry. Never the
/// cell's text (for dates, the format; for offices and categories, the pack's entry).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Mapping {
    /// The field mapped (`office`, `category`, `country`, `opened_on`, `birth_date`, `sex`,
    /// `identity`).
    pub field: &'static str,
    /// How: `code`, `alias`, `name`, `city`, `date_format`, `document_kind`, …
    pub via: &'static str,
    /// The table entry or format (`consulado tapachula → TAP`, `d/m/yyyy`).
    pub entry: String,
}

impl std::fmt::Display for Mapping {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.field, self.via, self.entry)
    }
}

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

/// A converted legacy record with no wrong value: only [`convert`] makes one, so [`open`]
/// need not validate it again.
#[derive(Debug, Clone, PartialEq)]
pub struct Ready {
    intake: Intake,
    follow_ups: Vec<FollowUp>,
}

impl Ready {
    /// The normalised intake the case is opened from.
    pub fn intake(&self) -> &Intake {
        &self.intake
    }
}

/// Folds text for table look-ups: lower case, no accents, punctuation as single spaces
/// (`"CONSULADO  Tapachula, Chis."` → `"consulado tapachula chis"`).
pub fn fold(text: &str) -> String {
    fold_name(text)
}

/// Codes of the import's own problems (also in the rule catalogue, `data/rules/legacy.json`).
pub mod codes {
    /// The date cannot be read in any format consulates write.
    pub const UNREADABLE_DATE: &str = "legacy.unreadable_date";
    /// The row has no name.
    pub const NO_NAME: &str = "legacy.no_name";
    /// The row has no date of opening.
    pub const NO_DATE: &str = "legacy.no_date";
    /// No mapping resolves the office.
    pub const UNKNOWN_OFFICE: &str = "legacy.unknown_office";
    /// No mapping resolves the case type.
    pub const UNKNOWN_CATEGORY: &str = "legacy.unknown_category";
}

/// Reads a date as consulates write them, day first: `2024-11-20`, `23-11-2020`, `11/7/1979`,
/// `14.03.2019`, `14-03-19`, `7 de marzo de 2021`, `14-mar-2019`, and Excel serial numbers.
/// A two-digit year is 20yy unless that is after `today`'s year, then 19yy. Returns the date
/// and the name of the format.
pub fn parse_date(
    text: &str,
    months: &BTreeMap<String, u32>,
    today: NaiveDate,
) -> Option<(NaiveDate, &'static str)> {
    let t = text.trim().to_lowercase();
    if t.is_empty() {
        return None;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    // An Excel serial number: days since 1899-12-30.
    if t.len() == 5 && digits(&t) {
        let days: i64 = t.parse().ok()?;
        let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
        return Some((
            base.checked_add_signed(Duration::days(days))?,
            "excel_serial",
        ));
    }
    let parts: Vec<&str> = t
        .split(['/', '-', '.', ' '])
        .filter(|p| !p.is_empty() && *p != "de" && *p != "del")
        .collect();
    let [a, b, c] = parts.as_slice() else {
        return None;
    };
    let year = |y: &str| -> Option<i32> {
        let n: i32 = y.parse().ok()?;
        match y.len() {
            4 => Some(n),
            2 => {
                let this = today.year();
                let century = this - this % 100;
                Some(if century + n > this {
                    century - 100 + n
                } else {
                    century + n
                })
            }
            _ => None,
        }
    };
    if a.len() == 4 && digits(a) && digits(b) && digits(c) {
        let date = NaiveDate::from_ymd_opt(a.parse().ok()?, b.parse().ok()?, c.parse().ok()?)?;
        return Some((date, "yyyy-mm-dd"));
    }
    if !digits(a) || a.len() > 2 || !digits(c) {
        return None;
    }
    let day: u32 = a.parse().ok()?;
    let (month, format) = if digits(b) && b.len() <= 2 {
        let sep = t.chars().find(|ch| matches!(ch, '/' | '-' | '.'))?;
        let format = match (sep, c.len()) {
            ('/', 4) => "d/m/yyyy",
            ('/', _) => "d/m/yy",
            ('-', 4) => "d-m-yyyy",
            ('-', _) => "d-m-yy",
            (_, 4) => "d.m.yyyy",
            _ => "d.m.yy",
        };
        (b.parse().ok()?, format)
    } else {
        let name = b.trim_end_matches('.');
        let format = if t.contains(" de ") {
            "d de mes de yyyy"
        } else {
            "d-mes-yyyy"
        };
        (*months.get(name)?, format)
    };
    let date = NaiveDate::from_ymd_opt(year(c)?, month, day)?;
    Some((date, format))
}

/// (given names, surnames) from a full name: `SURNAMES, GIVEN NAMES`, or `GIVEN NAMES SURNAMES`
/// where the last two words are the surnames (one when there are two or three words in all).
/// Text in parentheses or after a `/`, and digits, are notes, not name.
pub fn split_name(text: &str) -> (String, String) {
    let mut clean = String::with_capacity(text.len());
    let mut depth = 0u32;
    for ch in text.split('/').next().unwrap_or_default().chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            c if depth == 0 && !c.is_ascii_digit() => clean.push(c),
            _ => {}
        }
    }
    if let Some((surnames, given)) = clean.split_once(',') {
        return (squash(given), squash(surnames));
    }
    let words: Vec<&str> = clean.split_whitespace().collect();
    let cut = match words.len() {
        0 | 1 => words.len(),
        2 | 3 => 1,
        n => n - 2,
    };
    let (given, surnames) = words.split_at(cut);
    (given.join(" "), surnames.join(" "))
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The catalog's names folded once for look-ups: (folded name, how, office or category code).
/// Also remembers, for one run over a log, what each office and category cell resolved to:
/// a log writes the same few spellings row after row, and resolving one scans every table.
struct Names {
    offices: Vec<(String, &'static str, String)>,
    categories: Vec<(String, String)>,
    seen_offices: RefCell<Seen>,
    seen_categories: RefCell<Seen>,
}

/// Cells already resolved, by their text: the code and the mapping used, or `None` when no
/// mapping resolves it.
type Seen = HashMap<String, Option<(String, Mapping)>>;

/// The most cells remembered per column: a log of all-different spellings stops being
/// remembered rather than growing the memory without bound.
const MAX_SEEN: usize = 4096;

/// `resolve(text)` through `seen`: the remembered outcome, or the resolved one remembered.
fn remembered(
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
    fn of(catalog: &Catalog) -> Names {
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

struct Converter<'a> {
    catalog: &'a Catalog,
    map: &'a LegacyMap,
    names: &'a Names,
    locale: Locale,
    today: NaiveDate,
    issues: Vec<Issue>,
    mappings: Vec<Mapping>,
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

    fn person(&mut self, row: &LegacyRow, office_country: Option<&str>) -> Person {
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

/// The office a cell names, and the mapping used: an alias of the whole text, else the
/// catalog's longest code, name or city the text contains as words, unless a longer alias is
/// contained.
fn resolve_office(map: &LegacyMap, names: &Names, text: &str) -> Option<(String, Mapping)> {
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
fn resolve_category(
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

fn convert_with(
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

/// Validates `intake` and sorts the issues by the map's policies: follow-ups (values dropped
/// where the policy says so, then validated again), and the rest. Returns the intake as
/// opened.
fn sort_problems(
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

/// The id of the case migrated from `row` of `source`: the same on every run, so that an
/// import is idempotent. A UUID of version 8 (custom) made of the first 16 bytes of
/// SHA-256(`siproc.legacy` ‖ 0 ‖ source ‖ 0 ‖ row).
pub fn legacy_case_id(source: &str, row: u64) -> Uuid {
    let mut h = Sha256::new();
    h.update(b"siproc.legacy\0");
    h.update(source.as_bytes());
    h.update(b"\0");
    h.update(row.to_string().as_bytes());
    let digest = h.finalize();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(digest.get(..16).unwrap_or(&[0u8; 16]));
    uuid::Builder::from_custom_bytes(bytes).into_uuid()
}

/// Makes the `case_opened` event of a migrated case. Like [`workflow::open`], the actor must
/// be allowed to open cases in the record's office; the record was validated by [`convert`].
pub fn open(
    actor: &Actor,
    ready: &Ready,
    origin: (&str, u64),
    number: &str,
    now: DateTime<Utc>,
) -> Result<FreshEvent, WorkflowError> {
    draft(actor, ready.clone(), origin, now)?.seal(number)
}

/// [`open`] without the number: the migrated case's `case_opened` payload sealed, waiting for
/// the number a store gives it ([`workflow::OpeningDraft::seal`]).
pub fn draft(
    actor: &Actor,
    ready: Ready,
    origin: (&str, u64),
    now: DateTime<Utc>,
) -> Result<OpeningDraft, WorkflowError> {
    workflow::may_open(actor, &ready.intake.office)?;
    let (source, row) = origin;
    let legacy = LegacyOrigin {
        source: source.to_owned(),
        row,
        follow_ups: ready.follow_ups,
    };
    let opened = workflow::opening(ready.intake, "", Some(legacy))?;
    Ok(workflow::draft(
        legacy_case_id(source, row),
        actor,
        now,
        opened,
    ))
}

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
        let number = record.number.trim();
        reports.push(RowReport {
            row: *row,
            number: if number.bytes().all(|b| b.is_ascii_digit()) {
                number.to_owned()
            } else {
                String::new()
            },
            outcome,
            issues: conversion.issues,
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

/// Candidate duplicates among `rows` (indexes into `rows`): their nationals, mapped as
/// [`convert`] maps them, compared by [`find_duplicate_persons`]. Blank rows take no part.
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
    let draft = match draft(options.actor, ready, origin, options.now) {
        Ok(draft) => draft,
        Err(e) => return Outcome::Failed { code: e.code() },
    };
    let created = store.create_case(draft.office(), options.now.year(), &mut |number| {
        draft.seal(number)
    });
    match created {
        Ok(case) => Outcome::Migrated {
            case_id,
            case_number: case.number,
        },
        Err(e) => Outcome::Failed { code: e.code() },
    }
}
