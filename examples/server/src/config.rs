//! The server's configuration: a TOML file (`deploy/siproc.toml` documents every option),
//! `SIPROC_…` environment variables, and `serve`'s flags.
//!
//! Each option is read from, in order of precedence: a flag of `serve` (`--listen`, …), its
//! environment variable (`SIPROC_` and the option's name in capitals with `_` for `.`:
//! `limits.body_bytes` is `SIPROC_LIMITS_BODY_BYTES`), the configuration file (`--config FILE`
//! or `SIPROC_CONFIG`), and its default. [`OPTIONS`] is the one table of options: its key, what
//! it means, and the function that reads it; the file, the environment and the flags all go
//! through it, so that one rule checks a value wherever it came from.
//!
//! A wrong value stops the server at start with a [`ConfigError`] that names the option and
//! where it came from (`siproc-server config check FILE` reports the same without serving);
//! no message repeats the value itself, which may hold a password (the database URL).
//!
//! The file is read with the `toml` crate (the TOML parser of the Rust project's own tools,
//! through serde) into a table; the options are then read from that table.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::time::Duration;

use ipnet::IpNet;
use toml::Value;

use crate::connections::ConnectionLimits;
use crate::startup::{MAX_BODY_BYTES, Settings};

/// How the server writes its log lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line (for the journal, Loki, Elasticsearch…).
    Json,
    /// Human-readable lines (for a terminal).
    Text,
}

/// The whole configuration, every option read and checked.
#[derive(Clone)]
pub struct Config {
    /// `listen`: where to listen.
    pub listen: SocketAddr,
    /// `database`: the database URL (may hold a password: never logged).
    pub database: String,
    /// `master_key_file`: the master key file of an encrypted store.
    pub master_key_file: Option<PathBuf>,
    /// `public_origin`: the origin users reach the server at (`https://siproc.example.org`).
    pub public_origin: Option<String>,
    /// `trusted_proxies`: the reverse proxies whose `X-Forwarded-For`/`-Proto` are believed.
    pub trusted_proxies: Vec<IpNet>,
    /// `limits.requests_per_second`: per token (0: no limit).
    pub requests_per_second: u32,
    /// `limits.body_bytes`: the largest request body (archives excepted).
    pub body_bytes: usize,
    /// `limits.connections`, `limits.head_timeout_seconds`, `limits.body_idle_seconds`.
    pub connections: ConnectionLimits,
    /// `sessions.idle_timeout_minutes`: a signed-in session ends after this long unused.
    pub session_idle_minutes: u32,
    /// `sessions.absolute_timeout_hours`: a signed-in session ends this long after sign-in.
    pub session_absolute_hours: u32,
    /// `log.format`.
    pub log_format: LogFormat,
    /// `log.filter`: which lines are written (`RUST_LOG`'s syntax).
    pub log_filter: String,
    /// `metrics.allow`: addresses besides loopback that may read `GET /metrics`.
    pub metrics_allow: Vec<IpAddr>,
    /// `shutdown.grace_seconds`: how long requests in flight may take after SIGTERM.
    pub shutdown_grace: Duration,
    /// `max_grants_per_day`: break-the-glass grants one user may take in a day.
    pub max_grants_per_day: u32,
    /// `export_recipient`: an age recipient bulk exports are encrypted to.
    pub export_recipient: Option<String>,
    /// `blobs`: where attachments are kept ([`siproc_core::blobs::BlobPlace`]; an `s3://`
    /// setting names no secret, its credentials come from the environment).
    pub blobs: String,
    /// `max_attachment_bytes`: the largest attachment accepted.
    pub max_attachment_bytes: usize,
    /// `oidc.issuer`: the ministry's identity provider (OpenID Connect), if sign-in with it
    /// is offered.
    pub oidc_issuer: Option<String>,
    /// `oidc.client_id`: this server's client id there.
    pub oidc_client_id: Option<String>,
    /// `oidc.client_secret`, or the content of `oidc.client_secret_file`: never logged.
    pub oidc_client_secret: Option<String>,
    /// `oidc.client_secret_file`: a file holding the client secret.
    pub oidc_client_secret_file: Option<PathBuf>,
    /// `oidc.claim`: which claim names the siproc login.
    pub oidc_claim: siproc_core::accounts::oidc::LoginClaim,
    /// `oidc.email_domain`: with `oidc.claim = "email"`, the one domain whose addresses count.
    pub oidc_email_domain: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The database URL may hold a password.
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("public_origin", &self.public_origin)
            .finish_non_exhaustive()
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: "sqlite://./data/siproc.db".to_owned(),
            master_key_file: None,
            public_origin: None,
            trusted_proxies: Vec::new(),
            requests_per_second: 50,
            body_bytes: MAX_BODY_BYTES,
            connections: ConnectionLimits::default(),
            session_idle_minutes: 30,
            session_absolute_hours: 12,
            log_format: LogFormat::Json,
            log_filter: "info".to_owned(),
            metrics_allow: Vec::new(),
            shutdown_grace: Duration::from_secs(20),
            max_grants_per_day: siproc_core::access::DEFAULT_MAX_GRANTS_PER_DAY,
            export_recipient: None,
            blobs: "database".to_owned(),
            max_attachment_bytes: siproc_core::attachments::DEFAULT_MAX_BYTES,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_client_secret_file: None,
            oidc_claim: siproc_core::accounts::oidc::LoginClaim::default(),
            oidc_email_domain: None,
        }
    }
}

