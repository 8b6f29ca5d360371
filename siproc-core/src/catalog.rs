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
//! | `forms.json` | the forms the pack can print, with their templates (see [`crate::forms::template`]) |
//!
//! The default Honduran pack (`packs/hn`) and a Guatemalan one (`packs/gt`) are built in. A pack is
//! checked when it is loaded: a broken pack is a [`CatalogError`] naming the file and the entry.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::str::FromStr;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case::Priority;
use crate::issue::Locale;

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

/// Service-level targets of a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Sla {
    /// Hours from registration to the first contact with the national or family.
    pub first_contact_hours: u32,
    /// Days from registration to resolution.
    pub resolution_days: u32,
}

pub use crate::forms::FormTemplate;

/// The former name of [`FormTemplate`], which now holds the whole template.
pub type FormRef = FormTemplate;

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
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}{}: {reason}", entry.as_ref().map(|e| format!(" [{e}]")).unwrap_or_default())]
#[non_exhaustive]
pub struct CatalogError {
    /// Stable code: `catalog.missing_file`, `catalog.bad_json`, `catalog.duplicate`,
    /// `catalog.unknown_reference` or `catalog.bad_value`.
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

macro_rules! builtin_pack {
    ($dir:literal) => {
        [
            (
                "pack.json",
                include_str!(concat!("../packs/", $dir, "/pack.json")),
            ),
            (
                "categories.json",
                include_str!(concat!("../packs/", $dir, "/categories.json")),
            ),
            (
                "offices.json",
                include_str!(concat!("../packs/", $dir, "/offices.json")),
            ),
            (
                "flags.json",
                include_str!(concat!("../packs/", $dir, "/flags.json")),
            ),
            (
                "partners.json",
                include_str!(concat!("../packs/", $dir, "/partners.json")),
            ),
            (
                "services.json",
                include_str!(concat!("../packs/", $dir, "/services.json")),
            ),
            (
                "sla.json",
                include_str!(concat!("../packs/", $dir, "/sla.json")),
            ),
            (
                "forms.json",
                include_str!(concat!("../packs/", $dir, "/forms.json")),
            ),
        ]
    };
}

const HN_PACK: [(&str, &str); 8] = builtin_pack!("hn");
const GT_PACK: [(&str, &str); 8] = builtin_pack!("gt");

fn parse<T: serde::de::DeserializeOwned>(file: &str, text: &str) -> Result<T, CatalogError> {
    serde_json::from_str(text).map_err(|e| {
        CatalogError::new(
            "catalog.bad_json",
            file,
            None,
            format!("line {}, column {}: {e}", e.line(), e.column()),
        )
    })
}

impl Catalog {
    /// The built-in Honduran pack, the default.
    pub fn honduras() -> Result<Catalog, CatalogError> {
        Catalog::from_files(HN_PACK)
    }

    /// The built-in Guatemalan pack.
    pub fn guatemala() -> Result<Catalog, CatalogError> {
        Catalog::from_files(GT_PACK)
    }

    /// A built-in pack by id: `hn` or `gt`.
    pub fn builtin(id: &str) -> Result<Catalog, CatalogError> {
        match id {
            "hn" => Catalog::honduras(),
            "gt" => Catalog::guatemala(),
            other => Err(CatalogError::new(
                "catalog.missing_file",
                "pack.json",
                Some(other),
                "no built-in pack has this id (built in: hn, gt)",
            )),
        }
    }

    /// Loads and checks the pack in folder `dir`.
    pub fn load_dir(dir: impl AsRef<Path>) -> Result<Catalog, CatalogError> {
        let dir = dir.as_ref();
        let mut texts = Vec::with_capacity(PACK_FILES.len());
        for name in PACK_FILES {
            let text = std::fs::read_to_string(dir.join(name)).map_err(|e| {
                CatalogError::new(
                    "catalog.missing_file",
                    name,
                    None,
                    format!("cannot read it: {e}"),
                )
            })?;
            texts.push((name, text));
        }
        Catalog::from_files(texts.iter().map(|(n, t)| (*n, t.as_str())))
    }

    /// Loads and checks a pack from its files' names and contents (every name of [`PACK_FILES`]).
    pub fn from_files<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Catalog, CatalogError> {
        let files: BTreeMap<&str, &str> = files.into_iter().collect();
        let get = |name: &str| {
            files.get(name).copied().ok_or_else(|| {
                CatalogError::new(
                    "catalog.missing_file",
                    name,
                    None,
                    "the pack has no such file",
                )
            })
        };
        let catalog = Catalog {
            pack: parse("pack.json", get("pack.json")?)?,
            categories: parse("categories.json", get("categories.json")?)?,
            offices: parse("offices.json", get("offices.json")?)?,
            flags: parse("flags.json", get("flags.json")?)?,
            partners: parse("partners.json", get("partners.json")?)?,
            services: parse("services.json", get("services.json")?)?,
            sla: parse("sla.json", get("sla.json")?)?,
            forms: parse("forms.json", get("forms.json")?)?,
        };
        catalog.check()?;
        Ok(catalog)
    }

