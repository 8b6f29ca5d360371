//! Where the cases live: the database URL picks the case store, and the server's own tables go
//! into the same database.
//!
//! URLs: `sqlite:///absolute/path.db`, `sqlite://relative/path.db`, a plain path, or `memory:`.
//! The case store itself is the core's; until the core's durable stores are available this
//! server keeps cases in the core's `MemoryStore` (cases do not survive a restart), while its
//! own tables are already durable in the named SQLite file.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use siproc_core::{CaseStore, MemoryStore};

use crate::db::ServerDb;

/// Where the data goes, as read from a database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// Nothing durable.
    Memory,
}

/// A database URL that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// Not a URL this server understands.
    #[error("unsupported database URL (use sqlite:///path, a path, or memory:)")]
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
            return Err(DatabaseError::Unsupported);
        }
        let path = url.strip_prefix("sqlite://").unwrap_or(url);
        if path.is_empty() || path.contains("://") {
            return Err(DatabaseError::Unsupported);
        }
        Ok(Database::Sqlite(PathBuf::from(path)))
    }

    /// Opens the case store and the server's tables.
    pub fn open(&self) -> Result<(Arc<dyn CaseStore>, ServerDb), DatabaseError> {
        let db = match self {
            Database::Sqlite(path) => {
                create_parent(path)?;
                ServerDb::open(path)
            }
            Database::Memory => ServerDb::in_memory(),
        }
        .map_err(|e| DatabaseError::Open(e.to_string()))?;
        Ok((Arc::new(MemoryStore::new()), db))
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
        assert!(Database::parse("mysql://x").is_err());
        assert!(Database::parse("").is_err());
    }
}
