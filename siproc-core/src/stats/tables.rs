//! Count tables: one or two dimensions, their cells and their margins.
//!
//! A [`CountTable`] counts a *population* (cases, open cases, services given, …) by one or two
//! dimensions. Its margins are the row totals, the column totals and the grand total. Two
//! tables of the same population that share a dimension share that dimension's margins: the
//! number of detention cases is the same in `cases_by_category_month` and in
//! `cases_by_country_category`. Disclosure control ([`crate::stats::disclosure`]) relies on
//! this: a cell is identified across a release by its population and the values it fixes
//! ([`CountTable::key`]).

/// The values of one dimension as a table shows them, and in which order.
#[derive(Debug, Clone)]
pub struct Labels {
    labels: Vec<String>,
    order: Vec<usize>,
    keep_empty: bool,
}

impl Labels {
    /// Values seen in the data (numbered as first seen), shown in alphabetical order; values
    /// that a table counts nothing for are left out of it.
    pub fn sorted(labels: Vec<String>) -> Labels {
        let mut order: Vec<usize> = (0..labels.len()).collect();
        order.sort_by(|a, b| labels.get(*a).cmp(&labels.get(*b)));
        Labels {
            labels,
            order,
            keep_empty: false,
        }
    }

    /// A fixed list of values, shown in this order, each always present (zeros included).
    pub fn fixed(labels: impl IntoIterator<Item = String>) -> Labels {
        let labels: Vec<String> = labels.into_iter().collect();
        Labels {
            order: (0..labels.len()).collect(),
            labels,
            keep_empty: true,
        }
    }

    /// The value numbered `id`.
    pub fn label(&self, id: usize) -> Option<&str> {
        self.labels.get(id).map(String::as_str)
    }

    /// The kept ids in display order, given whether each id has any count.
    fn shown(&self, nonzero: impl Fn(usize) -> bool) -> Vec<usize> {
        self.order
            .iter()
            .copied()
            .filter(|id| self.keep_empty || nonzero(*id))
            .collect()
    }
}

/// What a cell counts: how many, and the sum of their record keys modulo 2³² (the cell key of
/// [`crate::stats::perturb`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    /// How many.
    pub count: u64,
    /// The sum of their record keys, modulo 2³².
    pub key: u32,
}

impl Tally {
    /// Counts one more, whose record key is `key`.
    pub fn add(&mut self, key: u32) {
        self.count += 1;
        self.key = self.key.wrapping_add(key);
    }

    /// This tally and `other` together.
    pub fn plus(self, other: Tally) -> Tally {
        Tally {
            count: self.count + other.count,
            key: self.key.wrapping_add(other.key),
        }
    }
}

/// The median and 90th percentile of a duration table, per row and over all rows.
#[derive(Debug, Clone, PartialEq)]
pub struct Durations {
    /// Per row: `(median, p90)`, `None` for a row without cases.
    pub rows: Vec<Option<(f64, f64)>>,
    /// Over all rows.
    pub total: Option<(f64, f64)>,
}

/// A table of counts of one population by one or two dimensions.
#[derive(Debug, Clone, PartialEq)]
pub struct CountTable {
    /// The table's name in the release (`cases_by_category_month`).
    pub name: String,
    /// What is counted (`cases`, `open_cases`, `services`, …). Tables of one population share
    /// the margins of the dimensions they share.
    pub population: String,
    /// One or two dimension names.
    pub dimensions: Vec<String>,
    /// The values of the first dimension.
    pub rows: Vec<String>,
    /// The values of the second dimension; empty for a one-dimensional table.
    pub cols: Vec<String>,
    /// The counts, row by row (`rows × cols`, or `rows` for one dimension).
    pub counts: Vec<u64>,
    /// The cells' keys (sums of the record keys counted, modulo 2³²), as `counts`; zeros when
    /// the table was made without them ([`CountTable::new`]).
    pub keys: Vec<u32>,
    /// For duration tables, the median and 90th percentile per row.
    pub durations: Option<Durations>,
}

impl CountTable {
    /// A table from its parts; `counts` has `rows.len() × max(cols.len(), 1)` entries (missing
    /// ones count 0). Two dimensions need `cols`; one dimension has none.
    pub fn new(
        name: &str,
        population: &str,
        dimensions: &[&str],
        rows: Vec<String>,
        cols: Vec<String>,
        mut counts: Vec<u64>,
    ) -> CountTable {
        let cells = rows.len() * cols.len().max(1);
        counts.resize(cells, 0);
        CountTable {
            name: name.to_owned(),
            population: population.to_owned(),
            dimensions: dimensions.iter().map(|d| (*d).to_owned()).collect(),
            rows,
            cols,
            counts,
            keys: vec![0; cells],
            durations: None,
        }
    }

