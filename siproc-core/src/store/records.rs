//! The records a ministry keeps beside the cases, about who reached them: the access log
//! ([`AccessEntry`]), break-the-glass grants ([`crate::access::Grant`]), the log of paper-form checks
//! ([`FormCheckRecord`]) and the request keys of the programs that call in (idempotency keys);
//! users and API tokens are `super::accounts`'.
//!
//! They live in the cases' own database (SQLite or PostgreSQL), written and read through the
//! one SQL layer ([`Records`], features `sqlite` / `postgres`), so every face — the reference
//! server, Python, an embedding application — keeps them the same way. Every write commits
//! durably before it returns: an access-log line exists before the read it records is answered.
//! Nothing here holds a personal value of a case: ids, roles, offices, kinds and times; a
//! break-the-glass reason is the officer's free text.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub use self::sql_records::Records;

/// A filter on the access log.
#[derive(Debug, Default, Clone)]
pub struct LogFilter {
    /// One case.
    pub case_id: Option<Uuid>,
    /// One user.
    pub user_id: Option<String>,
    /// From this moment on.
    pub since: Option<DateTime<Utc>>,
    /// At most this many entries (newest first).
    pub limit: u32,
}

/// How a paper-form check ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CheckOutcome {
    /// The code is a form's: the form is genuine.
    Genuine,
    /// A well-formed code that no form has.
    Unknown,
    /// Not a verification code.
    Malformed,
    /// Refused unread: too many failed checks from the client.
    Limited,
}

impl CheckOutcome {
    /// Every outcome.
    pub const ALL: [CheckOutcome; 4] = [
        CheckOutcome::Genuine,
        CheckOutcome::Unknown,
        CheckOutcome::Malformed,
        CheckOutcome::Limited,
    ];

    /// The wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckOutcome::Genuine => "genuine",
            CheckOutcome::Unknown => "unknown",
            CheckOutcome::Malformed => "malformed",
            CheckOutcome::Limited => "limited",
        }
    }

    /// The outcome of a wire name.
    pub fn parse(s: &str) -> Option<CheckOutcome> {
        CheckOutcome::ALL.into_iter().find(|o| o.as_str() == s)
    }
}

/// One line of the form-check log: never the code checked, never the client's address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FormCheckRecord {
    /// When.
    pub at: DateTime<Utc>,
    /// How it ended.
    pub outcome: CheckOutcome,
    /// The form a genuine code named (its catalog id).
    pub form: Option<String>,
    /// The office that generated it.
    pub office: Option<String>,
    /// The client as a keyed hash (the key lives in the checking process only, so the same
    /// client is recognisable within one run and no address can be recovered), or null.
    pub client: Option<String>,
}

/// Which form checks to read.
#[derive(Debug, Clone, Default)]
pub struct CheckFilter {
    /// Only this outcome.
    pub outcome: Option<CheckOutcome>,
    /// From this moment on.
    pub since: Option<DateTime<Utc>>,
    /// At most this many (newest first).
    pub limit: u32,
}

#[cfg(any(feature = "sqlite", feature = "postgres"))]
pub(super) mod sql_records {
    use chrono::{DateTime, Utc};
    use uuid::Uuid;

    use super::{CheckFilter, CheckOutcome, FormCheckRecord, LogFilter};
    use crate::access::{Access, AccessEntry, ReadKind};
    use crate::actor::Role;
    use crate::store::StoreError;
    use crate::store::sql::conn::{Conn, Param, Row};
    use crate::store::sql::rows::{corrupt, timestamp};

    /// Where the records are: a connection of its own to the SQLite file (or a private
    /// in-memory database), or the PostgreSQL store's pool.
    #[derive(Clone)]
    pub(in crate::store) enum Backend {
        /// A connection of their own (an in-memory database).
        #[cfg(feature = "sqlite")]
        Sqlite(std::sync::Arc<std::sync::Mutex<rusqlite::Connection>>),
        /// An SQLite store's file: its writer and its readers.
        #[cfg(feature = "sqlite")]
        SqliteFile(std::sync::Arc<crate::store::sqlite::File>),
        /// The PostgreSQL store's pool, and its writer of records (group commit).
        #[cfg(feature = "postgres")]
        Postgres(
            crate::store::postgres::Pool,
            crate::store::postgres::RecordWriter,
        ),
    }

