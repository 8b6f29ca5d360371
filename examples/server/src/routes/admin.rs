//! The directorate's archive (export and import) and the access log for auditors and the
//! directorate.

use std::io::Cursor;

use axum::Json;
use axum::extract::{DefaultBodyLimit, FromRequest, State};
use axum::routing::get;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use siproc_core::access::AccessEntry;
use siproc_core::archive::{self, ImportOptions, ImportReport};
use siproc_core::audit::{AuditEntry, AuditFilter};
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::LogFilter;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::json::Body;
use crate::routes::shared::{blocking, directorate_only, log_reader, page_size};
use crate::schema;
use crate::state::SharedState;

/// Largest archive accepted by `POST /archive`.
pub const MAX_ARCHIVE_BYTES: usize = 512 * 1024 * 1024;

/// The archive, the access log and the health check.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route(
            "/archive",
            get(super::export::export)
                .post(import)
                .layer(DefaultBodyLimit::max(MAX_ARCHIVE_BYTES)),
        )
        .route("/access-log", get(access_log))
        .route("/audit", get(audit_log))
        .route("/health", get(health))
}

pub(super) fn archive_error(e: archive::ArchiveError) -> ApiError {
    match e {
        archive::ArchiveError::Store(s) => s.into(),
        other => ApiError::internal(other.code()),
    }
}

/// Import an archive; answers with the import report.
#[utoipa::path(post, path = "/archive", tag = "archive",
    description = "Reads an archive as exported and writes every sound case the store does not hold yet (cases it holds with the same history are unchanged). The answer is the core's import report: rejected cases and problems with the file are data (`ok` false), not errors. Directorate only.",
    request_body(content = schema::Binary, content_type = "application/octet-stream", description = "An archive as exported by `GET /archive` (JSON lines; any content type is read as bytes)"),
    responses(
        (status = 200, description = "The import report", body = schema::ImportReport),
        (status = 403, description = "Not the directorate (`access.directorate_only`)", body = ErrorBody),
        (status = 413, description = "Body over 512 MiB (`http.body_too_large`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    request: axum::extract::Request,
) -> Result<Json<ImportReport>, ApiError> {
    // The role first: a caller who may not import is answered before a byte of the body
    // (up to 512 MiB) is read.
    directorate_only(actor.role)?;
    let Body(body) = Body::from_request(request, &()).await?;
    let report = blocking(&state, move |s| {
        archive::import(
            s.store.as_ref(),
            Some(s.blobs.as_ref()),
            &mut Cursor::new(body.as_ref()),
            ImportOptions::default(),
        )
        .map_err(archive_error)
    })
    .await?;
    // Imported cases are in the store's feed: the event streams read them now.
    state.feed.written();
    Ok(Json(report))
}

/// Query of `GET /access-log`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LogParams {
    /// One case id.
    case: Option<Uuid>,
    /// One user id.
    user: Option<String>,
    /// From this moment on (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// At most this many entries, newest first (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Entries of the access log, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AccessLog {
    /// The entries.
    #[schema(value_type = Vec<schema::AccessEntry>)]
    pub items: Vec<AccessEntry>,
}

/// Who read which case when.
#[utoipa::path(get, path = "/access-log", tag = "access", params(LogParams),
    description = "The access log: who read which case, what of it, when, and under which access (their office, a transfer, every case, a break-the-glass grant with its reason). Auditors and the directorate only.",
    responses(
        (status = 200, description = "Entries, newest first", body = AccessLog),
        (status = 400, description = "A bad query parameter (`http.bad_query`)", body = ErrorBody),
        (status = 403, description = "Neither auditor nor directorate (`access.log_not_allowed`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn access_log(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<LogParams>,
) -> Result<Json<AccessLog>, ApiError> {
    log_reader(actor.role, "access log")?;
    let filter = LogFilter {
        case_id: params.case,
        user_id: params.user,
        since: params.since,
        limit: page_size(params.limit, 100, 1000)?,
    };
    let items = blocking(&state, move |s| Ok(s.db.access_log(&filter)?)).await?;
    Ok(Json(AccessLog { items }))
}

/// Query of `GET /audit`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// One user id.
    user: Option<String>,
    /// One kind of entry (`case_search`, `grant_ended`, `export_requested`, …).
    #[param(pattern = "^[a-z_]+$")]
    kind: Option<String>,
    /// From this moment on (RFC 3339).
    since: Option<DateTime<Utc>>,
    /// At most this many entries, newest first (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Entries of the audit log, newest first.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AuditLog {
    /// The entries.
    #[schema(value_type = Vec<schema::AuditEntry>)]
    pub items: Vec<AuditEntry>,
}

/// What was done that is not a read of one case: searches, grants ended, exports.
#[utoipa::path(get, path = "/audit", tag = "access", params(AuditParams),
    description = "The audit log: what people did that is not a read of one case — searches by personal values (the fields searched, each term as a keyed hash, how many cases answered), break-the-glass grants ended, export requests, approvals and downloads. Never a secret nor a personal value. Auditors and the directorate only.",
    responses(
        (status = 200, description = "Entries, newest first", body = AuditLog),
        (status = 400, description = "A bad query parameter (`http.bad_query`)", body = ErrorBody),
        (status = 403, description = "Neither auditor nor directorate (`access.log_not_allowed`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn audit_log(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<AuditParams>,
) -> Result<Json<AuditLog>, ApiError> {
    log_reader(actor.role, "audit log")?;
    let filter = AuditFilter {
        user_id: params.user,
        kind: params.kind,
        since: params.since,
        limit: page_size(params.limit, 100, 1000)?,
    };
    let items = blocking(&state, move |s| Ok(s.db.audit_log(&filter)?)).await?;
    Ok(Json(AuditLog { items }))
}

/// The server's state, as the health check tells it.
#[derive(Debug, Clone, Copy, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HealthStatus {
    /// The server answers.
    Ok,
}

/// The health check's answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Health {
    /// `ok` while the server answers.
    pub status: HealthStatus,
}

/// Liveness: no token needed.
#[utoipa::path(get, path = "/health", tag = "health",
    description = "Liveness: answers while the server runs. No token needed.",
    responses((status = 200, description = "The server runs", body = Health)),
    security(()))]
pub async fn health() -> Json<Health> {
    Json(Health {
        status: HealthStatus::Ok,
    })
}
