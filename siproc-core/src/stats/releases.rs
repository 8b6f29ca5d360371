//! Statistics releases for partners: one per closed period, computed once, kept, and served as
//! the same bytes to every partner.
//!
//! A partner cannot choose a date window: windows a day apart, or one asked before and one
//! after a registration, differ by one case, and their difference names it (issue 36). A
//! partner gets **releases** instead:
//!
//! - a release covers a [`Period`], a whole month (`2026-09`) or quarter (`2026-Q3`), and can
//!   be made only once the period has closed (its last day has ended, UTC);
//! - it counts the cases opened in the period **and registered before it closed**
//!   ([`PublishedRelease::registered_before`]): a case registered later (with an earlier
//!   opening day) never enters a release of that period, not even its correction, so a
//!   release and its correction cannot differ by one late registration;
//! - it leaves out the cases whose consent to share with partners was withdrawn
//!   ([`crate::case::Case::sharing_withdrawn`]), from the first release computed after the
//!   withdrawal (earlier releases, already published, stay as they were);
//! - its counts are perturbed with the cell-key method ([`crate::stats::perturb`]), then
//!   suppressed below `k` ([`crate::stats::disclosure`]): a quarter and its months, whose
//!   difference would otherwise isolate a small group, differ by noise;
//! - it is written once as JSON ([`PublishedRelease::to_json`]) and kept by the store
//!   ([`crate::store::Records::add_release`]); every read answers those bytes. A correction
//!   (workflow changes since, an error fixed) is a new **version** of the same id, computed
//!   over the same cases; earlier versions stay readable.

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::case_record::CaseRecord;
use crate::catalog::Catalog;
use crate::stats::accumulate::Accumulator;
use crate::stats::output::{Parameters, Release};
use crate::stats::perturb::Ptable;
use crate::stats::{StatsError, each_record, perturbed_release_of};
use crate::store::CaseStore;

/// A period a release covers: a whole month or a whole quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// A month: its year and its number (1–12).
    Month {
        /// The year.
        year: i32,
        /// 1 to 12.
        month: u32,
    },
    /// A quarter: its year and its number (1–4).
    Quarter {
        /// The year.
        year: i32,
        /// 1 to 4.
        quarter: u32,
    },
}

/// What kind of period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// A whole month.
    Month,
    /// A whole quarter.
    Quarter,
}

impl Period {
    /// The period an id names: `2026-09` (a month) or `2026-Q3` (a quarter); `None` for
    /// anything else.
    pub fn parse(id: &str) -> Option<Period> {
        let (year, rest) = id.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
        let period = match rest.strip_prefix('Q') {
            Some(q) if q.len() == 1 && q.bytes().all(|b| b.is_ascii_digit()) => Period::Quarter {
                year,
                quarter: q.parse().ok()?,
            },
            None if two_digits(rest) => Period::Month {
                year,
                month: rest.parse().ok()?,
            },
            _ => return None,
        };
        let ok = match period {
            Period::Month { month, .. } => (1..=12).contains(&month),
            Period::Quarter { quarter, .. } => (1..=4).contains(&quarter),
        };
        (ok && period.first_day().is_some()).then_some(period)
    }

    /// The period's id: `2026-09`, `2026-Q3`.
    pub fn id(&self) -> String {
        match self {
            Period::Month { year, month } => format!("{year:04}-{month:02}"),
            Period::Quarter { year, quarter } => format!("{year:04}-Q{quarter}"),
        }
    }

    /// Month or quarter.
    pub fn kind(&self) -> PeriodKind {
        match self {
            Period::Month { .. } => PeriodKind::Month,
            Period::Quarter { .. } => PeriodKind::Quarter,
        }
    }

    fn months(&self) -> (i32, u32, u32) {
        match *self {
            Period::Month { year, month } => (year, month, 1),
            Period::Quarter { year, quarter } => (year, quarter * 3 - 2, 3),
        }
    }

