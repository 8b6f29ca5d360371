//! Workflow: example tests of the rules, and a model-based test against a plain reference model.

#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)] // test helpers

mod common;

use common::*;
use proptest::prelude::*;
use serde_json::json;
use siproc_core::history;
use siproc_core::workflow::{self, Command, WorkflowError};
use siproc_core::{Actor, Role};
use siproc_core::{Case, Catalog};
use siproc_core::{Consent, ConsentScope, ReferralStatus, Status};
use uuid::Uuid;

fn code<T>(r: Result<T, WorkflowError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

fn step(catalog: &Catalog, case: &mut Case, actor: &Actor, c: Command) -> &'static str {
    match workflow::execute(case, catalog, actor, &c, now()) {
        Ok(e) => {
            history::apply(case, &e).unwrap();
            "ok"
        }
        Err(e) => e.code(),
    }
}

#[test]
fn apply_of_decide_ends_where_the_table_says_for_every_row() {
    // One case walked through every status; each command the table allows there is decided,
    // applied to a copy, and must leave the case in the row's `to` status.
    let catalog = catalog();
    let (mut case, _) = open(&detention_intake("TAP"), "TAP-2026-000001");
    let boss = Actor::new("s-1", Role::Supervisor, "TAP");
    let mut checked = std::collections::HashSet::new();
    let path = [
        Status::InProgress,
        Status::AwaitingAuthority,
        Status::InProgress,
        Status::Resolved,
    ];
    let visit = |case: &Case, checked: &mut std::collections::HashSet<_>| {
        for row in siproc_core::transitions::RULES
            .iter()
            .filter(|r| r.from.contains(&case.status))
        {
            let command = match row.command {
                siproc_core::transitions::CommandKind::ChangeStatus => Command::ChangeStatus {
                    to: row.to.unwrap(),
                },
                siproc_core::transitions::CommandKind::AddNote => Command::AddNote {
                    text: "Llamada a la familia.".into(),
                    written_on: None,
                },
                siproc_core::transitions::CommandKind::RequestClosure => Command::RequestClosure {
                    outcome: "Liberado".into(),
                },
                siproc_core::transitions::CommandKind::Close => Command::Close {
                    outcome: Some("Liberado".into()),
                },
                siproc_core::transitions::CommandKind::Reopen => Command::Reopen { reason: None },
                siproc_core::transitions::CommandKind::Archive => Command::Archive,
                _ => continue,
            };
            let kind = workflow::decide(case, &catalog, &boss, &command, now()).unwrap();
            let event = history::Event::next(case, boss.clone(), now(), kind).unwrap();
            let mut after = case.clone();
            history::apply(&mut after, &event).unwrap();
            assert_eq!(after.status, row.to.unwrap_or(case.status), "{row:?}");
            checked.insert((row.command, case.status));
        }
    };
    visit(&case, &mut checked);
    for to in path {
        assert_eq!(
            step(&catalog, &mut case, &boss, Command::ChangeStatus { to }),
            "ok"
        );
        visit(&case, &mut checked);
    }
    let close = Command::Close {
        outcome: Some("Liberado".into()),
    };
    assert_eq!(step(&catalog, &mut case, &boss, close), "ok");
    visit(&case, &mut checked);
    // Every row that changes the status was exercised from at least one of its statuses.
    for row in siproc_core::transitions::RULES
        .iter()
        .filter(|r| r.to.is_some() && !r.from.is_empty())
    {
        assert!(
            row.from
                .iter()
                .any(|f| checked.contains(&(row.command, *f))),
            "{row:?}"
        );
    }
}

