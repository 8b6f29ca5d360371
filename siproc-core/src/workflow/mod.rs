//! The workflow: commands checked against the case's state and the actor's role and office,
//! producing an [`Event`] or a typed [`WorkflowError`].
//!
//! Opening a case is [`open`] (from a valid intake, with a case number given by a store or by
//! the caller); every other change is a [`Command`] run by [`execute`] (or decided without
//! sealing by [`decide`]). Commands never change a case: the event they produce does, through
//! [`crate::history::apply`].
//!
//! Roles: an *officer* works the cases of their office; a *supervisor* also approves closures,
//! reopens and archives; the *directorate* may act on every office's cases; a *partner*
//! organisation only ever sees aggregates and an *auditor* only reads cases and the access log:
//! neither issues any command (each is refused with [`WorkflowError::RoleNotAllowed`]). Everyone except the
//! directorate acts only on cases of their own office (or, for a transfer, of the receiving
//! office).
//!
//! # State machine
//!
//! Checked in this order: role, office, status, then the command's own requirements. The table
//! is rendered from [`RULES`], which the code enforces; a test keeps the two identical.
//!
//! <!-- rules:begin -->
//! | command | from | to | roles | office | requires |
//! |---|---|---|---|---|---|
//! | open | — | registered | officer, supervisor, directorate | intake's | a valid intake (no validation errors) |
//! | change_status | registered | in_progress | officer, supervisor, directorate | case's | — |
//! | change_status | in_progress | awaiting_authority | officer, supervisor, directorate | case's | — |
//! | change_status | awaiting_authority | in_progress | officer, supervisor, directorate | case's | — |
//! | change_status | in_progress, awaiting_authority | resolved | officer, supervisor, directorate | case's | — |
//! | change_status | resolved | in_progress | officer, supervisor, directorate | case's | withdraws a closure request |
//! | correct | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | case's | a correctable path; the case still validates there; a different value |
//! | add_note | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | non-empty text |
//! | record_service | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | case's | a service kind of the catalog; not in the future |
//! | record_form | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | a form of the catalog; a SHA-256 |
//! | request_transfer | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | case's | a known other office; no transfer pending |
//! | accept_transfer | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | receiving | a transfer pending |
//! | reject_transfer | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | receiving | a transfer pending |
//! | refer | registered, in_progress, awaiting_authority, resolved | (same) | officer, supervisor, directorate | case's | a known partner; consent to share with partners |
//! | accept_referral | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | the referral pending |
//! | reject_referral | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | the referral pending |
//! | complete_referral | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | the referral accepted |
//! | record_consent | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | given by a person of the case |
//! | withdraw_consent | registered, in_progress, awaiting_authority, resolved, closed | (same) | officer, supervisor, directorate | case's | consent given |
//! | request_closure | resolved | (same) | officer, supervisor, directorate | case's | an outcome; no request pending |
//! | approve_closure | resolved | (same) | supervisor, directorate | case's | a closure request not yet approved |
//! | close | resolved | closed | officer, supervisor, directorate | case's | an outcome (given or requested); approval for a sensitive category |
//! | reopen | closed | in_progress | supervisor, directorate | case's | — |
//! | archive | closed | archived | supervisor, directorate | case's | — |
//! <!-- rules:end -->

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::actor::{Actor, Role};
use crate::case::{Case, Consent, ConsentScope, Intake, ReferralStatus, Status};
use crate::catalog::Catalog;
use crate::history::{
    self, CorrectionError, Event, EventKind, FreshEvent, GENESIS_HASH, HistoryError, NoteData,
    Opened, ReferralData, Sealed, ServiceData,
};
use crate::issue::{Locale, Report};
use crate::normalize::normalize_intake;
use crate::transitions::{CommandKind, OfficeCheck};
use crate::validation::validate_on;

mod available;
pub use available::{AvailableCommand, CaseState, Param, available, available_in};

