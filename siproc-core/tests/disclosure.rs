//! Attacks on disclosure-controlled releases.
//!
//! Random tables (sizes, zeros, small and large counts) are protected, then attacked the way an
//! analyst with a linear-programming solver would: every suppressed cell of the release is an
//! unknown, non-negative; every published cell is a constant; every table's margins are
//! equations (a row's cells sum to its row total, …), and a cell shown in several tables of the
//! release is one unknown. For each suppressed cell the attack computes its minimum and its
//! maximum (with `microlp`, a pure-Rust simplex solver). The feasible range must be wider than
//! one: no suppressed cell may be recovered.
#![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]

use std::collections::{BTreeMap, HashMap};

use microlp::{ComparisonOp, OptimizationDirection, Problem, Variable};
use proptest::prelude::*;
use siproc_core::stats::{CountTable, Suppression, protect};

/// A term of an equation: a known count or an unknown (by key).
enum Term {
    Known(f64),
    Unknown(String),
}

/// The equations a release publishes: for each table, every row, column and total.
fn equations(tables: &[CountTable], s: &Suppression) -> Vec<Vec<(f64, Term)>> {
    let term = |t: &CountTable, r: Option<usize>, c: Option<usize>| {
        if s.is_suppressed(t, r, c) {
            Term::Unknown(t.key(r, c))
        } else {
            Term::Known(t.count(r, c) as f64)
        }
    };
    let mut eqs = Vec::new();
    for t in tables {
        let rows: Vec<Option<usize>> = (0..t.rows.len()).map(Some).collect();
        if t.is_two_dimensional() {
            let cols: Vec<Option<usize>> = (0..t.cols.len()).map(Some).collect();
            for r in &rows {
                let mut eq: Vec<(f64, Term)> =
                    cols.iter().map(|c| (1.0, term(t, *r, *c))).collect();
                eq.push((-1.0, term(t, *r, None)));
                eqs.push(eq);
            }
            for c in &cols {
                let mut eq: Vec<(f64, Term)> =
                    rows.iter().map(|r| (1.0, term(t, *r, *c))).collect();
                eq.push((-1.0, term(t, None, *c)));
                eqs.push(eq);
            }
            let mut eq: Vec<(f64, Term)> = cols.iter().map(|c| (1.0, term(t, None, *c))).collect();
            eq.push((-1.0, term(t, None, None)));
            eqs.push(eq);
        }
        let mut eq: Vec<(f64, Term)> = rows.iter().map(|r| (1.0, term(t, *r, None))).collect();
        eq.push((-1.0, term(t, None, None)));
        eqs.push(eq);
    }
    eqs
}

/// The attack: for every suppressed cell, its minimum and maximum given what is published.
/// Returns the cells whose range is one or less, with their range.
fn attack(tables: &[CountTable], s: &Suppression) -> Vec<(String, f64, f64)> {
    let eqs = equations(tables, s);
    let mut unknowns: BTreeMap<String, ()> = BTreeMap::new();
    for eq in &eqs {
        for (_, t) in eq {
            if let Term::Unknown(k) = t {
                unknowns.insert(k.clone(), ());
            }
        }
    }
    let mut weak = Vec::new();
    for target in unknowns.keys() {
        let mut bounds = [0.0; 2];
        for (n, dir) in [
            OptimizationDirection::Minimize,
            OptimizationDirection::Maximize,
        ]
        .into_iter()
        .enumerate()
        {
            let mut p = Problem::new(dir);
            let vars: Vec<Variable> = unknowns
                .keys()
                .map(|k| p.add_var(if k == target { 1.0 } else { 0.0 }, (0.0, f64::INFINITY)))
                .collect();
            let index: HashMap<&String, usize> =
                unknowns.keys().enumerate().map(|(n, k)| (k, n)).collect();
            for eq in &eqs {
                let mut lhs: BTreeMap<usize, f64> = BTreeMap::new();
                let mut rhs = 0.0;
                for (coef, t) in eq {
                    match t {
                        Term::Known(v) => rhs -= coef * v,
                        Term::Unknown(k) => *lhs.entry(index[k]).or_default() += coef,
                    }
                }
                let lhs: Vec<(Variable, f64)> = lhs
                    .into_iter()
                    .filter(|(_, c)| *c != 0.0)
                    .map(|(n, c)| (vars[n], c))
                    .collect();
                if lhs.is_empty() {
                    assert!(
                        rhs.abs() < 1e-9,
                        "the published values contradict each other"
                    );
                    continue;
                }
                p.add_constraint(lhs.as_slice(), ComparisonOp::Eq, rhs);
            }
            bounds[n] = match p.solve() {
                Ok(microlp::SolveOutcome::Solution(sol)) => sol.objective(),
                Ok(other) => panic!("the attack's LP stopped early: {other:?}"),
                Err(microlp::Error::Unbounded) => f64::INFINITY,
                Err(e) => panic!("the attack's LP failed: {e}"),
            };
        }
        if bounds[1] - bounds[0] <= 1.0 + 1e-6 {
            weak.push((target.clone(), bounds[0], bounds[1]));
        }
    }
    weak
}

