//! What an actor may do to a case now: [`available`].
//!
//! A page offers exactly these commands. Each is checked with the checks [`super::decide`] runs
//! (the table's role, office and status, then what the case itself must show), and its
//! parameters come with the values they may take now: the statuses `change_status` may move
//! to, the offices a transfer may go to, the referrals a referral command may act on, the
//! persons who may give consent. The server still decides when the command arrives: what is
//! available now may not be by then, and free-text arguments are checked only then.

use serde::Serialize;
use serde_json::Value;

use super::check::{Standing, admit, outcome_text, ready, referral_step, transfer_target};
use crate::actor::Actor;
use crate::case::{Case, ConsentScope, ReferralStatus, Status, TransferStatus};
use crate::catalog::Catalog;
use crate::transitions::CommandKind;

/// What [`available`] reads of a case, and nothing else. [`CaseState::from_json`] reads it
/// from a case's JSON (as the server sends it) where the whole [`Case`] is not needed, as in
/// siproc-wasm, whose download stays small without the code that reads a whole case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseState {
    /// Where the case stands in its workflow.
    pub status: Status,
    /// The office responsible for it.
    pub office: String,
    /// Its category's code.
    pub category: String,
    /// The receiving office of a pending transfer.
    pub pending_to: Option<String>,
    /// Whether consent was given.
    pub consent_given: bool,
    /// Whether consent was given to share with partner organisations.
    pub shares_with_partners: bool,
    /// Whether closure was requested.
    pub closure_requested: bool,
    /// Whether a requested closure was approved.
    pub closure_approved: bool,
    /// The outcome a closure request gave.
    pub outcome: Option<String>,
    /// The referrals: their ids and statuses.
    pub referrals: Vec<(String, ReferralStatus)>,
    /// How many persons the case names.
    pub person_count: usize,
}

/// Every referral status, for reading one by its wire name.
const REFERRAL_STATUSES: [ReferralStatus; 4] = [
    ReferralStatus::Pending,
    ReferralStatus::Accepted,
    ReferralStatus::Rejected,
    ReferralStatus::Done,
];

impl CaseState {
    /// Reads the state from a case in its JSON form; `None` when a field the checks read is
    /// missing or not of its type.
    pub fn from_json(case: &Value) -> Option<CaseState> {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let flag = |key: &str| case.get(key).and_then(Value::as_bool).unwrap_or(false);
        let wire = |v: Option<&Value>| v.and_then(Value::as_str).unwrap_or_default().to_owned();
        let status = wire(case.get("status"));
        let status = Status::ALL.into_iter().find(|s| s.as_str() == status)?;
        let transfer = case.get("transfer").filter(|t| !t.is_null());
        let pending = TransferStatus::Pending;
        let pending_to = match transfer {
            Some(t) if serde_json::to_value(pending).ok().as_ref() == t.get("status") => {
                Some(text(t.get("to_office"))?)
            }
            _ => None,
        };
        let consent = case.get("consent").filter(|c| !c.is_null());
        let consent_given = consent
            .and_then(|c| c.get("given"))
            .and_then(Value::as_bool)
            .unwrap_or(false);
        let shares = ConsentScope::ShareWithPartners.as_str();
        let shares_with_partners = consent_given
            && consent
                .and_then(|c| c.get("scope"))
                .and_then(Value::as_array)
                .is_some_and(|scope| scope.iter().any(|s| s.as_str() == Some(shares)));
        let mut referrals = Vec::new();
        for r in case
            .get("referrals")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let status = r.get("status")?;
            let status = REFERRAL_STATUSES
                .into_iter()
                .find(|s| serde_json::to_value(s).ok().as_ref() == Some(status))?;
            referrals.push((text(r.get("id"))?, status));
        }
        Some(CaseState {
            status,
            office: text(case.get("office"))?,
            category: text(case.get("category"))?,
            pending_to,
            consent_given,
            shares_with_partners,
            closure_requested: flag("closure_requested"),
            closure_approved: flag("closure_approved"),
            outcome: text(case.get("outcome")),
            referrals,
            person_count: case
                .get("persons")
                .and_then(Value::as_array)
                .map_or(0, Vec::len),
        })
    }
}

