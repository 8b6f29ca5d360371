//! Consistent perturbation of published counts: the cell-key method of the Australian Bureau of
//! Statistics' TableBuilder (Thompson, Broadfoot and Elazar, 2013; the perturbation tables of
//! Giessing, 2016, and the `ptable` R package of Destatis).
//!
//! - Every case's statistics record carries a **record key** ([`crate::stats::CaseRecord::record_key`]),
//!   a random 32-bit number drawn once when the store first writes the record ([`record_key`])
//!   and kept with it: a later change of the case rewrites the record, never its key.
//! - A cell's **cell key** is the sum of the record keys of what it counts, modulo 2³²
//!   ([`crate::stats::CountTable::cell_key`]). The same set of cases always has the same cell
//!   key; a set with one case more or less has an unrelated, uniformly distributed one.
//! - The **perturbation table** ([`Ptable`], data: `siproc-core/data/ptable.json`) gives, for
//!   each count, a distribution of noise; the cell key, read as a number in [0, 1), picks the
//!   noise from its cumulative distribution. The published count is `count + noise`. The
//!   key is scrambled first (its SHA-256), so that a union's noise does not follow its parts'
//!   (see `scramble`).
//!
//! So a cell's published value is a fixed function of *which* cases it counts: asking again,
//! in another table, or in another release of the same set of cases gives the same value
//! (averaging gains nothing), and two releases whose cells differ by one case differ by
//! `1 + noise' − noise`, not by 1.
//!
//! The table in use (`max_noise` D = 3, `variance` V = 2, `small_cells` js = 0): zeros stay
//! zero (row 0 is `{0: 1}`), so a published 0 is a true 0 and the method never invents a case;
//! every other count moves by at most D, never below 0, with mean 0 (unbiased) and variance V.
//! Rows 1 and 2 are truncated at 0 and keep mean 0 and variance 2; row 3 holds for every count
//! from 3 up. The probabilities are the maximum-entropy solution of those constraints (as the
//! `ptable` package computes them: `p(x) ∝ exp(a·x + b·x²)` over the allowed noise), written
//! to nine decimals; [`Ptable::builtin`] checks the file when it loads it, and a test checks
//! the mean and variance. `docs/statistics.md` gives the effect on utility.
//!
//! The noise happens before suppression ([`crate::stats::disclosure::protect_values`]):
//! perturbed counts from 1 to `k − 1` are suppressed like any other, so no published count is
//! ever between 1 and `k − 1`.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// The perturbation table shipped with the core.
const BUILTIN: &str = include_str!("../../data/ptable.json");

/// The tolerance on a row's probabilities summing to 1 (they are written to nine decimals).
const SUM_TOLERANCE: f64 = 1e-6;

/// What a release says of the perturbation its counts went through (published with it, so
/// that a reader knows the counts are not exact and by how much they may be off).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerturbationInfo {
    /// `cell_key`: the cell-key method.
    pub method: String,
    /// The largest change of a count (D).
    pub max_noise: u32,
    /// The variance of the change of a count (V).
    pub variance: f64,
    /// Published counts are never from 1 to this (js; 0: no such rule beyond suppression).
    pub small_cells: u32,
}

/// A perturbation table's file: the parameters, then one row per count from 0.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    method: String,
    max_noise: u32,
    variance: f64,
    small_cells: u32,
    rows: Vec<FileRow>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileRow {
    count: u64,
    noise: Vec<i64>,
    p: Vec<f64>,
}

/// One row: the noises, and the cell keys below which each is chosen (cumulative
/// probabilities scaled to 2³²; the last is 2³²).
#[derive(Debug, Clone, PartialEq)]
struct Row {
    noise: Vec<i64>,
    below: Vec<u64>,
}

/// A perturbation table: for each count, the distribution of its noise (see the module docs).
#[derive(Debug, Clone, PartialEq)]
pub struct Ptable {
    info: PerturbationInfo,
    /// Row `i` for count `i`; the last row for every larger count.
    rows: Vec<Row>,
}

/// Why a perturbation table was refused: which rule it breaks (never a value of a case).
pub type PtableError = &'static str;

