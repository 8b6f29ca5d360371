//! The case (*expediente*) and the intake that registers it.
//!
//! An [`Intake`] is what an officer enters to register a case; a [`Case`] is the registered case,
//! the fold of its history. Both share one JSON wire format in snake_case, published as JSON
//! Schema in `siproc-core/schema/` (see [`crate::schema`]).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use uuid::Uuid;
use validator::Validate;

use crate::issue::Report;
use crate::person::Person;

/// Category-specific facts, keyed by the fact names of the catalog (`date_of_death`, `facility`, …).
/// Values are JSON: strings for text, ISO dates and countries; booleans; integers.
pub type Facts = BTreeMap<String, serde_json::Value>;

/// How urgent a case is.
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    /// Routine.
    Low,
    /// The default.
    #[default]
    Normal,
    /// Raised by a vulnerability flag or the officer.
    High,
    /// Life, liberty or a child at stake.
    Urgent,
}

impl Priority {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Normal => "normal",
            Priority::High => "high",
            Priority::Urgent => "urgent",
        }
    }
}

/// Where a case stands in its workflow.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Entered, not yet worked on.
    #[default]
    Registered,
    /// An officer is working on it.
    InProgress,
    /// Waiting for a foreign authority to answer.
    AwaitingAuthority,
    /// The protection need was met; awaiting closure.
    Resolved,
    /// Closed with an outcome.
    Closed,
    /// Archived: read-only.
    Archived,
}

impl Status {
    /// Every status, in workflow order.
    pub const ALL: [Status; 6] = [
        Status::Registered,
        Status::InProgress,
        Status::AwaitingAuthority,
        Status::Resolved,
        Status::Closed,
        Status::Archived,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Registered => "registered",
            Status::InProgress => "in_progress",
            Status::AwaitingAuthority => "awaiting_authority",
            Status::Resolved => "resolved",
            Status::Closed => "closed",
            Status::Archived => "archived",
        }
    }
}

/// What the national (or the person acting for them) agreed to.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    /// Processing of their data for the protection case.
    Processing,
    /// Sharing with partner organisations (IOM, UNICEF, NGOs) for a referral.
    ShareWithPartners,
    /// Sharing with foreign authorities when requesting information.
    ShareWithAuthorities,
    /// Contacting their family.
    ContactFamily,
}

impl ConsentScope {
    /// Every scope, in the order forms list them.
    pub const ALL: [ConsentScope; 4] = [
        ConsentScope::Processing,
        ConsentScope::ShareWithPartners,
        ConsentScope::ShareWithAuthorities,
        ConsentScope::ContactFamily,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentScope::Processing => "processing",
            ConsentScope::ShareWithPartners => "share_with_partners",
            ConsentScope::ShareWithAuthorities => "share_with_authorities",
            ConsentScope::ContactFamily => "contact_family",
        }
    }
}

/// Consent to protection and to the processing and sharing of data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Consent {
    /// Whether consent was given.
    pub given: bool,
    /// Who gave it: an index into the case's `persons`.
    pub given_by: usize,
    /// The day it was recorded.
    pub recorded_on: NaiveDate,
    /// What it covers.
    #[serde(default)]
    #[validate(length(max = 10, code = "list.too_long"))]
    pub scope: Vec<ConsentScope>,
}

/// Whether withdrawing consent for `scope` (empty: entirely) withdraws sharing with partners:
/// pending referrals are then cancelled and the case leaves partners' statistics releases.
pub fn withdraws_sharing(scope: &[ConsentScope]) -> bool {
    scope.is_empty() || scope.contains(&ConsentScope::ShareWithPartners)
}

impl Consent {
    /// Whether consent was given and covers `scope`.
    pub fn covers(&self, scope: ConsentScope) -> bool {
        self.given && self.scope.contains(&scope)
    }
}

/// A dated note in the case file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Note {
    /// The note; free text, personal data.
    #[validate(length(max = 10000, code = "text.too_long"))]
    pub text: String,
    /// The day it was written.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::person::optional_date"
    )]
    pub written_on: Option<NaiveDate>,
}

/// A service given to the national: a visit, legal aid, financial aid, …
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Service {
    /// The service code from the catalog (`consular_visit`, `legal_assistance`, …).
    #[validate(length(max = 60, code = "text.too_long"))]
    pub kind: String,
    /// The day it was given.
    pub given_on: NaiveDate,
    /// What was done.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 2000, code = "text.too_long"))]
    pub description: Option<String>,
}

/// A referral to a partner organisation, as asked for at intake.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct ReferralRequest {
    /// The partner code from the catalog (`iom`, `unicef`, …).
    #[validate(length(max = 60, code = "text.too_long"))]
    pub partner: String,
    /// Why the national is referred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 2000, code = "text.too_long"))]
    pub reason: Option<String>,
}

/// A file kept outside siproc, referenced by its digest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Attachment {
    /// SHA-256 of the content, 64 lowercase hex digits.
    pub sha256: String,
    /// Media type, e.g. `application/pdf`.
    #[validate(length(max = 127, code = "text.too_long"))]
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// What the file is (not its file name, which may carry personal data).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(length(max = 300, code = "text.too_long"))]
    pub description: Option<String>,
}