    /// A table from its parts and its cells' tallies (counts and keys), as [`CountTable::new`].
    pub fn of_tallies(
        name: &str,
        population: &str,
        dimensions: &[&str],
        rows: Vec<String>,
        cols: Vec<String>,
        tallies: &[Tally],
    ) -> CountTable {
        let mut table = CountTable::new(
            name,
            population,
            dimensions,
            rows,
            cols,
            tallies.iter().map(|t| t.count).collect(),
        );
        for (key, tally) in table.keys.iter_mut().zip(tallies) {
            *key = tally.key;
        }
        table
    }

    /// A two-dimensional table whose cells are `tally(row id, column id)`.
    pub fn two(
        name: &str,
        population: &str,
        dimensions: [&str; 2],
        rows: &Labels,
        cols: &Labels,
        tally: impl Fn(usize, usize) -> Tally,
    ) -> CountTable {
        let all_cols: Vec<usize> = cols.order.clone();
        let all_rows: Vec<usize> = rows.order.clone();
        let row_ids = rows.shown(|r| all_cols.iter().any(|c| tally(r, *c).count > 0));
        let col_ids = cols.shown(|c| all_rows.iter().any(|r| tally(*r, c).count > 0));
        let tallies: Vec<Tally> = row_ids
            .iter()
            .flat_map(|r| col_ids.iter().map(|c| tally(*r, *c)).collect::<Vec<_>>())
            .collect();
        CountTable::of_tallies(
            name,
            population,
            &dimensions,
            labels_of(rows, &row_ids),
            labels_of(cols, &col_ids),
            &tallies,
        )
    }

    /// A one-dimensional table whose cells are `tally(row id)`, and the ids it kept.
    pub fn one(
        name: &str,
        population: &str,
        dimension: &str,
        rows: &Labels,
        tally: impl Fn(usize) -> Tally,
    ) -> (CountTable, Vec<usize>) {
        let row_ids = rows.shown(|r| tally(r).count > 0);
        let tallies: Vec<Tally> = row_ids.iter().map(|r| tally(*r)).collect();
        let table = CountTable::of_tallies(
            name,
            population,
            &[dimension],
            labels_of(rows, &row_ids),
            Vec::new(),
            &tallies,
        );
        (table, row_ids)
    }

    /// Whether the table has two dimensions.
    pub fn is_two_dimensional(&self) -> bool {
        self.dimensions.len() == 2
    }

    /// The count at (`row`, `col`): a cell when both are given, a margin when one is `None`, the
    /// grand total when both are.
    pub fn count(&self, row: Option<usize>, col: Option<usize>) -> u64 {
        let width = self.cols.len().max(1);
        let at = |r: usize, c: usize| self.counts.get(r * width + c).copied().unwrap_or(0);
        match (row, col) {
            (Some(r), Some(c)) => at(r, c),
            (Some(r), None) => (0..width).map(|c| at(r, c)).sum(),
            (None, Some(c)) => (0..self.rows.len()).map(|r| at(r, c)).sum(),
            (None, None) => self.counts.iter().sum(),
        }
    }

    /// The cell key at (`row`, `col`), cell or margin as [`CountTable::count`]: the sum of the
    /// record keys of what it counts, modulo 2³² ([`crate::stats::perturb`]).
    pub fn cell_key(&self, row: Option<usize>, col: Option<usize>) -> u32 {
        let width = self.cols.len().max(1);
        let at = |r: usize, c: usize| self.keys.get(r * width + c).copied().unwrap_or(0);
        let sum = |keys: &mut dyn Iterator<Item = u32>| keys.fold(0_u32, u32::wrapping_add);
        match (row, col) {
            (Some(r), Some(c)) => at(r, c),
            (Some(r), None) => sum(&mut (0..width).map(|c| at(r, c))),
            (None, Some(c)) => sum(&mut (0..self.rows.len()).map(|r| at(r, c))),
            (None, None) => sum(&mut self.keys.iter().copied()),
        }
    }

    /// The dimension values a cell fixes, in the table's dimension order.
    pub fn labels(&self, row: Option<usize>, col: Option<usize>) -> Vec<(&str, &str)> {
        let mut out = Vec::with_capacity(2);
        if let (Some(d), Some(v)) = (self.dimensions.first(), row.and_then(|r| self.rows.get(r))) {
            out.push((d.as_str(), v.as_str()));
        }
        if let (Some(d), Some(v)) = (self.dimensions.get(1), col.and_then(|c| self.cols.get(c))) {
            out.push((d.as_str(), v.as_str()));
        }
        out
    }

    /// The identity of a cell across the tables of a release: its population and the values it
    /// fixes, dimensions in alphabetical order.
    pub fn key(&self, row: Option<usize>, col: Option<usize>) -> String {
        let mut labels = self.labels(row, col);
        labels.sort_unstable();
        let mut key = self.population.clone();
        for (d, v) in labels {
            key.push('\u{1f}');
            key.push_str(d);
            key.push('=');
            key.push_str(v);
        }
        key
    }
}

fn labels_of(labels: &Labels, ids: &[usize]) -> Vec<String> {
    ids.iter()
        .map(|id| labels.label(*id).unwrap_or_default().to_owned())
        .collect()
}
