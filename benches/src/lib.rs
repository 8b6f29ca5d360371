//! Benchmarks of siproc; see `benches/README.md` for the figures and how to run them.
//!
//! This library holds the sample data the benchmarks share, and how they empty their
//! PostgreSQL database.

use serde_json::Value;

/// The sample intake `name` (`detention`, `victim_of_crime`) at `office`, as JSON: the one the
/// store kit and the core's tests open, written once in `siproc-core/tests/fixtures/intakes.json`.
pub fn sample_intake(name: &str, office: &str) -> Value {
    let text = include_str!("../../siproc-core/tests/fixtures/intakes.json");
    let mut samples: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    let mut intake = samples
        .get_mut(name)
        .map(Value::take)
        .unwrap_or(Value::Null);
    if let Some(fields) = intake.as_object_mut() {
        fields.insert("office".into(), office.into());
    }
    intake
}

/// The sample detention intake at `office`, its person named `given_names` `surnames` with DNI
/// `0801-1994-` and a serial from `n`: the many cases a benchmark opens differ only there.
pub fn numbered_intake(office: &str, given_names: &str, surnames: &str, n: usize) -> Value {
    let mut intake = sample_intake("detention", office);
    if let Some(person) = intake.pointer_mut("/persons/0") {
        person["given_names"] = given_names.into();
        person["surnames"] = surnames.into();
        person["documents"][0]["number"] = format!("0801-1994-{:05}", n % 99_999 + 1).into();
    }
    intake
}

/// A surname-like word that spells `i` in syllables (names may not hold digits), so that each
/// case adds words of its own to the name index, as real names do.
pub fn spelled(mut i: usize) -> String {
    const SYLLABLES: [&str; 10] = ["ba", "ce", "di", "fo", "gu", "la", "me", "ni", "po", "ru"];
    let mut word = String::new();
    loop {
        word.push_str(SYLLABLES[i % 10]);
        i /= 10;
        if i == 0 {
            return word;
        }
    }
}

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

/// Empties the benchmark's PostgreSQL database at `url` (a private server's: mk/with-pg.sh);
/// any other URL is left alone.
pub fn reset_postgres(url: &str) {
    if url.starts_with("postgres")
        && let Ok(mut client) = postgres::Client::connect(url, postgres::NoTls)
    {
        let _ = client.batch_execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public");
    }
}
