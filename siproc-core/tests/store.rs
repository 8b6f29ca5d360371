//! The in-memory store: numbering, expected versions under contention, idempotency, search.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

mod common;

use std::collections::BTreeSet;
use std::sync::{Arc, Barrier};

use common::*;
use siproc_core::case::Status;
use siproc_core::history;
use siproc_core::store::{self, CaseQuery, CaseStore, MemoryStore, PutOutcome, StoreError};
use siproc_core::workflow::{self, Command};

#[test]
fn numbers_run_per_office_and_year_without_gaps_under_concurrency() {
    let store = Arc::new(MemoryStore::new());
    let threads: Vec<_> = (0..16)
        .map(|i| {
            let store = Arc::clone(&store);
            std::thread::spawn(move || {
                let catalog = catalog();
                let office = if i % 2 == 0 { "TAP" } else { "MEX" };
                let mut numbers = Vec::new();
                for k in 0..8 {
                    let mut intake = detention_intake(office);
                    if k == 3 {
                        // A refused intake consumes no number.
                        intake.category = "nonsense".into();
                        let err =
                            store::open_case(&*store, &catalog, &officer(office), &intake, now());
                        assert_eq!(err.unwrap_err().code(), "workflow.invalid_intake");
                        continue;
                    }
                    let case =
                        store::open_case(&*store, &catalog, &officer(office), &intake, now())
                            .unwrap();
                    numbers.push(case.number);
                }
                numbers
            })
        })
        .collect();
    let all: Vec<String> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    for office in ["TAP", "MEX"] {
        let got: BTreeSet<&String> = all.iter().filter(|n| n.starts_with(office)).collect();
        let want: Vec<String> = (1..=56)
            .map(|n| siproc_core::case::case_number(office, 2026, n))
            .collect();
        assert_eq!(got.into_iter().cloned().collect::<Vec<_>>(), want);
    }
}

#[test]
fn sixty_four_writers_at_one_version_one_wins_and_nothing_is_lost() {
    let catalog = catalog();
    let store = Arc::new(MemoryStore::new());
    let case = store::open_case(
        &*store,
        &catalog,
        &officer("TAP"),
        &detention_intake("TAP"),
        now(),
    )
    .unwrap();
    let barrier = Arc::new(Barrier::new(64));
    let results: Vec<(Result<u64, StoreError>, u64)> = (0..64)
        .map(|i| {
            let (store, barrier, case) = (Arc::clone(&store), Arc::clone(&barrier), case.clone());
            std::thread::spawn(move || {
                let catalog = common::catalog();
                let note = Command::AddNote {
                    text: format!("nota {i}"),
                    written_on: None,
                };
                let event =
                    workflow::execute(&case, &catalog, &officer("TAP"), &note, now()).unwrap();
                barrier.wait();
                let first = store.append(case.id, case.version, std::slice::from_ref(&event));
                // Every first attempt happens before any retry.
                barrier.wait();
                // Then retry until it lands, as a client would.
                let mut attempts = 1;
                let mut outcome = first.clone();
                while outcome.is_err() {
                    attempts += 1;
                    outcome = store::run(&*store, &catalog, &officer("TAP"), case.id, &note, now())
                        .map(|c| c.version);
                }
                (first, attempts)
            })
        })
        .collect::<Vec<_>>()
        .into_iter()
        .map(|t| t.join().unwrap())
        .collect();
    let wins = results.iter().filter(|(r, _)| r.is_ok()).count();
    assert_eq!(wins, 1);
    for (r, _) in &results {
        if let Err(e) = r {
            assert_eq!(e, &StoreError::Conflict { current: 2 });
            assert_eq!(e.code(), "store.conflict");
        }
    }
    let events = store.load(case.id).unwrap();
    assert_eq!(events.len(), 65);
    assert!(
        events
            .iter()
            .enumerate()
            .all(|(i, e)| e.seq == i as u64 + 1)
    );
    history::verify(&events).unwrap();
    let replayed = history::replay(&events).unwrap();
    let notes: BTreeSet<String> = replayed
        .notes
        .iter()
        .skip(1)
        .map(|n| n.text.clone())
        .collect();
    assert_eq!(notes.len(), 64, "a note was lost");
}

