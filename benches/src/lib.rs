//! Benchmarks of siproc; see `benches/README.md` for the figures and how to run them.
//!
//! This library holds the sample data the benchmarks share.

use serde_json::Value;

/// The typical intakes of the conformance corpus (`tests/conformance/intake/valid.json`).
pub fn typical_intakes() -> Vec<Value> {
    let text = include_str!("../../tests/conformance/intake/valid.json");
    let doc: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    doc.get("cases")
        .and_then(Value::as_array)
        .map(|cases| {
            cases
                .iter()
                .filter_map(|c| c.get("intake").cloned())
                .collect()
        })
        .unwrap_or_default()
}

/// `n` intakes cycling through the typical ones, each with its own names so none is identical.
pub fn many_intakes(n: usize) -> Vec<Value> {
    let base = typical_intakes();
    const GIVEN: [&str; 8] = [
        "María José",
        "José Ángel",
        "Ana Lucía",
        "Wilmer",
        "Dayana",
        "Kevin Alexander",
        "Rosa Elvira",
        "Juan Carlos",
    ];
    const SURNAMES: [&str; 8] = [
        "Núñez Güity",
        "Peña Zúniga",
        "López",
        "Hernández O'Neil",
        "Maradiaga",
        "Ramírez",
        "Castro",
        "Mejía Andino",
    ];
    (0..n)
        .filter_map(|i| {
            let mut v = base.get(i % base.len().max(1))?.clone();
            if let Some(p) = v.pointer_mut("/persons/0") {
                p["given_names"] = Value::from(GIVEN[i % 8]);
                p["surnames"] = Value::from(SURNAMES[(i / 8) % 8]);
            }
            Some(v)
        })
        .collect()
}
