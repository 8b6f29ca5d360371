//! The case search: which cases a [`CaseQuery`] names, as one `SELECT` over `cases` and the
//! index tables, written once for both databases.

use super::conn::{Conn, Dialect, Param};
use super::rows::{SUMMARY_COLUMNS, text_of};
use crate::keys::IndexKey;
use crate::store::{CaseQuery, StoreError, document_key, name_terms};

/// How many index rows of a term [`rarest_first`] counts at most: enough to tell a rare term
/// from a common one, few enough to count in well under a millisecond.
const POSTINGS_CAP: u32 = 2_000;

/// Counts a term's rows in `case_names`, up to [`POSTINGS_CAP`]; the term is the one parameter.
fn postings_sql() -> String {
    format!(
        "SELECT COUNT(*) FROM (SELECT 1 FROM case_names WHERE term = ?1 LIMIT {POSTINGS_CAP}) t"
    )
}

/// A name search as [`search`] runs it ([`rarest_first`]).
#[derive(Debug, Default)]
pub(crate) struct Names {
    /// The query's name terms ([`name_terms`]), rarest first.
    words: Vec<String>,
    /// Whether even the rarest has [`POSTINGS_CAP`] index rows or more: a page of such a
    /// search is read in case-number order (see [`filtered`]).
    common: bool,
    /// The query's document term ([`document_key`], blinded in an encrypted store).
    document: Option<String>,
}

impl Names {
    /// `query`'s name terms in the order [`name_terms`] gives, for a database whose planner
    /// orders the join itself from its own statistics (PostgreSQL): nothing is counted.
    fn as_given(query: &CaseQuery, index: Option<&IndexKey>) -> Names {
        Names {
            words: query_words(query, index),
            common: false,
            document: None,
        }
    }
}

/// `query`'s name terms ([`name_terms`]), blinded with `index` in an encrypted store.
fn query_words(query: &CaseQuery, index: Option<&IndexKey>) -> Vec<String> {
    let words = query.name.as_deref().map(name_terms).unwrap_or_default();
    match index {
        Some(index) => words.iter().map(|w| index.name_term(w)).collect(),
        None => words,
    }
}

/// `query`'s index terms (blinded with `index` in an encrypted store), its name terms in the
/// order to join them: rarest first on SQLite ([`rarest_first`]), as given on PostgreSQL, whose
/// planner knows how common each term is from its own statistics and orders the join itself.
pub(crate) fn names(
    c: &mut dyn Conn,
    query: &CaseQuery,
    index: Option<&IndexKey>,
) -> Result<Names, StoreError> {
    query.check()?;
    let mut names = match c.dialect() {
        Dialect::Postgres => Names::as_given(query, index),
        Dialect::Sqlite => {
            let sql = postings_sql();
            rarest_first(query, index, |term| {
                c.query_one(&sql, &[Param::Str(term)])?.int(0)
            })?
        }
    };
    names.document = query.document_number.as_deref().map(|d| {
        let key = document_key(d);
        match index {
            Some(index) => index.document_term(&key),
            None => key,
        }
    });
    Ok(names)
}

/// `query`'s name search: its terms rarest first, `postings(term)` counting each term's
/// index rows with [`postings_sql`]. A name search reads the index rows of its first term and
/// looks the other terms up for those rows only, so it costs what the rarest term costs (a
/// search for "Ana Peña Zelaya Bacedifo" reads the one row of "bacedifo", not the thousands of
/// "ana").
fn rarest_first(
    query: &CaseQuery,
    index: Option<&IndexKey>,
    mut postings: impl FnMut(&str) -> Result<i64, StoreError>,
) -> Result<Names, StoreError> {
    let words = query_words(query, index);
    // One word needs no order; it is counted only when a page of it is asked for.
    if words.is_empty() || (words.len() == 1 && query.limit.is_none()) {
        return Ok(Names {
            words,
            common: false,
            document: None,
        });
    }
    let mut counted = words
        .into_iter()
        .map(|w| Ok((postings(&w)?, w)))
        .collect::<Result<Vec<_>, StoreError>>()?;
    counted.sort();
    Ok(Names {
        common: counted
            .first()
            .is_some_and(|(n, _)| *n >= i64::from(POSTINGS_CAP)),
        words: counted.into_iter().map(|(_, w)| w).collect(),
        document: None,
    })
}

