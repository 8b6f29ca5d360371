//! Country packs: the data a ministry may change without touching code.
//!
//! A pack is a folder of JSON files:
//!
//! | file | holds |
//! |---|---|
//! | `pack.json` | the country, ministry and directorate names, the document kinds, the forms every case needs |
//! | `categories.json` | case categories, their facts (type, label, whether required, date order) and forms |
//! | `offices.json` | consulates, embassy sections and the directorate: code, country, IANA time zone, paper size |
//! | `flags.json` | vulnerability flags and the priority they raise a case to |
//! | `partners.json` | partner organisations cases may be referred to |
//! | `services.json` | the services an office gives |
//! | `sla.json` | targets per category: first contact (hours) and resolution (days) |
//! | `forms.json` | the forms the pack can print, with their templates (see [`crate::forms::FormTemplate`]) |
//!
//! The default Honduran pack (`packs/hn`), a Guatemalan (`packs/gt`), a Salvadoran (`packs/sv`)
//! and a Mexican one (`packs/mx`) are built in. A pack is checked when it is loaded: a broken pack
//! is a [`CatalogError`] naming the file and the entry, and [`Catalog::check_dir`] lists every
//! problem of a pack folder. `docs/packs.md` tells a ministry how to write one.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case::Priority;
use crate::document::DocumentKind;
use crate::issue::{Locale, Misuse, Pointer};

mod labels;
pub(crate) mod template;

pub(crate) use labels::label;
#[cfg(feature = "pdf")]
pub(crate) use labels::label_of;
pub use labels::{Labels, VOCABULARIES};
use template::FormTemplate;

/// A text in Spanish, and optionally English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Text {
    /// Spanish, always present.
    pub es: String,
    /// English, when the pack has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Text {
    /// The text in `locale`, falling back to Spanish.
    pub fn get(&self, locale: Locale) -> &str {
        match (locale, &self.en) {
            (Locale::En, Some(en)) => en,
            _ => &self.es,
        }
    }
}

/// The kind of value a fact holds.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FactType {
    /// Free text (a JSON string).
    Text,
    /// An ISO 8601 calendar date, `YYYY-MM-DD`.
    Date,
    /// An ISO 3166-1 alpha-2 country code.
    Country,
    /// One of the fact's `values`.
    Choice,
    /// `true` or `false`.
    Boolean,
    /// A whole number, zero or more.
    Count,
}

/// One allowed value of a `choice` fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The wire value.
    pub code: String,
    /// Its label.
    pub label: Text,
}

/// The longest text fact, in characters, when its [`FactDef::max_chars`] is not set.
pub const DEFAULT_MAX_FACT_CHARS: u32 = 2000;

/// A category-specific fact: what it is called, its type and its rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FactDef {
    /// The key in an intake's `facts`.
    pub key: String,
    /// The kind of value.
    #[serde(rename = "type")]
    pub kind: FactType,
    /// Whether an intake of the category must have it.
    #[serde(default)]
    pub required: bool,
    /// The label shown on forms and pages.
    pub label: Text,
    /// For `choice` facts: the allowed values.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<Choice>,
    /// For `date` facts: the date is on or after the national's birth date.
    #[serde(default)]
    pub after_birth: bool,
    /// For `date` facts: the date is on or before the day protection was asked for.
    #[serde(default)]
    pub before_request: bool,
    /// For `text` facts: the longest accepted text, in characters (default 2000).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<u32>,
}

/// Who must appear among the persons of a case of this category.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RequiredRelative {
    /// The accepted relationships (for example the first degree: parent, child, spouse).
    pub relationships: Vec<crate::person::Relationship>,
}

/// A case category (detention, repatriation of remains, …).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// The code used in intakes.
    pub code: String,
    /// Its label.
    pub label: Text,
    /// Sensitive categories restrict access and need a supervisor to approve closure.
    #[serde(default)]
    pub sensitive: bool,
    /// The facts an intake of this category records.
    #[serde(default)]
    pub facts: Vec<FactDef>,
    /// A relative who must appear, typically the requester.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requires_relative: Option<RequiredRelative>,
    /// Forms this category needs beyond the pack's common ones.
    #[serde(default)]
    pub forms: Vec<String>,
}

impl Category {
    /// The definition of fact `key`.
    pub fn fact(&self, key: &str) -> Option<&FactDef> {
        self.facts.iter().find(|f| f.key == key)
    }
}

/// What kind of office.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OfficeKind {
    /// A consulate general or consulate.
    Consulate,
    /// The consular section of an embassy.
    EmbassySection,
    /// The central directorate at the ministry, which sees every case.
    Directorate,
}

/// Paper size of an office's printed forms.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Paper {
    /// US Letter, 8.5 × 11 in (the Americas).
    Letter,
    /// ISO A4, 210 × 297 mm (Europe).
    A4,
}

/// An office that registers or supervises cases.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Office {
    /// Short code, used in case numbers (`MIA`).
    pub code: String,
    /// Full name, as on the letterhead.
    pub name: Text,
    /// Consulate, embassy section or directorate.
    pub kind: OfficeKind,
    /// ISO 3166-1 alpha-2 country where the office is.
    pub country: String,
    /// The city.
    pub city: String,
    /// IANA time zone (`America/New_York`).
    pub time_zone: String,
    /// Paper size of its forms.
    pub paper: Paper,
    /// Postal address, for the letterhead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
}

