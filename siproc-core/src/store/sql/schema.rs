//! The schema of both databases: one list of migrations ([`MIGRATIONS`]), applied at open by
//! [`migrate`] inside the caller's transaction.
//!
//! A migration is a list of [`Step`]s. Most are written once, with a few type words that each
//! dialect spells its way (`{int}`, `{bigint}`, `{blob}`, `{serial}`, `{collate_c}`,
//! `{without_rowid}`); where the two databases really differ (how feed positions are numbered,
//! how JSON is read), a step says both. Append, never edit: a database records how many
//! migrations it has.
//!
//! Where the version lives: SQLite's `PRAGMA user_version` (with `siproc_meta`'s
//! `application = siproc` telling a siproc file from another database), PostgreSQL's
//! `siproc_meta.schema_version` (its migrations hold an advisory lock, so processes starting
//! together do not race).

use uuid::Uuid;

use super::conn::{Conn, Dialect, Param};
use super::read;
use super::rows::corrupt;
use super::verified::Verified;
use super::write;
use crate::case_record::KeptRecord;
use crate::history::CaseHistory;
use crate::store::StoreError;

/// One part of a migration.
pub(crate) enum Step {
    /// The same statements for both (with the dialect's type words).
    Both(&'static str),
    /// Statements each database writes its own way.
    Each {
        /// SQLite's.
        sqlite: &'static str,
        /// PostgreSQL's.
        postgres: &'static str,
    },
}

/// The schema, one migration per version (version `n` is `MIGRATIONS[n - 1]`).
pub(crate) const MIGRATIONS: &[&[Step]] = &[
    // 1: cases, events, numbering, the search index.
    &[
        Step::Each {
            sqlite: "CREATE TABLE siproc_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
                     INSERT INTO siproc_meta (key, value) VALUES ('application', 'siproc');",
            // PostgreSQL's `siproc_meta` exists before any migration: it holds the version.
            postgres: "",
        },
        Step::Both(
            r#"
CREATE TABLE cases (
    id TEXT PRIMARY KEY,
    number TEXT{collate_c} NOT NULL UNIQUE,
    office TEXT NOT NULL,
    category TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    version {bigint} NOT NULL,
    head TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_office ON cases (office, number);
CREATE INDEX cases_status ON cases (status, number);
CREATE INDEX cases_category ON cases (category, number);
"#,
        ),
        // Feed positions: SQLite numbers rows as its one writer commits them; PostgreSQL takes
        // them from one counter row updated just before commit (positions follow commit order).
        Step::Each {
            sqlite: r#"
CREATE TABLE events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    case_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    office TEXT NOT NULL,
    body TEXT NOT NULL,
    UNIQUE (case_id, seq)
);
"#,
            postgres: r#"
CREATE TABLE events (
    case_id TEXT NOT NULL,
    seq BIGINT NOT NULL,
    position BIGINT NOT NULL UNIQUE,
    id TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    office TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (case_id, seq)
);
CREATE TABLE feed_counter (
    only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
    last BIGINT NOT NULL
);
INSERT INTO feed_counter (only_row, last) VALUES (TRUE, 0);
"#,
        },
        Step::Both(
            r#"
CREATE TABLE case_counters (
    office TEXT NOT NULL,
    year INTEGER NOT NULL,
    last {bigint} NOT NULL,
    PRIMARY KEY (office, year)
){without_rowid};
CREATE TABLE case_names (
    term TEXT NOT NULL,
    case_id TEXT NOT NULL,
    person INTEGER NOT NULL,
    PRIMARY KEY (term, case_id, person)
){without_rowid};
CREATE INDEX case_names_case ON case_names (case_id);
CREATE TABLE case_documents (
    term TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (term, case_id)
){without_rowid};
CREATE INDEX case_documents_case ON case_documents (case_id);
"#,
        ),
    ],
    // 2: the office a pending transfer goes to (what that office sees), filled for the cases
    // stored before: the last transfer event decides.
    &[
        Step::Both(
            "ALTER TABLE cases ADD COLUMN transfer_to TEXT;
             CREATE INDEX cases_transfer_to ON cases (transfer_to, number);",
        ),
        Step::Each {
            sqlite: r#"
UPDATE cases SET transfer_to = (
    SELECT CASE WHEN e.kind = 'transfer_requested'
                THEN json_extract(e.body, '$.kind.data.to_office') END
    FROM events e
    WHERE e.case_id = cases.id
      AND e.kind IN ('transfer_requested', 'transfer_accepted', 'transfer_rejected')
    ORDER BY e.seq DESC LIMIT 1
);
"#,
            postgres: r#"
UPDATE cases SET transfer_to = (
    SELECT CASE WHEN e.kind = 'transfer_requested'
                THEN e.body::jsonb #>> '{kind,data,to_office}' END
    FROM events e
    WHERE e.case_id = cases.id
      AND e.kind IN ('transfer_requested', 'transfer_accepted', 'transfer_rejected')
    ORDER BY e.seq DESC LIMIT 1
);
"#,
        },
    ],
    // 3: migrated cases (crate::legacy) and their open follow-up items, for lists and statistics.
    &[Step::Both(
        "ALTER TABLE cases ADD COLUMN follow_ups {bigint};",
    )],
    // 4: each case's statistics record (crate::stats, "The record a store keeps"), filled for
    // the cases stored before by replaying their histories (`fill_records`).
    &[Step::Both(
        "CREATE TABLE case_stats (case_id TEXT PRIMARY KEY, record {blob} NOT NULL){without_rowid};",
    )],
    // 5: the records kept about access to cases (`super::records`): API token hashes,
    // break-the-glass grants, the access log, idempotency keys and the log of paper-form
    // checks. Until this version the reference server kept them itself, under its own
    // `server_schema` version (left in place, unused): `IF NOT EXISTS` adopts its tables.
    &[Step::Both(
        "CREATE TABLE IF NOT EXISTS server_tokens (
             hash TEXT PRIMARY KEY,
             user_id TEXT NOT NULL,
             role TEXT NOT NULL,
             office TEXT NOT NULL,
             created_at TEXT NOT NULL
         );
         CREATE TABLE IF NOT EXISTS server_grants (
             id {serial},
             user_id TEXT NOT NULL,
             case_id TEXT NOT NULL,
             reason TEXT NOT NULL,
             granted_at TEXT NOT NULL,
             expires_at TEXT NOT NULL
         );
         CREATE INDEX IF NOT EXISTS server_grants_user_case ON server_grants (user_id, case_id);
         CREATE TABLE IF NOT EXISTS server_access_log (
             id {serial},
             at TEXT NOT NULL,
             user_id TEXT NOT NULL,
             role TEXT NOT NULL,
             office TEXT NOT NULL,
             case_id TEXT NOT NULL,
             what TEXT NOT NULL,
             access TEXT NOT NULL,
             reason TEXT
         );
         CREATE INDEX IF NOT EXISTS server_access_log_case ON server_access_log (case_id, id);
         CREATE INDEX IF NOT EXISTS server_access_log_user ON server_access_log (user_id, id);
         CREATE TABLE IF NOT EXISTS server_idempotency (
             user_id TEXT NOT NULL,
             key TEXT NOT NULL,
             case_id TEXT NOT NULL,
             created_at TEXT NOT NULL,
             PRIMARY KEY (user_id, key)
         );
         CREATE TABLE IF NOT EXISTS server_form_checks (
             id {serial},
             at TEXT NOT NULL,
             outcome TEXT NOT NULL,
             form TEXT,
             office TEXT,
             client TEXT
         );
         CREATE INDEX IF NOT EXISTS server_form_checks_at ON server_form_checks (at);",
    )],
    // 6: the audit log (`crate::audit`): searches, sign-ins, account and credential changes,
    // exports — each entry whole as JSON beside the columns a filter reads.
    &[Step::Both(
        "CREATE TABLE audit_log (
             id {serial},
             at TEXT NOT NULL,
             user_id TEXT,
             kind TEXT NOT NULL,
             entry TEXT NOT NULL
         );
         CREATE INDEX audit_log_user ON audit_log (user_id, id);
         CREATE INDEX audit_log_kind ON audit_log (kind, id);",
    )],
    // 7: statistics releases for partners (`crate::stats::releases`, `super::super::releases`):
    // each version of each period's release kept as the JSON every partner reads; and each
    // statistics record's key for the cell-key perturbation (`crate::stats::perturb`),
    // drawn for the records stored before by `fill_keys`.
    &[Step::Both(
        "ALTER TABLE case_stats ADD COLUMN cell_key {bigint};
         CREATE TABLE IF NOT EXISTS stat_releases (
             id TEXT NOT NULL,
             version {bigint} NOT NULL,
             period TEXT NOT NULL,
             created_at TEXT NOT NULL,
             body TEXT NOT NULL,
             PRIMARY KEY (id, version)
         );",
    )],
    // 8: encryption at rest (`super::crypt`): each case's data key, wrapped by the master key
    // named by `key_id` (moved into `cases` by version 16). An encrypted database also keeps `key_check` and `store_secret` in
    // `siproc_meta`, and blind index terms in the `term` columns of `case_names` and
    // `case_documents`.
    &[Step::Both(
        "CREATE TABLE case_keys (
             case_id TEXT PRIMARY KEY,
             key_id TEXT NOT NULL,
             wrapped {blob} NOT NULL
         ){without_rowid};
         CREATE INDEX case_keys_key_id ON case_keys (key_id, case_id);",
    )],
    // 9: break-the-glass with friction and daylight (`crate::access::Grant`, `super::super::grants`):
    // each grant's pack reason code, the office that held the case (whose supervisors are
    // told), and its early end; four-eyes export requests (`super::super::exports`).
    &[Step::Both(
        "ALTER TABLE server_grants ADD COLUMN reason_code TEXT;
         ALTER TABLE server_grants ADD COLUMN office TEXT;
         ALTER TABLE server_grants ADD COLUMN ended_at TEXT;
         ALTER TABLE server_grants ADD COLUMN ended_by TEXT;
         CREATE INDEX server_grants_office ON server_grants (office, id);
         CREATE INDEX server_grants_user_time ON server_grants (user_id, granted_at);
         CREATE TABLE export_requests (
             id {serial},
             requested_by TEXT NOT NULL,
             requested_at TEXT NOT NULL,
             approved_by TEXT,
             approved_at TEXT,
             downloaded_at TEXT
         );",
    )],
    // 10: accounts (`crate::accounts`, `super::super::accounts`): users; API tokens gain an
    // id, a name, scopes, an expiry and a revocation. The users the tokens stored before name
    // are created (with the role of their first token, and its office for officers and
    // supervisors); those tokens keep working with every scope for 90 days from the migration.
    &[
        Step::Both(
            "CREATE TABLE users (
                 id TEXT PRIMARY KEY,
                 display_name TEXT NOT NULL,
                 role TEXT NOT NULL,
                 office TEXT,
                 state TEXT NOT NULL,
                 created_at TEXT NOT NULL,
                 changed_at TEXT NOT NULL
             );
             CREATE INDEX users_office ON users (office, id);
             INSERT INTO users (id, display_name, role, office, state, created_at, changed_at)
             SELECT t.user_id, t.user_id, t.role,
                    CASE WHEN t.role IN ('officer', 'supervisor') AND t.office <> ''
                         THEN t.office END,
                    'active', t.created_at, t.created_at
             FROM server_tokens t
             WHERE t.hash = (SELECT MIN(s.hash) FROM server_tokens s
                             WHERE s.user_id = t.user_id
                               AND s.created_at = (SELECT MIN(f.created_at) FROM server_tokens f
                                                   WHERE f.user_id = t.user_id))
             ON CONFLICT (id) DO NOTHING;
             ALTER TABLE server_tokens ADD COLUMN id TEXT;
             ALTER TABLE server_tokens ADD COLUMN name TEXT;
             ALTER TABLE server_tokens ADD COLUMN scopes TEXT;
             ALTER TABLE server_tokens ADD COLUMN expires_at TEXT;
             ALTER TABLE server_tokens ADD COLUMN revoked_at TEXT;
             UPDATE server_tokens SET name = 'migrated',
                 scopes = 'cases:read cases:write stats:read logs:read archive:read archive:write users:read users:write tokens:read tokens:write';
             CREATE INDEX server_tokens_user ON server_tokens (user_id, created_at);",
        ),
        Step::Each {
            sqlite: "UPDATE server_tokens SET id = lower(hex(randomblob(16))),
                         expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+90 days');",
            postgres: "UPDATE server_tokens SET id = md5(random()::text || hash),
                           expires_at = to_char((now() AT TIME ZONE 'UTC') + interval '90 days',
                                                'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"');",
        },
        Step::Both("CREATE UNIQUE INDEX server_tokens_id ON server_tokens (id);"),
    ],
    // 11: attachments (`crate::blobs`, `super::super::blobs::DatabaseBlobs`): the files of a
    // case kept in its database, by case and SHA-256 of the content; the body is encrypted with
    // the case's data key in an encrypted store.
    &[Step::Both(
        "CREATE TABLE blobs (
             case_id TEXT NOT NULL,
             sha256 TEXT NOT NULL,
             body {blob} NOT NULL,
             PRIMARY KEY (case_id, sha256)
         ){without_rowid};",
    )],
    // 12: sessions and credentials (`crate::accounts::{password, totp, recovery, sessions}`,
    // `super::super::{credentials, sessions}`): each user's password hash, second-factor
    // secret and last code step used, and pending enrolment (the hash of a single-use link);
    // their recovery codes, hashed, each used once; sessions by the hash of their secret; the
    // failed sign-ins of each account and client (keyed hashes) that backoff counts.
    &[Step::Both(
        "CREATE TABLE user_credentials (
             user_id TEXT PRIMARY KEY,
             password_hash TEXT,
             totp_secret TEXT,
             totp_last_step {bigint},
             enrolment_hash TEXT UNIQUE,
             enrolment_expires_at TEXT,
             changed_at TEXT NOT NULL
         );
         CREATE TABLE recovery_codes (
             user_id TEXT NOT NULL,
             n INTEGER NOT NULL,
             hash TEXT NOT NULL,
             used_at TEXT,
             PRIMARY KEY (user_id, n)
         );
         CREATE TABLE sessions (
             hash TEXT PRIMARY KEY,
             id TEXT NOT NULL UNIQUE,
             user_id TEXT NOT NULL,
             method TEXT NOT NULL,
             created_at TEXT NOT NULL,
             last_seen_at TEXT NOT NULL,
             ended_at TEXT
         );
         CREATE INDEX sessions_user ON sessions (user_id, created_at);
         CREATE TABLE signin_failures (
             key TEXT PRIMARY KEY,
             failures INTEGER NOT NULL,
             last_failure_at TEXT NOT NULL
         );",
    )],
    // 13: OpenID Connect sign-ins begun and not yet back (`crate::accounts::oidc`,
    // `super::super::oidc`): by the SHA-256 of their `state`, the SHA-256 of the browser's
    // cookie, the nonce and PKCE verifier, until they expire; each taken once.
    &[Step::Both(
        "CREATE TABLE oidc_logins (
             state_hash TEXT PRIMARY KEY,
             browser_hash TEXT NOT NULL,
             nonce TEXT NOT NULL,
             pkce_verifier TEXT NOT NULL,
             expires_at TEXT NOT NULL
         );
         CREATE INDEX oidc_logins_expiry ON oidc_logins (expires_at);",
    )],
    // 14: passkeys (`crate::accounts::passkeys`, `super::super::passkeys`): each user's
    // passkeys (the credential as webauthn-rs keeps it: a public key and a counter, no secret),
    // found by credential id at sign-in; the user handle the authenticators hold (a random
    // UUID per user, never the login); the state of open ceremonies (a challenge) by the hash
    // of the ceremony's id, used once, expiring, counted per client (a keyed hash).
    &[Step::Both(
        "CREATE TABLE passkeys (
             id TEXT PRIMARY KEY,
             user_id TEXT NOT NULL,
             user_handle TEXT NOT NULL,
             credential_id TEXT NOT NULL UNIQUE,
             name TEXT NOT NULL,
             credential TEXT NOT NULL,
             created_at TEXT NOT NULL,
             last_used_at TEXT
         );
         CREATE INDEX passkeys_user ON passkeys (user_id, created_at);
         CREATE TABLE passkey_ceremonies (
             hash TEXT PRIMARY KEY,
             kind TEXT NOT NULL,
             user_id TEXT,
             client TEXT NOT NULL,
             state TEXT NOT NULL,
             expires_at TEXT NOT NULL
         );
         CREATE INDEX passkey_ceremonies_expiry ON passkey_ceremonies (expires_at);
         CREATE INDEX passkey_ceremonies_client ON passkey_ceremonies (client);",
    )],
    // 15: re-authentication (`crate::accounts::sessions::check_reauthenticated`): until when a
    // session, its person having proved it is them again, may change credentials; and an index
    // for a person's own security events (`crate::accounts::activity`, read at each sign-in),
    // so that an officer's thousands of searches are not read through to find them.
    &[Step::Both(
        "ALTER TABLE sessions ADD COLUMN reauth_until TEXT;
         CREATE INDEX IF NOT EXISTS audit_log_user_kind ON audit_log (user_id, kind, id);",
    )],
    // 16: each case's data key in the case's own row (`super::crypt`): `cases.key_id` and
    // `cases.data_key`, NULL in an unencrypted store and once an erasure destroyed the key,
    // where version 8's `case_keys` gave it a row and an index of its own (two more b-tree
    // entries for every case written).
    &[Step::Both(
        "ALTER TABLE cases ADD COLUMN key_id TEXT;
         ALTER TABLE cases ADD COLUMN data_key {blob};
         UPDATE cases SET key_id = k.key_id, data_key = k.wrapped
             FROM case_keys k WHERE k.case_id = cases.id;
         DROP TABLE case_keys;",
    )],
];

