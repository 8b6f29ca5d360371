//! What operators and orchestrators ask of a running server: `GET /ready`, whether it can
//! serve now (the database answers at this build's schema), and `GET /metrics`
//! ([`crate::metrics`]), for loopback and the addresses configured (`metrics.allow`), and from
//! anywhere with an API token that holds `metrics:read` (a monitoring system's credential).
//! `GET /health` (liveness) stays in [`super::admin`].

use std::net::IpAddr;
use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::routing::get;
use serde::Serialize;
use siproc_core::store::sqlite::SCHEMA_VERSION;

use crate::auth::Authenticated;
use crate::client::Client;
use crate::error::{ApiError, ErrorBody};
use crate::routes::shared::blocking;
use crate::state::SharedState;

/// How long the database may take to answer a readiness check.
const DATABASE_DEADLINE: Duration = Duration::from_secs(2);

/// The routes.
pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/ready", get(ready))
        .route("/metrics", get(metrics))
}

/// The metrics in Prometheus' text format, for loopback and the addresses configured.
#[utoipa::path(get, path = "/metrics", tag = "health",
    description = "Metrics in Prometheus' text format (0.0.4): requests by route template and status, latency, open event streams, the SQLite writer's commits, cases by status (counts only), the build. From loopback or the configured addresses (`metrics.allow`, `--metrics-allow`; behind a trusted proxy, the address it forwarded for) no token is needed; from anywhere else, a bearer token with the scope `metrics:read`. No label holds a case id or a personal value.",
    responses(
        (status = 200, description = "The metrics", content_type = "text/plain", body = String),
        (status = 401, description = "From an address not allowed, with a token that is unknown, expired or revoked (`auth.unauthorized`)", body = ErrorBody),
        (status = 403, description = "From an address not allowed, without a token (`access.metrics_not_allowed`) or with one that lacks `metrics:read` (`auth.insufficient_scope`)", body = ErrorBody),
    ),
    security((), ("bearer" = [])))]
pub async fn metrics(
    State(state): State<SharedState>,
    client: Client,
    headers: HeaderMap,
    token: Result<Authenticated, ApiError>,
) -> Result<([(header::HeaderName, &'static str); 1], String), ApiError> {
    // Behind a trusted proxy, the client it forwarded for (crate::client). Elsewhere, a token
    // whose scopes the extractor checked (`metrics:read`, crate::auth::required_scope).
    if !may_read_metrics(client.ip, &state.metrics_allow) {
        if !headers.contains_key(header::AUTHORIZATION) {
            return Err(ApiError::Forbidden {
                code: "access.metrics_not_allowed",
                message: "metrics are served to loopback, the configured addresses and tokens \
                          with metrics:read only"
                    .into(),
            });
        }
        token?;
    }
    let text = blocking(&state, |s| {
        s.metrics
            .render(s.store.as_ref(), &s.db)
            .map_err(ApiError::internal)
    })
    .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    ))
}

/// Whether a client at `ip` may read the metrics: loopback, or one of `allowed` (an IPv4
/// client reaching an IPv6 socket counts by its IPv4 address).
pub fn may_read_metrics(ip: IpAddr, allowed: &[IpAddr]) -> bool {
    let ip = ip.to_canonical();
    ip.is_loopback() || allowed.contains(&ip)
}

/// One condition of readiness.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Condition {
    /// Whether it holds.
    pub ok: bool,
    /// Why not, when it does not (a store error's code, or a short reason; never a value).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

impl Condition {
    fn holds() -> Condition {
        Condition {
            ok: true,
            problem: None,
        }
    }

    fn fails(problem: impl Into<String>) -> Condition {
        Condition {
            ok: false,
            problem: Some(problem.into()),
        }
    }
}

/// The readiness check's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Readiness {
    /// Whether the server can serve now (every condition holds).
    pub ready: bool,
    /// The database answers within two seconds.
    pub database: Condition,
    /// The database's schema is this build's (no other process has migrated it further).
    pub schema: Condition,
}

/// Readiness: 200 when the server can serve, 503 otherwise. No token needed.
#[utoipa::path(get, path = "/ready", tag = "health",
    description = "Readiness: the database answers within two seconds at this build's schema. 200 when ready, 503 with the conditions that fail otherwise. No token needed.",
    responses(
        (status = 200, description = "Ready", body = Readiness),
        (status = 503, description = "Not ready: the failing conditions", body = Readiness),
    ),
    security(()))]
pub async fn ready(State(state): State<SharedState>) -> (StatusCode, Json<Readiness>) {
    let asked = tokio::task::spawn_blocking(move || state.db.schema_version());
    let (database, schema) = match tokio::time::timeout(DATABASE_DEADLINE, asked).await {
        Ok(Ok(Ok(version))) if version == SCHEMA_VERSION => {
            (Condition::holds(), Condition::holds())
        }
        Ok(Ok(Ok(version))) => (
            Condition::holds(),
            Condition::fails(format!(
                "the database is at schema {version}, this server at {SCHEMA_VERSION}"
            )),
        ),
        Ok(Ok(Err(e))) => (Condition::fails(e.code()), Condition::fails("unknown")),
        Ok(Err(_)) => (
            Condition::fails("the check failed"),
            Condition::fails("unknown"),
        ),
        Err(_) => (
            Condition::fails("no answer in time"),
            Condition::fails("unknown"),
        ),
    };
    let ready = database.ok && schema.ok;
    let status = if ready {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        status,
        Json(Readiness {
            ready,
            database,
            schema,
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::may_read_metrics;

    #[test]
    fn metrics_are_for_loopback_and_the_addresses_allowed() {
        let allowed = ["10.0.0.7".parse().unwrap()];
        for (ip, may) in [
            ("127.0.0.1", true),
            ("::1", true),
            ("10.0.0.7", true),
            ("::ffff:10.0.0.7", true),
            ("10.0.0.8", false),
            ("::ffff:192.0.2.1", false),
            ("2001:db8::1", false),
        ] {
            assert_eq!(may_read_metrics(ip.parse().unwrap(), &allowed), may, "{ip}");
        }
        assert!(!may_read_metrics("10.0.0.7".parse().unwrap(), &[]));
    }
}