/// A vulnerability flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Flag {
    /// The code used in intakes (`minor`).
    pub code: String,
    /// Its label.
    pub label: Text,
    /// The priority a case with this flag has at least.
    pub priority: Priority,
    /// Whether the flag restricts who may read the case.
    #[serde(default)]
    pub restricted: bool,
}

/// A partner organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Partner {
    /// The code used in referrals (`iom`).
    pub code: String,
    /// Its name.
    pub name: Text,
}

/// A service an office gives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceKind {
    /// The code used in intakes (`consular_visit`).
    pub code: String,
    /// Its label.
    pub label: Text,
}

/// Service-level targets of a category. The core loads and checks them (every category has
/// one) and nothing in the core computes with them yet: they are published in the pack
/// ([`Catalog::sla`]) for the embedding system's dashboards and for statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Hours from registration to the first contact with the national or family.
    pub first_contact_hours: u32,
    /// Days from registration to resolution.
    pub resolution_days: u32,
}

/// The pack's header: who it is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PackInfo {
    /// Short pack id (`hn`).
    pub id: String,
    /// ISO 3166-1 alpha-2 country of the ministry.
    pub country: String,
    /// The ministry, for letterheads.
    pub ministry: Text,
    /// The protection directorate, for letterheads.
    pub directorate: Text,
    /// Identity document kinds the pack's nationals carry.
    pub documents: Vec<String>,
    /// Forms every case needs, whatever its category.
    pub common_forms: Vec<String>,
    /// How published statistics are protected (see [`crate::stats`]); absent means the defaults.
    #[serde(default)]
    pub disclosure: Disclosure,
    /// The reasons an officer may give to break the glass (see [`crate::access::Grant`]);
    /// without any, nobody can.
    #[serde(default)]
    pub access_reasons: Vec<AccessReason>,
}

/// A reason to break the glass (`pack.json`'s `access_reasons`): a code the grant keeps and
/// its label, which the officer picks before writing why (without personal data).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessReason {
    /// The code a grant keeps (`national_at_office`).
    pub code: String,
    /// Its label.
    pub label: Text,
}

/// Disclosure control of the statistics a ministry publishes (`pack.json`'s `disclosure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Disclosure {
    /// The smallest count that may be published: counts from 1 to `k − 1` are suppressed.
    pub k: u32,
}

impl Default for Disclosure {
    /// `k = 10`.
    fn default() -> Self {
        Disclosure { k: 10 }
    }
}

/// A loaded, checked country pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
pub struct Catalog {
    /// The pack header.
    pub pack: PackInfo,
    /// Case categories.
    pub categories: Vec<Category>,
    /// Offices.
    pub offices: Vec<Office>,
    /// Vulnerability flags.
    pub flags: Vec<Flag>,
    /// Partner organisations.
    pub partners: Vec<Partner>,
    /// Services.
    pub services: Vec<ServiceKind>,
    /// Targets per category code.
    pub sla: BTreeMap<String, Sla>,
    /// Printable forms, with their templates.
    pub forms: Vec<FormTemplate>,
}

/// A pack that could not be loaded: which file, which entry, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{file}{}: {reason}", entry.as_ref().map(|e| format!(" [{e}]")).unwrap_or_default())]
#[non_exhaustive]
pub struct CatalogError {
    /// Stable code: `catalog.missing_file`, `catalog.bad_json`, `catalog.duplicate`,
    /// `catalog.unknown_reference` or `catalog.bad_value`; `siproc.unknown_catalog` when
    /// [`Catalog::builtin`] is given an id no built-in pack has.
    pub code: &'static str,
    /// The pack file, e.g. `offices.json`.
    pub file: String,
    /// The entry within it, e.g. `MIA` or `detention/date_of_arrest`.
    pub entry: Option<String>,
    /// What is wrong.
    pub reason: String,
}

impl CatalogError {
    pub(crate) fn new(
        code: &'static str,
        file: &str,
        entry: Option<&str>,
        reason: impl Into<String>,
    ) -> Self {
        CatalogError {
            code,
            file: file.to_owned(),
            entry: entry.map(str::to_owned),
            reason: reason.into(),
        }
    }
}

/// The files of a pack, in the order they are read.
pub const PACK_FILES: [&str; 8] = [
    "pack.json",
    "categories.json",
    "offices.json",
    "flags.json",
    "partners.json",
    "services.json",
    "sla.json",
    "forms.json",
];

/// The files of built-in pack `$dir`, as `build.rs` writes them: as they are in `packs/`, or, in
/// a build without PDF forms, minified and without the forms' layout, which it never reads.
macro_rules! builtin_pack {
    ($dir:literal) => {
        [
            (
                "pack.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/pack.json")),
            ),
            (
                "categories.json",
                include_str!(concat!(
                    env!("OUT_DIR"),
                    "/packs/",
                    $dir,
                    "/categories.json"
                )),
            ),
            (
                "offices.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/offices.json")),
            ),
            (
                "flags.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/flags.json")),
            ),
            (
                "partners.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/partners.json")),
            ),
            (
                "services.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/services.json")),
            ),
            (
                "sla.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/sla.json")),
            ),
            (
                "forms.json",
                include_str!(concat!(env!("OUT_DIR"), "/packs/", $dir, "/forms.json")),
            ),
        ]
    };
}

