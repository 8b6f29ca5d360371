//! Protection metrics and privacy-safe statistics.
//!
//! Over a stream of cases, one at a time ([`CaseRecord`], made from a history), the
//! [`Accumulator`] counts cases by category, status, office, country where the national is,
//! vulnerability flag, sex, age band and month; cases opened and closed per month; open-case
//! aging; targets met and breached against the catalog's `sla.json`; services given and
//! referrals by partner and outcome; and the median and 90th percentile of the time to first
//! action and to resolution. The result is a list of [`CountTable`]s.
//!
//! - [`statistics`] publishes them whole, for staff ([`Statistics`]);
//! - [`release`] publishes them disclosure-controlled ([`disclosure`]), for anything that leaves
//!   the ministry ([`Release`]); `k` comes from the pack (`pack.json`'s `disclosure.k`, 10 by
//!   default) unless the caller sets it.
//!
//! Both read the records a [`CaseStore`] keeps, a page at a time ([`each_record`],
//! [`CaseStore::records`]), so that memory stays bounded whatever the store's size (below: what a
//! record holds and why a store may keep it). Records carry no personal data:
//! a statistic never names a person, and an error never holds a value.
//!
//! # The record a store keeps
//!
//! Reading every history to count a million cases costs about 100 µs a case (load, verify,
//! replay: `benches/README.md`, "Statistics"). So every store also keeps each case's
//! [`KeptRecord`], written in the same transaction as the case's events (as the `cases` summary
//! row is), and statistics read those ([`crate::store::CaseStore::records`]). A kept record is a
//! [`CaseRecord`] without the catalog: its `country` is the national's current location's, if
//! recorded, and [`KeptRecord::resolve`] applies the office-country fallback when it is read,
//! so a catalog change never leaves stale records behind.
//!
//! Keeping it is acceptable under the data-protection rules because
//! it holds nothing that identifies a person: no name, no identity document, no birth date, no
//! place more precise than a country, no free text; sex and age in whole years are coarse, and
//! the rest are catalog codes, workflow instants and counts that the `cases` summary row and the
//! feed already expose in part. A later encryption-at-rest change can seal it like the events'
//! personal values: the SQL stores hold it as one opaque value per case (`KeptRecord::encode`),
//! which a key can encrypt and decrypt as it is written and read without any other change.
//!
//! ```
//! use chrono::{TimeZone, Utc};
//! use siproc_core::stats::{self, Parameters};
//! use siproc_core::Catalog;
//! use siproc_core::store::MemoryStore;
//!
//! let catalog = Catalog::honduras()?;
//! let store = MemoryStore::new();
//! let parameters = Parameters {
//!     catalog: "hn".into(), from: None, to: None,
//!     as_of: Utc.with_ymd_and_hms(2026, 12, 31, 0, 0, 0).unwrap(),
//! };
//! let release = stats::release(&store, &catalog, parameters, None)?;
//! assert_eq!(release.k, 10);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod accumulate;
pub mod disclosure;
mod output;
pub mod perturb;
pub mod releases;
mod tables;

pub use crate::case_record::{CaseRecord, KeptRecord, Origin, UNKNOWN};
pub use accumulate::Accumulator;
pub use disclosure::{Suppression, protect, protect_values};
pub use output::{Cell, Parameters, Release, Statistics, Table, perturbed_table, table, write_csv};
pub use perturb::{PerturbationInfo, Ptable};
pub use tables::{CountTable, Durations, Labels, Tally};

use crate::catalog::Catalog;
use crate::store::{CaseQuery, CaseStore, StoreError};

/// Why statistics could not be computed. Never holds personal data.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum StatsError {
    /// The store failed, or a stored history does not replay.
    #[error("statistics: {0}")]
    Store(#[from] StoreError),
    /// The parameters do not make sense (`from` after `to`, `k` below 2).
    #[error("statistics: bad parameters: {reason}")]
    BadParameters {
        /// Which parameter, and why; never a value from a case.
        reason: &'static str,
    },
    /// A release was asked for a period that has not closed yet.
    #[error("statistics: the period has not closed yet")]
    PeriodOpen,
}

impl StatsError {
    /// The stable machine code: `stats.bad_parameters`, or the store's code.
    pub fn code(&self) -> &'static str {
        match self {
            StatsError::Store(e) => e.code(),
            StatsError::BadParameters { .. } => "stats.bad_parameters",
            StatsError::PeriodOpen => "stats.period_open",
        }
    }
}

/// How many records [`each_record`] reads at a time.
const PAGE: usize = 10_000;

/// Feeds `sink` the record of every case in `store`, one at a time, in case-number order.
///
/// Records are read a page at a time ([`CaseQuery::after`]), so memory stays bounded whatever
/// the store's size.
pub fn each_record(
    store: &dyn CaseStore,
    catalog: &Catalog,
    sink: &mut dyn FnMut(&CaseRecord),
) -> Result<(), StatsError> {
    each_record_where(store, catalog, &CaseQuery::default(), sink)
}

