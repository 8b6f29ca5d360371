//! Durable store benchmarks (SQLite, and PostgreSQL when `SIPROC_TEST_POSTGRES_URL` names a
//! server: `make bench-store` starts one); figures in benches/README.md, "Durable stores".
//!
//! Run: `make bench-store`, or
//! `cargo bench -p siproc-benches --bench store -- --warm-up-time 1 --measurement-time 5`.
//! `SIPROC_BENCH_CASES` sets the size of the search and import corpus (default 100,000).
//! `SIPROC_BENCH_STORES` keeps only the stores it names (comma-separated: `sqlite`,
//! `postgres+encrypted`, …); `SIPROC_BENCH_IMPORT_ONLY=1` stops each store's corpus run after
//! its timed import (no searches, erasure or rotation): issue 34's import figure alone, e.g.
//! `SIPROC_BENCH_STORES=postgres SIPROC_BENCH_IMPORT_ONLY=1 mk/with-pg.sh cargo bench -p
//! siproc-benches --bench store -- corpus`. `SIPROC_BENCH_INTERLEAVED=<rounds>` adds issue 29's
//! interleaved measure of case creation with and without encryption (`bench_interleaved`), e.g.
//! `SIPROC_BENCH_STORES=postgres SIPROC_BENCH_CASES=100 SIPROC_BENCH_INTERLEAVED=20
//! mk/with-pg.sh cargo bench -p siproc-benches --bench store -- interleaved`.

use std::hint::black_box;
use std::io::Cursor;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use siproc_core::Status;
use siproc_core::archive::{self, ArchiveWriter, ImportOptions};
use siproc_core::blobs::{BlobStore, DirectoryBlobs};
use siproc_core::erasure;
use siproc_core::history::FreshEvent;
use siproc_core::keys::MasterKey;
use siproc_core::store::{self, CaseQuery, CaseStore};
use siproc_core::workflow::{self, Command};
use siproc_core::{Actor, Role};
use siproc_core::{Catalog, history};
use siproc_core::{Intake, case_number};
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 15, 4, 5)
        .single()
        .unwrap_or_default()
}

const GIVEN: &[&str] = &[
    "Ana Lucía",
    "José Ángel",
    "María",
    "Wilmer Josué",
    "Karla",
    "Óscar",
    "Nohemí",
    "Luis Fernando",
    "Dunia",
    "Érick",
    "Glenda",
    "Marvin",
    "Yésica",
    "Ángel",
    "Reina",
    "Santos",
];
const SURNAMES: &[&str] = &[
    "Peña",
    "Güity",
    "Núñez",
    "Hernández",
    "López",
    "Martínez",
    "Zelaya",
    "Castillo",
    "Reyes",
    "Mejía",
    "Flores",
    "Ávila",
    "Rodríguez",
    "Pérez",
    "Suazo",
    "Banegas",
    "Padilla",
    "Cárcamo",
    "Funes",
    "Maradiaga",
    "Ordóñez",
    "Turcios",
    "Velásquez",
    "Zúniga",
];

/// The `i`-th intake of the corpus: names and DNI vary with `i`.
fn intake(office: &str, i: usize) -> Intake {
    let given = GIVEN[i % GIVEN.len()];
    let first = SURNAMES[(i / GIVEN.len()) % SURNAMES.len()];
    let second = SURNAMES[(i / 7 + 3) % SURNAMES.len()];
    let surnames = format!("{first} {second} {}", siproc_benches::spelled(i));
    serde_json::from_value(siproc_benches::numbered_intake(office, given, &surnames, i))
        .unwrap_or_else(|_| std::process::exit(2))
}

fn officer(office: &str) -> Actor {
    Actor::new("officer-7", Role::Officer, office)
}

/// The value of a store call; a failed call ends the benchmark (a refused write measured as if
/// it were done would be a false figure).
fn ok<T, E: std::fmt::Debug>(result: Result<T, E>) -> T {
    result.unwrap_or_else(|e| {
        eprintln!("a store call failed during the benchmark: {e:?}");
        std::process::exit(2)
    })
}

fn note(i: usize) -> Command {
    Command::AddNote {
        text: format!("Llamada de seguimiento número {i} con la familia."),
        written_on: None,
    }
}

