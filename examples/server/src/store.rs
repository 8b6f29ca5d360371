//! Where the cases live: the core reads the database URL ([`StoreUrl`]) and opens the case
//! store and the server's records in the one database it names
//! ([`StoreUrl::open_database`]): an SQLite file, a PostgreSQL database, or memory.

use std::sync::Arc;

use siproc_core::store::{CaseStore, StoreError, StoreUrl};

use crate::db::ServerDb;

/// Opens the case store and the server's records in the database `url` names.
pub fn open(url: &StoreUrl) -> Result<(Arc<dyn CaseStore>, ServerDb), StoreError> {
    let (cases, records) = url.open_database()?;
    Ok((Arc::from(cases), records))
}
