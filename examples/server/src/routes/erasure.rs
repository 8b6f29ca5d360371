//! `POST /cases/{id}/erase`: the directorate erases one case's personal data, with a reason
//! (`siproc_core::erasure`). The erasure is a `personal_data_erased` event in the case's
//! history, carried out by the store in the same transaction, and an entry of the audit log.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::post;
use chrono::Utc;
use serde::Deserialize;
use siproc_core::audit::AuditEvent;
use siproc_core::erasure;
use siproc_core::store::CaseSummary;
use uuid::Uuid;

use crate::auth::Caller;
use crate::client::Client;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Path};
use crate::json::JsonBody;
use crate::routes::cases::{summary_response, visible_case_at};
use crate::routes::shared::blocking;
use crate::schema;
use crate::state::SharedState;

/// The route.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new().route("/cases/{id}/erase", post(erase))
}

/// Body of `POST /cases/{id}/erase`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Erase {
    /// Why (1 to 500 characters, no personal data: a file reference, the decision's number).
    #[schema(min_length = 1, max_length = 500)]
    pub reason: String,
}

/// Erase a closed case's personal data.
#[utoipa::path(post, path = "/cases/{id}/erase", tag = "cases",
    description = "Erases every personal value of a closed or archived case, at the version `If-Match` names, for a reason (directorate only). The history keeps a `personal_data_erased` event (who, why, the JSON Pointers of the values erased) and every hash: the chain still verifies, the case replays with its erased values listed in `erased`, statistics do not change. In an encrypted store the case's data key is destroyed. Written to the audit log. Erasing one case by retention rule is `siproc-server erase --due`.",
    params(("id" = Uuid, Path, description = "The case id"),
           ("If-Match" = String, Header, description = "The case's `ETag` (its version in quotes)", pattern = r#"^(W/)?"[0-9]+"$"#)),
    request_body = Erase,
    responses(
        (status = 200, description = "Erased: the new summary", body = schema::CaseSummary, headers(
            ("ETag" = String, description = "The case's new version, in quotes"))),
        (status = 400, description = "Malformed JSON (`http.malformed_json`), a bad `If-Match` (`http.bad_if_match`) or a bad id (`http.bad_path`)", body = ErrorBody),
        (status = 403, description = "Not the directorate (`workflow.role_not_allowed`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`)", body = ErrorBody),
        (status = 409, description = "The case moved on (`store.conflict`): `current` is its version", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB (`http.body_too_large`)", body = ErrorBody),
        (status = 422, description = "Not an erasure (`http.wrong_shape`), no reason or a reason too long (`workflow.empty_text`, `workflow.too_long`), a case not closed (`workflow.wrong_status`) or nothing left to erase (`workflow.nothing_to_erase`)", body = ErrorBody),
        (status = 428, description = "`If-Match` is missing (`http.if_match_required`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn erase(
    State(state): State<SharedState>,
    client: Client,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
    IfMatch(expected): IfMatch,
    JsonBody(body): JsonBody<Erase>,
) -> Result<Response, ApiError> {
    let case = blocking(&state, move |s| {
        visible_case_at(s, &actor, id, expected)?;
        let case = erasure::erase_case(s.store.as_ref(), &actor, id, &body.reason, Utc::now())?;
        s.audit(
            &actor,
            &client,
            AuditEvent::PersonalDataErased {
                case_id: id,
                values: u32::try_from(case.erased.len()).unwrap_or(u32::MAX),
            },
        )?;
        Ok(case)
    })
    .await?;
    state.feed.written();
    Ok(summary_response(StatusCode::OK, CaseSummary::of(&case)))
}