/// [`each_record`] over the cases `query` matches (a server passes what the caller may see:
/// [`crate::access::visible_query`]), read a page at a time ([`CaseQuery::after`]) so that
/// memory stays bounded whatever the store's size. The records are the ones the store keeps
/// ([`CaseStore::records`]): no history is loaded, and the catalog gives each record's
/// office-country fallback as it is read ([`KeptRecord::resolve`]).
pub fn each_record_where(
    store: &dyn CaseStore,
    catalog: &Catalog,
    query: &CaseQuery,
    sink: &mut dyn FnMut(&CaseRecord),
) -> Result<(), StatsError> {
    let mut query = CaseQuery {
        limit: Some(PAGE),
        ..query.clone()
    };
    loop {
        let page = store.records(&query)?;
        let full = page.len() == PAGE;
        let mut last = None;
        for (number, record) in page {
            sink(&record.resolve(catalog));
            last = Some(number);
        }
        match last {
            Some(last) if full => query.after = Some(last),
            _ => return Ok(()),
        }
    }
}

/// Counts every case of `store` opened within the parameters' date range.
pub fn count(
    store: &dyn CaseStore,
    catalog: &Catalog,
    parameters: Parameters,
) -> Result<Vec<CountTable>, StatsError> {
    count_where(store, catalog, parameters, &CaseQuery::default())
}

/// [`count`] over the cases `query` matches.
pub fn count_where(
    store: &dyn CaseStore,
    catalog: &Catalog,
    parameters: Parameters,
    query: &CaseQuery,
) -> Result<Vec<CountTable>, StatsError> {
    if parameters
        .from
        .zip(parameters.to)
        .is_some_and(|(from, to)| from > to)
    {
        return Err(StatsError::BadParameters {
            reason: "from is after to",
        });
    }
    let mut acc = Accumulator::new(catalog, parameters);
    each_record_where(store, catalog, query, &mut |r| {
        acc.add(r);
    })?;
    Ok(acc.finish())
}

/// The full statistics of `store`, for staff.
pub fn statistics(
    store: &dyn CaseStore,
    catalog: &Catalog,
    parameters: Parameters,
) -> Result<Statistics, StatsError> {
    statistics_where(store, catalog, parameters, &CaseQuery::default())
}

/// The full statistics of the cases `query` matches: what a member of staff who sees only some
/// cases may have ([`crate::access::visible_query`]).
pub fn statistics_where(
    store: &dyn CaseStore,
    catalog: &Catalog,
    parameters: Parameters,
    query: &CaseQuery,
) -> Result<Statistics, StatsError> {
    let tables = count_where(store, catalog, parameters.clone(), query)?;
    Ok(Statistics {
        parameters,
        tables: tables.iter().map(|t| table(t, None)).collect(),
    })
}

/// The disclosure-controlled release of `store`, with threshold `k` (the pack's when `None`).
pub fn release(
    store: &dyn CaseStore,
    catalog: &Catalog,
    parameters: Parameters,
    k: Option<u64>,
) -> Result<Release, StatsError> {
    let k = k.unwrap_or(u64::from(catalog.pack.disclosure.k));
    if k < 2 {
        return Err(StatsError::BadParameters {
            reason: "k must be at least 2",
        });
    }
    let tables = count(store, catalog, parameters.clone())?;
    Ok(release_of(&tables, parameters, k))
}

/// The disclosure-controlled release of counted tables (suppression only).
pub fn release_of(tables: &[CountTable], parameters: Parameters, k: u64) -> Release {
    let suppression = protect(tables, k);
    Release {
        k,
        parameters,
        perturbation: None,
        tables: tables
            .iter()
            .map(|t| table(t, Some((&suppression, k))))
            .collect(),
    }
}

/// The release of counted tables with consistent perturbation ([`perturb`]): every count,
/// cell and margin, moved by the noise `ptable` gives for its cell key; then the perturbed
/// counts from 1 to `k − 1` suppressed, with secondary suppression, as [`release_of`] does.
/// What partners get ([`releases`]).
pub fn perturbed_release_of(
    tables: &[CountTable],
    parameters: Parameters,
    k: u64,
    ptable: &Ptable,
) -> Release {
    let value = |t: &CountTable, r: Option<usize>, c: Option<usize>| {
        ptable.perturb(t.count(r, c), t.cell_key(r, c))
    };
    let suppression = protect_values(tables, k, &value);
    Release {
        k,
        parameters,
        perturbation: Some(ptable.info().clone()),
        tables: tables
            .iter()
            .map(|t| perturbed_table(t, Some((&suppression, k)), Some(ptable)))
            .collect(),
    }
}
