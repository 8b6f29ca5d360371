//! What the fuzz targets share: the catalog, a fixed clock, the actors, the sample intakes, and
//! the oracle's helpers. Each target is one file of `fuzz_targets/` (docs/fuzzing.md lists
//! them with the entry point each one drives).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a fuzz target fails by panicking

use std::sync::OnceLock;

use chrono::{DateTime, TimeZone, Utc};
use siproc_core::history::{self, Event, FreshEvent};
use siproc_core::workflow;
use siproc_core::{Actor, Case, Catalog, Intake, Role};
use uuid::Uuid;

/// The Honduran pack, loaded once.
pub fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::honduras().expect("the built-in pack loads"))
}

/// The fuzzers' clock: a fixed instant, so that a crash replays exactly.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 10, 15, 4, 5).unwrap()
}

/// An officer of `office`.
pub fn officer(office: &str) -> Actor {
    Actor::new(format!("officer-{office}"), Role::Officer, office)
}

/// A supervisor of `office`.
pub fn supervisor(office: &str) -> Actor {
    Actor::new(format!("supervisor-{office}"), Role::Supervisor, office)
}

/// The directorate (every office).
pub fn directorate() -> Actor {
    Actor::new("dgphm-1", Role::Directorate, "DGPHM")
}

/// The sample intakes of the core's tests (`siproc-core/tests/fixtures/intakes.json`).
pub const SAMPLE_INTAKES: &str = include_str!("../../siproc-core/tests/fixtures/intakes.json");

/// The sample intake `name` (`detention`, `victim_of_crime`) as JSON, at `office`.
pub fn sample_intake_json(name: &str, office: &str) -> serde_json::Value {
    let samples: serde_json::Value = serde_json::from_str(SAMPLE_INTAKES).unwrap();
    let mut intake = samples.get(name).cloned().unwrap();
    intake["office"] = office.into();
    intake
}

/// The sample intake `name` at `office`.
pub fn sample_intake(name: &str, office: &str) -> Intake {
    serde_json::from_value(sample_intake_json(name, office)).unwrap()
}

/// Opens `intake` without a store, as number `TAP-2026-000001`: the case and its first event.
pub fn open_case(intake: &Intake) -> (Case, Vec<Event>) {
    let event = workflow::open(catalog(), &directorate(), intake, Uuid::nil(), now())
        .and_then(|opening| opening.seal("TAP-2026-000001"))
        .map(FreshEvent::into_event)
        .unwrap();
    let case = history::open(&event).unwrap();
    (case, vec![event])
}

/// Checks what must hold of any history siproc made: it verifies, and replays to `case`.
pub fn assert_sound(events: &[Event], case: &Case) {
    history::verify(events).expect("a history siproc wrote verifies");
    let replayed = history::replay(events).expect("a history siproc wrote replays");
    assert_eq!(&replayed, case, "the replay ends at the same case");
}

/// `bytes` as text when it is UTF-8.
pub fn text(bytes: &[u8]) -> Option<&str> {
    std::str::from_utf8(bytes).ok()
}
