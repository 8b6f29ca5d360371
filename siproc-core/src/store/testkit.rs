//! The store test kit (feature `testkit`): the whole [`CaseStore`] contract as one function,
//! run by every backend's tests and available to anyone writing a store.
//!
//! ```ignore
//! siproc_core::store::testkit::check_store(|| MyStore::new());
//! ```
//!
//! `make` is called once per check and must return an empty store. Each check panics with a
//! message naming the rule that failed (this module is test support: panicking is its way of
//! failing a test). What it covers: numbering without gaps per office and year under
//! concurrency (a refused intake consumes no number), version conflicts, idempotent appends,
//! tampered and foreign events refused without partial writes, imports ([`CaseStore::put_history`],
//! and in batches with [`CaseStore::put_histories`]) and an archive's check against the store
//! ([`CaseStore::known_cases`]),
//! search by office, status, category, number, document and accent-free name (also after a
//! correction), paging, the feed, large histories, 64 threads appending at one version, and
//! the statistics records ([`CaseStore::records`]) after every kind of write, and erasure
//! ([`crate::erasure`]: values gone, chain verified, search and statistics as they should be),
//! consent withdrawal (pending referrals cancelled, the statistics record marked, so that
//! partners' releases leave the case out) and subject access ([`crate::subject_access`]:
//! found by document and name through the store's index, with what each case holds).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::collections::{BTreeSet, HashSet};
use std::io::Cursor;
use std::sync::Barrier;

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use uuid::Uuid;

use super::{CaseQuery, CaseStore, KnownCases, PutOutcome, StoreError, load_case, open_case, run};
use crate::actor::{Actor, Role};
use crate::archive::{self, ArchiveWriter, ImportOptions, Rejection};
use crate::case::{Case, Intake, Status, case_number};
use crate::case_record::CaseRecord;
use crate::catalog::Catalog;
use crate::history::{self, Event, FreshEvent};
use crate::workflow::{self, Command};

/// Runs every check of the contract, each on a fresh store from `make`.
pub fn check_store<S: CaseStore>(make: impl Fn() -> S) {
    numbers_run_without_gaps(&make());
    stale_versions_conflict_and_appends_are_idempotent(&make());
    bad_events_are_refused_whole(&make());
    imports_keep_numbers_and_are_idempotent(&make());
    batch_imports_answer_each_case(&make());
    imports_are_checked_against_the_store(&make());
    search_finds_by_every_criterion(&make());
    name_searches_match_one_person_whatever_the_word_order(&make());
    lists_page_by_case_number(&make());
    the_feed_follows_every_write(&make());
    pending_transfers_reach_the_receiving_office(&make());
    large_histories_load_whole(&make());
    sixty_four_writers_at_one_version(&make());
    unknown_cases_are_not_found(&make());
    statistics_records_follow_every_write(&make());
    erasure_forgets_values_and_keeps_the_chain(&make());
    consent_withdrawal_is_kept_in_the_records(&make());
    #[cfg(feature = "sqlite")]
    subject_access_finds_the_person_through_the_index(&make());
}

/// The catalog the kit's cases use.
pub fn catalog() -> Catalog {
    Catalog::honduras().expect("the built-in catalog loads")
}

/// A fixed moment in 2026.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 15, 4, 5)
        .single()
        .expect("a valid date")
}

/// An officer of `office`.
pub fn officer(office: &str) -> Actor {
    Actor::new(format!("officer-{office}"), Role::Officer, office)
}

/// The sample intakes, written once (`siproc-core/tests/fixtures/intakes.json`): the core's
/// tests, the benchmarks and the WebAssembly tests read the same file.
pub const SAMPLE_INTAKES: &str = include_str!("../../tests/fixtures/intakes.json");

/// The sample intake `name` of [`SAMPLE_INTAKES`] (`detention`, `victim_of_crime`), at `office`.
pub fn sample_intake(name: &str, office: &str) -> Intake {
    let mut samples: serde_json::Value =
        serde_json::from_str(SAMPLE_INTAKES).expect("the sample intakes parse");
    let sample = samples.get_mut(name).map(serde_json::Value::take);
    let mut intake: Intake =
        serde_json::from_value(sample.unwrap_or_default()).expect("a valid intake of that name");
    intake.office = office.to_owned();
    intake
}

/// A valid detention intake at `office` for Ana Lucía Peña Güity (DNI 0801-1994-04512).
pub fn detention_intake(office: &str) -> Intake {
    sample_intake("detention", office)
}

/// A valid victim-of-crime intake at `office` for José Ángel Núñez O'Connor.
pub fn victim_intake(office: &str) -> Intake {
    sample_intake("victim_of_crime", office)
}

/// Opens a case; the case `create_case` answers is the one the store gives back.
fn open(store: &dyn CaseStore, intake: &Intake) -> Case {
    let case = open_case(store, &catalog(), &officer(&intake.office), intake, now())
        .unwrap_or_else(|e| panic!("opening a case failed: {}", e.code()));
    assert_eq!(load_case(store, case.id).expect("loads"), case);
    case
}

/// The `case_opened` event of `intake`, numbered `number` by the caller rather than a store.
fn opened(intake: &Intake, number: &str) -> Event {
    workflow::open(
        &catalog(),
        &officer(&intake.office),
        intake,
        Uuid::now_v7(),
        now(),
    )
    .and_then(|opening| opening.seal(number))
    .map(FreshEvent::into_event)
    .expect("opened")
}

fn note(i: usize) -> Command {
    Command::AddNote {
        text: format!("nota {i}"),
        written_on: None,
    }
}

/// The event `command` makes on `case` (not stored).
fn decide(case: &Case, command: &Command) -> Event {
    workflow::execute(case, &catalog(), &officer(&case.office), command, now())
        .unwrap_or_else(|e| panic!("the command was refused: {}", e.code()))
}

/// Events `0..n` of notes continuing `case`, and the case after them.
fn notes(case: &Case, n: usize) -> (Vec<Event>, Case) {
    let mut case = case.clone();
    let mut events = Vec::with_capacity(n);
    for i in 0..n {
        let e = decide(&case, &note(i));
        history::apply(&mut case, &e).expect("a note applies");
        events.push(e);
    }
    (events, case)
}

