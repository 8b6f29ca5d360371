//! The persons a case concerns: the national, requesting relatives, guardians.
//!
//! Every field here is personal data. It may be validated and normalised, but it never appears in
//! an [`Issue`](crate::Issue), a log line or a statistic.

use chrono::NaiveDate;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use validator::Validate;

/// Longest accepted name part, in characters.
pub const MAX_NAME_CHARS: u64 = 100;
/// Longest accepted free-text place, address or contact, in characters.
pub const MAX_PLACE_CHARS: u64 = 300;

/// Why a person appears in a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// The national who needs protection. Every case has exactly one.
    National,
    /// A relative, usually the one who requests the service.
    Relative,
    /// A legal guardian (for minors and persons under guardianship).
    Guardian,
    /// Anyone else: a lawyer, an employer, a witness.
    Other,
}

/// A relative's relationship to the national.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    /// Mother or father.
    Parent,
    /// Daughter or son.
    Child,
    /// Wife, husband or partner.
    Spouse,
    /// Sister or brother.
    Sibling,
    /// Grandmother or grandfather.
    Grandparent,
    /// Granddaughter or grandson.
    Grandchild,
    /// Aunt, uncle, cousin, in-law.
    OtherRelative,
}

impl Relationship {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Relationship::Parent => "parent",
            Relationship::Child => "child",
            Relationship::Spouse => "spouse",
            Relationship::Sibling => "sibling",
            Relationship::Grandparent => "grandparent",
            Relationship::Grandchild => "grandchild",
            Relationship::OtherRelative => "other_relative",
        }
    }
}

/// Sex as recorded on the person's documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// Female.
    Female,
    /// Male.
    Male,
    /// Not stated or not known.
    Unspecified,
}

/// An identity document: its kind (see [`DocumentKind`](crate::document::DocumentKind)) and number.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct IdentityDocument {
    /// The document kind: `hn_dni`, `hn_passport`, `mx_curp`, `sv_dui`, `gt_dpi`, `mrz_td3` or `mx_clave_elector`.
    #[serde(default)]
    #[validate(length(max = 40, code = "text.too_long"))]
    pub kind: String,
    /// The number as written; separators and spaces are accepted and normalised.
    #[serde(default)]
    #[validate(length(max = 100, code = "text.too_long"))]
    pub number: String,
}

/// How a contact reaches the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ContactKind {
    /// A phone number; normalised to E.164.
    Phone,
    /// An email address.
    Email,
    /// A postal address, free text.
    Address,
}

/// One way to reach a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Phone, email or address.
    pub kind: ContactKind,
    /// The number, address or email. Phones without a `+` prefix are read in the country given
    /// by `country`, or else the office's country.
    #[serde(default)]
    #[validate(length(max = 300, code = "text.too_long"))]
    pub value: String,
    /// ISO 3166-1 alpha-2 country for reading a national phone number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// What a location is to the person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum LocationKind {
    /// Where the person is now.
    Current,
    /// Where the person lives.
    Residence,
    /// Where the person was last known to be (missing persons).
    LastKnown,
    /// Where the person was born.
    Birth,
    /// Where the person is to be returned (municipality of destination).
    Destination,
}

/// A place: an ISO 3166-1 country and a free-text place within it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Location {
    /// What the place is to the person.
    pub kind: LocationKind,
    /// ISO 3166-1 alpha-2 country code, upper case.
    pub country: String,
    /// City, facility or address within the country.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 300, code = "text.too_long"))]
    pub place: Option<String>,
}

/// A person concerned by a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Person {
    /// Why the person is in the case.
    pub role: PersonRole,
    /// For relatives: the relationship to the national.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relationship: Option<Relationship>,
    /// Given names, e.g. `María José`. Normalised to Unicode NFC.
    #[serde(default)]
    #[validate(length(max = 100, code = "text.too_long"))]
    pub given_names: String,
    /// Surnames, e.g. `Hernández López`. Normalised to Unicode NFC.
    #[serde(default)]
    #[validate(length(max = 100, code = "text.too_long"))]
    pub surnames: String,
    /// Date of birth; an empty string is read as absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "optional_date"
    )]
    pub birth_date: Option<NaiveDate>,
    /// Sex.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<Sex>,
    /// ISO 3166-1 alpha-2 nationality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Identity documents.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 20, code = "list.too_long"), nested)]
    pub documents: Vec<IdentityDocument>,
    /// Phones, emails and addresses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 20, code = "list.too_long"), nested)]
    pub contacts: Vec<Contact>,
    /// Places that matter to the case.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 20, code = "list.too_long"), nested)]
    pub locations: Vec<Location>,
}

impl Person {
    /// Given names then surnames, on one line as forms and lists print them (empty for a
    /// person whose names were erased).
    pub fn full_name(&self) -> String {
        format!("{} {}", self.given_names.trim(), self.surnames.trim())
            .trim()
            .to_owned()
    }

    /// Age in whole years on `day`, if the birth date is known and not after `day`.
    pub fn age_on(&self, day: NaiveDate) -> Option<u32> {
        self.birth_date.and_then(|b| day.years_since(b))
    }
}

/// Reads an optional date where an empty string (a blank form field) means absent.
///
/// The date is checked as it is read (in a visitor), so that a wrong one is reported at its own
/// path (see `crate::reading`).
pub(crate) fn optional_date<'de, D: serde::Deserializer<'de>>(
    de: D,
) -> Result<Option<NaiveDate>, D::Error> {
    de.deserialize_option(OptionalDate)
}

/// The visitor of [`optional_date`].
struct OptionalDate;

impl<'de> serde::de::Visitor<'de> for OptionalDate {
    type Value = Option<NaiveDate>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a date (YYYY-MM-DD), an empty string or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, de: D) -> Result<Self::Value, D::Error> {
        de.deserialize_str(self)
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Self::Value, E> {
        match text.trim() {
            "" => Ok(None),
            // Read as every other date of the wire format is (`NaiveDate`'s own `YYYY-MM-DD`).
            t => t.parse::<NaiveDate>().map(Some).map_err(E::custom),
        }
    }
}