#[test]
fn an_event_the_table_does_not_allow_in_the_status_does_not_apply() {
    let (case, _) = open(&detention_intake("TAP"), "TAP-2026-000001");
    let boss = Actor::new("s-1", Role::Supervisor, "TAP");
    for kind in [
        history::EventKind::Archived,
        history::EventKind::Closed {
            outcome: "Liberado".into(),
        },
        history::EventKind::StatusChanged {
            from: Status::Registered,
            to: Status::Resolved,
        },
    ] {
        let event = history::Event::next(&case, boss.clone(), now(), kind).unwrap();
        let mut copy = case.clone();
        let err = history::apply(&mut copy, &event).unwrap_err();
        assert_eq!(err.code(), "history.invalid_event");
    }
}

#[test]
fn an_invalid_intake_is_refused_with_its_report() {
    let mut intake = detention_intake("TAP");
    intake.facts.remove("facility");
    let err =
        workflow::open(&catalog(), &officer("TAP"), &intake, Uuid::now_v7(), now()).unwrap_err();
    let WorkflowError::InvalidIntake { report } = &err else {
        panic!("{err:?}")
    };
    assert!(report.issues.iter().any(|i| i.path == "/facts/facility"));
    assert_eq!(err.code(), "workflow.invalid_intake");
    assert!(!format!("{err:?}").contains("Peña"));
}

#[test]
fn opening_needs_staff_of_the_intake_s_office() {
    let catalog = catalog();
    let intake = detention_intake("TAP");
    let open = |a: &Actor| code(workflow::open(&catalog, a, &intake, Uuid::now_v7(), now()));
    assert_eq!(open(&officer("TAP")), "ok");
    assert_eq!(open(&directorate()), "ok");
    assert_eq!(open(&officer("MEX")), "workflow.wrong_office");
    assert_eq!(
        open(&Actor::new("iom-1", Role::Partner, "TAP")),
        "workflow.role_not_allowed"
    );
    assert_eq!(
        open(&Actor::new("audit-1", Role::Auditor, "TAP")),
        "workflow.role_not_allowed"
    );
}

#[test]
fn the_opened_case_is_normalised() {
    let (case, _) = open(&detention_intake("TAP"), "TAP-2026-000001");
    assert_eq!(case.status, Status::Registered);
    assert_eq!(case.number, "TAP-2026-000001");
    assert_eq!(case.version, 1);
    assert_eq!(case.persons[0].given_names, "Ana Lucía");
    assert_eq!(case.notes.len(), 1);
}

#[test]
fn today_is_the_office_s_date() {
    use chrono::{NaiveDate, TimeZone, Utc};
    let catalog = catalog();
    let (case, _) = open(&detention_intake("TAP"), "TAP-2026-000001");
    // 19:30 on 10 March in Tapachula (America/Mexico_City) is 01:30 on 11 March in UTC.
    let evening = Utc.with_ymd_and_hms(2026, 3, 11, 1, 30, 0).unwrap();
    let service = |day: u32| Command::RecordService {
        kind: "consular_visit".into(),
        given_on: NaiveDate::from_ymd_opt(2026, 3, day).unwrap(),
        description: None,
    };
    let run = |c: Command| {
        code(workflow::decide(
            &case,
            &catalog,
            &officer("TAP"),
            &c,
            evening,
        ))
    };
    assert_eq!(run(service(10)), "ok");
    assert_eq!(
        run(service(11)),
        "workflow.future_date",
        "tomorrow at the office"
    );
    // An intake of today at the office is not in the future either.
    let mut intake = detention_intake("TAP");
    intake.opened_on = NaiveDate::from_ymd_opt(2026, 3, 10).unwrap();
    assert_eq!(
        code(workflow::open(
            &catalog,
            &officer("TAP"),
            &intake,
            Uuid::now_v7(),
            evening
        )),
        "ok"
    );
    intake.opened_on = NaiveDate::from_ymd_opt(2026, 3, 11).unwrap();
    assert_eq!(
        code(workflow::open(
            &catalog,
            &officer("TAP"),
            &intake,
            Uuid::now_v7(),
            evening
        )),
        "workflow.invalid_intake"
    );
}

