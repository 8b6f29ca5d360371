//! Who may see a case: the visibility rule beside the [`crate::workflow`] table, the
//! *break the glass* grants that open a case for a limited time, and the access-log entry that
//! records every read.
//!
//! The workflow decides what an actor may *do*; this module decides what an actor may *see*.
//! Servers and embedders call [`can_see`] before showing a case, its history or a form, and
//! write an [`AccessEntry`] for every read. The rule:
//!
//! | role | sees |
//! |---|---|
//! | officer, supervisor | the cases of their office, and cases with a transfer pending to their office |
//! | directorate | every case |
//! | auditor | every case, read only (the workflow gives it no command) |
//! | partner | no case (aggregates only) |
//!
//! On top of that, an officer, a supervisor or the directorate may *break the glass*: give a
//! reason and see one case they could not otherwise see, for a limited time
//! ([`DEFAULT_GRANT_HOURS`] by default). The grant is a [`Grant`]; the read it allows is logged
//! with [`Access::BreakGlass`] and the grant's reason.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::case::Case;
use crate::store::{CaseQuery, FeedEntry};
use crate::workflow::MAX_SHORT_TEXT_CHARS;
use crate::{Actor, Role};

/// How long a break-the-glass grant lasts unless the embedder says otherwise.
pub const DEFAULT_GRANT_HOURS: i64 = 3;

/// What of a case decides who sees it: its office and the office a pending transfer goes to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Scope<'a> {
    /// The responsible office.
    pub office: &'a str,
    /// The receiving office of a pending transfer, if any.
    pub transfer_to: Option<&'a str>,
}

impl<'a> Scope<'a> {
    /// The scope of a case as it stands.
    pub fn of(case: &'a Case) -> Scope<'a> {
        Scope {
            office: &case.office,
            transfer_to: case.pending_transfer(),
        }
    }

    /// The scope known from the office alone (a list entry): it never shows more than the
    /// full scope would.
    pub fn office(office: &'a str) -> Scope<'a> {
        Scope {
            office,
            transfer_to: None,
        }
    }

    /// The scope of the case an entry of a store's feed is about: its office and the office a
    /// transfer is pending to.
    pub fn of_entry(entry: &'a FeedEntry) -> Scope<'a> {
        Scope {
            office: &entry.office,
            transfer_to: entry.transfer_to.as_deref(),
        }
    }
}

/// Why an actor may see a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    /// The case is in the actor's office.
    Office,
    /// A transfer of the case to the actor's office is pending.
    Transfer,
    /// The actor's role sees every case (directorate; auditors read everything).
    AllCases,
    /// A break-the-glass grant is in force.
    BreakGlass,
}

impl Access {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::Office => "office",
            Access::Transfer => "transfer",
            Access::AllCases => "all_cases",
            Access::BreakGlass => "break_glass",
        }
    }
}

/// Whether `actor` may see the case of `case_id` with `scope`, and why; `None` when not. `grants`
/// are the actor's break-the-glass grants (others' and expired ones are ignored).
pub fn can_see(
    actor: &Actor,
    case_id: Uuid,
    scope: Scope<'_>,
    grants: &[Grant],
    now: DateTime<Utc>,
) -> Option<Access> {
    if let Some(access) = role_access(actor, scope) {
        return Some(access);
    }
    grants
        .iter()
        .any(|g| g.case_id == case_id && g.user_id == actor.user_id && g.is_active(now))
        .then_some(Access::BreakGlass)
}

/// Whether [`can_see`] needs `actor`'s grants to decide about a case with `scope`: only when
/// the role alone does not let them see it (an officer reading another office's case, a
/// partner). A read the role allows is decided without looking the grants up.
pub fn needs_grants(actor: &Actor, scope: Scope<'_>) -> bool {
    role_access(actor, scope).is_none()
}

