//! `serve --demo`: demo users (one token per role, printed once) and a hundred realistic
//! cases with invented persons, made from the Honduran pack's sample intakes in
//! `demo/intakes.json` through the same workflow as any registration. The cases are spread
//! over the last nine months (their dates shifted with them) and some were worked on and
//! resolved, so that the statistics dashboard has months, durations and targets to show, and a
//! partner's release (k = 10) both publishes and suppresses cells. Two more come from an
//! invented legacy log (`demo/legacy.json`) through the core's legacy import: migrated cases
//! with follow-up items. The release of every closed month and quarter is then published, for
//! partners to read.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde_json::Value;
use siproc_core::Status;
use siproc_core::legacy::{self, ImportOptions, LegacyMap, LegacyRow, Outcome};
use siproc_core::stats::{self, releases::Period};
use siproc_core::store::{self, CaseQuery};
use siproc_core::workflow::Command;
use siproc_core::{Actor, Case, Intake, Locale, Role, parse_intake, workflow};

use crate::db::{new_token, token_hash};
use crate::state::AppState;

/// The sample intakes the demo cases are made from.
pub const TEMPLATES: &str = include_str!("../demo/intakes.json");
/// Two rows of an invented consulate log, migrated through the core's legacy import
/// ([`siproc_core::legacy`]): the log lacks what today's intake requires, so the cases are
/// migrated with follow-up items, as the case list and the case page show.
const LEGACY_ROWS: &str = include_str!("../demo/legacy.json");
/// The reference the demo's migrated cases name as their source.
const LEGACY_SOURCE: &str = "demo_legado_2020.csv";
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
pub const DEMO_CASES: usize = 100;
/// The demo cases were opened over this many days before today.
const DEMO_DAYS: i64 = 270;

/// The demo users: (user id, role, office; the directorate, partners and auditors have none).
pub const USERS: &[(&str, Role, &str)] = &[
    ("demo-officer-tap", Role::Officer, "TAP"),
    ("demo-supervisor-tap", Role::Supervisor, "TAP"),
    ("demo-officer-hou", Role::Officer, "HOU"),
    ("demo-directorate", Role::Directorate, ""),
    ("demo-partner", Role::Partner, ""),
    ("demo-auditor", Role::Auditor, ""),
];

/// A demo user's id, role and new token.
pub type DemoToken = (String, Role, String);

/// Creates each demo user (when the database has none of that login) and a new API token
/// for each, with every scope (`Records::add_token`).
pub fn users(state: &AppState) -> Result<Vec<DemoToken>, Box<dyn std::error::Error>> {
    USERS
        .iter()
        .map(|&(user, role, office)| {
            let token = new_token()?;
            state
                .db
                .add_token(&token_hash(&token), &Actor::new(user, role, office))?;
            Ok((user.to_owned(), role, token))
        })
        .collect()
}

/// The password every demo user signs in with (never use a printed password for real).
pub const DEMO_PASSWORD: &str = "siproc demo 2026";

/// How a demo user signs in: id, role, the second factor's secret (base32, for an
/// authenticator application) and their recovery codes.
pub type DemoSignIn = (String, Role, String, Vec<String>);

/// Enrols each demo user (made by [`users`]) with [`DEMO_PASSWORD`], a second-factor secret
/// of their own (derived from their login, so the same on every run) and new recovery codes,
/// through the same single-use link a real enrolment uses.
pub fn sign_ins(state: &AppState) -> Result<Vec<DemoSignIn>, Box<dyn std::error::Error>> {
    use siproc_core::accounts::{password, recovery, totp};
    let hash = password::hash_password(DEMO_PASSWORD);
    USERS
        .iter()
        .map(|&(user, role, _)| {
            let now = Utc::now();
            let secret = totp::enrolment_secret(&format!("demo:{user}"));
            let (link, _) = crate::routes::enrolment::issue(&state.db, user, 1, now)
                .map_err(|e| e.to_string())?;
            let (codes, hashes) = recovery::new_codes();
            let enrolment = siproc_core::store::Enrolment {
                password_hash: hash.clone(),
                totp_secret: secret.to_vec(),
                totp_step: 0,
                recovery: hashes,
            };
            state
                .db
                .complete_enrolment(&token_hash(&link), &enrolment, now)?
                .ok_or("a demo enrolment was refused")?;
            Ok((user.to_owned(), role, totp::secret_base32(&secret), codes))
        })
        .collect()
}

/// Moves every date of `value` but birth dates by `by` (the case's dates keep their order).
fn shift_dates(value: &mut Value, by: TimeDelta) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                if key != "birth_date" {
                    shift_dates(v, by);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|v| shift_dates(v, by)),
        Value::String(s) => {
            if let Ok(day) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
                *s = (day + by).to_string();
            }
        }
        _ => {}
    }
}