/// A change asked for on a registered case. Serialized with a `command` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "command", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Command {
    /// Correct a value: `path` is a JSON Pointer into the case (`/persons/0/surnames`,
    /// `/facts/facility`, `/flags`, `/priority`, `/opened_on`); `null` removes an optional value.
    Correct {
        /// Where.
        path: String,
        /// The new value.
        value: Value,
    },
    /// Move the case to another status (see the table).
    ChangeStatus {
        /// The new status.
        to: Status,
    },
    /// Add a note.
    AddNote {
        /// The text.
        text: String,
        /// The day it was written.
        #[serde(default)]
        written_on: Option<NaiveDate>,
    },
    /// Record a service given.
    RecordService {
        /// The service code from the catalog.
        kind: String,
        /// The day.
        given_on: NaiveDate,
        /// What was done.
        #[serde(default)]
        description: Option<String>,
    },
    /// Record a form generated for the paper file.
    RecordForm {
        /// The form's id in the catalog.
        form: String,
        /// SHA-256 of the PDF, lowercase hex.
        sha256: String,
    },
    /// Ask another office to take the case.
    RequestTransfer {
        /// The receiving office.
        to_office: String,
    },
    /// Take the case (receiving office).
    AcceptTransfer,
    /// Decline the case (receiving office).
    RejectTransfer,
    /// Refer the case to a partner organisation.
    Refer {
        /// The partner code from the catalog.
        partner: String,
        /// Why.
        #[serde(default)]
        reason: Option<String>,
    },
    /// Record that the partner took the referral on.
    AcceptReferral {
        /// Which referral.
        referral_id: Uuid,
    },
    /// Record that the partner declined the referral.
    RejectReferral {
        /// Which referral.
        referral_id: Uuid,
    },
    /// Record that the partner finished its part.
    CompleteReferral {
        /// Which referral.
        referral_id: Uuid,
    },
    /// Record consent (replacing the earlier one).
    RecordConsent {
        /// The consent.
        consent: Consent,
    },
    /// Withdraw consent for some scopes, or entirely (empty list).
    WithdrawConsent {
        /// The scopes; empty means all.
        #[serde(default)]
        scope: Vec<ConsentScope>,
    },
    /// Ask for closure with an outcome.
    RequestClosure {
        /// The outcome.
        outcome: String,
    },
    /// Approve a requested closure (supervisor or directorate).
    ApproveClosure,
    /// Close the case.
    Close {
        /// The outcome; defaults to the requested one.
        #[serde(default)]
        outcome: Option<String>,
    },
    /// Reopen a closed case.
    Reopen {
        /// Why.
        #[serde(default)]
        reason: Option<String>,
    },
    /// Archive a closed case.
    Archive,
}

impl Command {
    /// Which command this is, without its arguments.
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::Correct { .. } => CommandKind::Correct,
            Command::ChangeStatus { .. } => CommandKind::ChangeStatus,
            Command::AddNote { .. } => CommandKind::AddNote,
            Command::RecordService { .. } => CommandKind::RecordService,
            Command::RecordForm { .. } => CommandKind::RecordForm,
            Command::RequestTransfer { .. } => CommandKind::RequestTransfer,
            Command::AcceptTransfer => CommandKind::AcceptTransfer,
            Command::RejectTransfer => CommandKind::RejectTransfer,
            Command::Refer { .. } => CommandKind::Refer,
            Command::AcceptReferral { .. } => CommandKind::AcceptReferral,
            Command::RejectReferral { .. } => CommandKind::RejectReferral,
            Command::CompleteReferral { .. } => CommandKind::CompleteReferral,
            Command::RecordConsent { .. } => CommandKind::RecordConsent,
            Command::WithdrawConsent { .. } => CommandKind::WithdrawConsent,
            Command::RequestClosure { .. } => CommandKind::RequestClosure,
            Command::ApproveClosure => CommandKind::ApproveClosure,
            Command::Close { .. } => CommandKind::Close,
            Command::Reopen { .. } => CommandKind::Reopen,
            Command::Archive => CommandKind::Archive,
        }
    }

    /// The command's name, as in the state machine table.
    pub fn name(&self) -> &'static str {
        self.kind().as_str()
    }
}

/// Longest note text, in characters.
pub const MAX_NOTE_CHARS: usize = 10_000;
/// Longest outcome, service description or reason, in characters.
pub const MAX_SHORT_TEXT_CHARS: usize = 2_000;