/// A pack built into the library: its id and its files.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BuiltinPack {
    /// The pack id (`hn`).
    pub id: &'static str,
    files: [(&'static str, &'static str); 8],
}

/// Reads `text`, the pack file `file`. When it does not parse, its problems are added to
/// `problems`: the JSON syntax error, or else every entry that does not read, by its code (see
/// [`entry_problems`]).
fn parse<T: serde::de::DeserializeOwned>(
    file: &str,
    text: &str,
    problems: &mut Vec<CatalogError>,
) -> Option<T> {
    match serde_json::from_str(text) {
        Ok(value) => Some(value),
        Err(e) => {
            let mut found = entry_problems(file, text);
            if found.is_empty() {
                found.push(CatalogError::new(
                    "catalog.bad_json",
                    file,
                    None,
                    format!("line {}, column {}: {e}", e.line(), e.column()),
                ));
            }
            problems.append(&mut found);
            None
        }
    }
}

/// The entries of a list (or of `sla.json`'s object) that do not read as their type, each named
/// by its `code` (or `id`, or key, or `#index`). Empty when the file is not valid JSON, is not
/// a list or an object of entries, or when its fault is not in one entry.
fn entry_problems(file: &str, text: &str) -> Vec<CatalogError> {
    fn one<T: serde::de::DeserializeOwned>(
        file: &str,
        entry: &str,
        value: &serde_json::Value,
    ) -> Option<CatalogError> {
        T::deserialize(value)
            .err()
            .map(|e| CatalogError::new("catalog.bad_json", file, Some(entry), e.to_string()))
    }
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Vec::new();
    };
    if let (Some(map), "sla.json") = (value.as_object(), file) {
        return map
            .iter()
            .filter_map(|(key, v)| one::<Sla>(file, key, v))
            .collect();
    }
    let Some(list) = value.as_array() else {
        return Vec::new();
    };
    list.iter()
        .enumerate()
        .filter_map(|(i, v)| {
            let entry = ["code", "id", "key"]
                .into_iter()
                .find_map(|k| v.get(k).and_then(serde_json::Value::as_str))
                .map_or_else(|| format!("#{i}"), str::to_owned);
            match file {
                "categories.json" => one::<Category>(file, &entry, v),
                "offices.json" => one::<Office>(file, &entry, v),
                "flags.json" => one::<Flag>(file, &entry, v),
                "partners.json" => one::<Partner>(file, &entry, v),
                "services.json" => one::<ServiceKind>(file, &entry, v),
                "forms.json" => one::<FormTemplate>(file, &entry, v),
                _ => None,
            }
        })
        .collect()
}

/// The first problem of a non-empty list (a list is never empty when a pack fails to load).
fn first(problems: Vec<CatalogError>) -> CatalogError {
    problems.into_iter().next().unwrap_or_else(|| {
        CatalogError::new(
            "catalog.bad_value",
            "pack.json",
            None,
            "the pack does not load",
        )
    })
}