    /// The first day.
    pub fn first_day(&self) -> Option<NaiveDate> {
        let (year, month, _) = self.months();
        NaiveDate::from_ymd_opt(year, month, 1)
    }

    /// The day after the last day.
    fn next_day(&self) -> Option<NaiveDate> {
        let (year, month, n) = self.months();
        let next = month + n;
        let (year, month) = if next > 12 {
            (year + 1, next - 12)
        } else {
            (year, next)
        };
        NaiveDate::from_ymd_opt(year, month, 1)
    }

    /// The last day.
    pub fn last_day(&self) -> Option<NaiveDate> {
        self.next_day().and_then(|d| d.pred_opt())
    }

    /// When the period closes: the start (UTC) of the day after its last day.
    pub fn closes_at(&self) -> Option<DateTime<Utc>> {
        self.next_day()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|t| t.and_utc())
    }

    /// Whether the period has closed at `now`.
    pub fn is_closed(&self, now: DateTime<Utc>) -> bool {
        self.closes_at().is_some_and(|c| c <= now)
    }

    /// The periods closed at `now` among the last `months` months: each month, and each
    /// quarter whose three months are among them, newest first.
    pub fn closed_before(now: DateTime<Utc>, months: u32) -> Vec<Period> {
        let mut out = Vec::new();
        let (mut year, mut month) = (now.year(), now.month());
        for _ in 0..months {
            (year, month) = if month == 1 {
                (year - 1, 12)
            } else {
                (year, month - 1)
            };
            if month % 3 == 0 {
                out.push(Period::Quarter {
                    year,
                    quarter: month / 3,
                });
            }
            out.push(Period::Month { year, month });
        }
        out.retain(|p| p.is_closed(now));
        out
    }
}

impl std::fmt::Display for Period {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.id())
    }
}

/// What a list of releases shows of one (every version is listed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReleaseSummary {
    /// The release's id: its period (`2026-09`, `2026-Q3`).
    pub id: String,
    /// 1 for the first publication; each correction one more.
    pub version: u32,
    /// Month or quarter.
    pub kind: PeriodKind,
    /// The period's first day.
    pub from: NaiveDate,
    /// The period's last day.
    pub to: NaiveDate,
    /// When this version was computed and published.
    pub published_at: DateTime<Utc>,
}

/// A published release: what every partner reads, byte for byte.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishedRelease {
    /// The release's id: its period (`2026-09`, `2026-Q3`).
    pub id: String,
    /// 1 for the first publication; each correction one more.
    pub version: u32,
    /// Month or quarter.
    pub kind: PeriodKind,
    /// When this version was computed and published.
    pub published_at: DateTime<Utc>,
    /// Only cases registered before this instant (the period's close) are counted.
    pub registered_before: DateTime<Utc>,
    /// The perturbed, suppressed tables; `parameters.from`/`to` are the period's days and
    /// `parameters.as_of` is `published_at`.
    pub release: Release,
}

impl PublishedRelease {
    /// The summary a list shows.
    pub fn summary(&self) -> ReleaseSummary {
        ReleaseSummary {
            id: self.id.clone(),
            version: self.version,
            kind: self.kind,
            from: self.release.parameters.from.unwrap_or_default(),
            to: self.release.parameters.to.unwrap_or_default(),
            published_at: self.published_at,
        }
    }