impl Config {
    /// The server's settings (the log options are the caller's: [`crate::telemetry::init`]).
    pub fn settings(&self) -> Settings {
        Settings {
            rate_limit: self.requests_per_second,
            master_key_file: self.master_key_file.clone(),
            metrics_allow: self.metrics_allow.clone(),
            body_limit: self.body_bytes,
            trusted_proxies: self.trusted_proxies.clone(),
            public_origin: self.public_origin.clone(),
            shutdown_grace: self.shutdown_grace,
            connections: self.connections,
            max_grants_per_day: self.max_grants_per_day,
            export_recipient: self.export_recipient.clone(),
            blobs: self.blobs.clone(),
            max_attachment_bytes: self.max_attachment_bytes,
            sessions: siproc_core::accounts::sessions::SessionPolicy {
                idle: chrono::TimeDelta::minutes(i64::from(self.session_idle_minutes)),
                absolute: chrono::TimeDelta::hours(i64::from(self.session_absolute_hours)),
            },
            oidc: self.oidc(),
            ..Settings::new(self.database.clone(), self.listen)
        }
    }

    /// The identity provider's settings, when `oidc.issuer` is given ([`load`] has checked
    /// that the client id and secret are too).
    fn oidc(&self) -> Option<crate::oidc::OidcSettings> {
        Some(crate::oidc::OidcSettings {
            issuer: self.oidc_issuer.clone()?,
            client_id: self.oidc_client_id.clone()?,
            client_secret: self.oidc_client_secret.clone()?,
            claim: self.oidc_claim,
            email_domain: self.oidc_email_domain.clone(),
        })
    }
}

/// Where a value came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The configuration file.
    File(PathBuf),
    /// An environment variable.
    Env(String),
    /// A flag of `serve`.
    Flag(&'static str),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::File(path) => write!(f, "{}", path.display()),
            Source::Env(name) => write!(f, "environment variable {name}"),
            Source::Flag(flag) => write!(f, "flag {flag}"),
        }
    }
}

/// A configuration that cannot be used: which option, from where, and why (never its value).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    /// The file cannot be read.
    #[error("configuration file {}: cannot be read ({reason})", path.display())]
    Unreadable {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        reason: String,
    },
    /// The file is not TOML.
    #[error("configuration file {}, line {line}: not TOML ({reason})", path.display())]
    Syntax {
        /// The file.
        path: PathBuf,
        /// The line (from 1).
        line: usize,
        /// The parser's reason.
        reason: String,
    },
    /// A key that is no option (a misspelling, or an option of another release).
    #[error("option `{option}` ({from}): unknown option")]
    Unknown {
        /// The key as written.
        option: String,
        /// Where.
        from: Source,
    },
    /// An option's value is wrong.
    #[error("option `{option}` ({from}): {problem}")]
    Invalid {
        /// The option.
        option: &'static str,
        /// Where the value came from.
        from: Source,
        /// What a right value is.
        problem: String,
    },
}

impl ConfigError {
    /// The option the error is about, if it is about one.
    pub fn option(&self) -> Option<&str> {
        match self {
            ConfigError::Unknown { option, .. } => Some(option),
            ConfigError::Invalid { option, .. } => Some(option),
            ConfigError::Unreadable { .. } | ConfigError::Syntax { .. } => None,
        }
    }
}

/// How an environment variable's text becomes a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// Text as it is.
    Text,
    /// A whole number.
    Number,
    /// A comma-separated list.
    List,
}

/// One option: its key, its environment variable's form, what it means, how it is read.
pub struct Opt {
    /// The key in the file (`limits.body_bytes`).
    pub key: &'static str,
    /// An older environment variable also read, below the `SIPROC_…` one.
    pub alias: Option<&'static str>,
    /// How the environment variable's text is read.
    pub form: Form,
    /// What it means (one line).
    pub about: &'static str,
    /// Reads a value into the configuration; the error says what a right value is.
    read: fn(&mut Config, &Value) -> Result<(), String>,
}

impl Opt {
    /// The option's environment variable: `SIPROC_` and the key in capitals, `_` for `.`.
    pub fn env(&self) -> String {
        format!("SIPROC_{}", self.key.replace('.', "_").to_ascii_uppercase())
    }
}

