//! Authentication as an extractor: a handler that takes a [`Caller`] (or an
//! [`Authenticated`]) runs only for a request with a valid credential (401 otherwise), within
//! its credential's rate limit (429 with `Retry-After` otherwise):
//!
//! - `Authorization: Bearer TOKEN`, an API token for programs, which must hold the scope the
//!   route needs ([`required_scope`]; 403 `auth.insufficient_scope` otherwise);
//! - or, without one, the session cookie of a person signed in to the web application
//!   ([`crate::session`]): a session may do what its user's role and office allow (no scopes);
//!   a write must pass the CSRF checks (403 `auth.csrf` otherwise).
//!
//! Every request reads its token or session and their owner from the database
//! ([`siproc_core::store::Records::authenticate_token`],
//! [`siproc_core::store::Records::authenticate_session`]): nothing is cached in the process,
//! so a token revoked, a session ended or a user disabled by any process sharing the database
//! stops at its next request. The request acts as the owner's current role and office: a
//! credential never grants more than its owner has. An unknown, expired or revoked token or
//! session and a disabled owner get the same 401.

use axum::extract::{FromRequestParts, MatchedPath};
use axum::http::request::Parts;
use axum::http::{Method, header};
use chrono::Utc;
use governor::clock::{Clock, DefaultClock};
use siproc_core::Actor;
use siproc_core::accounts::User;
use siproc_core::accounts::sessions::Session;
use siproc_core::accounts::tokens::{ApiToken, Scope};

use crate::client::Client;

use crate::db::token_hash;
use crate::error::ApiError;
use crate::state::SharedState;

/// The authenticated caller, as the actor the rules check.
#[derive(Debug, Clone)]
pub struct Caller(pub Actor);

/// What a request authenticated with.
#[derive(Debug, Clone)]
pub enum Credential {
    /// An API token (`Authorization: Bearer`).
    Token(ApiToken),
    /// A signed-in session (its cookie).
    Session {
        /// The session.
        session: Session,
        /// The SHA-256 of its secret (to end it).
        hash: String,
    },
}

/// The authenticated caller: the user and the credential they came with.
#[derive(Debug, Clone)]
pub struct Authenticated {
    /// The user, as the database holds them now.
    pub user: User,
    /// The credential the request carried.
    pub credential: Credential,
}

impl Authenticated {
    /// The actor the user acts as.
    pub fn actor(&self) -> Actor {
        self.user.actor()
    }

    /// The session this request came with and its secret's hash, or 403
    /// `auth.session_required` for an API token: a person's own credentials and passkeys are
    /// managed from a signed-in browser, so a program's stolen token cannot change them.
    pub fn session(&self) -> Result<(&Session, &str), ApiError> {
        match &self.credential {
            Credential::Session { session, hash } => Ok((session, hash)),
            Credential::Token(_) => Err(ApiError::Forbidden {
                code: "auth.session_required",
                message: "this is done from a signed-in browser, not with an API token".to_owned(),
            }),
        }
    }

    /// The session, if it re-authenticated less than five minutes before `now`
    /// ([`siproc_core::accounts::sessions::check_reauthenticated`]): 403
    /// `auth.session_required` for an API token, 403 `accounts.reauth_required` otherwise.
    pub fn reauthenticated(
        &self,
        now: chrono::DateTime<Utc>,
    ) -> Result<(&Session, &str), ApiError> {
        let (session, hash) = self.session()?;
        siproc_core::accounts::sessions::check_reauthenticated(session, now)?;
        Ok((session, hash))
    }
}

/// The scope a request needs, by its method and its route (under `/api/v1`): reads (`GET`)
/// need an area's `:read` scope, everything else its `:write` scope, but for the reads sent
/// as `POST` (a search, whose terms travel in the body, and the check for duplicates of an
/// intake; the steps of an export, which end in
/// a read of every case). Break-the-glass grants are the cases' area. `None` for the routes
/// any signed-in user may call whatever their token's scopes (`/me`, `/workflow`, their own
/// sessions: `/session`, `/sessions`; their own passkeys, `/passkeys`, and credentials,
/// `/session/reauth` and `/account/…`, which refuse an API token whatever its scopes, but for
/// reading their own security events) and those before sign-in (`/enrolment…`,
/// `/session/passkey…`, `/session/oidc…`, `/password/check`).
pub fn required_scope(method: &Method, route: &str) -> Option<Scope> {
    match route {
        // Searches that carry their terms in a body (and the check for duplicates of an intake):
        // reads, whatever the method.
        "/cases/search" | "/cases/duplicates" | "/subject-access" => return Some(Scope::CasesRead),
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
        // `/forms/signed-copies` files a scan into the case its QR code names: a case write.
        "cases" | "events" | "grants" | "forms" => pick(Scope::CasesRead, Scope::CasesWrite),
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
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty());
        let Some(token) = bearer else {
            let secret = crate::session::secret(&parts.headers).ok_or(ApiError::Unauthorized)?;
            return session(parts, state, &secret).await;
        };
        let hash = token_hash(token);
        rate_limit(state, &hash)?;
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
        Ok(Authenticated {
            user,
            credential: Credential::Token(token),
        })
    }
}

