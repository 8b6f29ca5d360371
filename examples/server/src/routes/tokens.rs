//! API tokens: `GET/POST /tokens` (the caller's own), `DELETE /tokens/{id}` (revoke). A
//! token's secret is answered once, when it is made; lists never hold it, and only its
//! SHA-256 is stored. Creations and revocations go to the audit log.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::{delete, get};
use chrono::Utc;
use serde::Serialize;
use siproc_core::accounts::tokens::{ApiToken, NewToken};
use siproc_core::audit::AuditEvent;

use crate::auth::Authenticated;
use crate::client::Client;
use crate::db::{new_token, token_hash};
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::JsonBody;
use crate::routes::shared::blocking;
use crate::schema;
use crate::state::SharedState;

/// The tokens' routes.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/tokens", get(list_tokens).post(create_token))
        .route("/tokens/{id}", delete(revoke_token))
}

/// A token just made: the only answer that holds its secret.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CreatedToken {
    /// The token as listed.
    #[schema(value_type = schema::ApiToken)]
    pub token: ApiToken,
    /// The secret, to send as `Authorization: Bearer SECRET`. Shown this once.
    pub secret: String,
}

/// The caller's tokens.
#[utoipa::path(get, path = "/tokens", tag = "tokens",
    description = "The caller's API tokens, newest first, revoked and expired ones too: names, scopes, dates. Never a secret.",
    responses(
        (status = 200, description = "The tokens", body = Vec<schema::ApiToken>),
        (status = 403, description = "The token lacks `tokens:read` (`auth.insufficient_scope`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn list_tokens(
    State(state): State<SharedState>,
    caller: Authenticated,
) -> Result<Json<Vec<ApiToken>>, ApiError> {
    let id = caller.user.id;
    blocking(&state, move |s| Ok(Json(s.db.tokens_of(&id)?))).await
}

/// Make a token for the caller.
#[utoipa::path(post, path = "/tokens", tag = "tokens",
    description = "Makes an API token owned by the caller: named, with scopes (every scope when absent) and a lifetime in days (90 when absent, at most 366). It acts as its owner's current role and office, never more, and stops when its owner is disabled. The secret is in this answer only.",
    request_body = schema::NewToken,
    responses(
        (status = 201, description = "The token and its secret", body = CreatedToken),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "The token lacks `tokens:write` (`auth.insufficient_scope`)", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `NewToken` (`http.wrong_shape`), or a bad name, scope or lifetime (`accounts.bad_token_name`, `accounts.bad_expiry`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn create_token(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    JsonBody(ask): JsonBody<NewToken>,
) -> Result<(StatusCode, Json<CreatedToken>), ApiError> {
    let id = uuid::Uuid::now_v7().simple().to_string();
    let token = ask.token(&caller.user, id, Utc::now())?;
    let secret = new_token().map_err(ApiError::internal)?;
    let (stored, hash, actor) = (token.clone(), token_hash(&secret), caller.actor());
    blocking(&state, move |s| {
        s.db.add_api_token(&hash, &stored)?;
        let event = AuditEvent::TokenCreated {
            token_id: stored.id.clone(),
            owner: stored.user_id.clone(),
            scopes: stored.scopes.clone(),
            expires_at: stored.expires_at,
        };
        Ok(s.audit(&actor, &client, event)?)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { token, secret })))
}

/// Revoke one of the caller's tokens.
#[utoipa::path(delete, path = "/tokens/{id}", tag = "tokens",
    description = "Revokes one of the caller's tokens: it stops at its next request, in every server process. Revoking a revoked token changes nothing. Another user's token is 404, as one that does not exist.",
    params(("id" = String, Path, description = "The token's id")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 403, description = "The token lacks `tokens:write` (`auth.insufficient_scope`)", body = ErrorBody),
        (status = 404, description = "No such token of the caller's (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn revoke_token(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let actor = caller.actor();
    blocking(&state, move |s| {
        let token =
            s.db.api_token(&id)?
                .filter(|t| t.user_id == actor.user_id)
                .ok_or(ApiError::NotFound)?;
        if token.revoked_at.is_some() {
            return Ok(());
        }
        s.db.revoke_token(&token.id, Utc::now())?;
        let event = AuditEvent::TokenRevoked {
            token_id: token.id,
            owner: token.user_id,
        };
        Ok(s.audit(&actor, &client, event)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