    /// The bytes kept and served: compact JSON, written once.
    pub fn to_json(&self) -> String {
        // A release holds strings, numbers and dates only: serialising it cannot fail.
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// Whether the case of `record` enters a release of a period that closes at `closes`: it was
/// registered before the period closed, and its consent to share with partners was not
/// withdrawn ([`CaseRecord::sharing_withdrawn`]). (Its opening day is the accumulator's
/// filter.)
pub fn counts_in_release(record: &CaseRecord, closes: DateTime<Utc>) -> bool {
    record.registered_at < closes && !record.sharing_withdrawn
}

/// Computes version `version` of the release of `period` at `now`: the cases opened in the
/// period and registered before it closed
/// ([`counts_in_release`]), counted, perturbed ([`Ptable::builtin`]) and
/// suppressed with the pack's `k`. Refused (`stats.period_open`) while the period is open.
pub fn compute(
    store: &dyn CaseStore,
    catalog: &Catalog,
    period: Period,
    version: u32,
    now: DateTime<Utc>,
) -> Result<PublishedRelease, StatsError> {
    let bad = |reason| StatsError::BadParameters { reason };
    let (Some(from), Some(to), Some(closes)) =
        (period.first_day(), period.last_day(), period.closes_at())
    else {
        return Err(bad("the period is out of range"));
    };
    if !period.is_closed(now) {
        return Err(StatsError::PeriodOpen);
    }
    let ptable = Ptable::builtin().map_err(bad)?;
    // Microseconds, as the release's JSON keeps them: the stored bytes read back equal.
    let now = now - TimeDelta::nanoseconds(i64::from(now.timestamp_subsec_nanos() % 1000));
    let parameters = Parameters {
        catalog: catalog.pack.id.clone(),
        from: Some(from),
        to: Some(to),
        as_of: now,
    };
    let mut acc = Accumulator::new(catalog, parameters.clone());
    each_record(store, catalog, &mut |r| {
        if counts_in_release(r, closes) {
            acc.add(r);
        }
    })?;
    let k = u64::from(catalog.pack.disclosure.k);
    Ok(PublishedRelease {
        id: period.id(),
        version,
        kind: period.kind(),
        published_at: now,
        registered_before: closes,
        release: perturbed_release_of(&acc.finish(), parameters, k, ptable),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn periods_parse_and_close() {
        let q3 = Period::parse("2026-Q3").unwrap();
        assert_eq!(q3.first_day(), NaiveDate::from_ymd_opt(2026, 7, 1));
        assert_eq!(q3.last_day(), NaiveDate::from_ymd_opt(2026, 9, 30));
        let dec = Period::parse("2026-12").unwrap();
        assert_eq!(dec.last_day(), NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(
            dec.closes_at(),
            Some(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap())
        );
        assert!(!dec.is_closed(Utc.with_ymd_and_hms(2026, 12, 31, 23, 59, 59).unwrap()));
        assert!(dec.is_closed(Utc.with_ymd_and_hms(2027, 1, 1, 0, 0, 0).unwrap()));
        for bad in [
            "2026-13",
            "2026-00",
            "2026-Q5",
            "2026-Q0",
            "2026-9",
            "26-09",
            "2026-Q",
            "",
            "x-01",
            "2026-09-01",
            "+026-09",
        ] {
            assert_eq!(Period::parse(bad), None, "{bad}");
        }
        assert_eq!(q3.id(), "2026-Q3");
        assert_eq!(dec.id(), "2026-12");
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 8, 0, 0).unwrap();
        let ids: Vec<String> = Period::closed_before(now, 4)
            .iter()
            .map(Period::id)
            .collect();
        assert_eq!(ids, ["2026-11", "2026-10", "2026-Q3", "2026-09", "2026-08"]);
    }

    #[test]
    fn an_open_period_has_no_release() {
        let catalog = Catalog::honduras().unwrap();
        let store = crate::store::MemoryStore::new();
        let now = Utc.with_ymd_and_hms(2026, 12, 6, 8, 0, 0).unwrap();
        let open = Period::parse("2026-12").unwrap();
        let e = compute(&store, &catalog, open, 1, now).unwrap_err();
        assert_eq!(e.code(), "stats.period_open");
        let closed = compute(&store, &catalog, Period::parse("2026-Q3").unwrap(), 1, now);
        let closed = closed.unwrap();
        assert_eq!(
            closed.release.parameters.from,
            NaiveDate::from_ymd_opt(2026, 7, 1)
        );
        assert!(closed.release.perturbation.is_some());
        let back: PublishedRelease = serde_json::from_str(&closed.to_json()).unwrap();
        assert_eq!(back, closed, "the stored bytes read back as the release");
    }
}
