//! All the statistics of a release over synthetic cases held in memory, on one core.
//!
//! ```sh
//! cargo run --release -p siproc-benches --example stats_vs_dataframes -- 1000000 /tmp/cases.csv
//! ```
//!
//! Makes `N` case records (what statistics read of a case with about ten events: opening,
//! status changes, notes, services, a referral, closing), then times, on this thread only:
//! counting them all ([`Accumulator`]), and the disclosure control of the release
//! ([`release_of`]). Prints the timings as JSON. With a path, also writes the records' grouped
//! columns as CSV for `benches/python/bench_stats.py`, which runs the same grouped counts in
//! pandas and DuckDB.

use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use chrono::{NaiveDate, TimeDelta, TimeZone, Utc};
use siproc_core::Catalog;
use siproc_core::Sex;
use siproc_core::stats::{Accumulator, CaseRecord, Origin, Parameters, release_of};
use siproc_core::{ReferralStatus, Status};

/// A small deterministic generator (xorshift64*), so that every run counts the same cases.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// Index into `n` items with a skew towards the first ones.
    fn skewed(&mut self, n: usize) -> usize {
        let a = self.below(n);
        let b = self.below(n);
        a.min(b)
    }
}

fn records(n: usize, catalog: &Catalog) -> Vec<CaseRecord> {
    let codes = |v: Vec<&str>| v.into_iter().map(Arc::<str>::from).collect::<Vec<_>>();
    let categories = codes(catalog.categories.iter().map(|c| c.code.as_str()).collect());
    let offices = codes(catalog.offices.iter().map(|o| o.code.as_str()).collect());
    let flags = codes(catalog.flags.iter().map(|f| f.code.as_str()).collect());
    let services = codes(catalog.services.iter().map(|s| s.code.as_str()).collect());
    let partners = codes(catalog.partners.iter().map(|p| p.code.as_str()).collect());
    let countries = codes(vec![
        "US", "MX", "GT", "ES", "SV", "CR", "PA", "CA", "IT", "BZ", "NI",
    ]);
    let statuses = [
        Status::Registered,
        Status::InProgress,
        Status::AwaitingAuthority,
        Status::Resolved,
        Status::Closed,
        Status::Archived,
    ];
    let referral = [
        ReferralStatus::Pending,
        ReferralStatus::Accepted,
        ReferralStatus::Rejected,
        ReferralStatus::Done,
    ];
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    (0..n)
        .map(|_| {
            let opened_on = start + TimeDelta::days(rng.below(3 * 365) as i64);
            let registered_at = Utc
                .from_utc_datetime(&opened_on.and_hms_opt(9, 0, 0).unwrap_or_default())
                + TimeDelta::minutes(rng.below(600) as i64);
            let status = statuses[rng.skewed(statuses.len())];
            let first = registered_at + TimeDelta::minutes(rng.below(96 * 60) as i64);
            let resolved = matches!(status, Status::Resolved | Status::Closed | Status::Archived)
                .then(|| first + TimeDelta::hours(rng.below(120 * 24) as i64));
            let closed = resolved.filter(|_| matches!(status, Status::Closed | Status::Archived));
            CaseRecord {
                category: categories[rng.skewed(categories.len())].clone(),
                status,
                office: offices[rng.skewed(offices.len())].clone(),
                country: countries[rng.skewed(countries.len())].clone(),
                flags: (0..rng.below(3))
                    .map(|_| flags[rng.below(flags.len())].clone())
                    .collect(),
                sex: [Some(Sex::Female), Some(Sex::Male), None][rng.below(3)],
                age: (rng.below(10) > 0).then(|| rng.below(80) as u32),
                opened_on,
                registered_at,
                first_action_at: (status != Status::Registered).then_some(first),
                resolved_at: resolved,
                closed_at: closed,
                services: (0..rng.below(5))
                    .map(|_| services[rng.below(services.len())].clone())
                    .collect(),
                referrals: (0..rng.below(2))
                    .map(|_| {
                        (
                            partners[rng.below(partners.len())].clone(),
                            referral[rng.below(4)],
                        )
                    })
                    .collect(),
                // About one case in twenty migrated, half of those still incomplete.
                origin: [Origin::Migrated, Origin::MigratedIncomplete]
                    .get(rng.below(40))
                    .copied()
                    .unwrap_or(Origin::Registered),
                record_key: rng.below(1 << 31) as u32,
                sharing_withdrawn: false,
            }
        })
        .collect()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let n: usize = args
        .next()
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let csv_path = args.next();
    let catalog = Catalog::honduras()?;
    let made = Instant::now();
    let records = records(n, &catalog);
    let make_s = made.elapsed().as_secs_f64();
    let parameters = Parameters {
        catalog: "hn".into(),
        from: None,
        to: None,
        as_of: Utc
            .with_ymd_and_hms(2026, 12, 31, 0, 0, 0)
            .single()
            .ok_or("date")?,
    };

    let mut best = (f64::MAX, f64::MAX, 0usize);
    for _ in 0..3 {
        let t0 = Instant::now();
        let mut acc = Accumulator::new(&catalog, parameters.clone());
        for r in &records {
            acc.add(r);
        }
        let tables = acc.finish();
        let counted = t0.elapsed().as_secs_f64();
        let t1 = Instant::now();
        let release = release_of(&tables, parameters.clone(), 10);
        let protected = t1.elapsed().as_secs_f64();
        let cells: usize = release
            .tables
            .iter()
            .map(|t| t.cells.len() + t.totals.len())
            .sum();
        if counted + protected < best.0 + best.1 {
            best = (counted, protected, cells);
        }
    }
    println!(
        "{{\"cases\": {n}, \"make_s\": {make_s:.3}, \"count_s\": {:.3}, \"release_s\": {:.3}, \"cells\": {}}}",
        best.0, best.1, best.2
    );

    if let Some(path) = csv_path {
        let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
        writeln!(out, "category,office,status,country,sex,age,month")?;
        for r in &records {
            let sex = match r.sex {
                Some(Sex::Female) => "female",
                Some(Sex::Male) => "male",
                Some(Sex::Unspecified) => "unspecified",
                None => "unknown",
            };
            let age = r.age.map(|a| a.to_string()).unwrap_or_default();
            writeln!(
                out,
                "{},{},{},{},{sex},{age},{}",
                r.category,
                r.office,
                r.status.as_str(),
                r.country,
                r.opened_on.format("%Y-%m")
            )?;
        }
    }
    Ok(())
}
