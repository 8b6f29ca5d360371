//! The JSON Schema of the wire format, generated from the types.
//!
//! The schemas are committed under `siproc-core/schema/` so that other systems can validate
//! against them; a test fails when they are stale (regenerate them with
//! `SIPROC_BLESS=1 cargo test -p siproc-core schema`).

use crate::case::{Case, Intake};
use crate::stats::Release;

/// The JSON Schema (draft 2020-12) of an intake, pretty-printed.
pub fn intake_schema() -> String {
    pretty(schemars::schema_for!(Intake))
}

/// The JSON Schema (draft 2020-12) of a case, pretty-printed.
pub fn case_schema() -> String {
    pretty(schemars::schema_for!(Case))
}

/// The JSON Schema (draft 2020-12) of a statistics release, pretty-printed.
pub fn release_schema() -> String {
    pretty(schemars::schema_for!(Release))
}

fn pretty(schema: schemars::Schema) -> String {
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(file: &str, fresh: String) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("schema")
            .join(file);
        if std::env::var_os("SIPROC_BLESS").is_some() {
            std::fs::write(&path, &fresh).unwrap();
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == fresh,
            "{} is stale: run SIPROC_BLESS=1 cargo test -p siproc-core schema",
            path.display()
        );
    }

    #[test]
    fn intake_schema_is_current() {
        check("intake.schema.json", intake_schema());
    }

    #[test]
    fn release_schema_is_current() {
        check("release.schema.json", release_schema());
    }

    #[test]
    fn case_schema_is_current() {
        check("case.schema.json", case_schema());
    }
}