/// Every option.
pub const OPTIONS: &[Opt] = &[
    Opt {
        key: "listen",
        alias: None,
        form: Form::Text,
        about: "address and port to listen on",
        read: |c, v| {
            c.listen = parse(v, "an address and port, such as 127.0.0.1:8080")?;
            Ok(())
        },
    },
    Opt {
        key: "database",
        alias: Some("DATABASE_URL"),
        form: Form::Text,
        about: "the database URL: sqlite:///path, postgresql://user@host/db or memory:",
        read: |c, v| {
            let url = text(v)?;
            siproc_core::store::StoreUrl::parse(url).map_err(|_| {
                "must be sqlite:///path, a path, postgresql://user@host:port/db or memory:"
                    .to_owned()
            })?;
            c.database = url.to_owned();
            Ok(())
        },
    },
    Opt {
        key: "master_key_file",
        alias: None,
        form: Form::Text,
        about: "the master key file of an encrypted store",
        read: |c, v| {
            let path = text(v)?;
            if path.is_empty() {
                return Err("must be the path of a file".to_owned());
            }
            c.master_key_file = Some(PathBuf::from(path));
            Ok(())
        },
    },
    Opt {
        key: "public_origin",
        alias: None,
        form: Form::Text,
        about: "the origin users reach the server at, such as https://siproc.example.org",
        read: |c, v| {
            c.public_origin = Some(origin(text(v)?)?);
            Ok(())
        },
    },
    Opt {
        key: "trusted_proxies",
        alias: None,
        form: Form::List,
        about: "reverse proxies (addresses or networks) whose X-Forwarded-For/-Proto are believed",
        read: |c, v| {
            c.trusted_proxies = list(v)?
                .into_iter()
                .map(network)
                .collect::<Result<_, _>>()?;
            Ok(())
        },
    },
    Opt {
        key: "max_grants_per_day",
        alias: None,
        form: Form::Number,
        about: "break-the-glass grants one user may take in a day",
        read: |c, v| {
            c.max_grants_per_day = number(v, 0, 1000)?;
            Ok(())
        },
    },
    Opt {
        key: "export_recipient",
        alias: None,
        form: Form::Text,
        about: "an age recipient (age1…) bulk exports are encrypted to, instead of four eyes",
        read: |c, v| {
            let recipient = text(v)?;
            recipient
                .parse::<age::x25519::Recipient>()
                .map_err(|_| "must be an age X25519 recipient (age1…)".to_owned())?;
            c.export_recipient = Some(recipient.to_owned());
            Ok(())
        },
    },
    Opt {
        key: "blobs",
        alias: None,
        form: Form::Text,
        about: "where attachments are kept: database, dir:PATH or s3://BUCKET/PREFIX?endpoint=URL&region=NAME",
        read: |c, v| {
            let place = text(v)?;
            siproc_core::blobs::BlobPlace::parse(place).map_err(|_| {
                "must be database, dir:PATH or s3://BUCKET/PREFIX?endpoint=URL&region=NAME"
                    .to_owned()
            })?;
            c.blobs = place.to_owned();
            Ok(())
        },
    },
    Opt {
        key: "max_attachment_bytes",
        alias: None,
        form: Form::Number,
        about: "the largest attachment accepted, in bytes (kept in memory while it is checked)",
        read: |c, v| {
            c.max_attachment_bytes = number(v, 1024, MAX_ATTACHMENT_BYTES)?;
            Ok(())
        },
    },
    Opt {
        key: "limits.requests_per_second",
        alias: None,
        form: Form::Number,
        about: "requests per second allowed per token (0: no limit)",
        read: |c, v| {
            c.requests_per_second = number(v, 0, 100_000)?;
            Ok(())
        },
    },
    Opt {
        key: "limits.body_bytes",
        alias: None,
        form: Form::Number,
        about: "the largest request body in bytes, archives excepted",
        // Past the core's limit of a record's JSON text a larger body is refused anyway.
        read: |c, v| {
            c.body_bytes = number(v, 1024, MAX_BODY_BYTES as u64)?;
            Ok(())
        },
    },
    Opt {
        key: "limits.connections",
        alias: None,
        form: Form::Number,
        about: "connections open at once; past it new ones wait to be accepted",
        read: |c, v| {
            c.connections.max_open = number(v, 16, 100_000)?;
            Ok(())
        },
    },
    Opt {
        key: "limits.head_timeout_seconds",
        alias: None,
        form: Form::Number,
        about: "seconds a client has to send a request's head (idle kept-alive connections too)",
        read: |c, v| {
            c.connections.head_timeout = Duration::from_secs(number(v, 1, 300)?);
            Ok(())
        },
    },
    Opt {
        key: "limits.body_idle_seconds",
        alias: None,
        form: Form::Number,
        about: "seconds a request body may send nothing before its request ends",
        read: |c, v| {
            c.connections.body_idle_timeout = Duration::from_secs(number(v, 1, 3600)?);
            Ok(())
        },
    },
    Opt {
        key: "sessions.idle_timeout_minutes",
        alias: None,
        form: Form::Number,
        about: "a signed-in session ends after this long unused",
        read: |c, v| {
            c.session_idle_minutes = number(v, 1, 24 * 60)?;
            Ok(())
        },
    },
    Opt {
        key: "sessions.absolute_timeout_hours",
        alias: None,
        form: Form::Number,
        about: "a signed-in session ends this long after sign-in, used or not",
        read: |c, v| {
            c.session_absolute_hours = number(v, 1, 24 * 30)?;
            Ok(())
        },
    },
    Opt {
        key: "oidc.issuer",
        alias: None,
        form: Form::Text,
        about: "the ministry's OpenID Connect provider (its issuer URL): sign-in with it is offered",
        read: |c, v| {
            let issuer = text(v)?;
            let ok = issuer.starts_with("https://") || issuer.starts_with("http://");
            if !ok || issuer.contains(char::is_whitespace) {
                return Err(
                    "must be an issuer URL such as https://id.example.gob.hn/realms/sreci"
                        .to_owned(),
                );
            }
            c.oidc_issuer = Some(issuer.trim_end_matches('/').to_owned());
            Ok(())
        },
    },
    Opt {
        key: "oidc.client_id",
        alias: None,
        form: Form::Text,
        about: "this server's client id at the OpenID Connect provider",
        read: |c, v| {
            c.oidc_client_id = Some(non_empty(v, "a client id")?);
            Ok(())
        },
    },
    Opt {
        key: "oidc.client_secret",
        alias: None,
        form: Form::Text,
        about: "its client secret (prefer oidc.client_secret_file; never logged)",
        read: |c, v| {
            c.oidc_client_secret = Some(non_empty(v, "the client secret")?);
            Ok(())
        },
    },
    Opt {
        key: "oidc.client_secret_file",
        alias: None,
        form: Form::Text,
        about: "a file holding the client secret (read at start)",
        read: |c, v| {
            let path = non_empty(v, "the path of a file")?;
            c.oidc_client_secret_file = Some(PathBuf::from(path));
            Ok(())
        },
    },
    Opt {
        key: "oidc.claim",
        alias: None,
        form: Form::Text,
        about: "which claim names the siproc login: preferred_username, email or sub",
        read: |c, v| {
            c.oidc_claim = siproc_core::accounts::oidc::LoginClaim::from_name(text(v)?)
                .ok_or_else(|| "must be preferred_username, email or sub".to_owned())?;
            Ok(())
        },
    },
    Opt {
        key: "oidc.email_domain",
        alias: None,
        form: Form::Text,
        about: "with oidc.claim = \"email\": the one domain whose verified addresses count",
        read: |c, v| {
            c.oidc_email_domain = Some(non_empty(v, "a domain")?.to_ascii_lowercase());
            Ok(())
        },
    },
    Opt {
        key: "log.format",
        alias: None,
        form: Form::Text,
        about: "json (one JSON object per line) or text",
        read: |c, v| {
            c.log_format = match text(v)? {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                _ => return Err("must be json or text".to_owned()),
            };
            Ok(())
        },
    },
    Opt {
        key: "log.filter",
        alias: Some("RUST_LOG"),
        form: Form::Text,
        about: "which lines are written: a level (info) or RUST_LOG's directives",
        read: |c, v| {
            let filter = text(v)?;
            tracing_subscriber::EnvFilter::builder()
                .parse(filter)
                .map_err(|_| "must be a level (error, warn, info, debug, trace) or directives such as info,siproc_server=debug".to_owned())?;
            c.log_filter = filter.to_owned();
            Ok(())
        },
    },
    Opt {
        key: "metrics.allow",
        alias: None,
        form: Form::List,
        about: "addresses besides loopback that may read GET /api/v1/metrics",
        read: |c, v| {
            c.metrics_allow = list(v)?
                .into_iter()
                .map(|s| s.parse().map_err(|_| "must be IP addresses".to_owned()))
                .collect::<Result<_, _>>()?;
            Ok(())
        },
    },
    Opt {
        key: "shutdown.grace_seconds",
        alias: None,
        form: Form::Number,
        about: "after SIGTERM, how long requests in flight may take before they are cut",
        read: |c, v| {
            c.shutdown_grace = Duration::from_secs(number(v, 0, 3600)?);
            Ok(())
        },
    },
];