#[test]
fn the_status_follows_the_domain_s_workflow() {
    let catalog = catalog();
    let (mut case, _) = open(&detention_intake("TAP"), "TAP-2026-000001");
    let o = officer("TAP");
    let to = |to| Command::ChangeStatus { to };
    assert_eq!(
        step(&catalog, &mut case, &o, to(Status::Resolved)),
        "workflow.illegal_transition"
    );
    assert_eq!(step(&catalog, &mut case, &o, to(Status::InProgress)), "ok");
    assert_eq!(
        step(&catalog, &mut case, &o, to(Status::AwaitingAuthority)),
        "ok"
    );
    assert_eq!(step(&catalog, &mut case, &o, to(Status::InProgress)), "ok");
    assert_eq!(step(&catalog, &mut case, &o, to(Status::Resolved)), "ok");
    assert_eq!(
        step(&catalog, &mut case, &o, to(Status::Closed)),
        "workflow.illegal_transition"
    );
    assert_eq!(
        step(&catalog, &mut case, &o, Command::Close { outcome: None }),
        "workflow.missing_outcome"
    );
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            Command::Close {
                outcome: Some("released".into())
            }
        ),
        "ok"
    );
    assert_eq!(case.status, Status::Closed);
    assert_eq!(
        step(&catalog, &mut case, &o, Command::Reopen { reason: None }),
        "workflow.role_not_allowed"
    );
    let s = supervisor("TAP");
    assert_eq!(
        step(&catalog, &mut case, &s, Command::Reopen { reason: None }),
        "ok"
    );
    assert_eq!(case.status, Status::InProgress);
    assert_eq!(case.outcome, None);
}

#[test]
fn a_sensitive_category_needs_approval_to_close() {
    let catalog = catalog();
    let (mut case, _) = open(&victim_intake("TAP"), "TAP-2026-000002");
    let (o, s) = (officer("TAP"), supervisor("TAP"));
    for to in [Status::InProgress, Status::Resolved] {
        assert_eq!(
            step(&catalog, &mut case, &o, Command::ChangeStatus { to }),
            "ok"
        );
    }
    let close = Command::Close {
        outcome: Some("assisted".into()),
    };
    assert_eq!(
        step(&catalog, &mut case, &o, close.clone()),
        "workflow.approval_required"
    );
    assert_eq!(
        step(&catalog, &mut case, &s, Command::ApproveClosure),
        "workflow.no_closure_request"
    );
    let request = Command::RequestClosure {
        outcome: "assisted".into(),
    };
    assert_eq!(step(&catalog, &mut case, &o, request), "ok");
    assert_eq!(
        step(&catalog, &mut case, &o, Command::ApproveClosure),
        "workflow.role_not_allowed"
    );
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &supervisor("MEX"),
            Command::ApproveClosure
        ),
        "workflow.wrong_office"
    );
    assert_eq!(step(&catalog, &mut case, &s, Command::ApproveClosure), "ok");
    assert_eq!(
        step(&catalog, &mut case, &o, Command::Close { outcome: None }),
        "ok"
    );
    assert_eq!(case.outcome.as_deref(), Some("assisted"));
    assert_eq!(
        step(&catalog, &mut case, &o, Command::Archive),
        "workflow.role_not_allowed"
    );
    assert_eq!(
        step(&catalog, &mut case, &directorate(), Command::Archive),
        "ok"
    );
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            Command::AddNote {
                text: "tarde".into(),
                written_on: None
            }
        ),
        "workflow.wrong_status"
    );
}