#[test]
fn appending_the_same_events_again_is_idempotent() {
    let catalog = catalog();
    let store = MemoryStore::new();
    let case = store::open_case(
        &store,
        &catalog,
        &officer("TAP"),
        &detention_intake("TAP"),
        now(),
    )
    .unwrap();
    let e = workflow::execute(
        &case,
        &catalog,
        &officer("TAP"),
        &Command::ChangeStatus {
            to: Status::InProgress,
        },
        now(),
    )
    .unwrap();
    assert_eq!(store.append(case.id, 1, std::slice::from_ref(&e)), Ok(2));
    assert_eq!(store.append(case.id, 1, std::slice::from_ref(&e)), Ok(2));
    assert_eq!(store.load(case.id).unwrap().len(), 2);
    // Other events at a stale version conflict.
    let other = workflow::execute(
        &case,
        &catalog,
        &officer("TAP"),
        &Command::ChangeStatus {
            to: Status::InProgress,
        },
        now(),
    )
    .unwrap();
    assert_eq!(
        store.append(case.id, 1, &[other]),
        Err(StoreError::Conflict { current: 2 })
    );
    // A tampered event is refused.
    let mut bad = workflow::execute(
        &history::replay(&store.load(case.id).unwrap()).unwrap(),
        &catalog,
        &officer("TAP"),
        &Command::AddNote {
            text: "x".into(),
            written_on: None,
        },
        now(),
    )
    .unwrap();
    bad.actor.user_id = "someone-else".into();
    assert_eq!(
        store.append(case.id, 2, &[bad]).unwrap_err().code(),
        "history.changed"
    );
    // Putting a whole history twice is idempotent too.
    let other_store = MemoryStore::new();
    let events = store.load(case.id).unwrap();
    assert_eq!(other_store.put_history(&events), Ok(PutOutcome::Inserted));
    assert_eq!(other_store.put_history(&events), Ok(PutOutcome::Unchanged));
    assert_eq!(
        other_store.put_history(&events[..1]),
        Err(StoreError::DuplicateCase)
    );
}

#[test]
fn cases_are_found_by_office_status_category_document_and_name() {
    let catalog = catalog();
    let store = MemoryStore::new();
    let a = store::open_case(
        &store,
        &catalog,
        &officer("TAP"),
        &detention_intake("TAP"),
        now(),
    )
    .unwrap();
    let b = store::open_case(
        &store,
        &catalog,
        &officer("MEX"),
        &victim_intake("MEX"),
        now(),
    )
    .unwrap();
    store::run(
        &store,
        &catalog,
        &officer("MEX"),
        b.id,
        &Command::ChangeStatus {
            to: Status::InProgress,
        },
        now(),
    )
    .unwrap();
    let ids =
        |q: CaseQuery| -> Vec<_> { store.list(&q).unwrap().into_iter().map(|s| s.id).collect() };
    assert_eq!(ids(CaseQuery::default()), vec![b.id, a.id]);
    assert_eq!(
        ids(CaseQuery {
            office: Some("TAP".into()),
            ..Default::default()
        }),
        vec![a.id]
    );
    assert_eq!(
        ids(CaseQuery {
            status: Some(Status::InProgress),
            ..Default::default()
        }),
        vec![b.id]
    );
    assert_eq!(
        ids(CaseQuery {
            category: Some("victim_of_crime".into()),
            ..Default::default()
        }),
        vec![b.id]
    );
    assert_eq!(
        ids(CaseQuery {
            number: Some(a.number.clone()),
            ..Default::default()
        }),
        vec![a.id]
    );
    assert_eq!(
        ids(CaseQuery {
            document_number: Some("0801-1994-04512".into()),
            ..Default::default()
        }),
        vec![a.id]
    );
    for name in ["pena guity", "PEÑA", "ana lucia peña", "Güity, Ana"] {
        assert_eq!(
            ids(CaseQuery {
                name: Some(name.into()),
                ..Default::default()
            }),
            vec![a.id],
            "{name}"
        );
    }
    assert_eq!(
        ids(CaseQuery {
            name: Some("nunez oconnor".into()),
            ..Default::default()
        }),
        vec![b.id]
    );
    assert!(
        ids(CaseQuery {
            name: Some("pena nunez".into()),
            ..Default::default()
        })
        .is_empty()
    );
    // Summaries carry no personal data.
    let json = serde_json::to_string(&store.list(&CaseQuery::default()).unwrap()).unwrap();
    assert!(!json.contains("Peña") && !json.contains("0801"));
}
