//! The templates of a pack's `forms.json`, with the binding vocabulary they may use and their
//! check when a pack is loaded. They live with the catalog that reads them; [`crate::forms`]
//! prints them (and is the public path of these types: `siproc_core::forms::FormTemplate`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

#[cfg(feature = "pdf")]
use super::{Catalog, CatalogError};
use super::{Paper, Text};
use crate::case::Status;
#[cfg(feature = "pdf")]
use crate::fonts::{Fonts, code_point};

/// A printable form of the pack.
///
/// A template lives in the pack's `forms.json`. It sets the title, the paper size (by default the
/// office's), the rule that says when a case needs it, a list of blocks printed one after the other
/// under the letterhead, and a footer:
///
/// ```json
/// {
///   "id": "search_request",
///   "title": {"es": "Solicitud de búsqueda", "en": "Search request"},
///   "blocks": [
///     {"kind": "fields", "title": {"es": "Persona buscada"}, "columns": 2, "fields": [
///       {"label": {"es": "Nombre completo"}, "bind": "national.full_name"},
///       {"bind": "fact.last_known_place"}
///     ]},
///     {"kind": "text", "text": {"es": "Yo, {requester.full_name}, solicito …"}},
///     {"kind": "table", "source": "persons", "columns": [
///       {"label": {"es": "Nombre"}, "bind": "person.full_name", "width": 3}
///     ]},
///     {"kind": "notes", "title": {"es": "Observaciones"}},
///     {"kind": "signatures", "signers": [{"label": {"es": "Solicitante"}, "name": "requester.full_name"}],
///      "stamp": true}
///   ],
///   "footer": {"es": "Los datos personales de este formulario son confidenciales."}
/// }
/// ```
///
/// Bindings (`bind`, `name` and `{…}` placeholders in texts) name case data from a fixed
/// vocabulary, listed in `siproc_core::forms::fields` (built with the `pdf` feature). Templates
/// are checked when a pack is loaded: an unknown binding, a `fact.*` key no category defines, an
/// unbalanced placeholder or a character the form fonts lack is a
/// [`CatalogError`](crate::CatalogError) naming `forms.json` (or the file of the label) and
/// the entry, so a broken template never reaches a PDF.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FormTemplate {
    /// The form id (`intake_sheet`).
    pub id: String,
    /// Its title, printed under the letterhead.
    pub title: Text,
    /// Paper size; by default the office's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub paper: Option<Paper>,
    /// When a case of a category that lists the form needs it; always when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required_when: Option<Requirement>,
    /// What the form prints, in order. Built without the `pdf` feature, which prints nothing,
    /// siproc-core skips the blocks when it reads a pack and leaves this empty: a smaller
    /// WebAssembly package.
    #[serde(default)]
    #[cfg_attr(not(feature = "pdf"), serde(deserialize_with = "skip_blocks"))]
    pub blocks: Vec<Block>,
    /// Text printed at the foot of every page, above the case number and page count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<Text>,
}

/// Reads past the blocks of a template (see [`FormTemplate::blocks`]).
#[cfg(not(feature = "pdf"))]
fn skip_blocks<'de, D: serde::Deserializer<'de>>(blocks: D) -> Result<Vec<Block>, D::Error> {
    serde::de::IgnoredAny::deserialize(blocks).map(|_| Vec::new())
}

/// The workflow states in which a case needs a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Requirement {
    /// The case needs the form in any of these states (e.g. the consular transfer certificate
    /// once the case is `resolved` or `closed`).
    pub status: Vec<Status>,
}

