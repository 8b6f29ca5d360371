//! The demo behind `make run`: loads the Honduran pack, validates a sample intake as an officer
//! at the consulate in Tapachula would enter it, prints the report in Spanish and English, then
//! shows the normalised intake and a few identity-document checks.
//!
//! Run it with `make run` or `cargo run -p siproc-demo`.

use siproc_core::document::check_document;
use siproc_core::{Catalog, Locale, Report, normalize_intake, parse_intake, validate};

const SAMPLE: &str = include_str!("../sample_intake.json");

fn print_report(title: &str, report: &Report) {
    println!(
        "{title}: {}",
        if report.ok {
            "aceptable / acceptable"
        } else {
            "con errores / with errors"
        }
    );
    for issue in &report.issues {
        println!(
            "  [{}] {} {} — {}",
            issue.severity.as_str(),
            issue.code,
            issue.path,
            issue.message
        );
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let catalog = Catalog::honduras()?;
    println!(
        "Paquete {}: {} categorías, {} oficinas, {} reglas publicadas\n",
        catalog.pack.id,
        catalog.categories.len(),
        catalog.offices.len(),
        siproc_core::list_rules().len()
    );
    let intake = parse_intake(SAMPLE, Locale::Es).map_err(|issue| issue.message)?;
    print_report(
        "Ficha de ingreso (es)",
        &validate(&intake, &catalog, Locale::Es),
    );
    print_report("Intake (en)", &validate(&intake, &catalog, Locale::En));

    let normalized = normalize_intake(&intake, &catalog);
    println!("\nNormalizada / normalised:");
    println!("{}", serde_json::to_string_pretty(&normalized.persons)?);
    println!(
        "flags: {:?}, priority: {:?}",
        normalized.flags, normalized.priority
    );

    println!("\nDocumentos / documents:");
    for (kind, value) in [
        ("hn_dni", "0801 1994 04512"),
        ("hn_dni", "1901-1994-04512"),
        ("sv_dui", "04567890-3"),
        ("gt_dpi", "1234567890101"),
        ("mx_curp", "GOMC900215MCSRRR09"),
    ] {
        let issues = check_document(kind, value);
        let verdict: Vec<String> = issues
            .iter()
            .map(|i| format!("{} ({})", i.code, i.message))
            .collect();
        println!(
            "  {kind:<8} {}",
            if verdict.is_empty() {
                "válido".to_owned()
            } else {
                verdict.join("; ")
            }
        );
    }
    Ok(())
}