/// Numbers run 1, 2, 3… per office and year, also from 16 threads, and a refused intake
/// takes none.
pub fn numbers_run_without_gaps(store: &dyn CaseStore) {
    let all: Vec<String> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..16)
            .map(|i| {
                s.spawn(move || {
                    let office = if i % 2 == 0 { "TAP" } else { "MEX" };
                    let mut numbers = Vec::new();
                    for k in 0..8 {
                        let mut intake = detention_intake(office);
                        if k == 3 {
                            intake.category = "nonsense".into();
                            let err =
                                open_case(store, &catalog(), &officer(office), &intake, now())
                                    .expect_err("a refused intake opens no case");
                            assert_eq!(err.code(), "workflow.invalid_intake");
                            continue;
                        }
                        numbers.push(open(store, &intake).number);
                    }
                    numbers
                })
            })
            .collect();
        threads
            .into_iter()
            .flat_map(|t| t.join().expect("a numbering thread"))
            .collect()
    });
    for office in ["TAP", "MEX"] {
        let got: Vec<&String> = all
            .iter()
            .filter(|n| n.starts_with(office))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let want: Vec<String> = (1..=56).map(|n| case_number(office, 2026, n)).collect();
        assert_eq!(got.len(), 56, "{office}: a number was given twice or lost");
        assert!(
            got.iter().zip(&want).all(|(g, w)| *g == w),
            "{office}: numbers have gaps"
        );
    }
    assert_eq!(store.count().expect("count"), 112);
    // Another year starts again at 1.
    let next_year = Utc
        .with_ymd_and_hms(2027, 1, 2, 8, 0, 0)
        .single()
        .expect("a date");
    let case = open_case(
        store,
        &catalog(),
        &officer("TAP"),
        &detention_intake("TAP"),
        next_year,
    )
    .expect("opening in 2027");
    assert_eq!(case.number, case_number("TAP", 2027, 1));
    assert_records_match(store);
}

/// A stale expected version is a conflict naming the current version; the very same events
/// appended twice are stored once.
pub fn stale_versions_conflict_and_appends_are_idempotent(store: &dyn CaseStore) {
    let case = open(store, &detention_intake("TAP"));
    let e = decide(
        &case,
        &Command::ChangeStatus {
            to: Status::InProgress,
        },
    );
    assert_eq!(store.append(case.id, 1, std::slice::from_ref(&e)), Ok(2));
    assert_eq!(
        store.append(case.id, 1, std::slice::from_ref(&e)),
        Ok(2),
        "appending the same event again is idempotent"
    );
    assert_eq!(store.load(case.id).expect("load").len(), 2);
    let other = decide(
        &case,
        &Command::ChangeStatus {
            to: Status::InProgress,
        },
    );
    assert_eq!(
        store.append(case.id, 1, &[other]),
        Err(StoreError::Conflict { current: 2 })
    );
    let after = load_case(store, case.id).expect("load");
    let (batch, _) = notes(&after, 3);
    assert_eq!(store.append(case.id, 2, &batch), Ok(5));
    assert_eq!(store.append(case.id, 2, &batch), Ok(5));
    assert_eq!(
        store.append(case.id, 2, &batch[..1]),
        Ok(5),
        "a prefix of stored events is stored"
    );
    assert_eq!(
        store.append(case.id, 4, &batch),
        Err(StoreError::Conflict { current: 5 })
    );
    let summary = store.summary(case.id).expect("summary");
    assert_eq!((summary.version, summary.status), (5, Status::InProgress));
    let events = store.load(case.id).expect("load");
    assert_eq!(summary.head, events[4].hash);
    history::verify(&events).expect("the stored history verifies");
}

/// Tampered, foreign and inapplicable events are refused, and a refused batch writes nothing.
pub fn bad_events_are_refused_whole(store: &dyn CaseStore) {
    let case = open(store, &detention_intake("TAP"));
    let other = open(store, &victim_intake("TAP"));
    let mut bad = decide(&case, &note(0));
    bad.actor.user_id = "someone-else".into();
    let err = store.append(case.id, 1, &[bad]).expect_err("tampered");
    assert_eq!(err.code(), "history.changed");
    let foreign = decide(&other, &note(0));
    let err = store.append(case.id, 1, &[foreign]).expect_err("foreign");
    assert_eq!(err.code(), "history.foreign_case");
    // A batch whose third event is tampered: nothing of it is stored.
    let (mut batch, _) = notes(&case, 4);
    batch[2].actor.user_id = "someone-else".into();
    assert!(store.append(case.id, 1, &batch).is_err());
    // A batch whose events do not apply (a transfer accepted with none pending).
    let good = decide(&case, &note(9));
    let mut after = case.clone();
    history::apply(&mut after, &good).expect("applies");
    let unapplicable = crate::history::Event::next(
        &after,
        officer("TAP"),
        now(),
        crate::history::EventKind::TransferAccepted {
            to_office: "MEX".into(),
        },
    )
    .expect("sealed");
    let err = store
        .append(case.id, 1, &[good, unapplicable])
        .expect_err("inapplicable");
    assert_eq!(err.code(), "history.invalid_event");
    assert_eq!(
        store.load(case.id).expect("load").len(),
        1,
        "a partial write"
    );
    assert_eq!(store.summary(case.id).expect("summary").version, 1);
}

/// Imports keep their numbers, are idempotent, refuse other histories and taken numbers, and
/// move the office's counter past them.
pub fn imports_keep_numbers_and_are_idempotent(store: &dyn CaseStore) {
    let source = super::MemoryStore::new();
    let a = open(&source, &detention_intake("TAP"));
    run(&source, &catalog(), &officer("TAP"), a.id, &note(1), now()).expect("note");
    let events = source.load(a.id).expect("load");
    assert_eq!(store.put_history(&events), Ok(PutOutcome::Inserted));
    assert_eq!(store.put_history(&events), Ok(PutOutcome::Unchanged));
    assert_eq!(
        store.put_history(&events[..1]),
        Err(StoreError::DuplicateCase)
    );
    assert_eq!(store.load(a.id).expect("load"), events);
    // Another case with the same number.
    let clash = opened(&victim_intake("TAP"), &a.number);
    assert_eq!(store.put_history(&[clash]), Err(StoreError::NumberTaken));
    // A tampered history is refused.
    let other = open(&source, &victim_intake("MEX"));
    let mut other_events = source.load(other.id).expect("load");
    other_events[0].actor.user_id = "x".into();
    assert_eq!(
        store
            .put_history(&other_events)
            .expect_err("tampered")
            .code(),
        "history.changed"
    );
    assert!(store.summary(other.id).is_err());
    // Numbers continue after an imported one.
    let far = opened(&detention_intake("GUA"), &case_number("GUA", 2026, 7));
    assert_eq!(store.put_history(&[far]), Ok(PutOutcome::Inserted));
    let next = open(store, &detention_intake("GUA"));
    assert_eq!(next.number, case_number("GUA", 2026, 8));
    assert_eq!(store.count().expect("count"), 3);
    assert_records_match(store);
}

