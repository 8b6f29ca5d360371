//! Deciding a command: [`decide`] runs the table's checks ([`admit`]) and hands the command to
//! its own function, which checks its arguments (and what the case must show, [`ready`]) and
//! makes the event's kind. [`execute`] seals that kind into the case's next event.

use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::check::{Standing, admit, outcome_text, ready, referral_step, transfer_target};
use super::correct::correct;
use super::{Command, MAX_NOTE_CHARS, MAX_SHORT_TEXT_CHARS, WorkflowError};
use crate::actor::Actor;
use crate::case::{Case, Consent, ConsentScope, ReferralStatus, Status, withdraws_sharing};
use crate::catalog::Catalog;
use crate::history::{
    self, Event, EventKind, HistoryError, NoteData, ReferralData, Sealed, ServiceData,
};
use crate::transitions::CommandKind;

/// Runs `command` on `case`: checks it and returns the sealed event that follows the case's
/// last one.
pub fn execute(
    case: &Case,
    catalog: &Catalog,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<Event, WorkflowError> {
    let kind = decide(case, catalog, actor, command, now)?;
    Ok(Event::next(case, actor.clone(), now, kind)?)
}

/// Checks `command` against the case, the actor and the catalog, and returns the event's kind.
///
/// The table's checks come first (role, office, status: [`admit`]); then the command's own
/// function checks its arguments and what the case must show.
pub fn decide(
    case: &Case,
    catalog: &Catalog,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<EventKind, WorkflowError> {
    let to = match command {
        Command::ChangeStatus { to } => Some(*to),
        _ => None,
    };
    let standing = Standing::from(case);
    let office = admit(standing, actor, command.kind(), to)?;
    let on = On {
        case,
        standing,
        catalog,
        // Today at the case's office (a service given this evening in Tapachula is not "in the
        // future" because the UTC day has turned).
        today: catalog.local_date(&case.office, now),
        office,
    };
    match command {
        Command::Correct { path, value } => correct(case, catalog, path, value, on.today),
        Command::ChangeStatus { to } => Ok(change_status(&on, *to)),
        Command::AddNote { text, written_on } => add_note(&on, text, *written_on),
        Command::RecordService {
            kind,
            given_on,
            description,
        } => record_service(&on, kind, *given_on, description.as_deref()),
        Command::RecordForm { form, sha256 } => record_form(&on, form, sha256),
        Command::RequestTransfer { to_office } => request_transfer(&on, to_office),
        Command::AcceptTransfer | Command::RejectTransfer => Ok(answer_transfer(&on, command)),
        Command::Refer { partner, reason } => refer(&on, partner, reason.as_deref()),
        Command::AcceptReferral { referral_id }
        | Command::RejectReferral { referral_id }
        | Command::CompleteReferral { referral_id } => {
            answer_referral(&on, command.kind(), *referral_id)
        }
        Command::RecordConsent { consent } => record_consent(&on, consent),
        Command::WithdrawConsent { scope } => withdraw_consent(&on, scope),
        Command::RequestClosure { outcome } => request_closure(&on, outcome),
        Command::ApproveClosure => approve_closure(&on),
        Command::Close { outcome } => close(&on, outcome.as_deref()),
        Command::Reopen { reason } => reopen(reason.as_deref()),
        Command::Archive => Ok(EventKind::Archived),
    }
}

/// What a command's function reads, once the table's checks passed: the case (and what the
/// checks read of it), the catalog, the day the command runs, and the office the actor acts
/// for.
struct On<'a> {
    case: &'a Case,
    standing: Standing<'a>,
    catalog: &'a Catalog,
    today: NaiveDate,
    office: &'a str,
}

impl On<'_> {
    /// What the case must show for `kind` ([`ready`]).
    fn ready(&self, kind: CommandKind) -> Result<(), WorkflowError> {
        ready(self.standing, self.catalog, kind)
    }
}

/// `change_status`: the move the table allowed.
fn change_status(on: &On<'_>, to: Status) -> EventKind {
    EventKind::StatusChanged {
        from: on.case.status,
        to,
    }
}

/// `add_note`: a text within its limit, not written in the future.
fn add_note(
    on: &On<'_>,
    text: &str,
    written_on: Option<NaiveDate>,
) -> Result<EventKind, WorkflowError> {
    check_text("text", text, MAX_NOTE_CHARS)?;
    not_future("written_on", written_on, on.today)?;
    Ok(EventKind::NoteAdded(NoteData {
        text: sealed_text(text)?,
        written_on,
    }))
}

/// `record_service`: a service kind of the catalog, given by today.
fn record_service(
    on: &On<'_>,
    kind: &str,
    given_on: NaiveDate,
    description: Option<&str>,
) -> Result<EventKind, WorkflowError> {
    if on.catalog.service(kind).is_none() {
        return Err(WorkflowError::UnknownService);
    }
    not_future("given_on", Some(given_on), on.today)?;
    if let Some(d) = description {
        check_text("description", d, MAX_SHORT_TEXT_CHARS)?;
    }
    Ok(EventKind::ServiceGiven(ServiceData {
        kind: kind.to_owned(),
        given_on,
        description: description.map(sealed_text).transpose()?,
    }))
}

/// `record_form`: a form of the catalog and the SHA-256 of its PDF.
fn record_form(on: &On<'_>, form: &str, sha256: &str) -> Result<EventKind, WorkflowError> {
    if on.catalog.form(form).is_none() {
        return Err(WorkflowError::UnknownForm);
    }
    if !history::hash::is_sha256_hex(sha256) {
        return Err(WorkflowError::BadDigest);
    }
    Ok(EventKind::FormGenerated {
        form: form.to_owned(),
        sha256: sha256.to_owned(),
    })
}

