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

/// Whether `role` may break the glass.
pub fn may_break_glass(role: Role) -> bool {
    match role {
        Role::Officer | Role::Supervisor | Role::Directorate => true,
        Role::Partner | Role::Auditor => false,
    }
}

/// A break-the-glass grant: one user may see one case until `expires_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    /// The user it was given to.
    pub user_id: String,
    /// The case it opens.
    pub case_id: Uuid,
    /// Why the user needs the case (free text, shown to auditors).
    pub reason: String,
    /// When it was given.
    pub granted_at: DateTime<Utc>,
    /// When it ends.
    pub expires_at: DateTime<Utc>,
}

impl Grant {
    /// A grant for `actor` on `case_id`, from `now` for `hours` hours. The reason must be
    /// non-empty (after trimming) and at most [`MAX_SHORT_TEXT_CHARS`] characters; the role must
    /// be one that may break the glass; `hours` must be positive.
    pub fn new(
        actor: &Actor,
        case_id: Uuid,
        reason: &str,
        now: DateTime<Utc>,
        hours: i64,
    ) -> Result<Grant, AccessError> {
        if !may_break_glass(actor.role) {
            return Err(AccessError::RoleNotAllowed { role: actor.role });
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(AccessError::EmptyReason);
        }
        if reason.chars().count() > MAX_SHORT_TEXT_CHARS {
            return Err(AccessError::ReasonTooLong {
                max: MAX_SHORT_TEXT_CHARS,
            });
        }
        if hours <= 0 {
            return Err(AccessError::BadDuration);
        }
        Ok(Grant {
            user_id: actor.user_id.clone(),
            case_id,
            reason: reason.to_owned(),
            granted_at: now,
            expires_at: now + Duration::hours(hours),
        })
    }

    /// Whether the grant is in force at `now`.
    pub fn is_active(&self, now: DateTime<Utc>) -> bool {
        self.granted_at <= now && now < self.expires_at
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
    /// No reason was given.
    #[error("a reason is required")]
    EmptyReason,
    /// The reason is too long.
    #[error("the reason is longer than {max} characters")]
    ReasonTooLong {
        /// The limit.
        max: usize,
    },
    /// The duration is not positive.
    #[error("the duration must be positive")]
    BadDuration,
}

impl AccessError {
    /// The stable machine code.
    pub fn code(&self) -> &'static str {
        match self {
            AccessError::RoleNotAllowed { .. } => "access.role_not_allowed",
            AccessError::EmptyReason => "access.empty_reason",
            AccessError::ReasonTooLong { .. } => "access.reason_too_long",
            AccessError::BadDuration => "access.bad_duration",
        }
    }
}

/// Every code an [`AccessError`] can have.
pub const ERROR_CODES: &[&str] = &[
    "access.role_not_allowed",
    "access.empty_reason",
    "access.reason_too_long",
    "access.bad_duration",
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

    #[test]
    fn offices_see_their_own_cases_and_pending_transfers() {
        let now = Utc::now();
        let id = Uuid::nil();
        let own = Scope::office("TAP");
        let other = Scope::office("MIA");
        let incoming = Scope {
            office: "MIA",
            transfer_to: Some("TAP"),
        };
        for role in [Role::Officer, Role::Supervisor] {
            let a = actor(role, "TAP");
            assert_eq!(can_see(&a, id, own, &[], now), Some(Access::Office));
            assert_eq!(can_see(&a, id, other, &[], now), None);
            assert_eq!(can_see(&a, id, incoming, &[], now), Some(Access::Transfer));
        }
        let d = actor(Role::Directorate, "DGP");
        assert_eq!(can_see(&d, id, other, &[], now), Some(Access::AllCases));
        let auditor = actor(Role::Auditor, "DGPHM");
        assert_eq!(
            can_see(&auditor, id, other, &[], now),
            Some(Access::AllCases)
        );
        let p = actor(Role::Partner, "TAP");
        assert_eq!(can_see(&p, id, own, &[], now), None);
    }

    #[test]
    fn a_grant_opens_one_case_for_its_user_until_it_expires() {
        let now = Utc::now();
        let a = actor(Role::Officer, "TAP");
        let case = Uuid::now_v7();
        let grant = Grant::new(
            &a,
            case,
            "  urgent consular visit ",
            now,
            DEFAULT_GRANT_HOURS,
        )
        .expect("grant");
        assert_eq!(grant.reason, "urgent consular visit");
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
        assert_eq!(can_see(&a, case, other, &[grant], later), None);
    }

    #[test]
    fn grants_need_a_reason_and_a_role_that_may_break_the_glass() {
        let now = Utc::now();
        let a = actor(Role::Officer, "TAP");
        assert_eq!(
            Grant::new(&a, Uuid::nil(), " ", now, 3),
            Err(AccessError::EmptyReason)
        );
        assert_eq!(
            Grant::new(
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
            Grant::new(&a, Uuid::nil(), "why", now, 0),
            Err(AccessError::BadDuration)
        );
        for role in [Role::Partner, Role::Auditor] {
            assert_eq!(
                Grant::new(&actor(role, "TAP"), Uuid::nil(), "why", now, 3).map_err(|e| e.code()),
                Err("access.role_not_allowed")
            );
        }
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
