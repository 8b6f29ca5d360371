//! Authentication as an extractor: a handler that takes a [`Caller`] (or an
//! [`Authenticated`]) runs only for a request with a valid `Authorization: Bearer TOKEN`
//! (401 otherwise) whose token holds the scope the route needs ([`required_scope`]; 403
//! `auth.insufficient_scope` otherwise), within its token's rate limit (429 with
//! `Retry-After` otherwise).
//!
//! Every request reads its token and the token's owner from the database
//! ([`siproc_core::store::Records::authenticate_token`]): nothing is cached in the process, so
//! a token revoked, or a user disabled, by any process sharing the database stops at its next
//! request. The request acts as the owner's current role and office: a token never grants more
//! than its owner has. An unknown, expired or revoked token and a disabled owner get the same
//! 401.

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{Method, header};
use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use siproc_core::Actor;
use siproc_core::accounts::User;
use siproc_core::accounts::tokens::{ApiToken, Scope};

use crate::db::token_hash;
use crate::error::ApiError;
use crate::state::SharedState;

/// The authenticated caller, as the actor the rules check.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

/// The authenticated caller: the user and the credential they came with.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user, as the database holds them now.
    pub user: User,
    /// The API token the request carried.
    pub token: ApiToken,
}

impl Authenticated {
    /// The actor the user acts as.
    pub fn actor(&self) -> Actor {
        self.user.actor()
    }
}

/// The scope a request needs, by its method and its route (under `/api/v1`): reads (`GET`)
/// need an area's `:read` scope, everything else its `:write` scope, but for the reads sent
/// as `POST` (a search, whose terms travel in the body, and the check for duplicates of an
/// intake; the steps of an export, which end in
/// a read of every case). Break-the-glass grants are the cases' area. `None` for the routes
/// any signed-in user may call whatever their token's scopes (`/me`, `/workflow`).
pub fn required_scope(method: &Method, route: &str) -> Option<Scope> {
    match route {
        "/cases/search" | "/cases/duplicates" => return Some(Scope::CasesRead),
        "/archive/requests" | "/archive/requests/{id}/approve" => return Some(Scope::ArchiveRead),
        _ => {}
    }
    let read = matches!(*method, Method::GET | Method::HEAD);
    let pick = |reads, writes| Some(if read { reads } else { writes });
    let area = route
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or("");
    match area {
        "cases" | "events" | "grants" => pick(Scope::CasesRead, Scope::CasesWrite),
        "stats" => Some(Scope::StatsRead),
        "access-log" | "form-checks" | "audit" => Some(Scope::LogsRead),
        "archive" => pick(Scope::ArchiveRead, Scope::ArchiveWrite),
        "users" => pick(Scope::UsersRead, Scope::UsersWrite),
        "tokens" => pick(Scope::TokensRead, Scope::TokensWrite),
        // Outside `/api/v1`: `GET /metrics` with a token, from an address not allowed.
        "metrics" => Some(Scope::MetricsRead),
        _ => None,
    }
}

/// The route a request matched, under `/api/v1`.
fn route(parts: &Parts) -> String {
    let full = parts
        .extensions
        .get::<MatchedPath>()
        .map_or_else(|| parts.uri.path(), MatchedPath::as_str);
    full.strip_prefix("/api/v1").unwrap_or(full).to_owned()
}

impl FromRequestParts<SharedState> for Authenticated {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or(ApiError::Unauthorized)?;
        let hash = token_hash(token);
        if let Some(limiter) = &state.limiter
            && let Err(not_until) = limiter.check_key(&hash)
        {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            return Err(ApiError::TooManyRequests {
                retry_after: wait.as_secs().max(1),
            });
        }
        let found = {
            let state = state.clone();
            tokio::task::spawn_blocking(move || state.db.authenticate_token(&hash, Utc::now()))
                .await??
        };
        let (user, token) = found.map_err(|_| ApiError::Unauthorized)?;
        if let Some(scope) = required_scope(&parts.method, &route(parts))
            && !token.scopes.contains(&scope)
        {
            return Err(ApiError::Forbidden {
                code: "auth.insufficient_scope",
                message: format!("the token lacks the scope {}", scope.as_str()),
            });
        }
        Ok(Authenticated { user, token })
    }
}

impl FromRequestParts<SharedState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &SharedState,
    ) -> Result<Self, Self::Rejection> {
        Authenticated::from_request_parts(parts, state)
            .await
            .map(|a| Caller(a.actor()))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;

    /// Every operation of the OpenAPI document that needs a token needs a scope, except the
    /// few any signed-in user may call: a new route cannot slip past the scopes.
    #[test]
    fn every_authenticated_operation_needs_a_scope_but_me_and_workflow() {
        let doc = crate::schema::document().unwrap();
        let mut seen = 0;
        for (path, item) in doc["paths"].as_object().unwrap() {
            for (method, operation) in item.as_object().unwrap() {
                if operation["security"] == serde_json::json!([]) {
                    continue;
                }
                let method: Method = method.to_uppercase().parse().unwrap();
                let scope = required_scope(&method, path);
                let free = ["/me", "/workflow"].contains(&path.as_str());
                assert_eq!(scope.is_none(), free, "{method} {path}");
                seen += 1;
            }
        }
        assert!(seen > 15, "{seen}");
        for (method, path, scope) in [
            (Method::POST, "/cases/{id}/commands", Scope::CasesWrite),
            (Method::GET, "/cases/{id}", Scope::CasesRead),
            (Method::DELETE, "/tokens/{id}", Scope::TokensWrite),
            (Method::POST, "/cases/search", Scope::CasesRead),
            (Method::POST, "/cases/duplicates", Scope::CasesRead),
            (
                Method::POST,
                "/archive/requests/{id}/approve",
                Scope::ArchiveRead,
            ),
            (Method::POST, "/grants/{id}/end", Scope::CasesWrite),
            // An erasure writes the case (and the directorate's role is the workflow's check).
            (Method::POST, "/cases/{id}/erase", Scope::CasesWrite),
            // Attachments are the cases' area: uploading writes the case, downloading reads it.
            (Method::POST, "/cases/{id}/attachments", Scope::CasesWrite),
            (
                Method::GET,
                "/cases/{id}/attachments/{sha256}",
                Scope::CasesRead,
            ),
        ] {
            assert_eq!(
                required_scope(&method, path),
                Some(scope),
                "{method} {path}"
            );
        }
    }
}
