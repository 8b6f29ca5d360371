//! Keeping a store for years: a consistent copy taken while it serves ([`backup`]), that copy
//! put back into an empty database ([`restore`]), and a check that everything stored is whole
//! ([`check`]).
//!
//! A backup is always an SQLite file of this build's schema: the embedded store's own format,
//! readable by any siproc and by `sqlite3`, whatever the database it was taken from. From an
//! SQLite store it is SQLite's online backup (one read transaction: writers go on, the copy is
//! the database as of one commit); from PostgreSQL it is every table read in one
//! `REPEATABLE READ` transaction (one snapshot). Rows are copied as stored, so what is
//! encrypted stays encrypted. A restore writes every table of a backup into an empty database
//! (SQLite or PostgreSQL) in one transaction: all of it or nothing.
//!
//! These work on the database directly, beside any server using it: they take their own
//! connection and never go through a store's writer. A backup and a restore copy ciphertexts
//! as they are and need no key; checking an encrypted store needs its master key (to open the
//! sealed values against their commitments and to recompute the blind index terms).

mod check;
mod copy;

pub use check::{CheckReport, Problem, check};
pub use copy::{CopyReport, TableCount, backup, restore};

use std::path::Path;

use super::StoreError;
use super::StoreUrl;
use super::sql::conn::Conn;

/// Runs `f` on a connection of its own to the database `url` names, its schema migrated to
/// this build's. An SQLite file must exist (nothing is created); `memory:` holds nothing to
/// keep.
fn with_database<T>(
    url: &StoreUrl,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    match url {
        StoreUrl::Memory => Err(StoreError::BadUrl {
            reason: "an in-memory store has nothing to back up, restore or check",
        }),
        #[cfg(feature = "sqlite")]
        StoreUrl::Sqlite(path) => {
            if !path.exists() {
                return Err(StoreError::NoDatabase);
            }
            with_sqlite(path, f)
        }
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(url) => {
            let pool = super::postgres::connect_pool(url, 1)?;
            super::postgres::with_client(&pool, |c| {
                // The schema only: no key is needed to copy rows as stored.
                c.batch("BEGIN")?;
                match super::sql::schema::migrate(c) {
                    Ok(()) => c.batch("COMMIT")?,
                    Err(e) => {
                        let _ = c.batch("ROLLBACK");
                        return Err(e);
                    }
                }
                f(c)
            })
        }
        #[allow(unreachable_patterns)]
        _ => Err(StoreError::BadUrl {
            reason: "this build has no SQL store for this URL",
        }),
    }
}

/// Runs `f` on a connection to the SQLite file at `path` (created if missing), migrated.
#[cfg(feature = "sqlite")]
fn with_sqlite<T>(
    path: &Path,
    f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut conn = super::sqlite::connect(path)?;
    // The schema only: no key is needed to copy rows as stored.
    super::sqlite::in_transaction(&mut conn, super::sql::schema::migrate)?;
    f(&mut super::sqlite::Lite(&conn))
}

impl super::Records {
    /// The schema version of the database the records are in (a query: it also shows the
    /// database answers). A server is ready when it is this build's
    /// [`crate::store::sqlite::SCHEMA_VERSION`].
    pub fn schema_version(&self) -> Result<u32, StoreError> {
        self.with(super::sql::schema::version)
    }
}
