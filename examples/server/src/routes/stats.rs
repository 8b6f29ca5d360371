//! Protection statistics (the core's [`siproc_core::stats`]).
//!
//! - `GET /stats`: staff — officers, supervisors, the directorate, auditors — get the full
//!   tables over the cases they may see (their office's and those with a transfer pending to
//!   it, or every case), for any window. Partners are refused (`stats.releases_only`): a
//!   window chosen at will, asked for before and after a registration or a day apart,
//!   isolates one case (issue 36).
//! - `GET /stats/releases`, `GET /stats/releases/{id}`: the releases for partners (and
//!   anyone with a token) — one per closed month or quarter, computed once, perturbed with the
//!   cell-key method and suppressed below the pack's `k`, kept, and answered as the same bytes
//!   to every caller ([`siproc_core::stats::releases`]).
//! - `POST /stats/releases`: the directorate publishes a closed period's release, or a
//!   correction of it (a new version).
//!
//! None names a person.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use siproc_core::access;
use siproc_core::stats::releases::{self, Period, ReleaseSummary};
use siproc_core::stats::{self, Parameters, StatsError};
use siproc_core::store::CaseQuery;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::json::JsonBody;
use crate::routes::shared::{blocking, directorate_only, no_cases};
use crate::schema;
use crate::state::SharedState;

/// `GET /stats`, `GET|POST /stats/releases`, `GET /stats/releases/{id}`.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/stats", get(stats))
        .route("/stats/releases", get(list_releases).post(publish_release))
        .route("/stats/releases/{id}", get(get_release))
}

/// How the statistics are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatsFormat {
    /// JSON (`application/json`), the default.
    #[default]
    Json,
    /// CSV (`text/csv`): the same tables.
    Csv,
}

/// Query of `GET /stats` (all optional).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    /// First day: cases opened on or after it.
    from: Option<NaiveDate>,
    /// Last day: cases opened on or before it.
    to: Option<NaiveDate>,
    /// `json` (the default) or `csv`.
    format: Option<StatsFormat>,
}

fn stats_error(e: StatsError) -> ApiError {
    match e {
        StatsError::Store(e) => e.into(),
        StatsError::PeriodOpen => ApiError::Unprocessable {
            code: "stats.period_open",
            message: "a release is made only once its period has closed".to_owned(),
            issues: None,
        },
        other => ApiError::BadRequest {
            code: other.code(),
            message: other.to_string(),
        },
    }
}

/// The computed answer, before it is written out.
enum Answer {
    Json(Box<stats::Statistics>),
    Csv(String),
}

/// 403 `stats.releases_only`: partners read the published releases, not windows of their own.
fn releases_only() -> ApiError {
    ApiError::Forbidden {
        code: "stats.releases_only",
        message: "partners read the published releases: GET /stats/releases".to_owned(),
    }
}