    /// A category by code.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// An office by code.
    pub fn office(&self, code: &str) -> Option<&Office> {
        self.offices.iter().find(|o| o.code == code)
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

    /// The forms a case of `category` needs: the common ones, then the category's own.
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

    fn check(&self) -> Result<(), CatalogError> {
        let p = &self.pack;
        if !crate::country::is_country(&p.country) {
            return Err(CatalogError::new(
                "catalog.bad_value",
                "pack.json",
                Some("country"),
                "not an ISO 3166-1 alpha-2 code",
            ));
        }
        for kind in &p.documents {
            if crate::document::DocumentKind::from_str(kind).is_err() {
                return Err(CatalogError::new(
                    "catalog.unknown_reference",
                    "pack.json",
                    Some(kind),
                    "unknown document kind",
                ));
            }
        }
        unique(
            "categories.json",
            self.categories.iter().map(|c| c.code.as_str()),
        )?;
        unique("offices.json", self.offices.iter().map(|o| o.code.as_str()))?;
        unique("flags.json", self.flags.iter().map(|f| f.code.as_str()))?;
        unique(
            "partners.json",
            self.partners.iter().map(|x| x.code.as_str()),
        )?;
        unique(
            "services.json",
            self.services.iter().map(|x| x.code.as_str()),
        )?;
        unique("forms.json", self.forms.iter().map(|x| x.id.as_str()))?;
        for id in &p.common_forms {
            if self.form(id).is_none() {
                return Err(CatalogError::new(
                    "catalog.unknown_reference",
                    "pack.json",
                    Some(id),
                    "common form not in forms.json",
                ));
            }
        }
        for c in &self.categories {
            check_code("categories.json", &c.code)?;
            unique("categories.json", c.facts.iter().map(|f| f.key.as_str()))?;
            for f in &c.facts {
                let entry = format!("{}/{}", c.code, f.key);
                check_code("categories.json", &f.key)?;
                let choice = f.kind == FactType::Choice;
                if choice == f.values.is_empty() {
                    return Err(CatalogError::new(
                        "catalog.bad_value",
                        "categories.json",
                        Some(&entry),
                        "a choice fact needs values, and only a choice fact has them",
                    ));
                }
                if (f.after_birth || f.before_request) && f.kind != FactType::Date {
                    return Err(CatalogError::new(
                        "catalog.bad_value",
                        "categories.json",
                        Some(&entry),
                        "date order applies to date facts only",
                    ));
                }
                unique("categories.json", f.values.iter().map(|v| v.code.as_str()))?;
            }
            for id in &c.forms {
                if self.form(id).is_none() {
                    return Err(CatalogError::new(
                        "catalog.unknown_reference",
                        "categories.json",
                        Some(&format!("{}/{id}", c.code)),
                        "form not in forms.json",
                    ));
                }
            }
            if !self.sla.contains_key(&c.code) {
                return Err(CatalogError::new(
                    "catalog.unknown_reference",
                    "sla.json",
                    Some(&c.code),
                    "category has no SLA target",
                ));
            }
        }
        for code in self.sla.keys() {
            if self.category(code).is_none() {
                return Err(CatalogError::new(
                    "catalog.unknown_reference",
                    "sla.json",
                    Some(code),
                    "no such category",
                ));
            }
        }
        if !self
            .offices
            .iter()
            .any(|o| o.kind == OfficeKind::Directorate)
        {
            return Err(CatalogError::new(
                "catalog.bad_value",
                "offices.json",
                None,
                "the pack needs its central directorate",
            ));
        }
        for o in &self.offices {
            check_code("offices.json", &o.code)?;
            if !crate::country::is_country(&o.country) {
                return Err(CatalogError::new(
                    "catalog.bad_value",
                    "offices.json",
                    Some(&o.code),
                    "country is not an ISO 3166-1 alpha-2 code",
                ));
            }
            if chrono_tz::Tz::from_str(&o.time_zone).is_err() {
                return Err(CatalogError::new(
                    "catalog.bad_value",
                    "offices.json",
                    Some(&o.code),
                    "time_zone is not an IANA time zone",
                ));
            }
        }
        for f in &self.flags {
            check_code("flags.json", &f.code)?;
        }
        for f in &self.forms {
            check_code("forms.json", &f.id)?;
        }
        crate::forms::template::check_templates(self)
    }
}

fn unique<'a>(file: &str, codes: impl Iterator<Item = &'a str>) -> Result<(), CatalogError> {
    let mut seen = BTreeSet::new();
    for code in codes {
        if !seen.insert(code) {
            return Err(CatalogError::new(
                "catalog.duplicate",
                file,
                Some(code),
                "appears twice",
            ));
        }
    }
    Ok(())
}

/// Codes are short ASCII identifiers: they appear in case numbers, URLs and JSON Pointers.
fn check_code(file: &str, code: &str) -> Result<(), CatalogError> {
    let ok = !code.is_empty()
        && code.len() <= 60
        && code.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(CatalogError::new(
            "catalog.bad_value",
            file,
            Some(code),
            "codes are 1 to 60 ASCII letters, digits or underscores",
        ))
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
        let mut files: BTreeMap<&str, String> =
            HN_PACK.iter().map(|(n, t)| (*n, (*t).to_owned())).collect();
        let offices = files["offices.json"].replacen("America/New_York", "America/Atlantis", 1);
        files.insert("offices.json", offices);
        let err = Catalog::from_files(files.iter().map(|(n, t)| (*n, t.as_str()))).unwrap_err();
        assert_eq!(err.code, "catalog.bad_value");
        assert_eq!(err.file, "offices.json");
        assert!(err.entry.is_some());

        let mut files: BTreeMap<&str, String> =
            HN_PACK.iter().map(|(n, t)| (*n, (*t).to_owned())).collect();
        files.insert("flags.json", "[{\"code\": \"minor\"".to_owned());
        let err = Catalog::from_files(files.iter().map(|(n, t)| (*n, t.as_str()))).unwrap_err();
        assert_eq!(
            (err.code, err.file.as_str()),
            ("catalog.bad_json", "flags.json")
        );
    }
}