/// An invented intake from `template` (the `i`-th demo person), its dates moved so that it
/// opens on `opened_on`.
pub fn invented(template: &Value, i: usize, opened_on: NaiveDate) -> Option<Intake> {
    let mut value = template.clone();
    let was = NaiveDate::parse_from_str(value.get("opened_on")?.as_str()?, "%Y-%m-%d").ok()?;
    shift_dates(&mut value, opened_on - was);
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
    cases_at(state, Utc::now())
}

/// [`cases`] as if it were `now`.
pub fn cases_at(state: &AppState, now: DateTime<Utc>) -> Result<usize, Box<dyn std::error::Error>> {
    if !state.store.list(&CaseQuery::default())?.is_empty() {
        return Ok(0);
    }
    let templates: Vec<Value> = serde_json::from_str(TEMPLATES)?;
    let mut made = 0;
    for i in 0..DEMO_CASES {
        let Some(template) = templates.get(i % templates.len().max(1)) else {
            break;
        };
        // Oldest first; the last few are today's.
        let age = DEMO_DAYS * (DEMO_CASES - 1 - i) as i64 / DEMO_CASES as i64;
        let opened = now - TimeDelta::days(age);
        // The intake's dates are the office's local dates (the core refuses a date after the
        // office's today): in the evening in the Americas the UTC date is already tomorrow's.
        let office = template.get("office").and_then(Value::as_str).unwrap_or("");
        let opened_on = state.catalog.local_date(office, opened);
        let Some(intake) = invented(template, i, opened_on) else {
            continue;
        };
        let officer = Actor::new("demo-intake", Role::Officer, intake.office.clone());
        let Ok(case) = store::open_case(
            state.store.as_ref(),
            &state.catalog,
            &officer,
            &intake,
            opened,
        ) else {
            continue;
        };
        state.feed.written();
        made += 1;
        if age > 20 && i % 3 == 0 {
            worked_and_resolved(state, &officer, &case, opened, now, i)?;
            continue;
        }
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
    let made = made + migrated(state)?;
    releases(state, now)?;
    Ok(made)
}

/// Publishes the release of every month and quarter closed among the demo's nine months, as
/// the directorate would (`POST /stats/releases`), so that partners have releases to read.
fn releases(state: &AppState, now: DateTime<Utc>) -> Result<(), Box<dyn std::error::Error>> {
    let months = u32::try_from(DEMO_DAYS / 30).unwrap_or(9);
    for period in Period::closed_before(now, months) {
        if state.db.release_version(&period.id())?.is_none() {
            let release =
                stats::releases::compute(state.store.as_ref(), &state.catalog, period, 1, now)?;
            state.db.add_release(&release)?;
        }
    }
    Ok(())
}

/// Migrates the demo's legacy log rows; returns how many cases were opened.
fn migrated(state: &AppState) -> Result<usize, Box<dyn std::error::Error>> {
    let Some(map) = LegacyMap::builtin(&state.catalog.pack.id) else {
        return Ok(0);
    };
    let rows: Vec<LegacyRow> = serde_json::from_str(LEGACY_ROWS)?;
    // Spreadsheet rows: the header is row 1.
    let rows: Vec<(u64, LegacyRow)> = (2..).zip(rows).collect();
    let actor = Actor::new("demo-migration", Role::Directorate, "DGPHM");
    let options = ImportOptions {
        source: LEGACY_SOURCE,
        actor: &actor,
        now: Utc::now(),
        locale: Locale::Es,
        dry_run: false,
    };
    let report = legacy::import(state.store.as_ref(), &state.catalog, &map, &rows, &options);
    state.feed.written();
    Ok(report
        .rows
        .iter()
        .filter(|r| matches!(r.outcome, Outcome::Migrated { .. }))
        .count())
}

/// Moves a demo case to work one day after it was opened and resolves it some days later (some
/// within the category's target, some after it), never later than `now`.
fn worked_and_resolved(
    state: &AppState,
    actor: &Actor,
    case: &Case,
    opened: DateTime<Utc>,
    now: DateTime<Utc>,
    i: usize,
) -> Result<(), Box<dyn std::error::Error>> {
    let days = [3, 9, 16, 30, 45, 70]
        .get((i / 3) % 6)
        .copied()
        .unwrap_or(9);
    let steps = [
        (TimeDelta::days(1), Status::InProgress),
        (TimeDelta::days(days), Status::Resolved),
    ];
    for (after, to) in steps {
        let at = (opened + after).min(now);
        let command = Command::ChangeStatus { to };
        if store::run(
            state.store.as_ref(),
            &state.catalog,
            actor,
            case.id,
            &command,
            at,
        )
        .is_err()
        {
            break;
        }
        state.feed.written();
    }
    Ok(())
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
        state.feed.written();
    }
    Ok(())
}
