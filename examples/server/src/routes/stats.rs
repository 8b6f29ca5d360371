//! `GET /stats`: protection statistics (the core's [`siproc_core::stats`]). Staff — officers,
//! supervisors, the directorate, auditors — get the full tables over the cases they may see
//! (their office's and those with a transfer pending to it, or every case); partners get only
//! the disclosure-controlled release over every case, with the pack's `k` (the release shape
//! of `siproc-core/schema/release.schema.json`). Neither names a person.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use siproc_core::access;
use siproc_core::stats::{self, Parameters, Release, Statistics, StatsError};
use siproc_core::store::CaseQuery;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::routes::shared::{blocking, no_cases};
use crate::schema;
use crate::state::SharedState;

/// `GET /stats`.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new().route("/stats", get(stats))
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
        other => ApiError::BadRequest {
            code: other.code(),
            message: other.to_string(),
        },
    }
}

/// The statistics as JSON: every count for staff, the disclosure-controlled release for
/// partners.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum StatsJson {
    /// Staff.
    Full(Statistics),
    /// Partners.
    Release(Release),
}

/// The computed answer, before it is written out.
enum Answer {
    Json(Box<StatsJson>),
    Csv(String),
}

/// Statistics: full tables for staff, the disclosure-controlled release for partners.
#[utoipa::path(get, path = "/stats", tag = "stats", params(StatsParams),
    description = "Protection statistics over the cases the caller may see. Staff (officers, supervisors, the directorate, auditors) get every count; partners get the disclosure-controlled release over every case, with the pack's `k` (`siproc-core/schema/release.schema.json`): suppressed cells are `{\"count\": null, \"suppressed\": true}`. With `format=csv`, the same tables as CSV.",
    responses(
        (status = 200, description = "Staff: `Statistics`; partners: `Release`", content(
            (schema::StatsAnswer = "application/json"),
            (String = "text/csv"),
        )),
        (status = 400, description = "A bad query parameter (`http.bad_query`), or `from` after `to` (`stats.bad_parameters`)", body = ErrorBody),
        (status = 403, description = "The role sees no case (`access.no_cases`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn stats(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<StatsParams>,
) -> Result<Response, ApiError> {
    let (from, to) = (params.from, params.to);
    let csv = params.format.unwrap_or_default() == StatsFormat::Csv;
    let answer = blocking(&state, move |s| {
        let parameters = Parameters {
            catalog: s.catalog.pack.id.clone(),
            from,
            to,
            as_of: Utc::now(),
        };
        let store = s.store.as_ref();
        if access::sees_full_statistics(actor.role) {
            let query = access::visible_query(&actor, CaseQuery::default()).ok_or_else(no_cases)?;
            let full = stats::statistics_where(store, &s.catalog, parameters, &query)
                .map_err(stats_error)?;
            Ok(if csv {
                Answer::Csv(full.to_csv())
            } else {
                Answer::Json(Box::new(StatsJson::Full(full)))
            })
        } else {
            let release =
                stats::release(store, &s.catalog, parameters, None).map_err(stats_error)?;
            Ok(if csv {
                Answer::Csv(release.to_csv())
            } else {
                Answer::Json(Box::new(StatsJson::Release(release)))
            })
        }
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
