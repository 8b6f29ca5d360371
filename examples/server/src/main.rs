//! `siproc-server`: the reference server's command line.
//!
//! ```text
//! siproc-server serve [--config FILE] [--database URL] [--master-key-file PATH] [--listen ADDR] [--demo] [--rate-limit N] [--metrics-allow IP,…]
//!                      [--max-grants-per-day N] [--export-recipient age1…]
//! siproc-server config check FILE
//! siproc-server user create --login LOGIN --role ROLE [--office CODE] [--name NAME] [--database URL]
//! siproc-server user list [--database URL]
//! siproc-server user disable|enable LOGIN [--database URL]
//! siproc-server token create --user ID [--role ROLE] [--office CODE] [--name NAME]
//!                            [--scope SCOPE]... [--expires-in 90d] [--database URL]
//! siproc-server token list [--user ID] [--database URL]
//! siproc-server token revoke ID [--database URL]
//! siproc-server pack check DIR
//! siproc-server create-key PATH
//! siproc-server rotate-key [--database URL] --master-key-file OLD --new-master-key-file NEW
//! siproc-server encrypt-store [--database URL] --master-key-file PATH
//! siproc-server erase --due [--dry-run] [--user ID] [--database URL] [--master-key-file PATH]
//! siproc-server backup [--database URL] --to FILE
//! siproc-server restore FILE [--database URL]
//! siproc-server check [--database URL] [--master-key-file PATH] [--json]
//! ```
//!
//! `backup`, `restore` and `check` are `siproc_core::store::maintenance` (docs/operations.md):
//! they run beside a serving server, on connections of their own.
//!
//! `serve` reads its options from its flags, then `SIPROC_…` environment variables, then the
//! configuration file, then the defaults ([`siproc_server::config`], docs/operations.md);
//! `config check` checks a file as `serve` would read it.
//!
//! Every verb that opens the database takes `--master-key-file` for an encrypted store; it
//! defaults to `SIPROC_MASTER_KEY_FILE` (see `docs/data-protection.md`).

use std::path::PathBuf;
use std::process::ExitCode;

use chrono::Utc;
use clap::{Parser, Subcommand};
use siproc_core::audit::{AuditEntry, AuditEvent};
use siproc_core::blobs::BlobPlace;
use siproc_core::erasure;
use siproc_core::keys::{MASTER_KEY_ENV, MasterKey};
use siproc_core::store::maintenance::{self, CopyReport};
use siproc_core::store::{self, StoreUrl};
use siproc_server::config::{self, Flag};
use siproc_server::startup::{Application, Settings};
use siproc_server::{demo, telemetry};

mod cli;

const DEFAULT_DATABASE: &str = "sqlite://./data/siproc.db";

#[derive(Parser)]
#[command(name = "siproc-server", version, about = "The siproc reference server")]
struct Cli {
    #[command(subcommand)]
    command: Top,
}