/// A command that cannot run. Never holds personal data: fields are named by JSON Pointer
/// (only when the pointer is made of identifiers and indexes), values never.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WorkflowError {
    /// The intake has validation errors; the report lists them (codes, paths, messages).
    #[error("the intake is not valid ({} errors)", report.errors().count())]
    InvalidIntake {
        /// The validation report.
        report: Report,
    },
    /// The actor's role may not run this command.
    #[error("role {} may not {command}", role.as_str())]
    RoleNotAllowed {
        /// The actor's role.
        role: Role,
        /// The command.
        command: &'static str,
    },
    /// The actor acts from another office than the one the command needs.
    #[error("the actor's office may not {command} this case")]
    WrongOffice {
        /// The command.
        command: &'static str,
    },
    /// The status cannot move that way.
    #[error("illegal transition from {} to {}", from.as_str(), to.as_str())]
    IllegalTransition {
        /// The current status.
        from: Status,
        /// The status asked for.
        to: Status,
    },
    /// The command cannot run in the current status.
    #[error("{command} is not allowed while the case is {}", status.as_str())]
    WrongStatus {
        /// The command.
        command: &'static str,
        /// The current status.
        status: Status,
    },
    /// Closing (or asking to close) needs an outcome.
    #[error("an outcome is required")]
    MissingOutcome,
    /// The category is sensitive: a supervisor must approve the closure first.
    #[error("a supervisor's approval is required to close a case of a sensitive category")]
    ApprovalRequired,
    /// There is no closure request to approve.
    #[error("no closure was requested")]
    NoClosureRequest,
    /// A closure request is already pending.
    #[error("a closure was already requested")]
    ClosureAlreadyRequested,
    /// The closure was already approved.
    #[error("the closure was already approved")]
    ClosureAlreadyApproved,
    /// Referral to a partner needs consent to share with partners.
    #[error("consent to share with partners is missing")]
    ConsentMissing,
    /// There is no given consent to withdraw.
    #[error("no consent was given")]
    NoConsent,
    /// The consent names no person of the case.
    #[error("consent must be given by a person of the case")]
    BadConsent,
    /// The office is not in the catalog.
    #[error("unknown office")]
    UnknownOffice,
    /// A case cannot be transferred to the office it is in.
    #[error("the case is already in that office")]
    SameOffice,
    /// A transfer is already pending.
    #[error("a transfer is already pending")]
    TransferPending,
    /// There is no pending transfer to accept or reject.
    #[error("no transfer is pending")]
    NoPendingTransfer,
    /// The partner is not in the catalog.
    #[error("unknown partner")]
    UnknownPartner,
    /// The case has no referral with that id.
    #[error("unknown referral")]
    UnknownReferral,
    /// The referral cannot move that way.
    #[error("a referral cannot go from {from:?} to {to:?}")]
    ReferralTransition {
        /// Its current status.
        from: ReferralStatus,
        /// The status asked for.
        to: ReferralStatus,
    },
    /// The service kind is not in the catalog.
    #[error("unknown service kind")]
    UnknownService,
    /// The form is not in the catalog.
    #[error("unknown form")]
    UnknownForm,
    /// A digest is not 64 lowercase hex digits.
    #[error("not a SHA-256 digest in lowercase hex")]
    BadDigest,
    /// The path does not name a correctable field.
    #[error("{path:?} cannot be corrected")]
    NotCorrectable {
        /// The path (empty when it held more than identifiers and indexes).
        path: String,
    },
    /// The value does not have the field's type.
    #[error("the value for {path:?} has the wrong type")]
    BadValue {
        /// The path.
        path: String,
    },
    /// The corrected case does not validate at the path.
    #[error("the correction of {path:?} is not valid")]
    InvalidCorrection {
        /// The path.
        path: String,
        /// The issues at or below the path.
        report: Report,
    },
    /// The correction does not change the value.
    #[error("the correction of {path:?} changes nothing")]
    Unchanged {
        /// The path.
        path: String,
    },
    /// A required text is empty.
    #[error("{field} is empty")]
    EmptyText {
        /// Which field.
        field: &'static str,
    },
    /// A text is too long.
    #[error("{field} is longer than {max} characters")]
    TooLong {
        /// Which field.
        field: &'static str,
        /// The limit.
        max: usize,
    },
    /// A date is in the future.
    #[error("{field} is in the future")]
    FutureDate {
        /// Which field.
        field: &'static str,
    },
    /// The event could not be made (a value without canonical JSON form).
    #[error(transparent)]
    History(#[from] HistoryError),
}

