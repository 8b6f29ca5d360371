//! Validates 10,000 typical intakes in a loop, for profilers (`valgrind --tool=callgrind`).
use siproc_core::{Catalog, Intake, Locale, validate};

fn main() {
    let catalog = Catalog::honduras().expect("pack");
    let intakes: Vec<Intake> = siproc_benches::many_intakes(10_000)
        .into_iter()
        .filter_map(|v| serde_json::from_value(v).ok())
        .collect();
    let ok = intakes
        .iter()
        .filter(|i| validate(i, &catalog, Locale::Es).ok)
        .count();
    println!("{ok} of {} valid", intakes.len());
}
