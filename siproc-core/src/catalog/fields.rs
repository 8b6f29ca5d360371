//! The intake's common fields and the labels of the wire format's enumerations:
//! `data/fields.json`, part of the crate, read once.

use serde::{Deserialize, Serialize};

use super::{Choice, FactType, Text};
use crate::issue::Locale;

/// The labels of the intake's common fields and of the wire format's enumerations:
/// `data/fields.json`, part of the crate.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FieldFile {
    /// The common fields, in form order.
    pub(super) fields: Vec<FieldDef>,
}

/// One common field of `data/fields.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct FieldDef {
    pub(super) path: String,
    pub(super) label: Text,
    #[serde(rename = "type")]
    pub(super) kind: FactType,
    #[serde(default)]
    pub(super) required: bool,
    #[serde(default)]
    pub(super) multiple: bool,
    /// Fixed choices (the wire format's enumerations).
    #[serde(default)]
    pub(super) choices: Vec<Choice>,
    /// Choices taken from the pack: `offices`, `categories`, `flags`, `services`, `partners` or
    /// `documents`.
    #[serde(default)]
    pub(super) choices_from: Option<String>,
}

/// The common fields, read once (`None` were the file broken: a test checks it is not).
pub(super) fn field_file() -> Option<&'static FieldFile> {
    static FILE: std::sync::OnceLock<Option<FieldFile>> = std::sync::OnceLock::new();
    FILE.get_or_init(|| serde_json::from_str(include_str!("../../data/fields.json")).ok())
        .as_ref()
}

/// The vocabularies of [`Catalog::labels`] taken from the fixed choices of a common field of
/// `data/fields.json`: (vocabulary, field path).
pub(super) const FIELD_VOCABULARIES: [(&str, &str); 5] = [
    ("person_role", "/persons/*/role"),
    ("sex", "/persons/*/sex"),
    ("relationship", "/persons/*/relationship"),
    ("contact_kind", "/persons/*/contacts/*/kind"),
    ("location_kind", "/persons/*/locations/*/kind"),
];

/// The fixed choices of the common field at `path` of `data/fields.json`.
pub(super) fn field_choices(path: &str) -> &'static [Choice] {
    field_file()
        .and_then(|f| f.fields.iter().find(|d| d.path == path))
        .map_or(&[], |d| d.choices.as_slice())
}

/// The label of `value` (an enumeration of the wire format) among the fixed choices of the
/// common field at `path`, from `data/fields.json`: the one list of these labels, which forms
/// print too. Empty when the file lacks it (a test checks it never does).
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