impl Catalog {
    /// The packs built into the library, the default (`hn`) first. Adding one is one line here
    /// (and its folder under `packs/`).
    pub const BUILTIN: &'static [BuiltinPack] = &[
        BuiltinPack {
            id: "hn",
            files: builtin_pack!("hn"),
        },
        BuiltinPack {
            id: "gt",
            files: builtin_pack!("gt"),
        },
        BuiltinPack {
            id: "sv",
            files: builtin_pack!("sv"),
        },
        BuiltinPack {
            id: "mx",
            files: builtin_pack!("mx"),
        },
    ];

    /// The built-in Honduran pack, the default.
    pub fn honduras() -> Result<Catalog, CatalogError> {
        Catalog::builtin("hn")
    }

    /// The built-in Guatemalan pack.
    pub fn guatemala() -> Result<Catalog, CatalogError> {
        Catalog::builtin("gt")
    }

    /// The built-in Salvadoran pack.
    pub fn el_salvador() -> Result<Catalog, CatalogError> {
        Catalog::builtin("sv")
    }

    /// The built-in Mexican pack.
    pub fn mexico() -> Result<Catalog, CatalogError> {
        Catalog::builtin("mx")
    }

    /// A built-in pack by id (one of [`Catalog::BUILTIN`]); another id is misuse
    /// (`siproc.unknown_catalog`, [`crate::issue::Misuse::UnknownPack`]).
    pub fn builtin(id: &str) -> Result<Catalog, CatalogError> {
        match Catalog::BUILTIN.iter().find(|p| p.id == id) {
            Some(pack) => Catalog::from_files(pack.files),
            None => {
                let known: Vec<&str> = Catalog::BUILTIN.iter().map(|p| p.id).collect();
                Err(CatalogError::new(
                    Misuse::UnknownPack.code(),
                    "pack.json",
                    None,
                    format!(
                        "no built-in pack has this id (built in: {})",
                        known.join(", ")
                    ),
                ))
            }
        }
    }

    /// Loads and checks the pack in folder `dir`; a broken pack gives its first problem (see
    /// [`Catalog::check_dir`] for all of them).
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Catalog, CatalogError> {
        Catalog::load_dir_all(dir).map_err(first)
    }

    /// Every problem of the pack in folder `dir`, each with its file and entry, in file order;
    /// empty when the pack loads. This is what a ministry runs on the pack it writes.
    ///
    /// Unreadable files and entries are reported first, every one of them; the checks across
    /// files (references, SLA targets, templates) run once every file reads, and then report
    /// every problem they find.
    ///
    /// ```
    /// use siproc_core::Catalog;
    /// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("packs/mx");
    /// assert!(Catalog::check_dir(&dir).is_empty());
    /// let problems = Catalog::check_dir("/nonexistent");
    /// assert_eq!(problems.len(), 8); // every file is missing
    /// assert_eq!(problems[0].code, "catalog.missing_file");
    /// ```
    pub fn check_dir(dir: impl AsRef<Path>) -> Vec<CatalogError> {
        Catalog::load_dir_all(dir).err().unwrap_or_default()
    }

    /// Loads and checks the pack in folder `dir`, or gives every problem found (see
    /// [`Catalog::check_dir`]).
    pub fn load_dir_all(dir: impl AsRef<Path>) -> Result<Catalog, Vec<CatalogError>> {
        let dir = dir.as_ref();
        let mut texts = Vec::with_capacity(PACK_FILES.len());
        let mut problems = Vec::new();
        for name in PACK_FILES {
            match std::fs::read_to_string(dir.join(name)) {
                Ok(text) => texts.push((name, text)),
                Err(e) => problems.push(CatalogError::new(
                    "catalog.missing_file",
                    name,
                    None,
                    format!("cannot read it: {}", e.kind()),
                )),
            }
        }
        let loaded = Catalog::from_files_all(texts.iter().map(|(n, t)| (*n, t.as_str())));
        match (loaded, problems.is_empty()) {
            (Ok(catalog), true) => Ok(catalog),
            // The missing files are reported once, by the read above.
            (Ok(_), false) => Err(problems),
            (Err(more), _) => {
                problems.extend(
                    more.into_iter()
                        .filter(|p| p.code != "catalog.missing_file"),
                );
                Err(problems)
            }
        }
    }

    /// Loads and checks a pack from its files' names and contents (every name of [`PACK_FILES`]);
    /// a broken pack gives its first problem.
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, CatalogError> {
        Catalog::from_files_all(files).map_err(first)
    }

    /// Loads and checks a pack from its files' names and contents, or gives every problem found
    /// (see [`Catalog::check_dir`]).
    pub fn from_files_all<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, Vec<CatalogError>> {
        let files: BTreeMap<&str, &str> = files.into_iter().collect();
        let mut problems = Vec::new();
        let read = |name: &str, problems: &mut Vec<CatalogError>| match files.get(name) {
            Some(text) => Some(*text),
            None => {
                problems.push(CatalogError::new(
                    "catalog.missing_file",
                    name,
                    None,
                    "the pack has no such file",
                ));
                None
            }
        };
        // Each file is read even when an earlier one failed, so that every problem is found.
        let pack =
            read("pack.json", &mut problems).and_then(|t| parse("pack.json", t, &mut problems));
        let categories = read("categories.json", &mut problems)
            .and_then(|t| parse("categories.json", t, &mut problems));
        let offices = read("offices.json", &mut problems)
            .and_then(|t| parse("offices.json", t, &mut problems));
        let flags =
            read("flags.json", &mut problems).and_then(|t| parse("flags.json", t, &mut problems));
        let partners = read("partners.json", &mut problems)
            .and_then(|t| parse("partners.json", t, &mut problems));
        let services = read("services.json", &mut problems)
            .and_then(|t| parse("services.json", t, &mut problems));
        let sla = read("sla.json", &mut problems).and_then(|t| parse("sla.json", t, &mut problems));
        let forms =
            read("forms.json", &mut problems).and_then(|t| parse("forms.json", t, &mut problems));
        if let (
            Some(pack),
            Some(categories),
            Some(offices),
            Some(flags),
            Some(partners),
            Some(services),
            Some(sla),
            Some(forms),
        ) = (
            pack, categories, offices, flags, partners, services, sla, forms,
        ) {
            let catalog = Catalog {
                pack,
                categories,
                offices,
                flags,
                partners,
                services,
                sla,
                forms,
            };
            catalog.check(&mut problems);
            if problems.is_empty() {
                return Ok(catalog);
            }
        }
        Err(problems)
    }

    /// A category by code.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// An office by code.
    pub fn office(&self, code: &str) -> Option<&Office> {
        self.offices.iter().find(|o| o.code == code)
    }

    /// The break-the-glass reason of `code`, if the pack has it.
    pub fn access_reason(&self, code: &str) -> Option<&AccessReason> {
        self.pack.access_reasons.iter().find(|r| r.code == code)
    }

    /// A flag by code.
    pub fn flag(&self, code: &str) -> Option<&Flag> {
        self.flags.iter().find(|f| f.code == code)
    }

    /// A partner by code.
    pub fn partner(&self, code: &str) -> Option<&Partner> {
        self.partners.iter().find(|p| p.code == code)
    }

    /// A service kind by code.
    pub fn service(&self, code: &str) -> Option<&ServiceKind> {
        self.services.iter().find(|s| s.code == code)
    }

    /// A form by id.
    pub fn form(&self, id: &str) -> Option<&FormTemplate> {
        self.forms.iter().find(|f| f.id == id)
    }

    /// The forms a case of `category` needs in `status`: the common ones, then the category's
    /// own, each once, keeping those whose `required_when` (if any) lists the status.
    pub fn forms_needed(&self, category: &str, status: crate::case::Status) -> Vec<&FormTemplate> {
        let mut out: Vec<&FormTemplate> = Vec::new();
        for t in self.forms_for(category) {
            let due = t
                .required_when
                .as_ref()
                .is_none_or(|r| r.status.contains(&status));
            if due && !out.iter().any(|o| o.id == t.id) {
                out.push(t);
            }
        }
        out
    }

    /// The forms a case of `category` can need: the common ones, then the category's own.
    pub fn forms_for(&self, category: &str) -> Vec<&FormTemplate> {
        let own = self
            .category(category)
            .map(|c| c.forms.as_slice())
            .unwrap_or_default();
        self.pack
            .common_forms
            .iter()
            .chain(own)
            .filter_map(|id| self.form(id))
            .collect()
    }

    /// The priority that `flags` give a case: the highest among them, at least `Normal`.
    pub fn priority_for(&self, flags: &[String]) -> Priority {
        flags
            .iter()
            .filter_map(|f| self.flag(f))
            .map(|f| f.priority)
            .max()
            .unwrap_or_default()
            .max(Priority::Normal)
    }

    /// Adds every problem of the pack, read file by file, to `problems`.
    fn check(&self, problems: &mut Vec<CatalogError>) {
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
        // Bindings, placeholders and glyphs of the templates are checked where forms are
        // printed; a build without PDF rendering (the WebAssembly package) only reads them.
        #[cfg(feature = "pdf")]
        template::check_templates(self, problems);
    }
}

