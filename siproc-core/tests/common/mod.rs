//! Fixtures shared by the history, workflow, store and archive tests.
// Test helpers: a failure here is a broken fixture, so panicking is the point.
#![allow(
    dead_code,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use chrono::{DateTime, TimeZone, Utc};
use serde_json::json;
use siproc_core::Intake;
use siproc_core::history::{self, Event, FreshEvent};
use siproc_core::workflow::{self, Command};
use siproc_core::{Actor, Role};
use siproc_core::{Case, Catalog};
use uuid::Uuid;

pub fn catalog() -> Catalog {
    Catalog::honduras().unwrap()
}

pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 15, 4, 5).unwrap()
}

pub fn officer(office: &str) -> Actor {
    Actor::new(format!("officer-{office}"), Role::Officer, office)
}

pub fn supervisor(office: &str) -> Actor {
    Actor::new(format!("supervisor-{office}"), Role::Supervisor, office)
}

pub fn directorate() -> Actor {
    Actor::new("dgphm-1", Role::Directorate, "DGPHM")
}

/// The sample intake `name` at `office`: the store kit's (`store::testkit::sample_intake`),
/// written once in `tests/fixtures/intakes.json`.
fn sample(name: &str, office: &str) -> Intake {
    let samples: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/intakes.json")).unwrap();
    let mut intake: Intake = serde_json::from_value(samples[name].clone()).unwrap();
    intake.office = office.to_owned();
    intake
}

/// A valid detention intake (not a sensitive category) at `office`, consent covering referrals,
/// with a note.
pub fn detention_intake(office: &str) -> Intake {
    let mut intake = sample("detention", office);
    intake.notes = serde_json::from_value(json!([
        {"text": "Primera llamada desde la estación.", "written_on": "2026-03-02"}
    ]))
    .unwrap();
    intake
}

/// A valid victim-of-crime intake: a sensitive category, closure needs approval.
pub fn victim_intake(office: &str) -> Intake {
    sample("victim_of_crime", office)
}

/// Opens a case without a store.
pub fn open(intake: &Intake, number: &str) -> (Case, Vec<Event>) {
    let actor = officer(&intake.office);
    let event = workflow::open(&catalog(), &actor, intake, Uuid::now_v7(), now())
        .and_then(|opening| opening.seal(number))
        .map(FreshEvent::into_event)
        .unwrap();
    let case = history::open(&event).unwrap();
    (case, vec![event])
}

/// Runs commands in order, failing on the first refusal.
pub fn run_all(
    catalog: &Catalog,
    case: &mut Case,
    events: &mut Vec<Event>,
    steps: &[(Actor, Command)],
) {
    for (actor, command) in steps {
        let event = workflow::execute(case, catalog, actor, command, now())
            .unwrap_or_else(|e| panic!("{} refused: {}", command.name(), e.code()));
        history::apply(case, &event).unwrap();
        events.push(event);
    }
}

/// A detention case with a varied history of `notes + 6` events.
pub fn busy_case(office: &str, notes: usize) -> (Case, Vec<Event>) {
    let catalog = catalog();
    let (mut case, mut events) = open(&detention_intake(office), &format!("{office}-2026-000001"));
    let o = officer(office);
    run_all(
        &catalog,
        &mut case,
        &mut events,
        &[
            (
                o.clone(),
                Command::ChangeStatus {
                    to: siproc_core::Status::InProgress,
                },
            ),
            (
                o.clone(),
                Command::RecordService {
                    kind: "consular_visit".into(),
                    given_on: now().date_naive(),
                    description: Some("Visita en la estación".into()),
                },
            ),
            (
                o.clone(),
                Command::Correct {
                    path: "/facts/facility".into(),
                    value: json!("Estación Migratoria Tapachula"),
                },
            ),
            (
                o.clone(),
                Command::Refer {
                    partner: "iom".into(),
                    reason: Some("Apoyo para el retorno".into()),
                },
            ),
            (
                o.clone(),
                Command::RecordForm {
                    form: "consular_visit_report".into(),
                    sha256: "ab".repeat(32),
                },
            ),
        ],
    );
    for i in 0..notes {
        run_all(
            &catalog,
            &mut case,
            &mut events,
            &[(
                o.clone(),
                Command::AddNote {
                    text: format!("Seguimiento número {i}: llamada con la familia."),
                    written_on: None,
                },
            )],
        );
    }
    (case, events)
}