/// A part of a form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Block {
    /// Labelled fields bound to case data, in a grid.
    Fields {
        /// Section title.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<Text>,
        /// Columns of the grid, 1 to 4 (default 2).
        #[serde(default = "two")]
        columns: u8,
        /// The fields.
        fields: Vec<Field>,
    },
    /// The facts of the case's category, with the category's labels.
    Facts {
        /// Section title.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<Text>,
        /// Columns of the grid, 1 to 4 (default 2).
        #[serde(default = "two")]
        columns: u8,
    },
    /// Free (legal) text with `{binding}` placeholders; a blank line starts a new paragraph.
    Text {
        /// Section title.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<Text>,
        /// The text.
        text: Text,
    },
    /// A table with one row per person, document, service or referral of the case.
    Table {
        /// Section title.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<Text>,
        /// What the rows are.
        source: TableSource,
        /// The columns.
        columns: Vec<Column>,
        /// Printed when there is no row.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        empty: Option<Text>,
    },
    /// The case's notes, dated, flowing over as many pages as they need.
    Notes {
        /// Section title.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<Text>,
    },
    /// Signature lines, and optionally a box for the office's stamp.
    Signatures {
        /// Section title.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        title: Option<Text>,
        /// Who signs.
        signers: Vec<Signer>,
        /// Whether to print a stamp box (*sello*).
        #[serde(default)]
        stamp: bool,
    },
}

fn two() -> u8 {
    2
}

/// A labelled field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Field {
    /// The label; for a `fact.*` binding the category's fact label when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<Text>,
    /// The case data it shows (`national.full_name`, `fact.facility`, …).
    pub bind: String,
    /// Whether the field takes the whole width of the grid.
    #[serde(default)]
    pub wide: bool,
}

/// What the rows of a table are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TableSource {
    /// Every person of the case (`person.*` columns).
    Persons,
    /// Every person but the national (`person.*` columns).
    Relatives,
    /// Every identity document of every person (`document.*` and `person.*` columns).
    Documents,
    /// Every service given (`service.*` columns).
    Services,
    /// Every referral to a partner organisation (`referral.*` columns).
    Referrals,
}

/// A table column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Column {
    /// The header.
    pub label: Text,
    /// The row data it shows (`person.full_name`, `service.given_on`, …).
    pub bind: String,
    /// Relative width (default 1).
    #[serde(default = "one")]
    pub width: u16,
}

fn one() -> u16 {
    1
}

/// A signature line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Signer {
    /// Who signs (`Persona solicitante`, `Funcionario consular`).
    pub label: Text,
    /// The name printed under the line, when the case has it (`requester.full_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

/// Case-level bindings, with what they print.
#[cfg(feature = "pdf")]
pub const CASE_FIELDS: &[(&str, &str)] = &[
    ("case.number", "the case number (`MIA-2026-000123`)"),
    ("case.opened_on", "the day protection was asked for"),
    ("case.category", "the category's label"),
    ("case.status", "the workflow status"),
    ("case.priority", "the priority"),
    ("case.flags", "the vulnerability flags' labels"),
    ("case.outcome", "the outcome, once given"),
    (
        "case.referrals",
        "the partner organisations the case is referred to",
    ),
    ("office.name", "the office's full name"),
    ("office.city", "the office's city"),
    ("office.address", "the office's postal address"),
    ("office.country", "the office's country code"),
    ("pack.ministry", "the ministry"),
    ("pack.directorate", "the protection directorate"),
    ("form.title", "the form's title"),
    (
        "form.generated_on",
        "date and time of generation, in the office's time zone",
    ),
    ("form.generated_date", "date of generation"),
    (
        "form.generated_date_long",
        "date of generation in words (`2 de marzo de 2026`)",
    ),
    (
        "form.place_date",
        "the office's city and the date in words, as letters are dated",
    ),
    ("form.verification_code", "the short verification code"),
    ("consent.given", "whether consent was given"),
    ("consent.recorded_on", "the day consent was recorded"),
    ("consent.scope", "what the consent covers"),
    ("consent.given_by", "the full name of who gave consent"),
];