/// A case being registered: what an officer enters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema, Validate)]
#[serde(deny_unknown_fields)]
pub struct Intake {
    /// The registering office's code from the catalog (e.g. `MIA`).
    #[serde(default)]
    #[validate(length(max = 20, code = "text.too_long"))]
    pub office: String,
    /// The primary category code from the catalog (e.g. `detention`).
    #[serde(default)]
    #[validate(length(max = 60, code = "text.too_long"))]
    pub category: String,
    /// Vulnerability flags from the catalog (`minor`, `pregnant`, …).
    #[serde(default)]
    #[validate(length(max = 20, code = "list.too_long"))]
    pub flags: Vec<String>,
    /// Priority; when absent it follows from the flags.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub priority: Option<Priority>,
    /// The day the national or a relative asked for protection.
    pub opened_on: NaiveDate,
    /// The persons concerned; exactly one has the role `national`.
    #[serde(default)]
    #[validate(length(max = 50, code = "list.too_long"), nested)]
    pub persons: Vec<Person>,
    /// Consent, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[validate(nested)]
    pub consent: Option<Consent>,
    /// Category-specific facts, as the catalog defines them.
    #[serde(default)]
    pub facts: Facts,
    /// Notes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 500, code = "list.too_long"), nested)]
    pub notes: Vec<Note>,
    /// Services given so far.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 500, code = "list.too_long"), nested)]
    pub services: Vec<Service>,
    /// Referrals to partner organisations asked for at intake.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 20, code = "list.too_long"), nested)]
    pub referrals: Vec<ReferralRequest>,
    /// Attachments, by reference.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    #[validate(length(max = 200, code = "list.too_long"), nested)]
    pub attachments: Vec<Attachment>,
}

impl Intake {
    /// The first person with the role `national`.
    pub fn national(&self) -> Option<&Person> {
        self.persons
            .iter()
            .find(|p| p.role == crate::person::PersonRole::National)
    }
}

/// The state of a transfer between offices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TransferStatus {
    /// Asked for, awaiting the receiving office.
    Pending,
    /// The receiving office took the case.
    Accepted,
    /// The receiving office declined.
    Rejected,
}

/// A transfer of a case to another office.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Transfer {
    /// Sending office code.
    pub from_office: String,
    /// Receiving office code.
    pub to_office: String,
    /// Where it stands.
    pub status: TransferStatus,
}

/// The state of a referral to a partner organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReferralStatus {
    /// Sent, awaiting the partner.
    Pending,
    /// The partner took it on.
    Accepted,
    /// The partner declined.
    Rejected,
    /// The partner finished its part.
    Done,
    /// Cancelled before the partner answered: consent to share with partners was withdrawn
    /// (the `consent_withdrawn` event lists the referrals it cancelled).
    Cancelled,
}

/// A referral of the case to a partner organisation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Referral {
    /// Identifies the referral within the case.
    #[schemars(with = "String")]
    pub id: Uuid,
    /// The partner code.
    pub partner: String,
    /// Why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Where it stands.
    pub status: ReferralStatus,
}

/// A form generated for the paper file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GeneratedForm {
    /// The form's id in the catalog (`intake_sheet`, …).
    pub form: String,
    /// SHA-256 of the PDF, hex.
    pub sha256: String,
    /// When it was generated.
    pub generated_at: DateTime<Utc>,
    /// The verification code printed on it (`3F2A-9C1B-7E04`): the first 12 hex digits of the
    /// event it was generated from, which tells this printing of the form from another
    /// ([`crate::forms::verification`]).
    #[serde(default)]
    pub code: String,
    /// The signed paper copy filed back (recognised by its QR code), if one was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signed_copy: Option<SignedCopy>,
}

/// The signed paper copy of a generated form, filed back into the case file
/// ([`crate::attachments`]): which attachment holds it and when it was received.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedCopy {
    /// SHA-256 of the attachment holding the scan.
    pub sha256: String,
    /// When it was filed.
    pub received_at: DateTime<Utc>,
}

/// The form a filed file is the signed copy of: the form's id and the verification code of the
/// printing it signs (an `attachment_added` event's `signs`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SignedForm {
    /// The form's id in the catalog.
    pub form: String,
    /// The verification code of the printing (`3F2A-9C1B-7E04`).
    pub code: String,
}