/// The schema version that added `case_stats`: opening an older database fills it.
const STATS_SINCE: u32 = 4;

/// The schema version that added record keys: opening an older database draws them.
const KEYS_SINCE: u32 = 7;

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// The advisory lock PostgreSQL migrations hold (an arbitrary constant: "siproc" in ASCII).
const MIGRATION_LOCK: i64 = 0x7369_7072_6f63;

impl Step {
    /// The statements for `dialect`, its type words spelled out.
    fn sql(&self, dialect: Dialect) -> String {
        let text = match (self, dialect) {
            (Step::Both(sql), _) => sql,
            (Step::Each { sqlite, .. }, Dialect::Sqlite) => sqlite,
            (Step::Each { postgres, .. }, Dialect::Postgres) => postgres,
        };
        let words: [(&str, &str); 6] = match dialect {
            Dialect::Sqlite => [
                ("{int}", "INTEGER"),
                ("{bigint}", "INTEGER"),
                ("{blob}", "BLOB"),
                ("{serial}", "INTEGER PRIMARY KEY"),
                ("{collate_c}", ""),
                ("{without_rowid}", " WITHOUT ROWID"),
            ],
            Dialect::Postgres => [
                ("{int}", "INTEGER"),
                ("{bigint}", "BIGINT"),
                ("{blob}", "BYTEA"),
                ("{serial}", "BIGSERIAL PRIMARY KEY"),
                ("{collate_c}", " COLLATE \"C\""),
                ("{without_rowid}", ""),
            ],
        };
        words.iter().fold(text.to_string(), |sql, (word, spelled)| {
            sql.replace(word, spelled)
        })
    }
}