/// The visibility a role gives by itself, without grants.
fn role_access(actor: &Actor, scope: Scope<'_>) -> Option<Access> {
    match actor.role {
        Role::Directorate => Some(Access::AllCases),
        Role::Officer | Role::Supervisor => {
            if scope.office == actor.office {
                Some(Access::Office)
            } else if scope.transfer_to == Some(actor.office.as_str()) {
                Some(Access::Transfer)
            } else {
                None
            }
        }
        Role::Auditor => Some(Access::AllCases),
        Role::Partner => None,
    }
}

/// Whether `role` sees any case at all (partners see aggregates only): lists and event streams
/// refuse the others outright.
pub fn sees_cases(role: Role) -> bool {
    match role {
        Role::Officer | Role::Supervisor | Role::Directorate | Role::Auditor => true,
        Role::Partner => false,
    }
}

/// `query` narrowed to the cases `actor` may see without a grant, for lists: every case for the
/// directorate and auditors; for officers and supervisors the cases of their office and those
/// with a transfer pending to it ([`CaseQuery::reaching_office`]); `None` for a role that sees
/// no case at all.
pub fn visible_query(actor: &Actor, query: CaseQuery) -> Option<CaseQuery> {
    match actor.role {
        Role::Directorate | Role::Auditor => Some(query),
        Role::Officer | Role::Supervisor => Some(CaseQuery {
            reaching_office: Some(actor.office.clone()),
            ..query
        }),
        Role::Partner => None,
    }
}

/// Whether `role` sees every office's cases (lists need no office filter).
pub fn sees_all_offices(role: Role) -> bool {
    match role {
        Role::Directorate | Role::Auditor => true,
        Role::Officer | Role::Supervisor | Role::Partner => false,
    }
}

/// Whether `role` gets the full statistics tables of the cases it sees (staff); the others
/// (partners) get only the disclosure-controlled release ([`crate::stats::release`]).
pub fn sees_full_statistics(role: Role) -> bool {
    match role {
        Role::Officer | Role::Supervisor | Role::Directorate | Role::Auditor => true,
        Role::Partner => false,
    }
}

/// Whether `role` may read the access log.
pub fn reads_access_log(role: Role) -> bool {
    match role {
        Role::Directorate | Role::Auditor => true,
        Role::Officer | Role::Supervisor | Role::Partner => false,
    }
}

/// Whether `role` may answer a subject access request ([`crate::subject_access`]): the
/// directorate only. Answering discloses every value held about a person, across every
/// office, to be handed to them: an act on the ministry's behalf, like erasing or exporting,
/// which the directorate does. Auditors see every case and the access log too, but only to
/// read them (the workflow gives them no command, and they never end a grant); officers and
/// supervisors see their office's cases only, partners none.
pub fn answers_subject_access(role: Role) -> bool {
    match role {
        Role::Directorate => true,
        Role::Officer | Role::Supervisor | Role::Partner | Role::Auditor => false,
    }
}

/// Whether `role` may break the glass.
pub fn may_break_glass(role: Role) -> bool {
    match role {
        Role::Officer | Role::Supervisor | Role::Directorate => true,
        Role::Partner | Role::Auditor => false,
    }
}

/// The fewest characters of a break-the-glass reason's text.
pub const MIN_REASON_CHARS: usize = 20;

/// How many grants one user may take in a day (the last 24 hours) unless the embedder says
/// otherwise.
pub const DEFAULT_MAX_GRANTS_PER_DAY: u32 = 3;

/// Why a user breaks the glass, as they give it: one of the pack's reasons
/// ([`crate::catalog::PackInfo::access_reasons`]) and at least [`MIN_REASON_CHARS`]
/// characters of their own, without personal data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantReason {
    /// The code of one of the pack's reasons (`national_at_office`, …).
    pub code: String,
    /// Why, in the user's words: 20 characters or more, no names, document numbers or other
    /// personal data (the owning office's supervisors and auditors read it).
    pub text: String,
}

