//! Counting cases one at a time: the [`Accumulator`].
//!
//! Each [`CaseRecord`] is folded into dense counters (codes are numbered as they are first seen)
//! and dropped; only the counters and one duration per case and measure are kept, which the
//! percentiles need. [`Accumulator::finish`] turns the counters into the release's
//! [`CountTable`]s.
//!
//! Codes are numbered through `rustc-hash`'s `FxHashMap`: the keys are a few dozen catalog codes
//! that the ministry's own data supplies (no attacker picks them to collide), and with the
//! standard library's SipHash, hashing them took about half the time of a million-case release
//! (`benches/README.md`, "Statistics").

use std::hash::Hash;

use rustc_hash::FxHashMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};

use crate::case::{ReferralStatus, Status};
use crate::case_record::{CaseRecord, Origin, UNKNOWN};
use crate::catalog::{Catalog, Sla};
use crate::person::Sex;
use crate::stats::output::Parameters;
use crate::stats::tables::{CountTable, Durations, Labels, Tally};

/// Sex labels: the recorded values, then `unknown`.
const SEXES: [&str; 4] = ["female", "male", "unspecified", UNKNOWN];
/// Age bands of the national on the day the case was opened (years, inclusive).
const AGE_BANDS: [(u32, &str); 5] = [
    (11, "0-11"),
    (17, "12-17"),
    (29, "18-29"),
    (59, "30-59"),
    (u32::MAX, "60+"),
];
/// How long open cases have been open on the reference day (days, inclusive).
const AGING: [(i64, &str); 6] = [
    (7, "0-7"),
    (30, "8-30"),
    (90, "31-90"),
    (180, "91-180"),
    (365, "181-365"),
    (i64::MAX, "366+"),
];
/// Where a case stands against a service-level target.
const SLA_OUTCOMES: [&str; 4] = ["met", "breached", "pending", "no_target"];
/// Where a referral stands.
const REFERRAL_OUTCOMES: [ReferralStatus; 5] = [
    ReferralStatus::Pending,
    ReferralStatus::Accepted,
    ReferralStatus::Rejected,
    ReferralStatus::Done,
    ReferralStatus::Cancelled,
];
/// The flag label of a case without vulnerability flags.
const NO_FLAG: &str = "none";

/// Numbers the values of one dimension in the order they are first seen.
struct Interner<K> {
    ids: FxHashMap<K, usize>,
    keys: Vec<K>,
}

impl<K: Hash + Eq + Clone> Interner<K> {
    fn new() -> Self {
        Interner {
            ids: FxHashMap::default(),
            keys: Vec::new(),
        }
    }

    fn id(&mut self, key: &K) -> usize {
        if let Some(id) = self.ids.get(key) {
            return *id;
        }
        let id = self.keys.len();
        self.ids.insert(key.clone(), id);
        self.keys.push(key.clone());
        id
    }
}

impl Interner<Arc<str>> {
    fn labels(&self) -> Labels {
        Labels::sorted(self.keys.iter().map(|k| k.to_string()).collect())
    }
}

/// Tallies (counts and cell keys) by (row, column), growing as new values appear.
#[derive(Default)]
struct Grid(Vec<Vec<Tally>>);

impl Grid {
    /// Counts one at (`row`, `col`) whose record key is `key`.
    fn add(&mut self, row: usize, col: usize, key: u32) {
        if self.0.len() <= row {
            self.0.resize_with(row + 1, Vec::new);
        }
        if let Some(r) = self.0.get_mut(row) {
            if r.len() <= col {
                r.resize(col + 1, Tally::default());
            }
            if let Some(c) = r.get_mut(col) {
                c.add(key);
            }
        }
    }

    fn get(&self, row: usize, col: usize) -> Tally {
        self.0
            .get(row)
            .and_then(|r| r.get(col))
            .copied()
            .unwrap_or_default()
    }
}

/// Durations in seconds per category, with each category's tally.
#[derive(Default)]
struct Samples(Vec<(Vec<u32>, Tally)>);