/// Person bindings, after `national.`, `requester.`, `guardian.` or (in person rows) `person.`.
#[cfg(feature = "pdf")]
pub const PERSON_FIELDS: &[(&str, &str)] = &[
    ("full_name", "given names and surnames"),
    ("given_names", "given names"),
    ("surnames", "surnames"),
    ("birth_date", "date of birth"),
    ("age", "age in years on the day the case was opened"),
    ("sex", "sex"),
    ("nationality", "nationality code"),
    ("role", "role in the case"),
    ("relationship", "relationship to the national"),
    ("document", "first identity document: kind and number"),
    ("document_kind", "kind of the first identity document"),
    ("document_number", "number of the first identity document"),
    ("phone", "first phone number"),
    ("email", "first email address"),
    ("address", "first postal address"),
    ("current_location", "where the person is now"),
    ("residence", "where the person lives"),
    (
        "last_known_location",
        "where the person was last known to be",
    ),
    ("birth_place", "where the person was born"),
    ("destination", "where the person is to be returned"),
];

/// Row bindings by table source (besides `person.*` in `persons`, `relatives` and `documents`).
#[cfg(feature = "pdf")]
pub const ROW_FIELDS: &[(&str, &str)] = &[
    ("document.kind", "documents: the document kind"),
    ("document.number", "documents: the number"),
    ("service.kind", "services: the service's label"),
    ("service.given_on", "services: the day it was given"),
    ("service.description", "services: what was done"),
    ("referral.partner", "referrals: the partner organisation"),
    ("referral.reason", "referrals: why"),
    ("referral.status", "referrals: where it stands"),
];

/// Where a binding is used.
#[cfg(feature = "pdf")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// Fields, placeholders and signers: the case.
    Case,
    /// A table column: a row of this source, or the case.
    Row(TableSource),
}

#[cfg(feature = "pdf")]
fn person_field(name: &str) -> bool {
    PERSON_FIELDS.iter().any(|(f, _)| *f == name)
}

/// Whether `bind` is in the vocabulary of `scope`. `fact.*` keys are checked against the catalog
/// by the caller.
#[cfg(feature = "pdf")]
pub(crate) fn is_known(bind: &str, scope: Scope) -> bool {
    if CASE_FIELDS.iter().any(|(f, _)| *f == bind) {
        return true;
    }
    if let Some(key) = bind.strip_prefix("fact.") {
        return !key.is_empty();
    }
    if let Some((who, field)) = bind.split_once('.')
        && matches!(who, "national" | "requester" | "guardian")
    {
        return person_field(field);
    }
    let Scope::Row(source) = scope else {
        return false;
    };
    let Some((table, field)) = bind.split_once('.') else {
        return false;
    };
    match (source, table) {
        (TableSource::Persons | TableSource::Relatives | TableSource::Documents, "person") => {
            person_field(field)
        }
        (TableSource::Documents, "document") => matches!(field, "kind" | "number"),
        (TableSource::Services, "service") => {
            matches!(field, "kind" | "given_on" | "description")
        }
        (TableSource::Referrals, "referral") => matches!(field, "partner" | "reason" | "status"),
        _ => false,
    }
}

/// The bindings of the vocabulary, fully spelled, for documentation and tests.
#[cfg(feature = "pdf")]
pub fn all_case_bindings() -> Vec<String> {
    let mut out: Vec<String> = CASE_FIELDS.iter().map(|(f, _)| (*f).to_owned()).collect();
    for who in ["national", "requester", "guardian"] {
        out.extend(PERSON_FIELDS.iter().map(|(f, _)| format!("{who}.{f}")));
    }
    out
}

impl Block {
    /// The block's section title.
    pub fn title(&self) -> Option<&Text> {
        match self {
            Block::Fields { title, .. }
            | Block::Facts { title, .. }
            | Block::Text { title, .. }
            | Block::Table { title, .. }
            | Block::Notes { title }
            | Block::Signatures { title, .. } => title.as_ref(),
        }
    }
}