/// A code and its label in one locale: one option of a select.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChoiceView {
    /// The wire value.
    pub code: String,
    /// Its label.
    pub label: String,
}

/// One field of the intake form, as a page builds it: where it goes, its label, its type and
/// its choices, in one locale.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldView {
    /// Where the value goes, as a JSON Pointer in which a `*` segment stands for any list index
    /// (the given names of every person are at `/persons/` + `*` + `/given_names`); facts are at
    /// `/facts/<key>`. (Written so here because these docs also become TypeScript comments.)
    pub path: String,
    /// The label.
    pub label: String,
    /// The kind of value.
    #[serde(rename = "type")]
    pub kind: FactType,
    /// Whether the form must have it (validation still gives the verdict).
    pub required: bool,
    /// Whether the value is a list of choices rather than one.
    pub multiple: bool,
    /// For `choice` fields: the allowed values, in display order.
    pub choices: Vec<ChoiceView>,
    /// For text facts: the longest accepted text, in characters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_chars: Option<u32>,
}

/// A printable form, titled in one locale.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FormView {
    /// The form id (`intake_sheet`).
    pub id: String,
    /// Its title.
    pub title: String,
}

/// A category as a form builder needs it, in one locale.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryView {
    /// The code used in intakes.
    pub code: String,
    /// Its label.
    pub label: String,
    /// Whether access to its cases is restricted.
    pub sensitive: bool,
    /// Its facts, as fields at `/facts/<key>`.
    pub facts: Vec<FieldView>,
    /// The keys of the facts an intake of the category must have.
    pub required_facts: Vec<String>,
    /// When the category needs a relative among the persons: the accepted relationships.
    pub requires_relative: Vec<crate::person::Relationship>,
    /// The forms printed when a case of the category is entered (the common ones first).
    pub forms: Vec<FormView>,
}

/// What a page needs to build the intake form of a pack: the common fields with their labels
/// and choices (offices, categories, flags, document kinds, …) and every category with its facts,
/// all in one locale. Built by [`Catalog::view`]; it carries no rule: the verdicts come from
/// validation.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CatalogView {
    /// The pack id (`hn`).
    pub pack: String,
    /// The pack's country, ISO 3166-1 alpha-2.
    pub country: String,
    /// The locale of every label.
    #[cfg_attr(feature = "typescript", tsify(type = "\"es\" | \"en\""))]
    pub locale: Locale,
    /// The fields every intake has, in form order.
    pub fields: Vec<FieldView>,
    /// The categories, in pack order.
    pub categories: Vec<CategoryView>,
    /// The label of every enumerated value by vocabulary and code ([`Catalog::labels`]):
    /// `labels.status.in_progress` is the status as every page and form words it.
    #[cfg_attr(
        feature = "typescript",
        tsify(type = "Record<string, Record<string, string>>")
    )]
    pub labels: Labels,
}

