//! Commands: reading a command from JSON (`from_json_text::<Command>`, as the server and the
//! bindings do) and running it on cases in several statuses, by each kind of actor. Oracle: no
//! panic; a command read writes back to JSON that reads as the same command; an accepted
//! command's event applies, and the history still verifies and replays.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use siproc_core::history;
use siproc_core::workflow::{self, Command};
use siproc_core::{Actor, Case, Locale, Role, Status, from_json_text};
use siproc_fuzz::{
    assert_sound, catalog, directorate, now, officer, open_case, sample_intake, supervisor, text,
};

/// The detention and victim-of-crime samples, each registered, in progress, resolved, closed.
fn cases() -> &'static [(Case, Vec<history::Event>)] {
    static CASES: OnceLock<Vec<(Case, Vec<history::Event>)>> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut all = Vec::new();
        for name in ["detention", "victim_of_crime"] {
            let (mut case, mut events) = open_case(&sample_intake(name, "TAP"));
            all.push((case.clone(), events.clone()));
            for to in [Status::InProgress, Status::Resolved] {
                let event = workflow::execute(
                    &case,
                    catalog(),
                    &directorate(),
                    &Command::ChangeStatus { to },
                    now(),
                )
                .unwrap();
                history::apply(&mut case, &event).unwrap();
                events.push(event);
                all.push((case.clone(), events.clone()));
            }
            let steps = [
                Command::RequestClosure {
                    outcome: "resolved_ok".into(),
                },
                Command::ApproveClosure,
                Command::Close { outcome: None },
            ];
            for command in &steps {
                let event =
                    workflow::execute(&case, catalog(), &directorate(), command, now()).unwrap();
                history::apply(&mut case, &event).unwrap();
                events.push(event);
            }
            all.push((case, events));
        }
        all
    })
}

fn actors() -> [Actor; 6] {
    [
        officer("TAP"),
        supervisor("TAP"),
        directorate(),
        officer("MEX"),
        Actor::new("partner-1", Role::Partner, "TAP"),
        Actor::new("auditor-1", Role::Auditor, "DGPHM"),
    ]
}

fuzz_target!(|data: &[u8]| {
    let Some(json) = text(data) else { return };
    let Ok(command) = from_json_text::<Command>(json, Locale::Es) else {
        return;
    };
    let written = serde_json::to_string(&command).unwrap();
    let again: Command = from_json_text(&written, Locale::Es).unwrap();
    assert_eq!(again, command, "a command reads back as written");
    for (case, events) in cases() {
        for actor in &actors() {
            let decided = workflow::decide(case, catalog(), actor, &command, now());
            match workflow::execute(case, catalog(), actor, &command, now()) {
                Ok(event) => {
                    assert!(decided.is_ok(), "decide and execute agree");
                    let mut after = case.clone();
                    history::apply(&mut after, &event).unwrap();
                    let mut longer = events.clone();
                    longer.push(event);
                    assert_sound(&longer, &after);
                }
                Err(e) => assert_eq!(decided.err().map(|d| d.code()), Some(e.code())),
            }
        }
    }
});
