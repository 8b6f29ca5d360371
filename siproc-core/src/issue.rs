//! Problems found in input: [`Issue`], [`Severity`], [`Report`] and the rule catalogue.
//!
//! Every problem siproc reports has a stable machine `code` (such as `dni.bad_department`), a
//! location as a JSON Pointer (`/persons/0/documents/1/number`), a severity and a message rendered
//! in Spanish or English from a template in `data/rules.json`. Templates only take parameters that
//! describe the rule (a length, a field name, a document kind), never the value that failed: no
//! personal data can reach a message.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// How serious a problem is.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// The record cannot be accepted as it is.
    Error,
    /// The record can be accepted, but an officer should look at it.
    Warning,
}

impl Severity {
    /// The wire name: `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// The language messages are rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Locale {
    /// Spanish, the default.
    #[default]
    Es,
    /// English.
    En,
}

impl Locale {
    /// Parses a BCP 47 tag such as `es`, `es-HN` or `en-US`; `None` for other languages.
    pub fn parse(tag: &str) -> Option<Locale> {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("es") {
            Some(Locale::Es)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Locale::En)
        } else {
            None
        }
    }

    /// Like [`Locale::parse`], with the misuse verdict every face gives for another language.
    pub fn from_tag(tag: &str) -> Result<Locale, Misuse> {
        Locale::parse(tag).ok_or(Misuse::UnknownLocale)
    }

    /// The two-letter tag: `es` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Locale::Es => "es",
            Locale::En => "en",
        }
    }
}

/// Misuse of the API: an argument that no record could make right. Every face (Rust, Python,
/// WebAssembly) gives the same code, as an error (`Err`, an exception, a thrown `Error`), never
/// as an issue of a report. An unknown document *kind* is not misuse: checking a document of an
/// unknown kind gives a report with `document.unknown_kind`, as a record naming one does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum Misuse {
    /// The locale is not Spanish or English.
    #[error("the locale must be Spanish or English (es, en)")]
    UnknownLocale,
    /// The pack id is not one of [`crate::Catalog::BUILTIN`].
    #[error("the catalog must be a built-in pack")]
    UnknownPack,
    /// The input goes past one of the [`crate::limits::Limits`] (the limit is named, never the
    /// input).
    #[error("the input is too large: {0}")]
    TooLarge(crate::limits::Limit),
}

impl From<crate::limits::Limit> for Misuse {
    fn from(limit: crate::limits::Limit) -> Misuse {
        Misuse::TooLarge(limit)
    }
}

impl Misuse {
    /// Every misuse.
    pub const ALL: &'static [Misuse] = &[
        Misuse::UnknownLocale,
        Misuse::UnknownPack,
        Misuse::TooLarge(crate::limits::Limit::RecordBytes),
    ];

    /// The stable code: `siproc.unknown_locale`, `siproc.unknown_catalog`, `siproc.too_large`.
    pub fn code(self) -> &'static str {
        match self {
            Misuse::UnknownLocale => "siproc.unknown_locale",
            Misuse::UnknownPack => "siproc.unknown_catalog",
            Misuse::TooLarge(_) => "siproc.too_large",
        }
    }
}

/// One problem found in a record.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Issue {
    /// Stable machine code, listed by [`list_rules`].
    pub code: String,
    /// Where the problem is, as a JSON Pointer into the record (`""` is the whole record).
    pub path: String,
    /// Error or warning.
    pub severity: Severity,
    /// Human message, rendered from the rule's template; never contains the failing value.
    pub message: String,
}

impl fmt::Display for Issue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {:?}: {}", self.code, self.path, self.message)
    }
}

impl Issue {
    /// The issue with its message in `locale`, when its rule's template has no placeholder (a
    /// message with parameters cannot be rendered again without them, and is kept).
    #[must_use]
    pub fn in_locale(mut self, locale: Locale) -> Issue {
        if let Some(rule) = rule(&self.code) {
            let template = match locale {
                Locale::Es => &rule.es,
                Locale::En => &rule.en,
            };
            if !template.contains('{') {
                self.message.clone_from(template);
            }
        }
        self
    }

    /// Builds the issue for rule `code` at `path`, rendering its message in `locale`.
    ///
    /// `params` fill the template's `{name}` placeholders. They must describe the rule, not the
    /// input. An unknown code still yields an issue (with the code as its message) so that no
    /// input can make validation fail; the catalogue test keeps every emitted code listed.
    pub fn new(
        code: &str,
        path: impl Into<String>,
        locale: Locale,
        params: &[(&str, &str)],
    ) -> Issue {
        match rule(code) {
            Some(rule) => Issue {
                code: code.to_owned(),
                path: path.into(),
                severity: rule.severity,
                message: rule.render(locale, params),
            },
            None => Issue {
                code: code.to_owned(),
                path: path.into(),
                severity: Severity::Error,
                message: code.to_owned(),
            },
        }
    }
}