/// What the store holds of the cases an archive brings ([`CaseStore::known_cases`]): the
/// stored ones by id with their version and head, and the numbers stored cases carry, nothing
/// for the rest; an import checks an archive with it: the store's own cases again are
/// unchanged, an older history of a stored case and another case under a stored number are
/// rejected on their lines, and nothing is written.
pub fn imports_are_checked_against_the_store(store: &dyn CaseStore) {
    let a = open(store, &detention_intake("TAP"));
    let b = open(store, &victim_intake("TAP"));
    let unknown = Uuid::now_v7();
    let free = case_number("TAP", 2026, 999_999);
    let known = store
        .known_cases(&[a.id, unknown], &[&a.number, &free])
        .expect("known cases");
    assert_eq!(known.stored.len(), 1, "only the stored case is known");
    assert_eq!(known.stored.get(&a.id), Some(&(a.version, a.head.clone())));
    assert_eq!(known.numbers, HashSet::from([a.number.clone()]));
    let by_number = store
        .known_cases(&[unknown], &[&b.number])
        .expect("known cases");
    assert!(by_number.stored.is_empty(), "a number alone finds no case");
    assert_eq!(by_number.numbers, HashSet::from([b.number.clone()]));
    assert_eq!(
        store.known_cases(&[], &[]).expect("known cases"),
        KnownCases::default()
    );

    let import = |bytes: &[u8]| {
        archive::import(
            store,
            None,
            &mut Cursor::new(bytes),
            ImportOptions::default(),
        )
        .expect("the archive is read")
    };
    let mut all = Vec::new();
    archive::export(store, None, &CaseQuery::default(), &mut all, now()).expect("export");
    let again = import(&all);
    assert!(again.is_clean(), "the store's own cases again");
    assert_eq!((again.imported, again.unchanged), (0, 2));

    let older = store.load(a.id).expect("load");
    run(store, &catalog(), &officer("TAP"), a.id, &note(1), now()).expect("note");
    let mut file = Vec::new();
    let mut w = ArchiveWriter::new(&mut file, now()).expect("header");
    w.write_case(&older)
        .expect("older history of a stored case");
    w.write_case(&[opened(&victim_intake("TAP"), &b.number)])
        .expect("another case under a stored number");
    w.write_case(&[opened(&victim_intake("TAP"), &free)])
        .expect("a new case");
    w.finish().expect("trailer");
    let report = import(&file);
    let rejected: Vec<(usize, &str)> = report
        .rejected
        .iter()
        .map(|r| (r.line, r.reason.code()))
        .collect();
    assert_eq!(
        rejected,
        [(2, "store.duplicate_case"), (3, "store.number_taken")],
        "each conflict on its line"
    );
    assert!(matches!(
        report.rejected[0].reason,
        Rejection::Store(StoreError::DuplicateCase)
    ));
    assert_eq!(report.imported, 0, "a rejected line stops the whole import");
    assert_eq!(store.count().expect("count"), 2);
}

/// A batch import answers each case as `put_history` would, in order: the sound ones are
/// written, a tampered case, another history under a stored id and a number taken (also by an
/// earlier case of the same batch) are refused without touching the others; running it again
/// writes nothing twice.
pub fn batch_imports_answer_each_case(store: &dyn CaseStore) {
    assert_eq!(store.put_histories(&[]), Ok(Vec::new()));
    let source = super::MemoryStore::new();
    let mut histories = Vec::new();
    for i in 0..40 {
        let intake = if i % 2 == 0 {
            detention_intake("TAP")
        } else {
            victim_intake("TAP")
        };
        let c = open(&source, &intake);
        run(&source, &catalog(), &officer("TAP"), c.id, &note(i), now()).expect("note");
        histories.push(source.load(c.id).expect("load"));
    }
    let [a, b, c] = [0, 1, 2].map(|i| histories[i].clone());
    assert_eq!(store.put_history(&a), Ok(PutOutcome::Inserted));
    let mut tampered = c.clone();
    tampered[1].actor.user_id = "x".into();
    let b_number = load_case(&source, b[0].case_id).expect("load").number;
    let clash = opened(&victim_intake("TAP"), &b_number);
    let clash_id = clash.case_id;
    let clash = [clash];
    let batch: Vec<&[Event]> = vec![&a, &b, &tampered, &a[..1], &clash, &c, &b];
    let outcomes = store.put_histories(&batch).expect("the batch is written");
    let codes: Vec<Result<PutOutcome, &str>> = outcomes
        .iter()
        .map(|o| o.as_ref().map(|p| *p).map_err(StoreError::code))
        .collect();
    assert_eq!(
        codes,
        vec![
            Ok(PutOutcome::Unchanged),
            Ok(PutOutcome::Inserted),
            Err("history.changed"),
            Err("store.duplicate_case"),
            Err("store.number_taken"),
            Ok(PutOutcome::Inserted),
            Ok(PutOutcome::Unchanged),
        ]
    );
    for events in [&a, &b, &c] {
        assert_eq!(&store.load(events[0].case_id).expect("load"), events);
    }
    assert_eq!(store.summary(clash_id), Err(StoreError::NotFound));
    assert_eq!(store.count().expect("count"), 3);
    // The rest in one batch, then all of it again: nothing is written twice.
    let all: Vec<&[Event]> = histories.iter().map(Vec::as_slice).collect();
    let outcomes = store
        .put_histories(&all[3..])
        .expect("the batch is written");
    assert!(outcomes.iter().all(|o| o == &Ok(PutOutcome::Inserted)));
    let again = store.put_histories(&all).expect("the batch is written");
    assert!(again.iter().all(|o| o == &Ok(PutOutcome::Unchanged)));
    assert_eq!(store.count().expect("count"), 40);
    let found = ids(
        store,
        CaseQuery {
            name: Some("jose angel nunez".into()),
            ..CaseQuery::default()
        },
    );
    assert_eq!(found.len(), 20, "imported cases are indexed");
    // Numbers continue after the imported ones.
    let next = open(store, &detention_intake("TAP"));
    assert_eq!(next.number, case_number("TAP", 2026, 41));
    assert_records_match(store);
}

fn ids(store: &dyn CaseStore, query: CaseQuery) -> Vec<Uuid> {
    store
        .list(&query)
        .unwrap_or_else(|e| panic!("list failed: {}", e.code()))
        .into_iter()
        .map(|s| s.id)
        .collect()
}