/// One piece of a text: literal, or a placeholder's binding.
#[cfg(feature = "pdf")]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piece<'a> {
    /// Printed as is.
    Literal(&'a str),
    /// Replaced by the bound value.
    Placeholder(&'a str),
}

/// Splits `text` into literals and `{binding}` placeholders; `Err` names what is unbalanced.
#[cfg(feature = "pdf")]
pub(crate) fn pieces(text: &str) -> Result<Vec<Piece<'_>>, &'static str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find(['{', '}']) {
        let (lit, tail) = rest.split_at(open);
        if tail.starts_with('}') {
            return Err("a `}` without its `{`");
        }
        let body = tail.get(1..).unwrap_or_default();
        let close = body.find('}').ok_or("a `{` without its `}`")?;
        let name = body.get(..close).unwrap_or_default();
        if name.contains('{') {
            return Err("a `{` inside a placeholder");
        }
        if !lit.is_empty() {
            out.push(Piece::Literal(lit));
        }
        out.push(Piece::Placeholder(name.trim()));
        rest = body.get(close + 1..).unwrap_or_default();
    }
    if !rest.is_empty() {
        out.push(Piece::Literal(rest));
    }
    Ok(out)
}

/// Checks every template of `catalog` and every pack label forms print (see the module docs),
/// adding each problem found to `problems`.
#[cfg(feature = "pdf")]
pub(crate) fn check_templates(catalog: &Catalog, problems: &mut Vec<CatalogError>) {
    let Some(fonts) = Fonts::get() else {
        problems.push(CatalogError::new(
            "catalog.bad_value",
            "forms.json",
            None,
            "the embedded form fonts cannot be read",
        ));
        return;
    };
    for t in &catalog.forms {
        let mut checker = Checker {
            catalog,
            fonts,
            form: t,
            problems: Vec::new(),
        };
        checker.check();
        problems.append(&mut checker.problems);
    }
    check_labels(catalog, fonts, problems);
}

#[cfg(feature = "pdf")]
struct Checker<'a> {
    catalog: &'a Catalog,
    fonts: &'a Fonts,
    form: &'a FormTemplate,
    /// What is wrong, in template order.
    problems: Vec<CatalogError>,
}