impl From<&Case> for CaseState {
    fn from(case: &Case) -> CaseState {
        let standing = Standing::from(case);
        CaseState {
            status: case.status,
            office: case.office.clone(),
            category: case.category.clone(),
            pending_to: standing.pending_to.map(str::to_owned),
            consent_given: standing.consent_given,
            shares_with_partners: standing.shares_with_partners,
            closure_requested: case.closure_requested,
            closure_approved: case.closure_approved,
            outcome: case.outcome.clone(),
            referrals: case
                .referrals
                .iter()
                .map(|r| (r.id.to_string(), r.status))
                .collect(),
            person_count: case.persons.len(),
        }
    }
}

impl<'a> From<&'a CaseState> for Standing<'a> {
    fn from(case: &'a CaseState) -> Standing<'a> {
        Standing {
            status: case.status,
            office: &case.office,
            category: &case.category,
            pending_to: case.pending_to.as_deref(),
            consent_given: case.consent_given,
            shares_with_partners: case.shares_with_partners,
            closure_requested: case.closure_requested,
            closure_approved: case.closure_approved,
        }
    }
}

/// A command the actor may run on the case now.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct AvailableCommand {
    /// The command's name, as in the `command` tag of a [`super::Command`].
    #[cfg_attr(feature = "typescript", tsify(type = "string"))]
    #[serde(serialize_with = "wire_name")]
    #[schemars(with = "String")]
    pub command: CommandKind,
    /// Its parameters, in the order a form asks for them.
    pub params: Vec<Param>,
}

/// One parameter of an available command.
#[cfg_attr(feature = "typescript", derive(tsify::Tsify))]
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
#[schemars(rename = "AvailableParam")]
pub struct Param {
    /// Where it goes in the command's body: a key (`to_office`), or a path below one
    /// (`consent/given_by`).
    pub name: &'static str,
    /// Whether the command needs it.
    pub required: bool,
    /// The values it may take now, when they are a closed list: codes of the catalog view's
    /// `labels`, referral ids, and for `consent/given_by` the indexes of the case's persons
    /// written in decimal (`"0"`); absent for free values (texts, dates).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "typescript", tsify(optional))]
    pub choices: Option<Vec<String>>,
}

/// A command's name as on the wire.
fn wire_name<S: serde::Serializer>(kind: &CommandKind, out: S) -> Result<S::Ok, S::Error> {
    out.serialize_str(kind.as_str())
}

/// A parameter with free values.
fn free(name: &'static str, required: bool) -> Param {
    Param {
        name,
        required,
        choices: None,
    }
}

/// A parameter whose values are `choices`.
fn one_of(name: &'static str, required: bool, choices: impl IntoIterator<Item = String>) -> Param {
    Param {
        name,
        required,
        choices: Some(choices.into_iter().collect()),
    }
}

/// Every consent scope's wire name.
fn scopes() -> impl Iterator<Item = String> {
    ConsentScope::ALL.into_iter().map(|s| s.as_str().to_owned())
}

/// The commands `actor` may run on `case` now, in the table's order, with their parameters and
/// the values those may take. `open` is never among them (it makes a case).
pub fn available(case: &Case, catalog: &Catalog, actor: &Actor) -> Vec<AvailableCommand> {
    available_in(&CaseState::from(case), catalog, actor)
}

/// [`available`] for the parts of a case it reads.
pub fn available_in(case: &CaseState, catalog: &Catalog, actor: &Actor) -> Vec<AvailableCommand> {
    CommandKind::ALL
        .iter()
        .filter_map(|&kind| {
            let params = params(case, catalog, actor, kind)?;
            Some(AvailableCommand {
                command: kind,
                params,
            })
        })
        .collect()
}

