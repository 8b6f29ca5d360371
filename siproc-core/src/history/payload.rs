//! The payloads that events carry: the opening of a case, notes, services and referrals, with
//! their personal parts sealed.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Sealed;
use crate::case::{Attachment, Consent, Facts, LegacyOrigin, Priority, SignedForm};
use crate::person::Person;

/// A note as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteData {
    /// The text (personal data).
    pub text: Sealed<String>,
    /// The day it was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub written_on: Option<NaiveDate>,
}

/// A service as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServiceData {
    /// The service code from the catalog.
    pub kind: String,
    /// The day it was given.
    pub given_on: NaiveDate,
    /// What was done (personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Sealed<String>>,
}

/// A referral as recorded in the history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferralData {
    /// Identifies the referral within the case.
    pub referral_id: Uuid,
    /// The partner code from the catalog.
    pub partner: String,
    /// Why (personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<Sealed<String>>,
}

/// The payload of `case_opened`: the normalised intake, personal parts sealed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Opened {
    /// The case number given by the store (`MIA-2026-000123`).
    pub number: String,
    /// The registering office.
    pub office: String,
    /// The primary category.
    pub category: String,
    /// Vulnerability flags.
    pub flags: Vec<String>,
    /// Priority, after normalisation.
    pub priority: Priority,
    /// The day protection was asked for.
    pub opened_on: NaiveDate,
    /// The persons, each sealed.
    pub persons: Vec<Sealed<Person>>,
    /// Consent as recorded at intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Category-specific facts, sealed as a whole.
    pub facts: Sealed<Facts>,
    /// Notes entered at intake.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<NoteData>,
    /// Services recorded at intake.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceData>,
    /// Referrals asked for at intake.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub referrals: Vec<ReferralData>,
    /// Attachments, by digest. Their descriptions must not hold personal data.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
    /// Set when the case was migrated from a legacy log ([`crate::legacy`]): the source and
    /// row it came from and what today's intake would also require. Absent otherwise, so
    /// histories written before it hash as they did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<LegacyOrigin>,
}

/// The payload of `attachment_added`: the file as the case lists it ([`Attachment`]) and, for
/// the signed paper copy of a form recognised by its QR code, the form and printing it signs.
/// Written without `signs` for any other file, so the events recorded before signed copies
/// existed keep their form and their hashes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddedAttachment {
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub sha256: String,
    /// Media type, e.g. `application/pdf`.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// What the file is (not its file name, which may carry personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The form this file is the signed copy of.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signs: Option<SignedForm>,
}

impl AddedAttachment {
    /// The event's payload for `attachment`, signing `signs` (if any).
    pub fn new(attachment: Attachment, signs: Option<SignedForm>) -> Self {
        let Attachment {
            sha256,
            media_type,
            size,
            description,
        } = attachment;
        AddedAttachment {
            sha256,
            media_type,
            size,
            description,
            signs,
        }
    }

    /// The file as the case's `attachments` list it.
    pub fn attachment(&self) -> Attachment {
        Attachment {
            sha256: self.sha256.clone(),
            media_type: self.media_type.clone(),
            size: self.size,
            description: self.description.clone(),
        }
    }
}
