//! The commands that change a registered case ([`Command`]) and the limits of their texts.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use crate::case::{Consent, ConsentScope, Status};
use crate::transitions::CommandKind;

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