#[test]
fn referrals_need_consent_to_share() {
    let catalog = catalog();
    let (mut case, _) = open(&victim_intake("TAP"), "TAP-2026-000003");
    let o = officer("TAP");
    let refer = Command::Refer {
        partner: "iom".into(),
        reason: None,
    };
    assert_eq!(
        step(&catalog, &mut case, &o, refer.clone()),
        "workflow.consent_missing"
    );
    let consent = Consent {
        given: true,
        given_by: 0,
        recorded_on: now().date_naive(),
        scope: vec![ConsentScope::Processing, ConsentScope::ShareWithPartners],
    };
    assert_eq!(
        step(&catalog, &mut case, &o, Command::RecordConsent { consent }),
        "ok"
    );
    assert_eq!(step(&catalog, &mut case, &o, refer), "ok");
    let id = case.referrals[0].id;
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            Command::CompleteReferral { referral_id: id }
        ),
        "workflow.referral_transition"
    );
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            Command::AcceptReferral { referral_id: id }
        ),
        "ok"
    );
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            Command::CompleteReferral { referral_id: id }
        ),
        "ok"
    );
    assert_eq!(case.referrals[0].status, ReferralStatus::Done);
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            Command::Refer {
                partner: "nobody".into(),
                reason: None
            }
        ),
        "workflow.unknown_partner"
    );
}

#[test]
fn transfers_are_decided_by_the_receiving_office() {
    let catalog = catalog();
    let (mut case, _) = open(&detention_intake("TAP"), "TAP-2026-000004");
    let o = officer("TAP");
    let request = |to: &str| Command::RequestTransfer {
        to_office: to.into(),
    };
    assert_eq!(
        step(&catalog, &mut case, &o, request("TAP")),
        "workflow.same_office"
    );
    assert_eq!(
        step(&catalog, &mut case, &o, request("XXX")),
        "workflow.unknown_office"
    );
    assert_eq!(
        step(&catalog, &mut case, &o, Command::AcceptTransfer),
        "workflow.no_pending_transfer"
    );
    assert_eq!(step(&catalog, &mut case, &o, request("MEX")), "ok");
    assert_eq!(
        step(&catalog, &mut case, &o, request("MEX")),
        "workflow.transfer_pending"
    );
    assert_eq!(
        step(&catalog, &mut case, &o, Command::AcceptTransfer),
        "workflow.wrong_office"
    );
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &officer("MEX"),
            Command::AcceptTransfer
        ),
        "ok"
    );
    assert_eq!(case.office, "MEX");
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            Command::AddNote {
                text: "x".into(),
                written_on: None
            }
        ),
        "workflow.wrong_office"
    );
}

/// Fuzzing's finding (`fuzz/findings/workflow_oracle-float-zero-fact`): a fact of `0.0` was kept
/// as a double in the live case, while its history, written as canonical JSON (`0`), replayed to
/// an integer, and the two cases differed.
#[test]
fn numbers_in_facts_replay_from_their_stored_text_as_they_were_decided() {
    let catalog = catalog();
    let mut intake = victim_intake("TAP");
    intake.facts.insert("detention_kind".into(), json!(0.0));
    let (mut case, mut events) = open(&intake, "TAP-2026-000001");
    assert!(case.facts["detention_kind"].is_u64());
    let o = officer("TAP");
    for value in [json!(1.0), json!(-0.0), json!(2.5), json!(1e-7)] {
        run_all(
            &catalog,
            &mut case,
            &mut events,
            &[(
                o.clone(),
                Command::Correct {
                    path: "/facts/detention_kind".into(),
                    value,
                },
            )],
        );
        let stored = history::canonical_json(&events).unwrap();
        let read: Vec<history::Event> = serde_json::from_str(&stored).unwrap();
        assert_eq!(history::replay(&read).unwrap(), case);
    }
    assert_eq!(case.facts["detention_kind"], json!(1e-7));
}