/// Search by office, status, category, number, document and name (accents, case and
/// punctuation ignored; every word one person's), also after a correction.
pub fn search_finds_by_every_criterion(store: &dyn CaseStore) {
    let a = open(store, &detention_intake("TAP"));
    let b = open(store, &victim_intake("MEX"));
    run(
        store,
        &catalog(),
        &officer("MEX"),
        b.id,
        &Command::ChangeStatus {
            to: Status::InProgress,
        },
        now(),
    )
    .expect("status");
    let q = CaseQuery::default;
    assert_eq!(ids(store, q()), vec![b.id, a.id], "ordered by number");
    let by_office = CaseQuery {
        office: Some("TAP".into()),
        ..q()
    };
    assert_eq!(ids(store, by_office), vec![a.id]);
    let by_status = CaseQuery {
        status: Some(Status::InProgress),
        ..q()
    };
    assert_eq!(ids(store, by_status), vec![b.id]);
    let by_category = CaseQuery {
        category: Some("victim_of_crime".into()),
        ..q()
    };
    assert_eq!(ids(store, by_category), vec![b.id]);
    let by_number = CaseQuery {
        number: Some(a.number.clone()),
        ..q()
    };
    assert_eq!(ids(store, by_number), vec![a.id]);
    let by_document = CaseQuery {
        document_number: Some("0801-1994-04512".into()),
        ..q()
    };
    assert_eq!(ids(store, by_document), vec![a.id]);
    let no_document = CaseQuery {
        document_number: Some("0801-1994-04513".into()),
        ..q()
    };
    assert!(ids(store, no_document).is_empty());
    for name in [
        "pena guity",
        "PEÑA",
        "ana lucia peña",
        "Güity, Ana",
        "  Peña  ",
    ] {
        let by_name = CaseQuery {
            name: Some(name.into()),
            ..q()
        };
        assert_eq!(ids(store, by_name), vec![a.id], "name {name:?}");
    }
    let by_name = CaseQuery {
        name: Some("nunez oconnor".into()),
        ..q()
    };
    assert_eq!(ids(store, by_name), vec![b.id]);
    let mixed = CaseQuery {
        name: Some("pena nunez".into()),
        ..q()
    };
    assert!(ids(store, mixed).is_empty(), "words of two persons");
    let both = CaseQuery {
        office: Some("MEX".into()),
        name: Some("pena".into()),
        ..q()
    };
    assert!(ids(store, both).is_empty(), "every criterion must match");
    // A correction changes what the index finds.
    let corrected = run(
        store,
        &catalog(),
        &officer("TAP"),
        a.id,
        &Command::Correct {
            path: "/persons/0/surnames".into(),
            value: json!("Zelaya Güity"),
        },
        now(),
    )
    .expect("correction");
    assert_eq!(corrected.persons[0].surnames, "Zelaya Güity");
    let old = CaseQuery {
        name: Some("pena".into()),
        ..q()
    };
    assert!(
        ids(store, old).is_empty(),
        "the old name is no longer indexed"
    );
    let new = CaseQuery {
        name: Some("zelaya ana".into()),
        ..q()
    };
    assert_eq!(ids(store, new), vec![a.id]);
    // Summaries carry no personal data.
    let json = serde_json::to_string(&store.list(&q()).expect("list")).expect("json");
    // (Whole values: a hash, an id or a timestamp may hold "0801" by chance.)
    for personal in ["Güity", "0801-1994-04512", "\"Ana", "Ana "] {
        assert!(!json.contains(personal), "a summary holds personal data");
    }
    assert_records_match(store);
}

/// A name search finds the cases where one person bears every word, whichever word is rare or
/// common and in whatever order the words come (the SQL stores join from the rarest word).
pub fn name_searches_match_one_person_whatever_the_word_order(store: &dyn CaseStore) {
    let mut intake = detention_intake("TAP");
    let mut relative = intake.persons[0].clone();
    relative.role = crate::person::PersonRole::Relative;
    relative.relationship = Some(crate::person::Relationship::Sibling);
    relative.given_names = "Karla".into();
    relative.surnames = "Zúniga Peña".into();
    relative.documents.clear();
    intake.persons.push(relative);
    let family = open(store, &intake);
    // Many cases share "Ana" and "Peña"; one has "Zúniga".
    let common: Vec<Uuid> = (0..12)
        .map(|_| open(store, &detention_intake("TAP")).id)
        .collect();
    let found = |name: &str| {
        ids(
            store,
            CaseQuery {
                name: Some(name.into()),
                ..CaseQuery::default()
            },
        )
    };
    for name in ["Karla Zúniga", "zuniga KARLA", "peña zúniga karla"] {
        assert_eq!(found(name), vec![family.id], "name {name:?}");
    }
    for name in ["Ana Zúniga", "Zúniga Güity", "Lucía Karla"] {
        assert!(found(name).is_empty(), "words of two persons: {name:?}");
    }
    let mut everyone = vec![family.id];
    everyone.extend(&common);
    for name in ["ana pena", "PEÑA ANA GÜITY lucia"] {
        assert_eq!(found(name), everyone, "name {name:?}");
    }
    let first_page = ids(
        store,
        CaseQuery {
            name: Some("pena".into()),
            limit: Some(5),
            ..CaseQuery::default()
        },
    );
    assert_eq!(first_page, everyone[..5], "a page of a common word");

    // At most `MAX_NAME_WORDS` distinct words: more is a typed refusal, never a database error
    // (SQLite refuses a join of 64 tables), for lists and statistics records alike.
    let words = |n: usize| {
        let mut name = String::from("karla zuniga");
        (2..n).for_each(|k| name.push_str(&format!(" w{k}")));
        CaseQuery {
            name: Some(name),
            ..CaseQuery::default()
        }
    };
    assert!(
        ids(store, words(super::MAX_NAME_WORDS)).is_empty(),
        "{} words are searched",
        super::MAX_NAME_WORDS
    );
    for n in [super::MAX_NAME_WORDS + 1, 64, 200] {
        assert!(
            matches!(
                store.list(&words(n)),
                Err(StoreError::TooManyNameWords { max }) if max == super::MAX_NAME_WORDS
            ),
            "{n} words are refused"
        );
        assert!(
            matches!(
                store.records(&words(n)),
                Err(StoreError::TooManyNameWords { .. })
            ),
            "{n} words are refused for records"
        );
    }
    // Repeated words count once.
    let repeated = CaseQuery {
        name: Some("karla ".repeat(100)),
        ..CaseQuery::default()
    };
    assert_eq!(ids(store, repeated), vec![family.id]);
}

