//! History: replay rebuilds what the commands built; every mutation of a history is detected.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

mod common;

use std::sync::OnceLock;

use common::*;
use proptest::prelude::*;
use serde_json::{Value, json};
use siproc_core::history::{
    self, Anchor, Event, EventKind, Tamper, replay, verify, verify_against,
};
use siproc_core::workflow::{self, Command};
use siproc_core::{ConsentScope, Status};

fn anchor(events: &[Event]) -> Anchor {
    verify(events).unwrap()
}

fn busy() -> &'static (siproc_core::Case, Vec<Event>) {
    static CASE: OnceLock<(siproc_core::Case, Vec<Event>)> = OnceLock::new();
    CASE.get_or_init(|| busy_case("TAP", 6))
}

fn other() -> &'static Vec<Event> {
    static CASE: OnceLock<Vec<Event>> = OnceLock::new();
    CASE.get_or_init(|| busy_case("TAP", 6).1)
}

#[test]
fn a_history_verifies_and_replays_to_the_case_the_commands_built() {
    let (case, events) = busy();
    let a = verify(events).unwrap();
    assert_eq!(a.version, events.len() as u64);
    assert_eq!(&a.head, &case.head);
    assert_eq!(&replay(events).unwrap(), case);
    // Through JSON and back, as a store or an archive would keep it.
    let json = serde_json::to_string(events).unwrap();
    let back: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(&back, events);
    assert_eq!(&replay(&back).unwrap(), case);
}

#[test]
fn the_first_event_links_to_64_zeros_and_each_to_its_predecessor() {
    let (_, events) = busy();
    assert_eq!(events[0].prev_hash, "0".repeat(64));
    for pair in events.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash);
        assert_eq!(pair[1].seq, pair[0].seq + 1);
    }
}

#[test]
fn a_correction_is_a_new_event_and_the_intake_value_stays() {
    let (case, events) = busy();
    assert_eq!(
        case.facts["facility"],
        json!("Estación Migratoria Tapachula")
    );
    let EventKind::CaseOpened(opened) = &events[0].kind else {
        panic!("first event is not case_opened")
    };
    assert_eq!(
        opened.facts.value().unwrap()["facility"],
        json!("Estación Siglo XXI")
    );
    let correction = events
        .iter()
        .find_map(|e| match &e.kind {
            EventKind::FactsCorrected { path, old, new, .. } => Some((path, old, new)),
            _ => None,
        })
        .unwrap();
    assert_eq!(correction.0, "/facts/facility");
    assert_eq!(correction.1.value(), Some(&json!("Estación Siglo XXI")));
    assert_eq!(
        correction.2.value(),
        Some(&json!("Estación Migratoria Tapachula"))
    );
}

#[test]
fn sealed_values_are_hashed_by_commitment_only() {
    let (_, events) = busy();
    let form = String::from_utf8(history::hashed_form(&events[0]).unwrap()).unwrap();
    assert!(
        !form.contains("Peña"),
        "a personal value reached the hashed form"
    );
    assert!(!form.contains("salt"));
    assert!(form.contains("\"commitment\":"));
    // Debug output of events shows commitments, not values.
    assert!(!format!("{:?}", events[0]).contains("Peña"));
}

