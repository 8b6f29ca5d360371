//! [`StoreUrl`]: one reader of database URLs for every face, and [`open_store`] /
//! [`open_database`], which open what a URL names.
//!
//! The spellings, the same everywhere (library, Python, the server's `--database`):
//!
//! | URL | store |
//! |---|---|
//! | `sqlite:///abs/cases.db` | the SQLite file `/abs/cases.db` |
//! | `sqlite://cases.db`, `sqlite:cases.db`, `cases.db` (a plain path, no `://`) | the SQLite file `cases.db` (relative to the working directory) |
//! | `postgresql://…`, `postgres://…` | a PostgreSQL database (libpq URL: user, password, host, port, database, `?options`) |
//! | `memory:`, `memory://` | a new, empty in-memory store |
//!
//! The cases and the records kept about access ([`super::records`]) always live in the one
//! database the URL names.
//!
//! # The master key
//!
//! An encrypted store ([`crate::keys`]) opens only with its master key. [`open_store`] and
//! [`open_database`] (what the faces call with a URL's text) read it from the file
//! `SIPROC_MASTER_KEY_FILE` names, when set; [`open_store_with_key`],
//! [`open_database_with_key`], [`StoreUrl::open_with_key`] and the backends'
//! `open_with_key` take it explicitly (`None`: no key). A new SQLite file or PostgreSQL
//! database opened with a key is encrypted from its first case; a `memory:` store keeps
//! nothing at rest and takes any key or none.

use std::path::{Path, PathBuf};

use super::{CaseStore, MemoryStore, StoreError};
use crate::keys::MasterKey;

/// A database URL, read once ([`StoreUrl::parse`]); what the faces pass around instead of text.
/// Its `Debug` form never shows a PostgreSQL URL (it may hold a password).
#[derive(Clone, PartialEq, Eq)]
pub enum StoreUrl {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL database: the URL as given.
    Postgres(String),
    /// Nothing durable.
    Memory,
}

impl std::fmt::Debug for StoreUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoreUrl::Sqlite(path) => f.debug_tuple("Sqlite").field(path).finish(),
            StoreUrl::Postgres(_) => f.write_str("Postgres(..)"),
            StoreUrl::Memory => f.write_str("Memory"),
        }
    }
}

fn bad(reason: &'static str) -> StoreError {
    StoreError::BadUrl { reason }
}

impl StoreUrl {
    /// Reads a database URL (see [the module](self) for the spellings). An unknown scheme or an
    /// empty path is `store.bad_url`; the error never quotes the URL.
    pub fn parse(url: &str) -> Result<StoreUrl, StoreError> {
        let url = url.trim();
        if url.is_empty() {
            return Err(bad("the URL is empty"));
        }
        if url == "memory:" || url == "memory://" {
            return Ok(StoreUrl::Memory);
        }
        if url.starts_with("postgresql://") || url.starts_with("postgres://") {
            return Ok(StoreUrl::Postgres(url.to_owned()));
        }
        let path = match url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
        {
            Some(path) => path,
            None if url.contains("://") => {
                return Err(bad("unknown scheme (use sqlite:, postgresql: or memory:)"));
            }
            None => url,
        };
        if path.is_empty() {
            return Err(bad("the SQLite path is empty"));
        }
        Ok(StoreUrl::Sqlite(PathBuf::from(path)))
    }

    /// Opens the unencrypted case store the URL names, creating an SQLite file (and its
    /// folder) if missing; the schema is migrated to this build's. An encrypted store is
    /// `store.key_required` ([`StoreUrl::open_with_key`]).
    pub fn open(&self) -> Result<Box<dyn CaseStore>, StoreError> {
        self.open_with_key(None)
    }

    /// Opens the case store the URL names with its master key (see [the module](self)):
    /// `store.key_required` / `store.wrong_key` for an encrypted store opened without its key
    /// or with another, `store.unencrypted` for a key given to a store of clear cases.
    pub fn open_with_key(
        &self,
        master: Option<&MasterKey>,
    ) -> Result<Box<dyn CaseStore>, StoreError> {
        match self {
            StoreUrl::Memory => Ok(Box::new(MemoryStore::new())),
            StoreUrl::Sqlite(path) => {
                sqlite(path, master).map(|s| Box::new(s) as Box<dyn CaseStore>)
            }
            StoreUrl::Postgres(url) => {
                postgres(url, master).map(|s| Box::new(s) as Box<dyn CaseStore>)
            }
        }
    }

    /// Opens the unencrypted case store and the records kept beside it, in the one database
    /// the URL names (for `memory:`, a private in-memory database for the records).
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub fn open_database(
        &self,
    ) -> Result<(Box<dyn CaseStore>, super::records::Records), StoreError> {
        self.open_database_with_key(None)
    }

    /// [`StoreUrl::open_database`] with the store's master key ([`StoreUrl::open_with_key`]).
    #[cfg(any(feature = "sqlite", feature = "postgres"))]
    pub fn open_database_with_key(
        &self,
        master: Option<&MasterKey>,
    ) -> Result<(Box<dyn CaseStore>, super::records::Records), StoreError> {
        match self {
            #[cfg(feature = "sqlite")]
            StoreUrl::Memory => Ok((
                Box::new(MemoryStore::new()),
                super::records::Records::in_memory()?,
            )),
            #[cfg(feature = "sqlite")]
            StoreUrl::Sqlite(path) => {
                let store = sqlite(path, master)?;
                let records = store.access_records();
                Ok((Box::new(store), records))
            }
            #[cfg(feature = "postgres")]
            StoreUrl::Postgres(url) => {
                let store = postgres(url, master)?;
                let records = store.access_records();
                Ok((Box::new(store), records))
            }
            #[allow(unreachable_patterns)]
            _ => Err(bad("this build has no SQL store for this URL")),
        }
    }
}