/// Statistics with every count, for staff, over any window.
#[utoipa::path(get, path = "/stats", tag = "stats", params(StatsParams),
    description = "Protection statistics with every count over the cases the caller may see, for staff (officers, supervisors, the directorate, auditors), over any window of opening days. Partners are refused (`stats.releases_only`): they read the published releases (`GET /stats/releases`). With `format=csv`, the same tables as CSV.",
    responses(
        (status = 200, description = "`Statistics`", content(
            (schema::Statistics = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A bad query parameter (`http.bad_query`), or `from` after `to` (`stats.bad_parameters`)", body = ErrorBody),
        (status = 403, description = "A partner (`stats.releases_only`), or a role that sees no case (`access.no_cases`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn stats(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<StatsParams>,
) -> Result<Response, ApiError> {
    if !access::sees_full_statistics(actor.role) {
        return Err(releases_only());
    }
    let (from, to) = (params.from, params.to);
    let csv = params.format.unwrap_or_default() == StatsFormat::Csv;
    let answer = blocking(&state, move |s| {
        let parameters = Parameters {
            catalog: s.catalog.pack.id.clone(),
            from,
            to,
            as_of: Utc::now(),
        };
        let query = access::visible_query(&actor, CaseQuery::default()).ok_or_else(no_cases)?;
        let full = stats::statistics_where(s.store.as_ref(), &s.catalog, parameters, &query)
            .map_err(stats_error)?;
        Ok(if csv {
            Answer::Csv(full.to_csv())
        } else {
            Answer::Json(Box::new(full))
        })
    })
    .await?;
    Ok(match answer {
        Answer::Json(body) => Json(body).into_response(),
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

/// Every published release, every version.
#[utoipa::path(get, path = "/stats/releases", tag = "stats",
    description = "The published statistics releases: one per closed month (`2026-09`) or quarter (`2026-Q3`), every version (a correction is a new version), newest period first. Any role.",
    responses(
        (status = 200, description = "The releases", body = Vec<schema::ReleaseSummary>),
    ),
    security(("bearer" = [])))]
pub async fn list_releases(
    State(state): State<SharedState>,
    Caller(_actor): Caller,
) -> Result<Json<Vec<ReleaseSummary>>, ApiError> {
    let list = blocking(&state, |s| Ok(s.db.releases()?)).await?;
    Ok(Json(list))
}

/// Query of `GET /stats/releases/{id}`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReleaseParams {
    /// The version (the newest when absent).
    version: Option<u32>,
}

/// One release, as it was published.
#[utoipa::path(get, path = "/stats/releases/{id}", tag = "stats",
    description = "A published release, byte for byte as it was kept when published (the same bytes for every caller): counts perturbed with the cell-key method (`perturbation`), then suppressed below `k`; only cases opened in the period and registered before it closed (`registered_before`). The newest version unless `version` is given. Any role.",
    params(("id" = String, Path, description = "The period: `2026-09` or `2026-Q3`"), ReleaseParams),
    responses(
        (status = 200, description = "The release", body = schema::PublishedRelease),
        (status = 400, description = "A bad `version` (`http.bad_query`)", body = ErrorBody),
        (status = 404, description = "No such release, or no such version (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn get_release(
    State(state): State<SharedState>,
    Caller(_actor): Caller,
    Path(id): Path<String>,
    Query(params): Query<ReleaseParams>,
) -> Result<Response, ApiError> {
    let body = blocking(&state, move |s| {
        s.db.release_json(&id, params.version)?
            .ok_or(ApiError::NotFound)
    })
    .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        body,
    )
        .into_response())
}

/// Body of `POST /stats/releases`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishRelease {
    /// The period: a month (`2026-09`) or a quarter (`2026-Q3`) that has closed.
    pub period: String,
}

/// Publishes a closed period's release, or a correction of it.
#[utoipa::path(post, path = "/stats/releases", tag = "stats",
    description = "Computes the release of a closed month or quarter over the cases opened in it and registered before it closed, perturbs and suppresses it, and keeps it: version 1 the first time, a correction (one version more) each time after. Directorate only.",
    request_body = PublishRelease,
    responses(
        (status = 201, description = "The release kept", body = schema::ReleaseSummary,
            headers(("Location" = String, description = "The release's URL, with its version"))),
        (status = 400, description = "Malformed JSON (`http.malformed_json`), or not a month or quarter (`stats.bad_period`)", body = ErrorBody),
        (status = 403, description = "Not the directorate (`access.directorate_only`)", body = ErrorBody),
        (status = 409, description = "Another publication of the same version won (`store.conflict`): publish again for the next version", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`, `siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not `{\"period\"}` (`http.wrong_shape`), or the period has not closed (`stats.period_open`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn publish_release(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<PublishRelease>,
) -> Result<Response, ApiError> {
    directorate_only(actor.role)?;
    let period = Period::parse(&body.period).ok_or_else(|| ApiError::BadRequest {
        code: "stats.bad_period",
        message: "the period is not a month (2026-09) or a quarter (2026-Q3)".to_owned(),
    })?;
    let summary = blocking(&state, move |s| {
        let version = s.db.release_version(&period.id())?.unwrap_or(0) + 1;
        let release = releases::compute(s.store.as_ref(), &s.catalog, period, version, Utc::now())
            .map_err(stats_error)?;
        s.db.add_release(&release)?;
        Ok(release.summary())
    })
    .await?;
    let location = format!(
        "/api/v1/stats/releases/{}?version={}",
        summary.id, summary.version
    );
    let mut response = (StatusCode::CREATED, Json(summary)).into_response();
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    Ok(response)
}
