//! What operators and orchestrators ask of a running server: `GET /ready`, whether it can
//! serve now (the database answers at this build's schema). `GET /health` (liveness) stays in
//! [`super::admin`].

use std::time::Duration;

use axum::Json;
use axum::Router;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use serde::Serialize;
use siproc_core::store::sqlite::SCHEMA_VERSION;

use crate::state::SharedState;

/// How long the database may take to answer a readiness check.
const DATABASE_DEADLINE: Duration = Duration::from_secs(2);

/// The routes.
pub fn router() -> Router<SharedState> {
    Router::new().route("/ready", get(ready))
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
