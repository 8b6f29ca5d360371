//! What leaves the core: the [`Release`] (disclosure-controlled) and the full [`Statistics`],
//! as JSON (one fixed shape, published as JSON Schema in `siproc-core/schema/release.schema.json`)
//! and as CSV.
//!
//! ```json
//! {"k": 10, "parameters": {"catalog": "hn", "from": "2026-01-01", "to": "2026-12-31",
//!                          "as_of": "2026-12-31T23:59:59Z"},
//!  "tables": [{"name": "cases_by_category_month", "dimensions": ["category", "month"],
//!              "cells": [{"category": "detention", "month": "2026-03", "count": 42},
//!                        {"category": "labour", "month": "2026-03", "count": null, "suppressed": true}],
//!              "totals": [{"category": "detention", "count": 97}, {"month": "2026-03", "count": 120},
//!                         {"count": 1004}]}]}
//! ```
//!
//! A margin is a cell that names only the dimensions it fixes; the grand total names none.
//! Zeros are published as 0. Duration tables add `median` and `p90` to the cells whose count
//! is published and at least `k`.
//!
//! CSV is chosen with the `csv` crate (quoting and escaping as RFC 4180 wants): one row per cell
//! and margin, columns `table, dimension_1, value_1, dimension_2, value_2, count, suppressed,
//! median, p90`; an empty count is a suppressed one.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::stats::disclosure::Suppression;
use crate::stats::perturb::{PerturbationInfo, Ptable};
use crate::stats::tables::CountTable;

/// What a release was computed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameters {
    /// The pack (`hn`).
    pub catalog: String,
    /// First day of the date range (cases opened on or after it); none: from the first case.
    pub from: Option<NaiveDate>,
    /// Last day of the date range (cases opened on or before it); none: to the last case.
    pub to: Option<NaiveDate>,
    /// The moment open-case aging and pending targets are measured at.
    pub as_of: DateTime<Utc>,
}

/// One cell or margin of a table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Cell {
    /// The dimension values the cell fixes (`{"category": "detention", "month": "2026-03"}`);
    /// none for the grand total.
    #[serde(flatten)]
    pub labels: BTreeMap<String, String>,
    /// The count; `null` when suppressed.
    pub count: Option<u64>,
    /// Present and `true` when the count is suppressed.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub suppressed: bool,
    /// Duration tables: the median (hours or days, as the table's name says), when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// Duration tables: the 90th percentile, when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub p90: Option<f64>,
}

/// A published table: its cells and its margins.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Table {
    /// The table's name (`cases_by_category_month`).
    pub name: String,
    /// Its dimensions, in order.
    pub dimensions: Vec<String>,
    /// Every combination of the dimensions' values, zeros included.
    pub cells: Vec<Cell>,
    /// The margins: row totals, column totals (two-dimensional tables), then the grand total.
    pub totals: Vec<Cell>,
}

/// A disclosure-controlled release: what may leave the ministry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// The threshold: counts from 1 to `k − 1` are never published.
    pub k: u64,
    /// What the release covers.
    pub parameters: Parameters,
    /// How the counts were perturbed before suppression (the cell-key method), when they were:
    /// a published count is then the true count moved by at most `max_noise`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub perturbation: Option<PerturbationInfo>,
    /// The tables.
    pub tables: Vec<Table>,
}

/// The full statistics, for staff: the same tables, nothing suppressed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Statistics {
    /// What the statistics cover.
    pub parameters: Parameters,
    /// The tables.
    pub tables: Vec<Table>,
}

/// The published form of `table`: with `protection` (the suppression and `k`), suppressed
/// counts are `null` and durations of groups under `k` are left out.
pub fn table(t: &CountTable, protection: Option<(&Suppression, u64)>) -> Table {
    perturbed_table(t, protection, None)
}

/// [`table`], each count (cell and margin) first perturbed by `ptable` with its cell key
/// ([`crate::stats::perturb`]); suppression (decided over the perturbed values) then hides
/// some.
pub fn perturbed_table(
    t: &CountTable,
    protection: Option<(&Suppression, u64)>,
    ptable: Option<&Ptable>,
) -> Table {
    let two = t.is_two_dimensional();
    let rows: Vec<Option<usize>> = (0..t.rows.len()).map(Some).collect();
    let cols: Vec<Option<usize>> = if two {
        (0..t.cols.len()).map(Some).collect()
    } else {
        vec![None]
    };
    let cell = |r: Option<usize>, c: Option<usize>| {
        let count = t.count(r, c);
        let published = ptable.map_or(count, |p| p.perturb(count, t.cell_key(r, c)));
        let suppressed = protection.is_some_and(|(s, _)| s.is_suppressed(t, r, c));
        let enough = protection.is_none_or(|(_, k)| count >= k) && !suppressed;
        let duration = t.durations.as_ref().and_then(|d| match (r, c) {
            (Some(i), None) => d.rows.get(i).copied().flatten(),
            (None, None) => d.total,
            _ => None,
        });
        let (median, p90) = match duration.filter(|_| enough) {
            Some((m, p)) => (Some(m), Some(p)),
            None => (None, None),
        };
        Cell {
            labels: t
                .labels(r, c)
                .into_iter()
                .map(|(d, v)| (d.to_owned(), v.to_owned()))
                .collect(),
            count: (!suppressed).then_some(published),
            suppressed,
            median,
            p90,
        }
    };
    let cells = rows
        .iter()
        .flat_map(|r| cols.iter().map(|c| cell(*r, *c)).collect::<Vec<_>>())
        .collect();
    let mut totals = Vec::new();
    if two {
        totals.extend(rows.iter().map(|r| cell(*r, None)));
        totals.extend(cols.iter().map(|c| cell(None, *c)));
    }
    totals.push(cell(None, None));
    Table {
        name: t.name.clone(),
        dimensions: t.dimensions.clone(),
        cells,
        totals,
    }
}

/// Writes `tables` as CSV (see the module docs for the columns).
pub fn write_csv<W: std::io::Write>(tables: &[Table], out: W) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "table",
        "dimension_1",
        "value_1",
        "dimension_2",
        "value_2",
        "count",
        "suppressed",
        "median",
        "p90",
    ])?;
    for t in tables {
        for c in t.cells.iter().chain(&t.totals) {
            let mut row: Vec<String> = vec![t.name.clone()];
            let mut dims = t
                .dimensions
                .iter()
                .filter_map(|d| c.labels.get_key_value(d));
            for _ in 0..2 {
                match dims.next() {
                    Some((d, v)) => row.extend([d.clone(), v.clone()]),
                    None => row.extend([String::new(), String::new()]),
                }
            }
            let num = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_default();
            row.push(c.count.map(|n| n.to_string()).unwrap_or_default());
            row.push(c.suppressed.to_string());
            row.push(num(c.median));
            row.push(num(c.p90));
            w.write_record(&row)?;
        }
    }
    w.flush()?;
    Ok(())
}

impl Release {
    /// The release as CSV.
    pub fn to_csv(&self) -> String {
        csv_string(&self.tables)
    }
}

impl Statistics {
    /// The statistics as CSV.
    pub fn to_csv(&self) -> String {
        csv_string(&self.tables)
    }
}

fn csv_string(tables: &[Table]) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail; the tables hold only strings and numbers.
    let _ = write_csv(tables, &mut out);
    String::from_utf8(out).unwrap_or_default()
}
