//! The workflow's state machine as data: every [`CommandKind`], and the [`RULES`] that say in
//! which statuses it runs, which status it leads to, who may run it and from which office.
//!
//! [`crate::workflow`] enforces the table and [`crate::history::apply`] takes each command's
//! target status from its `to` column; the table itself is rendered in the workflow's docs.
//!
//! `strum`'s `VariantArray` derive (already built for libphonenumber) lists the variants of
//! [`CommandKind`], so [`CommandKind::ALL`] cannot miss one.

use serde::{Deserialize, Serialize};
use strum::VariantArray;

use crate::actor::Role;
use crate::case::Status;

/// Which command, without its arguments: `open` and every [`crate::workflow::Command`].
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, VariantArray,
)]
#[serde(rename_all = "snake_case")]
pub enum CommandKind {
    /// `open`.
    Open,
    /// `change_status`.
    ChangeStatus,
    /// `correct`.
    Correct,
    /// `add_note`.
    AddNote,
    /// `record_service`.
    RecordService,
    /// `record_form`.
    RecordForm,
    /// `add_attachment` (through [`crate::attachments::attach`], not a [`crate::workflow::Command`]).
    AddAttachment,
    /// `request_transfer`.
    RequestTransfer,
    /// `accept_transfer`.
    AcceptTransfer,
    /// `reject_transfer`.
    RejectTransfer,
    /// `refer`.
    Refer,
    /// `accept_referral`.
    AcceptReferral,
    /// `reject_referral`.
    RejectReferral,
    /// `complete_referral`.
    CompleteReferral,
    /// `record_consent`.
    RecordConsent,
    /// `withdraw_consent`.
    WithdrawConsent,
    /// `request_closure`.
    RequestClosure,
    /// `approve_closure`.
    ApproveClosure,
    /// `close`.
    Close,
    /// `reopen`.
    Reopen,
    /// `archive`.
    Archive,
    /// `erase`: erase a closed case's personal data ([`crate::erasure`]); like `open`, not a
    /// [`crate::workflow::Command`] (it has its own route and function).
    Erase,
}

impl CommandKind {
    /// Every command, in the order of the table.
    pub const ALL: &'static [CommandKind] = <CommandKind as VariantArray>::VARIANTS;

    /// The command's name, as in the table and on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            CommandKind::Open => "open",
            CommandKind::ChangeStatus => "change_status",
            CommandKind::Correct => "correct",
            CommandKind::AddNote => "add_note",
            CommandKind::RecordService => "record_service",
            CommandKind::RecordForm => "record_form",
            CommandKind::AddAttachment => "add_attachment",
            CommandKind::RequestTransfer => "request_transfer",
            CommandKind::AcceptTransfer => "accept_transfer",
            CommandKind::RejectTransfer => "reject_transfer",
            CommandKind::Refer => "refer",
            CommandKind::AcceptReferral => "accept_referral",
            CommandKind::RejectReferral => "reject_referral",
            CommandKind::CompleteReferral => "complete_referral",
            CommandKind::RecordConsent => "record_consent",
            CommandKind::WithdrawConsent => "withdraw_consent",
            CommandKind::RequestClosure => "request_closure",
            CommandKind::ApproveClosure => "approve_closure",
            CommandKind::Close => "close",
            CommandKind::Reopen => "reopen",
            CommandKind::Archive => "archive",
            CommandKind::Erase => "erase",
        }
    }

    /// The rows of the table for this command (at least one: a test checks every command).
    pub fn rules(self) -> impl Iterator<Item = &'static Rule> {
        RULES.iter().filter(move |r| r.command == self)
    }

    /// The status this command leads to when it runs on a case in `from`: `Some(from)` for a
    /// command that leaves the status as it is, `None` when the table has no row for `from`.
    /// For `change_status`, which has one row per target, use [`transition`].
    pub fn target(self, from: Status) -> Option<Status> {
        self.rules()
            .find(|r| r.from.contains(&from))
            .map(|r| r.to.unwrap_or(from))
    }
}

/// The row of the table that allows `command` to take a case from `from` to `to`, if any.
pub fn transition(command: CommandKind, from: Status, to: Status) -> Option<&'static Rule> {
    command
        .rules()
        .find(|r| r.from.contains(&from) && r.to.unwrap_or(from) == to)
}