/// The search: a `SELECT` of [`SUMMARY_COLUMNS`] from `cases` for `query`, with its
/// parameters (`?N` placeholders); `names` are the query's name terms in the order to join
/// them ([`rarest_first`]).
pub(crate) fn search(query: &CaseQuery, names: &Names) -> (String, Vec<Param<'static>>) {
    filtered(
        &format!("SELECT {SUMMARY_COLUMNS} FROM cases"),
        query,
        names,
    )
}

/// The statistics records of [`search`]'s cases: rows of (case id, case number, encoded
/// record or NULL, record key or NULL), from `cases` left-joined with `case_stats` (whose
/// columns no filter names).
pub(crate) fn records_search(query: &CaseQuery, names: &Names) -> (String, Vec<Param<'static>>) {
    filtered(
        "SELECT id, number, s.record, s.cell_key FROM cases \
         LEFT JOIN case_stats s ON s.case_id = cases.id",
        query,
        names,
    )
}

/// `select` (a `SELECT … FROM` over `cases`) restricted to `query`'s cases, in case-number
/// order, with its parameters; `names` as in [`search`].
fn filtered(select: &str, query: &CaseQuery, names: &Names) -> (String, Vec<Param<'static>>) {
    let mut sql = format!("{select} WHERE TRUE");
    let mut params = Vec::new();
    let mut bind = |p: Param<'static>| {
        params.push(p);
        format!("?{}", params.len())
    };
    for (column, value) in [
        ("office", query.office.clone()),
        ("status", query.status.map(|s| text_of(&s))),
        ("category", query.category.clone()),
        ("number", query.number.clone()),
    ] {
        if let Some(v) = value {
            let p = bind(Param::Text(v));
            sql.push_str(&format!(" AND {column} = {p}"));
        }
    }
    if let Some(office) = &query.reaching_office {
        let p = bind(Param::Text(office.clone()));
        sql.push_str(&format!(" AND (office = {p} OR transfer_to = {p})"));
    }
    if let Some(after) = &query.after {
        let p = bind(Param::Text(after.clone()));
        sql.push_str(&format!(" AND number > {p}"));
    }
    if let Some(document) = &names.document {
        let p = bind(Param::Text(document.clone()));
        sql.push_str(&format!(
            " AND id IN (SELECT case_id FROM case_documents WHERE term = {p})"
        ));
    }
    // Every term on one person: the first term's index rows, each other term looked up by its
    // primary key (term, case, person). `CROSS JOIN` keeps that order in SQLite.
    if let Some((first, rest)) = names.words.split_first() {
        let mut from = String::from("case_names n0");
        let mut on = format!("n0.term = {}", bind(Param::Text(first.clone())));
        for (k, word) in (1..).zip(rest) {
            let p = bind(Param::Text(word.clone()));
            from.push_str(&format!(" CROSS JOIN case_names n{k}"));
            on.push_str(&format!(
                " AND n{k}.term = {p} AND n{k}.case_id = n0.case_id AND n{k}.person = n0.person"
            ));
        }
        // A page of a common name: reading cases in number order and testing each against the
        // name's rows finds the page after about (page size × cases ÷ rows) cases, where
        // starting from the name's thousands of rows would fetch and sort every case they
        // name. `id || ''` is `id` that no index can drive from, so the case-number order is.
        let id = if names.common && query.limit.is_some() {
            "id || ''"
        } else {
            "id"
        };
        sql.push_str(&format!(
            " AND {id} IN (SELECT n0.case_id FROM {from} WHERE {on})"
        ));
    }
    sql.push_str(" ORDER BY number");
    if let Some(limit) = query.limit {
        let p = bind(Param::Int(i64::try_from(limit).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" LIMIT {p}"));
    }
    (sql, params)
}
