//! What an event says happened: [`EventKind`], its wire names and the command that makes it.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use uuid::Uuid;

use super::{AddedAttachment, NoteData, Opened, ReferralData, Sealed, ServiceData};
use crate::case::{Consent, ConsentScope, FollowUp, Status};
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
    /// A file was added to the case file (kept in blob storage under its digest), perhaps as
    /// the signed copy of a generated form. Never the file's name; the description must not
    /// hold personal data.
    AttachmentAdded(AddedAttachment),
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
    /// Consent was withdrawn, for the listed scopes or (empty list) entirely. When sharing
    /// with partners is withdrawn, the referrals still pending are cancelled by this event.
    ConsentWithdrawn {
        /// The scopes withdrawn; empty means all.
        #[serde(default)]
        scope: Vec<ConsentScope>,
        /// The pending referrals this withdrawal cancelled (absent when none).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[schemars(with = "Vec<String>")]
        cancelled_referrals: Vec<Uuid>,
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
    /// Personal data was erased (a retention rule ran out, or the directorate decided it):
    /// the sealed values at `pointers` lost their salt and value in the stored earlier
    /// events, keeping their commitments, so every hash still verifies (see the module docs
    /// of [`crate::history`]). Who is the event's actor.
    PersonalDataErased {
        /// Why, in words the directorate chose (no personal data: a file reference, a
        /// retention decision).
        reason: String,
        /// The retention rule that ran out (`retention/detention`), absent for an erasure
        /// decided by hand.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        rule: Option<String>,
        /// The JSON Pointers of the sealed values erased, into the history as a list of
        /// events (0-based), e.g. `/events/0/kind/data/persons/0`.
        pointers: Vec<String>,
    },
}

/// Where a sealed value sits in an event: a member of the payload (`facts`), an item of a
/// list member (`persons/0`), or a member of such an item (`notes/1/text`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Slot {
    field: &'static str,
    index: Option<usize>,
    member: Option<&'static str>,
}

impl Slot {
    const fn field(field: &'static str) -> Slot {
        Slot {
            field,
            index: None,
            member: None,
        }
    }

    const fn item(field: &'static str, index: usize, member: Option<&'static str>) -> Slot {
        Slot {
            field,
            index: Some(index),
            member,
        }
    }

    /// The JSON Pointer of this slot in the event at `event_index` of a history.
    pub(crate) fn pointer(&self, event_index: usize) -> String {
        let mut p = format!("/events/{event_index}/kind/data/{}", self.field);
        if let Some(i) = self.index {
            p.push_str(&format!("/{i}"));
        }
        if let Some(m) = self.member {
            p.push('/');
            p.push_str(m);
        }
        p
    }
}

/// What verification and erasure ask of a sealed value, whatever it holds.
pub(crate) trait SealedSlot {
    /// Whether salt and value are present and open the commitment.
    fn opens_with(&self, buf: &mut Vec<u8>) -> bool;
    /// Whether salt and value are both gone (erased), the commitment kept.
    fn is_erased(&self) -> bool;
}

impl<T: Serialize> SealedSlot for Sealed<T> {
    fn opens_with(&self, buf: &mut Vec<u8>) -> bool {
        Sealed::opens_with(self, buf)
    }

    fn is_erased(&self) -> bool {
        self.salt.is_none() && self.value.is_none()
    }
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
            EventKind::PersonalDataErased { .. } => "personal_data_erased",
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
            EventKind::PersonalDataErased { .. } => CommandKind::Erase,
        }
    }

    /// Whether this is a `personal_data_erased` event: appending it also rewrites earlier
    /// events (see the module docs of [`crate::history`]).
    pub fn erases(&self) -> bool {
        matches!(self, EventKind::PersonalDataErased { .. })
    }

    /// Whether every sealed value in the payload is present and opens its commitment.
    pub(super) fn commitments_open(&self, buf: &mut Vec<u8>) -> bool {
        self.each_sealed(&mut |_, s| s.opens_with(buf))
    }

    /// Calls `f` with each sealed value of the payload and where it sits, in order, while `f`
    /// answers `true`; answers whether every call did.
    pub(crate) fn each_sealed(&self, f: &mut dyn FnMut(Slot, &dyn SealedSlot) -> bool) -> bool {
        fn opt<T: Serialize>(
            slot: Slot,
            s: &Option<Sealed<T>>,
            f: &mut dyn FnMut(Slot, &dyn SealedSlot) -> bool,
        ) -> bool {
            s.as_ref().is_none_or(|s| f(slot, s))
        }
        match self {
            EventKind::CaseOpened(o) => {
                let items = |field, n: usize| (0..n).map(move |i| Slot::item(field, i, None));
                items("persons", o.persons.len())
                    .zip(&o.persons)
                    .all(|(slot, p)| f(slot, p))
                    && f(Slot::field("facts"), &o.facts)
                    && o.notes
                        .iter()
                        .enumerate()
                        .all(|(i, n)| f(Slot::item("notes", i, Some("text")), &n.text))
                    && o.services.iter().enumerate().all(|(i, s)| {
                        opt(
                            Slot::item("services", i, Some("description")),
                            &s.description,
                            f,
                        )
                    })
                    && o.referrals
                        .iter()
                        .enumerate()
                        .all(|(i, r)| opt(Slot::item("referrals", i, Some("reason")), &r.reason, f))
            }
            EventKind::FactsCorrected { old, new, .. } => {
                f(Slot::field("old"), old) && f(Slot::field("new"), new)
            }
            EventKind::NoteAdded(n) => f(Slot::field("text"), &n.text),
            EventKind::ServiceGiven(s) => opt(Slot::field("description"), &s.description, f),
            EventKind::ReferralRequested(r) => opt(Slot::field("reason"), &r.reason, f),
            EventKind::Reopened { reason } => opt(Slot::field("reason"), reason, f),
            _ => true,
        }
    }
}
