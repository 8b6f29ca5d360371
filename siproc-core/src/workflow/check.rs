//! The checks a command passes before its own: the state machine's table ([`admit`]: role,
//! office, status) and what the case itself must show ([`ready`]). [`super::decide`] runs them
//! before a command's arguments are looked at, and [`super::available`] runs the same ones to
//! offer only what would pass.

use crate::actor::{Actor, Role};
use crate::case::{Case, ConsentScope, ReferralStatus, Status};
use crate::catalog::Catalog;
use crate::transitions::{CommandKind, OfficeCheck};

use super::{MAX_SHORT_TEXT_CHARS, WorkflowError};

/// The checks of the state machine's table ([`RULES`](crate::transitions::RULES)) for `kind`
/// run by `actor` on `case`, in the table's order: role, office, status (for `change_status`,
/// the move to `to`). Returns the office the actor acts for (the receiving one for a transfer's
/// answer).
pub(super) fn admit<'c>(
    case: Standing<'c>,
    actor: &Actor,
    kind: CommandKind,
    to: Option<Status>,
) -> Result<&'c str, WorkflowError> {
    let name = kind.as_str();
    let first = kind.rules().next().ok_or(WorkflowError::RoleNotAllowed {
        role: actor.role,
        command: name,
    })?;
    if !first.roles.contains(&actor.role) {
        return Err(WorkflowError::RoleNotAllowed {
            role: actor.role,
            command: name,
        });
    }
    let office = match first.office {
        OfficeCheck::Receiving => case.pending_to.ok_or(WorkflowError::NoPendingTransfer)?,
        OfficeCheck::Case | OfficeCheck::Intake => case.office,
    };
    if actor.role != Role::Directorate && actor.office != office {
        return Err(WorkflowError::WrongOffice { command: name });
    }
    let allowed = match (kind, to) {
        (CommandKind::ChangeStatus, Some(to)) => {
            crate::transitions::transition(kind, case.status, to)
                .map(|_| ())
                .ok_or(WorkflowError::IllegalTransition {
                    from: case.status,
                    to,
                })
        }
        _ => kind.target(case.status).map(|_| ()).ok_or(match first.to {
            Some(to) => WorkflowError::IllegalTransition {
                from: case.status,
                to,
            },
            None => WorkflowError::WrongStatus {
                command: name,
                status: case.status,
            },
        }),
    };
    allowed?;
    Ok(office)
}

/// [`admit`] for a command that is not a [`super::Command`] (`erase`, [`crate::erasure`]):
/// role, office and status from the table.
pub(crate) fn admit_kind(
    case: &Case,
    actor: &Actor,
    kind: CommandKind,
) -> Result<(), WorkflowError> {
    admit(Standing::from(case), actor, kind, None).map(|_| ())
}

/// What the case itself must show for `kind` to run, whatever its arguments: no transfer
/// pending for a new one, consent to share before a referral, consent to withdraw, a closure
/// request (not yet approved) to approve, none yet to request one, approval before closing a
/// sensitive case. Commands without such a requirement are always ready.
pub(super) fn ready(
    case: Standing<'_>,
    catalog: &Catalog,
    kind: CommandKind,
) -> Result<(), WorkflowError> {
    let fails = |failed: bool, error: WorkflowError| if failed { Err(error) } else { Ok(()) };
    match kind {
        CommandKind::RequestTransfer => {
            fails(case.pending_to.is_some(), WorkflowError::TransferPending)
        }
        CommandKind::Refer => fails(!case.shares_with_partners, WorkflowError::ConsentMissing),
        CommandKind::WithdrawConsent => fails(!case.consent_given, WorkflowError::NoConsent),
        CommandKind::RequestClosure => fails(
            case.closure_requested,
            WorkflowError::ClosureAlreadyRequested,
        ),
        CommandKind::ApproveClosure => {
            fails(!case.closure_requested, WorkflowError::NoClosureRequest)?;
            fails(case.closure_approved, WorkflowError::ClosureAlreadyApproved)
        }
        CommandKind::Close => fails(
            sensitive(case.category, catalog) && !case.closure_approved,
            WorkflowError::ApprovalRequired,
        ),
        _ => Ok(()),
    }
}

/// Whether `to_office` may receive a case of office `from`: an office of the catalog, not `from`.
pub(super) fn transfer_target(
    from: &str,
    catalog: &Catalog,
    to_office: &str,
) -> Result<(), WorkflowError> {
    if catalog.office(to_office).is_none() {
        return Err(WorkflowError::UnknownOffice);
    }
    if to_office == from {
        return Err(WorkflowError::SameOffice);
    }
    Ok(())
}

/// The status a referral must be in for a referral command, and the one it leads to.
pub(super) fn referral_step(kind: CommandKind) -> (ReferralStatus, ReferralStatus) {
    match kind {
        CommandKind::AcceptReferral => (ReferralStatus::Pending, ReferralStatus::Accepted),
        CommandKind::RejectReferral => (ReferralStatus::Pending, ReferralStatus::Rejected),
        _ => (ReferralStatus::Accepted, ReferralStatus::Done),
    }
}

/// Whether closing the case needs a supervisor's approval: its category is marked sensitive in
/// the catalog (an unknown category counts as sensitive).
pub fn is_sensitive(case: &Case, catalog: &Catalog) -> bool {
    sensitive(&case.category, catalog)
}

/// Whether the category `code` is sensitive (an unknown one counts as sensitive).
fn sensitive(code: &str, catalog: &Catalog) -> bool {
    catalog.category(code).is_none_or(|c| c.sensitive)
}

/// What the workflow's own checks read of a case: its status, office and category, the office
/// a pending transfer goes to, its consent and closure. Borrowed from a [`Case`] or from an
/// [`super::CaseState`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Standing<'a> {
    pub(super) status: Status,
    pub(super) office: &'a str,
    pub(super) category: &'a str,
    /// The receiving office of a pending transfer.
    pub(super) pending_to: Option<&'a str>,
    /// Consent was given.
    pub(super) consent_given: bool,
    /// Consent was given to share with partner organisations.
    pub(super) shares_with_partners: bool,
    pub(super) closure_requested: bool,
    pub(super) closure_approved: bool,
}

impl<'a> From<&'a Case> for Standing<'a> {
    fn from(case: &'a Case) -> Standing<'a> {
        Standing {
            status: case.status,
            office: &case.office,
            category: &case.category,
            pending_to: case.pending_transfer(),
            consent_given: case.consent.as_ref().is_some_and(|c| c.given),
            shares_with_partners: case
                .consent
                .as_ref()
                .is_some_and(|c| c.covers(ConsentScope::ShareWithPartners)),
            closure_requested: case.closure_requested,
            closure_approved: case.closure_approved,
        }
    }
}

/// The outcome a closure records: `outcome` trimmed, neither missing nor too long.
pub(super) fn outcome_text(outcome: Option<&str>) -> Result<String, WorkflowError> {
    let outcome = outcome
        .map(|o| o.trim())
        .filter(|o| !o.is_empty())
        .ok_or(WorkflowError::MissingOutcome)?;
    if outcome.chars().count() > MAX_SHORT_TEXT_CHARS {
        return Err(WorkflowError::TooLong {
            field: "outcome",
            max: MAX_SHORT_TEXT_CHARS,
        });
    }
    Ok(outcome.to_owned())
}
