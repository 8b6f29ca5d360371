//! The directorate's archive (export and import) and the access log for auditors and the
//! directorate.

use std::io::Cursor;

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use serde_json::{Value, json};
use siproc_core::Role;
use siproc_core::access::{Access, AccessEntry, ReadKind};
use siproc_core::archive::{self, ImportOptions};
use siproc_core::store::CaseQuery;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::LogFilter;
use crate::error::{ApiError, ErrorBody};
use crate::json::Body;
use crate::routes::cases::{bad_query, blocking, moment, page_size};
use crate::state::SharedState;

fn directorate_only(role: Role) -> Result<(), ApiError> {
    if role == Role::Directorate {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: "access.directorate_only",
            message: "only the directorate may do this".to_owned(),
        })
    }
}

fn archive_error(e: archive::ArchiveError) -> ApiError {
    match e {
        archive::ArchiveError::Store(s) => s.into(),
        other => ApiError::internal(other.code()),
    }
}

/// Export every case as an archive (JSON lines); every exported case is written to the access
/// log (`what`: `export`) before the archive is sent.
#[utoipa::path(get, path = "/archive", tag = "archive",
    responses(
        (status = 200, description = "The archive", content_type = "application/x-ndjson"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the directorate", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<SharedState>,
    Caller(actor): Caller,
) -> Result<Response, ApiError> {
    directorate_only(actor.role)?;
    let bytes = blocking(&state, move |s| {
        let mut out = Vec::new();
        let now = Utc::now();
        let mut log = Vec::new();
        archive::export_with(
            s.store.as_ref(),
            &CaseQuery::default(),
            &mut out,
            now,
            &mut |case| {
                log.push(AccessEntry::new(
                    &actor,
                    case.id,
                    ReadKind::Export,
                    Access::AllCases,
                    now,
                    None,
                ));
            },
        )
        .map_err(archive_error)?;
        s.db.log_accesses(&log)?;
        Ok(out)
    })
    .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/x-ndjson"),
        )],
        bytes,
    )
        .into_response())
}

/// Import an archive; answers with the import report.
#[utoipa::path(post, path = "/archive", tag = "archive",
    request_body(content = String, content_type = "application/octet-stream", description = "An archive as exported (JSON lines)"),
    responses(
        (status = 200, description = "The import report", body = Object),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Not the directorate", body = ErrorBody),
        (status = 413, description = "Body too large"),
    ),
    security(("bearer" = [])))]
pub async fn import(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Body(body): Body,
) -> Result<Json<Value>, ApiError> {
    directorate_only(actor.role)?;
    let report = blocking(&state, move |s| {
        archive::import(
            s.store.as_ref(),
            &mut Cursor::new(body.as_ref()),
            ImportOptions::default(),
        )
        .map_err(archive_error)
    })
    .await?;
    // Imported cases are in the store's feed: the event streams read them now.
    state.feed.written();
    Ok(Json(json!({
        "cases": report.cases,
        "imported": report.imported,
        "unchanged": report.unchanged,
        "written": report.written,
        "rejected": report.rejected.iter().map(|r| json!({
            "line": r.line,
            "case_id": r.case_id,
            "code": r.reason.code(),
            "message": r.reason.to_string(),
        })).collect::<Vec<_>>(),
        "file": report.file.iter().map(|f| f.code()).collect::<Vec<_>>(),
    })))
}

/// Query of `GET /access-log`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct LogParams {
    /// One case id.
    case: Option<String>,
    /// One user id.
    user: Option<String>,
    /// From this moment on (RFC 3339).
    since: Option<String>,
    /// At most this many entries, newest first (1 to 1000, default 100).
    limit: Option<String>,
}

/// Who read which case when.
#[utoipa::path(get, path = "/access-log", tag = "access", params(LogParams),
    responses(
        (status = 200, description = "`{\"items\": [{\"user_id\", \"role\", \"office\", \"case_id\", \"what\", \"access\", \"at\", \"reason\"}]}`", body = Object),
        (status = 400, description = "A bad query parameter", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "Neither auditor nor directorate", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn access_log(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<LogParams>,
) -> Result<Json<Value>, ApiError> {
    if !siproc_core::access::reads_access_log(actor.role) {
        return Err(ApiError::Forbidden {
            code: "access.log_not_allowed",
            message: "only auditors and the directorate read the access log".to_owned(),
        });
    }
    let filter = LogFilter {
        case_id: params
            .case
            .as_deref()
            .map(|c| Uuid::parse_str(c).map_err(|_| bad_query("case")))
            .transpose()?,
        user_id: params.user,
        since: moment(params.since.as_deref(), "since")?,
        limit: u32::try_from(page_size(params.limit.as_deref(), 100, 1000)?).unwrap_or(100),
    };
    let items = blocking(&state, move |s| Ok(s.db.access_log(&filter)?)).await?;
    Ok(Json(json!({ "items": items })))
}

/// Liveness: no token needed.
#[utoipa::path(get, path = "/health", tag = "health",
    responses((status = 200, description = "`{\"status\": \"ok\"}`", body = Object)))]
pub async fn health() -> Json<Value> {
    Json(json!({"status": "ok"}))
}
