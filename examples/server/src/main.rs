//! `siproc-server`: the reference server's command line.
//!
//! ```text
//! siproc-server serve [--database URL] [--listen ADDR] [--demo] [--rate-limit N]
//!                      [--max-grants-per-day N] [--export-recipient age1…]
//! siproc-server token create --user ID --role ROLE [--office CODE] [--database URL]
//! siproc-server pack check DIR
//! ```

use std::net::SocketAddr;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use siproc_core::Actor;
use siproc_core::store::StoreUrl;
use siproc_server::db::{new_token, parse_role, token_hash};
use siproc_server::startup::{Application, Settings};
use siproc_server::{demo, telemetry};

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
        /// Break-the-glass grants one user may take in a day.
        #[arg(long, env = "SIPROC_MAX_GRANTS_PER_DAY", default_value_t = siproc_core::access::DEFAULT_MAX_GRANTS_PER_DAY)]
        max_grants_per_day: u32,
        /// An age recipient (age1…): GET /archive answers every case encrypted to it, without a
        /// second directorate user's approval. Without it, exports need four eyes.
        #[arg(long, env = "SIPROC_EXPORT_RECIPIENT")]
        export_recipient: Option<String>,
    },
    /// Bearer tokens.
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
enum TokenCommand {
    /// Create a token and print it once (only its hash is stored).
    Create {
        /// The user's id.
        #[arg(long)]
        user: String,
        /// officer, supervisor, directorate, partner or auditor.
        #[arg(long)]
        role: String,
        /// The office the user acts from.
        #[arg(long, default_value = "")]
        office: String,
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
            max_grants_per_day,
            export_recipient,
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
                    max_grants_per_day,
                    export_recipient,
                },
                demo,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Top::Token {
            command:
                TokenCommand::Create {
                    user,
                    role,
                    office,
                    database,
                },
        } => {
            let role = parse_role(&role).ok_or("unknown role")?;
            let (_, db) = siproc_server::store::open(&StoreUrl::parse(&database)?)?;
            let token = new_token()?;
            db.add_token(&token_hash(&token), &Actor::new(user, role, office))?;
            println!("{token}");
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
