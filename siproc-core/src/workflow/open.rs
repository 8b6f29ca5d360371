//! Opening a case: [`open`] checks the actor and the intake and makes the [`Opening`], which
//! [`Opening::seal`] turns into the `case_opened` event once the case has its number.
//!
//! The two steps are apart so that a store holds its numbering lock only while an opening is
//! sealed with a number, not while the intake is checked: callers on many threads check their
//! intakes at the same time ([`crate::store::open_case`]). A migrated case opens the same way
//! ([`crate::legacy::open`]).

use chrono::{DateTime, Utc};
use uuid::Uuid;

use super::WorkflowError;
use crate::actor::{Actor, Role};
use crate::case::{Intake, LegacyOrigin};
use crate::catalog::Catalog;
use crate::history::{
    Event, EventKind, FreshEvent, GENESIS_HASH, HistoryError, NoteData, Opened, ReferralData,
    Sealed, ServiceData,
};
use crate::issue::Locale;
use crate::normalize::normalize_intake;
use crate::transitions::CommandKind;
use crate::validation::validate_on;

/// Whether `actor` may open a case in `office` (the `open` row of
/// [`RULES`](crate::transitions::RULES)).
pub(crate) fn may_open(actor: &Actor, office: &str) -> Result<(), WorkflowError> {
    let name = CommandKind::Open.as_str();
    if !CommandKind::Open
        .rules()
        .next()
        .is_some_and(|r| r.roles.contains(&actor.role))
    {
        return Err(WorkflowError::RoleNotAllowed {
            role: actor.role,
            command: name,
        });
    }
    if actor.role != Role::Directorate && actor.office != office {
        return Err(WorkflowError::WrongOffice { command: name });
    }
    Ok(())
}

/// Opens a case with id `case_id` from `intake`: everything but its number.
///
/// The actor must be allowed to open cases in the intake's office; the intake is validated
/// ([`crate::validate`], with `now`'s date at the intake's office as today:
/// [`Catalog::local_date`]) and refused with its report if it has
/// errors, then normalised ([`normalize_intake`]) and its personal parts sealed. The number
/// comes from a store ([`crate::store::CaseStore::create_case`], as [`crate::store::open_case`]
/// does) or from the caller: [`Opening::seal`].
pub fn open(
    catalog: &Catalog,
    actor: &Actor,
    intake: &Intake,
    case_id: Uuid,
    now: DateTime<Utc>,
) -> Result<Opening, WorkflowError> {
    may_open(actor, &intake.office)?;
    let today = catalog.local_date(&intake.office, now);
    let report = validate_on(intake, catalog, Locale::default(), today);
    if !report.ok {
        return Err(WorkflowError::InvalidIntake { report });
    }
    Ok(Opening::from_intake(
        normalize_intake(intake, catalog),
        case_id,
        actor,
        now,
        None,
    )?)
}

/// A `case_opened` event without its number ([`open`], [`crate::legacy::open`]).
#[derive(Debug, Clone)]
pub struct Opening {
    case_id: Uuid,
    actor: Actor,
    at: DateTime<Utc>,
    opened: Opened,
}

impl Opening {
    /// The opening of a checked and normalised `intake`: its personal parts sealed, a fresh id
    /// for each referral. `legacy` is the origin of a migrated case ([`crate::legacy`]).
    pub(crate) fn from_intake(
        intake: Intake,
        case_id: Uuid,
        actor: &Actor,
        at: DateTime<Utc>,
        legacy: Option<LegacyOrigin>,
    ) -> Result<Opening, HistoryError> {
        let opened = Opened {
            number: String::new(),
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
        };
        Ok(Opening {
            case_id,
            actor: actor.clone(),
            at,
            opened,
        })
    }

    /// The case the event opens.
    pub fn case_id(&self) -> Uuid {
        self.case_id
    }

    /// The registering office.
    pub fn office(&self) -> &str {
        &self.opened.office
    }

    /// The event, numbered `number` and sealed (its hash over the canonical JSON). An opening
    /// can be sealed again with another number, as a store does when another process took the
    /// number first. [`FreshEvent::into_event`] gives the [`Event`].
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
