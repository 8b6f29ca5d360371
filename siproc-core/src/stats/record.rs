//! What statistics read of one case: a [`CaseRecord`], made from its history.
//!
//! A record holds only non-personal, coarse facts: codes from the catalog, a sex, an age band
//! (never a birth date), a country, dates and instants of workflow steps. It is made from one
//! history at a time and dropped once counted, so no more than one case is held at once.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::case::{ReferralStatus, Status};
use crate::catalog::Catalog;
use crate::history::{self, Event, EventKind, HistoryError};
use crate::person::{LocationKind, Sex};

/// The facts of one case that statistics count. Strings are catalog codes (shared, so that a
/// million records in memory cost little).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    /// The primary category.
    pub category: Arc<str>,
    /// The workflow status now.
    pub status: Status,
    /// The office responsible now.
    pub office: Arc<str>,
    /// Where the national is: the country of their `current` location, else the office's
    /// country, else `unknown`.
    pub country: Arc<str>,
    /// Vulnerability flags.
    pub flags: Vec<Arc<str>>,
    /// The national's sex, when recorded.
    pub sex: Option<Sex>,
    /// The national's age in whole years on the day the case was opened, when known.
    pub age: Option<u32>,
    /// The day protection was asked for.
    pub opened_on: NaiveDate,
    /// When the case was registered (its first event).
    pub registered_at: DateTime<Utc>,
    /// When the case was first worked on: the first status change, note, service, referral,
    /// transfer or closure after registration.
    pub first_action_at: Option<DateTime<Utc>>,
    /// When the case was resolved or closed, unless it was reopened since.
    pub resolved_at: Option<DateTime<Utc>>,
    /// When the case was closed, if it is closed or archived now.
    pub closed_at: Option<DateTime<Utc>>,
    /// The kinds of the services given.
    pub services: Vec<Arc<str>>,
    /// The referrals: partner code and where each stands.
    pub referrals: Vec<(Arc<str>, ReferralStatus)>,
    /// Registered here, or migrated from a legacy log (complete or not).
    pub origin: Origin,
}

/// Where a case came from: so that statistics tell migrated cases, and those still missing
/// follow-up items, apart from cases registered in siproc ([`crate::legacy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Origin {
    /// Registered through an intake.
    Registered,
    /// Migrated from a legacy log, nothing left to complete.
    Migrated,
    /// Migrated, with follow-up items still open.
    MigratedIncomplete,
}

impl Origin {
    /// Every origin, in published order.
    pub const ALL: [Origin; 3] = [
        Origin::Registered,
        Origin::Migrated,
        Origin::MigratedIncomplete,
    ];

    /// The published label: `registered`, `migrated_complete`, `migrated_incomplete`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origin::Registered => "registered",
            Origin::Migrated => "migrated_complete",
            Origin::MigratedIncomplete => "migrated_incomplete",
        }
    }

    /// The origin of `case`.
    pub fn of(case: &crate::Case) -> Origin {
        match &case.legacy {
            None => Origin::Registered,
            Some(l) if l.follow_ups.is_empty() => Origin::Migrated,
            Some(_) => Origin::MigratedIncomplete,
        }
    }
}

impl CaseRecord {
    /// The record of a case from its history (replayed, not verified: verification is the
    /// store's and the archive's job). `catalog` gives the office's country.
    pub fn from_history(events: &[Event], catalog: &Catalog) -> Result<CaseRecord, HistoryError> {
        let case = history::replay(events)?;
        let mut first_action_at = None;
        let mut resolved_at = None;
        let mut closed_at = None;
        for event in events.iter().skip(1) {
            let (acts, resolves, closes, reopens) = match &event.kind {
                EventKind::StatusChanged { from, to } => (
                    true,
                    matches!(to, Status::Resolved | Status::Closed),
                    *to == Status::Closed,
                    *from == Status::Resolved && *to != Status::Closed,
                ),
                EventKind::Closed { .. } => (true, true, true, false),
                EventKind::Reopened { .. } => (true, false, false, true),
                EventKind::NoteAdded(_)
                | EventKind::ServiceGiven(_)
                | EventKind::ReferralRequested(_)
                | EventKind::TransferRequested { .. }
                | EventKind::ClosureRequested { .. } => (true, false, false, false),
                _ => (false, false, false, false),
            };
            if acts && first_action_at.is_none() {
                first_action_at = Some(event.at);
            }
            if resolves && resolved_at.is_none() {
                resolved_at = Some(event.at);
            }
            if closes {
                closed_at = Some(event.at);
            }
            if reopens {
                resolved_at = None;
                closed_at = None;
            }
        }
        let national = case.national();
        let country = national
            .and_then(|p| p.locations.iter().find(|l| l.kind == LocationKind::Current))
            .map(|l| l.country.as_str())
            .or_else(|| catalog.office(&case.office).map(|o| o.country.as_str()))
            .unwrap_or(UNKNOWN);
        Ok(CaseRecord {
            category: case.category.as_str().into(),
            status: case.status,
            office: case.office.as_str().into(),
            country: country.into(),
            flags: case.flags.iter().map(|f| f.as_str().into()).collect(),
            sex: national.and_then(|p| p.sex),
            age: national.and_then(|p| p.age_on(case.opened_on)),
            opened_on: case.opened_on,
            registered_at: case.created_at,
            first_action_at,
            resolved_at,
            closed_at: closed_at
                .filter(|_| matches!(case.status, Status::Closed | Status::Archived)),
            services: case
                .services
                .iter()
                .map(|s| s.kind.as_str().into())
                .collect(),
            referrals: case
                .referrals
                .iter()
                .map(|r| (r.partner.as_str().into(), r.status))
                .collect(),
            origin: Origin::of(&case),
        })
    }

    /// Whether the case is still open (neither closed nor archived).
    pub fn is_open(&self) -> bool {
        !matches!(self.status, Status::Closed | Status::Archived)
    }
}

/// The label of an unknown value (a country, a sex, an age).
pub const UNKNOWN: &str = "unknown";
