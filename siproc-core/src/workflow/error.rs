//! Why a command cannot run: [`WorkflowError`] and its stable codes ([`ERROR_CODES`]).

use crate::actor::Role;
use crate::case::{ReferralStatus, Status};
use crate::history::HistoryError;
use crate::issue::Report;

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
    /// An erasure found no personal value left in the case ([`crate::erasure`]).
    #[error("the case holds no personal data left to erase")]
    NothingToErase,
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
            WorkflowError::NothingToErase => "workflow.nothing_to_erase",
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
    "workflow.nothing_to_erase",
];

#[cfg(test)]
mod tests {
    use super::*;

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
            WorkflowError::NothingToErase,
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
                | WorkflowError::NothingToErase
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
}