impl Samples {
    fn add(&mut self, group: usize, span: TimeDelta, key: u32) {
        let seconds = u32::try_from(span.num_seconds().max(0)).unwrap_or(u32::MAX);
        if self.0.len() <= group {
            self.0.resize_with(group + 1, Default::default);
        }
        if let Some((g, tally)) = self.0.get_mut(group) {
            g.push(seconds);
            tally.add(key);
        }
    }
}

/// Folds cases into the counters of every table, one case at a time.
pub struct Accumulator {
    parameters: Parameters,
    targets: FxHashMap<Arc<str>, Sla>,
    category: Interner<Arc<str>>,
    office: Interner<Arc<str>>,
    country: Interner<Arc<str>>,
    flag: Interner<Arc<str>>,
    no_flag: usize,
    service: Interner<Arc<str>>,
    partner: Interner<Arc<str>>,
    month: Interner<u32>,
    category_month: Grid,
    office_status: Grid,
    origin_status: Grid,
    country_category: Grid,
    sex_age: Grid,
    flags: Grid,
    closed_month: Grid,
    open_aging: Grid,
    first_contact_sla: Grid,
    resolution_sla: Grid,
    service_category: Grid,
    partner_outcome: Grid,
    to_first_action: Samples,
    to_resolution: Samples,
    cases: u64,
}

impl Accumulator {
    /// An empty accumulator for a release with these parameters; `catalog` gives the targets.
    pub fn new(catalog: &Catalog, parameters: Parameters) -> Accumulator {
        let mut flag = Interner::new();
        let no_flag = flag.id(&Arc::from(NO_FLAG));
        Accumulator {
            parameters,
            targets: catalog
                .sla
                .iter()
                .map(|(k, v)| (Arc::from(k.as_str()), *v))
                .collect(),
            category: Interner::new(),
            office: Interner::new(),
            country: Interner::new(),
            flag,
            no_flag,
            service: Interner::new(),
            partner: Interner::new(),
            month: Interner::new(),
            category_month: Grid::default(),
            office_status: Grid::default(),
            origin_status: Grid::default(),
            country_category: Grid::default(),
            sex_age: Grid::default(),
            flags: Grid::default(),
            closed_month: Grid::default(),
            open_aging: Grid::default(),
            first_contact_sla: Grid::default(),
            resolution_sla: Grid::default(),
            service_category: Grid::default(),
            partner_outcome: Grid::default(),
            to_first_action: Samples::default(),
            to_resolution: Samples::default(),
            cases: 0,
        }
    }

    /// The parameters the release is computed with.
    pub fn parameters(&self) -> &Parameters {
        &self.parameters
    }

    /// Number of cases counted so far.
    pub fn cases(&self) -> u64 {
        self.cases
    }

    /// Counts one case, if it was opened within the date range. Returns whether it counted.
    pub fn add(&mut self, r: &CaseRecord) -> bool {
        let p = &self.parameters;
        if p.from.is_some_and(|d| r.opened_on < d) || p.to.is_some_and(|d| r.opened_on > d) {
            return false;
        }
        let as_of = p.as_of;
        let key = r.record_key;
        self.cases += 1;
        let category = self.category.id(&r.category);
        let office = self.office.id(&r.office);
        let country = self.country.id(&r.country);
        let month = self.month.id(&month_key(r.opened_on));
        self.category_month.add(category, month, key);
        self.office_status.add(office, status_index(r.status), key);
        let origin = Origin::ALL.iter().position(|o| *o == r.origin).unwrap_or(0);
        self.origin_status.add(origin, status_index(r.status), key);
        self.country_category.add(country, category, key);
        self.sex_age.add(sex_index(r.sex), age_index(r.age), key);
        if r.flags.is_empty() {
            self.flags.add(self.no_flag, 0, key);
        }
        for f in &r.flags {
            let id = self.flag.id(f);
            self.flags.add(id, 0, key);
        }
        if let Some(closed) = r.closed_at {
            let m = self.month.id(&month_key(closed.date_naive()));
            self.closed_month.add(m, 0, key);
        }
        if r.is_open() {
            let days = (as_of.date_naive() - r.opened_on).num_days();
            let band = AGING.iter().position(|(max, _)| days <= *max).unwrap_or(0);
            self.open_aging.add(office, band, key);
        }
        let target = self.targets.get(&r.category).copied();
        let first_contact = target.map(|t| TimeDelta::hours(i64::from(t.first_contact_hours)));
        let resolution = target.map(|t| TimeDelta::days(i64::from(t.resolution_days)));
        self.first_contact_sla.add(
            category,
            sla_index(r.registered_at, r.first_action_at, first_contact, as_of),
            key,
        );
        self.resolution_sla.add(
            category,
            sla_index(r.registered_at, r.resolved_at, resolution, as_of),
            key,
        );
        for s in &r.services {
            let id = self.service.id(s);
            self.service_category.add(id, category, key);
        }
        for (partner, status) in &r.referrals {
            let id = self.partner.id(partner);
            let outcome = REFERRAL_OUTCOMES
                .iter()
                .position(|s| s == status)
                .unwrap_or(0);
            self.partner_outcome.add(id, outcome, key);
        }
        if let Some(at) = r.first_action_at {
            self.to_first_action
                .add(category, at - r.registered_at, key);
        }
        if let Some(at) = r.resolved_at {
            self.to_resolution.add(category, at - r.registered_at, key);
        }
        true
    }

