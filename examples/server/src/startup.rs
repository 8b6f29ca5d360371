//! Building and running the application: settings, the router with its layers (request ids,
//! one log line per request, body limit, security headers, timeouts), the listener, and
//! graceful shutdown on SIGTERM or Ctrl-C.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, MatchedPath};
use axum::http::{HeaderName, HeaderValue, Request, header};
use tokio::net::TcpListener;
use tower::ServiceBuilder;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::RequestBodyTimeoutLayer;
use tower_http::trace::TraceLayer;
use tracing::Span;

use crate::connections::ConnectionLimits;
use crate::routes;
use crate::state::{AppState, Policy, SharedState};
use siproc_core::store::StoreUrl;

/// Largest request body, except archives, and the default and ceiling of `limits.body_bytes`:
/// 1 MiB, the core's limit of a record's JSON text.
pub const MAX_BODY_BYTES: usize = siproc_core::limits::Limits::DEFAULT.record_bytes;

/// How the server runs.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database URL.
    pub database: String,
    /// Where to listen (port 0: any free port).
    pub listen: SocketAddr,
    /// Requests per second per token (0: no limit).
    pub rate_limit: u32,
    /// The master key file of an encrypted store (`--master-key-file`,
    /// `SIPROC_MASTER_KEY_FILE`); `None` for an unencrypted one.
    pub master_key_file: Option<std::path::PathBuf>,
    /// Addresses besides loopback that may read `GET /metrics`.
    pub metrics_allow: Vec<std::net::IpAddr>,
    /// Break-the-glass grants one user may take in a day.
    pub max_grants_per_day: u32,
    /// An `age` recipient (`age1…`): bulk exports are encrypted to it instead of needing a
    /// second directorate user's approval.
    pub export_recipient: Option<String>,
    /// Where attachments are kept (`--blobs`: `database`, `dir:PATH`, `s3://BUCKET/PREFIX?…`;
    /// [`siproc_core::blobs::BlobPlace`]).
    pub blobs: String,
    /// The largest attachment accepted, in bytes.
    pub max_attachment_bytes: usize,
    /// The largest request body, archives excepted.
    pub body_limit: usize,
    /// Reverse proxies whose `X-Forwarded-For`/`-Proto` are believed ([`crate::client`]).
    pub trusted_proxies: Vec<ipnet::IpNet>,
    /// The origin users reach the server at (`https://…`: HTTPS answers carry HSTS).
    pub public_origin: Option<String>,
    /// After SIGTERM, how long requests in flight may take before they are cut.
    pub shutdown_grace: Duration,
    /// Connections at once, and how slow a client may be ([`crate::connections`]).
    pub connections: ConnectionLimits,
    /// How long sessions last (idle and absolute timeouts).
    pub sessions: siproc_core::accounts::sessions::SessionPolicy,
    /// The ministry's identity provider, when sign-in with it is offered (needs
    /// `public_origin`: the redirect URI is made from it).
    pub oidc: Option<crate::oidc::OidcSettings>,
}

impl Settings {
    /// Settings for `database` on `listen`, every other option at its default (50 requests
    /// per second per token; metrics for loopback only; no master key; the default grant
    /// quota; exports need four eyes; 1 MiB bodies; no trusted proxy; 20 seconds to finish
    /// after SIGTERM; [`ConnectionLimits::default`]; sessions idle 30 minutes, 12 hours at most).
    pub fn new(database: impl Into<String>, listen: SocketAddr) -> Settings {
        Settings {
            database: database.into(),
            listen,
            rate_limit: 50,
            metrics_allow: Vec::new(),
            master_key_file: None,
            max_grants_per_day: siproc_core::access::DEFAULT_MAX_GRANTS_PER_DAY,
            export_recipient: None,
            blobs: "database".to_owned(),
            max_attachment_bytes: siproc_core::attachments::DEFAULT_MAX_BYTES,
            body_limit: MAX_BODY_BYTES,
            trusted_proxies: Vec::new(),
            public_origin: None,
            shutdown_grace: Duration::from_secs(20),
            connections: ConnectionLimits::default(),
            sessions: siproc_core::accounts::sessions::SessionPolicy::default(),
            oidc: None,
        }
    }
}

