//! The pack's tables for legacy logs ([`LegacyMap`], `legacy.json`) and how a rule code is
//! treated ([`Policy`]).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, CatalogError};
use crate::person::Sex;

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
/// folded (lower case, no accents, punctuation as single spaces; see [`fold`](super::fold)).
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

const HN_LEGACY: &str = include_str!("../../packs/hn/legacy.json");

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