/// A break-the-glass grant: one user may see one case until `expires_at`, unless someone ends
/// it sooner.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The grant's number in the records (none until stored).
    pub id: Option<u64>,
    /// The user it was given to.
    pub user_id: String,
    /// The case it opens.
    pub case_id: Uuid,
    /// The office that held the case when the grant was given, whose supervisors are told
    /// (none when no such case exists: the grant then opens nothing).
    pub office: Option<String>,
    /// The pack's reason code.
    pub reason_code: String,
    /// Why the user needs the case, in their words (shown to the office's supervisors and
    /// to auditors).
    pub reason: String,
    /// When it was given.
    pub granted_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
    /// When someone ended it before it expired.
    pub ended_at: Option<DateTime<Utc>>,
    /// Who ended it.
    pub ended_by: Option<String>,
}

impl Grant {
    /// A grant for `actor` on `case_id` (held by `office`, if such a case exists), from `now`
    /// for `hours` hours, for `reason`: its code must be one of `catalog`'s reasons and its
    /// text, trimmed, [`MIN_REASON_CHARS`] to [`MAX_SHORT_TEXT_CHARS`] characters; the role
    /// must be one that may break the glass; `hours` must be positive.
    pub fn new(
        actor: &Actor,
        case_id: Uuid,
        office: Option<String>,
        reason: &GrantReason,
        catalog: &crate::Catalog,
        now: DateTime<Utc>,
        hours: i64,
    ) -> Result<Grant, AccessError> {
        if !may_break_glass(actor.role) {
            return Err(AccessError::RoleNotAllowed { role: actor.role });
        }
        if catalog.access_reason(&reason.code).is_none() {
            return Err(AccessError::UnknownReason);
        }
        let text = reason.text.trim();
        if text.chars().count() < MIN_REASON_CHARS {
            return Err(AccessError::ReasonTooShort {
                min: MIN_REASON_CHARS,
            });
        }
        if text.chars().count() > MAX_SHORT_TEXT_CHARS {
            return Err(AccessError::ReasonTooLong {
                max: MAX_SHORT_TEXT_CHARS,
            });
        }
        if hours <= 0 {
            return Err(AccessError::BadDuration);
        }
        Ok(Grant {
            id: None,
            user_id: actor.user_id.clone(),
            case_id,
            office,
            reason_code: reason.code.clone(),
            reason: text.to_owned(),
            granted_at: now,
            expires_at: now + Duration::hours(hours),
            ended_at: None,
            ended_by: None,
        })
    }

    /// Whether the grant is in force at `now`: given, not expired, not ended.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.granted_at <= now && now < self.expires_at && self.ended_at.is_none_or(|e| now < e)
    }

    /// The reason as the access log keeps it: the code, then the text.
    pub fn logged_reason(&self) -> String {
        format!("{}: {}", self.reason_code, self.reason)
    }
}

/// Whether a user who has taken `taken` grants in the last day may take one more, at most
/// `max` a day.
pub fn check_grant_quota(taken: u32, max: u32) -> Result<(), AccessError> {
    if taken >= max {
        Err(AccessError::TooManyGrants { max })
    } else {
        Ok(())
    }
}

/// Whose grants `actor` sees and may end: `Some(None)` every grant (directorate, auditors —
/// auditors read, never end), `Some(Some(office))` the grants on their office's cases
/// (supervisors), `None` none.
pub fn grants_seen_by(actor: &Actor) -> Option<Option<&str>> {
    match actor.role {
        Role::Directorate | Role::Auditor => Some(None),
        Role::Supervisor => Some(Some(actor.office.as_str())),
        Role::Officer | Role::Partner => None,
    }
}

/// Whether `actor` may end `grant`: a supervisor of the office that held the case, or the
/// directorate.
pub fn may_end_grant(actor: &Actor, grant: &Grant) -> bool {
    match actor.role {
        Role::Directorate => true,
        Role::Supervisor => grant.office.as_deref() == Some(actor.office.as_str()),
        Role::Officer | Role::Partner | Role::Auditor => false,
    }
}