#[test]
fn verify_names_the_first_bad_event_and_why() {
    let (_, events) = busy();
    let a = anchor(events);
    let reason = |evs: &[Event]| verify_against(evs, &a).unwrap_err();

    let mut changed = events.clone();
    changed[3].actor.user_id.push('x');
    let e = reason(&changed);
    assert_eq!(
        (e.tamper(), e.code()),
        (Some(Tamper::Changed), "history.changed")
    );
    assert!(matches!(
        e,
        history::HistoryError::Tampered { index: 3, .. }
    ));

    let mut removed = events.clone();
    removed.remove(4);
    let e = reason(&removed);
    assert_eq!(e.tamper(), Some(Tamper::Removed));
    assert!(matches!(
        e,
        history::HistoryError::Tampered {
            index: 4,
            seq: 6,
            ..
        }
    ));

    let mut swapped = events.clone();
    swapped.swap(2, 3);
    assert_eq!(reason(&swapped).tamper(), Some(Tamper::Reordered));

    let mut duplicated = events.clone();
    duplicated.insert(5, events[2].clone());
    assert_eq!(reason(&duplicated).tamper(), Some(Tamper::Inserted));

    let truncated = &events[..events.len() - 2];
    let e = reason(truncated);
    assert_eq!(e.tamper(), Some(Tamper::Truncated));
    assert_eq!(e.code(), "history.truncated");

    let mut foreign = events.clone();
    foreign[5] = other()[5].clone();
    assert_eq!(reason(&foreign).tamper(), Some(Tamper::ForeignCase));

    // An event forged for this case with valid hash and links, inserted in the middle.
    let mut forged_case = replay(&events[..4]).unwrap();
    forged_case.version = 4;
    let forged = workflow::execute(
        &forged_case,
        &catalog(),
        &officer("TAP"),
        &Command::AddNote {
            text: "nota falsa".into(),
            written_on: None,
        },
        now(),
    )
    .unwrap();
    let mut inserted = events.clone();
    inserted.insert(4, forged);
    let e = reason(&inserted);
    assert_eq!(e.tamper(), Some(Tamper::Inserted));
    assert!(matches!(
        e,
        history::HistoryError::Tampered { index: 4, .. }
    ));

    // Error messages name positions and reasons, never values.
    assert!(!e.to_string().contains("nota"));
}

#[test]
fn a_changed_personal_value_breaks_its_commitment() {
    let (_, events) = busy();
    let mut changed = events.clone();
    let EventKind::CaseOpened(opened) = &mut changed[0].kind else {
        panic!()
    };
    opened.persons[0].value.as_mut().unwrap().surnames = "Peña Güiti".into();
    let e = verify(&changed).unwrap_err();
    assert_eq!(e.tamper(), Some(Tamper::Changed));
}

// ---- Every single mutation is detected --------------------------------------------------

/// Pointers to every leaf of a JSON value.
fn leaves(v: &Value, at: String, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                leaves(
                    x,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter().enumerate() {
                leaves(x, format!("{at}/{i}"), out);
            }
        }
        _ => out.push(at),
    }
}