/// Brings the schema to [`SCHEMA_VERSION`] inside the caller's transaction (on SQLite a
/// `BEGIN IMMEDIATE` one), refusing newer and foreign databases.
pub(crate) fn migrate(c: &mut dyn Conn) -> Result<(), StoreError> {
    let dialect = c.dialect();
    let found = version(c)?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (version, migration) in (1_u32..).zip(MIGRATIONS).skip(found as usize) {
        for step in *migration {
            let sql = step.sql(dialect);
            if !sql.trim().is_empty() {
                c.batch(&sql)?;
            }
        }
        set_version(c, version)?;
    }
    if found > 0 && found < STATS_SINCE {
        fill_records(c)?;
    }
    if found > 0 && found < KEYS_SINCE {
        fill_keys(c)?;
    }
    Ok(())
}

fn not_siproc() -> StoreError {
    corrupt("the database holds tables that are not a siproc store")
}

/// The schema version found (0 for an empty database); a database that is not a siproc store
/// is `store.corrupt`.
pub(crate) fn version(c: &mut dyn Conn) -> Result<u32, StoreError> {
    match c.dialect() {
        Dialect::Sqlite => {
            let found = c.query_one("PRAGMA user_version", &[])?.int(0)?;
            let found = u32::try_from(found).map_err(|_| not_siproc())?;
            if found == 0 {
                let tables = c
                    .query_one(
                        "SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                        &[],
                    )?
                    .int(0)?;
                if tables > 0 {
                    return Err(corrupt("the file is a database, not a siproc store"));
                }
            } else {
                let app = c
                    .query_opt(
                        "SELECT value FROM siproc_meta WHERE key = 'application'",
                        &[],
                    )
                    .map_err(|_| corrupt("the file is a database, not a siproc store"))?;
                let app = app.map(|mut r| r.text(0)).transpose()?;
                if app.as_deref() != Some("siproc") {
                    return Err(corrupt("the file is a database, not a siproc store"));
                }
            }
            Ok(found)
        }
        Dialect::Postgres => {
            c.execute(
                "SELECT pg_advisory_xact_lock(?1)",
                &[Param::Int(MIGRATION_LOCK)],
            )?;
            c.batch(
                "CREATE TABLE IF NOT EXISTS siproc_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
            )?;
            let found = match c.query_opt(
                "SELECT value FROM siproc_meta WHERE key = 'schema_version'",
                &[],
            )? {
                Some(mut row) => row
                    .text(0)?
                    .parse()
                    .map_err(|_| corrupt("the schema version is not a number"))?,
                None => 0,
            };
            if found == 0 {
                let foreign = c
                    .query_one(
                        "SELECT COUNT(*) FROM pg_tables WHERE schemaname = current_schema() \
                         AND tablename = 'cases'",
                        &[],
                    )?
                    .int(0)?;
                if foreign > 0 {
                    return Err(not_siproc());
                }
            }
            Ok(found)
        }
    }
}

