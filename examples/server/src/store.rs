//! Where the cases live: the database URL picks the case store, and the server's own tables go
//! into the same database.
//!
//! URLs: `sqlite:///absolute/path.db`, `sqlite://relative/path.db`, a plain path,
//! `postgresql://user@host:port/db` (or `postgres://…`), or `memory:`. The case store is the
//! core's ([`siproc_core::store::open_store`]): the SQLite file or PostgreSQL database holds the
//! cases, and the server's own tables (tokens, grants, access log, idempotency keys) beside
//! them. The case store opens first: it refuses a database that already holds other tables.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use siproc_core::store::open_store;
use siproc_core::store::{CaseStore, MemoryStore};

use crate::db::ServerDb;

/// Where the data goes, as read from a database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database (the URL as given: it may hold a password, so it is never shown).
    Postgres(String),
    /// Nothing durable.
    Memory,
}

/// A database URL that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// Not a URL this server understands.
    #[error("unsupported database URL (use sqlite:///path, a path, postgresql://…, or memory:)")]
    Unsupported,
    /// The database could not be opened.
    #[error("cannot open the database: {0}")]
    Open(String),
}

impl Database {
    /// Reads a database URL.
    pub fn parse(url: &str) -> Result<Database, DatabaseError> {
        if url == "memory:" {
            return Ok(Database::Memory);
        }
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            return Ok(Database::Postgres(url.to_owned()));
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(DatabaseError::Unsupported);
        }
        Ok(Database::Sqlite(PathBuf::from(path)))
    }

    /// Opens the case store and the server's tables.
    pub fn open(&self) -> Result<(Arc<dyn CaseStore>, ServerDb), DatabaseError> {
        let (cases, db): (Arc<dyn CaseStore>, _) = match self {
            Database::Sqlite(path) => {
                create_parent(path)?;
                let text = path.to_str().ok_or(DatabaseError::Unsupported)?;
                let cases =
                    open_store(text).map_err(|e| DatabaseError::Open(e.code().to_owned()))?;
                (Arc::from(cases), ServerDb::open(path))
            }
            Database::Postgres(url) => {
                let cases =
                    open_store(url).map_err(|e| DatabaseError::Open(e.code().to_owned()))?;
                (Arc::from(cases), ServerDb::connect(url))
            }
            Database::Memory => (Arc::new(MemoryStore::new()), ServerDb::in_memory()),
        };
        let db = db.map_err(|e| DatabaseError::Open(e.to_string()))?;
        Ok((cases, db))
    }
}

fn create_parent(path: &Path) -> Result<(), DatabaseError> {
    match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => {
            std::fs::create_dir_all(dir).map_err(|e| DatabaseError::Open(e.to_string()))
        }
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls() {
        assert_eq!(
            Database::parse("sqlite://./data/siproc.db").ok(),
            Some(Database::Sqlite(PathBuf::from("./data/siproc.db")))
        );
        assert_eq!(
            Database::parse("sqlite:///var/x.db").ok(),
            Some(Database::Sqlite(PathBuf::from("/var/x.db")))
        );
        assert_eq!(
            Database::parse("cases.db").ok(),
            Some(Database::Sqlite(PathBuf::from("cases.db")))
        );
        assert_eq!(Database::parse("memory:").ok(), Some(Database::Memory));
        assert_eq!(
            Database::parse("postgresql://u@127.0.0.1:5432/db").ok(),
            Some(Database::Postgres(
                "postgresql://u@127.0.0.1:5432/db".to_owned()
            ))
        );
        assert!(Database::parse("mysql://x").is_err());
        assert!(Database::parse("").is_err());
    }
}