#[cfg(feature = "pdf")]
impl Checker<'_> {
    fn err(&self, code: &'static str, at: &str, reason: impl Into<String>) -> CatalogError {
        let entry = if at.is_empty() {
            self.form.id.clone()
        } else {
            format!("{}/{at}", self.form.id)
        };
        CatalogError::new(code, "forms.json", Some(&entry), reason)
    }

    /// Records the problem of one check, if any.
    fn keep(&mut self, result: Result<(), CatalogError>) {
        if let Err(e) = result {
            self.problems.push(e);
        }
    }

    fn check(&mut self) {
        self.keep(self.text(&self.form.title, "title", false));
        if let Some(f) = &self.form.footer {
            self.keep(self.text(f, "footer", true));
        }
        if let Some(r) = &self.form.required_when
            && r.status.is_empty()
        {
            self.problems.push(self.err(
                "catalog.bad_value",
                "required_when",
                "lists no status: drop it for a form always required",
            ));
        }
        for (i, block) in self.form.blocks.iter().enumerate() {
            let at = format!("blocks/{i}");
            if let Some(title) = block.title() {
                self.keep(self.text(title, &format!("{at}/title"), false));
            }
            match block {
                Block::Fields {
                    columns, fields, ..
                } => {
                    self.keep(self.columns(*columns, &at));
                    if fields.is_empty() {
                        self.problems.push(self.err(
                            "catalog.bad_value",
                            &at,
                            "a fields block needs fields",
                        ));
                    }
                    for (j, f) in fields.iter().enumerate() {
                        let at = format!("{at}/fields/{j}");
                        self.keep(self.binding(&f.bind, Scope::Case, &at));
                        match &f.label {
                            Some(label) => {
                                self.keep(self.text(label, &format!("{at}/label"), false))
                            }
                            None if f.bind.starts_with("fact.") => {}
                            None => self.problems.push(self.err(
                                "catalog.bad_value",
                                &at,
                                "a field needs a label unless it shows a fact",
                            )),
                        }
                    }
                }
                Block::Facts { columns, .. } => self.keep(self.columns(*columns, &at)),
                Block::Text { text, .. } => self.keep(self.text(text, &format!("{at}/text"), true)),
                Block::Table {
                    source,
                    columns,
                    empty,
                    ..
                } => {
                    if columns.is_empty() {
                        self.problems.push(self.err(
                            "catalog.bad_value",
                            &at,
                            "a table needs columns",
                        ));
                    }
                    for (j, c) in columns.iter().enumerate() {
                        let at = format!("{at}/columns/{j}");
                        self.keep(self.text(&c.label, &format!("{at}/label"), false));
                        self.keep(self.binding(&c.bind, Scope::Row(*source), &at));
                        if c.width == 0 || c.width > 100 {
                            self.problems.push(self.err(
                                "catalog.bad_value",
                                &at,
                                "a column width is 1 to 100",
                            ));
                        }
                    }
                    if let Some(e) = empty {
                        self.keep(self.text(e, &format!("{at}/empty"), false));
                    }
                }
                Block::Notes { .. } => {}
                Block::Signatures { signers, .. } => {
                    if signers.is_empty() {
                        self.problems.push(self.err(
                            "catalog.bad_value",
                            &at,
                            "a signatures block needs signers",
                        ));
                    }
                    for (j, s) in signers.iter().enumerate() {
                        let at = format!("{at}/signers/{j}");
                        self.keep(self.text(&s.label, &format!("{at}/label"), false));
                        if let Some(name) = &s.name {
                            self.keep(self.binding(name, Scope::Case, &format!("{at}/name")));
                        }
                    }
                }
            }
        }
    }

    fn columns(&self, columns: u8, at: &str) -> Result<(), CatalogError> {
        if (1..=4).contains(&columns) {
            Ok(())
        } else {
            Err(self.err("catalog.bad_value", at, "columns is 1 to 4"))
        }
    }

    /// Checks a binding: known in its scope, and a `fact.*` key defined by a category that
    /// uses the form (any category for a form every case needs).
    fn binding(&self, bind: &str, scope: Scope, at: &str) -> Result<(), CatalogError> {
        if !is_known(bind, scope) {
            return Err(self.err(
                "catalog.unknown_reference",
                at,
                format!("unknown field `{bind}` (see siproc_core::forms::fields)"),
            ));
        }
        if let Some(key) = bind.strip_prefix("fact.") {
            let id = self.form.id.as_str();
            let common = self.catalog.pack.common_forms.iter().any(|f| f == id);
            let defined = self
                .catalog
                .categories
                .iter()
                .filter(|c| common || c.forms.iter().any(|f| f == id))
                .any(|c| c.fact(key).is_some());
            if !defined {
                return Err(self.err(
                    "catalog.unknown_reference",
                    at,
                    format!("no category using this form defines the fact `{key}`"),
                ));
            }
        }
        Ok(())
    }

    /// Checks a text in both languages: glyphs, and placeholders when they are allowed.
    fn text(&self, text: &Text, at: &str, placeholders: bool) -> Result<(), CatalogError> {
        for (lang, s) in [("es", Some(text.es.as_str())), ("en", text.en.as_deref())] {
            let Some(s) = s else { continue };
            let at = format!("{at}/{lang}");
            if let Some(c) = self.fonts.first_missing(s) {
                return Err(self.err(
                    "catalog.bad_value",
                    &at,
                    format!("the form fonts have no glyph for {}", code_point(c)),
                ));
            }
            if !placeholders {
                continue;
            }
            let parts = pieces(s).map_err(|why| {
                self.err(
                    "catalog.bad_value",
                    &at,
                    format!("unbalanced placeholder: {why}"),
                )
            })?;
            for p in parts {
                if let Piece::Placeholder(name) = p {
                    self.binding(name, Scope::Case, &at)?;
                }
            }
        }
        Ok(())
    }
}

