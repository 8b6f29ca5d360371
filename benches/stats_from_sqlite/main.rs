//! All the statistics of a release straight from a SQLite store, on one core.
//!
//! ```sh
//! cargo build --release -p siproc-benches --example stats_from_sqlite
//! taskset -c 0 target/release/examples/stats_from_sqlite 1000000
//! ```
//!
//! Makes a store of `N` cases of ten events each (opening, two status changes, three notes,
//! two services, a referral, closing; a third of the cases stay open with notes instead of the
//! last two steps) in `target/bench-data/stats-<N>.db`, once: the file is kept and reused by the
//! next run (it is written under another name and renamed when complete, so an interrupted
//! build is not reused). Writing goes through [`CaseStore::put_histories`] from four threads,
//! 500 cases to a transaction.
//!
//! Then times, on the calling thread (wall time, and the thread's CPU time from
//! `/proc/thread-self/schedstat`): every record read from the store ([`stats::each_record`]:
//! the statistics records the store keeps, a page at a time) with an empty sink; the whole
//! release ([`stats::release`]: the same reading, every table counted, disclosure control);
//! and, for comparison, the way statistics read a store before it kept records — each of the
//! first 10,000 cases' summary listed, its history loaded, verified and replayed. Prints the
//! figures as JSON.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use chrono::{DateTime, NaiveDate, TimeDelta, TimeZone, Utc};
use serde_json::json;
use siproc_core::Catalog;
use siproc_core::history::CaseHistory;
use siproc_core::history::Event;
use siproc_core::stats::{self, CaseRecord, Parameters};
use siproc_core::store::MemoryStore;
use siproc_core::store::sqlite::SqliteStore;
use siproc_core::store::{CaseQuery, CaseStore};
use siproc_core::workflow::{self, Command};
use siproc_core::{Actor, Role};
use siproc_core::{Intake, Status, case_number};
use uuid::Uuid;

type Error = Box<dyn std::error::Error + Send + Sync>;

const OFFICES: &[&str] = &[
    "TAP", "MEX", "MTY", "TIJ", "HOU", "MIA", "GUA", "NYC", "LAX",
];
const GIVEN: &[&str] = &[
    "Ana Lucía",
    "José Ángel",
    "María",
    "Wilmer",
    "Karla",
    "Óscar",
];
const SURNAMES: &[&str] = &[
    "Peña", "Güity", "Núñez", "Zelaya", "Mejía", "Ávila", "Suazo",
];

fn base() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 15, 4, 5)
        .single()
        .unwrap_or_default()
}

/// The `i`-th intake: office, opening day, names and DNI vary with `i`.
fn intake(i: usize) -> Result<Intake, Error> {
    let office = OFFICES[i % OFFICES.len()];
    let opened =
        NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default() + TimeDelta::days((i % 790) as i64);
    let sex = ["female", "male"][i % 2];
    let surnames = format!(
        "{} {}",
        SURNAMES[i % SURNAMES.len()],
        SURNAMES[(i / 7) % SURNAMES.len()]
    );
    let mut intake = siproc_benches::numbered_intake(office, GIVEN[i % GIVEN.len()], &surnames, i);
    intake["opened_on"] = opened.to_string().into();
    intake["consent"]["recorded_on"] = opened.to_string().into();
    intake["facts"]["arrest_date"] = "2023-12-27".into();
    intake["persons"][0]["sex"] = sex.into();
    Ok(serde_json::from_value(intake)?)
}

/// The ten events of case `i`.
fn history(catalog: &Catalog, i: usize) -> Result<Vec<Event>, Error> {
    let intake = intake(i)?;
    let officer = Actor::new("officer-7", Role::Officer, intake.office.as_str());
    let number = case_number(&intake.office, 2026, i as u64 + 1);
    let opened = workflow::open(catalog, &officer, &intake, Uuid::now_v7(), base())?
        .seal(&number)?
        .into_event();
    let mut h = CaseHistory::new(vec![opened])?;
    let service = |k: usize| Command::RecordService {
        kind: catalog.services[(i + k) % catalog.services.len()]
            .code
            .clone(),
        given_on: NaiveDate::from_ymd_opt(2026, 3, 10).unwrap_or_default(),
        description: Some("Visita en el centro de detención.".into()),
    };
    let note = |k: usize| Command::AddNote {
        text: format!("Llamada de seguimiento número {k} con la familia."),
        written_on: None,
    };
    let partner = catalog.partners[i % catalog.partners.len()].code.clone();
    let mut steps = vec![
        Command::ChangeStatus {
            to: Status::InProgress,
        },
        note(1),
        service(0),
        note(2),
        Command::Refer {
            partner,
            reason: None,
        },
        service(1),
        note(3),
    ];
    if i.is_multiple_of(3) {
        steps.extend([note(4), note(5)]);
    } else {
        steps.extend([
            Command::ChangeStatus {
                to: Status::Resolved,
            },
            Command::Close {
                outcome: Some("released".into()),
            },
        ]);
    }
    for (k, command) in steps.iter().enumerate() {
        let at = base() + TimeDelta::hours(((i % 97) * (k + 1)) as i64 + 1);
        let event = workflow::execute(h.case(), catalog, &officer, command, at)?;
        h.push(event)?;
    }
    Ok(h.events().to_vec())
}