/// The stores to measure: SQLite in a temporary directory, PostgreSQL if a server is named.
fn backends(dir: &std::path::Path) -> Vec<(&'static str, String)> {
    let mut out = vec![(
        "sqlite",
        format!("sqlite://{}", dir.join("bench.db").display()),
    )];
    if let Ok(url) = std::env::var("SIPROC_TEST_POSTGRES_URL") {
        out.push(("postgres", url));
    }
    out
}

/// The same stores, each also encrypted (issue 29's goal: at most 20 % slower), under names
/// `sqlite`, `sqlite+encrypted`, …; the encrypted SQLite store is a file of its own.
fn backends_and_encrypted(dir: &std::path::Path) -> Vec<(String, String, Option<MasterKey>)> {
    let mut out = Vec::new();
    for (name, url) in backends(dir) {
        let encrypted = url.replace("bench.db", "bench-encrypted.db");
        out.push((name.to_owned(), url, None));
        out.push((
            format!("{name}+encrypted"),
            encrypted,
            Some(MasterKey::generate().0),
        ));
    }
    out.retain(|(name, _, _)| wanted(name));
    out
}

/// Whether `SIPROC_BENCH_STORES` keeps the store `name` (all stores when it is not set).
fn wanted(name: &str) -> bool {
    std::env::var("SIPROC_BENCH_STORES")
        .ok()
        .is_none_or(|w| w.split(',').any(|n| n.trim() == name))
}

fn open_store_with_key(url: &str, key: Option<&MasterKey>) -> Box<dyn CaseStore> {
    store::open_store_with_key(url, key).unwrap_or_else(|e| {
        eprintln!("cannot open the store: {e}");
        std::process::exit(2)
    })
}

fn bench_writes(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::exit(2));
    let catalog = Catalog::honduras().unwrap_or_else(|_| std::process::exit(2));
    for (name, url, key) in backends_and_encrypted(dir.path()) {
        siproc_benches::reset_postgres(&url);
        let store = open_store_with_key(&url, key.as_ref());
        let store = &*store;
        let mut g = c.benchmark_group(format!("store/{name}"));
        g.throughput(Throughput::Elements(1));
        g.bench_function("open_case, one at a time", |b| {
            let mut i = 0;
            b.iter(|| {
                i += 1;
                ok(store::open_case(
                    store,
                    &catalog,
                    &officer("TAP"),
                    &intake("TAP", i),
                    now(),
                ))
            })
        });
        const BATCH: u64 = 800;
        g.throughput(Throughput::Elements(BATCH));
        g.bench_function("open_case, 8 threads (per 800 cases)", |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                for _ in 0..iters {
                    std::thread::scope(|s| {
                        for t in 0..8_usize {
                            let catalog = &catalog;
                            s.spawn(move || {
                                for k in 0..(BATCH as usize / 8) {
                                    ok(store::open_case(
                                        store,
                                        catalog,
                                        &officer("MEX"),
                                        &intake("MEX", t * 1000 + k),
                                        now(),
                                    ));
                                }
                            });
                        }
                    });
                }
                start.elapsed()
            })
        });
        g.throughput(Throughput::Elements(1));
        g.bench_function("append one event (load, check, write)", |b| {
            b.iter_batched(
                || {
                    let case = store::open_case(
                        store,
                        &catalog,
                        &officer("GUA"),
                        &intake("GUA", 1),
                        now(),
                    )
                    .unwrap_or_else(|_| std::process::exit(2));
                    let event =
                        workflow::execute(&case, &catalog, &officer("GUA"), &note(1), now())
                            .unwrap_or_else(|_| std::process::exit(2));
                    (case.id, event)
                },
                |(id, event)| ok(store.append(id, 1, std::slice::from_ref(&event))),
                BatchSize::SmallInput,
            )
        });
        let mut case = store::open_case(store, &catalog, &officer("TAP"), &intake("TAP", 7), now())
            .unwrap_or_else(|_| std::process::exit(2));
        for i in 1..20 {
            case = store::run(store, &catalog, &officer("TAP"), case.id, &note(i), now())
                .unwrap_or_else(|_| std::process::exit(2));
        }
        g.bench_function("load and replay a 20-event case", |b| {
            b.iter(|| ok(store::load_case(store, black_box(case.id))))
        });
        g.throughput(Throughput::Elements(8 * 100));
        g.bench_function(
            "load and replay a 20-event case, 8 threads (per 800)",
            |b| {
                b.iter(|| {
                    std::thread::scope(|s| {
                        for _ in 0..8 {
                            s.spawn(|| {
                                for _ in 0..100 {
                                    black_box(ok(store::load_case(store, case.id)));
                                }
                            });
                        }
                    })
                })
            },
        );
        g.finish();
    }
}

