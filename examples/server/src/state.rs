//! What every handler shares: the case store, the server's tables, the catalog, the event
//! feed, the rate limiter and the settings, behind one `Arc<AppState>`.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use siproc_core::audit::{AuditEntry, AuditEvent, keyed_hash};
use siproc_core::store::CaseStore;
use siproc_core::store::StoreError;
use siproc_core::{Actor, Catalog};

use crate::db::ServerDb;
use crate::feed::Feed;

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
    /// The key of the clients' keyed hashes in the audit log: random, in this process only
    /// (none if the system had no randomness to give: then no client is recorded).
    pub audit_key: Option<[u8; 32]>,
    /// Registrations with an `Idempotency-Key` run one at a time, so a retry racing its
    /// original cannot make a second case.
    pub idempotent_registration: tokio::sync::Mutex<()>,
    /// Set to `true` when the server stops: event streams end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
}

impl AppState {
    /// Writes `event` by `actor` from `client` to the audit log (the client as a keyed hash).
    pub fn audit(
        &self,
        actor: &Actor,
        client: Option<IpAddr>,
        event: AuditEvent,
    ) -> Result<(), StoreError> {
        let client = client
            .zip(self.audit_key.as_ref())
            .map(|(ip, key)| keyed_hash(key, &ip.to_string()));
        self.db
            .log_audit(&AuditEntry::by(actor, event).from_client(client))
    }
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
            audit_key: {
                let mut key = [0u8; 32];
                getrandom::fill(&mut key).ok().map(|()| key)
            },
            idempotent_registration: tokio::sync::Mutex::new(()),
            shutdown: tokio::sync::watch::Sender::new(false),
        }
    }
}