/// The labels of the intake's common fields and of the wire format's enumerations:
/// `data/fields.json`, part of the crate.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldFile {
    /// The common fields, in form order.
    fields: Vec<FieldDef>,
}

/// One common field of `data/fields.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FieldDef {
    path: String,
    label: Text,
    #[serde(rename = "type")]
    kind: FactType,
    #[serde(default)]
    required: bool,
    #[serde(default)]
    multiple: bool,
    /// Fixed choices (the wire format's enumerations).
    #[serde(default)]
    choices: Vec<Choice>,
    /// Choices taken from the pack: `offices`, `categories`, `flags`, `services`, `partners` or
    /// `documents`.
    #[serde(default)]
    choices_from: Option<String>,
}

fn field_file() -> Option<&'static FieldFile> {
    static FILE: std::sync::OnceLock<Option<FieldFile>> = std::sync::OnceLock::new();
    FILE.get_or_init(|| serde_json::from_str(include_str!("../../data/fields.json")).ok())
        .as_ref()
}

/// The label of `value` (an enumeration of the wire format) among the fixed choices of the
/// common field at `path`, from `data/fields.json`: the one list of these labels, which forms
/// print too. Empty when the file lacks it (a test checks it never does).
/// The vocabularies of [`Catalog::labels`] taken from the fixed choices of a common field of
/// `data/fields.json`: (vocabulary, field path).
const FIELD_VOCABULARIES: [(&str, &str); 5] = [
    ("person_role", "/persons/*/role"),
    ("sex", "/persons/*/sex"),
    ("relationship", "/persons/*/relationship"),
    ("contact_kind", "/persons/*/contacts/*/kind"),
    ("location_kind", "/persons/*/locations/*/kind"),
];

/// The fixed choices of the common field at `path` of `data/fields.json`.
fn field_choices(path: &str) -> &'static [Choice] {
    field_file()
        .and_then(|f| f.fields.iter().find(|d| d.path == path))
        .map_or(&[], |d| d.choices.as_slice())
}

#[cfg_attr(not(feature = "pdf"), allow(dead_code))] // only forms print labels
pub(crate) fn choice_label<T: Serialize>(path: &str, value: T, locale: Locale) -> &'static str {
    let code = serde_json::to_value(value).ok();
    let code = code
        .as_ref()
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    field_file()
        .and_then(|f| f.fields.iter().find(|d| d.path == path))
        .and_then(|d| d.choices.iter().find(|c| c.code == code))
        .map_or("", |c| c.label.get(locale))
}

fn choices(list: &[Choice], locale: Locale) -> Vec<ChoiceView> {
    list.iter()
        .map(|c| ChoiceView {
            code: c.code.clone(),
            label: c.label.get(locale).to_owned(),
        })
        .collect()
}

impl Catalog {
    /// The pack as a form builder needs it, labelled in `locale`: see [`CatalogView`].
    ///
    /// ```
    /// use siproc_core::{Catalog, Locale};
    /// let view = Catalog::honduras()?.view(Locale::Es);
    /// let names = view.fields.iter().find(|f| f.path == "/persons/*/given_names").unwrap();
    /// assert_eq!(names.label, "Nombres");
    /// # Ok::<(), siproc_core::CatalogError>(())
    /// ```
    pub fn view(&self, locale: Locale) -> CatalogView {
        // The file is part of the crate and checked by a unit test; were it broken, the view
        // would have no common fields rather than panic.
        let defs: &[FieldDef] = field_file().map_or(&[], |f| &f.fields);
        let label = |text: &Text| text.get(locale).to_owned();
        let pick = |code: &str, text: &Text| ChoiceView {
            code: code.to_owned(),
            label: label(text),
        };
        let from_pack = |source: &str| -> Vec<ChoiceView> {
            match source {
                "offices" => self
                    .offices
                    .iter()
                    .map(|o| pick(&o.code, &o.name))
                    .collect(),
                "categories" => self
                    .categories
                    .iter()
                    .map(|c| pick(&c.code, &c.label))
                    .collect(),
                "flags" => self.flags.iter().map(|f| pick(&f.code, &f.label)).collect(),
                "services" => self
                    .services
                    .iter()
                    .map(|s| pick(&s.code, &s.label))
                    .collect(),
                "partners" => self
                    .partners
                    .iter()
                    .map(|p| pick(&p.code, &p.name))
                    .collect(),
                // The pack's own kinds first, then the others.
                "documents" => {
                    let own =
                        |k: &DocumentKind| self.pack.documents.iter().any(|d| d == k.as_str());
                    let (mut first, rest): (Vec<DocumentKind>, Vec<DocumentKind>) =
                        DocumentKind::ALL.into_iter().partition(own);
                    first.extend(rest);
                    first
                        .into_iter()
                        .map(|k| ChoiceView {
                            code: k.as_str().to_owned(),
                            label: k.label(locale).to_owned(),
                        })
                        .collect()
                }
                // One of siproc's own vocabularies (`priority`, `consent_scope`).
                name => labels::vocabulary(name)
                    .iter()
                    .map(|(code, _, _)| ChoiceView {
                        code: (*code).to_owned(),
                        label: labels::label(name, code, locale).to_owned(),
                    })
                    .collect(),
            }
        };
        let fields = defs
            .iter()
            .map(|d| FieldView {
                path: d.path.clone(),
                label: label(&d.label),
                kind: d.kind,
                required: d.required,
                multiple: d.multiple,
                choices: match &d.choices_from {
                    Some(source) => from_pack(source),
                    None => choices(&d.choices, locale),
                },
                max_chars: None,
            })
            .collect();
        let categories = self
            .categories
            .iter()
            .map(|c| CategoryView {
                code: c.code.clone(),
                label: label(&c.label),
                sensitive: c.sensitive,
                facts: c
                    .facts
                    .iter()
                    .map(|f| FieldView {
                        path: Pointer::root().key("facts").key(&f.key).into(),
                        label: label(&f.label),
                        kind: f.kind,
                        required: f.required,
                        multiple: false,
                        choices: choices(&f.values, locale),
                        max_chars: match f.kind {
                            FactType::Text => Some(f.max_chars.unwrap_or(DEFAULT_MAX_FACT_CHARS)),
                            _ => None,
                        },
                    })
                    .collect(),
                required_facts: c
                    .facts
                    .iter()
                    .filter(|f| f.required)
                    .map(|f| f.key.clone())
                    .collect(),
                requires_relative: c
                    .requires_relative
                    .as_ref()
                    .map(|r| r.relationships.clone())
                    .unwrap_or_default(),
                forms: form_views(self.forms_for(&c.code), locale),
            })
            .collect();
        CatalogView {
            pack: self.pack.id.clone(),
            country: self.pack.country.clone(),
            locale,
            fields,
            categories,
            labels: self.labels(locale),
        }
    }