/// Changes one character (or digit, or boolean) of the leaf.
fn mutate(v: &mut Value, pick: usize) {
    match v {
        Value::String(s) => {
            let mut chars: Vec<char> = s.chars().collect();
            if chars.is_empty() {
                chars.push('x');
            } else {
                let i = pick % chars.len();
                chars[i] = match chars[i] {
                    '0' => '1',
                    'a' => 'b',
                    c if c.is_ascii_digit() => '0',
                    _ => 'a',
                };
            }
            *s = chars.into_iter().collect();
        }
        Value::Number(n) => *v = json!(n.as_u64().map_or(1, |n| n ^ (1 << (pick % 8)))),
        Value::Bool(b) => *b = !*b,
        Value::Null => *v = json!("x"),
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    Leaf {
        event: usize,
        leaf: usize,
        pick: usize,
    },
    Drop(usize),
    Swap(usize, usize),
    Duplicate {
        from: usize,
        to: usize,
    },
    Truncate(usize),
    Splice(usize),
    InsertForeign {
        from: usize,
        to: usize,
    },
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let n = busy().1.len();
    prop_oneof![
        4 => (0..n, any::<usize>(), any::<usize>())
            .prop_map(|(event, leaf, pick)| Mutation::Leaf { event, leaf, pick }),
        1 => (0..n).prop_map(Mutation::Drop),
        1 => (0..n, 0..n)
            .prop_filter("distinct", |(a, b)| a != b)
            .prop_map(|(a, b)| Mutation::Swap(a, b)),
        1 => (0..n, 0..=n).prop_map(|(from, to)| Mutation::Duplicate { from, to }),
        1 => (0..n).prop_map(Mutation::Truncate),
        1 => (0..n).prop_map(Mutation::Splice),
        1 => (0..n, 0..=n).prop_map(|(from, to)| Mutation::InsertForeign { from, to }),
    ]
}

/// Applies the mutation; `None` when it happens to change nothing.
fn apply_mutation(events: &[Event], m: &Mutation) -> Option<Result<Vec<Event>, ()>> {
    let mut out = events.to_vec();
    match *m {
        Mutation::Leaf { event, leaf, pick } => {
            let mut v = serde_json::to_value(&events[event]).unwrap();
            let mut ptrs = Vec::new();
            leaves(&v, String::new(), &mut ptrs);
            let ptr = &ptrs[leaf % ptrs.len()];
            mutate(v.pointer_mut(ptr).unwrap(), pick);
            // A mutation that no longer parses as an event is caught by parsing.
            let Ok(e) = serde_json::from_value::<Event>(v) else {
                return Some(Err(()));
            };
            if e == events[event] {
                return None;
            }
            out[event] = e;
        }
        Mutation::Drop(i) => {
            out.remove(i);
        }
        Mutation::Swap(a, b) => out.swap(a, b),
        Mutation::Duplicate { from, to } => out.insert(to, events[from].clone()),
        Mutation::Truncate(k) => out.truncate(k),
        Mutation::Splice(i) => out[i] = other()[i].clone(),
        Mutation::InsertForeign { from, to } => out.insert(to, other()[from].clone()),
    }
    Some(Ok(out))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn every_single_mutation_is_detected(m in mutation()) {
        let (_, events) = busy();
        let a = anchor(events);
        match apply_mutation(events, &m) {
            None => {}
            Some(Err(())) => {}
            Some(Ok(mutated)) => {
                let result = verify_against(&mutated, &a);
                prop_assert!(result.is_err(), "undetected: {:?}", m);
            }
        }
    }
}

// ---- Replaying any valid command sequence ------------------------------------------------

fn command() -> impl Strategy<Value = Command> {
    let status = prop_oneof![
        Just(Status::Registered),
        Just(Status::InProgress),
        Just(Status::AwaitingAuthority),
        Just(Status::Resolved),
        Just(Status::Closed),
    ];
    prop_oneof![
        status.prop_map(|to| Command::ChangeStatus { to }),
        "[a-zñáé ]{1,20}".prop_map(|text| Command::AddNote {
            text,
            written_on: None
        }),
        Just(Command::RecordService {
            kind: "legal_assistance".into(),
            given_on: now().date_naive(),
            description: None,
        }),
        "[A-Za-zñ ]{1,12}".prop_map(|v| Command::Correct {
            path: "/facts/authority".into(),
            value: json!(format!("Autoridad {v}")),
        }),
        Just(Command::Correct {
            path: "/persons/0/sex".into(),
            value: json!("female")
        }),
        Just(Command::Refer {
            partner: "unicef".into(),
            reason: None
        }),
        Just(Command::RequestTransfer {
            to_office: "MEX".into()
        }),
        Just(Command::AcceptTransfer),
        Just(Command::RejectTransfer),
        Just(Command::WithdrawConsent {
            scope: vec![ConsentScope::ShareWithPartners]
        }),
        Just(Command::RequestClosure {
            outcome: "released".into()
        }),
        Just(Command::ApproveClosure),
        Just(Command::Close {
            outcome: Some("released".into())
        }),
        Just(Command::Reopen {
            reason: Some("nueva detención".into())
        }),
        Just(Command::Archive),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn replay_gives_the_state_the_commands_built(commands in prop::collection::vec(command(), 0..40)) {
        let catalog = catalog();
        let (mut case, mut events) = open(&detention_intake("TAP"), "TAP-2026-000001");
        let actors = [officer("TAP"), supervisor("TAP"), officer("MEX"), directorate()];
        for (i, c) in commands.iter().enumerate() {
            let actor = &actors[i % actors.len()];
            if let Ok(event) = workflow::execute(&case, &catalog, actor, c, now()) {
                history::apply(&mut case, &event).unwrap();
                events.push(event);
            }
        }
        prop_assert_eq!(verify(&events).unwrap().head, case.head.clone());
        prop_assert_eq!(&replay(&events).unwrap(), &case);
        let json = serde_json::to_string(&events).unwrap();
        let back: Vec<Event> = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(&replay(&back).unwrap(), &case);
    }
}