/// How many cases one import writes ([`CaseStore::put_histories`]: one transaction).
const BATCH: usize = 500;

/// Writes `n` cases into a new store at `path`, from four threads, a batch at a time.
fn build(path: &std::path::Path, n: usize, catalog: &Catalog) -> Result<(), Error> {
    let store = SqliteStore::open(path)?;
    let next = AtomicUsize::new(0);
    let started = Instant::now();
    std::thread::scope(|s| -> Result<(), Error> {
        let workers: Vec<_> = (0..4)
            .map(|_| {
                s.spawn(|| -> Result<(), Error> {
                    loop {
                        let from = next.fetch_add(BATCH, Ordering::Relaxed);
                        if from >= n {
                            return Ok(());
                        }
                        let batch = (from..n.min(from + BATCH))
                            .map(|i| history(catalog, i))
                            .collect::<Result<Vec<_>, _>>()?;
                        let slices: Vec<&[Event]> = batch.iter().map(Vec::as_slice).collect();
                        for outcome in store.put_histories(&slices)? {
                            outcome?;
                        }
                        if (from + BATCH).is_multiple_of(100_000) {
                            eprintln!(
                                "{} cases written in {:.0} s",
                                from + BATCH,
                                started.elapsed().as_secs_f64()
                            );
                        }
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().map_err(|_| "a writer thread panicked")??;
        }
        Ok(())
    })?;
    eprintln!(
        "built {n} cases in {:.0} s",
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// The CPU time this thread has used so far, in seconds (`None` where the kernel does not say).
fn cpu_s() -> Option<f64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = text.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Runs `f`, returning its result, its wall time and its CPU time (seconds).
fn timed<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<(T, f64, Option<f64>), Error> {
    let (cpu0, t0) = (cpu_s(), Instant::now());
    let out = f()?;
    let wall = t0.elapsed().as_secs_f64();
    Ok((out, wall, cpu_s().zip(cpu0).map(|(b, a)| b - a)))
}

/// Reads the first `n` cases the old way: a page of summaries, each history loaded (verified
/// against its anchor) and replayed into a record.
fn from_histories(store: &SqliteStore, catalog: &Catalog, n: usize) -> Result<usize, Error> {
    let mut read = 0;
    for summary in store.list(&CaseQuery {
        limit: Some(n),
        ..CaseQuery::default()
    })? {
        let record = CaseRecord::from_history(&store.load(summary.id)?, catalog)?;
        std::hint::black_box(record);
        read += 1;
    }
    Ok(read)
}

fn main() -> Result<(), Error> {
    let n: usize = std::env::args()
        .nth(1)
        .map(|a| a.parse())
        .transpose()?
        .unwrap_or(1_000_000);
    let catalog = Catalog::honduras()?;
    // Refuse a history that the workflow would not produce before writing a million of them.
    MemoryStore::new().put_history(&history(&catalog, 0)?)?;

    let dir = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target"))
        .join("bench-data");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("stats-{n}.db"));
    if !path.exists() {
        let partial = dir.join(format!("stats-{n}.db.partial"));
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{suffix}", partial.display()));
        }
        build(&partial, n, &catalog)?;
        std::fs::rename(&partial, &path)?;
    }
    let bytes = std::fs::metadata(&path)?.len();

    let store = SqliteStore::open(&path)?;
    let parameters = Parameters {
        catalog: "hn".into(),
        from: None,
        to: None,
        as_of: Utc
            .with_ymd_and_hms(2026, 12, 31, 0, 0, 0)
            .single()
            .ok_or("date")?,
    };
    let (read, read_s, read_cpu) = timed(|| {
        let mut read = 0_usize;
        stats::each_record(&store, &catalog, &mut |_| read += 1)?;
        Ok(read)
    })?;
    let (release, release_s, release_cpu) =
        timed(|| Ok(stats::release(&store, &catalog, parameters, Some(10))?))?;
    let sample = n.min(10_000);
    let (old, old_s, old_cpu) = timed(|| from_histories(&store, &catalog, sample))?;
    let counted = release
        .tables
        .first()
        .map(|t| t.totals.len() + t.cells.len())
        .unwrap_or(0);
    if read != n || old != sample {
        return Err(format!("read {read} cases of {n}").into());
    }
    let per_case_us = |s: Option<f64>, k: usize| s.map(|s| s * 1e6 / k as f64);
    println!(
        "{}",
        json!({
            "cases": n, "file_bytes": bytes,
            "read_records_s": read_s, "read_records_cpu_s": read_cpu,
            "release_s": release_s, "release_cpu_s": release_cpu,
            "release_cpu_us_per_case": per_case_us(release_cpu, n),
            "cases_per_s": (n as f64 / release_s).round(),
            "tables": release.tables.len(), "first_table_cells": counted,
            "from_histories_cases": sample, "from_histories_s": old_s,
            "from_histories_cpu_us_per_case": per_case_us(old_cpu, sample),
        })
    );
    Ok(())
}