/// Checks that the fonts print every pack label a form may show, and the built-in words.
#[cfg(feature = "pdf")]
fn check_labels(catalog: &Catalog, fonts: &Fonts, problems: &mut Vec<CatalogError>) {
    let mut labels: Vec<(&str, String, &Text)> = vec![
        ("pack.json", "ministry".into(), &catalog.pack.ministry),
        ("pack.json", "directorate".into(), &catalog.pack.directorate),
    ];
    for c in &catalog.categories {
        labels.push(("categories.json", c.code.clone(), &c.label));
        for f in &c.facts {
            labels.push(("categories.json", format!("{}/{}", c.code, f.key), &f.label));
            for v in &f.values {
                let entry = format!("{}/{}/{}", c.code, f.key, v.code);
                labels.push(("categories.json", entry, &v.label));
            }
        }
    }
    for o in &catalog.offices {
        labels.push(("offices.json", o.code.clone(), &o.name));
        for s in [Some(&o.city), o.address.as_ref()].into_iter().flatten() {
            if let Some(c) = fonts.first_missing(s) {
                problems.push(missing("offices.json", &o.code, c));
            }
        }
    }
    for f in &catalog.flags {
        labels.push(("flags.json", f.code.clone(), &f.label));
    }
    for p in &catalog.partners {
        labels.push(("partners.json", p.code.clone(), &p.name));
    }
    for s in &catalog.services {
        labels.push(("services.json", s.code.clone(), &s.label));
    }
    for (file, entry, text) in labels {
        for s in [Some(text.es.as_str()), text.en.as_deref()]
            .into_iter()
            .flatten()
        {
            if let Some(c) = fonts.first_missing(s) {
                problems.push(missing(file, &entry, c));
            }
        }
    }
}

#[cfg(feature = "pdf")]
fn missing(file: &str, entry: &str, c: char) -> CatalogError {
    CatalogError::new(
        "catalog.bad_value",
        file,
        Some(entry),
        format!("the form fonts have no glyph for {}", code_point(c)),
    )
}

#[cfg(all(test, feature = "pdf"))]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_is_scoped() {
        for b in all_case_bindings() {
            assert!(is_known(&b, Scope::Case), "{b}");
        }
        assert!(is_known("fact.facility", Scope::Case));
        assert!(!is_known("fact.", Scope::Case));
        assert!(!is_known("national.shoe_size", Scope::Case));
        assert!(!is_known("person.full_name", Scope::Case));
        assert!(is_known(
            "person.full_name",
            Scope::Row(TableSource::Documents)
        ));
        assert!(is_known(
            "document.number",
            Scope::Row(TableSource::Documents)
        ));
        assert!(!is_known(
            "document.number",
            Scope::Row(TableSource::Persons)
        ));
        assert!(is_known(
            "service.given_on",
            Scope::Row(TableSource::Services)
        ));
        assert!(is_known("case.number", Scope::Row(TableSource::Services)));
    }

    #[test]
    fn placeholders_split_and_unbalanced_ones_fail() {
        assert_eq!(
            pieces("Yo, {requester.full_name}, solicito").unwrap(),
            vec![
                Piece::Literal("Yo, "),
                Piece::Placeholder("requester.full_name"),
                Piece::Literal(", solicito"),
            ]
        );
        assert_eq!(pieces("").unwrap(), vec![]);
        assert!(pieces("a {b").is_err());
        assert!(pieces("a } b").is_err());
        assert!(pieces("a {b {c}}").is_err());
    }
}