/// A grant that cannot be given. Never holds the reason's text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AccessError {
    /// The role may not break the glass.
    #[error("role {} may not break the glass", role.as_str())]
    RoleNotAllowed {
        /// The actor's role.
        role: Role,
    },
    /// The reason code is not one of the pack's.
    #[error("choose one of the pack's reasons to break the glass")]
    UnknownReason,
    /// The reason's text is too short.
    #[error(
        "say in at least {min} characters why you need the case; do not write names, document numbers or other personal data"
    )]
    ReasonTooShort {
        /// The fewest characters.
        min: usize,
    },
    /// The reason is too long.
    #[error("the reason is longer than {max} characters")]
    ReasonTooLong {
        /// The limit.
        max: usize,
    },
    /// The duration is not positive.
    #[error("the duration must be positive")]
    BadDuration,
    /// The user has taken as many grants as a day allows.
    #[error("at most {max} break-the-glass grants a day; ask a supervisor of the case's office")]
    TooManyGrants {
        /// The limit.
        max: u32,
    },
}

impl AccessError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            AccessError::RoleNotAllowed { .. } => "access.role_not_allowed",
            AccessError::UnknownReason => "access.unknown_reason",
            AccessError::ReasonTooShort { .. } => "access.reason_too_short",
            AccessError::ReasonTooLong { .. } => "access.reason_too_long",
            AccessError::BadDuration => "access.bad_duration",
            AccessError::TooManyGrants { .. } => "access.too_many_grants",
        }
    }
}

/// Every code an [`AccessError`] can have.
pub const ERROR_CODES: &[&str] = &[
    "access.role_not_allowed",
    "access.unknown_reason",
    "access.reason_too_short",
    "access.reason_too_long",
    "access.bad_duration",
    "access.too_many_grants",
];

/// What was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReadKind {
    /// The case itself.
    Case,
    /// Its history.
    History,
    /// The verification of its chain.
    Verify,
    /// The list of forms it needs.
    Forms,
    /// A generated form (PDF).
    Form,
    /// A break-the-glass grant was given.
    BreakGlass,
    /// The case was exported in an archive.
    Export,
    /// One of its attachments was downloaded.
    Attachment,
    /// Its national's name was shown in a case list ([`crate::store::name_summaries`]).
    List,
}

impl ReadKind {
    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReadKind::Case => "case",
            ReadKind::History => "history",
            ReadKind::Verify => "verify",
            ReadKind::Forms => "forms",
            ReadKind::Form => "form",
            ReadKind::BreakGlass => "break_glass",
            ReadKind::Export => "export",
            ReadKind::Attachment => "attachment",
            ReadKind::List => "list",
        }
    }

    /// The kind of a wire name.
    pub fn parse(s: &str) -> Option<ReadKind> {
        [
            ReadKind::Case,
            ReadKind::History,
            ReadKind::Verify,
            ReadKind::Forms,
            ReadKind::Form,
            ReadKind::BreakGlass,
            ReadKind::Export,
            ReadKind::Attachment,
            ReadKind::List,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
    }
}

/// One line of the access log: who read which case, when, and under which access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AccessEntry {
    /// The user's id.
    pub user_id: String,
    /// Their role.
    pub role: Role,
    /// The office they acted from.
    pub office: String,
    /// The case read.
    pub case_id: Uuid,
    /// What was read.
    pub what: ReadKind,
    /// Why they could see it.
    pub access: Access,
    /// When.
    pub at: DateTime<Utc>,
    /// The break-the-glass reason, when the access came from a grant.
    pub reason: Option<String>,
}