/// Lists come in case-number order, a page at a time.
pub fn lists_page_by_case_number(store: &dyn CaseStore) {
    let mut numbers: Vec<String> = (0..25)
        .map(|i| {
            let office = ["TAP", "MEX", "GUA"][i % 3];
            open(store, &detention_intake(office)).number
        })
        .collect();
    numbers.sort();
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store
            .list(&CaseQuery {
                limit: Some(7),
                after: after.clone(),
                ..Default::default()
            })
            .expect("page");
        assert!(page.len() <= 7);
        if page.is_empty() {
            break;
        }
        after = page.last().map(|s| s.number.clone());
        seen.extend(page.into_iter().map(|s| s.number));
    }
    assert_eq!(seen, numbers, "pages cover every case once, in order");
    let tap = store
        .list(&CaseQuery {
            office: Some("TAP".into()),
            limit: Some(3),
            after: Some(case_number("TAP", 2026, 2)),
            ..Default::default()
        })
        .expect("page");
    let got: Vec<String> = tap.into_iter().map(|s| s.number).collect();
    assert_eq!(
        got,
        (3..=5)
            .map(|n| case_number("TAP", 2026, n))
            .collect::<Vec<_>>()
    );
    let none = CaseQuery {
        limit: Some(0),
        ..Default::default()
    };
    assert!(ids(store, none).is_empty());
}

/// A case with a transfer pending to an office is listed for that office
/// ([`CaseQuery::reaching_office`]) and its feed entries name it, until the transfer is
/// decided; afterwards the case is the receiving office's alone.
pub fn pending_transfers_reach_the_receiving_office(store: &dyn CaseStore) {
    let tap = open(store, &detention_intake("TAP"));
    let mex = open(store, &detention_intake("MEX"));
    let reaching = |office: &str| -> BTreeSet<Uuid> {
        let query = CaseQuery {
            reaching_office: Some(office.into()),
            ..CaseQuery::default()
        };
        store
            .list(&query)
            .expect("list")
            .iter()
            .map(|s| s.id)
            .collect()
    };
    assert_eq!(reaching("TAP"), BTreeSet::from([tap.id]));
    let request = decide(
        &mex,
        &Command::RequestTransfer {
            to_office: "TAP".into(),
        },
    );
    store
        .append(mex.id, mex.version, std::slice::from_ref(&request))
        .expect("append");
    assert_eq!(reaching("TAP"), BTreeSet::from([tap.id, mex.id]));
    assert_eq!(reaching("MEX"), BTreeSet::from([mex.id]));
    let filtered = CaseQuery {
        reaching_office: Some("TAP".into()),
        office: Some("MEX".into()),
        ..CaseQuery::default()
    };
    let ids: Vec<Uuid> = store
        .list(&filtered)
        .expect("list")
        .iter()
        .map(|s| s.id)
        .collect();
    assert_eq!(ids, vec![mex.id]);
    let pending = || -> Vec<Option<String>> {
        let feed = store.feed(0, 100).expect("feed");
        feed.into_iter().map(|e| e.transfer_to).collect()
    };
    let to_tap = Some("TAP".to_owned());
    assert_eq!(pending(), vec![None, to_tap.clone(), to_tap]);
    let mut moved = mex.clone();
    history::apply(&mut moved, &request).expect("the request applies");
    let accept = workflow::execute(
        &moved,
        &catalog(),
        &officer("TAP"),
        &Command::AcceptTransfer,
        now(),
    )
    .unwrap_or_else(|e| panic!("the transfer was refused: {}", e.code()));
    store
        .append(mex.id, moved.version, &[accept])
        .expect("append");
    assert_eq!(reaching("TAP"), BTreeSet::from([tap.id, mex.id]));
    assert!(reaching("MEX").is_empty());
    assert_eq!(pending(), vec![None; 4]);
    assert_records_match(store);
}

/// Every write shows in the feed, in order, without personal data.
pub fn the_feed_follows_every_write(store: &dyn CaseStore) {
    assert!(store.feed(0, 100).expect("feed").is_empty());
    assert_eq!(store.feed_head().expect("head"), 0);
    let a = open(store, &detention_intake("TAP"));
    let b = open(store, &victim_intake("MEX"));
    let (batch, _) = notes(&a, 2);
    store.append(a.id, 1, &batch).expect("append");
    store.append(a.id, 1, &batch).expect("idempotent append");
    let source = super::MemoryStore::new();
    let c = open(&source, &detention_intake("GUA"));
    store
        .put_history(&source.load(c.id).expect("load"))
        .expect("import");
    let feed = store.feed(0, 100).expect("feed");
    let got: Vec<(Uuid, u64, &str)> = feed
        .iter()
        .map(|f| (f.case_id, f.seq, f.kind.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            (a.id, 1, "case_opened"),
            (b.id, 1, "case_opened"),
            (a.id, 2, "note_added"),
            (a.id, 3, "note_added"),
            (c.id, 1, "case_opened"),
        ],
        "one entry per event written, none for an idempotent append"
    );
    assert!(feed.windows(2).all(|w| w[0].position < w[1].position));
    assert_eq!(feed[1].number, b.number);
    assert_eq!(feed[1].office, "MEX");
    let rest = store.feed(feed[1].position, 2).expect("feed");
    assert_eq!(rest, feed[2..4].to_vec());
    assert!(store.feed(feed[4].position, 10).expect("feed").is_empty());
    assert_eq!(store.feed_head().expect("head"), feed[4].position);
    let json = serde_json::to_string(&feed).expect("json");
    assert!(!json.contains("Peña") && !json.contains("nota"));
}

/// A history of a thousand events is stored, loaded and verified whole.
pub fn large_histories_load_whole(store: &dyn CaseStore) {
    let case = open(store, &detention_intake("TAP"));
    let (batch, after) = notes(&case, 600);
    assert_eq!(store.append(case.id, 1, &batch), Ok(601));
    let mut case = after;
    for i in 0..399 {
        let e = decide(&case, &note(i));
        store
            .append(case.id, case.version, std::slice::from_ref(&e))
            .expect("append");
        history::apply(&mut case, &e).expect("applies");
    }
    let events = store.load(case.id).expect("load");
    assert_eq!(events.len(), 1000);
    assert_eq!(history::verify(&events).expect("verifies").head, case.head);
    assert_eq!(load_case(store, case.id).expect("replays"), case);
    let mut lent = Vec::new();
    store
        .read_events(case.id, &mut |e| lent = e.to_vec())
        .expect("read_events");
    assert_eq!(lent, events, "read_events lends what load gives");
}