#[test]
fn corrections_are_checked_and_normalised() {
    let catalog = catalog();
    let (mut case, _) = open(&detention_intake("TAP"), "TAP-2026-000005");
    let o = officer("TAP");
    let correct = |path: &str, value| Command::Correct {
        path: path.into(),
        value,
    };
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            correct("/persons/0/surnames", json!("Pen\u{303}a  Güity  López"))
        ),
        "ok"
    );
    assert_eq!(case.persons[0].surnames, "Peña Güity López");
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            correct("/persons/0/surnames", json!("Pen\u{303}a Güity López"))
        ),
        "workflow.unchanged"
    );
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            correct("/persons/0/birth_date", json!("2030-01-01"))
        ),
        "workflow.invalid_correction"
    );
    assert_eq!(
        step(&catalog, &mut case, &o, correct("/number", json!("X"))),
        "workflow.not_correctable"
    );
    assert_eq!(
        step(
            &catalog,
            &mut case,
            &o,
            correct("/persons/0/birth_date", json!(12))
        ),
        "workflow.bad_value"
    );
    let err = workflow::execute(
        &case,
        &catalog,
        &o,
        &correct("/facts/María", json!("x")),
        now(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "workflow.not_correctable");
    assert!(!err.to_string().contains("María"));
}

// ---- Model-based test -----------------------------------------------------------------------

/// A plain reference model of the workflow, written from DOMAIN.md independently of `RULES`.
#[derive(Debug, Clone, PartialEq)]
struct Model {
    status: Status,
    office: String,
    pending_transfer_to: Option<String>,
    consent_given: bool,
    share: bool,
    referrals: Vec<ReferralStatus>,
    closure_requested: bool,
    closure_approved: bool,
    outcome: Option<String>,
    notes: usize,
    services: usize,
    forms: usize,
    facility: Option<String>,
    sensitive: bool,
}

impl Model {
    fn of(case: &Case, sensitive: bool) -> Model {
        Model {
            status: case.status,
            office: case.office.clone(),
            pending_transfer_to: case
                .transfer
                .as_ref()
                .filter(|t| t.status == siproc_core::TransferStatus::Pending)
                .map(|t| t.to_office.clone()),
            consent_given: case.consent.as_ref().is_some_and(|c| c.given),
            share: case
                .consent
                .as_ref()
                .is_some_and(|c| c.covers(ConsentScope::ShareWithPartners)),
            referrals: case.referrals.iter().map(|r| r.status).collect(),
            closure_requested: case.closure_requested,
            closure_approved: case.closure_approved,
            outcome: case.outcome.clone(),
            notes: case.notes.len(),
            services: case.services.len(),
            forms: case.forms.len(),
            facility: case
                .facts
                .get("facility")
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            sensitive,
        }
    }

    fn clear_closure(&mut self) {
        self.closure_requested = false;
        self.closure_approved = false;
        self.outcome = None;
    }

