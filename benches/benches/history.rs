//! History, store and archive benchmarks; figures in benches/README.md.
//!
//! Run: `cargo bench -p siproc-benches --bench history -- --warm-up-time 1 --measurement-time 3`

use std::hint::black_box;
use std::io::Cursor;
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeZone, Utc};
use criterion::{BatchSize, Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use siproc_core::archive::{self, ImportOptions};
use siproc_core::history::{self, Event, EventKind, FreshEvent};
use siproc_core::store::{CaseQuery, CaseStore, MemoryStore};
use siproc_core::workflow::{self, Command};
use siproc_core::{Actor, Role};
use siproc_core::{Case, Catalog};
use siproc_core::{Intake, Status};
use uuid::Uuid;

fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 15, 4, 5)
        .single()
        .unwrap_or_default()
}

fn intake() -> Intake {
    serde_json::from_value(siproc_benches::sample_intake("detention", "TAP"))
        .expect("fixture intake")
}

fn officer() -> Actor {
    Actor::new("officer-7", Role::Officer, "TAP")
}

/// A case with `n` events: opened, in progress, a service, then notes.
fn history_of(catalog: &Catalog, n: usize) -> (Case, Vec<Event>) {
    let first = workflow::open(catalog, &officer(), &intake(), Uuid::now_v7(), now())
        .and_then(|opening| opening.seal("TAP-2026-000001"))
        .map(FreshEvent::into_event)
        .expect("open");
    let mut case = history::open(&first).expect("replay");
    let mut events = vec![first];
    let mut commands = vec![
        Command::ChangeStatus {
            to: Status::InProgress,
        },
        Command::RecordService {
            kind: "consular_visit".into(),
            given_on: now().date_naive(),
            description: Some("Visita en la estación".into()),
        },
    ];
    while events.len() + commands.len() < n {
        commands.push(Command::AddNote {
            text: "Llamada de seguimiento con la familia; sin novedad.".into(),
            written_on: None,
        });
    }
    for c in commands.iter().take(n.saturating_sub(1)) {
        let e = workflow::execute(&case, catalog, &officer(), c, now()).expect("command");
        history::apply(&mut case, &e).expect("apply");
        events.push(e);
    }
    (case, events)
}

/// The same history re-sealed for another case id and number (cheap: hashes only).
fn reseal(template: &[Event], number: &str) -> Vec<Event> {
    let case_id = Uuid::now_v7();
    let mut prev = history::GENESIS_HASH.to_owned();
    let mut out = Vec::with_capacity(template.len());
    for e in template {
        let mut kind = e.kind.clone();
        if let EventKind::CaseOpened(o) = &mut kind {
            o.number = number.to_owned();
        }
        let sealed = Event::seal(case_id, e.seq, &prev, e.actor.clone(), e.at, kind).expect("seal");
        prev.clone_from(&sealed.hash);
        out.push(sealed);
    }
    out
}

fn bench_history(c: &mut Criterion) {
    let catalog = Catalog::honduras().expect("catalog");
    let (case, events) = history_of(&catalog, 1000);
    let mut g = c.benchmark_group("history");

    g.throughput(Throughput::Elements(1000));
    g.bench_function("replay_1000_events", |b| {
        b.iter(|| history::replay(black_box(&events)).expect("replay"))
    });
    g.bench_function("verify_1000_events", |b| {
        b.iter(|| history::verify(black_box(&events)).expect("verify"))
    });

    g.throughput(Throughput::Elements(1));
    let note = &events[events.len() - 1];
    g.bench_function("hash_one_note_event", |b| {
        b.iter(|| history::event_hash(black_box(note)).expect("hash"))
    });
    g.bench_function("canonical_json_ours", |b| {
        b.iter(|| history::canonical_json(black_box(&events[0])).expect("jcs"))
    });
    g.bench_function("canonical_json_serde_json_canonicalizer", |b| {
        b.iter(|| serde_json_canonicalizer::to_vec(black_box(&events[0])).expect("jcs"))
    });
    g.bench_function("execute_add_note", |b| {
        let c = Command::AddNote {
            text: "Llamada de seguimiento con la familia; sin novedad.".into(),
            written_on: None,
        };
        b.iter(|| {
            workflow::execute(&case, &catalog, &officer(), black_box(&c), now()).expect("run")
        })
    });
    g.bench_function("open_case_from_intake", |b| {
        let intake = intake();
        b.iter(|| {
            workflow::open(
                &catalog,
                &officer(),
                black_box(&intake),
                Uuid::now_v7(),
                now(),
            )
            .and_then(|opening| opening.seal("TAP-2026-000001"))
            .map(FreshEvent::into_event)
            .expect("open")
        })
    });
    g.finish();
}