/// Records that the schema is at `version`.
fn set_version(c: &mut dyn Conn, version: u32) -> Result<(), StoreError> {
    match c.dialect() {
        // A pragma takes no parameter; the version is a number this build wrote.
        Dialect::Sqlite => c.batch(&format!("PRAGMA user_version = {version}")),
        Dialect::Postgres => c
            .execute(
                "INSERT INTO siproc_meta (key, value) VALUES ('schema_version', ?1) \
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[Param::Text(version.to_string())],
            )
            .map(drop),
    }
}

/// Writes the statistics record of every case that has none, from its history. A case whose
/// history no longer verifies is left without one: reading its record loads the history,
/// which names the damage.
fn fill_records(c: &mut dyn Conn) -> Result<(), StoreError> {
    let ids = c
        .query(
            "SELECT id FROM cases WHERE id NOT IN (SELECT case_id FROM case_stats)",
            &[],
        )?
        .into_iter()
        .map(|mut r| r.text(0))
        .collect::<Result<Vec<_>, _>>()?;
    // Each history is read once here: nothing to keep for later loads.
    let verified = Verified::new();
    for id in ids {
        let case_id = Uuid::parse_str(&id).map_err(|_| corrupt("a case row has a bad id"))?;
        match read::history(c, case_id, &verified, None) {
            Ok(Some(history)) => put_record(c, &id, &history)?,
            Ok(None) | Err(StoreError::Damaged { .. }) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Draws a record key ([`crate::stats::perturb::record_key`]) for every statistics record
/// that has none.
fn fill_keys(c: &mut dyn Conn) -> Result<(), StoreError> {
    let ids = c
        .query("SELECT case_id FROM case_stats WHERE cell_key IS NULL", &[])?
        .into_iter()
        .map(|mut r| r.text(0))
        .collect::<Result<Vec<_>, _>>()?;
    for id in ids {
        c.execute(
            "UPDATE case_stats SET cell_key = ?1 WHERE case_id = ?2",
            &[
                Param::Int(crate::stats::perturb::record_key().into()),
                Param::Str(&id),
            ],
        )?;
    }
    Ok(())
}

fn put_record(c: &mut dyn Conn, id: &str, history: &CaseHistory) -> Result<(), StoreError> {
    let record = KeptRecord::of(history.case(), history.events()).encode();
    write::record(c, id, &record)
}