    /// Applies `op` as the rules say, or returns the error code.
    fn step(&mut self, actor: &Actor, op: &Op) -> Result<(), &'static str> {
        use Status::*;
        if matches!(actor.role, Role::Partner | Role::Auditor) {
            return Err("workflow.role_not_allowed");
        }
        let senior = matches!(actor.role, Role::Supervisor | Role::Directorate);
        if matches!(op, Op::Approve | Op::Reopen | Op::Archive) && !senior {
            return Err("workflow.role_not_allowed");
        }
        let office = if matches!(op, Op::AcceptTransfer | Op::RejectTransfer) {
            self.pending_transfer_to
                .clone()
                .ok_or("workflow.no_pending_transfer")?
        } else {
            self.office.clone()
        };
        if actor.role != Role::Directorate && actor.office != office {
            return Err("workflow.wrong_office");
        }
        let open = matches!(
            self.status,
            Registered | InProgress | AwaitingAuthority | Resolved
        );
        let live = self.status != Archived;
        let need = |ok: bool| {
            if ok {
                Ok(())
            } else {
                Err("workflow.wrong_status")
            }
        };
        match op {
            Op::Status(to) => {
                let legal = matches!(
                    (self.status, to),
                    (Registered, InProgress)
                        | (InProgress, AwaitingAuthority)
                        | (AwaitingAuthority, InProgress)
                        | (InProgress, Resolved)
                        | (AwaitingAuthority, Resolved)
                        | (Resolved, InProgress)
                );
                if !legal {
                    return Err("workflow.illegal_transition");
                }
                if self.status == Resolved {
                    self.clear_closure();
                }
                self.status = *to;
            }
            Op::Note { empty } => {
                need(live)?;
                if *empty {
                    return Err("workflow.empty_text");
                }
                self.notes += 1;
            }
            Op::Service { known } => {
                need(open)?;
                if !known {
                    return Err("workflow.unknown_service");
                }
                self.services += 1;
            }
            Op::Form { known } => {
                need(live)?;
                if !known {
                    return Err("workflow.unknown_form");
                }
                self.forms += 1;
            }
            Op::Correct { facility } => {
                need(open)?;
                // An unknown fact is a warning in validation, as at intake.
                let value = format!("Centro {facility}");
                if self.facility.as_deref() == Some(value.as_str()) {
                    return Err("workflow.unchanged");
                }
                self.facility = Some(value);
            }
            Op::CorrectNumber => {
                need(open)?;
                return Err("workflow.not_correctable");
            }
            Op::RequestTransfer(to) => {
                need(open)?;
                if !["TAP", "MEX", "GUA"].contains(&to.as_str()) {
                    return Err("workflow.unknown_office");
                }
                if *to == self.office {
                    return Err("workflow.same_office");
                }
                if self.pending_transfer_to.is_some() {
                    return Err("workflow.transfer_pending");
                }
                self.pending_transfer_to = Some(to.clone());
            }
            Op::AcceptTransfer | Op::RejectTransfer => {
                need(open)?;
                let to = self.pending_transfer_to.take().unwrap_or_default();
                if matches!(op, Op::AcceptTransfer) {
                    self.office = to;
                }
            }
            Op::Refer { known } => {
                need(open)?;
                if !known {
                    return Err("workflow.unknown_partner");
                }
                if !(self.consent_given && self.share) {
                    return Err("workflow.consent_missing");
                }
                self.referrals.push(ReferralStatus::Pending);
            }
            Op::Referral { index, to } => {
                need(live)?;
                let current = self
                    .referrals
                    .get_mut(*index)
                    .ok_or("workflow.unknown_referral")?;
                let from = if *to == ReferralStatus::Done {
                    ReferralStatus::Accepted
                } else {
                    ReferralStatus::Pending
                };
                if *current != from {
                    return Err("workflow.referral_transition");
                }
                *current = *to;
            }
            Op::RecordConsent { share } => {
                need(live)?;
                self.consent_given = true;
                self.share = *share;
            }
            Op::Withdraw { all } => {
                need(live)?;
                if !self.consent_given {
                    return Err("workflow.no_consent");
                }
                self.share = false;
                if *all {
                    self.consent_given = false;
                }
                // Both withdraw sharing with partners: the referrals still pending are
                // cancelled.
                for r in &mut self.referrals {
                    if *r == ReferralStatus::Pending {
                        *r = ReferralStatus::Cancelled;
                    }
                }
            }
            Op::RequestClosure { empty } => {
                need(self.status == Resolved)?;
                if self.closure_requested {
                    return Err("workflow.closure_already_requested");
                }
                if *empty {
                    return Err("workflow.missing_outcome");
                }
                self.closure_requested = true;
                self.outcome = Some("resolved_ok".into());
            }
            Op::Approve => {
                need(self.status == Resolved)?;
                if !self.closure_requested {
                    return Err("workflow.no_closure_request");
                }
                if self.closure_approved {
                    return Err("workflow.closure_already_approved");
                }
                self.closure_approved = true;
            }
            Op::Close { outcome } => {
                if self.status != Resolved {
                    return Err("workflow.illegal_transition");
                }
                let outcome = if *outcome {
                    Some("released".to_owned())
                } else {
                    self.outcome.clone()
                };
                let outcome = outcome.ok_or("workflow.missing_outcome")?;
                if self.sensitive && !self.closure_approved {
                    return Err("workflow.approval_required");
                }
                self.status = Closed;
                self.outcome = Some(outcome);
            }
            Op::Reopen => {
                if self.status != Closed {
                    return Err("workflow.illegal_transition");
                }
                self.status = InProgress;
                self.clear_closure();
            }
            Op::Archive => {
                if self.status != Closed {
                    return Err("workflow.illegal_transition");
                }
                self.status = Archived;
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone)]
enum Op {
    Status(Status),
    Note { empty: bool },
    Service { known: bool },
    Form { known: bool },
    Correct { facility: u8 },
    CorrectNumber,
    RequestTransfer(String),
    AcceptTransfer,
    RejectTransfer,
    Refer { known: bool },
    Referral { index: usize, to: ReferralStatus },
    RecordConsent { share: bool },
    Withdraw { all: bool },
    RequestClosure { empty: bool },
    Approve,
    Close { outcome: bool },
    Reopen,
    Archive,
}

impl Op {
    fn command(&self, case: &Case) -> Command {
        match self {
            Op::Status(to) => Command::ChangeStatus { to: *to },
            Op::Note { empty } => Command::AddNote {
                text: if *empty { " ".into() } else { "llamada".into() },
                written_on: None,
            },
            Op::Service { known } => Command::RecordService {
                kind: if *known { "consular_visit" } else { "magic" }.into(),
                given_on: now().date_naive(),
                description: None,
            },
            Op::Form { known } => Command::RecordForm {
                form: if *known { "intake_sheet" } else { "nope" }.into(),
                sha256: "0f".repeat(32),
            },
            Op::Correct { facility } => Command::Correct {
                path: "/facts/facility".into(),
                value: json!(format!("Centro {facility}")),
            },
            Op::CorrectNumber => Command::Correct {
                path: "/number".into(),
                value: json!("X"),
            },
            Op::RequestTransfer(to) => Command::RequestTransfer {
                to_office: to.clone(),
            },
            Op::AcceptTransfer => Command::AcceptTransfer,
            Op::RejectTransfer => Command::RejectTransfer,
            Op::Refer { known } => Command::Refer {
                partner: if *known { "iom" } else { "nobody" }.into(),
                reason: None,
            },
            Op::Referral { index, to } => {
                let referral_id = case.referrals.get(*index).map_or_else(Uuid::nil, |r| r.id);
                match to {
                    ReferralStatus::Accepted => Command::AcceptReferral { referral_id },
                    ReferralStatus::Rejected => Command::RejectReferral { referral_id },
                    _ => Command::CompleteReferral { referral_id },
                }
            }
            Op::RecordConsent { share } => Command::RecordConsent {
                consent: Consent {
                    given: true,
                    given_by: 0,
                    recorded_on: now().date_naive(),
                    scope: if *share {
                        vec![ConsentScope::Processing, ConsentScope::ShareWithPartners]
                    } else {
                        vec![ConsentScope::Processing]
                    },
                },
            },
            Op::Withdraw { all } => Command::WithdrawConsent {
                scope: if *all {
                    vec![]
                } else {
                    vec![ConsentScope::ShareWithPartners]
                },
            },
            Op::RequestClosure { empty } => Command::RequestClosure {
                outcome: if *empty { "" } else { "resolved_ok" }.into(),
            },
            Op::Approve => Command::ApproveClosure,
            Op::Close { outcome } => Command::Close {
                outcome: outcome.then(|| "released".into()),
            },
            Op::Reopen => Command::Reopen { reason: None },
            Op::Archive => Command::Archive,
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    let status = prop_oneof![
        Just(Status::Registered),
        Just(Status::InProgress),
        Just(Status::AwaitingAuthority),
        Just(Status::Resolved),
        Just(Status::Closed),
        Just(Status::Archived),
    ];
    let referral = prop_oneof![
        Just(ReferralStatus::Accepted),
        Just(ReferralStatus::Rejected),
        Just(ReferralStatus::Done),
    ];
    prop_oneof![
        6 => status.prop_map(Op::Status),
        2 => any::<bool>().prop_map(|empty| Op::Note { empty }),
        1 => any::<bool>().prop_map(|known| Op::Service { known }),
        1 => any::<bool>().prop_map(|known| Op::Form { known }),
        1 => (0..3_u8).prop_map(|facility| Op::Correct { facility }),
        1 => Just(Op::CorrectNumber),
        2 => prop_oneof![Just("TAP"), Just("MEX"), Just("GUA"), Just("XXX")]
            .prop_map(|o| Op::RequestTransfer(o.to_owned())),
        2 => Just(Op::AcceptTransfer),
        1 => Just(Op::RejectTransfer),
        2 => any::<bool>().prop_map(|known| Op::Refer { known }),
        2 => (0..3_usize, referral).prop_map(|(index, to)| Op::Referral { index, to }),
        1 => any::<bool>().prop_map(|share| Op::RecordConsent { share }),
        1 => any::<bool>().prop_map(|all| Op::Withdraw { all }),
        2 => any::<bool>().prop_map(|empty| Op::RequestClosure { empty }),
        2 => Just(Op::Approve),
        3 => any::<bool>().prop_map(|outcome| Op::Close { outcome }),
        1 => Just(Op::Reopen),
        1 => Just(Op::Archive),
    ]
}

fn actor() -> impl Strategy<Value = Actor> {
    let role = prop_oneof![
        6 => Just(Role::Officer),
        3 => Just(Role::Supervisor),
        1 => Just(Role::Directorate),
        1 => Just(Role::Partner),
        1 => Just(Role::Auditor),
    ];
    let office = prop_oneof![4 => Just("TAP"), 2 => Just("MEX"), 1 => Just("GUA")];
    (role, office).prop_map(|(role, office)| Actor::new("u", role, office))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn the_workflow_agrees_with_the_reference_model(
        sensitive in any::<bool>(),
        steps in prop::collection::vec((actor(), op()), 1..60),
    ) {
        let catalog = catalog();
        let intake = if sensitive { victim_intake("TAP") } else { detention_intake("TAP") };
        let (mut case, mut events) = open(&intake, "TAP-2026-000001");
        let mut model = Model::of(&case, sensitive);
        for (actor, op) in &steps {
            let command = op.command(&case);
            let real = workflow::execute(&case, &catalog, actor, &command, now());
            let expected = model.step(actor, op);
            match (&real, &expected) {
                (Ok(event), Ok(())) => {
                    // apply(decide(..)) ends where the table's `to` column says.
                    let from = case.status;
                    let row = siproc_core::transitions::RULES
                        .iter()
                        .find(|r| r.command == command.kind() && r.from.contains(&from)
                            && match &command { Command::ChangeStatus { to } => r.to == Some(*to), _ => true })
                        .unwrap();
                    history::apply(&mut case, event).unwrap();
                    prop_assert_eq!(case.status, row.to.unwrap_or(from), "{:?}", op);
                    events.push(event.clone());
                }
                (Err(e), Err(code)) => prop_assert_eq!(e.code(), *code, "{:?} by {:?}", op, actor),
                _ => prop_assert!(false, "{:?} by {:?}: real {:?}, model {:?}",
                    op, actor, real.as_ref().map(|_| ()).map_err(|e| e.code()), expected),
            }
            prop_assert_eq!(&Model::of(&case, sensitive), &model, "after {:?}", op);
        }
        prop_assert_eq!(&history::replay(&events).unwrap(), &case);
        history::verify(&events).unwrap();
    }
}
