//! What the statements need of a database: [`Conn`], a connection (or transaction) that runs
//! a statement with [`Param`]s and answers [`Row`]s of [`Value`]s, and its [`Dialect`].
//!
//! Every statement is written once with `?N` placeholders (SQLite's own; the PostgreSQL adapter
//! writes them as `$N`). Parameters are bound by the type the database expects for them, so a
//! statement never needs a cast to tell an integer column from a text one.

use crate::store::StoreError;

use super::rows::corrupt;

/// The SQL spoken by a backend, where the two differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    /// SQLite 3.35 or later (the bundled library).
    #[cfg_attr(not(feature = "sqlite"), allow(dead_code))]
    Sqlite,
    /// PostgreSQL 12 or later.
    #[cfg_attr(not(feature = "postgres"), allow(dead_code))]
    Postgres,
}

impl Dialect {
    /// The larger of two values: `max(a, b)` in SQLite, `GREATEST(a, b)` in PostgreSQL.
    pub fn greatest(self) -> &'static str {
        match self {
            Dialect::Sqlite => "max",
            Dialect::Postgres => "GREATEST",
        }
    }

    /// What a `SELECT` of a row about to be changed ends with: PostgreSQL locks it until the
    /// transaction ends; SQLite's write transactions already exclude each other.
    pub fn for_update(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE",
        }
    }
}

/// A value bound to a statement: borrowed where the caller holds it, owned where a query was
/// built around it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Param<'a> {
    /// Text the caller holds.
    Str(&'a str),
    /// Text built for the statement.
    Text(String),
    /// An integer (bound as the column's integer type).
    Int(i64),
    /// Bytes.
    Blob(&'a [u8]),
    /// SQL `NULL`.
    Null,
}

impl<'a> Param<'a> {
    /// Text, or `NULL`.
    pub fn opt(text: Option<&'a str>) -> Param<'a> {
        text.map_or(Param::Null, Param::Str)
    }

    /// An integer, or `NULL`.
    pub fn opt_int(n: Option<i64>) -> Param<'a> {
        n.map_or(Param::Null, Param::Int)
    }

    /// An unsigned count as a column integer (saturating: no stored count comes near).
    pub fn count(n: u64) -> Param<'a> {
        Param::Int(i64::try_from(n).unwrap_or(i64::MAX))
    }
}

/// A value read from a row.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) enum Value {
    /// Text.
    Text(String),
    /// An integer (any integer column; a PostgreSQL boolean as 0 or 1).
    Int(i64),
    /// Bytes.
    Blob(Vec<u8>),
    /// SQL `NULL`.
    #[default]
    Null,
}

/// A row as read: its columns in the order selected, taken one by one.
#[derive(Debug, Default)]
pub(crate) struct Row(pub Vec<Value>);

impl Row {
    fn take(&mut self, i: usize) -> Value {
        self.0.get_mut(i).map(std::mem::take).unwrap_or_default()
    }

    /// Column `i` as text.
    pub fn text(&mut self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?
            .ok_or_else(|| corrupt("a column holds NULL where text belongs"))
    }

    /// Column `i` as text or `NULL`.
    pub fn opt_text(&mut self, i: usize) -> Result<Option<String>, StoreError> {
        match self.take(i) {
            Value::Text(s) => Ok(Some(s)),
            Value::Null => Ok(None),
            _ => Err(corrupt("a column holds something else where text belongs")),
        }
    }

    /// Column `i` as an integer.
    pub fn int(&mut self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?
            .ok_or_else(|| corrupt("a column holds NULL where a number belongs"))
    }

    /// Column `i` as an integer or `NULL`.
    pub fn opt_int(&mut self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.take(i) {
            Value::Int(n) => Ok(Some(n)),
            Value::Null => Ok(None),
            _ => Err(corrupt(
                "a column holds something else where a number belongs",
            )),
        }
    }

    /// Column `i` as bytes or `NULL`.
    pub fn opt_blob(&mut self, i: usize) -> Result<Option<Vec<u8>>, StoreError> {
        match self.take(i) {
            Value::Blob(b) => Ok(Some(b)),
            Value::Null => Ok(None),
            _ => Err(corrupt("a column holds something else where bytes belong")),
        }
    }
}

/// A database connection or transaction, as the statements use it. Errors never carry a bound
/// value (the adapters describe a failure by its code and the database's message only).
pub(crate) trait Conn {
    /// The SQL it speaks.
    fn dialect(&self) -> Dialect;

    /// Runs a statement; answers how many rows it changed, or `None` when it would have taken
    /// a unique key another row holds (nothing changed; on PostgreSQL the transaction must
    /// then end or return to a savepoint).
    fn try_execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<u64>, StoreError>;

    /// Runs a query; answers its rows.
    fn query(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Vec<Row>, StoreError>;

    /// Runs statements without parameters (a migration, `SAVEPOINT`).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;

    /// Runs a statement; a unique key taken is an error like any other.
    fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, StoreError> {
        self.try_execute(sql, params)?
            .ok_or_else(|| StoreError::Backend {
                reason: "a unique key is taken".into(),
            })
    }

    /// The first row of a query, if any.
    fn query_opt(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, params)?.into_iter().next())
    }

    /// The first row of a query that always answers one (a count).
    fn query_one(&mut self, sql: &str, params: &[Param<'_>]) -> Result<Row, StoreError> {
        self.query_opt(sql, params)?
            .ok_or_else(|| corrupt("a query that always answers a row answered none"))
    }
}

/// Runs `f` inside a savepoint of the transaction `c` is in: kept if it answers `Ok(true)`,
/// rolled back otherwise (also when a unique key was taken, which on PostgreSQL leaves the
/// transaction unusable until the rollback).
pub(crate) fn in_savepoint<T>(
    c: &mut dyn Conn,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    keep: impl FnOnce(&T) -> bool,
) -> Result<Result<T, StoreError>, StoreError> {
    c.batch("SAVEPOINT op")?;
    let result = f(c);
    if matches!(&result, Ok(t) if keep(t)) {
        c.batch("RELEASE SAVEPOINT op")?;
    } else {
        c.batch("ROLLBACK TO SAVEPOINT op")?;
        c.batch("RELEASE SAVEPOINT op")?;
    }
    Ok(result)
}
