//! What an event says happened: [`EventKind`], its wire names and the command that makes it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{NoteData, Opened, ReferralData, Sealed, ServiceData};
use crate::case::{Attachment, Consent, ConsentScope, FollowUp, Status};
use crate::transitions::CommandKind;

/// What happened, with its payload. Serialized as `{"type": "...", "data": {...}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(
    tag = "type",
    content = "data",
    rename_all = "snake_case",
    deny_unknown_fields
)]
#[non_exhaustive]
pub enum EventKind {
    /// The case was registered from a valid intake.
    CaseOpened(Box<Opened>),
    /// A value was corrected: the JSON Pointer into the case, the old and the new value
    /// (`null` when absent). Paths name fields and indexes only, never values.
    FactsCorrected {
        /// Where, e.g. `/persons/0/surnames` or `/facts/facility`.
        path: String,
        /// The value before (personal data).
        old: Sealed<Value>,
        /// The value after (personal data).
        new: Sealed<Value>,
        /// The follow-up items of a migrated case that this correction completes
        /// ([`crate::legacy`]); absent when none.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        resolves: Vec<FollowUp>,
    },
    /// The workflow status changed.
    StatusChanged {
        /// Before.
        from: Status,
        /// After.
        to: Status,
    },
    /// A note was added.
    NoteAdded(NoteData),
    /// A service was given.
    ServiceGiven(ServiceData),
    /// A form was generated for the paper file.
    FormGenerated {
        /// The form's id in the catalog.
        form: String,
        /// SHA-256 of the PDF, 64 lowercase hex digits.
        sha256: String,
    },
    /// A file was added to the case file (kept in blob storage under its digest). Never the
    /// file's name; the description must not hold personal data.
    AttachmentAdded(Attachment),
    /// A transfer to another office was asked for.
    TransferRequested {
        /// The sending office.
        from_office: String,
        /// The receiving office.
        to_office: String,
    },
    /// The receiving office took the case.
    TransferAccepted {
        /// The receiving office, now responsible.
        to_office: String,
    },
    /// The receiving office declined the case.
    TransferRejected {
        /// The office that declined.
        to_office: String,
    },
    /// The case was referred to a partner organisation.
    ReferralRequested(ReferralData),
    /// The partner took the referral on.
    ReferralAccepted {
        /// Which referral.
        referral_id: Uuid,
    },
    /// The partner declined the referral.
    ReferralRejected {
        /// Which referral.
        referral_id: Uuid,
    },
    /// The partner finished its part.
    ReferralDone {
        /// Which referral.
        referral_id: Uuid,
    },
    /// Consent was recorded (replacing any earlier one).
    ConsentRecorded {
        /// The consent.
        consent: Consent,
    },
    /// Consent was withdrawn, for the listed scopes or (empty list) entirely.
    ConsentWithdrawn {
        /// The scopes withdrawn; empty means all.
        #[serde(default)]
        scope: Vec<ConsentScope>,
    },
    /// Closure was asked for, with the outcome.
    ClosureRequested {
        /// The outcome: a short code or phrase (`repatriated`, `released`), not personal data.
        outcome: String,
    },
    /// A supervisor approved the closure.
    ClosureApproved,
    /// The case was closed.
    Closed {
        /// The outcome.
        outcome: String,
    },
    /// The case was reopened.
    Reopened {
        /// Why (personal data).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reason: Option<Sealed<String>>,
    },
    /// The case was archived: read-only from now on.
    Archived,
}

