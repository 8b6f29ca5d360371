//! Disclosure control: which cells of a release are suppressed, so that no person can be
//! singled out and no suppressed count can be worked out from what is published.
//!
//! # Primary suppression
//!
//! Every count from 1 to `k − 1` is suppressed, margins and grand totals included. Zeros are
//! published.
//!
//! # Secondary suppression
//!
//! A suppressed cell must not be recomputable from the published cells and margins, in its
//! table and across the tables of the release (tables of one population share margins; a cell
//! is identified across the release by [`CountTable::key`], so a cell suppressed in one table
//! is suppressed in every table that shows it). For a two-dimensional table with its margins,
//! the published values leave the suppressed cells free exactly along *cycles*: view the table
//! with its total row and total column as a bipartite graph (rows and columns are nodes, every
//! suppressed non-zero cell an edge); adding `+d` and `−d` alternately around a cycle keeps
//! every row and column sum. So the rules, applied until nothing changes, are:
//!
//! 1. every suppressed cell lies on a cycle of suppressed non-zero cells (otherwise it is a
//!    bridge, and the margins determine it). The cheapest completion is found with a shortest
//!    path (Dijkstra) between the bridge's two ends over the table's non-zero cells: already
//!    suppressed cells cost nothing, a new cell costs one unit plus its value (inner cells are
//!    preferred to margins, which spread to other tables);
//! 2. within each table, the suppressed margins of a dimension are at least two and all
//!    connected through the table's other cells (so any change of one of them that keeps their
//!    sum can be balanced inside every table that shows them: this is what makes the tables of
//!    a release safe together);
//! 3. in a one-dimensional table (whose cells are the margins of the two-dimensional tables of
//!    the same population), a suppressed cell has at least one suppressed partner.
//!
//! Every cycle then runs through cells of at least 1, so each suppressed cell can move by at
//! least one up and one down: its feasible range, given everything published and the margins,
//! is at least two wide. `siproc-core/tests/disclosure.rs` attacks random releases with a
//! linear program (min and max of each suppressed cell) to check it.
//!
//! When no completion exists (a table with a single non-zero row and column, say), every
//! non-zero cell of the table is suppressed, its grand total too.
//!
//! The result says which cells are suppressed, never why.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashSet};

use crate::stats::tables::CountTable;

/// The cells a release suppresses, by [`CountTable::key`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Suppression {
    keys: HashSet<String>,
}

impl Suppression {
    /// Whether the cell at (`row`, `col`) of `table` is suppressed (`None` names a margin).
    pub fn is_suppressed(
        &self,
        table: &CountTable,
        row: Option<usize>,
        col: Option<usize>,
    ) -> bool {
        self.keys.contains(&table.key(row, col))
    }

    /// Number of distinct suppressed cells in the release.
    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// Whether nothing is suppressed.
    pub fn is_empty(&self) -> bool {
        self.keys.is_empty()
    }
}

/// What a release publishes of a cell before suppression: `value(table, row, col)`, a cell
/// or (`None`) a margin, as [`CountTable::count`] names them.
pub type CellValue<'a> = &'a dyn Fn(&CountTable, Option<usize>, Option<usize>) -> u64;

/// Decides the suppression of a release's tables for threshold `k`.
pub fn protect(tables: &[CountTable], k: u64) -> Suppression {
    protect_values(tables, k, &|t, r, c| t.count(r, c))
}

/// [`protect`] over the values a release publishes before suppression: `value(table, row,
/// col)` (a perturbed count, [`crate::stats::perturb`]) instead of the count.
pub fn protect_values(tables: &[CountTable], k: u64, value: CellValue<'_>) -> Suppression {
    let grids: Vec<Extended> = tables.iter().map(|t| Extended::of(t, value)).collect();
    let mut keys: HashSet<String> = grids
        .iter()
        .flat_map(|g| {
            g.cells
                .iter()
                .filter(|c| c.value > 0 && c.value < k)
                .map(|c| c.key.clone())
        })
        .collect();
    loop {
        let mut changed = false;
        for grid in &grids {
            while let Some(add) = grid.next_fix(&keys) {
                let mut grew = false;
                for cell in add {
                    if let Some(c) = grid.cells.get(cell) {
                        grew |= keys.insert(c.key.clone());
                    }
                }
                if !grew {
                    break;
                }
                changed = true;
            }
        }
        if !changed {
            return Suppression { keys };
        }
    }
}

/// A cell of a table extended with its margins.
struct Cell {
    key: String,
    value: u64,
}