/// 64 threads append at the same version: exactly one wins, every other gets a conflict
/// naming version 2, and after retries all 64 notes are there, numbered without gaps.
pub fn sixty_four_writers_at_one_version(store: &dyn CaseStore) {
    let case = open(store, &detention_intake("TAP"));
    let barrier = Barrier::new(64);
    let firsts: Vec<Result<u64, StoreError>> = std::thread::scope(|s| {
        let threads: Vec<_> = (0..64)
            .map(|i| {
                let (case, barrier) = (&case, &barrier);
                s.spawn(move || {
                    let event = decide(case, &note(i));
                    barrier.wait();
                    let first = store.append(case.id, case.version, std::slice::from_ref(&event));
                    barrier.wait();
                    let mut outcome = first.clone();
                    while outcome.is_err() {
                        outcome = run(store, &catalog(), &officer("TAP"), case.id, &note(i), now())
                            .map(|c| c.version);
                    }
                    first
                })
            })
            .collect();
        threads
            .into_iter()
            .map(|t| t.join().expect("a writer thread"))
            .collect()
    });
    assert_eq!(firsts.iter().filter(|r| r.is_ok()).count(), 1, "one winner");
    for r in &firsts {
        if let Err(e) = r {
            assert_eq!(e, &StoreError::Conflict { current: 2 });
        }
    }
    let events = store.load(case.id).expect("load");
    assert_eq!(events.len(), 65);
    assert!(events.iter().zip(1..).all(|(e, seq)| e.seq == seq));
    history::verify(&events).expect("verifies");
    let notes: BTreeSet<String> = history::replay(&events)
        .expect("replays")
        .notes
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(notes.len(), 64, "a note was lost");
    assert_records_match(store);
}

/// Unknown ids are `store.not_found`.
pub fn unknown_cases_are_not_found(store: &dyn CaseStore) {
    let id = Uuid::now_v7();
    assert_eq!(store.load(id), Err(StoreError::NotFound));
    assert_eq!(
        store.read_events(id, &mut |_| panic!("no events to lend")),
        Err(StoreError::NotFound)
    );
    assert_eq!(store.summary(id), Err(StoreError::NotFound));
    let elsewhere = open(&super::MemoryStore::new(), &detention_intake("TAP"));
    let (events, _) = notes(&elsewhere, 1);
    assert_eq!(
        store.append(elsewhere.id, 1, &events),
        Err(StoreError::NotFound)
    );
    assert_eq!(store.count().expect("count"), 0);
}

/// The statistics records of every case in `store` are those of its history
/// ([`CaseRecord::from_history`]), read a page of three at a time, and the records of the
/// cases a query matches are those of the cases [`CaseStore::list`] gives for it.
pub fn assert_records_match(store: &dyn CaseStore) {
    let catalog = catalog();
    let mut query = CaseQuery {
        limit: Some(3),
        ..CaseQuery::default()
    };
    let mut seen = 0;
    loop {
        let records = store
            .records(&query)
            .unwrap_or_else(|e| panic!("records failed: {}", e.code()));
        let summaries = store.list(&query).expect("list");
        assert_eq!(
            records.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            summaries.iter().map(|s| &s.number).collect::<Vec<_>>(),
            "records are those of the cases list gives, in the same order"
        );
        for ((number, record), summary) in records.iter().zip(&summaries) {
            let events = store.load(summary.id).expect("load");
            let replayed = CaseRecord::from_history(&events, &catalog).expect("replays");
            // The record key is the store's own (random, kept): the rest is the history's.
            assert_eq!(
                record.clone().keyed(0).resolve(&catalog),
                replayed,
                "the record of {number} is its history's"
            );
        }
        seen += records.len();
        match records.last() {
            Some((last, _)) if records.len() == 3 => query.after = Some(last.clone()),
            _ => break,
        }
    }
    assert_eq!(
        seen as u64,
        store.count().expect("count"),
        "every case has a record"
    );
    let Some(first) = store
        .list(&CaseQuery::default())
        .expect("list")
        .first()
        .cloned()
    else {
        return;
    };
    let by_office = CaseQuery {
        office: Some(first.office.clone()),
        ..CaseQuery::default()
    };
    let numbers: Vec<String> = store
        .records(&by_office)
        .expect("records")
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let listed: Vec<String> = store
        .list(&by_office)
        .expect("list")
        .into_iter()
        .map(|s| s.number)
        .collect();
    assert_eq!(
        numbers, listed,
        "a query filters records as it filters lists"
    );
}

/// The statistics records follow creations, appends (status changes, notes, services, a
/// closure, a correction, a transfer) and imports.
pub fn statistics_records_follow_every_write(store: &dyn CaseStore) {
    assert!(
        store
            .records(&CaseQuery::default())
            .expect("records")
            .is_empty()
    );
    let a = open(store, &detention_intake("TAP"));
    let b = open(store, &victim_intake("MEX"));
    assert_records_match(store);
    let later = now() + chrono::TimeDelta::hours(5);
    let tap = officer("TAP");
    for command in [
        Command::ChangeStatus {
            to: Status::InProgress,
        },
        note(1),
        Command::ChangeStatus {
            to: Status::Resolved,
        },
        Command::Close {
            outcome: Some("released".into()),
        },
    ] {
        run(store, &catalog(), &tap, a.id, &command, later)
            .unwrap_or_else(|e| panic!("the command failed: {}", e.code()));
        assert_records_match(store);
    }
    let (events, _) = notes(&b, 2);
    store.append(b.id, 1, &events).expect("append");
    // The same events again: idempotent, and the record stays.
    store.append(b.id, 1, &events).expect("append again");
    assert_records_match(store);
    let source = super::MemoryStore::new();
    let c = open(&source, &victim_intake("GUA"));
    run(&source, &catalog(), &officer("GUA"), c.id, &note(3), later).expect("note");
    let imported = source.load(c.id).expect("load");
    assert_eq!(store.put_history(&imported), Ok(PutOutcome::Inserted));
    assert_records_match(store);
    let closed = store
        .records(&CaseQuery {
            number: Some(a.number.clone()),
            ..CaseQuery::default()
        })
        .expect("records");
    let [(_, record)] = closed.as_slice() else {
        panic!("one record for one number")
    };
    let record = record.clone().resolve(&catalog());
    assert_eq!(record.status, Status::Closed);
    assert_eq!(record.first_action_at, Some(later));
    assert_eq!(record.closed_at, Some(later));
    assert_eq!(&*record.category, "detention");
}

/// Closes `case` (in progress, resolved, closed with `outcome`) at `at`, as an officer of its
/// office.
pub fn close_case(store: &dyn CaseStore, case: &Case, outcome: &str, at: DateTime<Utc>) {
    let actor = officer(&case.office);
    for command in [
        Command::ChangeStatus {
            to: Status::InProgress,
        },
        Command::ChangeStatus {
            to: Status::Resolved,
        },
        Command::Close {
            outcome: Some(outcome.into()),
        },
    ] {
        run(store, &catalog(), &actor, case.id, &command, at)
            .unwrap_or_else(|e| panic!("the command failed: {}", e.code()));
    }
}

