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

use siproc_core::store::{self, CaseStore};
use siproc_core::{Actor, Catalog, Intake, Role};

fn intake(i: usize) -> Result<Intake, serde_json::Error> {
    let surnames = format!(
        "Peña {} {}",
        siproc_benches::spelled(i / 7),
        siproc_benches::spelled(i)
    );
    serde_json::from_value(siproc_benches::numbered_intake(
        "MEX",
        "Ana Lucía",
        &surnames,
        i,
    ))
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
