//! `siproc-server`: the reference server's command line.
//!
//! ```text
//! siproc-server serve [--database URL] [--listen ADDR] [--demo] [--rate-limit N]
//! siproc-server user create --login LOGIN --role ROLE [--office CODE] [--name NAME] [--database URL]
//! siproc-server user list [--database URL]
//! siproc-server user disable|enable LOGIN [--database URL]
//! siproc-server token create --user ID [--role ROLE] [--office CODE] [--name NAME]
//!                            [--scope SCOPE]... [--expires-in 90d] [--database URL]
//! siproc-server token list [--user ID] [--database URL]
//! siproc-server token revoke ID [--database URL]
//! siproc-server pack check DIR
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
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
    /// Serve the API.
    Serve {
        /// The database: sqlite:///path, a path, postgresql://user@host:port/db, or memory:.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
        /// Address to listen on.
        #[arg(long, default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Create demo users and cases, and print one token per role.
        #[arg(long)]
        demo: bool,
        /// Requests per second allowed per token (0: no limit).
        #[arg(long, default_value_t = 50)]
        rate_limit: u32,
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
}

#[derive(Subcommand)]
enum UserCommand {
    /// Create an active user (the first administrator: `--role directorate`).
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
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// List the users.
    List {
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// Disable a user: their tokens and sessions stop at once.
    Disable {
        /// The user's login.
        login: String,
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// Re-enable a user.
    Enable {
        /// The user's login.
        login: String,
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
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
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// List tokens (never their secrets).
    List {
        /// Only this user's.
        #[arg(long)]
        user: Option<String>,
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
    },
    /// Revoke a token by its id: it stops at once.
    Revoke {
        /// The token's id (as `token list` shows it).
        id: String,
        /// The database.
        #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE)]
        database: String,
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
            database,
            listen,
            demo,
            rate_limit,
        } => {
            telemetry::init();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(serve(
                Settings {
                    database,
                    listen,
                    rate_limit,
                },
                demo,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Top::User { command } => cli::user(command),
        Top::Token { command } => cli::token(command),
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

async fn serve(settings: Settings, with_demo: bool) -> Result<(), Box<dyn std::error::Error>> {
    let app = Application::build(&settings).await?;
    let addr = app.local_addr()?;
    if with_demo {
        let state = app.state().clone();
        let (users, made) = tokio::task::spawn_blocking(move || {
            Ok::<_, String>((
                demo::users(&state).map_err(|e| e.to_string())?,
                demo::cases(&state).map_err(|e| e.to_string())?,
            ))
        })
        .await??;
        println!("demo: {made} cases registered");
        for (user, role, token) in users {
            println!("demo token  {:<12} {user:<22} {token}", role.as_str());
        }
    }
    println!("siproc-server listening on http://{addr}/api/v1 (health: /api/v1/health)");
    app.run_until_stopped().await?;
    Ok(())
}