/// The largest `max_attachment_bytes` (an upload is held in memory while it is checked).
const MAX_ATTACHMENT_BYTES: u64 = 1 << 30;

fn text(v: &Value) -> Result<&str, String> {
    v.as_str()
        .map(str::trim)
        .ok_or_else(|| "must be a string".to_owned())
}

/// Text that is not empty (`what` names it in the error; the value never appears).
fn non_empty(v: &Value, what: &str) -> Result<String, String> {
    let value = text(v)?;
    if value.is_empty() {
        return Err(format!("must be {what}"));
    }
    Ok(value.to_owned())
}

fn parse<T: std::str::FromStr>(v: &Value, what: &str) -> Result<T, String> {
    text(v)?.parse().map_err(|_| format!("must be {what}"))
}

fn number<T: TryFrom<u64>>(v: &Value, min: u64, max: u64) -> Result<T, String> {
    let problem = || format!("must be a whole number from {min} to {max}");
    let n = v.as_integer().ok_or_else(problem)?;
    let n = u64::try_from(n).map_err(|_| problem())?;
    if n < min || n > max {
        return Err(problem());
    }
    T::try_from(n).map_err(|_| problem())
}

fn list(v: &Value) -> Result<Vec<&str>, String> {
    let problem = || "must be a list of strings".to_owned();
    v.as_array()
        .ok_or_else(problem)?
        .iter()
        .map(|item| item.as_str().map(str::trim).ok_or_else(problem))
        .collect()
}