/// A registered case: the fold of its history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Stable identifier, a UUID v7.
    #[schemars(with = "String")]
    pub id: Uuid,
    /// Human case number: office, year, sequence (`MIA-2026-000123`).
    pub number: String,
    /// The office responsible for the case now.
    pub office: String,
    /// The primary category.
    pub category: String,
    /// Vulnerability flags.
    pub flags: Vec<String>,
    /// Priority.
    pub priority: Priority,
    /// Workflow status.
    pub status: Status,
    /// The day protection was asked for.
    pub opened_on: NaiveDate,
    /// The persons concerned.
    pub persons: Vec<Person>,
    /// Consent, once recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consent: Option<Consent>,
    /// Whether consent to share with partners was withdrawn (entirely, or that scope) and not
    /// given again since: the case is no longer referred, and partners' statistics releases
    /// leave it out ([`crate::stats::releases`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub sharing_withdrawn: bool,
    /// Category-specific facts.
    pub facts: Facts,
    /// Notes.
    pub notes: Vec<Note>,
    /// Services given.
    pub services: Vec<Service>,
    /// Referrals to partner organisations.
    pub referrals: Vec<Referral>,
    /// Attachments, by reference.
    pub attachments: Vec<Attachment>,
    /// Where a migrated case came from and its open follow-up items ([`crate::legacy`]);
    /// absent for cases registered through an intake.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub legacy: Option<LegacyOrigin>,
    /// A transfer under way or last decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transfer: Option<Transfer>,
    /// Whether a closure was requested and awaits approval.
    #[serde(default)]
    pub closure_requested: bool,
    /// Whether the closure was approved by a supervisor.
    #[serde(default)]
    pub closure_approved: bool,
    /// The outcome given when the case was closed or a closure was requested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub outcome: Option<String>,
    /// Forms generated so far.
    pub forms: Vec<GeneratedForm>,
    /// Where personal values were erased ([`crate::history`]'s `personal_data_erased`): JSON
    /// Pointers into the case (`/persons/0`, `/facts`, `/notes/1/text`), whose values are now
    /// placeholders (an empty text, a person without names). Empty for a case never erased.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub erased: Vec<String>,
    /// Number of events in its history.
    pub version: u64,
    /// When it was registered.
    pub created_at: DateTime<Utc>,
    /// When its last event happened.
    pub updated_at: DateTime<Utc>,
    /// SHA-256 of its last event, 64 lowercase hex digits: the link the next event carries
    /// (see [`crate::history`]).
    pub head: String,
}

impl Case {
    /// The office a transfer of the case is pending to, if one is: that office sees the case
    /// until the transfer is decided ([`crate::access`]).
    pub fn pending_transfer(&self) -> Option<&str> {
        self.transfer
            .as_ref()
            .filter(|t| t.status == TransferStatus::Pending)
            .map(|t| t.to_office.as_str())
    }

    /// The first person with the role `national`.
    pub fn national(&self) -> Option<&Person> {
        self.persons
            .iter()
            .find(|p| p.role == crate::person::PersonRole::National)
    }

    /// The national's name as a case list shows it ([`Person::full_name`]); `None` without a
    /// national or once their names are erased.
    pub fn national_name(&self) -> Option<String> {
        self.national()
            .map(Person::full_name)
            .filter(|name| !name.is_empty())
    }
}

/// Builds a human case number: `{office}-{year}-{sequence:06}`.
pub fn case_number(office: &str, year: i32, sequence: u64) -> String {
    format!("{office}-{year}-{sequence:06}")
}
/// Where a migrated case came from, and what it still lacks. Recorded in its `case_opened`
/// event and carried by the case. Holds no personal data: the source is a reference chosen by
/// whoever runs the migration (the log's file name), the row its position in that file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct LegacyOrigin {
    /// The source log, by reference (e.g. `legado_tapachula_2019.csv`).
    pub source: String,
    /// The row in the source (the spreadsheet's row number; the header is row 1).
    pub row: u64,
    /// What today's intake requires and the log did not record; empty once completed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follow_ups: Vec<FollowUp>,
}

/// One missing item of a migrated case: the rule that asks for it and where it goes.
#[derive(
    Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(deny_unknown_fields)]
pub struct FollowUp {
    /// The rule code (`fact.required`, `persons.relative_required`, `consent.missing`, …).
    pub code: String,
    /// Where the item goes, as a JSON Pointer into the case (`/facts/arrest_date`, `/persons`,
    /// `/consent`).
    pub path: String,
}

impl LegacyOrigin {
    /// Whether the case still lacks something.
    pub fn is_incomplete(&self) -> bool {
        !self.follow_ups.is_empty()
    }

    /// The follow-up items that a correction at `path` completes, given the report on the
    /// corrected case: those whose place is at or above `path` (`/facts/arrest_date`, or
    /// `/persons` for a new person) and whose rule no longer reports anything there.
    pub fn resolved_by(&self, path: &str, report: &Report) -> Vec<FollowUp> {
        self.follow_ups
            .iter()
            .filter(|f| {
                let here = path == f.path || path.starts_with(&format!("{}/", f.path));
                let below = format!("{}/", f.path);
                let still = report
                    .issues
                    .iter()
                    .any(|i| i.code == f.code && (i.path == f.path || i.path.starts_with(&below)));
                here && !still
            })
            .cloned()
            .collect()
    }

    /// Removes completed items (the step of replay).
    pub fn complete(&mut self, resolved: &[FollowUp]) {
        self.follow_ups.retain(|f| !resolved.contains(f));
    }

    /// Recording given consent completes the consent item (the step of replay).
    pub fn consent_recorded(&mut self, consent: &Consent) {
        if consent.given {
            self.follow_ups.retain(|f| f.path != "/consent");
        }
    }
}