#[derive(Subcommand)]
enum Top {
    /// Serve the API. Options not given as flags come from SIPROC_… environment variables,
    /// then the configuration file, then the defaults (docs/operations.md).
    Serve {
        /// The configuration file (TOML; deploy/siproc.toml documents every option).
        #[arg(long, env = "SIPROC_CONFIG")]
        config: Option<PathBuf>,
        /// The database: sqlite:///path, a path, postgresql://user@host:port/db, or memory:
        /// [option `database`; default sqlite://./data/siproc.db].
        #[arg(long)]
        database: Option<String>,
        /// Address to listen on [option `listen`; default 127.0.0.1:8080].
        #[arg(long)]
        listen: Option<String>,
        /// Create demo users and cases, and print one token per role.
        #[arg(long)]
        demo: bool,
        /// Requests per second allowed per token, 0 for no limit [option
        /// `limits.requests_per_second`; default 50].
        #[arg(long)]
        rate_limit: Option<u32>,
        /// Addresses besides loopback that may read GET /api/v1/metrics, comma-separated
        /// [option `metrics.allow`].
        #[arg(long, value_delimiter = ',')]
        metrics_allow: Option<Vec<String>>,
        /// The master key file of an encrypted store (64 hexadecimal digits) [option
        /// `master_key_file`].
        #[arg(long)]
        master_key_file: Option<PathBuf>,
        /// Break-the-glass grants one user may take in a day [option `max_grants_per_day`;
        /// default 3].
        #[arg(long)]
        max_grants_per_day: Option<u32>,
        /// Where attachments are kept: `database` (the case database), `dir:PATH`, or
        /// `s3://BUCKET/PREFIX?endpoint=URL&region=NAME` (credentials from AWS_ACCESS_KEY_ID
        /// and AWS_SECRET_ACCESS_KEY) [option `blobs`; default `database`].
        #[arg(long)]
        blobs: Option<String>,
        /// The largest attachment accepted, in bytes [option `max_attachment_bytes`; default
        /// 20 MiB].
        #[arg(long)]
        max_attachment_bytes: Option<u32>,
        /// An age recipient (age1…): GET /archive answers every case encrypted to it, without a
        /// second directorate user's approval. Without it, exports need four eyes [option
        /// `export_recipient`].
        #[arg(long)]
        export_recipient: Option<String>,
        /// Minutes a signed-in session may go unused before it ends [option
        /// `sessions.idle_timeout_minutes`; default 30].
        #[arg(long)]
        session_idle_minutes: Option<u32>,
        /// Hours after sign-in a session ends, used or not [option
        /// `sessions.absolute_timeout_hours`; default 12].
        #[arg(long)]
        session_absolute_hours: Option<u32>,
        /// The ministry's OpenID Connect provider, by its issuer URL: the sign-in page offers
        /// "sign in with the ministry" [option `oidc.issuer`; needs `public_origin`].
        #[arg(long)]
        oidc_issuer: Option<String>,
        /// This server's client id at the provider [option `oidc.client_id`].
        #[arg(long)]
        oidc_client_id: Option<String>,
        /// A file holding the client secret (no flag takes the secret itself: a command line
        /// is visible to other users) [option `oidc.client_secret_file`, or
        /// SIPROC_OIDC_CLIENT_SECRET].
        #[arg(long)]
        oidc_client_secret_file: Option<PathBuf>,
        /// Which claim names the siproc login: preferred_username, email or sub [option
        /// `oidc.claim`; default preferred_username].
        #[arg(long)]
        oidc_claim: Option<String>,
    },
    /// The configuration file.
    Config {
        #[command(subcommand)]
        command: ConfigCommand,
    },
    /// Write a new random master key (64 hexadecimal digits) to a new file, readable by its
    /// owner only. Keep it away from the database and its backups.
    CreateKey {
        /// The file to create (never overwritten).
        path: PathBuf,
    },
    /// Re-wrap every data key of an encrypted store under a new master key (stop the server
    /// first; resumable: run it again if interrupted). Prints counts.
    RotateKey {
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// The current master key file.
        #[arg(long, env = MASTER_KEY_ENV)]
        master_key_file: PathBuf,
        /// The new master key file.
        #[arg(long)]
        new_master_key_file: PathBuf,
    },
    /// Convert an unencrypted store in place to encryption under a master key (stop the server
    /// first; resumable). Prints counts.
    EncryptStore {
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// The master key file to encrypt under.
        #[arg(long, env = MASTER_KEY_ENV)]
        master_key_file: PathBuf,
    },
    /// Erase the personal data of every closed case whose retention rule (the country pack's)
    /// ran out, recorded as the directorate user `--user`; runs beside a serving server.
    /// Prints counts only. One case is erased through the API (POST /cases/{id}/erase).
    Erase {
        /// Erase the cases due (required: the one mode of this command).
        #[arg(long, required = true)]
        due: bool,
        /// Count the cases due without erasing them.
        #[arg(long)]
        dry_run: bool,
        /// The directorate user the erasures are recorded under.
        #[arg(long, default_value = "retention-schedule")]
        user: String,
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// The master key file of an encrypted store.
        #[arg(long, env = MASTER_KEY_ENV)]
        master_key_file: Option<PathBuf>,
        /// Where the cases' files are kept: `database`, `dir:PATH` or `s3://…` (as `serve
        /// --blobs`).
        #[arg(long, env = "SIPROC_BLOBS", default_value = "database")]
        blobs: String,
    },
    /// Users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Country packs.
    Pack {
        #[command(subcommand)]
        command: PackCommand,
    },
    /// Write a consistent copy of the database to a new SQLite file, while it serves.
    Backup {
        /// The database to copy.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// The backup file to write (never overwritten).
        #[arg(long)]
        to: PathBuf,
        /// Where the cases' files are kept: `database`, `dir:PATH` or `s3://…` (as `serve
        /// --blobs`).
        #[arg(long, env = "SIPROC_BLOBS", default_value = "database")]
        blobs: String,
    },
    /// Copy a backup into an empty database (SQLite or PostgreSQL), all of it or nothing.
    Restore {
        /// The backup file.
        file: PathBuf,
        /// The database to fill (must be empty; an SQLite file is created if missing).
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// Where the cases' files are kept: `database`, `dir:PATH` or `s3://…` (as `serve
        /// --blobs`).
        #[arg(long, env = "SIPROC_BLOBS", default_value = "database")]
        blobs: String,
    },
    /// Check that everything stored is whole; exits non-zero on any problem.
    Check {
        /// The database to check.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// The master key file of an encrypted store.
        #[arg(long, env = MASTER_KEY_ENV)]
        master_key_file: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Where the cases' files are kept: `database`, `dir:PATH` or `s3://…` (as `serve
        /// --blobs`).
        #[arg(long, env = "SIPROC_BLOBS", default_value = "database")]
        blobs: String,
    },
}