    /// The records kept beside the cases (see [the module](super)), in the cases' database.
    /// Made by [`crate::store::open_database`], or by a backend: [`crate::store::sqlite::SqliteStore::access_records`],
    /// [`crate::store::postgres::PostgresStore::access_records`].
    #[derive(Clone)]
    pub struct Records {
        pub(in crate::store) backend: Backend,
        /// The keys of an encrypted store (second-factor secrets are sealed with them).
        pub(in crate::store) keys: Option<std::sync::Arc<crate::store::sql::crypt::StoreKeys>>,
    }

    impl std::fmt::Debug for Records {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("Records")
        }
    }

    /// A value whose serde form is the string `s` (a role, an access).
    pub(in crate::store) fn wire<T: serde::de::DeserializeOwned>(
        s: String,
        what: &str,
    ) -> Result<T, StoreError> {
        serde_json::from_value(serde_json::Value::String(s))
            .map_err(|_| corrupt(&format!("a record holds an unknown {what}")))
    }

    pub(in crate::store) fn role(s: String) -> Result<Role, StoreError> {
        wire(s, "role")
    }

    pub(in crate::store) fn time(s: &str) -> Result<DateTime<Utc>, StoreError> {
        DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| corrupt("a record holds a bad time"))
    }

    fn uuid(s: &str) -> Result<Uuid, StoreError> {
        Uuid::parse_str(s).map_err(|_| corrupt("a record holds a bad case id"))
    }

    fn access(s: String) -> Result<Access, StoreError> {
        wire(s, "access")
    }

    fn insert_access(c: &mut dyn Conn, entry: &AccessEntry) -> Result<(), StoreError> {
        c.execute(
            "INSERT INTO server_access_log (at, user_id, role, office, case_id, what, access, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            &[
                Param::Text(entry.at.to_rfc3339()),
                Param::Str(&entry.user_id),
                Param::Str(entry.role.as_str()),
                Param::Str(&entry.office),
                Param::Text(entry.case_id.to_string()),
                Param::Str(entry.what.as_str()),
                Param::Str(entry.access.as_str()),
                Param::opt(entry.reason.as_deref()),
            ],
        )?;
        Ok(())
    }

    fn access_entry(r: &mut Row) -> Result<AccessEntry, StoreError> {
        Ok(AccessEntry {
            at: time(&r.text(0)?)?,
            user_id: r.text(1)?,
            role: role(r.text(2)?)?,
            office: r.text(3)?,
            case_id: uuid(&r.text(4)?)?,
            what: ReadKind::parse(&r.text(5)?)
                .ok_or_else(|| corrupt("a record holds an unknown read kind"))?,
            access: access(r.text(6)?)?,
            reason: r.opt_text(7)?,
        })
    }

    fn key_case(c: &mut dyn Conn, user_id: &str, key: &str) -> Result<Option<Uuid>, StoreError> {
        c.query_opt(
            "SELECT case_id FROM server_idempotency WHERE user_id = ?1 AND key = ?2",
            &[Param::Str(user_id), Param::Str(key)],
        )?
        .map(|mut r| uuid(&r.text(0)?))
        .transpose()
    }

    /// Runs `f` in one transaction: all of it is committed, or none.
    fn in_transaction<T>(
        c: &mut dyn Conn,
        f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        c.batch("BEGIN")?;
        match f(c) {
            Ok(t) => {
                c.batch("COMMIT")?;
                Ok(t)
            }
            Err(e) => {
                let _ = c.batch("ROLLBACK");
                Err(e)
            }
        }
    }

    impl Records {
        /// The records in an SQLite store's file.
        #[cfg(feature = "sqlite")]
        pub(crate) fn sqlite_file(
            file: std::sync::Arc<crate::store::sqlite::File>,
            keys: Option<std::sync::Arc<crate::store::sql::crypt::StoreKeys>>,
        ) -> Records {
            Records {
                backend: Backend::SqliteFile(file),
                keys,
            }
        }

        /// Records in a private in-memory SQLite database (for a `memory:` store): gone when
        /// dropped.
        #[cfg(feature = "sqlite")]
        pub fn in_memory() -> Result<Records, StoreError> {
            let mut conn =
                rusqlite::Connection::open_in_memory().map_err(crate::store::sqlite::db_error)?;
            crate::store::sqlite::migrate(&mut conn)?;
            Ok(Records {
                backend: Backend::Sqlite(std::sync::Arc::new(std::sync::Mutex::new(conn))),
                keys: None,
            })
        }

        /// The records in the PostgreSQL database `pool` reaches (already migrated by the
        /// store that made the pool).
        #[cfg(feature = "postgres")]
        pub(crate) fn postgres(
            pool: crate::store::postgres::Pool,
            writer: crate::store::postgres::RecordWriter,
            keys: Option<std::sync::Arc<crate::store::sql::crypt::StoreKeys>>,
        ) -> Records {
            Records {
                backend: Backend::Postgres(pool, writer),
                keys,
            }
        }

        /// Runs `f` on a connection of the backend.
        pub(in crate::store) fn with<T>(
            &self,
            f: impl FnOnce(&mut dyn Conn) -> Result<T, StoreError>,
        ) -> Result<T, StoreError> {
            match &self.backend {
                #[cfg(feature = "sqlite")]
                Backend::Sqlite(conn) => {
                    let conn = conn
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    f(&mut crate::store::sqlite::Lite(&conn))
                }
                #[cfg(feature = "sqlite")]
                Backend::SqliteFile(file) => file.read(f),
                #[cfg(feature = "postgres")]
                Backend::Postgres(pool, _) => crate::store::postgres::with_client(pool, f),
            }
        }

        /// Runs `f` (a write, all of it or none) durably: on an SQLite store's file through its
        /// writer, and on PostgreSQL through the store's record writer, sharing a commit with
        /// the other writes of the moment; in memory in a transaction of its own.
        pub(in crate::store) fn write(
            &self,
            f: impl Fn(&mut dyn Conn) -> Result<(), StoreError> + Send + 'static,
        ) -> Result<(), StoreError> {
            match &self.backend {
                #[cfg(feature = "sqlite")]
                Backend::SqliteFile(file) => file.write_record(Box::new(f)),
                #[cfg(feature = "postgres")]
                Backend::Postgres(_, writer) => writer.write(Box::new(f)),
                #[allow(unreachable_patterns)]
                _ => self.with(|c| in_transaction(c, f)),
            }
        }

        /// Runs `f` as [`Records::write`] does and answers the count it returned (rows a
        /// conditional update changed, say: whether a single-use credential was used now).
        pub(in crate::store) fn write_count(
            &self,
            f: impl Fn(&mut dyn Conn) -> Result<u64, StoreError> + Send + 'static,
        ) -> Result<u64, StoreError> {
            let count = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let seen = count.clone();
            self.write(move |c| {
                seen.store(f(c)?, std::sync::atomic::Ordering::Relaxed);
                Ok(())
            })?;
            Ok(count.load(std::sync::atomic::Ordering::Relaxed))
        }

        /// Writes an access-log entry, durably.
        pub fn log_access(&self, entry: &AccessEntry) -> Result<(), StoreError> {
            let entry = entry.clone();
            self.write(move |c| insert_access(c, &entry))
        }

        /// Writes many access-log entries in one transaction (one durable commit), all or none.
        pub fn log_accesses(&self, entries: &[AccessEntry]) -> Result<(), StoreError> {
            let entries = entries.to_vec();
            self.write(move |c| entries.iter().try_for_each(|e| insert_access(c, e)))
        }

        /// Access-log entries matching `filter`, newest first.
        pub fn access_log(&self, filter: &LogFilter) -> Result<Vec<AccessEntry>, StoreError> {
            let case_id = filter.case_id.map(|c| c.to_string());
            let since = filter.since.map(|s| s.to_rfc3339());
            self.with(|c| {
                c.query(
                    "SELECT at, user_id, role, office, case_id, what, access, reason
                     FROM server_access_log
                     WHERE (CAST(?1 AS TEXT) IS NULL OR case_id = ?1)
                       AND (CAST(?2 AS TEXT) IS NULL OR user_id = ?2)
                       AND (CAST(?3 AS TEXT) IS NULL OR at >= ?3)
                     ORDER BY id DESC LIMIT ?4",
                    &[
                        Param::opt(case_id.as_deref()),
                        Param::opt(filter.user_id.as_deref()),
                        Param::opt(since.as_deref()),
                        Param::Int(filter.limit.into()),
                    ],
                )?
                .iter_mut()
                .map(access_entry)
                .collect()
            })
        }

        /// Writes a form-check log line, durably.
        pub fn log_form_check(&self, record: &FormCheckRecord) -> Result<(), StoreError> {
            let record = record.clone();
            self.write(move |c| {
                c.execute(
                    "INSERT INTO server_form_checks (at, outcome, form, office, client)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    &[
                        Param::Text(record.at.to_rfc3339()),
                        Param::Str(record.outcome.as_str()),
                        Param::opt(record.form.as_deref()),
                        Param::opt(record.office.as_deref()),
                        Param::opt(record.client.as_deref()),
                    ],
                )
                .map(drop)
            })
        }

        /// Form-check log lines matching `filter`, newest first.
        pub fn form_checks(
            &self,
            filter: &CheckFilter,
        ) -> Result<Vec<FormCheckRecord>, StoreError> {
            let since = filter.since.map(|s| s.to_rfc3339());
            self.with(|c| {
                c.query(
                    "SELECT at, outcome, form, office, client FROM server_form_checks
                     WHERE (CAST(?1 AS TEXT) IS NULL OR outcome = ?1)
                       AND (CAST(?2 AS TEXT) IS NULL OR at >= ?2)
                     ORDER BY id DESC LIMIT ?3",
                    &[
                        Param::opt(filter.outcome.map(CheckOutcome::as_str)),
                        Param::opt(since.as_deref()),
                        Param::Int(filter.limit.into()),
                    ],
                )?
                .into_iter()
                .map(|mut r| {
                    Ok(FormCheckRecord {
                        at: time(&r.text(0)?)?,
                        outcome: CheckOutcome::parse(&r.text(1)?)
                            .ok_or_else(|| corrupt("a record holds an unknown outcome"))?,
                        form: r.opt_text(2)?,
                        office: r.opt_text(3)?,
                        client: r.opt_text(4)?,
                    })
                })
                .collect()
            })
        }

        /// The case a user's earlier request with idempotency key `key` created, if any.
        pub fn idempotent_case(
            &self,
            user_id: &str,
            key: &str,
        ) -> Result<Option<Uuid>, StoreError> {
            self.with(|c| key_case(c, user_id, key))
        }

        /// Remembers that `key` created `case_id`; answers the case remembered first when
        /// another request with the same key won the race.
        pub fn remember_key(
            &self,
            user_id: &str,
            key: &str,
            case_id: Uuid,
        ) -> Result<Uuid, StoreError> {
            let (user, k, now) = (user_id.to_owned(), key.to_owned(), timestamp(&Utc::now()));
            self.write(move |c| {
                c.execute(
                    "INSERT INTO server_idempotency (user_id, key, case_id, created_at)
                     VALUES (?1, ?2, ?3, ?4) ON CONFLICT (user_id, key) DO NOTHING",
                    &[
                        Param::Str(&user),
                        Param::Str(&k),
                        Param::Text(case_id.to_string()),
                        Param::Str(&now),
                    ],
                )
                .map(drop)
            })?;
            self.with(|c| key_case(c, user_id, key))?
                .ok_or_else(|| corrupt("an idempotency key was not kept"))
        }
    }
}