impl EventKind {
    /// The wire name (`case_opened`, `note_added`, …).
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::CaseOpened(_) => "case_opened",
            EventKind::FactsCorrected { .. } => "facts_corrected",
            EventKind::StatusChanged { .. } => "status_changed",
            EventKind::NoteAdded(_) => "note_added",
            EventKind::ServiceGiven(_) => "service_given",
            EventKind::FormGenerated { .. } => "form_generated",
            EventKind::AttachmentAdded(_) => "attachment_added",
            EventKind::TransferRequested { .. } => "transfer_requested",
            EventKind::TransferAccepted { .. } => "transfer_accepted",
            EventKind::TransferRejected { .. } => "transfer_rejected",
            EventKind::ReferralRequested(_) => "referral_requested",
            EventKind::ReferralAccepted { .. } => "referral_accepted",
            EventKind::ReferralRejected { .. } => "referral_rejected",
            EventKind::ReferralDone { .. } => "referral_done",
            EventKind::ConsentRecorded { .. } => "consent_recorded",
            EventKind::ConsentWithdrawn { .. } => "consent_withdrawn",
            EventKind::ClosureRequested { .. } => "closure_requested",
            EventKind::ClosureApproved => "closure_approved",
            EventKind::Closed { .. } => "closed",
            EventKind::Reopened { .. } => "reopened",
            EventKind::Archived => "archived",
        }
    }

    /// The command that makes this event (`case_opened` is made by `open`).
    pub fn command(&self) -> CommandKind {
        match self {
            EventKind::CaseOpened(_) => CommandKind::Open,
            EventKind::FactsCorrected { .. } => CommandKind::Correct,
            EventKind::StatusChanged { .. } => CommandKind::ChangeStatus,
            EventKind::NoteAdded(_) => CommandKind::AddNote,
            EventKind::ServiceGiven(_) => CommandKind::RecordService,
            EventKind::FormGenerated { .. } => CommandKind::RecordForm,
            EventKind::AttachmentAdded(_) => CommandKind::AddAttachment,
            EventKind::TransferRequested { .. } => CommandKind::RequestTransfer,
            EventKind::TransferAccepted { .. } => CommandKind::AcceptTransfer,
            EventKind::TransferRejected { .. } => CommandKind::RejectTransfer,
            EventKind::ReferralRequested(_) => CommandKind::Refer,
            EventKind::ReferralAccepted { .. } => CommandKind::AcceptReferral,
            EventKind::ReferralRejected { .. } => CommandKind::RejectReferral,
            EventKind::ReferralDone { .. } => CommandKind::CompleteReferral,
            EventKind::ConsentRecorded { .. } => CommandKind::RecordConsent,
            EventKind::ConsentWithdrawn { .. } => CommandKind::WithdrawConsent,
            EventKind::ClosureRequested { .. } => CommandKind::RequestClosure,
            EventKind::ClosureApproved => CommandKind::ApproveClosure,
            EventKind::Closed { .. } => CommandKind::Close,
            EventKind::Reopened { .. } => CommandKind::Reopen,
            EventKind::Archived => CommandKind::Archive,
        }
    }

    /// Whether every sealed value in the payload is present and opens its commitment.
    pub(super) fn commitments_open(&self, buf: &mut Vec<u8>) -> bool {
        fn opt<T: Serialize>(s: &Option<Sealed<T>>, buf: &mut Vec<u8>) -> bool {
            s.as_ref().is_none_or(|s| s.opens_with(buf))
        }
        match self {
            EventKind::CaseOpened(o) => {
                o.persons.iter().all(|p| p.opens_with(buf))
                    && o.facts.opens_with(buf)
                    && o.notes.iter().all(|n| n.text.opens_with(buf))
                    && o.services.iter().all(|s| opt(&s.description, buf))
                    && o.referrals.iter().all(|r| opt(&r.reason, buf))
            }
            EventKind::FactsCorrected { old, new, .. } => {
                old.opens_with(buf) && new.opens_with(buf)
            }
            EventKind::NoteAdded(n) => n.text.opens_with(buf),
            EventKind::ServiceGiven(s) => opt(&s.description, buf),
            EventKind::ReferralRequested(r) => opt(&r.reason, buf),
            EventKind::Reopened { reason } => opt(reason, buf),
            _ => true,
        }
    }
}