/// `request_transfer`: another office of the catalog, no transfer pending.
fn request_transfer(on: &On<'_>, to_office: &str) -> Result<EventKind, WorkflowError> {
    transfer_target(&on.case.office, on.catalog, to_office)?;
    on.ready(CommandKind::RequestTransfer)?;
    Ok(EventKind::TransferRequested {
        from_office: on.case.office.clone(),
        to_office: to_office.to_owned(),
    })
}

/// `accept_transfer` and `reject_transfer`: the receiving office's answer (the table checked
/// that a transfer is pending and that the actor acts for that office).
fn answer_transfer(on: &On<'_>, command: &Command) -> EventKind {
    let to_office = on.office.to_owned();
    match command {
        Command::AcceptTransfer => EventKind::TransferAccepted { to_office },
        _ => EventKind::TransferRejected { to_office },
    }
}

/// `refer`: a partner of the catalog, consent to share with partners, a reason within its
/// limit.
fn refer(on: &On<'_>, partner: &str, reason: Option<&str>) -> Result<EventKind, WorkflowError> {
    if on.catalog.partner(partner).is_none() {
        return Err(WorkflowError::UnknownPartner);
    }
    on.ready(CommandKind::Refer)?;
    if let Some(r) = reason {
        check_text("reason", r, MAX_SHORT_TEXT_CHARS)?;
    }
    Ok(EventKind::ReferralRequested(ReferralData {
        referral_id: Uuid::now_v7(),
        partner: partner.to_owned(),
        reason: reason.map(sealed_text).transpose()?,
    }))
}

/// `accept_referral`, `reject_referral` and `complete_referral` (`kind`): a referral of the
/// case in the status the step needs ([`referral_step`]).
fn answer_referral(
    on: &On<'_>,
    kind: CommandKind,
    referral_id: Uuid,
) -> Result<EventKind, WorkflowError> {
    let referral = on
        .case
        .referrals
        .iter()
        .find(|r| r.id == referral_id)
        .ok_or(WorkflowError::UnknownReferral)?;
    let (needs, to) = referral_step(kind);
    if referral.status != needs {
        return Err(WorkflowError::ReferralTransition {
            from: referral.status,
            to,
        });
    }
    Ok(match kind {
        CommandKind::AcceptReferral => EventKind::ReferralAccepted { referral_id },
        CommandKind::RejectReferral => EventKind::ReferralRejected { referral_id },
        _ => EventKind::ReferralDone { referral_id },
    })
}

/// `record_consent`: given by a person of the case, recorded by today.
fn record_consent(on: &On<'_>, consent: &Consent) -> Result<EventKind, WorkflowError> {
    if on.case.persons.get(consent.given_by).is_none() {
        return Err(WorkflowError::BadConsent);
    }
    not_future("recorded_on", Some(consent.recorded_on), on.today)?;
    Ok(EventKind::ConsentRecorded {
        consent: consent.clone(),
    })
}

/// `withdraw_consent`: consent given (`scope` empty withdraws it all). Withdrawing sharing
/// with partners stops it at once: the event cancels every referral still pending.
fn withdraw_consent(on: &On<'_>, scope: &[ConsentScope]) -> Result<EventKind, WorkflowError> {
    on.ready(CommandKind::WithdrawConsent)?;
    let cancelled_referrals = if withdraws_sharing(scope) {
        on.case
            .referrals
            .iter()
            .filter(|r| r.status == ReferralStatus::Pending)
            .map(|r| r.id)
            .collect()
    } else {
        Vec::new()
    };
    Ok(EventKind::ConsentWithdrawn {
        scope: scope.to_vec(),
        cancelled_referrals,
    })
}

/// `request_closure`: no request pending, an outcome.
fn request_closure(on: &On<'_>, outcome: &str) -> Result<EventKind, WorkflowError> {
    on.ready(CommandKind::RequestClosure)?;
    Ok(EventKind::ClosureRequested {
        outcome: outcome_text(Some(outcome))?,
    })
}

/// `approve_closure`: a closure request not yet approved.
fn approve_closure(on: &On<'_>) -> Result<EventKind, WorkflowError> {
    on.ready(CommandKind::ApproveClosure)?;
    Ok(EventKind::ClosureApproved)
}

/// `close`: an outcome, given or requested before; approval for a sensitive category.
fn close(on: &On<'_>, outcome: Option<&str>) -> Result<EventKind, WorkflowError> {
    let given = outcome.filter(|o| !o.trim().is_empty());
    let outcome = outcome_text(given.or(on.case.outcome.as_deref()))?;
    on.ready(CommandKind::Close)?;
    Ok(EventKind::Closed { outcome })
}

/// `reopen`: a reason within its limit, if any.
fn reopen(reason: Option<&str>) -> Result<EventKind, WorkflowError> {
    if let Some(r) = reason {
        check_text("reason", r, MAX_SHORT_TEXT_CHARS)?;
    }
    Ok(EventKind::Reopened {
        reason: reason.map(sealed_text).transpose()?,
    })
}

/// A free text, sealed as events keep it.
fn sealed_text(text: &str) -> Result<Sealed<String>, HistoryError> {
    Sealed::new(text.to_owned())
}

/// A required text: not blank, at most `max` characters.
fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), WorkflowError> {
    if text.trim().is_empty() {
        return Err(WorkflowError::EmptyText { field });
    }
    if text.chars().count() > max {
        return Err(WorkflowError::TooLong { field, max });
    }
    Ok(())
}

/// A day that is not after `today`.
fn not_future(
    field: &'static str,
    day: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(), WorkflowError> {
    if day.is_some_and(|d| d > today) {
        return Err(WorkflowError::FutureDate { field });
    }
    Ok(())
}