/// Whose office an actor must act from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OfficeCheck {
    /// The office the intake registers the case in.
    Intake,
    /// The office responsible for the case.
    Case,
    /// The office a pending transfer goes to.
    Receiving,
}

impl OfficeCheck {
    /// As written in the table.
    pub fn as_str(self) -> &'static str {
        match self {
            OfficeCheck::Intake => "intake's",
            OfficeCheck::Case => "case's",
            OfficeCheck::Receiving => "receiving",
        }
    }
}

/// One row of the state machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    /// The command.
    pub command: CommandKind,
    /// The statuses it may run in (empty: before the case exists).
    pub from: &'static [Status],
    /// The status it leads to; `None` leaves the status as it is.
    pub to: Option<Status>,
    /// The roles that may run it.
    pub roles: &'static [Role],
    /// Whose office the actor must act from (the directorate acts for every office).
    pub office: OfficeCheck,
    /// What else it requires, in words.
    pub requires: &'static str,
}

use Status::{AwaitingAuthority, Closed, InProgress, Registered, Resolved};

const OPEN: &[Status] = &[Registered, InProgress, AwaitingAuthority, Resolved];
const LIVE: &[Status] = &[Registered, InProgress, AwaitingAuthority, Resolved, Closed];
const STAFF: &[Role] = &[Role::Officer, Role::Supervisor, Role::Directorate];
const SENIOR: &[Role] = &[Role::Supervisor, Role::Directorate];

const fn rule(
    command: CommandKind,
    from: &'static [Status],
    to: Option<Status>,
    roles: &'static [Role],
    office: OfficeCheck,
    requires: &'static str,
) -> Rule {
    Rule {
        command,
        from,
        to,
        roles,
        office,
        requires,
    }
}

/// The state machine: every command, where it may run, where it leads, who may run it.
pub const RULES: &[Rule] = &[
    rule(
        CommandKind::Open,
        &[],
        Some(Registered),
        STAFF,
        OfficeCheck::Intake,
        "a valid intake (no validation errors)",
    ),
    rule(
        CommandKind::ChangeStatus,
        &[Registered],
        Some(InProgress),
        STAFF,
        OfficeCheck::Case,
        "—",
    ),
    rule(
        CommandKind::ChangeStatus,
        &[InProgress],
        Some(AwaitingAuthority),
        STAFF,
        OfficeCheck::Case,
        "—",
    ),
    rule(
        CommandKind::ChangeStatus,
        &[AwaitingAuthority],
        Some(InProgress),
        STAFF,
        OfficeCheck::Case,
        "—",
    ),
    rule(
        CommandKind::ChangeStatus,
        &[InProgress, AwaitingAuthority],
        Some(Resolved),
        STAFF,
        OfficeCheck::Case,
        "—",
    ),
    rule(
        CommandKind::ChangeStatus,
        &[Resolved],
        Some(InProgress),
        STAFF,
        OfficeCheck::Case,
        "withdraws a closure request",
    ),
    rule(
        CommandKind::Correct,
        OPEN,
        None,
        STAFF,
        OfficeCheck::Case,
        "a correctable path; the case still validates there; a different value",
    ),
    rule(
        CommandKind::AddNote,
        LIVE,
        None,
        STAFF,
        OfficeCheck::Case,
        "non-empty text",
    ),
    rule(
        CommandKind::RecordService,
        OPEN,
        None,
        STAFF,
        OfficeCheck::Case,
        "a service kind of the catalog; not in the future",
    ),
    rule(
        CommandKind::RecordForm,
        LIVE,
        None,
        STAFF,
        OfficeCheck::Case,
        "a form of the catalog; a SHA-256",
    ),
    rule(
        CommandKind::AddAttachment,
        LIVE,
        None,
        STAFF,
        OfficeCheck::Case,
        "a checked file kept in the case's blob storage",
    ),
    rule(
        CommandKind::RequestTransfer,
        OPEN,
        None,
        STAFF,
        OfficeCheck::Case,
        "a known other office; no transfer pending",
    ),
    rule(
        CommandKind::AcceptTransfer,
        OPEN,
        None,
        STAFF,
        OfficeCheck::Receiving,
        "a transfer pending",
    ),
    rule(
        CommandKind::RejectTransfer,
        OPEN,
        None,
        STAFF,
        OfficeCheck::Receiving,
        "a transfer pending",
    ),
    rule(
        CommandKind::Refer,
        OPEN,
        None,
        STAFF,
        OfficeCheck::Case,
        "a known partner; consent to share with partners",
    ),
    rule(
        CommandKind::AcceptReferral,
        LIVE,
        None,
        STAFF,
        OfficeCheck::Case,
        "the referral pending",
    ),
    rule(
        CommandKind::RejectReferral,
        LIVE,
        None,
        STAFF,
        OfficeCheck::Case,
        "the referral pending",
    ),
    rule(
        CommandKind::CompleteReferral,
        LIVE,
        None,
        STAFF,
        OfficeCheck::Case,
        "the referral accepted",
    ),
    rule(
        CommandKind::RecordConsent,
        LIVE,
        None,
        STAFF,
        OfficeCheck::Case,
        "given by a person of the case",
    ),
    rule(
        CommandKind::WithdrawConsent,
        LIVE,
        None,
        STAFF,
        OfficeCheck::Case,
        "consent given",
    ),
    rule(
        CommandKind::RequestClosure,
        &[Resolved],
        None,
        STAFF,
        OfficeCheck::Case,
        "an outcome; no request pending",
    ),
    rule(
        CommandKind::ApproveClosure,
        &[Resolved],
        None,
        SENIOR,
        OfficeCheck::Case,
        "a closure request not yet approved",
    ),
    rule(
        CommandKind::Close,
        &[Resolved],
        Some(Closed),
        STAFF,
        OfficeCheck::Case,
        "an outcome (given or requested); approval for a sensitive category",
    ),
    rule(
        CommandKind::Reopen,
        &[Closed],
        Some(InProgress),
        SENIOR,
        OfficeCheck::Case,
        "—",
    ),
    rule(
        CommandKind::Archive,
        &[Closed],
        Some(Status::Archived),
        SENIOR,
        OfficeCheck::Case,
        "—",
    ),
    rule(
        CommandKind::Erase,
        &[Closed, Status::Archived],
        None,
        &[Role::Directorate],
        OfficeCheck::Case,
        "a reason; for `erase --due`, a retention rule that ran out",
    ),
];

