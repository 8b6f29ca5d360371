//! The pack as a form builder needs it, labelled in one locale: [`Catalog::view`] and
//! [`Catalog::intake_forms`].

use serde::Serialize;

use super::fields::{FieldDef, field_file};
use super::template::FormTemplate;
use super::{Catalog, Choice, DEFAULT_MAX_FACT_CHARS, FactType, Labels, Text, labels};
use crate::document::DocumentKind;
use crate::issue::{Locale, Pointer};

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
    /// Each office's IANA time zone by office code (`TAP` → `America/Mexico_City`): a page
    /// shows dates, and fills in today's, as the office's local date, with the browser's own
    /// time zone data (the module carries none).
    #[serde(serialize_with = "code_map")]
    #[cfg_attr(feature = "typescript", tsify(type = "Record<string, string>"))]
    pub time_zones: Vec<(String, String)>,
}

fn code_map<S: serde::Serializer>(pairs: &[(String, String)], out: S) -> Result<S::Ok, S::Error> {
    super::labels::Values(pairs).serialize(out)
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
            time_zones: self
                .offices
                .iter()
                .map(|o| (o.code.clone(), o.time_zone.clone()))
                .collect(),
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

#[cfg(test)]
mod tests {
    use super::*;

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