/// An erasure removes every personal value from the stored events and the search index and the
/// case's files, keeps the chain verifiable and the statistics record, refuses open cases and
/// officers, and leaves the case usable (a later note is stored and read back);
/// [`crate::erasure::erase_due`] erases exactly the cases whose retention ran out, files
/// included.
pub fn erasure_forgets_values_and_keeps_the_chain(store: &dyn CaseStore) {
    use crate::blobs::{BlobStore, DirectoryBlobs};
    use crate::erasure::{DueReport, erase_case, erase_due};
    let folder = std::env::temp_dir().join(format!("siproc-kit-files-{}", uuid::Uuid::now_v7()));
    let files = DirectoryBlobs::new(&folder).expect("a folder for the files");
    let file = |case: uuid::Uuid| {
        crate::blobs::put(&files, None, case, b"acta de detencion").expect("a file");
    };
    let director = Actor::new("director-1", Role::Directorate, "DGPHM");
    let a = open(store, &detention_intake("TAP"));
    // Another case's file (its case need not be stored for the blob store).
    let kept = uuid::Uuid::now_v7();
    file(a.id);
    file(kept);
    run(
        store,
        &catalog(),
        &officer("TAP"),
        a.id,
        &Command::AddNote {
            text: "Llamó la hermana Rosaura al 9999-0000".into(),
            written_on: None,
        },
        now(),
    )
    .expect("note");
    let refused =
        erase_case(store, &files, &director, a.id, "solicitud 17/2026", now()).unwrap_err();
    assert_eq!(
        refused.code(),
        "workflow.wrong_status",
        "an open case is not erased"
    );
    close_case(store, &a, "released", now());
    let refused = erase_case(store, &files, &officer("TAP"), a.id, "x", now()).unwrap_err();
    assert_eq!(refused.code(), "workflow.role_not_allowed");
    let by_number = CaseQuery {
        number: Some(a.number.clone()),
        ..CaseQuery::default()
    };
    let record_before = store.records(&by_number).expect("records");
    assert_eq!(
        files.list(a.id).expect("list").len(),
        1,
        "a refusal keeps the files"
    );
    let erased =
        erase_case(store, &files, &director, a.id, "solicitud 17/2026", now()).expect("erased");
    assert!(files.list(a.id).expect("list").is_empty(), "its files go");
    assert_eq!(files.list(kept).expect("list").len(), 1, "others' stay");
    assert!(
        erased.erased.contains(&"/persons/0".to_owned()),
        "{:?}",
        erased.erased
    );
    assert!(
        erased
            .persons
            .iter()
            .all(|p| p.given_names.is_empty() && p.documents.is_empty())
    );
    assert!(erased.notes.iter().all(|n| n.text.is_empty()));
    // A list that names its cases names those the reader sees, never an erased national, and
    // answers one access-log entry per case named.
    let b = open(store, &victim_intake("TAP"));
    let summaries = || [a.id, b.id].map(|id| store.summary(id).expect("summary"));
    let mut listed = summaries();
    let reads = super::name_summaries(store, &director, &mut listed, now()).expect("named");
    assert_eq!(listed[0].name, None, "an erased national has no name");
    assert_eq!(listed[1].name.as_deref(), Some("José Ángel Núñez O'Connor"));
    assert_eq!(reads.len(), 1);
    assert_eq!(
        (reads[0].case_id, reads[0].what),
        (b.id, crate::access::ReadKind::List)
    );
    let mut listed = summaries();
    let reads = super::name_summaries(store, &officer("MEX"), &mut listed, now()).expect("named");
    assert!(
        reads.is_empty() && listed.iter().all(|s| s.name.is_none()),
        "another office's"
    );
    let events = store.load(a.id).expect("loads");
    history::verify(&events).expect("the whole chain still verifies");
    let text = serde_json::to_string(&events).expect("json");
    // Whole values only: a hash or a salt holds "0801" or "04512" by chance (about one run in
    // fifty failed on that).
    for value in [
        "Peña",
        "Güity",
        "0801-1994-04512",
        "0801199404512",
        "Rosaura",
        "9999-0000",
        "99990000",
    ] {
        assert!(!text.contains(value), "an erased value is still stored");
    }
    assert_eq!(load_case(store, a.id).expect("loads"), erased);
    for query in [
        CaseQuery {
            name: Some("Peña Güity".into()),
            ..CaseQuery::default()
        },
        CaseQuery {
            document_number: Some("0801-1994-04512".into()),
            ..CaseQuery::default()
        },
    ] {
        assert!(
            store.list(&query).expect("search").is_empty(),
            "erased terms are found"
        );
    }
    assert_eq!(store.records(&by_number).expect("records"), record_before);
    // Erasing again removes files an interrupted erasure left.
    file(a.id);
    let again = erase_case(store, &files, &director, a.id, "otra vez", now()).unwrap_err();
    assert_eq!(again.code(), "workflow.nothing_to_erase");
    assert!(files.list(a.id).expect("list").is_empty(), "finished");
    // A closed case still takes a note: its new value is stored (and encrypted) as any other.
    let noted = run(store, &catalog(), &officer("TAP"), a.id, &note(7), now()).expect("note");
    assert_eq!(noted.notes.last().map(|n| n.text.as_str()), Some("nota 7"));
    assert_eq!(
        store.records(&by_number).expect("records"),
        record_before,
        "a later step of an erased case keeps its national's facts in statistics"
    );
    let events = store.load(a.id).expect("loads");
    history::verify(&events).expect("verifies");
    assert_eq!(load_case(store, a.id).expect("loads"), noted);

    // Retention: detention closed as `released` is kept five years (the Honduran pack). The
    // first case is due again: its note written after the erasure is personal data too.
    let b = open(store, &detention_intake("TAP"));
    file(b.id);
    close_case(store, &b, "released", now());
    let years = |n: i64| now() + chrono::TimeDelta::days(365 * n + 2);
    let early = erase_due(store, &files, &catalog(), &director, years(4), false).expect("runs");
    assert_eq!((early.due, early.erased), (0, 0));
    let dry = erase_due(store, &files, &catalog(), &director, years(5), true).expect("runs");
    assert_eq!((dry.due, dry.erased), (2, 0), "{dry:?}");
    assert!(
        !load_case(store, b.id).expect("loads").persons[0]
            .given_names
            .is_empty()
    );
    let done = erase_due(store, &files, &catalog(), &director, years(5), false).expect("runs");
    assert_eq!((done.due, done.erased), (2, 2), "{done:?}");
    assert!(files.list(b.id).expect("list").is_empty(), "its files go");
    assert!(
        load_case(store, b.id).expect("loads").persons[0]
            .given_names
            .is_empty()
    );
    let rerun = erase_due(store, &files, &catalog(), &director, years(5), false).expect("runs");
    assert_eq!(
        rerun,
        DueReport {
            checked: 2,
            ..DueReport::default()
        }
    );
    let _ = std::fs::remove_dir_all(&folder);
}