/// The parameters of `kind` if the actor may run it on the case now.
fn params(
    case: &CaseState,
    catalog: &Catalog,
    actor: &Actor,
    kind: CommandKind,
) -> Option<Vec<Param>> {
    let standing = Standing::from(case);
    // Opening makes a case, `erase` has its own function ([`crate::erasure`]) and attachments
    // come with their file, through their own route: none is a command of the case.
    if matches!(
        kind,
        CommandKind::Open | CommandKind::Erase | CommandKind::AddAttachment
    ) {
        return None;
    }
    if kind == CommandKind::ChangeStatus {
        let to: Vec<String> = Status::ALL
            .iter()
            .filter(|to| admit(standing, actor, kind, Some(**to)).is_ok())
            .map(|to| to.as_str().to_owned())
            .collect();
        return (!to.is_empty()).then(|| vec![one_of("to", true, to)]);
    }
    admit(standing, actor, kind, None).ok()?;
    ready(standing, catalog, kind).ok()?;
    let params = match kind {
        CommandKind::Correct => vec![free("path", true), free("value", true)],
        CommandKind::AddNote => vec![free("text", true), free("written_on", false)],
        CommandKind::RecordService => vec![
            one_of(
                "kind",
                true,
                catalog.services.iter().map(|s| s.code.clone()),
            ),
            free("given_on", true),
            free("description", false),
        ],
        CommandKind::RecordForm => vec![
            one_of("form", true, catalog.forms.iter().map(|f| f.id.clone())),
            free("sha256", true),
        ],
        CommandKind::RequestTransfer => {
            let offices: Vec<String> = catalog
                .offices
                .iter()
                .filter(|o| transfer_target(&case.office, catalog, &o.code).is_ok())
                .map(|o| o.code.clone())
                .collect();
            if offices.is_empty() {
                return None;
            }
            vec![one_of("to_office", true, offices)]
        }
        CommandKind::Refer => {
            if catalog.partners.is_empty() {
                return None;
            }
            vec![
                one_of(
                    "partner",
                    true,
                    catalog.partners.iter().map(|p| p.code.clone()),
                ),
                free("reason", false),
            ]
        }
        CommandKind::AcceptReferral
        | CommandKind::RejectReferral
        | CommandKind::CompleteReferral => {
            let (needs, _) = referral_step(kind);
            let ids: Vec<String> = case
                .referrals
                .iter()
                .filter(|(_, status)| *status == needs)
                .map(|(id, _)| id.clone())
                .collect();
            if ids.is_empty() {
                return None;
            }
            vec![one_of("referral_id", true, ids)]
        }
        CommandKind::RecordConsent => {
            if case.person_count == 0 {
                return None;
            }
            vec![
                free("consent/given", true),
                one_of(
                    "consent/given_by",
                    true,
                    (0..case.person_count).map(|i| i.to_string()),
                ),
                free("consent/recorded_on", true),
                one_of("consent/scope", false, scopes()),
            ]
        }
        CommandKind::WithdrawConsent => vec![one_of("scope", false, scopes())],
        CommandKind::RequestClosure => vec![free("outcome", true)],
        // The outcome may be left out when a closure request gave one.
        CommandKind::Close => vec![free(
            "outcome",
            outcome_text(case.outcome.as_deref()).is_err(),
        )],
        CommandKind::Reopen => vec![free("reason", false)],
        _ => Vec::new(),
    };
    Some(params)
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use serde_json::json;

    use std::ops::Not;

    use super::*;
    use crate::actor::Role;
    use crate::workflow::{Command, decide};

    fn case(over: Value) -> Case {
        let mut base = json!({
            "id": "01950000-0000-7000-8000-000000000001",
            "number": "MIA-2026-000001",
            "office": "MIA",
            "category": "detention",
            "flags": [],
            "priority": "normal",
            "status": "registered",
            "opened_on": "2026-03-01",
            "persons": [{"role": "national", "given_names": "Ana", "surnames": "Pérez",
                         "sex": "female", "birth_date": "1990-01-01", "nationality": "HN"}],
            "facts": {},
            "notes": [], "services": [], "referrals": [], "attachments": [], "forms": [],
            "version": 1,
            "created_at": "2026-03-01T14:00:00Z",
            "updated_at": "2026-03-01T14:00:00Z",
            "head": "00"
        });
        if let (Some(b), Value::Object(o)) = (base.as_object_mut(), over) {
            b.extend(o);
        }
        serde_json::from_value(base).unwrap()
    }

    fn names(list: &[AvailableCommand]) -> Vec<&'static str> {
        list.iter().map(|a| a.command.as_str()).collect()
    }

    /// For every command offered, each choice of its closed parameters makes a command that
    /// `decide` accepts, given valid free arguments; and every command `decide` accepts is offered.
    fn agrees_with_decide(case: &Case, catalog: &Catalog, actor: &Actor) {
        let now = Utc.with_ymd_and_hms(2026, 3, 2, 12, 0, 0).unwrap();
        let offered = available(case, catalog, actor);
        let probes: Vec<Value> = vec![
            json!({"command": "add_note", "text": "nota"}),
            json!({"command": "record_service", "kind": catalog.services[0].code, "given_on": "2026-03-01"}),
            json!({"command": "record_form", "form": "intake_sheet", "sha256": "0".repeat(64)}),
            json!({"command": "request_transfer", "to_office": "HOU"}),
            json!({"command": "accept_transfer"}),
            json!({"command": "reject_transfer"}),
            json!({"command": "refer", "partner": catalog.partners[0].code}),
            json!({"command": "record_consent", "consent": {"given": true, "given_by": 0, "recorded_on": "2026-03-01", "scope": ["processing"]}}),
            json!({"command": "withdraw_consent"}),
            json!({"command": "request_closure", "outcome": "hecho"}),
            json!({"command": "approve_closure"}),
            json!({"command": "close", "outcome": "hecho"}),
            json!({"command": "reopen"}),
            json!({"command": "archive"}),
            json!({"command": "change_status", "to": "in_progress"}),
            json!({"command": "change_status", "to": "resolved"}),
            json!({"command": "change_status", "to": "awaiting_authority"}),
        ];
        for probe in probes {
            let command: Command = serde_json::from_value(probe.clone()).unwrap();
            let accepted = decide(case, catalog, actor, &command, now).is_ok();
            let listed = offered.iter().find(|a| a.command == command.kind());
            let listed = match (&command, listed) {
                (Command::ChangeStatus { to }, Some(a)) => a.params[0]
                    .choices
                    .as_ref()
                    .unwrap()
                    .contains(&to.as_str().to_owned()),
                (Command::RequestTransfer { to_office }, Some(a)) => {
                    a.params[0].choices.as_ref().unwrap().contains(to_office)
                }
                (_, found) => found.is_some(),
            };
            assert_eq!(
                listed, accepted,
                "{probe} for {:?} on {:?}",
                actor.role, case.status
            );
        }
        for referral in &case.referrals {
            for kind in ["accept_referral", "reject_referral", "complete_referral"] {
                let command: Command =
                    serde_json::from_value(json!({"command": kind, "referral_id": referral.id}))
                        .unwrap();
                let accepted = decide(case, catalog, actor, &command, now).is_ok();
                let listed = offered
                    .iter()
                    .find(|a| a.command == command.kind())
                    .is_some_and(|a| {
                        a.params[0]
                            .choices
                            .as_ref()
                            .unwrap()
                            .contains(&referral.id.to_string())
                    });
                assert_eq!(listed, accepted, "{kind}");
            }
        }
    }

    #[test]
    fn what_is_offered_is_what_decide_accepts_in_every_state_and_role() {
        let catalog = Catalog::honduras().unwrap();
        let consent = json!({"given": true, "given_by": 0, "recorded_on": "2026-03-01",
                             "scope": ["processing", "share_with_partners"]});
        let referral = |status: &str, n: u8| {
            json!({"id": format!("01950000-0000-7000-8000-00000000010{n}"), "partner": catalog.partners[0].code,
                   "status": status})
        };
        let mut cases = Vec::new();
        for status in Status::ALL {
            cases.push(case(json!({"status": status})));
            cases.push(case(json!({"status": status, "consent": consent.clone(),
                "referrals": [referral("pending", 1), referral("accepted", 2)]})));
            cases.push(case(
                json!({"status": status, "closure_requested": true, "outcome": "hecho"}),
            ));
            cases.push(case(json!({"status": status, "closure_requested": true, "closure_approved": true, "outcome": "hecho"})));
            cases.push(case(
                json!({"status": status, "category": "missing_person"}),
            ));
            cases.push(case(json!({"status": status,
                "transfer": {"from_office": "MIA", "to_office": "HOU", "status": "pending"}})));
        }
        for role in Role::ALL {
            for office in ["MIA", "HOU", "DGPHM"] {
                let actor = Actor::new("u1", *role, office);
                for c in &cases {
                    agrees_with_decide(c, &catalog, &actor);
                }
            }
        }
    }

    #[test]
    fn the_state_read_from_a_cases_json_is_the_cases_own() {
        let c = case(
            json!({"status": "resolved", "closure_requested": true, "outcome": "hecho",
            "consent": {"given": true, "given_by": 0, "recorded_on": "2026-03-01", "scope": ["processing"]},
            "referrals": [{"id": "01950000-0000-7000-8000-000000000101", "partner": "iom",
                           "reason": "apoyo", "status": "accepted"}],
            "transfer": {"from_office": "MIA", "to_office": "HOU", "status": "rejected"}}),
        );
        let read = CaseState::from_json(&serde_json::to_value(&c).unwrap()).unwrap();
        assert_eq!(read, CaseState::from(&c));
        assert!(read.consent_given && read.shares_with_partners.not());
        assert!(CaseState::from_json(&json!({"status": "lost"})).is_none());
        assert_eq!((read.person_count, read.referrals.len()), (1, 1));
    }

    #[test]
    fn an_officer_on_a_new_case_is_offered_its_commands_with_their_choices() {
        let catalog = Catalog::honduras().unwrap();
        let officer = Actor::new("u1", Role::Officer, "MIA");
        let list = available(&case(json!({})), &catalog, &officer);
        let offered = names(&list);
        assert!(offered.contains(&"change_status") && offered.contains(&"record_consent"));
        assert!(!offered.contains(&"approve_closure") && !offered.contains(&"open"));
        assert!(!offered.contains(&"withdraw_consent") && !offered.contains(&"refer"));
        let status = list
            .iter()
            .find(|a| a.command == CommandKind::ChangeStatus)
            .unwrap();
        assert_eq!(
            status.params[0].choices,
            Some(vec!["in_progress".to_owned()])
        );
        let transfer = list
            .iter()
            .find(|a| a.command == CommandKind::RequestTransfer)
            .unwrap();
        let offices = transfer.params[0].choices.as_ref().unwrap();
        assert_eq!(offices.len(), catalog.offices.len() - 1);
        assert!(!offices.contains(&"MIA".to_owned()));
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json[0]["command"], "change_status");
        assert!(
            available(
                &case(json!({})),
                &catalog,
                &Actor::new("u2", Role::Officer, "HOU")
            )
            .is_empty()
        );
        assert!(
            available(
                &case(json!({})),
                &catalog,
                &Actor::new("u3", Role::Auditor, "MIA")
            )
            .is_empty()
        );
    }
}
