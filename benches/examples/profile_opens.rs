//! Cases opened from several threads into a fresh SQLite store, in a loop, for profilers and
//! tracers (`perf record -g`, `strace -f -c`): the store bench's "open cases, 8 threads" without
//! criterion's analysis in the samples. Prints the rate.
//!
//! ```text
//! cargo run --release -p siproc-benches --example profile_opens -- [CASES] [THREADS] [FILE]
//! ```
//!
//! The store is a fresh file in a temporary directory, or `FILE` (kept, for inspection).
use std::time::Instant;

use serde_json::json;
use siproc_core::store::{self, CaseStore};
use siproc_core::{Actor, Catalog, Intake, Role};

/// A surname-like word that spells `i` in syllables (names may not hold digits), so that each
/// case adds words of its own to the name index, as real names do.
fn spelled(mut i: usize) -> String {
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

fn intake(i: usize) -> Result<Intake, serde_json::Error> {
    serde_json::from_value(json!({
        "office": "MEX", "category": "detention", "opened_on": "2026-03-02",
        "persons": [{"role": "national", "given_names": "Ana Lucía",
                     "surnames": format!("Peña {} {}", spelled(i / 7), spelled(i)),
                     "birth_date": "1994-07-21", "nationality": "HN",
                     "documents": [{"kind": "hn_dni", "number": format!("0801-1994-{:05}", i % 99_999 + 1)}]}],
        "consent": {"given": true, "given_by": 0, "recorded_on": "2026-03-02",
                    "scope": ["processing", "share_with_partners"]},
        "facts": {"authority": "Instituto Nacional de Migración", "facility": "Estación Siglo XXI",
                  "detention_kind": "immigration", "arrest_date": "2026-02-27"}
    }))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let cases: usize = args.next().map_or(Ok(8_000), |a| a.parse())?;
    let threads: usize = args.next().map_or(Ok(8), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let file = args
        .next()
        .map_or_else(|| dir.path().join("opens.db"), std::path::PathBuf::from);
    let store = store::open_store(&format!("sqlite://{}", file.display()))?;
    let store: &dyn CaseStore = &*store;
    let catalog = Catalog::honduras()?;
    let actor = Actor::new("officer-7", Role::Officer, "MEX");
    let now = chrono::Utc::now();
    let intakes: Vec<Intake> = (0..cases).map(intake).collect::<Result<_, _>>()?;
    let start = Instant::now();
    std::thread::scope(|s| {
        for chunk in intakes.chunks(cases.div_ceil(threads)) {
            let (catalog, actor) = (&catalog, &actor);
            s.spawn(move || {
                for intake in chunk {
                    if let Err(e) = store::open_case(store, catalog, actor, intake, now) {
                        eprintln!("open_case failed: {e}");
                        std::process::exit(2);
                    }
                }
            });
        }
    });
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{cases} cases from {threads} threads in {secs:.3} s: {:.0} cases/s",
        cases as f64 / secs
    );
    Ok(())
}
