//! [`DatabaseBlobs`]: blobs in the case database's `blobs` table (schema 11), through the one
//! SQL layer, on SQLite and PostgreSQL alike.

use uuid::Uuid;

use super::records::Records;
use super::sql::conn::Param;
use crate::blobs::{BlobError, BlobStore, check_digest};

/// Blobs in the table `blobs (case_id, sha256, body)` of the database that also holds the
/// cases ([`crate::store::sqlite::SqliteStore::blobs`],
/// [`crate::store::postgres::PostgresStore::blobs`]): a backup of the database carries them,
/// and on SQLite a blob is written by the store's one writer, durably, like the events.
#[derive(Debug)]
pub struct DatabaseBlobs {
    records: Records,
}

impl DatabaseBlobs {
    /// Blobs in the database `records` reach.
    pub fn new(records: Records) -> DatabaseBlobs {
        DatabaseBlobs { records }
    }
}

impl Records {
    /// The blobs kept in the same database as these records ([`DatabaseBlobs`]), on the same
    /// connections.
    pub fn blobs(&self) -> DatabaseBlobs {
        DatabaseBlobs::new(self.clone())
    }
}

impl BlobStore for DatabaseBlobs {
    fn put(&self, case_id: Uuid, sha256: &str, body: &[u8]) -> Result<(), BlobError> {
        check_digest(sha256)?;
        let (id, sha, body) = (case_id.to_string(), sha256.to_owned(), body.to_vec());
        self.records.write(move |c| {
            c.execute(
                "INSERT INTO blobs (case_id, sha256, body) VALUES (?1, ?2, ?3) \
                 ON CONFLICT (case_id, sha256) DO NOTHING",
                &[Param::Str(&id), Param::Str(&sha), Param::Blob(&body)],
            )
            .map(drop)
        })?;
        Ok(())
    }

    fn get(&self, case_id: Uuid, sha256: &str) -> Result<Option<Vec<u8>>, BlobError> {
        check_digest(sha256)?;
        let id = case_id.to_string();
        let body = self.records.with(|c| {
            match c.query_opt(
                "SELECT body FROM blobs WHERE case_id = ?1 AND sha256 = ?2",
                &[Param::Str(&id), Param::Str(sha256)],
            )? {
                Some(mut row) => Ok(Some(row.opt_blob(0)?.unwrap_or_default())),
                None => Ok(None),
            }
        })?;
        Ok(body)
    }

    fn list(&self, case_id: Uuid) -> Result<Vec<String>, BlobError> {
        let id = case_id.to_string();
        let names = self.records.with(|c| {
            c.query(
                "SELECT sha256 FROM blobs WHERE case_id = ?1 ORDER BY sha256",
                &[Param::Str(&id)],
            )?
            .into_iter()
            .map(|mut r| r.text(0))
            .collect::<Result<Vec<_>, _>>()
        })?;
        Ok(names)
    }

    fn remove_case(&self, case_id: Uuid) -> Result<(), BlobError> {
        let id = case_id.to_string();
        self.records.write(move |c| {
            c.execute("DELETE FROM blobs WHERE case_id = ?1", &[Param::Str(&id)])
                .map(drop)
        })?;
        Ok(())
    }
}