/// 429 when the credential whose hash is `hash` is past its rate limit.
fn rate_limit(state: &SharedState, hash: &str) -> Result<(), ApiError> {
    if let Some(limiter) = &state.limiter
        && let Err(not_until) = limiter.check_key(&hash.to_owned())
    {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        return Err(ApiError::TooManyRequests {
            retry_after: wait.as_secs().max(1),
        });
    }
    Ok(())
}

/// The caller of a request that carries the session cookie `secret`: a write must pass the
/// CSRF checks first.
async fn session(
    parts: &Parts,
    state: &SharedState,
    secret: &str,
) -> Result<Authenticated, ApiError> {
    let client = parts.extensions.get::<Client>().copied().unwrap_or(Client {
        ip: std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED),
        https: false,
    });
    let origin = state.public_origin.as_deref();
    if !crate::session::csrf_ok(&parts.method, &parts.headers, secret, &client, origin) {
        return Err(ApiError::Forbidden {
            code: "auth.csrf",
            message: "a write with the session cookie must come from this server's pages, with its CSRF token"
                .to_owned(),
        });
    }
    let hash = token_hash(secret);
    rate_limit(state, &hash)?;
    let found = {
        let (state, hash) = (state.clone(), hash.clone());
        tokio::task::spawn_blocking(move || {
            state
                .db
                .authenticate_session(&hash, &state.sessions, Utc::now())
        })
        .await??
    };
    let (user, session) = found.map_err(|_| ApiError::Unauthorized)?;
    Ok(Authenticated {
        user,
        credential: Credential::Session { session, hash },
    })
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
                let free = [
                    "/me",
                    "/workflow",
                    "/session",
                    "/sessions",
                    "/sessions/{id}",
                    "/passkeys",
                    "/passkeys/options",
                    "/passkeys/{id}",
                    "/session/reauth",
                    "/account/password",
                    "/account/second-factor",
                    "/account/second-factor/offer",
                    "/account/recovery-codes",
                    "/account/activity",
                ]
                .contains(&path.as_str());
                assert_eq!(scope.is_none(), free, "{method} {path}");
                seen += 1;
            }
        }
        assert!(seen > 15, "{seen}");
        // A person's own sessions, and enrolment before any sign-in, need no scope.
        for (method, path) in [
            (Method::POST, "/session"),
            (Method::DELETE, "/session"),
            (Method::GET, "/sessions"),
            (Method::DELETE, "/sessions"),
            (Method::DELETE, "/sessions/{id}"),
            (Method::POST, "/enrolment"),
            (Method::POST, "/enrolment/lookup"),
            // Signing in with the ministry's identity provider, before any session.
            (Method::GET, "/session/oidc"),
            (Method::GET, "/session/oidc/callback"),
            (Method::GET, "/session/oidc/status"),
            (Method::GET, "/session/oidc/logout"),
            // Passkeys: a person's own, managed with a session only (the handlers refuse an
            // API token); signing in with one needs nothing.
            (Method::GET, "/passkeys"),
            (Method::POST, "/passkeys"),
            (Method::POST, "/passkeys/options"),
            (Method::DELETE, "/passkeys/{id}"),
            (Method::POST, "/session/passkey/options"),
            (Method::POST, "/session/passkey"),
            // A person's own credentials, changed behind a re-authentication with a session
            // only (the handlers refuse an API token); their own security events; the check
            // of a password being chosen, before any sign-in.
            (Method::POST, "/session/reauth"),
            (Method::PUT, "/account/password"),
            (Method::POST, "/account/second-factor/offer"),
            (Method::PUT, "/account/second-factor"),
            (Method::POST, "/account/recovery-codes"),
            (Method::GET, "/account/activity"),
            (Method::POST, "/password/check"),
        ] {
            assert_eq!(required_scope(&method, path), None, "{method} {path}");
        }
        for (method, path, scope) in [
            (Method::POST, "/cases/{id}/commands", Scope::CasesWrite),
            (Method::GET, "/cases/{id}", Scope::CasesRead),
            (Method::DELETE, "/tokens/{id}", Scope::TokensWrite),
            (Method::GET, "/users", Scope::UsersRead),
            (Method::POST, "/cases/search", Scope::CasesRead),
            // A subject access report reads cases (its terms are in the body); the role check
            // (directorate only) is the handler's.
            (Method::POST, "/subject-access", Scope::CasesRead),
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
            // A thumbnail is a read of the file (logged as its download is).
            (
                Method::GET,
                "/cases/{id}/attachments/{sha256}/thumbnail",
                Scope::CasesRead,
            ),
            // Filing a pile of signed scans writes the cases their QR codes name.
            (Method::POST, "/forms/signed-copies", Scope::CasesWrite),
        ] {
            assert_eq!(
                required_scope(&method, path),
                Some(scope),
                "{method} {path}"
            );
        }
    }
}
