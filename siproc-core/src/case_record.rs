//! What statistics read of one case: a [`CaseRecord`], made from its history.
//!
//! A record holds only non-personal, coarse facts: codes from the catalog, a sex, an age in
//! whole years (never a birth date), a country, dates and instants of workflow steps. It is made
//! from one history at a time and dropped once counted, so no more than one case is held at once.
//!
//! What a store keeps of each case, and why it may: see [`crate::stats`], "The record a store keeps".
//! The record is its own module, beside both: stores write it and statistics read it, and
//! neither depends on the other for it (`crate::stats` re-exports it).

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::case::{Case, ReferralStatus, Status};
use crate::catalog::Catalog;
use crate::history::{self, Event, EventKind, HistoryError};
use crate::person::{LocationKind, Sex};

/// The facts of one case that statistics count. Strings are catalog codes (shared, so that a
/// million records in memory cost little).
///
/// `C` is what `country` holds: the resolved country ([`CaseRecord`], what statistics count),
/// or the current location's country, if any ([`KeptRecord`], what a store keeps). The serde
/// form is the stores' compact encoding ([`KeptRecord::encode`]), not a published format.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseRecord<C = Arc<str>> {
    /// The primary category.
    pub category: Arc<str>,
    /// The workflow status now.
    pub status: Status,
    /// The office responsible now.
    pub office: Arc<str>,
    /// Where the national is: the country of their `current` location, else the office's
    /// country, else `unknown` (in a [`KeptRecord`], the location's country only).
    pub country: C,
    /// Vulnerability flags.
    pub flags: Vec<Arc<str>>,
    /// The national's sex, when recorded.
    pub sex: Option<Sex>,
    /// The national's age in whole years on the day the case was opened, when known.
    pub age: Option<u32>,
    /// The day protection was asked for.
    #[serde(with = "days")]
    pub opened_on: NaiveDate,
    /// When the case was registered (its first event).
    #[serde(with = "chrono::serde::ts_microseconds")]
    pub registered_at: DateTime<Utc>,
    /// When the case was first worked on: the first status change, note, service, referral,
    /// transfer or closure after registration.
    #[serde(with = "chrono::serde::ts_microseconds_option")]
    pub first_action_at: Option<DateTime<Utc>>,
    /// When the case was resolved or closed, unless it was reopened since.
    #[serde(with = "chrono::serde::ts_microseconds_option")]
    pub resolved_at: Option<DateTime<Utc>>,
    /// When the case was closed, if it is closed or archived now.
    #[serde(with = "chrono::serde::ts_microseconds_option")]
    pub closed_at: Option<DateTime<Utc>>,
    /// The kinds of the services given.
    pub services: Vec<Arc<str>>,
    /// The referrals: partner code and where each stands.
    pub referrals: Vec<(Arc<str>, ReferralStatus)>,
    /// Registered here, or migrated from a legacy log (complete or not).
    pub origin: Origin,
    /// The record key of the cell-key perturbation ([`crate::stats::perturb`]): random, drawn
    /// once when the store first writes the record, and kept by the store beside the encoded
    /// record (in its own column, not in [`KeptRecord::encode`]'s bytes), so a rewrite of the
    /// record keeps it. 0 until the store sets it.
    #[serde(skip)]
    pub record_key: u32,
    /// Whether consent to share with partners was withdrawn ([`Case::sharing_withdrawn`]):
    /// partners' statistics releases leave the case out. Kept after the fields in the stores'
    /// encoding (one byte after them, [`KeptRecord::encode`]), so that records written before
    /// it existed still read (as `false`).
    #[serde(skip)]
    pub sharing_withdrawn: bool,
}

/// What a store keeps of a case for statistics: a [`CaseRecord`] whose `country` is the
/// national's current location's, if recorded (no catalog needed to make it). See the module
/// docs for why a store may keep it.
pub type KeptRecord = CaseRecord<Option<Arc<str>>>;

/// A day as its number of days from the common era (an `i32`: compact in the stores' encoding).
mod days {
    use chrono::{Datelike, NaiveDate};
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(day: &NaiveDate, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i32(day.num_days_from_ce())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        NaiveDate::from_num_days_from_ce_opt(i32::deserialize(d)?)
            .ok_or_else(|| D::Error::custom("day out of range"))
    }
}

/// Where a case came from: so that statistics tell migrated cases, and those still missing
/// follow-up items, apart from cases registered in siproc ([`crate::legacy`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
        Ok(KeptRecord::replayed(events)?.resolve(catalog))
    }
}

