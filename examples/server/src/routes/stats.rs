//! `GET /stats`: protection statistics (the core's [`siproc_core::stats`]). Staff — officers,
//! supervisors, the directorate, auditors — get the full tables over the cases they may see
//! (their office's and those with a transfer pending to it, or every case); partners get only
//! the disclosure-controlled release over every case, with the pack's `k` (the release shape
//! of `siproc-core/schema/release.schema.json`). Neither names a person.

use axum::Json;
use axum::extract::{Query, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use siproc_core::access;
use siproc_core::stats::{self, Parameters, StatsError};
use siproc_core::store::CaseQuery;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::cases::blocking;
use crate::state::SharedState;

/// Query of `GET /stats` (all optional).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct StatsParams {
    /// First day (`YYYY-MM-DD`): cases opened on or after it.
    from: Option<String>,
    /// Last day (`YYYY-MM-DD`): cases opened on or before it.
    to: Option<String>,
    /// `json` (the default) or `csv`.
    format: Option<String>,
}

fn bad_query(what: &str) -> ApiError {
    ApiError::BadRequest {
        code: "http.bad_query",
        message: format!("the query parameter {what} is not valid"),
    }
}

fn day(raw: Option<&str>, what: &str) -> Result<Option<NaiveDate>, ApiError> {
    raw.map(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| bad_query(what)))
        .transpose()
}

fn stats_error(e: StatsError) -> ApiError {
    match e {
        StatsError::Store(e) => e.into(),
        other => ApiError::BadRequest {
            code: other.code(),
            message: other.to_string(),
        },
    }
}

/// The computed answer, before it is written out.
enum Answer {
    Json(serde_json::Value),
    Csv(String),
}

/// Statistics: full tables for staff, the disclosure-controlled release for partners.
#[utoipa::path(get, path = "/stats", tag = "stats", params(StatsParams),
    responses(
        (status = 200, description = "Staff: `{\"parameters\", \"tables\"}` with every count; partners: the release `{\"k\", \"parameters\", \"tables\"}` (siproc-core/schema/release.schema.json), suppressed cells `{\"count\": null, \"suppressed\": true}`. With `format=csv`, the same tables as CSV.", body = Object),
        (status = 400, description = "A bad query parameter, or `from` after `to`", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn stats(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let from = day(params.from.as_deref(), "from")?;
    let to = day(params.to.as_deref(), "to")?;
    let csv = match params.format.as_deref() {
        None | Some("json") => false,
        Some("csv") => true,
        Some(_) => return Err(bad_query("format")),
    };
    let answer = blocking(&state, move |s| {
        let parameters = Parameters {
            catalog: s.catalog.pack.id.clone(),
            from,
            to,
            as_of: Utc::now(),
        };
        let store = s.store.as_ref();
        if access::sees_full_statistics(actor.role) {
            let query =
                access::visible_query(&actor, CaseQuery::default()).ok_or(ApiError::Forbidden {
                    code: "access.no_cases",
                    message: "this role sees no case".to_owned(),
                })?;
            let full = stats::statistics_where(store, &s.catalog, parameters, &query)
                .map_err(stats_error)?;
            Ok(if csv {
                Answer::Csv(full.to_csv())
            } else {
                Answer::Json(serde_json::to_value(full).map_err(ApiError::internal)?)
            })
        } else {
            let release =
                stats::release(store, &s.catalog, parameters, None).map_err(stats_error)?;
            Ok(if csv {
                Answer::Csv(release.to_csv())
            } else {
                Answer::Json(serde_json::to_value(release).map_err(ApiError::internal)?)
            })
        }
    })
    .await?;
    Ok(match answer {
        Answer::Json(value) => Json(value).into_response(),
        Answer::Csv(text) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            )],
            text,
        )
            .into_response(),
    })
}