/// A built application, bound to its port, not yet serving.
pub struct Application {
    listener: TcpListener,
    router: Router,
    state: SharedState,
    grace: Duration,
    connections: ConnectionLimits,
}

const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The router over `state`, with every layer.
pub fn router(state: SharedState, settings: &Settings) -> Router {
    let security = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ));
    let trace = TraceLayer::new_for_http()
        .make_span_with(|req: &Request<axum::body::Body>| {
            let route = req
                .extensions()
                .get::<MatchedPath>()
                .map_or("unmatched", MatchedPath::as_str);
            let id = req
                .headers()
                .get(&REQUEST_ID)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", id, method = %req.method(), route)
        })
        // At debug level, a line when the request's head has arrived (its body may not have).
        .on_request(|_: &Request<axum::body::Body>, _: &Span| {
            tracing::debug!("request started");
        })
        .on_response(
            |res: &axum::http::Response<axum::body::Body>, latency: Duration, _span: &Span| {
                tracing::info!(
                    status = res.status().as_u16(),
                    ms = latency.as_secs_f64() * 1000.0,
                    "response"
                );
            },
        );
    let measured = state.clone();
    Router::new()
        .nest("/api/v1", routes::api())
        .merge(crate::web::router(&crate::web::WebRoot::from_env()))
        .with_state(state)
        // Error messages in the request's Accept-Language (crate::error::localize).
        .layer(axum::middleware::from_fn(crate::error::localize))
        .layer(DefaultBodyLimit::max(settings.body_limit))
        // A body silent for this long ends its request (crate::connections).
        .layer(RequestBodyTimeoutLayer::new(
            settings.connections.body_idle_timeout,
        ))
        .layer(
            ServiceBuilder::new()
                .layer(axum::middleware::from_fn_with_state(
                    crate::client::Proxies::from_settings(settings),
                    crate::client::identify,
                ))
                .layer(SetRequestIdLayer::new(REQUEST_ID, MakeRequestUuid))
                .layer(trace)
                .layer(axum::middleware::from_fn_with_state(measured, measure))
                .layer(PropagateRequestIdLayer::new(REQUEST_ID))
                .layer(security),
        )
}

/// Counts each answered request by route template, method and status, with its latency.
async fn measure(
    axum::extract::State(state): axum::extract::State<SharedState>,
    req: Request<axum::body::Body>,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let method = req.method().clone();
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    state.metrics.observe(
        &route,
        method.as_str(),
        res.status().as_u16(),
        started.elapsed(),
    );
    res
}

/// The origin passkeys are offered at: the public origin when configured; else, when the
/// server listens on a loopback address, `http://localhost:PORT` (browsers give WebAuthn no
/// relying party at an IP address, and `localhost` is the one plain-HTTP origin they trust, so
/// a developer opens `http://localhost:PORT`); else none.
pub fn passkey_origin(public_origin: Option<&str>, listening: SocketAddr) -> Option<String> {
    match public_origin {
        Some(origin) => Some(origin.to_owned()),
        None if listening.ip().is_loopback() => {
            Some(format!("http://localhost:{}", listening.port()))
        }
        None => None,
    }
}

