//! Runs the identity-document cases of the shared conformance corpus
//! (`tests/conformance/documents/*.json`) against `check_document_in` and `parse_mrz_at`, and
//! checks that together they cover every code of `data/rules/documents.json`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde::Deserialize;
use serde_json::Value;
use siproc_core::document::parse_mrz_at;
use siproc_core::issue::rule;
use siproc_core::{Issue, Locale, Pointer, check_document_in};

#[derive(Deserialize)]
struct File {
    description: String,
    cases: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    name: String,
    #[serde(default)]
    locale: Option<String>,
    #[serde(default)]
    check_document: Option<CheckDocument>,
    #[serde(default)]
    parse_mrz: Option<Vec<String>>,
    expected: Vec<Expected>,
    #[serde(default)]
    fields: Option<serde_json::Map<String, Value>>,
}

#[derive(Deserialize)]
struct CheckDocument {
    kind: String,
    value: String,
}

#[derive(Deserialize, Debug, PartialEq, Eq, PartialOrd, Ord, Clone)]
struct Expected {
    code: String,
    path: String,
    severity: String,
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/conformance/documents")
}

/// Runs one case; returns what went wrong, if anything.
fn run(case: &Case) -> Result<(), String> {
    let locale = Locale::parse(case.locale.as_deref().unwrap_or("es"))
        .ok_or_else(|| "unknown locale".to_owned())?;
    let mut parsed = None;
    let issues: Vec<Issue> = match (&case.check_document, &case.parse_mrz) {
        (Some(c), None) => check_document_in(&c.kind, &c.value, locale),
        (None, Some(lines)) => {
            let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
            match parse_mrz_at(&lines, &Pointer::root(), locale) {
                Ok(mrz) => {
                    parsed = Some(serde_json::to_value(&mrz).map_err(|e| e.to_string())?);
                    Vec::new()
                }
                Err(issues) => issues,
            }
        }
        _ => return Err("a case needs exactly one of check_document and parse_mrz".to_owned()),
    };

    let mut found: Vec<Expected> = issues
        .iter()
        .map(|i| Expected {
            code: i.code.clone(),
            path: i.path.clone(),
            severity: i.severity.as_str().to_owned(),
        })
        .collect();
    let mut expected = case.expected.clone();
    found.sort();
    expected.sort();
    if found != expected {
        return Err(format!("expected {expected:?}, found {found:?}"));
    }

    for issue in &issues {
        let rule = rule(&issue.code).ok_or_else(|| format!("{} is not catalogued", issue.code))?;
        let template = match locale {
            Locale::Es => &rule.es,
            Locale::En => &rule.en,
        };
        if !template.contains('{') && &issue.message != template {
            return Err(format!("{}: message differs from its template", issue.code));
        }
    }

    if let Some(fields) = &case.fields {
        let parsed = parsed.ok_or_else(|| "fields given but the MRZ did not parse".to_owned())?;
        for (key, want) in fields {
            let got = parsed.get(key).ok_or_else(|| format!("no field {key}"))?;
            if got != want {
                return Err(format!("field {key}: expected {want}, found {got}"));
            }
        }
    }
    Ok(())
}

#[test]
fn the_document_corpus_passes_and_covers_every_code() {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("corpus folder")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    entries.sort();
    assert!(entries.len() >= 6, "expected one file per document kind");

    let mut failures = Vec::new();
    let mut covered = BTreeSet::new();
    let mut cases = 0;
    for path in &entries {
        let text = std::fs::read_to_string(path).expect("readable corpus file");
        let file: File = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        assert!(!file.description.is_empty());
        for case in &file.cases {
            cases += 1;
            covered.extend(case.expected.iter().map(|e| e.code.clone()));
            if let Err(why) = run(case) {
                let file = path.file_name().unwrap_or_default().to_string_lossy();
                failures.push(format!("{file}: {}: {why}", case.name));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {cases} cases fail:\n{}",
        failures.len(),
        failures.join("\n")
    );

    let rules: Vec<Value> =
        serde_json::from_str(include_str!("../data/rules/documents.json")).expect("rules parse");
    let missing: Vec<&str> = rules
        .iter()
        .filter_map(|r| r["code"].as_str())
        .filter(|c| !covered.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes without a corpus case: {missing:?}"
    );
}