    /// The tables of the release, unprotected, in their published order.
    pub fn finish(self) -> Vec<CountTable> {
        let category = self.category.labels();
        let office = self.office.labels();
        let country = self.country.labels();
        let flag = self.flag.labels();
        let service = self.service.labels();
        let partner = self.partner.labels();
        let month = Labels::sorted(
            self.month
                .keys
                .iter()
                .map(|m| format!("{:04}-{:02}", m / 12, m % 12 + 1))
                .collect(),
        );
        let status = Labels::fixed(Status::ALL.iter().map(|s| s.as_str().to_owned()));
        let sex = Labels::fixed(SEXES.iter().map(|s| (*s).to_owned()));
        let age = Labels::fixed(
            AGE_BANDS
                .iter()
                .map(|(_, l)| *l)
                .chain([UNKNOWN])
                .map(str::to_owned),
        );
        let origin = Labels::fixed(Origin::ALL.iter().map(|o| o.as_str().to_owned()));
        let aging = Labels::fixed(AGING.iter().map(|(_, l)| (*l).to_owned()));
        let sla = Labels::fixed(SLA_OUTCOMES.iter().map(|s| (*s).to_owned()));
        let outcome = Labels::fixed(REFERRAL_OUTCOMES.iter().map(|s| referral_name(*s).into()));
        let two =
            |name, population, dims: [&'static str; 2], rows: &Labels, cols: &Labels, g: &Grid| {
                CountTable::two(name, population, dims, rows, cols, |r, c| g.get(r, c))
            };
        let one = |name, population, dim, rows: &Labels, g: &Grid| {
            CountTable::one(name, population, dim, rows, |r| g.get(r, 0)).0
        };
        let categories = self.category.keys.len();
        let (opened_by_month, _) =
            CountTable::one("cases_opened_by_month", "cases", "month", &month, |m| {
                (0..categories)
                    .map(|c| self.category_month.get(c, m))
                    .fold(Tally::default(), Tally::plus)
            });
        vec![
            two(
                "cases_by_category_month",
                "cases",
                ["category", "month"],
                &category,
                &month,
                &self.category_month,
            ),
            opened_by_month,
            one(
                "cases_closed_by_month",
                "closed_cases",
                "month",
                &month,
                &self.closed_month,
            ),
            two(
                "cases_by_office_status",
                "cases",
                ["office", "status"],
                &office,
                &status,
                &self.office_status,
            ),
            two(
                "cases_by_origin_status",
                "cases",
                ["origin", "status"],
                &origin,
                &status,
                &self.origin_status,
            ),
            two(
                "cases_by_country_category",
                "cases",
                ["country", "category"],
                &country,
                &category,
                &self.country_category,
            ),
            two(
                "cases_by_sex_age_band",
                "cases",
                ["sex", "age_band"],
                &sex,
                &age,
                &self.sex_age,
            ),
            one("cases_by_flag", "case_flags", "flag", &flag, &self.flags),
            two(
                "open_cases_by_office_aging",
                "open_cases",
                ["office", "aging"],
                &office,
                &aging,
                &self.open_aging,
            ),
            two(
                "first_contact_sla_by_category",
                "cases",
                ["category", "first_contact_sla"],
                &category,
                &sla,
                &self.first_contact_sla,
            ),
            two(
                "resolution_sla_by_category",
                "cases",
                ["category", "resolution_sla"],
                &category,
                &sla,
                &self.resolution_sla,
            ),
            two(
                "services_by_kind_category",
                "services",
                ["service", "category"],
                &service,
                &category,
                &self.service_category,
            ),
            two(
                "referrals_by_partner_outcome",
                "referrals",
                ["partner", "outcome"],
                &partner,
                &outcome,
                &self.partner_outcome,
            ),
            durations(
                "hours_to_first_action_by_category",
                "first_actions",
                &category,
                self.to_first_action,
                3600.0,
            ),
            durations(
                "days_to_resolution_by_category",
                "resolutions",
                &category,
                self.to_resolution,
                86400.0,
            ),
        ]
    }
}