impl Ptable {
    /// The table of `siproc-core/data/ptable.json`, checked once.
    pub fn builtin() -> Result<&'static Ptable, PtableError> {
        static TABLE: OnceLock<Result<Ptable, PtableError>> = OnceLock::new();
        TABLE
            .get_or_init(|| Ptable::parse(BUILTIN))
            .as_ref()
            .map_err(|e| *e)
    }

    /// A table from its JSON file (the shape of `siproc-core/data/ptable.json`), checked: rows
    /// for counts 0, 1, … in order, row 0 keeps zeros, every noise within `max_noise`, no
    /// count made negative or from 1 to `small_cells`, probabilities that sum to 1.
    pub fn parse(json: &str) -> Result<Ptable, PtableError> {
        let file: File =
            serde_json::from_str(json).map_err(|_| "the perturbation table is not valid JSON")?;
        if file.method != "cell_key" {
            return Err("the perturbation table's method is not cell_key");
        }
        if !(file.variance.is_finite() && file.variance >= 0.0) {
            return Err("the perturbation table's variance is not a number at least 0");
        }
        let d = i64::from(file.max_noise);
        let js = i64::from(file.small_cells);
        let mut rows = Vec::with_capacity(file.rows.len());
        for (i, row) in (0_u64..).zip(&file.rows) {
            if row.count != i {
                return Err("the perturbation table's rows are not for counts 0, 1, 2, …");
            }
            if row.noise.is_empty() || row.noise.len() != row.p.len() {
                return Err("a row of the perturbation table has no noise, or not one p each");
            }
            let count = i64::try_from(i).map_err(|_| "the perturbation table is too long")?;
            for &n in &row.noise {
                let to = count + n;
                if n.abs() > d || to < 0 || (1..=js).contains(&to) {
                    return Err("a noise of the perturbation table breaks its own rules");
                }
            }
            if i == 0 && row.noise != [0] {
                return Err("the perturbation table must keep a zero count at zero");
            }
            if row.p.iter().any(|p| !(p.is_finite() && *p >= 0.0)) {
                return Err("a probability of the perturbation table is not at least 0");
            }
            let sum: f64 = row.p.iter().sum();
            if (sum - 1.0).abs() > SUM_TOLERANCE {
                return Err("a row of the perturbation table does not sum to 1");
            }
            let scale = (1_u64 << 32) as f64;
            let mut cumulative = 0.0;
            let mut below: Vec<u64> = row
                .p
                .iter()
                .map(|p| {
                    cumulative += p / sum;
                    (cumulative * scale).round() as u64
                })
                .collect();
            if let Some(last) = below.last_mut() {
                *last = 1 << 32;
            }
            rows.push(Row {
                noise: row.noise.clone(),
                below,
            });
        }
        if rows.len() < 2 {
            return Err("the perturbation table needs rows for 0 and for larger counts");
        }
        Ok(Ptable {
            info: PerturbationInfo {
                method: file.method,
                max_noise: file.max_noise,
                variance: file.variance,
                small_cells: file.small_cells,
            },
            rows,
        })
    }

    /// The table's parameters, as a release publishes them.
    pub fn info(&self) -> &PerturbationInfo {
        &self.info
    }

    /// The noise of a cell that counts `count` and has the cell key `cell_key`.
    pub fn noise(&self, count: u64, cell_key: u32) -> i64 {
        let row = usize::try_from(count)
            .ok()
            .and_then(|i| self.rows.get(i))
            .or_else(|| self.rows.last());
        let Some(row) = row else { return 0 };
        let key = u64::from(scramble(cell_key));
        row.below
            .iter()
            .position(|below| key < *below)
            .and_then(|at| row.noise.get(at))
            .copied()
            .unwrap_or(0)
    }

    /// The published value of a cell that counts `count` and has the cell key `cell_key`.
    pub fn perturb(&self, count: u64, cell_key: u32) -> u64 {
        count.saturating_add_signed(self.noise(count, cell_key))
    }
}

/// Where a cell key falls in the table's cumulative distribution: the key's SHA-256, first 32
/// bits. Keys add, so without this a union's key would sit where its parts' keys put it
/// (`0.2 + 0.3 = 0.5`), and with the noises in order along the keys the noise of a quarter
/// would follow the noises of its months: "quarter minus its months" would then be nearly
/// fixed without a new case (±2 or ±3) and spread around 1 with one — telling the two apart.
/// Scrambled, each key's place is unrelated to its parts' places, as the Australian Bureau of
/// Statistics' table, whose columns are the keys themselves, assigns noises to them in
/// scrambled order. Still a fixed function of the key: the same cases, the same noise.
fn scramble(cell_key: u32) -> u32 {
    first_bits(&Sha256::digest(cell_key.to_be_bytes()))
}

/// A new record key: uniform over 32 bits, from `rand`'s thread-local generator (a CSPRNG
/// seeded by the operating system), as the history's salts and ids are drawn.
pub fn record_key() -> u32 {
    rand::random()
}

/// The record key of a case whose store keeps none (a store without kept records, or a record
/// rebuilt from a history): the first 32 bits of the SHA-256 of its id. Fixed for the case,
/// as a stored key is, and as unpredictable as the id to whoever does not know it.
pub fn fallback_key(case_id: uuid::Uuid) -> u32 {
    first_bits(&Sha256::digest(case_id.as_bytes()))
}