/// Withdrawing consent to share with partners cancels the referrals still pending (the event
/// names them, and the stored case replays them cancelled), refuses new ones, and marks the
/// statistics record the store keeps, so that partners' releases leave the case out; consent to
/// share given again brings it back.
pub fn consent_withdrawal_is_kept_in_the_records(store: &dyn CaseStore) {
    use crate::case::{Consent, ConsentScope, ReferralStatus};
    use crate::history::EventKind;
    use crate::stats::releases::{Period, counts_in_release};
    let a = open(store, &detention_intake("TAP"));
    let b = open(store, &detention_intake("TAP"));
    let on =
        |id: Uuid, command: &Command| run(store, &catalog(), &officer("TAP"), id, command, now());
    let refer = Command::Refer {
        partner: "iom".into(),
        reason: Some("Asesoría legal".into()),
    };
    let referred = on(a.id, &refer).expect("referred");
    let withdrawn = on(
        a.id,
        &Command::WithdrawConsent {
            scope: vec![ConsentScope::ShareWithPartners],
        },
    )
    .expect("withdrawn");
    assert!(withdrawn.sharing_withdrawn);
    assert_eq!(withdrawn.referrals[0].status, ReferralStatus::Cancelled);
    assert_eq!(load_case(store, a.id).expect("loads"), withdrawn);
    let events = store.load(a.id).expect("loads");
    assert_eq!(
        events.last().map(|e| &e.kind),
        Some(&EventKind::ConsentWithdrawn {
            scope: vec![ConsentScope::ShareWithPartners],
            cancelled_referrals: vec![referred.referrals[0].id],
        }),
        "the withdrawal names the referral it cancelled"
    );
    let refused = on(a.id, &refer).unwrap_err();
    assert_eq!(refused.code(), "workflow.consent_missing");

    let record = |c: &Case| {
        let by_number = CaseQuery {
            number: Some(c.number.clone()),
            ..CaseQuery::default()
        };
        let mut records = store.records(&by_number).expect("records");
        assert_eq!(records.len(), 1);
        records.remove(0).1.resolve(&catalog())
    };
    let closes = Period::parse("2026-03")
        .and_then(|p| p.closes_at())
        .expect("March 2026 closes");
    let kept = record(&withdrawn);
    assert!(kept.sharing_withdrawn, "the store keeps the withdrawal");
    assert_eq!(
        kept.referrals,
        vec![("iom".into(), ReferralStatus::Cancelled)]
    );
    assert!(
        !counts_in_release(&kept, closes),
        "partners' releases leave it out"
    );
    assert!(!record(&b).sharing_withdrawn);
    assert!(counts_in_release(&record(&b), closes));

    let again = Consent {
        given: true,
        given_by: 0,
        recorded_on: now().date_naive(),
        scope: vec![ConsentScope::Processing, ConsentScope::ShareWithPartners],
    };
    let given = on(a.id, &Command::RecordConsent { consent: again }).expect("recorded");
    assert!(!given.sharing_withdrawn);
    assert!(counts_in_release(&record(&given), closes));
    on(a.id, &refer).expect("referred again");
}

/// Subject access ([`crate::subject_access::find`]) finds a person by document number and by
/// name (in any order, without accents) through the store's search, in every case that holds
/// them and only those, with what each case holds, who read it and whom it was shared with.
#[cfg(feature = "sqlite")]
pub fn subject_access_finds_the_person_through_the_index(store: &dyn CaseStore) {
    use crate::access::{Access, AccessEntry, ReadKind};
    use crate::subject_access::{SubjectQuery, find};
    let records = super::Records::in_memory().expect("records");
    // Ana Lucía Peña Güity (DNI 0801-1994-04512), twice; José Ángel Núñez O'Connor once.
    let a = open(store, &detention_intake("TAP"));
    let b = open(store, &detention_intake("MIA"));
    let c = open(store, &victim_intake("MAD"));
    let on = |id: Uuid, command: &Command| {
        run(store, &catalog(), &officer("TAP"), id, command, now()).expect("ran")
    };
    on(
        a.id,
        &Command::AddNote {
            text: "Se habló con la madre".into(),
            written_on: None,
        },
    );
    on(
        a.id,
        &Command::Refer {
            partner: "iom".into(),
            reason: None,
        },
    );
    let read = AccessEntry::new(
        &officer("TAP"),
        a.id,
        ReadKind::Case,
        Access::Office,
        now(),
        None,
    );
    records.log_access(&read).expect("logged");
    let query = |document: Option<&str>, name: Option<&str>| SubjectQuery {
        document_number: document.map(str::to_owned),
        name: name.map(str::to_owned),
    };
    let numbers = |q: &SubjectQuery| -> Vec<String> {
        find(store, &records, q, now())
            .expect("a report")
            .cases
            .into_iter()
            .map(|c| c.number)
            .collect()
    };
    let mut hers = vec![a.number.clone(), b.number.clone()];
    hers.sort();
    let report = find(
        store,
        &records,
        &query(Some("0801 1994 04512"), None),
        now(),
    )
    .expect("report");
    assert_eq!(report.searched_by, vec!["document_number".to_owned()]);
    let found: Vec<&str> = report.cases.iter().map(|c| c.number.as_str()).collect();
    assert_eq!(found, hers.iter().map(String::as_str).collect::<Vec<_>>());
    let held = report
        .cases
        .iter()
        .find(|h| h.case_id == a.id)
        .expect("her case");
    assert_eq!(held.subject.len(), 1);
    assert_eq!(held.subject[0].person.surnames, "Peña Güity");
    assert_eq!(held.notes[0].text, "Se habló con la madre");
    assert_eq!(held.shared_with[0].partner, "iom");
    assert_eq!(held.reads, vec![read]);
    assert!(
        held.events_holding_values
            .contains(&"/events/0/kind/data/persons/0".to_owned())
    );
    assert_eq!((report.reads(), report.shares()), (1, 1));

    assert_eq!(numbers(&query(None, Some("guity PENA ana"))), hers);
    assert_eq!(numbers(&query(Some("0801199404512"), Some("Peña"))), hers);
    assert_eq!(numbers(&query(None, Some("Núñez"))), vec![c.number.clone()]);
    assert!(numbers(&query(Some("0801-1994-04512"), Some("Núñez"))).is_empty());
    assert!(
        numbers(&query(None, Some("Ana Núñez"))).is_empty(),
        "one person holds every word"
    );
    let none = find(store, &records, &query(Some(" - "), Some(",")), now()).unwrap_err();
    assert_eq!(none.code(), "subject_access.no_terms");
    #[cfg(feature = "pdf")]
    {
        let pdf = crate::subject_access::render_pdf(&report, &catalog(), crate::Locale::En)
            .expect("printed");
        assert!(pdf.starts_with(b"%PDF-"));
    }
}
