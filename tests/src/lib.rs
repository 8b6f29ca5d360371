//! Helpers shared by the cross-crate tests: reading the conformance corpus in `tests/conformance/`.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use siproc_core::{Catalog, Issue, Locale, Severity};

/// One expected issue: code, path and severity (messages are checked against the rule catalogue).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
pub struct Expected {
    /// Rule code.
    pub code: String,
    /// JSON Pointer.
    pub path: String,
    /// Severity.
    pub severity: Severity,
}

impl From<&Issue> for Expected {
    fn from(i: &Issue) -> Expected {
        Expected {
            code: i.code.clone(),
            path: i.path.clone(),
            severity: i.severity,
        }
    }
}

/// A document to check.
#[derive(Debug, Clone, Deserialize)]
pub struct DocumentInput {
    /// Kind, e.g. `hn_dni`.
    pub kind: String,
    /// Number as written.
    pub value: String,
}

/// One case of the corpus.
#[derive(Debug, Clone, Deserialize)]
pub struct Case {
    /// What the case shows.
    pub name: String,
    /// Message language.
    #[serde(default)]
    pub locale: Option<String>,
    /// Country pack id (`hn` by default).
    #[serde(default)]
    pub catalog: Option<String>,
    /// An intake, as a JSON value.
    #[serde(default)]
    pub intake: Option<serde_json::Value>,
    /// Raw JSON text of an intake.
    #[serde(default)]
    pub json: Option<String>,
    /// A document check.
    #[serde(default)]
    pub check_document: Option<DocumentInput>,
    /// MRZ lines to parse.
    #[serde(default)]
    pub parse_mrz: Option<Vec<String>>,
    /// The parsed MRZ fields expected, for `parse_mrz` cases.
    #[serde(default)]
    pub fields: Option<serde_json::Value>,
    /// The misuse code the call must be refused with (`siproc.unknown_locale`, …); then
    /// `expected` is empty.
    #[serde(default)]
    pub misuse: Option<String>,
    /// Every issue expected.
    pub expected: Vec<Expected>,
}

impl Case {
    /// The case's locale.
    pub fn locale(&self) -> Locale {
        self.locale
            .as_deref()
            .and_then(Locale::parse)
            .unwrap_or_default()
    }
}

/// A corpus file.
#[derive(Debug, Clone, Deserialize)]
pub struct CorpusFile {
    /// What the file covers.
    pub description: String,
    /// Its cases.
    pub cases: Vec<Case>,
}

/// The corpus folder.
pub fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("conformance")
}

/// Every corpus file, by path relative to the corpus folder, sorted.
pub fn corpus() -> Vec<(String, CorpusFile)> {
    let mut out = Vec::new();
    let mut dirs = vec![corpus_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("corpus folder") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let text = std::fs::read_to_string(&path).expect("read corpus file");
                let file: CorpusFile = serde_json::from_str(&text)
                    .unwrap_or_else(|e| panic!("{} is not a corpus file: {e}", path.display()));
                let rel = path
                    .strip_prefix(corpus_dir())
                    .unwrap_or(&path)
                    .display()
                    .to_string();
                out.push((rel, file));
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Runs one corpus case through the Rust core and returns the issues it found (and the parsed MRZ
/// fields, for `parse_mrz` cases).
/// The misuse code the core refuses the case's arguments with, if any.
pub fn misuse_verdict(case: &Case) -> Option<&'static str> {
    if let Some(tag) = &case.locale
        && let Err(m) = Locale::from_tag(tag)
    {
        return Some(m.code());
    }
    if let Err(e) = Catalog::builtin(case.catalog.as_deref().unwrap_or("hn")) {
        return Some(e.code);
    }
    let limits = siproc_core::limits::Limits::DEFAULT;
    let within = match (&case.json, &case.intake) {
        (Some(json), _) => limits.check_json(json.as_bytes()),
        (None, Some(intake)) => limits.check_value(intake),
        (None, None) => Ok(()),
    };
    within
        .err()
        .map(|limit| siproc_core::Misuse::from(limit).code())
}

pub fn run(case: &Case) -> (Vec<Issue>, Option<serde_json::Value>) {
    if case.misuse.is_some() {
        // Refused before any record is read: see `misuse_verdict`.
        return (Vec::new(), None);
    }
    let locale = case.locale();
    let catalog = Catalog::builtin(case.catalog.as_deref().unwrap_or("hn")).expect("built-in pack");
    if let Some(intake) = &case.intake {
        let report = siproc_core::validate_value(intake.clone(), &catalog, locale);
        return (report.issues, None);
    }
    if let Some(json) = &case.json {
        return (
            siproc_core::validate_json(json, &catalog, locale).issues,
            None,
        );
    }
    if let Some(doc) = &case.check_document {
        return (
            siproc_core::document::check_document_in(&doc.kind, &doc.value, locale),
            None,
        );
    }
    if let Some(lines) = &case.parse_mrz {
        let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
        return match siproc_core::document::parse_mrz_at(
            &lines,
            &siproc_core::Pointer::root(),
            locale,
        ) {
            Ok(mrz) => (
                Vec::new(),
                Some(serde_json::to_value(mrz).expect("mrz serializes")),
            ),
            Err(issues) => (issues, None),
        };
    }
    panic!("case {:?} has no input", case.name);
}

/// Sorts issues into comparable form.
pub fn comparable(issues: &[Issue]) -> Vec<Expected> {
    let mut v: Vec<Expected> = issues.iter().map(Expected::from).collect();
    v.sort();
    v
}

/// A report's `ok` as the expectations imply it.
pub fn expected_ok(expected: &[Expected]) -> bool {
    !expected.iter().any(|e| e.severity == Severity::Error)
}