/// Checks the release's invariants and attacks it.
fn check_release(tables: &[CountTable], k: u64) -> Result<(), TestCaseError> {
    let s = protect(tables, k);
    for t in tables {
        let rows: Vec<Option<usize>> = (0..t.rows.len()).map(Some).chain([None]).collect();
        let cols: Vec<Option<usize>> = if t.is_two_dimensional() {
            (0..t.cols.len()).map(Some).chain([None]).collect()
        } else {
            vec![None]
        };
        for r in &rows {
            for c in &cols {
                let v = t.count(*r, *c);
                let sup = s.is_suppressed(t, *r, *c);
                prop_assert!(!(v > 0 && v < k) || sup, "a count under k is published");
                prop_assert!(v > 0 || !sup, "a zero is suppressed");
            }
        }
    }
    let weak = attack(tables, &s);
    prop_assert!(weak.is_empty(), "recoverable cells: {weak:?}");
    Ok(())
}

fn labels(prefix: &str, n: usize) -> Vec<String> {
    (0..n).map(|i| format!("{prefix}{i}")).collect()
}

/// A count: often zero, often small, sometimes large.
fn count() -> impl Strategy<Value = u64> {
    prop_oneof![3 => Just(0u64), 4 => 1u64..10, 3 => 10u64..80]
}

/// Records of three attributes, skewed so that some combinations are rare.
fn records() -> impl Strategy<Value = (usize, usize, usize, Vec<(usize, usize, usize)>)> {
    (1usize..6, 1usize..5, 1usize..5).prop_flat_map(|(a, b, c)| {
        let rec = (0..a, 0..b, 0..c);
        (
            Just(a),
            Just(b),
            Just(c),
            prop::collection::vec(rec, 0..160),
        )
    })
}

fn tally(
    name: &str,
    dims: &[&str],
    sizes: &[usize],
    values: impl Iterator<Item = Vec<usize>>,
) -> CountTable {
    let width = sizes.get(1).copied().unwrap_or(1);
    let mut counts = vec![0u64; sizes[0] * width];
    for v in values {
        counts[v[0] * width + v.get(1).copied().unwrap_or(0)] += 1;
    }
    let prefixes: Vec<&str> = dims.iter().map(|d| &d[..1]).collect();
    CountTable::new(
        name,
        "people",
        dims,
        labels(prefixes[0], sizes[0]),
        sizes
            .get(1)
            .map(|n| labels(prefixes[1], *n))
            .unwrap_or_default(),
        counts,
    )
}

proptest! {
    // 256 cases each unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig::default())]

    /// One table with its margins.
    #[test]
    fn no_cell_of_a_table_is_recoverable(
        (rows, cols, counts) in (1usize..7, 1usize..7).prop_flat_map(|(r, c)| {
            (Just(r), Just(c), prop::collection::vec(count(), r * c))
        }),
        k in 3u64..12,
    ) {
        let t = CountTable::new("t", "cases", &["a", "b"], labels("a", rows), labels("b", cols), counts);
        check_release(&[t], k)?;
    }

    /// A one-dimensional table with its total.
    #[test]
    fn no_cell_of_a_list_is_recoverable(counts in prop::collection::vec(count(), 1..10), k in 3u64..12) {
        let n = counts.len();
        let t = CountTable::new("t", "cases", &["a"], labels("a", n), Vec::new(), counts);
        check_release(&[t], k)?;
    }

}

proptest! {
    // Each case solves about a hundred LPs: 128 cases (PROPTEST_CASES=2000 for a long run).
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(128),
        ..ProptestConfig::default()
    })]

    /// Tables of one population sharing margins: `[a, b]`, `[a, c]`, `[c, b]`, `[a]` and
    /// `[b]` show the same `a`, `b` and `c` totals and the same grand total.
    #[test]
    fn no_cell_is_recoverable_across_tables((a, b, c, recs) in records(), k in 3u64..12) {
        let tables = vec![
            tally("ab", &["a", "b"], &[a, b], recs.iter().map(|r| vec![r.0, r.1])),
            tally("ac", &["a", "c"], &[a, c], recs.iter().map(|r| vec![r.0, r.2])),
            tally("cb", &["c", "b"], &[c, b], recs.iter().map(|r| vec![r.2, r.1])),
            tally("a", &["a"], &[a], recs.iter().map(|r| vec![r.0])),
            tally("b", &["b"], &[b], recs.iter().map(|r| vec![r.1])),
        ];
        check_release(&tables, k)?;
    }
}

/// The classic trap: a small cell alone in its row and column is found from the margins unless
/// three more cells go with it.
#[test]
fn a_lonely_small_cell_takes_partners() {
    let t = CountTable::new(
        "t",
        "cases",
        &["a", "b"],
        labels("a", 3),
        labels("b", 3),
        vec![3, 20, 30, 25, 40, 50, 35, 45, 60],
    );
    let s = protect(std::slice::from_ref(&t), 10);
    assert!(s.is_suppressed(&t, Some(0), Some(0)));
    assert!(s.len() >= 4, "{s:?}");
    assert!(attack(std::slice::from_ref(&t), &s).is_empty());
    assert!(!s.is_suppressed(&t, None, None));
}
