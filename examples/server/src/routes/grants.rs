//! `/grants`: break-the-glass grants in daylight. The supervisors of the office that holds a
//! case see every grant on it as soon as it is given (here, and as an `event: grant` on
//! `GET /events`) and may end it; the directorate sees and ends every grant; auditors read
//! them. Who sees and ends which grant is the core's rule ([`access::grants_seen_by`],
//! [`access::may_end_grant`]); ending one is written to the audit log.

use axum::Json;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use siproc_core::access::{self, Grant};
use siproc_core::audit::AuditEvent;

use crate::auth::Caller;
use crate::client::Client;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::routes::shared::{blocking, page_size};
use crate::schema;
use crate::state::SharedState;

/// The routes under `/grants`.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/grants", get(list_grants))
        .route("/grants/{id}/end", post(end_grant))
}

/// 403 `access.grants_not_allowed`: the role sees no grant.
fn not_allowed() -> ApiError {
    ApiError::Forbidden {
        code: "access.grants_not_allowed",
        message: "only supervisors, the directorate and auditors see break-the-glass grants"
            .to_owned(),
    }
}

/// Query of `GET /grants`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GrantParams {
    /// Every grant, also expired and ended ones (default false: those in force now).
    all: Option<bool>,
    /// Grants numbered after this one (the last `id` of the previous page).
    #[param(minimum = 0)]
    after: Option<u64>,
    /// At most this many, oldest first (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Break-the-glass grants.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GrantList {
    /// The grants, oldest first.
    #[schema(value_type = Vec<schema::Grant>)]
    pub items: Vec<Grant>,
}

/// The break-the-glass grants the caller oversees.
#[utoipa::path(get, path = "/grants", tag = "access", params(GrantParams),
    description = "Break-the-glass grants: for a supervisor, those on their office's cases; for the directorate and auditors, every grant. Each with its holder, reason code and text, and when it was given, ends or was ended. By default only those in force now.",
    responses(
        (status = 200, description = "Grants, oldest first", body = GrantList),
        (status = 400, description = "A bad query parameter (`http.bad_query`)", body = ErrorBody),
        (status = 403, description = "Officers and partners oversee no grant (`access.grants_not_allowed`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn list_grants(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<GrantParams>,
) -> Result<Json<GrantList>, ApiError> {
    let office = access::grants_seen_by(&actor)
        .ok_or_else(not_allowed)?
        .map(str::to_owned);
    let limit = page_size(params.limit, 100, 1000)?;
    let active_at = (!params.all.unwrap_or(false)).then(Utc::now);
    let after = params.after.unwrap_or(0);
    let items = blocking(&state, move |s| {
        Ok(s.db.grants_after(office.as_deref(), active_at, after, limit)?)
    })
    .await?;
    Ok(Json(GrantList { items }))
}

/// End a grant before it expires.
#[utoipa::path(post, path = "/grants/{id}/end", tag = "access",
    description = "Ends a break-the-glass grant now: its holder no longer sees the case. A supervisor of the office that holds the case, or the directorate; written to the audit log (`grant_ended`).",
    params(("id" = u64, Path, description = "The grant's number", minimum = 1)),
    responses(
        (status = 200, description = "The grant, ended", body = schema::Grant),
        (status = 400, description = "The id is not a number (`http.bad_path`)", body = ErrorBody),
        (status = 403, description = "The role ends no grant (`access.grants_not_allowed`)", body = ErrorBody),
        (status = 404, description = "No such grant, or one on another office's case (`store.not_found`)", body = ErrorBody),
        (status = 409, description = "The grant has expired or was ended already (`access.grant_not_active`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn end_grant(
    State(state): State<SharedState>,
    client: Client,
    Caller(actor): Caller,
    Path(id): Path<u64>,
) -> Result<Json<Grant>, ApiError> {
    if access::grants_seen_by(&actor).is_none() {
        return Err(not_allowed());
    }
    let grant = blocking(&state, move |s| {
        let grant = s.db.grant(id)?.ok_or(ApiError::NotFound)?;
        if !access::may_end_grant(&actor, &grant) {
            // A supervisor of another office does not learn the grant exists; an auditor reads
            // grants and ends none.
            return Err(if access::grants_seen_by(&actor) == Some(None) {
                not_allowed()
            } else {
                ApiError::NotFound
            });
        }
        let now = Utc::now();
        if !s.db.end_grant(id, &actor.user_id, now)? {
            return Err(ApiError::Conflicting {
                code: "access.grant_not_active",
                message: "the grant has expired or was ended already".to_owned(),
            });
        }
        s.audit(
            &actor,
            &client,
            AuditEvent::GrantEnded {
                grant: id,
                case_id: grant.case_id,
                holder: grant.user_id.clone(),
            },
        )?;
        s.db.grant(id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(Json(grant))
}