/// The database a `user` or `token` verb works on, and its master key when it is encrypted.
#[derive(clap::Args)]
struct DatabaseArgs {
    /// The database.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
    database: String,
    /// The master key file of an encrypted store.
    #[arg(long, env = MASTER_KEY_ENV)]
    master_key_file: Option<PathBuf>,
}

/// Where an enrolment link points, and how long it works.
#[derive(clap::Args)]
struct EnrolmentArgs {
    /// The origin users reach the server at, for the link.
    #[arg(
        long,
        env = "SIPROC_PUBLIC_ORIGIN",
        default_value = "http://127.0.0.1:8080"
    )]
    origin: String,
    /// Hours the link works.
    #[arg(long, default_value_t = siproc_server::routes::enrolment::LINK_HOURS)]
    link_hours: u32,
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an active user (the first administrator: `--role directorate`) and print a
    /// single-use enrolment link where they choose a password and set up their second factor.
    Create {
        /// The login name (also the user's id): 2 to 64 of a-z 0-9 . _ -.
        #[arg(long)]
        login: String,
        /// officer, supervisor, directorate, partner or auditor.
        #[arg(long)]
        role: String,
        /// The office (officers and supervisors only).
        #[arg(long)]
        office: Option<String>,
        /// The name other people see (the login when absent).
        #[arg(long)]
        name: Option<String>,
        #[command(flatten)]
        enrolment: EnrolmentArgs,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Print a new single-use enrolment link for a user (a forgotten password, a lost
    /// authenticator): their password and second factor are replaced when they use it, and
    /// their sessions end. An earlier link stops working.
    Enrol {
        /// The user's login.
        login: String,
        #[command(flatten)]
        enrolment: EnrolmentArgs,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List the users.
    List {
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Disable a user: their tokens and sessions stop at once.
    Disable {
        /// The user's login.
        login: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Re-enable a user.
    Enable {
        /// The user's login.
        login: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a token owned by a user and print its secret once (only its hash is stored).
    Create {
        /// The owner's login.
        #[arg(long)]
        user: String,
        /// The owner's role: creates the user when there is none (an existing user must have
        /// this role).
        #[arg(long)]
        role: Option<String>,
        /// The office of a user created here (officers and supervisors; ignored for the
        /// roles without one).
        #[arg(long, default_value = "")]
        office: String,
        /// A name for people.
        #[arg(long, default_value = "cli")]
        name: String,
        /// A scope (`cases:read`, `cases:write`, `stats:read`, …); repeat for more; every
        /// scope when absent.
        #[arg(long = "scope")]
        scopes: Vec<String>,
        /// Its lifetime: `90d` (days, 1 to 366).
        #[arg(long, default_value = "90d")]
        expires_in: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// List tokens (never their secrets).
    List {
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        database: DatabaseArgs,
    },
    /// Revoke a token by its id: it stops at once.
    Revoke {
        /// The token's id (as `token list` shows it).
        id: String,
        #[command(flatten)]
        database: DatabaseArgs,
    },
}

#[derive(Subcommand)]
enum ConfigCommand {
    /// Check a configuration file as `serve` would read it (with this environment's SIPROC_…
    /// variables over it); exits non-zero naming the first wrong option.
    Check {
        /// The file.
        file: PathBuf,
    },
}

#[derive(Subcommand)]
enum PackCommand {
    /// Check a pack folder and report every problem.
    Check {
        /// The folder.
        dir: std::path::PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli.command) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("siproc-server: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(command: Top) -> Result<ExitCode, Box<dyn std::error::Error>> {
    match command {
        Top::Serve {
            config,
            database,
            listen,
            demo,
            rate_limit,
            metrics_allow,
            master_key_file,
            max_grants_per_day,
            export_recipient,
            blobs,
            max_attachment_bytes,
            session_idle_minutes,
            session_absolute_hours,
            oidc_issuer,
            oidc_client_id,
            oidc_client_secret_file,
            oidc_claim,
        } => {
            let text = |s: String| toml::Value::String(s);
            let flags: Vec<Flag> = [
                database.map(|v| ("database", "--database", text(v))),
                listen.map(|v| ("listen", "--listen", text(v))),
                rate_limit.map(|v| {
                    let v = toml::Value::Integer(v.into());
                    ("limits.requests_per_second", "--rate-limit", v)
                }),
                metrics_allow.map(|v| {
                    let v = toml::Value::Array(v.into_iter().map(text).collect());
                    ("metrics.allow", "--metrics-allow", v)
                }),
                master_key_file.map(|v| {
                    let v = text(v.display().to_string());
                    ("master_key_file", "--master-key-file", v)
                }),
                max_grants_per_day.map(|v| {
                    let v = toml::Value::Integer(v.into());
                    ("max_grants_per_day", "--max-grants-per-day", v)
                }),
                export_recipient.map(|v| ("export_recipient", "--export-recipient", text(v))),
                blobs.map(|v| ("blobs", "--blobs", text(v))),
                max_attachment_bytes.map(|v| {
                    let v = toml::Value::Integer(v.into());
                    ("max_attachment_bytes", "--max-attachment-bytes", v)
                }),
                session_idle_minutes.map(|v| {
                    let v = toml::Value::Integer(v.into());
                    ("sessions.idle_timeout_minutes", "--session-idle-minutes", v)
                }),
                session_absolute_hours.map(|v| {
                    let v = toml::Value::Integer(v.into());
                    (
                        "sessions.absolute_timeout_hours",
                        "--session-absolute-hours",
                        v,
                    )
                }),
                oidc_issuer.map(|v| ("oidc.issuer", "--oidc-issuer", text(v))),
                oidc_client_id.map(|v| ("oidc.client_id", "--oidc-client-id", text(v))),
                oidc_client_secret_file.map(|v| {
                    let v = text(v.display().to_string());
                    ("oidc.client_secret_file", "--oidc-client-secret-file", v)
                }),
                oidc_claim.map(|v| ("oidc.claim", "--oidc-claim", text(v))),
            ]
            .into_iter()
            .flatten()
            .collect();
            let config = config::load(config.as_deref(), &config::process_env, flags)?;
            telemetry::init(config.log_format, &config.log_filter);
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            let state = runtime.block_on(serve(config.settings(), demo))?;
            // Tasks cut at the grace period's end go with the runtime; the state (the
            // PostgreSQL clients, whose closing blocks) is dropped last, off the runtime.
            runtime.shutdown_timeout(std::time::Duration::from_secs(1));
            drop(state);
            Ok(ExitCode::SUCCESS)
        }
        Top::Config {
            command: ConfigCommand::Check { file },
        } => {
            config::load(Some(&file), &config::process_env, Vec::new())?;
            println!("{}: ok", file.display());
            Ok(ExitCode::SUCCESS)
        }
        Top::User { command } => cli::user(command),
        Top::Token { command } => cli::token(command),
        Top::Backup {
            database,
            to,
            blobs,
        } => {
            let files = BlobPlace::parse(&blobs)?.open_outside()?;
            let report = maintenance::backup(&StoreUrl::parse(&database)?, &to, files.as_deref())?;
            print_copy("backup", &to.display().to_string(), &report);
            Ok(ExitCode::SUCCESS)
        }
        Top::Restore {
            file,
            database,
            blobs,
        } => {
            let files = BlobPlace::parse(&blobs)?.open_outside()?;
            let url = StoreUrl::parse(&database)?;
            let report = maintenance::restore(&file, &url, files.as_deref())?;
            print_copy("restore", &file.display().to_string(), &report);
            Ok(ExitCode::SUCCESS)
        }
        Top::Check {
            database,
            master_key_file,
            json,
            blobs,
        } => {
            let key = master_key_file.map(MasterKey::from_file).transpose()?;
            let files = BlobPlace::parse(&blobs)?.open_outside()?;
            let url = StoreUrl::parse(&database)?;
            let report = maintenance::check(&url, key.as_ref(), files.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                for problem in &report.problems {
                    println!("{}: {problem}", problem.code());
                }
                println!(
                    "check: {} cases, {} events, {} problem(s)",
                    report.cases,
                    report.events,
                    report.problems.len()
                );
            }
            Ok(if report.is_ok() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Top::CreateKey { path } => {
            MasterKey::create_file(&path)?;
            println!("{}: new master key written", path.display());
            Ok(ExitCode::SUCCESS)
        }
        Top::RotateKey {
            database,
            master_key_file,
            new_master_key_file,
        } => {
            let old = MasterKey::from_file(master_key_file)?;
            let new = MasterKey::from_file(new_master_key_file)?;
            let done = store::rotate_master_key(&database, &old, &new)?;
            println!(
                "rotate-key: {} data keys re-wrapped now, {} before",
                done.changed, done.already
            );
            Ok(ExitCode::SUCCESS)
        }
        Top::EncryptStore {
            database,
            master_key_file,
        } => {
            let key = MasterKey::from_file(master_key_file)?;
            let done = store::encrypt_store(&database, &key)?;
            println!(
                "encrypt-store: {} cases encrypted now, {} before",
                done.changed, done.already
            );
            Ok(ExitCode::SUCCESS)
        }
        Top::Erase {
            due: _,
            dry_run,
            user,
            database,
            master_key_file,
            blobs,
        } => {
            let key = master_key_file.map(MasterKey::from_file).transpose()?;
            let (cases, db) =
                siproc_server::store::open(&StoreUrl::parse(&database)?, key.as_ref())?;
            let files = siproc_server::store::open_blobs(&BlobPlace::parse(&blobs)?, &db)?;
            let catalog = siproc_core::Catalog::honduras()?;
            let office = catalog
                .offices
                .iter()
                .find(|o| o.kind == siproc_core::OfficeKind::Directorate)
                .map(|o| o.code.clone())
                .unwrap_or_default();
            let actor = siproc_core::Actor::new(user, siproc_core::Role::Directorate, office);
            let report = erasure::erase_due(
                cases.as_ref(),
                files.as_ref(),
                &catalog,
                &actor,
                Utc::now(),
                dry_run,
            )?;
            if !dry_run {
                db.log_audit(&AuditEntry::by(
                    &actor,
                    AuditEvent::RetentionErasure {
                        checked: report.checked,
                        due: report.due,
                        erased: report.erased,
                    },
                ))?;
            }
            println!(
                "erase --due{}: {} closed cases checked, {} due, {} erased, {} without a retention rule",
                if dry_run { " --dry-run" } else { "" },
                report.checked,
                report.due,
                report.erased,
                report.without_rule
            );
            Ok(ExitCode::SUCCESS)
        }
        Top::Pack {
            command: PackCommand::Check { dir },
        } => {
            let problems = siproc_core::Catalog::check_dir(&dir);
            for problem in &problems {
                println!("{}: {problem}", dir.display());
            }
            if problems.is_empty() {
                println!("{}: ok", dir.display());
                Ok(ExitCode::SUCCESS)
            } else {
                println!("{}: {} problem(s)", dir.display(), problems.len());
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// Prints what a backup or restore copied: the rows of each table, then the cases.
fn print_copy(what: &str, file: &str, report: &CopyReport) {
    for table in &report.tables {
        println!("{what}: {:<20} {:>10} rows", table.table, table.rows);
    }
    println!("{what}: {file}: {} cases", report.cases());
}

/// Serves until stopped; answers the state, for the caller to drop outside the runtime.
async fn serve(
    settings: Settings,
    with_demo: bool,
) -> Result<siproc_server::state::SharedState, Box<dyn std::error::Error>> {
    let app = Application::build(&settings).await?;
    let state = app.state().clone();
    let addr = app.local_addr()?;
    if with_demo {
        let state = state.clone();
        let (users, sign_ins, made) = tokio::task::spawn_blocking(move || {
            Ok::<_, String>((
                demo::users(&state).map_err(|e| e.to_string())?,
                demo::sign_ins(&state).map_err(|e| e.to_string())?,
                demo::cases(&state).map_err(|e| e.to_string())?,
            ))
        })
        .await??;
        println!("demo: {made} cases registered");
        for (user, role, token) in users {
            println!("demo token  {:<12} {user:<22} {token}", role.as_str());
        }
        println!(
            "demo sign-in: login, password \"{}\", the current code of an authenticator \
             application given the secret (or one recovery code, used once):",
            demo::DEMO_PASSWORD
        );
        for (user, role, secret, codes) in sign_ins {
            println!(
                "demo signin  {:<12} {user:<22} {secret}  {}",
                role.as_str(),
                codes.join(" ")
            );
        }
    }
    println!("siproc-server listening on http://{addr}/api/v1 (health: /api/v1/health)");
    app.run_until_stopped().await?;
    Ok(state)
}