    /// The forms to print when `record` — an intake in the wire format, possibly incomplete, as
    /// a form holds it while it is filled in — is entered: the common ones, then those of its
    /// `category` when it names one of the pack, as a newly registered case needs them (see
    /// [`Catalog::forms_needed`]). Titles in `locale`.
    ///
    /// ```
    /// use siproc_core::{Catalog, Locale};
    /// let forms = Catalog::honduras()?
    ///     .intake_forms(&serde_json::json!({"category": "missing_person"}), Locale::Es);
    /// assert_eq!(forms[0].title, "Ficha de registro del caso");
    /// assert!(forms.iter().any(|f| f.id == "search_request"));
    /// # Ok::<(), siproc_core::CatalogError>(())
    /// ```
    pub fn intake_forms(&self, record: &serde_json::Value, locale: Locale) -> Vec<FormView> {
        let category = record
            .get("category")
            .and_then(serde_json::Value::as_str)
            .unwrap_or_default();
        form_views(
            self.forms_needed(category, crate::case::Status::Registered),
            locale,
        )
    }
}

fn form_views(forms: Vec<&FormTemplate>, locale: Locale) -> Vec<FormView> {
    forms
        .into_iter()
        .map(|f| FormView {
            id: f.id.clone(),
            title: f.title.get(locale).to_owned(),
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_in_packs_load() {
        let hn = Catalog::honduras().unwrap();
        assert_eq!(hn.pack.country, "HN");
        assert!(hn.categories.len() >= 12);
        assert!(hn.offices.len() >= 10);
        let gt = Catalog::guatemala().unwrap();
        assert_eq!(gt.pack.country, "GT");
    }

    #[test]
    fn a_broken_pack_names_file_and_entry() {
        let mut files: BTreeMap<&str, String> = Catalog::BUILTIN[0]
            .files
            .iter()
            .map(|(n, t)| (*n, (*t).to_owned()))
            .collect();
        let offices = files["offices.json"].replacen("America/New_York", "America/Atlantis", 1);
        files.insert("offices.json", offices);
        let err = Catalog::from_files(files.iter().map(|(n, t)| (*n, t.as_str()))).unwrap_err();
        assert_eq!(err.code, "catalog.bad_value");
        assert_eq!(err.file, "offices.json");
        assert!(err.entry.is_some());

        let mut files: BTreeMap<&str, String> = Catalog::BUILTIN[0]
            .files
            .iter()
            .map(|(n, t)| (*n, (*t).to_owned()))
            .collect();
        files.insert("flags.json", "[{\"code\": \"minor\"".to_owned());
        let err = Catalog::from_files(files.iter().map(|(n, t)| (*n, t.as_str()))).unwrap_err();
        assert_eq!(
            (err.code, err.file.as_str()),
            ("catalog.bad_json", "flags.json")
        );
    }

    #[test]
    fn the_field_file_parses_and_names_real_fields() {
        let file = field_file().expect("data/fields.json parses");
        assert!(file.fields.len() > 20);
        // Every path exists in the published schema of an intake.
        let schema: serde_json::Value =
            serde_json::from_str(&crate::schema::intake_schema()).unwrap();
        let resolve = |node: &serde_json::Value| -> serde_json::Value {
            let mut node = node.clone();
            loop {
                let reference = node
                    .get("$ref")
                    .or_else(|| node.pointer("/anyOf/0/$ref"))
                    .and_then(|r| r.as_str())
                    .map(str::to_owned);
                match reference {
                    Some(r) => node = schema.pointer(&r[1..]).unwrap().clone(),
                    None => return node,
                }
            }
        };
        for f in &file.fields {
            let mut node = schema.clone();
            for segment in f.path.trim_start_matches('/').split('/') {
                node = resolve(&node);
                node = if segment == "*" {
                    node["items"].clone()
                } else {
                    node["properties"][segment].clone()
                };
                assert!(!node.is_null(), "{} is not in the intake schema", f.path);
            }
            assert_eq!(
                f.kind == FactType::Choice,
                !f.choices.is_empty() || f.choices_from.is_some(),
                "{}",
                f.path
            );
            // Fixed choices are the wire format's values: each is accepted by the schema.
            let node = resolve(&node);
            let node = if f.multiple {
                resolve(&node["items"])
            } else {
                node
            };
            for c in &f.choices {
                let allowed = node.to_string();
                assert!(
                    allowed.contains(&format!("\"{}\"", c.code)),
                    "{}: {} not in the schema",
                    f.path,
                    c.code
                );
            }
        }
    }

    #[test]
    fn the_view_labels_fields_and_categories_in_a_locale() {
        let hn = Catalog::honduras().unwrap();
        let es = hn.view(Locale::Es);
        let en = hn.view(Locale::En);
        assert_eq!((es.pack.as_str(), es.country.as_str()), ("hn", "HN"));
        let field = |v: &CatalogView, p: &str| v.fields.iter().find(|f| f.path == p).cloned();
        assert_eq!(
            field(&es, "/persons/*/birth_date").unwrap().label,
            "Fecha de nacimiento"
        );
        assert_eq!(
            field(&en, "/persons/*/birth_date").unwrap().label,
            "Date of birth"
        );
        let offices = field(&es, "/office").unwrap();
        assert_eq!(offices.choices.len(), hn.offices.len());
        let kinds = field(&es, "/persons/*/documents/*/kind").unwrap();
        assert_eq!(kinds.choices[0].code, "hn_dni");
        let gt = Catalog::guatemala().unwrap().view(Locale::Es);
        assert_eq!(
            field(&gt, "/persons/*/documents/*/kind").unwrap().choices[0].code,
            "gt_dpi"
        );

        let detention = es
            .categories
            .iter()
            .find(|c| c.code == "detention")
            .unwrap();
        assert!(detention.required_facts.contains(&"authority".to_owned()));
        let kind = detention
            .facts
            .iter()
            .find(|f| f.path == "/facts/detention_kind")
            .unwrap();
        assert_eq!((kind.kind, kind.choices.len()), (FactType::Choice, 2));
        assert_eq!(kind.choices[1].label, "Migratoria");
        let missing = es
            .categories
            .iter()
            .find(|c| c.code == "missing_person")
            .unwrap();
        assert!(!missing.requires_relative.is_empty());
        assert_eq!(es.categories.len(), hn.categories.len());
        let json = serde_json::to_value(&es).unwrap();
        assert_eq!(json["fields"][0]["type"], "choice");
    }

    #[test]
    fn every_role_and_sex_has_one_label_in_the_fields_file() {
        use crate::person::{PersonRole, Sex};
        for l in [Locale::Es, Locale::En] {
            for r in [
                PersonRole::National,
                PersonRole::Relative,
                PersonRole::Guardian,
                PersonRole::Other,
            ] {
                assert!(!choice_label("/persons/*/role", r, l).is_empty(), "{r:?}");
            }
            for s in [Sex::Female, Sex::Male, Sex::Unspecified] {
                assert!(!choice_label("/persons/*/sex", s, l).is_empty(), "{s:?}");
            }
        }
        assert_eq!(
            choice_label("/persons/*/sex", Sex::Female, Locale::Es),
            "Mujer"
        );
        assert_eq!(
            choice_label("/persons/*/role", PersonRole::Guardian, Locale::Es),
            "Tutor o responsable"
        );
    }

    #[test]
    fn intake_forms_follow_the_category_of_a_partial_record() {
        let hn = Catalog::honduras().unwrap();
        let ids = |record: serde_json::Value| -> Vec<String> {
            hn.intake_forms(&record, Locale::En)
                .into_iter()
                .map(|f| f.id)
                .collect()
        };
        assert_eq!(
            ids(serde_json::json!({})),
            ["intake_sheet", "informed_consent"]
        );
        assert_eq!(
            ids(serde_json::json!({"category": 3})),
            ["intake_sheet", "informed_consent"]
        );
        assert_eq!(
            ids(serde_json::json!({"category": "nope"})),
            ["intake_sheet", "informed_consent"]
        );
        let remains = ids(serde_json::json!({"category": "repatriation_of_remains"}));
        assert!(remains.len() > 2 && remains.contains(&"power_of_attorney".to_owned()));
        let titles = hn.intake_forms(&serde_json::json!({"category": "detention"}), Locale::En);
        assert_eq!(titles[0].title, "Case intake sheet");
    }
}
