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

use crate::client::Client;
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
    /// Registrations with an `Idempotency-Key` run one at a time, so a retry racing its
    /// original cannot make a second case.
    pub idempotent_registration: tokio::sync::Mutex<()>,
    /// Set to `true` when the server stops: event streams end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// What `GET /metrics` shows.
    pub metrics: Metrics,
    /// Addresses besides loopback that may read `GET /metrics`.
    pub metrics_allow: Vec<IpAddr>,
    /// The key of the audit log's keyed hashes (search terms, clients): the store's index key when it is
    /// encrypted (equal terms match across processes and restarts), else random in this process
    /// (they match within one run); none can be recovered. Every keyed hash the server writes
    /// takes it from here.
    pub audit_key: [u8; 32],
    /// What the server's settings decide about access: grants a day, the export recipient.
    pub policy: Policy,
    /// Where attachments are kept (the database's own table unless configured otherwise).
    pub blobs: Arc<dyn siproc_core::blobs::BlobStore>,
    /// What an attachment may be ([`siproc_core::attachments::Limits`]).
    pub attachment_limits: siproc_core::attachments::Limits,
    /// How long sessions last (`sessions.idle_timeout_minutes`,
    /// `sessions.absolute_timeout_hours`).
    pub sessions: siproc_core::accounts::sessions::SessionPolicy,
    /// The origin users reach the server at, if configured: cookie-authenticated writes must
    /// come from it ([`crate::session`]), and its `https://` makes cookies `Secure`.
    pub public_origin: Option<String>,
    /// The ministry's identity provider, when sign-in with it is configured (`oidc.*`).
    pub oidc: Option<Arc<crate::oidc::Oidc>>,
    /// The passkeys' relying party ([`crate::routes::passkeys`]): the public origin's host, or
    /// `localhost` when none is configured and the server listens on loopback; none when the
    /// origin is an IP address (WebAuthn has no relying party for one).
    pub passkeys: Option<siproc_core::accounts::passkeys::RelyingParty>,
}

/// The server's settings about access to many cases.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Break-the-glass grants one user may take in a day.
    pub max_grants_per_day: u32,
    /// When set, `GET /archive` answers every case encrypted to this `age` recipient (whose
    /// identity the server does not hold) without a second person's approval.
    pub export_recipient: Option<age::x25519::Recipient>,
    /// The origin users reach the server at (`public_origin`): the printed forms' QR codes are
    /// addresses of its verification page. Without it, the origin each request came to.
    pub public_origin: Option<String>,
}

impl Default for Policy {
    /// [`siproc_core::access::DEFAULT_MAX_GRANTS_PER_DAY`] grants a day; exports need four eyes.
    fn default() -> Self {
        Policy {
            max_grants_per_day: siproc_core::access::DEFAULT_MAX_GRANTS_PER_DAY,
            export_recipient: None,
            public_origin: None,
        }
    }
}

impl AppState {
    /// Writes `event` by `actor` from `client` to the audit log (the client's address as a
    /// keyed hash; behind a trusted proxy, the address it forwarded for).
    pub fn audit(
        &self,
        actor: &Actor,
        client: &Client,
        event: AuditEvent,
    ) -> Result<(), StoreError> {
        let client = keyed_hash(&self.audit_key, &client.ip.to_string());
        self.db
            .log_audit(&AuditEntry::by(actor, event).from_client(Some(client)))
    }
}

impl AppState {
    /// Writes `event` to the audit log as `user`'s (or no one's: a sign-in with an unknown
    /// login) from `client`.
    pub fn audit_for(
        &self,
        user: Option<&siproc_core::accounts::User>,
        client: &Client,
        event: AuditEvent,
    ) -> Result<(), StoreError> {
        let client = keyed_hash(&self.audit_key, &client.ip.to_string());
        let entry = match user {
            Some(user) => AuditEntry::by(&user.actor(), event),
            None => AuditEntry {
                at: chrono::Utc::now(),
                user_id: None,
                role: None,
                office: None,
                client: None,
                event,
            },
        };
        self.db.log_audit(&entry.from_client(Some(client)))
    }
}

/// Shared state, as handlers receive it.
pub type SharedState = Arc<AppState>;

impl AppState {
    /// State over `store` and `db`, with `rate_limit` requests per second per token (0: none),
    /// `policy`, and the audit key (the store's index key, or a fresh random one); fails only
    /// when the system gives no randomness.
    pub fn new(
        store: Arc<dyn CaseStore>,
        db: ServerDb,
        catalog: Catalog,
        rate_limit: u32,
        policy: Policy,
    ) -> Result<AppState, getrandom::Error> {
        let mut audit_key = [0_u8; 32];
        match store.index_key() {
            Some(index) => audit_key.copy_from_slice(index.bytes()),
            None => getrandom::fill(&mut audit_key)?,
        }
        let limiter = NonZeroU32::new(rate_limit).map(|per_second| {
            let burst = per_second.saturating_mul(NonZeroU32::MIN.saturating_add(1));
            RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst))
        });
        // Blobs in the database the records are in, unless startup puts them elsewhere.
        let blobs = Arc::new(db.blobs());
        Ok(AppState {
            blobs,
            attachment_limits: siproc_core::attachments::Limits::default(),
            store,
            db,
            catalog,
            feed: Feed::default(),
            limiter,
            idempotent_registration: tokio::sync::Mutex::new(()),
            shutdown: tokio::sync::watch::Sender::new(false),
            // Only a programming error (a bad metric name, a name registered twice) fails
            // here; every test builds the state.
            #[allow(clippy::expect_used)]
            metrics: Metrics::new().expect("the metrics' names are valid and distinct"),
            metrics_allow: Vec::new(),
            audit_key,
            policy,
            sessions: siproc_core::accounts::sessions::SessionPolicy::default(),
            public_origin: None,
            oidc: None,
            passkeys: None,
        })
    }
}
