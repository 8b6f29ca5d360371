//! Where the cases live: the core reads the database URL ([`StoreUrl`]) and opens the case
//! store and the server's records in the one database it names
//! ([`StoreUrl::open_database`]): an SQLite file, a PostgreSQL database, or memory.

use std::sync::Arc;

use siproc_core::blobs::s3::{S3Blobs, S3Config};
use siproc_core::blobs::{BlobError, BlobPlace, BlobStore, DirectoryBlobs};
use siproc_core::keys::MasterKey;
use siproc_core::store::{CaseStore, StoreError, StoreUrl};

use crate::db::ServerDb;

/// Opens the blob storage `place` names ([`BlobPlace`]); `database` keeps blobs in the
/// database `db` is in. S3 credentials come from the environment (`AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`).
pub fn open_blobs(place: &BlobPlace, db: &ServerDb) -> Result<Arc<dyn BlobStore>, BlobError> {
    Ok(match place {
        BlobPlace::Database => Arc::new(db.blobs()),
        BlobPlace::Directory(path) => Arc::new(DirectoryBlobs::new(path)?),
        BlobPlace::S3 {
            bucket,
            prefix,
            endpoint,
            region,
        } => Arc::new(S3Blobs::new(&S3Config {
            bucket: bucket.clone(),
            prefix: prefix.clone(),
            endpoint: endpoint.clone(),
            region: region.clone(),
            ..S3Config::default()
        })?),
    })
}

/// Opens the case store and the server's records in the database `url` names, with the
/// store's master key when it is encrypted (`docs/data-protection.md`).
pub fn open(
    url: &StoreUrl,
    master: Option<&MasterKey>,
) -> Result<(Arc<dyn CaseStore>, ServerDb), StoreError> {
    let (cases, records) = url.open_database_with_key(master)?;
    Ok((Arc::from(cases), records))
}