/// An address (`10.0.0.7`, one host) or a network (`10.0.0.0/24`).
fn network(s: &str) -> Result<IpNet, String> {
    s.parse::<IpNet>()
        .map(|net| net.trunc())
        .or_else(|_| s.parse::<IpAddr>().map(IpNet::from))
        .map_err(|_| "must be IP addresses or networks such as 10.0.0.0/24".to_owned())
}

/// `http(s)://host[:port]`, without a path (a final `/` is dropped).
fn origin(s: &str) -> Result<String, String> {
    let problem = || "must be an origin such as https://siproc.example.org".to_owned();
    let s = s.strip_suffix('/').unwrap_or(s);
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"))
        .ok_or_else(problem)?;
    let host = rest.rsplit_once(':').map_or(rest, |(host, port)| {
        if port.parse::<u16>().is_ok() {
            host
        } else {
            ""
        }
    });
    let fine = |c: char| c.is_ascii_alphanumeric() || "-.[]:".contains(c);
    if host.is_empty() || !host.chars().all(fine) {
        return Err(problem());
    }
    Ok(s.to_ascii_lowercase())
}

/// The values given so far, by option, with where each came from.
type Given = BTreeMap<&'static str, (Value, Source)>;

fn option(key: &str) -> Option<&'static Opt> {
    OPTIONS.iter().find(|o| o.key == key)
}

/// Gives `opt` the `value` from `source`, over any value given before; every value is checked
/// where it is given, so a wrong value in the file is reported even when a flag overrides it.
fn put(
    given: &mut Given,
    opt: &'static Opt,
    value: Value,
    source: Source,
) -> Result<(), ConfigError> {
    (opt.read)(&mut Config::default(), &value).map_err(|problem| ConfigError::Invalid {
        option: opt.key,
        from: source.clone(),
        problem,
    })?;
    given.insert(opt.key, (value, source));
    Ok(())
}

/// Reads the configuration file's options into `given`.
fn read_file(path: &Path, given: &mut Given) -> Result<(), ConfigError> {
    let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
        path: path.to_owned(),
        reason: e.kind().to_string(),
    })?;
    let table: toml::Table = toml::from_str(&text).map_err(|e| ConfigError::Syntax {
        path: path.to_owned(),
        line: e.span().map_or(1, |span| {
            text.get(..span.start)
                .map_or(1, |before| before.matches('\n').count() + 1)
        }),
        // The parser's message without the quoted line (which may hold a password).
        reason: e.message().to_owned(),
    })?;
    let source = Source::File(path.to_owned());
    let mut leaves = Vec::new();
    flatten("", table, &mut leaves);
    for (key, value) in leaves {
        let Some(opt) = option(&key) else {
            return Err(ConfigError::Unknown {
                option: key,
                from: source,
            });
        };
        put(given, opt, value, source.clone())?;
    }
    Ok(())
}

/// The table's values by dotted key (`[limits] body_bytes` is `limits.body_bytes`); a table
/// that is no section of options stays a value, to be reported unknown.
fn flatten(prefix: &str, table: toml::Table, out: &mut Vec<(String, Value)>) {
    for (key, value) in table {
        let key = if prefix.is_empty() {
            key
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::Table(inner)
                if OPTIONS
                    .iter()
                    .any(|o| o.key.starts_with(&format!("{key}."))) =>
            {
                flatten(&key, inner, out);
            }
            value => out.push((key, value)),
        }
    }
}

