//! The one SQL layer under both durable stores: the schema, every statement and every row
//! conversion, written once for SQLite and PostgreSQL.
//!
//! - [`conn`]: what a statement needs of a database ([`conn::Conn`]: run a statement with
//!   parameters, read rows) and the few places the two dialects differ ([`conn::Dialect`]);
//! - [`schema`]: one list of migrations for both, applied at open;
//! - [`rows`]: a case as the rows it is written as (summary, events, terms, statistics record);
//! - [`write`]: creating, appending, importing and numbering, checked against what the writer
//!   read (a compare-and-swap answering `Write::Stale`);
//! - [`read`]: histories (verified), summaries, searches, statistics records, the feed;
//! - [`search`]: the case search as one `SELECT`;
//! - [`verified`]: the histories a process already verified;
//! - [`crypt`]: encryption at rest (data keys, encrypted sealed values, blind index terms);
//! - [`gather`]: the writes queued at one moment gathered into one commit (group commit).
//!
//! Each backend keeps only what is its own: [`super::sqlite`] its adapter for rusqlite, its
//! writer thread and group commit; [`super::postgres`] its adapter for the `postgres` crate,
//! its pool, row locks and `LISTEN`. The records kept about access ([`super::records`]) use the
//! same layer.

pub(crate) mod conn;
pub(crate) mod crypt;
pub(crate) mod gather;
pub(crate) mod read;
pub(crate) mod rows;
pub(crate) mod schema;
pub(crate) mod search;
pub(crate) mod verified;
pub(crate) mod write;

pub use schema::SCHEMA_VERSION;
#[cfg(feature = "postgres")]
pub use write::NOTIFY_CHANNEL;