/// The statuses a closed case of the corpus goes through after its notes.
fn closing() -> [Command; 3] {
    [
        Command::ChangeStatus {
            to: Status::InProgress,
        },
        Command::ChangeStatus {
            to: Status::Resolved,
        },
        Command::Close {
            outcome: Some("released".into()),
        },
    ]
}

/// Erases every closed case of `store` one after the other (`erasure::erase_case`, as the
/// directorate would), their files in `files`; answers how many.
fn erase_closed(store: &dyn CaseStore, files: &dyn BlobStore) -> usize {
    let director = Actor::new("director-1", Role::Directorate, "DGPHM");
    let mut ids = Vec::new();
    let mut after = None;
    loop {
        let page = ok(store.list(&CaseQuery {
            status: Some(Status::Closed),
            limit: Some(1_000),
            after: after.clone(),
            ..Default::default()
        }));
        let Some(last) = page.last() else { break };
        after = Some(last.number.clone());
        ids.extend(page.iter().map(|s| s.id));
    }
    for id in &ids {
        ok(erasure::erase_case(
            store,
            files,
            &director,
            *id,
            "solicitud 17/2026",
            now(),
        ));
    }
    ids.len()
}

/// A 100,000-case archive (each case opened and given two notes; the first tenth closed), its
/// import timed once into each store, plain and encrypted, then searches over the imported
/// cases; then (timed once, printed) the erasure of the closed tenth and, in an encrypted
/// store, a rotation of its master key (issue 29's figures).
fn bench_corpus(c: &mut Criterion) {
    let n: usize = std::env::var("SIPROC_BENCH_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let catalog = Catalog::honduras().unwrap_or_else(|_| std::process::exit(2));
    let mut file = Vec::new();
    {
        let mut w = ArchiveWriter::new(&mut file, now()).unwrap_or_else(|_| std::process::exit(2));
        for i in 0..n {
            let number = case_number("TAP", 2026, i as u64 + 1);
            let first = workflow::open(
                &catalog,
                &officer("TAP"),
                &intake("TAP", i),
                Uuid::now_v7(),
                now(),
            )
            .and_then(|opening| opening.seal(&number))
            .map(FreshEvent::into_event)
            .unwrap_or_else(|_| std::process::exit(2));
            let mut h =
                history::CaseHistory::new(vec![first]).unwrap_or_else(|_| std::process::exit(2));
            let closed = if i < n / 10 { &closing()[..] } else { &[] };
            for command in [note(0), note(1)].iter().chain(closed) {
                let e = workflow::execute(h.case(), &catalog, &officer("TAP"), command, now())
                    .unwrap_or_else(|_| std::process::exit(2));
                ok(h.push(e));
            }
            ok(w.write_case(h.events()));
        }
        ok(w.finish());
    }
    let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::exit(2));
    let import_only = std::env::var("SIPROC_BENCH_IMPORT_ONLY").is_ok_and(|v| v == "1");
    for (name, url, key) in backends_and_encrypted(dir.path()) {
        siproc_benches::reset_postgres(&url);
        let url = url.replace("/bench", "/corpus");
        let store = open_store_with_key(&url, key.as_ref());
        let start = Instant::now();
        let report = archive::import(
            &*store,
            None,
            &mut Cursor::new(&file),
            ImportOptions::default(),
        );
        let took = start.elapsed();
        let imported = report.as_ref().map(|r| r.imported).unwrap_or(0);
        println!(
            "store/{name}/import of a {n}-case archive: {:.1} s ({:.0} cases/s, {imported} imported)",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64()
        );
        if import_only {
            continue;
        }
        let mut g = c.benchmark_group(format!("store/{name}/{n} cases"));
        g.measurement_time(Duration::from_secs(5));
        let mut i = 0;
        g.bench_function("name search (given name and both surnames)", |b| {
            b.iter(|| {
                i = (i + 7919) % n;
                let person = intake("TAP", i);
                let p = &person.persons[0];
                ok(store.list(&CaseQuery {
                    name: Some(format!("{} {}", p.given_names, p.surnames)),
                    ..Default::default()
                }))
            })
        });
        g.bench_function("name search (a common surname, first page of 50)", |b| {
            b.iter(|| {
                ok(store.list(&CaseQuery {
                    name: Some("Zelaya".into()),
                    limit: Some(50),
                    ..Default::default()
                }))
            })
        });
        g.bench_function("document search", |b| {
            b.iter(|| {
                i = (i + 7919) % n;
                ok(store.list(&CaseQuery {
                    document_number: Some(format!("0801-1994-{:05}", i % 99_999 + 1)),
                    ..Default::default()
                }))
            })
        });
        g.finish();

        let files = ok(DirectoryBlobs::new(
            dir.path().join(format!("{name}-files")),
        ));
        let start = Instant::now();
        let erased = erase_closed(&*store, &files);
        let took = start.elapsed();
        println!(
            "store/{name}/erasure of {erased} closed cases, one after the other: {:.1} s ({:.0} cases/s)",
            took.as_secs_f64(),
            erased as f64 / took.as_secs_f64()
        );
        drop(store);
        if let Some(old) = key {
            let new = MasterKey::generate().0;
            let start = Instant::now();
            let change = ok(store::rotate_master_key(&url, &old, &new));
            let took = start.elapsed();
            println!(
                "store/{name}/rotation of the master key over {n} cases: {:.1} s ({change:?})",
                took.as_secs_f64()
            );
        }
    }
}