/// Opens the store a URL names ([`StoreUrl::parse`], then [`StoreUrl::open_with_key`]), with
/// the master key in the file `SIPROC_MASTER_KEY_FILE` names when it is set
/// ([`MasterKey::from_env`]).
///
/// An unknown scheme, an empty path or a backend this build lacks is `store.bad_url`; a
/// database from a newer siproc `store.newer_schema`; a file that is not a siproc store
/// `store.corrupt`; the key errors are [`StoreUrl::open_with_key`]'s and `store.key_file`.
/// Errors never quote the URL (it may hold a password) nor the key.
pub fn open_store(url: &str) -> Result<Box<dyn CaseStore>, StoreError> {
    let url = StoreUrl::parse(url)?;
    url.open_with_key(MasterKey::from_env()?.as_ref())
}

/// Opens the store a URL names with an explicit master key (`None`: none, whatever the
/// environment says).
pub fn open_store_with_key(
    url: &str,
    master: Option<&MasterKey>,
) -> Result<Box<dyn CaseStore>, StoreError> {
    StoreUrl::parse(url)?.open_with_key(master)
}

/// Opens the store a URL names and the records kept beside it, in the same database
/// ([`StoreUrl::open_database_with_key`]), with the master key `SIPROC_MASTER_KEY_FILE` names
/// when it is set.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub fn open_database(
    url: &str,
) -> Result<(Box<dyn CaseStore>, super::records::Records), StoreError> {
    let url = StoreUrl::parse(url)?;
    url.open_database_with_key(MasterKey::from_env()?.as_ref())
}

/// [`open_database`] with an explicit master key (`None`: none, whatever the environment says).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub fn open_database_with_key(
    url: &str,
    master: Option<&MasterKey>,
) -> Result<(Box<dyn CaseStore>, super::records::Records), StoreError> {
    StoreUrl::parse(url)?.open_database_with_key(master)
}

#[cfg(feature = "sqlite")]
fn sqlite(
    path: &Path,
    master: Option<&MasterKey>,
) -> Result<super::sqlite::SqliteStore, StoreError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Backend {
            reason: format!("sqlite: cannot create the database's folder ({})", e.kind()),
        })?;
    }
    super::sqlite::SqliteStore::open_with_key(path, master)
}

#[cfg(not(feature = "sqlite"))]
fn sqlite(_: &Path, _: Option<&MasterKey>) -> Result<MemoryStore, StoreError> {
    Err(bad(
        "this build has no SQLite store (siproc-core feature `sqlite`)",
    ))
}

#[cfg(feature = "postgres")]
fn postgres(
    url: &str,
    master: Option<&MasterKey>,
) -> Result<super::postgres::PostgresStore, StoreError> {
    super::postgres::PostgresStore::open_with_key(url, master)
}

#[cfg(not(feature = "postgres"))]
fn postgres(_: &str, _: Option<&MasterKey>) -> Result<MemoryStore, StoreError> {
    Err(bad(
        "this build has no PostgreSQL store (siproc-core feature `postgres`)",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_urls_are_typed_errors() {
        for url in [
            "",
            "  ",
            "mysql://u:secret@h/db",
            "http://x",
            "sqlite://",
            "sqlite:",
        ] {
            let err = open_store(url).err().map(|e| e.code());
            assert_eq!(err, Some("store.bad_url"), "{url}");
        }
        let message = open_store("mysql://u:secret@h/db")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(!message.contains("secret"));
        assert!(open_store("memory:").is_ok());
        assert!(open_store("memory://").is_ok());
    }

    #[test]
    fn every_spelling_means_one_thing() {
        let sqlite = |p: &str| Some(StoreUrl::Sqlite(PathBuf::from(p)));
        for (url, want) in [
            ("sqlite:cases.db", sqlite("cases.db")),
            ("sqlite://cases.db", sqlite("cases.db")),
            ("cases.db", sqlite("cases.db")),
            ("sqlite:///abs/cases.db", sqlite("/abs/cases.db")),
            ("/abs/cases.db", sqlite("/abs/cases.db")),
            ("sqlite://./data/siproc.db", sqlite("./data/siproc.db")),
            ("memory:", Some(StoreUrl::Memory)),
            ("memory://", Some(StoreUrl::Memory)),
            (
                "postgresql://u@127.0.0.1:5432/db",
                Some(StoreUrl::Postgres(
                    "postgresql://u@127.0.0.1:5432/db".into(),
                )),
            ),
            (
                "postgres://u@h/db",
                Some(StoreUrl::Postgres("postgres://u@h/db".into())),
            ),
        ] {
            assert_eq!(StoreUrl::parse(url).ok(), want, "{url}");
        }
        let shown = format!("{:?}", StoreUrl::parse("postgresql://u:secret@h/db"));
        assert!(!shown.contains("secret"), "{shown}");
    }
}