/// The result of validating a record: every problem at once.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Report {
    /// `true` when no issue is an error (warnings allowed).
    pub ok: bool,
    /// All problems, in the order the rules found them.
    pub issues: Vec<Issue>,
}

impl Report {
    /// Builds a report from its issues, deriving `ok`.
    pub fn from_issues(issues: Vec<Issue>) -> Report {
        let ok = !issues.iter().any(|i| i.severity == Severity::Error);
        Report { ok, issues }
    }

    /// The issues that are errors.
    pub fn errors(&self) -> impl Iterator<Item = &Issue> {
        self.issues.iter().filter(|i| i.severity == Severity::Error)
    }
}

/// One rule of the catalogue: its code, severity and message templates.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable machine code.
    pub code: String,
    /// Severity of the issues it reports.
    pub severity: Severity,
    /// What the rule checks, for developers (English).
    pub description: String,
    /// Message template in Spanish.
    pub es: String,
    /// Message template in English.
    pub en: String,
}

impl Rule {
    /// Renders the template for `locale`, replacing `{name}` with the matching parameter.
    pub fn render(&self, locale: Locale, params: &[(&str, &str)]) -> String {
        let template = match locale {
            Locale::Es => &self.es,
            Locale::En => &self.en,
        };
        if params.is_empty() || !template.contains('{') {
            return template.clone();
        }
        let mut out = template.clone();
        for (name, value) in params {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// The rule files, one per area, each a JSON array of [`Rule`]s.
const RULE_FILES: &[(&str, &str)] = &[
    (
        "validation.json",
        include_str!("../data/rules/validation.json"),
    ),
    (
        "documents.json",
        include_str!("../data/rules/documents.json"),
    ),
    ("legacy.json", include_str!("../data/rules/legacy.json")),
];

fn rule_index() -> &'static BTreeMap<String, Rule> {
    static INDEX: OnceLock<BTreeMap<String, Rule>> = OnceLock::new();
    INDEX.get_or_init(|| {
        // The files are part of the crate and checked by a unit test; a broken file gives no
        // rules (codes as messages) rather than a panic.
        RULE_FILES
            .iter()
            .flat_map(|(_, json)| serde_json::from_str::<Vec<Rule>>(json).unwrap_or_default())
            .map(|r| (r.code.clone(), r))
            .collect()
    })
}

/// Looks up one rule by its code.
pub fn rule(code: &str) -> Option<&'static Rule> {
    rule_index().get(code)
}

/// Every rule siproc can report, sorted by code: the published catalogue of codes and templates.
pub fn list_rules() -> Vec<Rule> {
    rule_index().values().cloned().collect()
}

/// Builds JSON Pointers (RFC 6901) while walking a record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pointer(String);

impl Pointer {
    /// The pointer to the whole document (`""`).
    pub fn root() -> Pointer {
        Pointer(String::new())
    }

    /// A pointer one level deeper, escaping `~` and `/` in the segment.
    pub fn key(&self, segment: &str) -> Pointer {
        let mut s = String::with_capacity(self.0.len() + segment.len() + 1);
        s.push_str(&self.0);
        s.push('/');
        for c in segment.chars() {
            match c {
                '~' => s.push_str("~0"),
                '/' => s.push_str("~1"),
                c => s.push(c),
            }
        }
        Pointer(s)
    }

    /// A pointer to element `index` of an array.
    pub fn index(&self, index: usize) -> Pointer {
        Pointer(format!("{}/{index}", self.0))
    }

    /// The pointer text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl From<Pointer> for String {
    fn from(p: Pointer) -> String {
        p.0
    }
}

impl From<&Pointer> for String {
    fn from(p: &Pointer) -> String {
        p.0.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rule_files_parse_and_have_unique_codes() {
        let mut rules: Vec<Rule> = Vec::new();
        for (name, json) in RULE_FILES {
            let more: Vec<Rule> =
                serde_json::from_str(json).unwrap_or_else(|e| panic!("{name} does not parse: {e}"));
            rules.extend(more);
        }
        let mut codes: Vec<&str> = rules.iter().map(|r| r.code.as_str()).collect();
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n, "duplicate rule codes");
        for r in &rules {
            assert!(
                !r.es.is_empty() && !r.en.is_empty(),
                "{} lacks a message",
                r.code
            );
            assert!(r.code.contains('.'), "{} is not namespaced", r.code);
        }
    }

    #[test]
    fn pointers_escape_segments() {
        let p = Pointer::root().key("facts").key("a/b~c").index(3);
        assert_eq!(p.as_str(), "/facts/a~1b~0c/3");
    }

    #[test]
    fn locales_parse_from_tags() {
        assert_eq!(Locale::parse("es-HN"), Some(Locale::Es));
        assert_eq!(Locale::parse("EN_us"), Some(Locale::En));
        assert_eq!(Locale::parse("fr"), None);
    }
}
