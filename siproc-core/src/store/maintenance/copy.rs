//! Backup and restore: every table of a siproc database copied, as stored, between a database
//! and an SQLite file (see [the module](super)).
//!
//! Files kept outside the database (a directory, object storage: [`BlobStore`]) travel in the
//! backup too: a backup is one self-contained file. They are copied, as stored (ciphertext in
//! an encrypted store), into the backup's `blobs` table, and a restore puts them back into the
//! file storage it is given (or into the database's own table when it is given none).

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{with_database, with_sqlite};
use crate::blobs::BlobStore;
use crate::store::sql::conn::{Conn, Dialect, Param, Value};
use crate::store::sql::rows::corrupt;
use crate::store::{StoreError, StoreUrl};

/// Rows read from the source at a time.
const PAGE: i64 = 2_000;

/// How many times (10 ms apart) a backup waits for a lock before it gives up.
#[cfg(feature = "sqlite")]
const BUSY_WAITS: u32 = 3_000;

/// Tables never copied row by row: the schema's own bookkeeping (each database keeps its own
/// version; SQLite's `sqlite_*` tables), and PostgreSQL's feed counter (set from the events).
const BOOKKEEPING: &[&str] = &["siproc_meta", "feed_counter"];

/// Keys of `siproc_meta` each database keeps for itself.
const OWN_META: &[&str] = &["application", "schema_version"];

/// How many rows of one table were copied.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCount {
    /// The table.
    pub table: String,
    /// Its rows.
    pub rows: u64,
}

/// What a backup or restore copied: each table with its rows, in name order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct CopyReport {
    /// The tables.
    pub tables: Vec<TableCount>,
}

impl CopyReport {
    /// The rows of `table` (0 when it was not copied).
    pub fn rows(&self, table: &str) -> u64 {
        self.tables
            .iter()
            .find(|t| t.table == table)
            .map_or(0, |t| t.rows)
    }

    /// The cases copied.
    pub fn cases(&self) -> u64 {
        self.rows("cases")
    }
}

/// Writes a consistent copy of the database `url` names to the new SQLite file `to` (see [the
/// module](super)), while other processes go on using the database, with the cases' files kept
/// in `files` (`None`: the database's own table, copied with it). The copy appears whole or
/// not at all (it is written beside `to` and renamed); an existing `to` is never overwritten
/// (`store.target_exists`).
///
/// Files outside the database are read after the database's snapshot: every file a case of the
/// snapshot had is there (a file is kept before its event), unless an erasure removed it
/// meanwhile.
pub fn backup(
    url: &StoreUrl,
    to: &Path,
    files: Option<&dyn BlobStore>,
) -> Result<CopyReport, StoreError> {
    if to.exists() {
        return Err(StoreError::TargetExists);
    }
    let partial = beside(to, ".partial");
    remove_sqlite_files(&partial);
    let written = match url {
        #[cfg(feature = "sqlite")]
        StoreUrl::Sqlite(path) => online_backup(path, &partial),
        _ => with_database(url, |from| {
            with_sqlite(&partial, |to| copy_tables(from, to, &[]).map(drop))
        }),
    };
    let written = match files {
        Some(files) => written.and_then(|()| with_sqlite(&partial, |c| files_into(files, c))),
        None => written,
    };
    let done = written.and_then(|()| {
        fs::rename(&partial, to).map_err(io_error)?;
        sync_folder(to)
    });
    if let Err(e) = done {
        remove_sqlite_files(&partial);
        return Err(e);
    }
    with_sqlite(to, |c| count_tables(c))
}

/// Copies the backup `from` into the empty database `url` names (created if it is an SQLite
/// file that does not exist), in one transaction: every row or none. The backup's files go to
/// `files` when given (first, each put idempotently: a restore cut short is run again), or else
/// into the database's own table with the rest. A backup of an older schema is migrated first
/// (on a temporary copy: the backup is never written). A database that already holds rows in
/// any table the backup fills is `store.not_empty`.
pub fn restore(
    from: &Path,
    url: &StoreUrl,
    files: Option<&dyn BlobStore>,
) -> Result<CopyReport, StoreError> {
    if !from.is_file() {
        return Err(StoreError::NoDatabase);
    }
    let temp = std::env::temp_dir().join(format!("siproc-restore-{}.db", uuid::Uuid::now_v7()));
    fs::copy(from, &temp).map_err(io_error)?;
    let restored = with_sqlite(&temp, |source| {
        let (put, skip): (Option<u64>, &[&str]) = match files {
            Some(files) => (Some(files_out(source, files)?), &["blobs"]),
            None => (None, &[]),
        };
        let mut report = match url {
            #[cfg(feature = "sqlite")]
            StoreUrl::Sqlite(path) => {
                if let Some(folder) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                    fs::create_dir_all(folder).map_err(io_error)?;
                }
                with_sqlite(path, |target| copy_tables(source, target, skip))
            }
            _ => with_database(url, |target| copy_tables(source, target, skip)),
        }?;
        if let Some(rows) = put {
            report.tables.push(TableCount {
                table: "blobs".to_owned(),
                rows,
            });
            report.tables.sort_by(|a, b| a.table.cmp(&b.table));
        }
        Ok(report)
    });
    remove_sqlite_files(&temp);
    restored
}