/// A duration table: the number of cases per category, with the median and 90th percentile.
fn durations(
    name: &'static str,
    population: &'static str,
    category: &Labels,
    samples: Samples,
    unit: f64,
) -> CountTable {
    let mut groups = samples.0;
    let (mut table, ids) = CountTable::one(name, population, "category", category, |c| {
        groups.get(c).map(|(_, tally)| *tally).unwrap_or_default()
    });
    let mut all: Vec<u32> = groups.iter().flat_map(|(g, _)| g).copied().collect();
    let rows = ids
        .iter()
        .map(|c| groups.get_mut(*c).and_then(|(g, _)| percentiles(g, unit)))
        .collect();
    table.durations = Some(Durations {
        rows,
        total: percentiles(&mut all, unit),
    });
    table
}

/// Median and 90th percentile (nearest rank) of `values` in seconds, divided by `unit` and
/// rounded to one decimal; `None` when empty.
fn percentiles(values: &mut [u32], unit: f64) -> Option<(f64, f64)> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let rank = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
    let mut at = |i: usize| -> f64 {
        let (_, v, _) = values.select_nth_unstable(i);
        f64::from(*v)
    };
    let median = if n % 2 == 1 {
        at(n / 2)
    } else {
        (at(n / 2 - 1) + at(n / 2)) / 2.0
    };
    let p90 = at(rank(0.9));
    let round = |s: f64| (s / unit * 10.0).round() / 10.0;
    Some((round(median), round(p90)))
}

fn month_key(day: NaiveDate) -> u32 {
    u32::try_from(day.year()).unwrap_or(0) * 12 + day.month0()
}

fn status_index(s: Status) -> usize {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0)
}

fn sex_index(s: Option<Sex>) -> usize {
    match s {
        Some(Sex::Female) => 0,
        Some(Sex::Male) => 1,
        Some(Sex::Unspecified) => 2,
        None => 3,
    }
}

fn age_index(age: Option<u32>) -> usize {
    age.and_then(|a| AGE_BANDS.iter().position(|(max, _)| a <= *max))
        .unwrap_or(AGE_BANDS.len())
}

/// Met, breached, pending (not done, deadline not passed on `as_of`) or no target.
fn sla_index(
    start: DateTime<Utc>,
    done: Option<DateTime<Utc>>,
    target: Option<TimeDelta>,
    as_of: DateTime<Utc>,
) -> usize {
    let Some(target) = target else { return 3 };
    let deadline = start + target;
    match done {
        Some(at) if at <= deadline => 0,
        Some(_) => 1,
        None if as_of > deadline => 1,
        None => 2,
    }
}

fn referral_name(s: ReferralStatus) -> &'static str {
    match s {
        ReferralStatus::Pending => "pending",
        ReferralStatus::Accepted => "accepted",
        ReferralStatus::Rejected => "rejected",
        ReferralStatus::Done => "done",
        ReferralStatus::Cancelled => "cancelled",
    }
}
