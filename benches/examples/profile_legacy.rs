//! The legacy migration in a loop, for profilers (`perf record -g`): reads a log written by
//! `examples/python/make_legacy_csv.py`, then times each step on one core — conversion alone
//! (a dry run: map, validate, sort follow-ups), the full import into a `MemoryStore` (also seal
//! and store each `case_opened` event) and the archive of every case.
//!
//! ```text
//! python3 examples/python/make_legacy_csv.py --rows 20000 --out /tmp/legado.csv
//! cargo run --release -p siproc-benches --example profile_legacy -- /tmp/legado.csv [dry|full|all]
//! ```
use std::time::Instant;

use siproc_core::legacy::{self, ImportOptions, LegacyMap, LegacyRow};
use siproc_core::store::{CaseQuery, MemoryStore};
use siproc_core::{Actor, Catalog, Locale, Role};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: profile_legacy LOG.csv [dry|full|all]")?;
    let what = args.next().unwrap_or_else(|| "all".to_owned());
    let start = Instant::now();
    let mut reader = csv::Reader::from_path(&path)?;
    let rows: Vec<(u64, LegacyRow)> = reader
        .deserialize()
        .enumerate()
        .map(|(i, r)| r.map(|row| (i as u64 + 2, row)))
        .collect::<Result<_, _>>()?;
    let n = rows.len() as f64;
    let report = |step: &str, secs: f64| {
        println!(
            "{step:<28} {secs:>7.3} s {:>9.0} rows/s {:>7.1} µs/row",
            n / secs,
            secs * 1e6 / n
        )
    };
    report("csv", start.elapsed().as_secs_f64());
    let catalog = Catalog::honduras()?;
    let map = LegacyMap::builtin("hn").ok_or("no legacy tables")?;
    let actor = Actor::new("migracion-legado", Role::Directorate, "DGPHM");
    let now = chrono::Utc::now();
    let options = |dry_run| ImportOptions {
        source: "legado.csv",
        actor: &actor,
        now,
        locale: Locale::Es,
        dry_run,
    };
    if what == "dry" || what == "all" {
        let store = MemoryStore::new();
        let start = Instant::now();
        let r = legacy::import(&store, &catalog, &map, &rows, &options(true));
        report("import_legacy dry_run", start.elapsed().as_secs_f64());
        println!("  {} rows reported", r.rows.len());
    }
    if what == "full" || what == "all" {
        let store = MemoryStore::new();
        let start = Instant::now();
        let r = legacy::import(&store, &catalog, &map, &rows, &options(false));
        report("import_legacy", start.elapsed().as_secs_f64());
        let migrated = r
            .rows
            .iter()
            .filter(|r| matches!(r.outcome, legacy::Outcome::Migrated { .. }))
            .count();
        println!("  {migrated} migrated");
        let start = Instant::now();
        let mut out = std::io::BufWriter::new(std::fs::File::create(format!("{path}.jsonl"))?);
        let summary =
            siproc_core::archive::export(&store, None, &CaseQuery::default(), &mut out, now)?;
        report("write_archive", start.elapsed().as_secs_f64());
        println!("  {} cases archived", summary.cases);
    }
    Ok(())
}
