//! `serve --demo`: demo users (one token per role, printed once) and a few dozen realistic
//! cases with invented persons, made from the Honduran pack's sample intakes in
//! `demo/intakes.json` through the same workflow as any registration.

use chrono::Utc;
use serde_json::Value;
use siproc_core::case::Status;
use siproc_core::store::{self, CaseQuery};
use siproc_core::workflow::Command;
use siproc_core::{Actor, Case, Intake, Locale, Role, parse_intake, workflow};

use crate::db::new_token;
use crate::state::AppState;

const TEMPLATES: &str = include_str!("../demo/intakes.json");
const GIVEN: &[&str] = &[
    "Ana Lucía",
    "Brayan Josué",
    "Carmen Elena",
    "Darwin Omar",
    "Eva Marisol",
    "Fredy Alexis",
    "Gloria Patricia",
    "Héctor Manuel",
    "Iris Yamileth",
    "Jonathan Ariel",
    "Karen Suyapa",
    "Luis Fernando",
];
const SURNAMES: &[&str] = &[
    "Aguilar Mejía",
    "Bonilla Castro",
    "Cáceres Flores",
    "Díaz Zelaya",
    "Escoto Rivera",
    "Fúnez López",
    "Guardado Paz",
    "Hernández Reyes",
    "Irías Matute",
    "Juárez Ordóñez",
    "Laínez Banegas",
];
/// Cases made by `--demo`.
pub const DEMO_CASES: usize = 36;

/// The demo users: (user id, role, office).
pub const USERS: &[(&str, Role, &str)] = &[
    ("demo-officer-tap", Role::Officer, "TAP"),
    ("demo-supervisor-tap", Role::Supervisor, "TAP"),
    ("demo-officer-hou", Role::Officer, "HOU"),
    ("demo-directorate", Role::Directorate, "DGPHM"),
    ("demo-partner", Role::Partner, "DGPHM"),
    ("demo-auditor", Role::Auditor, "DGPHM"),
];

/// A demo user's id, role and new token.
pub type DemoToken = (String, Role, String);

/// Creates a token for each demo user.
pub fn users(state: &AppState) -> Result<Vec<DemoToken>, Box<dyn std::error::Error>> {
    USERS
        .iter()
        .map(|&(user, role, office)| {
            let token = new_token()?;
            state
                .db
                .add_token(&token, &Actor::new(user, role, office))?;
            Ok((user.to_owned(), role, token))
        })
        .collect()
}

fn invented(template: &Value, i: usize) -> Option<Intake> {
    let mut value = template.clone();
    let person = value.pointer_mut("/persons/0")?;
    person["given_names"] = GIVEN.get(i % GIVEN.len())?.to_string().into();
    person["surnames"] = SURNAMES.get(i % SURNAMES.len())?.to_string().into();
    if let Some(doc) = person.pointer_mut("/documents/0/number") {
        // Hondurans' DNI: keep department, municipality and year; invent the sequence.
        let head = doc
            .as_str()
            .filter(|n| n.len() == 15)
            .and_then(|n| n.get(..10))
            .map(str::to_owned);
        if let Some(head) = head {
            *doc = format!("{head}{:05}", 10_000 + i * 37).into();
        }
    }
    parse_intake(&value.to_string(), Locale::Es).ok()
}

/// Registers the demo cases when the store holds none; returns how many were made.
pub fn cases(state: &AppState) -> Result<usize, Box<dyn std::error::Error>> {
    if !state.store.list(&CaseQuery::default())?.is_empty() {
        return Ok(0);
    }
    let templates: Vec<Value> = serde_json::from_str(TEMPLATES)?;
    let now = Utc::now();
    let mut made = 0;
    for i in 0..DEMO_CASES {
        let Some(template) = templates.get(i % templates.len().max(1)) else {
            break;
        };
        let Some(intake) = invented(template, i) else {
            continue;
        };
        let officer = Actor::new("demo-intake", Role::Officer, intake.office.clone());
        let Ok(case) =
            store::open_case(state.store.as_ref(), &state.catalog, &officer, &intake, now)
        else {
            continue;
        };
        let events = state.store.load(case.id)?;
        state.feed.record(&case.number, &case.office, &events);
        made += 1;
        let follow_up = match i % 4 {
            1 => Some(Command::ChangeStatus {
                to: Status::InProgress,
            }),
            2 => Some(Command::AddNote {
                text: "Llamada de seguimiento con la familia.".to_owned(),
                written_on: None,
            }),
            3 if case.office == "TAP" => Some(Command::RequestTransfer {
                to_office: "HOU".to_owned(),
            }),
            _ => None,
        };
        if let Some(command) = follow_up {
            run(state, &officer, &case, &command)?;
        }
    }
    Ok(made)
}

fn run(
    state: &AppState,
    actor: &Actor,
    case: &Case,
    command: &Command,
) -> Result<(), Box<dyn std::error::Error>> {
    if let Ok(event) = workflow::execute(case, &state.catalog, actor, command, Utc::now()) {
        state
            .store
            .append(case.id, case.version, std::slice::from_ref(&event))?;
        state.feed.record(&case.number, &case.office, &[event]);
    }
    Ok(())
}
