//! [`open_store`]: one URL picks the store.

use super::{CaseStore, MemoryStore, StoreError};

/// Opens the store a URL names:
///
/// - `sqlite:///path/cases.db` (three slashes for an absolute path, `sqlite://cases.db` or
///   `sqlite:cases.db` for a relative one), or a plain path (anything without `://`): the SQLite store (feature
///   `sqlite`), created if missing, migrated to the current schema;
/// - `postgresql://…` or `postgres://…` (a libpq URL: user, password, host, port, database,
///   `?options`): the PostgreSQL store (feature `postgres`), migrated likewise;
/// - `memory:`: a new, empty [`MemoryStore`].
///
/// An unknown scheme, an empty path or a backend this build lacks is `store.bad_url`; a
/// database from a newer siproc `store.newer_schema`; a file that is not a siproc store
/// `store.corrupt`. Errors never quote the URL (it may hold a password).
pub fn open_store(url: &str) -> Result<Box<dyn CaseStore>, StoreError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(bad("the URL is empty"));
    }
    if url == "memory:" || url == "memory://" {
        return Ok(Box::new(MemoryStore::new()));
    }
    if let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    {
        return sqlite(path);
    }
    if url.starts_with("postgresql://") || url.starts_with("postgres://") {
        return postgres(url);
    }
    if url.contains("://") {
        return Err(bad("unknown scheme (use sqlite:, postgresql: or memory:)"));
    }
    sqlite(url)
}

fn bad(reason: &'static str) -> StoreError {
    StoreError::BadUrl { reason }
}

#[cfg(feature = "sqlite")]
fn sqlite(path: &str) -> Result<Box<dyn CaseStore>, StoreError> {
    if path.is_empty() {
        return Err(bad("the SQLite path is empty"));
    }
    Ok(Box::new(super::sqlite::SqliteStore::open(path)?))
}

#[cfg(not(feature = "sqlite"))]
fn sqlite(_: &str) -> Result<Box<dyn CaseStore>, StoreError> {
    Err(bad(
        "this build has no SQLite store (siproc-core feature `sqlite`)",
    ))
}

#[cfg(feature = "postgres")]
fn postgres(url: &str) -> Result<Box<dyn CaseStore>, StoreError> {
    Ok(Box::new(super::postgres::PostgresStore::open(url)?))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_: &str) -> Result<Box<dyn CaseStore>, StoreError> {
    Err(bad(
        "this build has no PostgreSQL store (siproc-core feature `postgres`)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_are_typed_errors() {
        for url in ["", "  ", "mysql://u:secret@h/db", "http://x", "sqlite://"] {
            let err = open_store(url).err().map(|e| e.code());
            assert_eq!(err, Some("store.bad_url"), "{url}");
        }
        let message = open_store("mysql://u:secret@h/db")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!message.contains("secret"));
        assert!(open_store("memory:").is_ok());
    }
}