/// Reads every option's environment variable (its `SIPROC_…` name, else its alias) from `env`.
fn read_env(env: &dyn Fn(&str) -> Option<String>, given: &mut Given) -> Result<(), ConfigError> {
    for opt in OPTIONS {
        let name = opt.env();
        let found = env(&name)
            .map(|v| (name, v))
            .or_else(|| opt.alias.and_then(|a| env(a).map(|v| (a.to_owned(), v))));
        let Some((name, text)) = found else { continue };
        let text = text.trim();
        if text.is_empty() && opt.form != Form::List {
            continue;
        }
        let value = match opt.form {
            Form::Text => Value::String(text.to_owned()),
            Form::List => Value::Array(
                text.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| Value::String(s.to_owned()))
                    .collect(),
            ),
            Form::Number => match text.parse::<i64>() {
                Ok(n) => Value::Integer(n),
                Err(_) => {
                    return Err(ConfigError::Invalid {
                        option: opt.key,
                        from: Source::Env(name),
                        problem: "must be a whole number".to_owned(),
                    });
                }
            },
        };
        put(given, opt, value, Source::Env(name))?;
    }
    Ok(())
}

/// A value given by a flag of `serve`: the option's key, the flag, the value.
pub type Flag = (&'static str, &'static str, Value);

/// Loads the configuration: `flags` over the environment (`env`, usually
/// `|k| std::env::var(k).ok()`) over the file (if any) over the defaults, every value checked.
pub fn load(
    file: Option<&Path>,
    env: &dyn Fn(&str) -> Option<String>,
    flags: Vec<Flag>,
) -> Result<Config, ConfigError> {
    let mut given = Given::new();
    if let Some(path) = file {
        read_file(path, &mut given)?;
    }
    read_env(env, &mut given)?;
    for (key, flag, value) in flags {
        let Some(opt) = option(key) else {
            return Err(ConfigError::Unknown {
                option: key.to_owned(),
                from: Source::Flag(flag),
            });
        };
        put(&mut given, opt, value, Source::Flag(flag))?;
    }
    let mut config = Config::default();
    for (key, (value, _)) in &given {
        if let Some(opt) = option(key) {
            // Checked when given (`put`): this cannot fail.
            let _ = (opt.read)(&mut config, value);
        }
    }
    if u64::from(config.session_idle_minutes) > u64::from(config.session_absolute_hours) * 60 {
        let key = "sessions.idle_timeout_minutes";
        return Err(ConfigError::Invalid {
            option: key,
            from: given
                .get(key)
                .or_else(|| given.get("sessions.absolute_timeout_hours"))
                .map_or(Source::Flag("(defaults)"), |(_, s)| s.clone()),
            problem: "must not be longer than sessions.absolute_timeout_hours".to_owned(),
        });
    }
    check_oidc(&mut config, &given)?;
    Ok(config)
}

/// The `oidc.*` options together: none, or an issuer with a client id, one secret (given or
/// read from its file), the public origin (the redirect URI is made from it), and a domain
/// when the claim is `email`.
fn check_oidc(config: &mut Config, given: &Given) -> Result<(), ConfigError> {
    let keys = [
        "oidc.issuer",
        "oidc.client_id",
        "oidc.client_secret",
        "oidc.client_secret_file",
        "oidc.claim",
        "oidc.email_domain",
    ];
    let Some(first) = keys.iter().find_map(|k| given.get(k)) else {
        return Ok(());
    };
    let from = |key: &str| given.get(key).map_or(first.1.clone(), |(_, s)| s.clone());
    let invalid = |option: &'static str, problem: &str| ConfigError::Invalid {
        option,
        from: from(option),
        problem: problem.to_owned(),
    };
    if config.oidc_issuer.is_none() {
        return Err(invalid(
            "oidc.issuer",
            "is needed with the other oidc options",
        ));
    }
    if config.oidc_client_id.is_none() {
        return Err(invalid("oidc.client_id", "is needed with oidc.issuer"));
    }
    if config.public_origin.is_none() {
        return Err(invalid(
            "public_origin",
            "is needed with oidc.issuer (the redirect URI is made from it)",
        ));
    }
    if config.oidc_claim == siproc_core::accounts::oidc::LoginClaim::Email
        && config.oidc_email_domain.is_none()
    {
        return Err(invalid(
            "oidc.email_domain",
            "is needed with oidc.claim = \"email\"",
        ));
    }
    match (&config.oidc_client_secret, &config.oidc_client_secret_file) {
        (Some(_), Some(_)) => Err(invalid(
            "oidc.client_secret_file",
            "must not be given with oidc.client_secret",
        )),
        (None, None) => Err(invalid(
            "oidc.client_secret",
            "is needed with oidc.issuer (or oidc.client_secret_file)",
        )),
        (Some(_), None) => Ok(()),
        (None, Some(path)) => {
            let read = std::fs::read_to_string(path).map_err(|e| ConfigError::Unreadable {
                path: path.clone(),
                reason: e.kind().to_string(),
            })?;
            let secret = read.trim();
            if secret.is_empty() {
                return Err(invalid(
                    "oidc.client_secret_file",
                    "must hold the client secret",
                ));
            }
            config.oidc_client_secret = Some(secret.to_owned());
            Ok(())
        }
    }
}

