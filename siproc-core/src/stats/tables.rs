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
        counts.resize(rows.len() * cols.len().max(1), 0);
        CountTable {
            name: name.to_owned(),
            population: population.to_owned(),
            dimensions: dimensions.iter().map(|d| (*d).to_owned()).collect(),
            rows,
            cols,
            counts,
            durations: None,
        }
    }

    /// A two-dimensional table whose counts are `count(row id, column id)`.
    pub fn two(
        name: &str,
        population: &str,
        dimensions: [&str; 2],
        rows: &Labels,
        cols: &Labels,
        count: impl Fn(usize, usize) -> u64,
    ) -> CountTable {
        let all_cols: Vec<usize> = cols.order.clone();
        let all_rows: Vec<usize> = rows.order.clone();
        let row_ids = rows.shown(|r| all_cols.iter().any(|c| count(r, *c) > 0));
        let col_ids = cols.shown(|c| all_rows.iter().any(|r| count(*r, c) > 0));
        let counts = row_ids
            .iter()
            .flat_map(|r| col_ids.iter().map(|c| count(*r, *c)).collect::<Vec<_>>())
            .collect();
        CountTable::new(
            name,
            population,
            &dimensions,
            labels_of(rows, &row_ids),
            labels_of(cols, &col_ids),
            counts,
        )
    }

    /// A one-dimensional table whose counts are `count(row id)`, and the ids it kept.
    pub fn one(
        name: &str,
        population: &str,
        dimension: &str,
        rows: &Labels,
        count: impl Fn(usize) -> u64,
    ) -> (CountTable, Vec<usize>) {
        let row_ids = rows.shown(|r| count(r) > 0);
        let counts = row_ids.iter().map(|r| count(*r)).collect();
        let table = CountTable::new(
            name,
            population,
            &[dimension],
            labels_of(rows, &row_ids),
            Vec::new(),
            counts,
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