impl WorkflowError {
    /// The stable machine code (`workflow.illegal_transition`, …).
    pub fn code(&self) -> &'static str {
        match self {
            WorkflowError::InvalidIntake { .. } => "workflow.invalid_intake",
            WorkflowError::RoleNotAllowed { .. } => "workflow.role_not_allowed",
            WorkflowError::WrongOffice { .. } => "workflow.wrong_office",
            WorkflowError::IllegalTransition { .. } => "workflow.illegal_transition",
            WorkflowError::WrongStatus { .. } => "workflow.wrong_status",
            WorkflowError::MissingOutcome => "workflow.missing_outcome",
            WorkflowError::ApprovalRequired => "workflow.approval_required",
            WorkflowError::NoClosureRequest => "workflow.no_closure_request",
            WorkflowError::ClosureAlreadyRequested => "workflow.closure_already_requested",
            WorkflowError::ClosureAlreadyApproved => "workflow.closure_already_approved",
            WorkflowError::ConsentMissing => "workflow.consent_missing",
            WorkflowError::NoConsent => "workflow.no_consent",
            WorkflowError::BadConsent => "workflow.bad_consent",
            WorkflowError::UnknownOffice => "workflow.unknown_office",
            WorkflowError::SameOffice => "workflow.same_office",
            WorkflowError::TransferPending => "workflow.transfer_pending",
            WorkflowError::NoPendingTransfer => "workflow.no_pending_transfer",
            WorkflowError::UnknownPartner => "workflow.unknown_partner",
            WorkflowError::UnknownReferral => "workflow.unknown_referral",
            WorkflowError::ReferralTransition { .. } => "workflow.referral_transition",
            WorkflowError::UnknownService => "workflow.unknown_service",
            WorkflowError::UnknownForm => "workflow.unknown_form",
            WorkflowError::BadDigest => "workflow.bad_digest",
            WorkflowError::NotCorrectable { .. } => "workflow.not_correctable",
            WorkflowError::BadValue { .. } => "workflow.bad_value",
            WorkflowError::InvalidCorrection { .. } => "workflow.invalid_correction",
            WorkflowError::Unchanged { .. } => "workflow.unchanged",
            WorkflowError::EmptyText { .. } => "workflow.empty_text",
            WorkflowError::TooLong { .. } => "workflow.too_long",
            WorkflowError::FutureDate { .. } => "workflow.future_date",
            WorkflowError::History(e) => e.code(),
        }
    }
}

/// Every code a [`WorkflowError`] can have (besides the `history.*` codes it passes on).
pub const ERROR_CODES: &[&str] = &[
    "workflow.invalid_intake",
    "workflow.role_not_allowed",
    "workflow.wrong_office",
    "workflow.illegal_transition",
    "workflow.wrong_status",
    "workflow.missing_outcome",
    "workflow.approval_required",
    "workflow.no_closure_request",
    "workflow.closure_already_requested",
    "workflow.closure_already_approved",
    "workflow.consent_missing",
    "workflow.no_consent",
    "workflow.bad_consent",
    "workflow.unknown_office",
    "workflow.same_office",
    "workflow.transfer_pending",
    "workflow.no_pending_transfer",
    "workflow.unknown_partner",
    "workflow.unknown_referral",
    "workflow.referral_transition",
    "workflow.unknown_service",
    "workflow.unknown_form",
    "workflow.bad_digest",
    "workflow.not_correctable",
    "workflow.bad_value",
    "workflow.invalid_correction",
    "workflow.unchanged",
    "workflow.empty_text",
    "workflow.too_long",
    "workflow.future_date",
];

/// Whether `actor` may open a case in `office` (the `open` row of [`RULES`]).
pub(crate) fn may_open(actor: &Actor, office: &str) -> Result<(), WorkflowError> {
    if !CommandKind::Open
        .rules()
        .next()
        .is_some_and(|r| r.roles.contains(&actor.role))
    {
        return Err(WorkflowError::RoleNotAllowed {
            role: actor.role,
            command: "open",
        });
    }
    if actor.role != Role::Directorate && actor.office != office {
        return Err(WorkflowError::WrongOffice { command: "open" });
    }
    Ok(())
}