/// The environment of this process.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env_of(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn file(text: &str) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), text).unwrap();
        f
    }

    #[test]
    fn defaults_then_file_then_environment_then_flags() {
        let f = file(
            "listen = \"127.0.0.1:9000\"\n[limits]\nrequests_per_second = 7\nbody_bytes = 4096\n",
        );
        let none = env_of(&[]);
        let c = load(None, &none, vec![]).unwrap();
        assert_eq!(c.listen, Config::default().listen);
        let c = load(Some(f.path()), &none, vec![]).unwrap();
        assert_eq!(c.listen.port(), 9000);
        assert_eq!(c.requests_per_second, 7);
        assert_eq!(c.body_bytes, 4096);
        let env = env_of(&[
            ("SIPROC_LISTEN", "127.0.0.1:9001"),
            ("SIPROC_LIMITS_REQUESTS_PER_SECOND", "8"),
        ]);
        let c = load(Some(f.path()), &env, vec![]).unwrap();
        assert_eq!(
            (c.listen.port(), c.requests_per_second, c.body_bytes),
            (9001, 8, 4096)
        );
        let flags = vec![("listen", "--listen", Value::String("127.0.0.1:9002".into()))];
        let c = load(Some(f.path()), &env, flags).unwrap();
        assert_eq!((c.listen.port(), c.requests_per_second), (9002, 8));
    }

    #[test]
    fn the_siproc_variable_wins_over_its_alias() {
        let env = env_of(&[
            ("DATABASE_URL", "memory:"),
            ("SIPROC_DATABASE", "sqlite:a.db"),
        ]);
        assert_eq!(load(None, &env, vec![]).unwrap().database, "sqlite:a.db");
        let env = env_of(&[("DATABASE_URL", "memory:")]);
        assert_eq!(load(None, &env, vec![]).unwrap().database, "memory:");
    }

    #[test]
    fn errors_name_the_option_and_where_and_never_the_value() {
        let none = env_of(&[]);
        let f = file("database = \"ftp://admin:hunter2@db/x\"\n");
        let e = load(Some(f.path()), &none, vec![]).unwrap_err();
        assert_eq!(e.option(), Some("database"));
        assert!(!e.to_string().contains("hunter2"), "{e}");
        assert!(
            e.to_string().contains(&f.path().display().to_string()),
            "{e}"
        );

        let f = file("[limits]\nbody_byte = 10\n");
        let e = load(Some(f.path()), &none, vec![]).unwrap_err();
        assert_eq!(e.option(), Some("limits.body_byte"));
        assert!(e.to_string().contains("unknown option"), "{e}");

        let f = file("[limits]\nbody_bytes = 10\n");
        let e = load(Some(f.path()), &none, vec![]).unwrap_err();
        assert_eq!(e.option(), Some("limits.body_bytes"));

        let env = env_of(&[("SIPROC_SHUTDOWN_GRACE_SECONDS", "soon")]);
        let e = load(None, &env, vec![]).unwrap_err();
        assert_eq!(e.option(), Some("shutdown.grace_seconds"));
        assert!(
            e.to_string().contains("SIPROC_SHUTDOWN_GRACE_SECONDS"),
            "{e}"
        );

        let f = file("password = \"hunter2\n");
        let e = load(Some(f.path()), &none, vec![]).unwrap_err();
        assert!(matches!(e, ConfigError::Syntax { line: 1, .. }), "{e}");
        assert!(!e.to_string().contains("hunter2"), "{e}");
    }

    #[test]
    fn each_option_refuses_a_wrong_value() {
        let none = env_of(&[]);
        for (key, wrong) in [
            ("listen", Value::String("localhost".into())),
            ("database", Value::String(String::new())),
            ("master_key_file", Value::Integer(3)),
            ("public_origin", Value::String("https://x.org/path".into())),
            ("public_origin", Value::String("siproc.example.org".into())),
            (
                "trusted_proxies",
                Value::Array(vec![Value::String("10.0.0/8".into())]),
            ),
            ("limits.requests_per_second", Value::Integer(-1)),
            ("limits.body_bytes", Value::Integer(1 << 40)),
            ("sessions.idle_timeout_minutes", Value::Integer(0)),
            (
                "sessions.absolute_timeout_hours",
                Value::String("12".into()),
            ),
            ("log.format", Value::String("xml".into())),
            ("log.filter", Value::String("info,=[".into())),
            (
                "metrics.allow",
                Value::Array(vec![Value::String("10.0.0.0/8".into())]),
            ),
            ("shutdown.grace_seconds", Value::Integer(86_400)),
            ("max_grants_per_day", Value::Integer(-3)),
            ("export_recipient", Value::String("age1nope".into())),
            ("blobs", Value::String("ftp://bucket".into())),
            ("blobs", Value::String("dir:".into())),
            ("max_attachment_bytes", Value::Integer(0)),
            ("max_attachment_bytes", Value::Integer(1 << 40)),
        ] {
            let e = load(None, &none, vec![(key, "--flag", wrong)]).unwrap_err();
            assert_eq!(e.option(), Some(key), "{e}");
        }
        let e = load(
            None,
            &env_of(&[
                ("SIPROC_SESSIONS_IDLE_TIMEOUT_MINUTES", "120"),
                ("SIPROC_SESSIONS_ABSOLUTE_TIMEOUT_HOURS", "1"),
            ]),
            vec![],
        )
        .unwrap_err();
        assert_eq!(e.option(), Some("sessions.idle_timeout_minutes"));
    }

    #[test]
    fn the_identity_provider_needs_its_client_and_the_public_origin() {
        let secret = file("  s3cr3t-from-file\n");
        let secret_path = secret.path().display().to_string();
        let base = [
            (
                "SIPROC_OIDC_ISSUER",
                "https://id.example.gob.hn/realms/sreci/",
            ),
            ("SIPROC_OIDC_CLIENT_ID", "siproc"),
            ("SIPROC_PUBLIC_ORIGIN", "https://siproc.example.org"),
        ];
        let with = |more: &[(&str, &str)]| {
            let mut vars = base.to_vec();
            vars.extend_from_slice(more);
            load(None, &env_of(&vars), vec![])
        };
        let c = with(&[("SIPROC_OIDC_CLIENT_SECRET", "s3cr3t")]).unwrap();
        let oidc = c.settings().oidc.unwrap();
        assert_eq!(oidc.issuer, "https://id.example.gob.hn/realms/sreci");
        assert_eq!(oidc.client_secret, "s3cr3t");
        assert!(!format!("{c:?} {oidc:?}").contains("s3cr3t"));
        let c = with(&[("SIPROC_OIDC_CLIENT_SECRET_FILE", &secret_path)]).unwrap();
        assert_eq!(c.oidc_client_secret.as_deref(), Some("s3cr3t-from-file"));
        assert!(
            load(None, &env_of(&[]), vec![])
                .unwrap()
                .settings()
                .oidc
                .is_none()
        );
        for (more, option) in [
            (vec![], "oidc.client_secret"),
            (
                vec![
                    ("SIPROC_OIDC_CLIENT_SECRET", "a"),
                    ("SIPROC_OIDC_CLIENT_SECRET_FILE", secret_path.as_str()),
                ],
                "oidc.client_secret_file",
            ),
            (
                vec![
                    ("SIPROC_OIDC_CLIENT_SECRET", "a"),
                    ("SIPROC_OIDC_CLAIM", "email"),
                ],
                "oidc.email_domain",
            ),
            (vec![("SIPROC_OIDC_CLAIM", "name")], "oidc.claim"),
        ] {
            let e = with(&more).unwrap_err();
            assert_eq!(e.option(), Some(option), "{e}");
        }
        let e = load(
            None,
            &env_of(&[
                ("SIPROC_OIDC_ISSUER", "https://id.example.gob.hn"),
                ("SIPROC_OIDC_CLIENT_ID", "siproc"),
                ("SIPROC_OIDC_CLIENT_SECRET", "s3cr3t"),
            ]),
            vec![],
        )
        .unwrap_err();
        assert_eq!(e.option(), Some("public_origin"));
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        let e = load(None, &env_of(&[("SIPROC_OIDC_CLIENT_ID", "x")]), vec![]).unwrap_err();
        assert_eq!(e.option(), Some("oidc.issuer"));
    }

    #[test]
    fn lists_and_networks() {
        let env = env_of(&[
            ("SIPROC_TRUSTED_PROXIES", "10.0.0.1, 192.168.0.0/16,::1"),
            ("SIPROC_METRICS_ALLOW", ""),
            ("SIPROC_PUBLIC_ORIGIN", "https://Siproc.Example.org/"),
        ]);
        let c = load(None, &env, vec![]).unwrap();
        let nets: Vec<String> = c.trusted_proxies.iter().map(ToString::to_string).collect();
        assert_eq!(nets, ["10.0.0.1/32", "192.168.0.0/16", "::1/128"]);
        assert!(c.metrics_allow.is_empty());
        assert_eq!(
            c.public_origin.as_deref(),
            Some("https://siproc.example.org")
        );
    }

    #[test]
    fn the_example_file_documents_every_option_and_passes() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/siproc.toml");
        let text = std::fs::read_to_string(&path).unwrap();
        for opt in OPTIONS {
            let leaf = opt.key.rsplit('.').next().unwrap();
            assert!(
                text.lines().any(|l| l
                    .trim_start_matches(['#', ' '])
                    .starts_with(&format!("{leaf} ="))),
                "deploy/siproc.toml shows {}",
                opt.key
            );
            assert!(
                text.contains(&opt.env()),
                "deploy/siproc.toml names {}",
                opt.env()
            );
        }
        load(Some(&path), &env_of(&[]), vec![]).unwrap();
    }
}