/// Copies every file `files` keeps for a case of the backup `c` is on into its `blobs` table,
/// as stored.
fn files_into(files: &dyn BlobStore, c: &mut dyn Conn) -> Result<(), StoreError> {
    let cases = c.query("SELECT id FROM cases ORDER BY id", &[])?;
    c.batch("BEGIN IMMEDIATE")?;
    let copied = cases.into_iter().try_for_each(|mut row| {
        let id = row.text(0)?;
        let case_id = uuid::Uuid::parse_str(&id).map_err(|_| corrupt("a case row has a bad id"))?;
        for sha256 in files.list(case_id)? {
            // Removed since it was listed (an erasure): nothing to keep.
            let Some(body) = files.get(case_id, &sha256)? else {
                continue;
            };
            c.execute(
                "INSERT INTO blobs (case_id, sha256, body) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (case_id, sha256) DO NOTHING",
                &[Param::Str(&id), Param::Str(&sha256), Param::Blob(&body)],
            )?;
        }
        Ok(())
    });
    match copied {
        Ok(()) => c.batch("COMMIT"),
        Err(e) => {
            let _ = c.batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Puts every file of the backup `c` is on into `files`, as stored; returns how many.
fn files_out(c: &mut dyn Conn, files: &dyn BlobStore) -> Result<u64, StoreError> {
    let mut put = 0_u64;
    let mut after = (String::new(), String::new());
    loop {
        // A page at a time, in key order: files may be large.
        let rows = c.query(
            "SELECT case_id, sha256, body FROM blobs \
             WHERE case_id > ?1 OR (case_id = ?1 AND sha256 > ?2) \
             ORDER BY case_id, sha256 LIMIT 100",
            &[Param::Str(&after.0), Param::Str(&after.1)],
        )?;
        let last = rows.len() < 100;
        for mut row in rows {
            let (id, sha256) = (row.text(0)?, row.text(1)?);
            let body = row.opt_blob(2)?.unwrap_or_default();
            let case_id =
                uuid::Uuid::parse_str(&id).map_err(|_| corrupt("a file row has a bad case id"))?;
            files.put(case_id, &sha256, &body)?;
            put += 1;
            after = (id, sha256);
        }
        if last {
            return Ok(put);
        }
    }
}

/// SQLite's online backup of the file at `from` into `to`, in one step: one read transaction,
/// so the copy is the database as of one commit while the store's writer goes on (WAL).
#[cfg(feature = "sqlite")]
fn online_backup(from: &Path, to: &Path) -> Result<(), StoreError> {
    use rusqlite::{Connection, OpenFlags};

    use crate::store::sqlite::db_error;
    if !from.exists() {
        return Err(StoreError::NoDatabase);
    }
    let source =
        Connection::open_with_flags(from, OpenFlags::SQLITE_OPEN_READ_ONLY).map_err(db_error)?;
    let mut target = Connection::open(to).map_err(db_error)?;
    {
        let backup = rusqlite::backup::Backup::new(&source, &mut target).map_err(db_error)?;
        // Every page in one step (one read transaction); a moment's lock is waited out.
        let mut waits = 0;
        loop {
            match backup.step(-1).map_err(db_error)? {
                rusqlite::backup::StepResult::Done => break,
                _ if waits < BUSY_WAITS => {
                    waits += 1;
                    std::thread::sleep(std::time::Duration::from_millis(10));
                }
                _ => {
                    return Err(StoreError::Backend {
                        reason: "sqlite: the database stayed locked during the backup".into(),
                    });
                }
            }
        }
    }
    target
        .execute_batch("PRAGMA journal_mode = DELETE")
        .map_err(db_error)
}

/// Copies every table the two databases share (but those in `skip`), as one snapshot of
/// `from` into one transaction of `to`.
fn copy_tables(
    from: &mut dyn Conn,
    to: &mut dyn Conn,
    skip: &[&str],
) -> Result<CopyReport, StoreError> {
    from.batch(match from.dialect() {
        Dialect::Sqlite => "BEGIN",
        Dialect::Postgres => "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    })?;
    to.batch(match to.dialect() {
        Dialect::Sqlite => "BEGIN IMMEDIATE",
        Dialect::Postgres => "BEGIN",
    })?;
    let copied = copy_in_transaction(from, to, skip);
    let _ = from.batch("ROLLBACK");
    match copied {
        Ok(report) => {
            to.batch("COMMIT")?;
            Ok(report)
        }
        Err(e) => {
            let _ = to.batch("ROLLBACK");
            Err(e)
        }
    }
}

fn copy_in_transaction(
    from: &mut dyn Conn,
    to: &mut dyn Conn,
    skip: &[&str],
) -> Result<CopyReport, StoreError> {
    let targets = tables(to)?;
    let mut report = CopyReport::default();
    for table in tables(from)? {
        if BOOKKEEPING.contains(&table.as_str())
            || skip.contains(&table.as_str())
            || !targets.contains(&table)
        {
            continue;
        }
        let theirs = columns(to, &table)?;
        let shared: Vec<String> = columns(from, &table)?
            .into_iter()
            .filter(|c| theirs.contains(c))
            .collect();
        if shared.is_empty() {
            continue;
        }
        if to
            .query_opt(&format!("SELECT 1 FROM {table} LIMIT 1"), &[])?
            .is_some()
        {
            return Err(StoreError::NotEmpty);
        }
        let rows = copy_table(from, to, &table, &shared)?;
        report.tables.push(TableCount { table, rows });
    }
    copy_meta(from, to)?;
    if to.dialect() == Dialect::Postgres {
        renumber(to, &targets)?;
    }
    Ok(report)
}

/// Copies the rows of `table` (its columns `cols`), a page at a time in primary-key order.
fn copy_table(
    from: &mut dyn Conn,
    to: &mut dyn Conn,
    table: &str,
    cols: &[String],
) -> Result<u64, StoreError> {
    let list = cols.join(", ");
    let key = primary_key(from, table)?;
    let order = if key.is_empty() {
        list.clone()
    } else {
        key.join(", ")
    };
    let select = format!("SELECT {list} FROM {table} ORDER BY {order} LIMIT ?1 OFFSET ?2");
    let marks: Vec<String> = (1..=cols.len()).map(|i| format!("?{i}")).collect();
    let insert = format!("INSERT INTO {table} ({list}) VALUES ({})", marks.join(", "));
    let mut copied = 0_u64;
    loop {
        let offset = i64::try_from(copied).unwrap_or(i64::MAX);
        let rows = from.query(&select, &[Param::Int(PAGE), Param::Int(offset)])?;
        for row in &rows {
            let params: Vec<Param<'_>> = row.0.iter().map(param).collect();
            to.execute(&insert, &params)?;
        }
        copied += rows.len() as u64;
        if (rows.len() as i64) < PAGE {
            return Ok(copied);
        }
    }
}

fn param(value: &Value) -> Param<'_> {
    match value {
        Value::Text(s) => Param::Str(s),
        Value::Int(n) => Param::Int(*n),
        Value::Blob(b) => Param::Blob(b),
        Value::Null => Param::Null,
    }
}

/// Copies the keys of `siproc_meta` that describe the data (not the database's own schema).
fn copy_meta(from: &mut dyn Conn, to: &mut dyn Conn) -> Result<(), StoreError> {
    for mut row in from.query("SELECT key, value FROM siproc_meta", &[])? {
        let (key, value) = (row.text(0)?, row.text(1)?);
        if OWN_META.contains(&key.as_str()) {
            continue;
        }
        to.execute(
            "INSERT INTO siproc_meta (key, value) VALUES (?1, ?2) \
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            &[Param::Str(&key), Param::Str(&value)],
        )?;
    }
    Ok(())
}

/// After rows came with their own numbers, PostgreSQL's sequences and feed counter continue
/// after them.
fn renumber(c: &mut dyn Conn, tables: &[String]) -> Result<(), StoreError> {
    for table in tables {
        if !columns(c, table)?.iter().any(|col| col == "id") {
            continue;
        }
        let sequence = c
            .query_one(
                "SELECT pg_get_serial_sequence(?1, 'id')",
                &[Param::Str(table)],
            )?
            .opt_text(0)?;
        if let Some(sequence) = sequence {
            c.query(
                &format!(
                    "SELECT setval(CAST(CAST(?1 AS TEXT) AS regclass), \
                     (SELECT COALESCE(MAX(id), 0) FROM {table}) + 1, false)"
                ),
                &[Param::Str(&sequence)],
            )?;
        }
    }
    c.execute(
        "UPDATE feed_counter SET last = (SELECT COALESCE(MAX(position), 0) FROM events)",
        &[],
    )?;
    Ok(())
}

/// The tables of the database, in name order (never SQLite's own).
fn tables(c: &mut dyn Conn) -> Result<Vec<String>, StoreError> {
    let sql = match c.dialect() {
        Dialect::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' \
             AND name NOT LIKE 'sqlite%' ORDER BY name"
        }
        Dialect::Postgres => {
            "SELECT table_name::text FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             ORDER BY table_name"
        }
    };
    names(c, sql, &[])
}

/// The columns of `table`, in their order.
fn columns(c: &mut dyn Conn, table: &str) -> Result<Vec<String>, StoreError> {
    let sql = match c.dialect() {
        Dialect::Sqlite => "SELECT name FROM pragma_table_info(?1) ORDER BY cid",
        Dialect::Postgres => {
            "SELECT column_name::text FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name::text = ?1 \
             ORDER BY ordinal_position"
        }
    };
    names(c, sql, &[Param::Str(table)])
}

/// The primary key's columns of `table`, in key order (empty when it has none).
fn primary_key(c: &mut dyn Conn, table: &str) -> Result<Vec<String>, StoreError> {
    let sql = match c.dialect() {
        Dialect::Sqlite => "SELECT name FROM pragma_table_info(?1) WHERE pk > 0 ORDER BY pk",
        Dialect::Postgres => {
            "SELECT k.column_name::text FROM information_schema.table_constraints t \
             JOIN information_schema.key_column_usage k ON k.constraint_name = t.constraint_name \
               AND k.table_schema = t.table_schema AND k.table_name = t.table_name \
             WHERE t.constraint_type = 'PRIMARY KEY' AND t.table_schema = current_schema() \
               AND t.table_name::text = ?1 ORDER BY k.ordinal_position"
        }
    };
    names(c, sql, &[Param::Str(table)])
}

/// Identifiers read from the catalog; each is checked to be a plain SQL name before it is
/// written into a statement (a crafted backup file cannot smuggle SQL in a table's name).
fn names(c: &mut dyn Conn, sql: &str, params: &[Param<'_>]) -> Result<Vec<String>, StoreError> {
    c.query(sql, params)?
        .into_iter()
        .map(|mut r| {
            let name = r.text(0)?;
            let plain = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
            if plain {
                Ok(name)
            } else {
                Err(corrupt("a table or column has a name siproc never gives"))
            }
        })
        .collect()
}

/// The rows of each table of the SQLite file `c` is on.
fn count_tables(c: &mut dyn Conn) -> Result<CopyReport, StoreError> {
    let mut report = CopyReport::default();
    for table in tables(c)? {
        if BOOKKEEPING.contains(&table.as_str()) {
            continue;
        }
        let rows = c
            .query_one(&format!("SELECT COUNT(*) FROM {table}"), &[])?
            .int(0)?;
        report.tables.push(TableCount {
            table,
            rows: u64::try_from(rows).unwrap_or(0),
        });
    }
    Ok(report)
}

/// `path` with `suffix` added to its name (`.partial`, SQLite's `-wal`).
fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Removes an SQLite file and its journal files, if there.
fn remove_sqlite_files(path: &Path) {
    for file in [
        path.to_path_buf(),
        beside(path, "-wal"),
        beside(path, "-shm"),
        beside(path, "-journal"),
    ] {
        let _ = fs::remove_file(file);
    }
}

/// Makes the rename of `path` durable: its folder is synced.
fn sync_folder(path: &Path) -> Result<(), StoreError> {
    let folder = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::File::open(folder)
        .and_then(|f| f.sync_all())
        .map_err(io_error)
}

fn io_error(e: std::io::Error) -> StoreError {
    StoreError::Backend {
        reason: format!("file: {}", e.kind()),
    }
}