impl<C> CaseRecord<C> {
    /// Whether the case is still open (neither closed nor archived).
    pub fn is_open(&self) -> bool {
        !matches!(self.status, Status::Closed | Status::Archived)
    }
}

/// The version byte that starts [`KeptRecord::encode`]'s bytes: 2 since the byte of
/// [`CaseRecord::sharing_withdrawn`] follows the fields.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
const ENCODING: u8 = 2;

/// The version byte of records written before [`CaseRecord::sharing_withdrawn`]: the fields
/// only, read as not withdrawn.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
const ENCODING_V1: u8 = 1;

impl KeptRecord {
    /// The record of `case`, replayed from `events` (its whole history): no catalog needed.
    pub fn of(case: &Case, events: &[Event]) -> KeptRecord {
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
        CaseRecord {
            category: case.category.as_str().into(),
            status: case.status,
            office: case.office.as_str().into(),
            country: national
                .and_then(|p| p.locations.iter().find(|l| l.kind == LocationKind::Current))
                .map(|l| l.country.as_str().into()),
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
            origin: Origin::of(case),
            record_key: 0,
            sharing_withdrawn: case.sharing_withdrawn,
        }
    }

    /// The record of a case whose history holds an erasure, made from it now (`self`), with
    /// the national's facts — country, sex, age — of `kept`, the record stored before: the
    /// erased values no longer give them, and an erasure does not change statistics, nor does
    /// a later step (an archiving, a note) of an erased case.
    pub fn keeping_national(self, kept: &KeptRecord) -> KeptRecord {
        KeptRecord {
            country: kept.country.clone(),
            sex: kept.sex,
            age: kept.age,
            ..self
        }
    }

    /// This record with the record key `key`.
    pub fn keyed(self, key: u32) -> KeptRecord {
        KeptRecord {
            record_key: key,
            ..self
        }
    }

    /// The record of a case from its whole history (replayed, not verified).
    pub fn replayed(events: &[Event]) -> Result<KeptRecord, HistoryError> {
        Ok(KeptRecord::of(&history::replay(events)?, events))
    }

    /// The record statistics count: the country falls back to the office's (from `catalog`),
    /// else `unknown`.
    pub fn resolve(self, catalog: &Catalog) -> CaseRecord {
        let country = match self.country {
            Some(country) => country,
            None => catalog
                .office(&self.office)
                .map_or(UNKNOWN, |o| o.country.as_str())
                .into(),
        };
        CaseRecord {
            category: self.category,
            status: self.status,
            office: self.office,
            country,
            flags: self.flags,
            sex: self.sex,
            age: self.age,
            opened_on: self.opened_on,
            registered_at: self.registered_at,
            first_action_at: self.first_action_at,
            resolved_at: self.resolved_at,
            closed_at: self.closed_at,
            services: self.services,
            referrals: self.referrals,
            origin: self.origin,
            record_key: self.record_key,
            sharing_withdrawn: self.sharing_withdrawn,
        }
    }

    /// The compact form the SQL stores keep: a version byte, then the fields in
    /// [postcard](https://docs.rs/postcard)'s encoding (variable-length integers, enum variants
    /// by index, instants as microseconds, days as day numbers), then one byte for
    /// [`CaseRecord::sharing_withdrawn`]: about 80 bytes a case.
    ///
    /// postcard rather than JSON or hand-written bytes: it is the maintained serde format made
    /// for small, schema-fixed values, and decodes a record in well under a microsecond.
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub fn encode(&self) -> Vec<u8> {
        let mut bytes = vec![ENCODING];
        // Serializing to a vector fails only on types serde cannot represent; a record has none.
        if let Ok(body) = postcard::to_allocvec(self) {
            bytes.extend(body);
        }
        bytes.push(u8::from(self.sharing_withdrawn));
        bytes
    }

    /// A record from [`KeptRecord::encode`]'s bytes; `None` if they are not one (another
    /// version, or damaged).
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub fn decode(bytes: &[u8]) -> Option<KeptRecord> {
        match bytes.split_first() {
            Some((&ENCODING, body)) => match postcard::take_from_bytes::<KeptRecord>(body) {
                Ok((record, &[withdrawn @ (0 | 1)])) => Some(KeptRecord {
                    sharing_withdrawn: withdrawn == 1,
                    ..record
                }),
                _ => None,
            },
            Some((&ENCODING_V1, body)) => postcard::from_bytes(body).ok(),
            _ => None,
        }
    }
}

/// The label of an unknown value (a country, a sex, an age).
pub const UNKNOWN: &str = "unknown";