impl Application {
    /// Opens the database, loads the Honduran pack and binds the listener.
    pub async fn build(settings: &Settings) -> Result<Application, Box<dyn std::error::Error>> {
        let database = StoreUrl::parse(&settings.database)?;
        // Read once at startup; the key never leaves memory nor appears in errors.
        let key = settings
            .master_key_file
            .as_ref()
            .map(siproc_core::keys::MasterKey::from_file)
            .transpose()?;
        // Opening may block (PostgreSQL's client runs its own runtime): off the async threads.
        let opening = database.clone();
        let place = siproc_core::blobs::BlobPlace::parse(&settings.blobs)?;
        let (store, db, blobs) = tokio::task::spawn_blocking(move || {
            let (store, db) = crate::store::open(&opening, key.as_ref())?;
            let blobs = crate::store::open_blobs(&place, &db)?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>((store, db, blobs))
        })
        .await?
        .map_err(|e| e as Box<dyn std::error::Error>)?;
        let catalog = siproc_core::Catalog::honduras()?;
        let export_recipient = settings
            .export_recipient
            .as_deref()
            .map(|r| r.trim().parse::<age::x25519::Recipient>())
            .transpose()
            .map_err(|_| "the export recipient is not an age X25519 recipient (age1…)")?;
        let policy = Policy {
            max_grants_per_day: settings.max_grants_per_day,
            export_recipient,
            public_origin: settings.public_origin.clone(),
        };
        let mut state = AppState::new(store, db, catalog, settings.rate_limit, policy)?;
        state.metrics_allow.clone_from(&settings.metrics_allow);
        state.blobs = blobs;
        state.attachment_limits.max_bytes = settings.max_attachment_bytes;
        state.sessions = settings.sessions;
        state.public_origin = settings
            .public_origin
            .as_deref()
            .map(|o| o.trim_end_matches('/').to_owned());
        if let Some(oidc) = &settings.oidc {
            let origin = state
                .public_origin
                .as_deref()
                .ok_or("sign-in with an identity provider needs the public origin")?;
            state.oidc = Some(Arc::new(crate::oidc::Oidc::new(oidc.clone(), origin)?));
        }
        let listener = TcpListener::bind(settings.listen).await?;
        state.passkeys = passkey_origin(state.public_origin.as_deref(), listener.local_addr()?)
            .and_then(|origin| {
                let rp = siproc_core::accounts::passkeys::RelyingParty::new(&origin);
                match &rp {
                    Ok(_) => {
                        tracing::info!(%origin, "passkeys: the relying party is this origin's host")
                    }
                    Err(e) => tracing::warn!(%origin, "passkeys off: {e}"),
                }
                rp.ok()
            });
        let state = Arc::new(state);
        if let StoreUrl::Postgres(url) = database {
            // Writes of every process on the database wake this process's event streams.
            state
                .feed
                .listen_postgres(url, state.shutdown.subscribe())?;
        }
        Ok(Application {
            router: router(state.clone(), settings),
            listener,
            state,
            grace: settings.shutdown_grace,
            connections: settings.connections,
        })
    }

    /// The shared state (for the demo data and the tests).
    pub fn state(&self) -> &SharedState {
        &self.state
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves until SIGTERM or Ctrl-C, then stops gracefully: no new connection is accepted,
    /// event streams end, and requests in flight finish — those still running after the
    /// grace period (`shutdown.grace_seconds`) are cut.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let state = self.state.clone();
        let mut stopping = self.state.shutdown.subscribe();
        let serving =
            crate::connections::serve(self.listener, self.router, self.connections, async move {
                shutdown_signal().await;
                tracing::info!("shutting down: finishing the requests in flight");
                state.shutdown.send_replace(true);
            });
        let deadline = async {
            let _ = stopping.wait_for(|stop| *stop).await;
            tokio::time::sleep(self.grace).await;
        };
        tokio::select! {
            () = serving => {},
            () = deadline => tracing::warn!(
                grace_seconds = self.grace.as_secs(),
                "shutting down: requests still in flight after the grace period were cut"
            ),
        }
        tracing::info!("stopped");
        Ok(())
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term =
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(s) => s,
                Err(_) => {
                    let _ = ctrl_c.await;
                    return;
                }
            };
        tokio::select! {
            _ = ctrl_c => {},
            _ = term.recv() => {},
        }
    }
    #[cfg(not(unix))]
    {
        let _ = ctrl_c.await;
    }
}