/// A table with its total row and total column: `(rows + 1) × (cols + 1)` cells, the last row
/// and column being the margins. A one-dimensional table has no inner columns: its cells sit
/// in the total column.
struct Extended {
    rows: usize,
    cols: usize,
    cells: Vec<Cell>,
}

/// Added cost of a new suppression (so that fewer cells win over smaller values).
const NEW_CELL: u64 = 1 << 40;

impl Extended {
    fn of(t: &CountTable, value: CellValue<'_>) -> Extended {
        let rows = t.rows.len();
        let cols = if t.is_two_dimensional() {
            t.cols.len()
        } else {
            0
        };
        let mut cells = Vec::with_capacity((rows + 1) * (cols + 1));
        for i in 0..=rows {
            for j in 0..=cols {
                let (r, c) = ((i < rows).then_some(i), (j < cols).then_some(j));
                cells.push(Cell {
                    key: t.key(r, c),
                    value: value(t, r, c),
                });
            }
        }
        Extended { rows, cols, cells }
    }

    fn index(&self, i: usize, j: usize) -> usize {
        i * (self.cols + 1) + j
    }

    fn value(&self, i: usize, j: usize) -> u64 {
        self.cells.get(self.index(i, j)).map_or(0, |c| c.value)
    }

    fn suppressed(&self, keys: &HashSet<String>, i: usize, j: usize) -> bool {
        self.cells
            .get(self.index(i, j))
            .is_some_and(|c| c.value > 0 && keys.contains(&c.key))
    }

    /// The cells to suppress next for this table to be safe, or `None` when it is.
    fn next_fix(&self, keys: &HashSet<String>) -> Option<Vec<usize>> {
        let (rows, cols) = (self.rows, self.cols);
        if self.cells.last().is_some_and(|c| keys.contains(&c.key)) {
            // The grand total is suppressed: every non-zero cell is (it is below k).
            return self.everything(keys);
        }
        if cols == 0 {
            return self.partner(keys, (0..rows).map(|i| (i, 0)).collect());
        }
        // Rule 1: no suppressed cell is a bridge.
        for i in 0..=rows {
            for j in 0..=cols {
                if self.suppressed(keys, i, j) && !self.connected(keys, i, j, None, Some((i, j))) {
                    return self
                        .path(keys, i, j, None, Some((i, j)))
                        .or_else(|| self.everything(keys));
                }
            }
        }
        // Rule 2: the suppressed margins of each dimension are two or more, and connected.
        let row_margins: Vec<(usize, usize)> = (0..rows).map(|i| (i, cols)).collect();
        let col_margins: Vec<(usize, usize)> = (0..cols).map(|j| (rows, j)).collect();
        for (margins, hub) in [(row_margins, rows + 1 + cols), (col_margins, rows)] {
            if let Some(fix) = self.partner(keys, margins.clone()) {
                return Some(fix);
            }
            let sup: Vec<&(usize, usize)> = margins
                .iter()
                .filter(|(i, j)| self.suppressed(keys, *i, *j))
                .collect();
            let node = |&(i, j): &(usize, usize)| if j == cols { i } else { rows + 1 + j };
            if let Some((first, rest)) = sup.split_first() {
                for other in rest {
                    let (a, b) = (node(first), node(other));
                    if !self.reachable(keys, a, b, Some(hub), None) {
                        return self
                            .path_nodes(keys, a, b, Some(hub), None)
                            .or_else(|| self.everything(keys));
                    }
                }
            }
        }
        None
    }

    /// Rule 3 for a line of cells summing to a published total: one suppressed cell alone gets
    /// the cheapest non-zero partner.
    fn partner(&self, keys: &HashSet<String>, line: Vec<(usize, usize)>) -> Option<Vec<usize>> {
        let suppressed = line
            .iter()
            .filter(|(i, j)| self.suppressed(keys, *i, *j))
            .count();
        if suppressed != 1 {
            return None;
        }
        line.iter()
            .filter(|(i, j)| self.value(*i, *j) > 0 && !self.suppressed(keys, *i, *j))
            .min_by_key(|(i, j)| (self.value(*i, *j), *i, *j))
            .map(|(i, j)| vec![self.index(*i, *j)])
            .or_else(|| self.everything(keys))
    }

    /// Every non-zero cell not yet suppressed, or `None` if there is none left.
    fn everything(&self, keys: &HashSet<String>) -> Option<Vec<usize>> {
        let all: Vec<usize> = self
            .cells
            .iter()
            .enumerate()
            .filter(|(_, c)| c.value > 0 && !keys.contains(&c.key))
            .map(|(n, _)| n)
            .collect();
        (!all.is_empty()).then_some(all)
    }

