//! The data of a pack: its entries' types, the [`Catalog`] they make, [`CatalogError`], and
//! how an entry is looked up.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::template::FormTemplate;
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
    /// How long personal data is kept after closure ([`super::retention`]); absent: until
    /// erased by hand.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<super::Retention>,
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

impl Catalog {
    /// A category by code.
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    /// An office by code.
    pub fn office(&self, code: &str) -> Option<&Office> {
        self.offices.iter().find(|o| o.code == code)
    }

    /// The date at office `code` at instant `at`: its local date in the pack's time zone (a
    /// request made at 19:00 in Tapachula is made that day, not on the next UTC day). The UTC
    /// date for an office the pack does not list. (The WebAssembly package does not call it:
    /// pages use the browser's own time zone data with the catalog view's `time_zones`.)
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// let hn = siproc_core::Catalog::honduras()?;
    /// let evening = Utc.with_ymd_and_hms(2026, 3, 3, 1, 30, 0).unwrap(); // 19:30 on 2 March in Tapachula
    /// assert_eq!(hn.local_date("TAP", evening), NaiveDate::from_ymd_opt(2026, 3, 2).unwrap());
    /// assert_eq!(hn.local_date("???", evening), NaiveDate::from_ymd_opt(2026, 3, 3).unwrap());
    /// # Ok::<(), siproc_core::CatalogError>(())
    /// ```
    pub fn local_date(&self, code: &str, at: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        self.office(code)
            .and_then(|o| o.time_zone.parse::<chrono_tz::Tz>().ok())
            .map_or_else(|| at.date_naive(), |tz| at.with_timezone(&tz).date_naive())
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
}