/// Renders [`RULES`] as the markdown table in this module's docs.
pub fn rules_table() -> String {
    let mut out = String::from(
        "| command | from | to | roles | office | requires |\n|---|---|---|---|---|---|\n",
    );
    for r in RULES {
        let from = if r.from.is_empty() {
            "—".to_owned()
        } else {
            r.from
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let to = r.to.map_or("(same)", Status::as_str);
        let roles = r
            .roles
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        out.push_str(&format!(
            "| {} | {from} | {to} | {roles} | {} | {} |\n",
            r.command.as_str(),
            r.office.as_str(),
            r.requires
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_rules_with_one_office_check_and_role_set() {
        for &kind in CommandKind::ALL {
            let rows: Vec<_> = kind.rules().collect();
            let name = kind.as_str();
            let first = rows.first().unwrap_or_else(|| panic!("{name} has no row"));
            assert!(
                rows.iter()
                    .all(|r| r.office == first.office && r.roles == first.roles),
                "{name}"
            );
            assert!(
                rows.iter()
                    .all(|r| !r.roles.contains(&Role::Partner) && !r.roles.contains(&Role::Auditor)),
                "{name}"
            );
            assert_eq!(serde_json::to_value(kind).unwrap(), name);
        }
        assert!(RULES.iter().all(|r| CommandKind::ALL.contains(&r.command)));
    }

    #[test]
    fn targets_come_from_the_to_column() {
        assert_eq!(
            CommandKind::Close.target(Status::Resolved),
            Some(Status::Closed)
        );
        assert_eq!(CommandKind::Close.target(Status::Registered), None);
        assert_eq!(
            CommandKind::AddNote.target(Status::Closed),
            Some(Status::Closed)
        );
        assert!(
            transition(
                CommandKind::ChangeStatus,
                Status::Registered,
                Status::InProgress
            )
            .is_some()
        );
        assert!(
            transition(
                CommandKind::ChangeStatus,
                Status::Registered,
                Status::Resolved
            )
            .is_none()
        );
    }
}