/// Makes the `case_opened` event of a new case from `intake`.
///
/// The intake is validated ([`crate::validate`], with `now`'s date as today) and refused with
/// its report if it has errors, then normalised ([`normalize_intake`]). `number` comes from a
/// store ([`crate::store::CaseStore::create_case`]) or from the caller.
pub fn open(
    catalog: &Catalog,
    actor: &Actor,
    intake: &Intake,
    number: &str,
    case_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Event, WorkflowError> {
    open_fresh(catalog, actor, intake, number, case_id, now).map(FreshEvent::into_event)
}

/// [`open`], as the [`FreshEvent`] that [`crate::store::CaseStore::create_case`] takes.
pub fn open_fresh(
    catalog: &Catalog,
    actor: &Actor,
    intake: &Intake,
    number: &str,
    case_id: Uuid,
    now: DateTime<Utc>,
) -> Result<FreshEvent, WorkflowError> {
    draft_open(catalog, actor, intake, case_id, now)?.seal(number)
}

/// Everything [`open`] does but the number: the intake validated, normalised and its personal
/// parts sealed, waiting for [`OpeningDraft::seal`]. A store holds its numbering lock only
/// while the draft is sealed with a number, not while the intake is checked, so that callers
/// on many threads check their intakes at the same time ([`crate::store::open_case`]).
pub fn draft_open(
    catalog: &Catalog,
    actor: &Actor,
    intake: &Intake,
    case_id: Uuid,
    now: DateTime<Utc>,
) -> Result<OpeningDraft, WorkflowError> {
    may_open(actor, &intake.office)?;
    let report = validate_on(intake, catalog, Locale::default(), now.date_naive());
    if !report.ok {
        return Err(WorkflowError::InvalidIntake { report });
    }
    let opened = opening(normalize_intake(intake, catalog), "", None)?;
    Ok(draft(case_id, actor, now, opened))
}

/// A `case_opened` event without its number ([`draft_open`], [`crate::legacy::draft`]).
#[derive(Debug, Clone)]
pub struct OpeningDraft {
    case_id: Uuid,
    actor: Actor,
    at: DateTime<Utc>,
    opened: Opened,
}

impl OpeningDraft {
    /// The case the event opens.
    pub fn case_id(&self) -> Uuid {
        self.case_id
    }

    /// The registering office.
    pub fn office(&self) -> &str {
        &self.opened.office
    }

    /// The event, numbered `number` and sealed (its hash over the canonical JSON). A draft can
    /// be sealed again with another number, as a store does when another process took the
    /// number first.
    pub fn seal(&self, number: &str) -> Result<FreshEvent, WorkflowError> {
        let mut opened = self.opened.clone();
        opened.number = number.to_owned();
        Ok(Event::seal(
            self.case_id,
            1,
            GENESIS_HASH,
            self.actor.clone(),
            self.at,
            EventKind::CaseOpened(Box::new(opened)),
        )
        .map(FreshEvent)?)
    }
}

/// A draft from a payload the core sealed itself ([`crate::legacy::draft`]).
pub(crate) fn draft(
    case_id: Uuid,
    actor: &Actor,
    now: DateTime<Utc>,
    opened: Opened,
) -> OpeningDraft {
    OpeningDraft {
        case_id,
        actor: actor.clone(),
        at: now,
        opened,
    }
}

/// The payload of a `case_opened` event from a normalised intake: personal parts sealed, a
/// fresh id for each referral. `legacy` is the origin of a migrated case ([`crate::legacy`]).
pub(crate) fn opening(
    intake: Intake,
    number: &str,
    legacy: Option<crate::case::LegacyOrigin>,
) -> Result<Opened, HistoryError> {
    Ok(Opened {
        number: number.to_owned(),
        office: intake.office,
        category: intake.category,
        flags: intake.flags,
        priority: intake.priority.unwrap_or_default(),
        opened_on: intake.opened_on,
        persons: intake
            .persons
            .into_iter()
            .map(Sealed::new)
            .collect::<Result<_, _>>()?,
        consent: intake.consent,
        facts: Sealed::new(intake.facts)?,
        notes: intake
            .notes
            .into_iter()
            .map(|n| {
                Ok(NoteData {
                    text: Sealed::new(n.text)?,
                    written_on: n.written_on,
                })
            })
            .collect::<Result<_, HistoryError>>()?,
        services: intake
            .services
            .into_iter()
            .map(|s| {
                Ok(ServiceData {
                    kind: s.kind,
                    given_on: s.given_on,
                    description: s.description.map(Sealed::new).transpose()?,
                })
            })
            .collect::<Result<_, HistoryError>>()?,
        referrals: intake
            .referrals
            .into_iter()
            .map(|r| {
                Ok(ReferralData {
                    referral_id: Uuid::now_v7(),
                    partner: r.partner,
                    reason: r.reason.map(Sealed::new).transpose()?,
                })
            })
            .collect::<Result<_, HistoryError>>()?,
        attachments: intake.attachments,
        legacy,
    })
}

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
pub fn decide(
    case: &Case,
    catalog: &Catalog,
    actor: &Actor,
    command: &Command,
    now: DateTime<Utc>,
) -> Result<EventKind, WorkflowError> {
    let kind = command.kind();
    let to = match command {
        Command::ChangeStatus { to } => Some(*to),
        _ => None,
    };
    let standing = Standing::from(case);
    let office = admit(standing, actor, kind, to)?;
    let today = now.date_naive();
    let kind = match command {
        Command::Correct { path, value } => correct(case, catalog, path, value, today)?,
        Command::ChangeStatus { to } => EventKind::StatusChanged {
            from: case.status,
            to: *to,
        },
        Command::AddNote { text, written_on } => {
            check_text("text", text, MAX_NOTE_CHARS)?;
            not_future("written_on", *written_on, today)?;
            EventKind::NoteAdded(NoteData {
                text: Sealed::new(text.clone())?,
                written_on: *written_on,
            })
        }
        Command::RecordService {
            kind,
            given_on,
            description,
        } => {
            if catalog.service(kind).is_none() {
                return Err(WorkflowError::UnknownService);
            }
            not_future("given_on", Some(*given_on), today)?;
            if let Some(d) = description {
                check_text("description", d, MAX_SHORT_TEXT_CHARS)?;
            }
            EventKind::ServiceGiven(ServiceData {
                kind: kind.clone(),
                given_on: *given_on,
                description: description.clone().map(Sealed::new).transpose()?,
            })
        }
        Command::RecordForm { form, sha256 } => {
            if catalog.form(form).is_none() {
                return Err(WorkflowError::UnknownForm);
            }
            if !history::hash::is_sha256_hex(sha256) {
                return Err(WorkflowError::BadDigest);
            }
            EventKind::FormGenerated {
                form: form.clone(),
                sha256: sha256.clone(),
            }
        }
        Command::RequestTransfer { to_office } => {
            transfer_target(&case.office, catalog, to_office)?;
            ready(standing, catalog, CommandKind::RequestTransfer)?;
            EventKind::TransferRequested {
                from_office: case.office.clone(),
                to_office: to_office.clone(),
            }
        }
        Command::AcceptTransfer => EventKind::TransferAccepted {
            to_office: office.to_owned(),
        },
        Command::RejectTransfer => EventKind::TransferRejected {
            to_office: office.to_owned(),
        },
        Command::Refer { partner, reason } => {
            if catalog.partner(partner).is_none() {
                return Err(WorkflowError::UnknownPartner);
            }
            ready(standing, catalog, CommandKind::Refer)?;
            if let Some(r) = reason {
                check_text("reason", r, MAX_SHORT_TEXT_CHARS)?;
            }
            EventKind::ReferralRequested(ReferralData {
                referral_id: Uuid::now_v7(),
                partner: partner.clone(),
                reason: reason.clone().map(Sealed::new).transpose()?,
            })
        }
        Command::AcceptReferral { referral_id }
        | Command::RejectReferral { referral_id }
        | Command::CompleteReferral { referral_id } => {
            let referral = case
                .referrals
                .iter()
                .find(|r| r.id == *referral_id)
                .ok_or(WorkflowError::UnknownReferral)?;
            let referral_id = *referral_id;
            let (needs, to) = referral_step(command.kind());
            let kind = match command {
                Command::AcceptReferral { .. } => EventKind::ReferralAccepted { referral_id },
                Command::RejectReferral { .. } => EventKind::ReferralRejected { referral_id },
                _ => EventKind::ReferralDone { referral_id },
            };
            if referral.status != needs {
                return Err(WorkflowError::ReferralTransition {
                    from: referral.status,
                    to,
                });
            }
            kind
        }
        Command::RecordConsent { consent } => {
            if case.persons.get(consent.given_by).is_none() {
                return Err(WorkflowError::BadConsent);
            }
            not_future("recorded_on", Some(consent.recorded_on), today)?;
            EventKind::ConsentRecorded {
                consent: consent.clone(),
            }
        }
        Command::WithdrawConsent { scope } => {
            ready(standing, catalog, CommandKind::WithdrawConsent)?;
            EventKind::ConsentWithdrawn {
                scope: scope.clone(),
            }
        }
        Command::RequestClosure { outcome } => {
            ready(standing, catalog, CommandKind::RequestClosure)?;
            EventKind::ClosureRequested {
                outcome: outcome_text(Some(outcome))?,
            }
        }
        Command::ApproveClosure => {
            ready(standing, catalog, CommandKind::ApproveClosure)?;
            EventKind::ClosureApproved
        }
        Command::Close { outcome } => {
            let given = outcome.as_ref().filter(|o| !o.trim().is_empty());
            let outcome = outcome_text(given.or(case.outcome.as_ref()))?;
            ready(standing, catalog, CommandKind::Close)?;
            EventKind::Closed { outcome }
        }
        Command::Reopen { reason } => {
            if let Some(r) = reason {
                check_text("reason", r, MAX_SHORT_TEXT_CHARS)?;
            }
            EventKind::Reopened {
                reason: reason.clone().map(Sealed::new).transpose()?,
            }
        }
        Command::Archive => EventKind::Archived,
    };
    Ok(kind)
}

/// The checks of the state machine's table ([`RULES`](crate::transitions::RULES)) for `kind`
/// run by `actor` on `case`, in the table's order: role, office, status (for `change_status`,
/// the move to `to`). Returns the office the actor acts for (the receiving one for a transfer's
/// answer).
fn admit<'c>(
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

/// What the case itself must show for `kind` to run, whatever its arguments: no transfer
/// pending for a new one, consent to share before a referral, consent to withdraw, a closure
/// request (not yet approved) to approve, none yet to request one, approval before closing a
/// sensitive case. Commands without such a requirement are always ready.
fn ready(case: Standing<'_>, catalog: &Catalog, kind: CommandKind) -> Result<(), WorkflowError> {
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
fn transfer_target(from: &str, catalog: &Catalog, to_office: &str) -> Result<(), WorkflowError> {
    if catalog.office(to_office).is_none() {
        return Err(WorkflowError::UnknownOffice);
    }
    if to_office == from {
        return Err(WorkflowError::SameOffice);
    }
    Ok(())
}

/// The status a referral must be in for a referral command, and the one it leads to.
fn referral_step(kind: CommandKind) -> (ReferralStatus, ReferralStatus) {
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
/// [`available::CaseState`].
#[derive(Debug, Clone, Copy)]
struct Standing<'a> {
    status: Status,
    office: &'a str,
    category: &'a str,
    /// The receiving office of a pending transfer.
    pending_to: Option<&'a str>,
    /// Consent was given.
    consent_given: bool,
    /// Consent was given to share with partner organisations.
    shares_with_partners: bool,
    closure_requested: bool,
    closure_approved: bool,
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

fn outcome_text(outcome: Option<&String>) -> Result<String, WorkflowError> {
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

fn check_text(field: &'static str, text: &str, max: usize) -> Result<(), WorkflowError> {
    if text.trim().is_empty() {
        return Err(WorkflowError::EmptyText { field });
    }
    if text.chars().count() > max {
        return Err(WorkflowError::TooLong { field, max });
    }
    Ok(())
}

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

/// The path if every segment is an identifier or an index; otherwise empty (it might hold
/// personal data).
fn safe_path(path: &str) -> String {
    let safe = path.starts_with('/')
        && path.len() <= 200
        && path.split('/').skip(1).all(|s| {
            !s.is_empty()
                && s.len() <= 60
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        });
    if safe { path.to_owned() } else { String::new() }
}

/// The intake a case would be registered from today: what validation checks a correction on.
fn intake_view(case: &Case) -> Intake {
    Intake {
        office: case.office.clone(),
        category: case.category.clone(),
        flags: case.flags.clone(),
        priority: Some(case.priority),
        opened_on: case.opened_on,
        persons: case.persons.clone(),
        consent: case.consent.clone(),
        facts: case.facts.clone(),
        notes: Vec::new(),
        services: Vec::new(),
        referrals: Vec::new(),
        attachments: Vec::new(),
    }
}

fn correct(
    case: &Case,
    catalog: &Catalog,
    path: &str,
    value: &Value,
    today: NaiveDate,
) -> Result<EventKind, WorkflowError> {
    let shown = safe_path(path);
    if shown.is_empty() {
        return Err(WorkflowError::NotCorrectable { path: shown });
    }
    let map = |e| match e {
        CorrectionError::NotCorrectable => WorkflowError::NotCorrectable {
            path: shown.clone(),
        },
        CorrectionError::BadValue => WorkflowError::BadValue {
            path: shown.clone(),
        },
    };
    let old = history::value_at(case, path).map_err(map)?;
    let mut candidate = case.clone();
    history::apply_correction(&mut candidate, path, value).map_err(map)?;
    let view = intake_view(&candidate);
    let report = validate_on(&view, catalog, Locale::default(), today);
    let below = format!("{path}/");
    let issues: Vec<_> = report
        .errors()
        .filter(|i| i.path == path || i.path.starts_with(&below))
        .cloned()
        .collect();
    if !issues.is_empty() {
        return Err(WorkflowError::InvalidCorrection {
            path: shown,
            report: Report::from_issues(issues),
        });
    }
    // Take the value in its normalised form (NFC names, canonical document numbers, E.164).
    let normal = normalize_intake(&view, catalog);
    candidate.persons = normal.persons;
    candidate.facts = normal.facts;
    let new = history::value_at(&candidate, path).map_err(map)?;
    if new == old {
        return Err(WorkflowError::Unchanged { path: shown });
    }
    Ok(EventKind::FactsCorrected {
        path: path.to_owned(),
        old: Sealed::new(old)?,
        new: Sealed::new(new)?,
        resolves: case
            .legacy
            .as_ref()
            .map(|origin| origin.resolved_by(path, &report))
            .unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_table_is_the_one_the_code_enforces() {
        let source = include_str!("mod.rs");
        let begin = source.find("<!-- rules:begin -->").unwrap();
        let end = source.find("<!-- rules:end -->").unwrap();
        let documented: String = source[begin..end]
            .lines()
            .skip(1)
            .map(|l| l.trim_start_matches("//!").trim_start())
            .filter(|l| !l.is_empty())
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            documented,
            crate::transitions::rules_table(),
            "update the table in workflow.rs docs"
        );
    }

    /// One error of every variant; the exhaustive match makes a new variant fail to compile
    /// until it has a sample here.
    fn one_of_each() -> Vec<WorkflowError> {
        let report = Report::from_issues(Vec::new());
        let all = vec![
            WorkflowError::InvalidIntake {
                report: report.clone(),
            },
            WorkflowError::RoleNotAllowed {
                role: Role::Auditor,
                command: "close",
            },
            WorkflowError::WrongOffice { command: "close" },
            WorkflowError::IllegalTransition {
                from: Status::Closed,
                to: Status::Registered,
            },
            WorkflowError::WrongStatus {
                command: "close",
                status: Status::Registered,
            },
            WorkflowError::MissingOutcome,
            WorkflowError::ApprovalRequired,
            WorkflowError::NoClosureRequest,
            WorkflowError::ClosureAlreadyRequested,
            WorkflowError::ClosureAlreadyApproved,
            WorkflowError::ConsentMissing,
            WorkflowError::NoConsent,
            WorkflowError::BadConsent,
            WorkflowError::UnknownOffice,
            WorkflowError::SameOffice,
            WorkflowError::TransferPending,
            WorkflowError::NoPendingTransfer,
            WorkflowError::UnknownPartner,
            WorkflowError::UnknownReferral,
            WorkflowError::ReferralTransition {
                from: ReferralStatus::Done,
                to: ReferralStatus::Pending,
            },
            WorkflowError::UnknownService,
            WorkflowError::UnknownForm,
            WorkflowError::BadDigest,
            WorkflowError::NotCorrectable {
                path: String::new(),
            },
            WorkflowError::BadValue {
                path: String::new(),
            },
            WorkflowError::InvalidCorrection {
                path: String::new(),
                report,
            },
            WorkflowError::Unchanged {
                path: String::new(),
            },
            WorkflowError::EmptyText { field: "text" },
            WorkflowError::TooLong {
                field: "text",
                max: 1,
            },
            WorkflowError::FutureDate { field: "given_on" },
            WorkflowError::History(HistoryError::Erased { seq: 1 }),
        ];
        for e in &all {
            match e {
                WorkflowError::InvalidIntake { .. }
                | WorkflowError::RoleNotAllowed { .. }
                | WorkflowError::WrongOffice { .. }
                | WorkflowError::IllegalTransition { .. }
                | WorkflowError::WrongStatus { .. }
                | WorkflowError::MissingOutcome
                | WorkflowError::ApprovalRequired
                | WorkflowError::NoClosureRequest
                | WorkflowError::ClosureAlreadyRequested
                | WorkflowError::ClosureAlreadyApproved
                | WorkflowError::ConsentMissing
                | WorkflowError::NoConsent
                | WorkflowError::BadConsent
                | WorkflowError::UnknownOffice
                | WorkflowError::SameOffice
                | WorkflowError::TransferPending
                | WorkflowError::NoPendingTransfer
                | WorkflowError::UnknownPartner
                | WorkflowError::UnknownReferral
                | WorkflowError::ReferralTransition { .. }
                | WorkflowError::UnknownService
                | WorkflowError::UnknownForm
                | WorkflowError::BadDigest
                | WorkflowError::NotCorrectable { .. }
                | WorkflowError::BadValue { .. }
                | WorkflowError::InvalidCorrection { .. }
                | WorkflowError::Unchanged { .. }
                | WorkflowError::EmptyText { .. }
                | WorkflowError::TooLong { .. }
                | WorkflowError::FutureDate { .. }
                | WorkflowError::History(_) => {}
            }
        }
        all
    }

    #[test]
    fn the_error_code_list_is_every_code_both_ways() {
        let listed: std::collections::BTreeSet<&str> = ERROR_CODES.iter().copied().collect();
        assert_eq!(listed.len(), ERROR_CODES.len(), "a code is listed twice");
        let made: std::collections::BTreeSet<&str> = one_of_each()
            .iter()
            .map(WorkflowError::code)
            .filter(|c| c.starts_with("workflow."))
            .collect();
        assert_eq!(made, listed);
        assert_eq!(
            one_of_each().len(),
            ERROR_CODES.len() + 1,
            "one sample per variant (plus the history error passed on)"
        );
    }

    #[test]
    fn paths_with_free_text_are_not_shown() {
        assert_eq!(safe_path("/persons/0/surnames"), "/persons/0/surnames");
        assert_eq!(safe_path("/facts/María López"), "");
        assert_eq!(safe_path("facts"), "");
    }
}
