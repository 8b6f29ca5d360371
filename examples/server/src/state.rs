//! What every handler shares: the case store, the server's tables, the catalog, the event
//! feed, the rate limiter and the settings, behind one `Arc<AppState>`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, RwLock};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use siproc_core::store::CaseStore;
use siproc_core::{Actor, Catalog};

use crate::db::ServerDb;
use crate::feed::Feed;
use crate::metrics::Metrics;

/// Shared state.
pub struct AppState {
    /// The cases.
    pub store: Arc<dyn CaseStore>,
    /// Tokens, grants, access log, idempotency keys.
    pub db: ServerDb,
    /// The country pack.
    pub catalog: Catalog,
    /// Case events for `GET /events`.
    pub feed: Feed,
    /// Requests per token.
    pub limiter: Option<DefaultKeyedRateLimiter<String>>,
    /// Tokens already checked (hash → actor): tokens are never changed, only added.
    pub known_tokens: RwLock<HashMap<String, Actor>>,
    /// Registrations with an `Idempotency-Key` run one at a time, so a retry racing its
    /// original cannot make a second case.
    pub idempotent_registration: tokio::sync::Mutex<()>,
    /// Set to `true` when the server stops: event streams end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// What `GET /metrics` shows.
    pub metrics: Metrics,
    /// Addresses besides loopback that may read `GET /metrics`.
    pub metrics_allow: Vec<IpAddr>,
}

/// Shared state, as handlers receive it.
pub type SharedState = Arc<AppState>;

impl AppState {
    /// State over `store` and `db`, with `rate_limit` requests per second per token (0: none).
    pub fn new(
        store: Arc<dyn CaseStore>,
        db: ServerDb,
        catalog: Catalog,
        rate_limit: u32,
    ) -> AppState {
        let limiter = NonZeroU32::new(rate_limit).map(|per_second| {
            let burst = per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1));
            RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst))
        });
        AppState {
            store,
            db,
            catalog,
            feed: Feed::default(),
            limiter,
            known_tokens: RwLock::new(HashMap::new()),
            idempotent_registration: tokio::sync::Mutex::new(()),
            shutdown: tokio::sync::watch::Sender::new(false),
            // Only a programming error (a bad metric name, a name registered twice) fails
            // here; every test builds the state.
            #[allow(clippy::expect_used)]
            metrics: Metrics::new().expect("the metrics' names are valid and distinct"),
            metrics_allow: Vec::new(),
        }
    }
}