    /// The graph's nodes: rows `0..=rows` (the last is the total row), then columns
    /// `0..=cols` (the last is the total column).
    fn ends(&self, i: usize, j: usize) -> (usize, usize) {
        (i, self.rows + 1 + j)
    }

    fn connected(
        &self,
        keys: &HashSet<String>,
        i: usize,
        j: usize,
        avoid: Option<usize>,
        without: Option<(usize, usize)>,
    ) -> bool {
        let (a, b) = self.ends(i, j);
        self.reachable(keys, a, b, avoid, without)
    }

    /// Whether node `b` is reachable from `a` over suppressed cells, not passing node `avoid`
    /// nor using cell `without`.
    fn reachable(
        &self,
        keys: &HashSet<String>,
        a: usize,
        b: usize,
        avoid: Option<usize>,
        without: Option<(usize, usize)>,
    ) -> bool {
        self.search(a, b, avoid, without, |i, j| {
            self.suppressed(keys, i, j).then_some(0)
        })
        .is_some()
    }

    fn path(
        &self,
        keys: &HashSet<String>,
        i: usize,
        j: usize,
        avoid: Option<usize>,
        without: Option<(usize, usize)>,
    ) -> Option<Vec<usize>> {
        let (a, b) = self.ends(i, j);
        self.path_nodes(keys, a, b, avoid, without)
    }

    /// The cheapest set of new cells joining nodes `a` and `b`.
    fn path_nodes(
        &self,
        keys: &HashSet<String>,
        a: usize,
        b: usize,
        avoid: Option<usize>,
        without: Option<(usize, usize)>,
    ) -> Option<Vec<usize>> {
        let (rows, cols) = (self.rows, self.cols);
        let total = self.index(rows, cols);
        let cells = self.search(a, b, avoid, without, |i, j| {
            let value = self.value(i, j);
            let n = self.index(i, j);
            if value == 0 || n == total {
                None
            } else if self.suppressed(keys, i, j) {
                Some(0)
            } else if i == rows || j == cols {
                Some(4 * NEW_CELL + value)
            } else {
                Some(NEW_CELL + value)
            }
        })?;
        let new: Vec<usize> = cells
            .into_iter()
            .filter(|n| self.cells.get(*n).is_some_and(|c| !keys.contains(&c.key)))
            .collect();
        (!new.is_empty()).then_some(new)
    }

    /// Dijkstra from node `a` to node `b`; `cost(i, j)` is the price of using cell (i, j) as
    /// an edge, `None` when it cannot be used. Returns the cells of the path.
    fn search(
        &self,
        a: usize,
        b: usize,
        avoid: Option<usize>,
        without: Option<(usize, usize)>,
        cost: impl Fn(usize, usize) -> Option<u64>,
    ) -> Option<Vec<usize>> {
        let (rows, cols) = (self.rows, self.cols);
        let nodes = rows + cols + 2;
        let mut best = vec![u64::MAX; nodes];
        let mut via: Vec<Option<(usize, usize)>> = vec![None; nodes];
        let mut queue = BinaryHeap::new();
        *best.get_mut(a)? = 0;
        queue.push(Reverse((0u64, a)));
        while let Some(Reverse((d, node))) = queue.pop() {
            if node == b {
                break;
            }
            if d > best.get(node).copied().unwrap_or(u64::MAX) {
                continue;
            }
            let neighbours: Vec<(usize, usize, usize)> = if node <= rows {
                (0..=cols).map(|j| (node, j, rows + 1 + j)).collect()
            } else {
                let j = node - rows - 1;
                (0..=rows).map(|i| (i, j, i)).collect()
            };
            for (i, j, next) in neighbours {
                if Some(next) == avoid || Some((i, j)) == without {
                    continue;
                }
                let Some(c) = cost(i, j) else { continue };
                let nd = d.saturating_add(c);
                if best.get(next).is_some_and(|b| nd < *b) {
                    if let Some(slot) = best.get_mut(next) {
                        *slot = nd;
                    }
                    if let Some(slot) = via.get_mut(next) {
                        *slot = Some((i, j));
                    }
                    queue.push(Reverse((nd, next)));
                }
            }
        }
        if best.get(b).is_none_or(|d| *d == u64::MAX) {
            return None;
        }
        let mut cells = Vec::new();
        let mut node = b;
        while node != a {
            let (i, j) = via.get(node).copied().flatten()?;
            cells.push(self.index(i, j));
            node = if node <= rows { rows + 1 + j } else { i };
        }
        Some(cells)
    }
}