/// Issue 29's ratio of case creation with and without encryption, measured interleaved when
/// `SIPROC_BENCH_INTERLEAVED=<rounds>` is set (not otherwise): a plain and an encrypted store
/// of each backend, both open at once (on PostgreSQL each in a schema of its own), take turns
/// opening 800 cases from 8 threads, `rounds` times each (each first in every other round), so
/// that the machine's speed, which changes from minute to minute on a shared host, falls on
/// both alike. Prints each turn's time and the ratio of the totals (encrypted / plain).
fn bench_interleaved(_: &mut Criterion) {
    let Some(rounds) = std::env::var("SIPROC_BENCH_INTERLEAVED")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap_or_else(|_| std::process::exit(2));
    let catalog = Catalog::honduras().unwrap_or_else(|_| std::process::exit(2));
    for (name, url) in backends(dir.path()).into_iter().filter(|(n, _)| wanted(n)) {
        let in_schema = |schema: &str| {
            if !url.starts_with("postgres") {
                return url.replace("bench.db", &format!("{schema}.db"));
            }
            siproc_benches::reset_postgres(&url);
            let mut client = ok(postgres::Client::connect(&url, postgres::NoTls));
            ok(client.batch_execute(&format!("CREATE SCHEMA {schema}")));
            format!("{url}?options=-csearch_path%3D{schema}")
        };
        let plain = open_store_with_key(&in_schema("plain"), None);
        let encrypted =
            open_store_with_key(&in_schema("encrypted"), Some(&MasterKey::generate().0));
        let mut totals = [Duration::ZERO; 2];
        let mut next = 0;
        for round in 0..rounds {
            let mut turn = [Duration::ZERO; 2];
            // Each goes first in every other round: going second after a commit-heavy turn
            // (a checkpoint due, the WAL to flush) must not count against one of them.
            let order = if round % 2 == 0 { [0, 1] } else { [1, 0] };
            for i in order {
                let store = [&plain, &encrypted][i];
                let start = Instant::now();
                std::thread::scope(|s| {
                    for t in 0..8 {
                        let (catalog, first) = (&catalog, next + t * 100);
                        s.spawn(move || {
                            for k in first..first + 100 {
                                ok(store::open_case(
                                    &**store,
                                    catalog,
                                    &officer("MEX"),
                                    &intake("MEX", k),
                                    now(),
                                ));
                            }
                        });
                    }
                });
                turn[i] = start.elapsed();
                totals[i] += turn[i];
            }
            next += 800;
            println!(
                "store/{name}/interleaved round {round}: plain {:.0} ms, encrypted {:.0} ms",
                turn[0].as_secs_f64() * 1e3,
                turn[1].as_secs_f64() * 1e3
            );
        }
        println!(
            "store/{name}/interleaved, {rounds} rounds of 800 cases from 8 threads: plain {:.2} s, \
             encrypted {:.2} s, encrypted / plain {:.2}",
            totals[0].as_secs_f64(),
            totals[1].as_secs_f64(),
            totals[1].as_secs_f64() / totals[0].as_secs_f64()
        );
    }
}

criterion_group!(benches, bench_writes, bench_corpus, bench_interleaved);
criterion_main!(benches);