impl AccessEntry {
    /// The entry for `actor` reading `what` of `case_id` under `access` at `now`; `reason` is
    /// the grant's reason when `access` is [`Access::BreakGlass`].
    pub fn new(
        actor: &Actor,
        case_id: Uuid,
        what: ReadKind,
        access: Access,
        now: DateTime<Utc>,
        reason: Option<String>,
    ) -> AccessEntry {
        AccessEntry {
            user_id: actor.user_id.clone(),
            role: actor.role,
            office: actor.office.clone(),
            case_id,
            what,
            access,
            at: now,
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, office: &str) -> Actor {
        Actor::new("u1", role, office)
    }

    #[test]
    fn list_queries_are_narrowed_to_what_the_role_sees() {
        let query = CaseQuery {
            status: Some(crate::case::Status::Registered),
            ..CaseQuery::default()
        };
        for role in [Role::Directorate, Role::Auditor] {
            assert_eq!(
                visible_query(&actor(role, "DGPHM"), query.clone()),
                Some(query.clone())
            );
        }
        for role in [Role::Officer, Role::Supervisor] {
            let narrowed = visible_query(&actor(role, "TAP"), query.clone());
            assert_eq!(
                narrowed,
                Some(CaseQuery {
                    reaching_office: Some("TAP".into()),
                    ..query.clone()
                })
            );
        }
        assert_eq!(visible_query(&actor(Role::Partner, "TAP"), query), None);
    }

    /// What `a` sees of a case with `scope` without grants; grants are needed exactly when
    /// it is nothing.
    fn sees(a: &Actor, scope: Scope<'_>) -> Option<Access> {
        let seen = can_see(a, Uuid::nil(), scope, &[], Utc::now());
        assert_eq!(needs_grants(a, scope), seen.is_none());
        seen
    }

    #[test]
    fn offices_see_their_own_cases_and_pending_transfers() {
        let own = Scope::office("TAP");
        let other = Scope::office("MIA");
        let incoming = Scope {
            office: "MIA",
            transfer_to: Some("TAP"),
        };
        for role in [Role::Officer, Role::Supervisor] {
            let a = actor(role, "TAP");
            assert_eq!(sees(&a, own), Some(Access::Office));
            assert_eq!(sees(&a, other), None);
            assert_eq!(sees(&a, incoming), Some(Access::Transfer));
        }
        let d = actor(Role::Directorate, "DGP");
        assert_eq!(sees(&d, other), Some(Access::AllCases));
        let auditor = actor(Role::Auditor, "DGPHM");
        assert_eq!(sees(&auditor, other), Some(Access::AllCases));
        let p = actor(Role::Partner, "TAP");
        assert_eq!(sees(&p, own), None);
    }

    fn reason(code: &str, text: &str) -> GrantReason {
        GrantReason {
            code: code.into(),
            text: text.into(),
        }
    }

    #[allow(clippy::unwrap_used)]
    fn grant(
        a: &Actor,
        case: Uuid,
        text: &str,
        now: DateTime<Utc>,
        hours: i64,
    ) -> Result<Grant, AccessError> {
        let catalog = crate::Catalog::honduras().unwrap();
        Grant::new(
            a,
            case,
            Some("MIA".into()),
            &reason("national_at_office", text),
            &catalog,
            now,
            hours,
        )
    }

    #[test]
    fn a_grant_opens_one_case_for_its_user_until_it_expires_or_ends() {
        let now = Utc::now();
        let a = actor(Role::Officer, "TAP");
        let case = Uuid::now_v7();
        let mut grant = grant(
            &a,
            case,
            "  la persona pide ayuda en ventanilla ",
            now,
            DEFAULT_GRANT_HOURS,
        )
        .expect("grant");
        assert_eq!(grant.reason, "la persona pide ayuda en ventanilla");
        assert_eq!(
            grant.logged_reason(),
            "national_at_office: la persona pide ayuda en ventanilla"
        );
        let other = Scope::office("MIA");
        assert_eq!(
            can_see(&a, case, other, std::slice::from_ref(&grant), now),
            Some(Access::BreakGlass)
        );
        assert_eq!(
            can_see(&a, Uuid::nil(), other, std::slice::from_ref(&grant), now),
            None
        );
        let b = Actor::new("u2", Role::Officer, "TAP");
        assert_eq!(
            can_see(&b, case, other, std::slice::from_ref(&grant), now),
            None
        );
        let later = now + Duration::hours(DEFAULT_GRANT_HOURS);
        assert_eq!(
            can_see(&a, case, other, std::slice::from_ref(&grant), later),
            None
        );
        grant.ended_at = Some(now + Duration::minutes(5));
        assert!(grant.is_active(now));
        assert!(!grant.is_active(now + Duration::minutes(5)), "ended");
    }

    #[test]
    fn grants_need_a_pack_reason_twenty_characters_and_a_role_that_may_break_the_glass() {
        let now = Utc::now();
        let a = actor(Role::Officer, "TAP");
        let catalog = crate::Catalog::honduras().unwrap();
        assert!(
            !catalog.pack.access_reasons.is_empty(),
            "the pack has reasons"
        );
        for text in ["", "  ", "urgent", &"x".repeat(MIN_REASON_CHARS - 1)] {
            assert_eq!(
                grant(&a, Uuid::nil(), text, now, 3),
                Err(AccessError::ReasonTooShort {
                    min: MIN_REASON_CHARS
                })
            );
        }
        assert!(grant(&a, Uuid::nil(), &"x".repeat(MIN_REASON_CHARS), now, 3).is_ok());
        let message = AccessError::ReasonTooShort { min: 20 }.to_string();
        assert!(message.contains("personal data"), "{message}");
        assert_eq!(
            Grant::new(
                &a,
                Uuid::nil(),
                None,
                &reason("curiosity", &"x".repeat(30)),
                &catalog,
                now,
                3
            ),
            Err(AccessError::UnknownReason)
        );
        assert_eq!(
            grant(
                &a,
                Uuid::nil(),
                &"x".repeat(MAX_SHORT_TEXT_CHARS + 1),
                now,
                3
            )
            .map_err(|e| e.code()),
            Err("access.reason_too_long")
        );
        assert_eq!(
            grant(&a, Uuid::nil(), &"x".repeat(30), now, 0),
            Err(AccessError::BadDuration)
        );
        for role in [Role::Partner, Role::Auditor] {
            assert_eq!(
                grant(&actor(role, "TAP"), Uuid::nil(), &"x".repeat(30), now, 3)
                    .map_err(|e| e.code()),
                Err("access.role_not_allowed")
            );
        }
    }

    #[test]
    fn a_day_allows_so_many_grants_and_supervisors_end_their_offices() {
        assert_eq!(check_grant_quota(2, 3), Ok(()));
        assert_eq!(
            check_grant_quota(3, 3).map_err(|e| e.code()),
            Err("access.too_many_grants")
        );
        let now = Utc::now();
        let g = grant(
            &actor(Role::Officer, "TAP"),
            Uuid::nil(),
            &"x".repeat(30),
            now,
            3,
        )
        .unwrap();
        assert!(may_end_grant(&actor(Role::Supervisor, "MIA"), &g));
        assert!(!may_end_grant(&actor(Role::Supervisor, "TAP"), &g));
        assert!(may_end_grant(&actor(Role::Directorate, ""), &g));
        for role in [Role::Officer, Role::Auditor, Role::Partner] {
            assert!(!may_end_grant(&actor(role, "MIA"), &g));
        }
        assert_eq!(
            grants_seen_by(&actor(Role::Supervisor, "MIA")),
            Some(Some("MIA"))
        );
        assert_eq!(grants_seen_by(&actor(Role::Auditor, "X")), Some(None));
        assert_eq!(grants_seen_by(&actor(Role::Officer, "MIA")), None);
    }

    #[test]
    fn read_kinds_round_trip() {
        for k in [
            ReadKind::Case,
            ReadKind::History,
            ReadKind::Verify,
            ReadKind::Forms,
            ReadKind::Form,
            ReadKind::BreakGlass,
            ReadKind::Export,
        ] {
            assert_eq!(ReadKind::parse(k.as_str()), Some(k));
        }
    }
}
