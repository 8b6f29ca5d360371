//! Where the cases live: the core reads the database URL ([`StoreUrl`]) and opens the case
//! store and the server's records in the one database it names
//! ([`StoreUrl::open_database`]): an SQLite file, a PostgreSQL database, or memory.

use std::sync::Arc;

use siproc_core::keys::MasterKey;
use siproc_core::store::{CaseStore, StoreError, StoreUrl};

use crate::db::ServerDb;

/// Opens the case store and the server's records in the database `url` names, with the
/// store's master key when it is encrypted (`docs/data-protection.md`).
pub fn open(
    url: &StoreUrl,
    master: Option<&MasterKey>,
) -> Result<(Arc<dyn CaseStore>, ServerDb), StoreError> {
    let (cases, records) = url.open_database_with_key(master)?;
    Ok((Arc::from(cases), records))
}