fn bench_store(c: &mut Criterion) {
    let catalog = Catalog::honduras().expect("catalog");
    let (_, template) = history_of(&catalog, 1);
    let mut g = c.benchmark_group("store");
    g.throughput(Throughput::Elements(1));
    // Appending one event at a time to a growing case (verify the event, fold it, reindex).
    g.bench_function("append_one_event", |b| {
        b.iter_custom(|iters| {
            let store = MemoryStore::new();
            let first = reseal(&template, "TAP-2026-000001");
            let mut case = history::replay(&first).expect("replay");
            store.put_history(&first).expect("put");
            let note = Command::AddNote {
                text: "Llamada de seguimiento.".into(),
                written_on: None,
            };
            let mut batch = Vec::with_capacity(iters as usize);
            for _ in 0..iters {
                let e = workflow::execute(&case, &catalog, &officer(), &note, now()).expect("run");
                history::apply(&mut case, &e).expect("apply");
                batch.push(e);
            }
            let start = Instant::now();
            for (k, e) in batch.iter().enumerate() {
                store
                    .append(case.id, k as u64 + 1, std::slice::from_ref(e))
                    .expect("append");
            }
            start.elapsed()
        })
    });
    g.finish();
}

fn bench_million(c: &mut Criterion) {
    let catalog = Catalog::honduras().expect("catalog");
    let (_, template) = history_of(&catalog, 1000);
    let cases: Vec<Vec<Event>> = (0..1000)
        .map(|i| reseal(&template, &format!("TAP-2026-{i:06}")))
        .collect();
    let mut g = c.benchmark_group("history");
    g.sample_size(10).sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(1_000_000));
    g.bench_function("verify_1000000_events", |b| {
        b.iter(|| {
            for events in &cases {
                history::verify(black_box(events)).expect("verify");
            }
        })
    });
    g.finish();
}

fn bench_archive(c: &mut Criterion) {
    const CASES: usize = 100_000;
    let catalog = Catalog::honduras().expect("catalog");
    // Five events a case: opened, in progress, service, note, note.
    let (_, template) = history_of(&catalog, 5);
    let store = MemoryStore::new();
    for i in 1..=CASES {
        store
            .put_history(&reseal(&template, &format!("TAP-2026-{i:06}")))
            .expect("put");
    }
    let mut bytes = Vec::new();
    archive::export(&store, None, &CaseQuery::default(), &mut bytes, now()).expect("export");
    eprintln!(
        "archive: {CASES} cases, {} events, {} MB",
        CASES * template.len(),
        bytes.len() / 1_000_000
    );
    let mut g = c.benchmark_group("archive");
    g.sample_size(10)
        .sampling_mode(SamplingMode::Flat)
        .warm_up_time(Duration::from_millis(1))
        .throughput(Throughput::Elements(CASES as u64));
    g.bench_function("export_100000_cases", |b| {
        b.iter_batched(
            || Vec::with_capacity(bytes.len()),
            |mut out| {
                archive::export(&store, None, &CaseQuery::default(), &mut out, now())
                    .expect("export");
                out
            },
            BatchSize::PerIteration,
        )
    });
    g.bench_function("import_100000_cases", |b| {
        b.iter_batched(
            MemoryStore::new,
            |target| {
                let report = archive::import(
                    &target,
                    None,
                    &mut Cursor::new(&bytes),
                    ImportOptions::default(),
                )
                .expect("import");
                assert_eq!(report.imported, CASES);
                target
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();
}

criterion_group!(
    benches,
    bench_history,
    bench_store,
    bench_million,
    bench_archive
);
criterion_main!(benches);