/// The first 32 bits of a digest.
fn first_bits(digest: &[u8]) -> u32 {
    digest
        .iter()
        .take(4)
        .fold(0, |key, byte| key << 8 | u32::from(*byte))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn table() -> &'static Ptable {
        Ptable::builtin().unwrap()
    }

    #[test]
    fn the_builtin_table_is_unbiased_with_its_variance() {
        let file: File = serde_json::from_str(BUILTIN).unwrap();
        for row in file.rows.iter().skip(1) {
            let mean: f64 = row
                .noise
                .iter()
                .zip(&row.p)
                .map(|(n, p)| *n as f64 * p)
                .sum();
            let var: f64 = row
                .noise
                .iter()
                .zip(&row.p)
                .map(|(n, p)| (*n as f64).powi(2) * p)
                .sum();
            assert!(mean.abs() < 1e-6, "row {}: mean {mean}", row.count);
            assert!(
                (var - file.variance).abs() < 1e-6,
                "row {}: {var}",
                row.count
            );
        }
        assert_eq!(table().info().max_noise, 3);
    }

    #[test]
    fn the_cell_key_picks_the_noise_in_proportion() {
        // Over evenly spread keys each noise comes as often as its probability says.
        let t = table();
        let n = 100_000_u64;
        let step = (1_u64 << 32) / n;
        let mut seen = std::collections::BTreeMap::new();
        for i in 0..n {
            *seen.entry(t.noise(50, (i * step) as u32)).or_insert(0_u64) += 1;
        }
        let zero = seen[&0] as f64 / n as f64;
        assert!((zero - 0.269178179).abs() < 0.001, "{zero}");
        assert_eq!(
            seen.keys().copied().collect::<Vec<_>>(),
            (-3..=3).collect::<Vec<_>>()
        );
    }

    #[test]
    fn bad_tables_are_refused() {
        let good = r#"{"method": "cell_key", "max_noise": 1, "variance": 0.5, "small_cells": 0,
            "rows": [{"count": 0, "noise": [0], "p": [1]},
                     {"count": 1, "noise": [-1, 0, 1], "p": [0.25, 0.5, 0.25]}]}"#;
        assert!(Ptable::parse(good).is_ok());
        for (from, to) in [
            (r#""noise": [0], "p": [1]"#, r#""noise": [1], "p": [1]"#),
            (r#"[-1, 0, 1]"#, r#"[-2, 0, 1]"#),
            (r#"[0.25, 0.5, 0.25]"#, r#"[0.25, 0.5, 0.5]"#),
            (r#"[0.25, 0.5, 0.25]"#, r#"[0.25, 0.5]"#),
            (r#""count": 1"#, r#""count": 2"#),
            (r#""cell_key""#, r#""other""#),
            (r#""small_cells": 0"#, r#""small_cells": 1"#),
        ] {
            let bad = good.replacen(from, to, 1);
            assert_ne!(bad, good);
            assert!(Ptable::parse(&bad).is_err(), "{to}");
        }
    }

    /// The cell key of a set of record keys.
    fn cell(keys: &[u32]) -> u32 {
        keys.iter().fold(0, |a, k| a.wrapping_add(*k))
    }

    #[test]
    fn the_same_cases_get_the_same_noise_in_any_order() {
        let t = table();
        let keys: Vec<u32> = (0..40).map(|_| record_key()).collect();
        let mut shuffled = keys.clone();
        shuffled.reverse();
        shuffled.rotate_left(7);
        assert_eq!(t.perturb(40, cell(&keys)), t.perturb(40, cell(&shuffled)));
        // A margin is the same set whichever table shows it: rows summed either way.
        let (a, b) = keys.split_at(15);
        assert_eq!(cell(&keys), cell(a).wrapping_add(cell(b)));
    }

    /// The attack of issue 36 on one cell, many times: the quarter (two busy months and the
    /// target) minus the two months. Unprotected, the target's cell moves by exactly 1 and
    /// every other cell by 0; perturbed, a difference of 1 is about as likely in a cell
    /// without the target as in the target's own, so seeing one says little.
    #[test]
    fn a_difference_of_one_case_is_lost_in_the_noise() {
        let t = table();
        let trials = 20_000;
        let (mut with, mut without) = (0, 0);
        let diff = |month_a: &[u32], month_b: &[u32], extra: &[u32]| -> i64 {
            let all: Vec<u32> = [month_a, month_b, extra].concat();
            let p = |k: &[u32]| t.perturb(k.len() as u64, cell(k)) as i64;
            p(&all) - p(month_a) - p(month_b)
        };
        for _ in 0..trials {
            let a: Vec<u32> = (0..12).map(|_| record_key()).collect();
            let b: Vec<u32> = (0..12).map(|_| record_key()).collect();
            let target = [record_key()];
            let d_target = diff(&a, &b, &target);
            let d_other = diff(&a, &b, &[]);
            assert!(
                (d_target - 1).abs() <= 9 && d_other.abs() <= 9,
                "bounded by 3·D"
            );
            with += i64::from(d_target == 1);
            without += i64::from(d_other == 1);
        }
        let (p_with, p_without) = (with as f64 / trials as f64, without as f64 / trials as f64);
        // Unprotected, these are 1 and 0.
        assert!(p_with < 0.2, "{p_with}");
        assert!(p_without > 0.1, "{p_without}");
        assert!(p_with / p_without < 1.5, "{p_with} against {p_without}");
    }

    proptest! {
        #[test]
        fn noise_is_bounded_and_never_negative(count in 0_u64..10_000, key: u32) {
            let t = table();
            let out = t.perturb(count, key);
            prop_assert!(out.abs_diff(count) <= 3);
            if count == 0 {
                prop_assert_eq!(out, 0, "a zero stays zero");
            }
            // The same cell (count and key) always gets the same value.
            prop_assert_eq!(out, t.perturb(count, key));
        }
    }
}
