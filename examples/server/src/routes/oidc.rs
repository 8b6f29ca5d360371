//! Signing in with the ministry's identity provider (OpenID Connect): `GET /session/oidc`
//! sends the browser to the provider, `GET /session/oidc/callback` brings it back signed in,
//! `GET /session/oidc/status` tells the sign-in page whether to offer it, and
//! `GET /session/oidc/logout` sends a browser that signed out of siproc on to sign out at the
//! provider (RP-Initiated Logout). The protocol is
//! [`crate::oidc`]'s, the rules [`siproc_core::accounts::oidc`]'s; the session opened is the
//! one a password opens ([`crate::routes::session`]: the same cookies, CSRF token, timeouts).
//!
//! Both routes are browser navigations, so both answer `303 See Other`: to the provider, or
//! back to the web application (`/#/oidc/done` signed in; `/#/oidc/refused`,
//! `/#/oidc/wait-SECONDS` or `/#/oidc/unavailable` not). A refusal is the same whatever was
//! wrong (a `state` forged, replayed, expired or from another browser; the provider's
//! refusal; an ID token that fails a check; a claim that names no user, or a disabled one),
//! counted for backoff like a wrong password (the client's key always, the account's when the
//! claim names a login) and written to the audit log with method `oidc` and the reason, never
//! a code, a token or the claim's value.

use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use siproc_core::accounts::User;
use siproc_core::accounts::oidc::{PendingLogin, login_for};
use siproc_core::accounts::sessions::SignInMethod;
use siproc_core::audit::keyed_hash;

use crate::client::Client;
use crate::db::token_hash;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Query;
use crate::oidc::{Oidc, OidcError, clear_cookie, cookie_secret, set_cookie};
use crate::routes::session::{Refused, failure_keys, open_session, record_refusal, waiting};
use crate::routes::shared::blocking;
use crate::session::{new_secret, secure, set_cookies};
use crate::state::{AppState, SharedState};

/// The OpenID Connect routes.
pub fn router() -> Router<SharedState> {
    Router::new()
        .route("/session/oidc", get(begin))
        .route("/session/oidc/callback", get(callback))
        .route("/session/oidc/status", get(status))
        .route("/session/oidc/logout", get(logout))
}

/// Whether sign-in with the ministry's provider is offered.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OidcStatus {
    /// True when this server is configured with a provider (`oidc.issuer`).
    pub configured: bool,
}

/// What the provider sends the browser back with (RFC 6749 §4.1.2; other parameters, such as
/// `iss` or `session_state`, are ignored).
#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Callback {
    /// The authorization code.
    #[serde(default)]
    pub code: Option<String>,
    /// The `state` this server sent.
    #[serde(default)]
    pub state: Option<String>,
    /// The provider's refusal (`access_denied`, …), instead of a code.
    #[serde(default)]
    pub error: Option<String>,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Callback { .. }")
    }
}

/// Where the web application shows how a sign-in with the provider ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Landing {
    /// Signed in.
    Done,
    /// Refused (whatever was wrong).
    Refused,
    /// Too many refusals: seconds to wait.
    Wait(u64),
    /// The provider cannot be reached.
    Unavailable,
}

impl Landing {
    fn location(self) -> String {
        match self {
            Landing::Done => "/#/oidc/done".to_owned(),
            Landing::Refused => "/#/oidc/refused".to_owned(),
            Landing::Wait(seconds) => format!("/#/oidc/wait-{seconds}"),
            Landing::Unavailable => "/#/oidc/unavailable".to_owned(),
        }
    }
}

/// `303 See Other` to `location`, with `cookies` set.
fn see_other(location: &str, cookies: impl IntoIterator<Item = HeaderValue>) -> Response {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    for cookie in cookies {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// The configured provider, or 404 `auth.oidc_not_configured`.
fn provider(state: &AppState) -> Result<&Oidc, ApiError> {
    state.oidc.as_deref().ok_or_else(|| ApiError::Missing {
        code: "auth.oidc_not_configured",
        message: "sign-in with an identity provider is not configured on this server".to_owned(),
    })
}

/// The client's failure key (as [`failure_keys`] makes it).
fn client_key(state: &AppState, client: &Client) -> String {
    let [_, client_key] = failure_keys(state, "", client);
    client_key
}

/// Whether sign-in with the provider is offered.
#[utoipa::path(get, path = "/session/oidc/status", tag = "session",
    description = "Whether this server offers sign-in with the ministry's identity provider (OpenID Connect): the sign-in page shows its button only then. No token needed.",
    responses(
        (status = 200, description = "Configured or not", body = OidcStatus),
    ),
    security(()))]
pub async fn status(State(state): State<SharedState>) -> Json<OidcStatus> {
    Json(OidcStatus {
        configured: state.oidc.is_some(),
    })
}

/// Begin a sign-in with the provider.
#[utoipa::path(get, path = "/session/oidc", tag = "session",
    description = "Sends the browser to the ministry's identity provider (OpenID Connect authorization code flow with PKCE, a fresh `state` and `nonce` kept on the server for 10 minutes) and sets a short-lived `HttpOnly`, `SameSite=Lax` cookie (`__Host-siproc_oidc` over HTTPS, `siproc_oidc` over plain HTTP) that binds the sign-in to this browser. When the provider cannot be reached, or this client must first wait after refusals, the browser goes back to the web application (`/#/oidc/unavailable`, `/#/oidc/wait-SECONDS`). A browser navigation: no token needed.",
    responses(
        (status = 303, description = "To the provider (or back to the web application)",
            headers(("Location" = String, description = "The provider's authorization address"),
                ("Set-Cookie" = String, description = "The sign-in's cookie (HttpOnly, SameSite=Lax, 10 minutes)"))),
        (status = 404, description = "No provider is configured (`auth.oidc_not_configured`)", body = ErrorBody),
        (status = 500, description = "A fault of the server (`server.internal`)", body = ErrorBody),
    ),
    security(()))]
pub async fn begin(State(state): State<SharedState>, client: Client) -> Result<Response, ApiError> {
    let oidc = provider(&state)?;
    let now = Utc::now();
    let key = client_key(&state, &client);
    let wait = blocking(&state, move |s| waiting(s, &[key], now)).await?;
    if let Some(seconds) = wait {
        return Ok(see_other(&Landing::Wait(seconds).location(), []));
    }
    let begun = match oidc.begin().await {
        Ok(begun) => begun,
        Err(_) => return Ok(see_other(&Landing::Unavailable.location(), [])),
    };
    let secret = new_secret().map_err(ApiError::internal)?;
    let pending = PendingLogin::new(token_hash(&secret), begun.nonce, begun.pkce_verifier, now);
    let state_hash = token_hash(&begun.state);
    blocking(&state, move |s| {
        Ok(s.db.begin_oidc_login(&state_hash, &pending, now)?)
    })
    .await?;
    let secure = secure(&client, state.public_origin.as_deref());
    Ok(see_other(&begun.url, set_cookie(&secret, secure)))
}

/// Sign out at the provider.
#[utoipa::path(get, path = "/session/oidc/logout", tag = "session",
    description = "Where the web application sends the browser after signing out (`DELETE /session`) of a session opened with the ministry's identity provider: on to the provider's end-session endpoint (OpenID Connect RP-Initiated Logout 1.0, with this server's `client_id` and the post-logout redirect URI, the public origin followed by `/`, which must be registered at the provider), so that the person is signed out there too and the next person at a shared computer must sign in at the provider with their own credentials. When the provider names no end-session endpoint or cannot be reached, the browser goes back to the web application (`/`). It ends no siproc session and needs no token: a browser navigation.",
    responses(
        (status = 303, description = "To the provider's end-session endpoint, or back to the web application",
            headers(("Location" = String, description = "The provider's end-session address, or `/`"))),
        (status = 404, description = "No provider is configured (`auth.oidc_not_configured`)", body = ErrorBody),
    ),
    security(()))]
pub async fn logout(State(state): State<SharedState>) -> Result<Response, ApiError> {
    let oidc = provider(&state)?;
    let location = oidc.logout_url().await.ok().flatten();
    Ok(see_other(location.as_deref().unwrap_or("/"), []))
}

/// What a callback came to, before its answer is made.
enum Finished {
    /// Signed in: the session's secret.
    Opened(String),
    /// Not.
    Not(Landing),
}

/// The callback's checks after the provider gave an identity: the login it names, its
/// backoff, the user. Records a refusal.
fn sign_in_as(
    state: &AppState,
    client: &Client,
    login: Option<String>,
    now: DateTime<Utc>,
) -> Result<Finished, ApiError> {
    let Some(login) = login else {
        return refuse_without_login(state, client, "no_claim");
    };
    let keys = failure_keys(state, &login, client);
    if let Some(seconds) = waiting(state, &keys, now)? {
        return Ok(Finished::Not(Landing::Wait(seconds)));
    }
    let user: Option<User> = state.db.user(&login)?;
    let reason = match &user {
        None => "unknown_login",
        Some(user) if !user.is_active() => "disabled",
        Some(user) => {
            let [account, _] = &keys;
            let (_, secret) = open_session(state, client, user, SignInMethod::Oidc, account, now)?;
            return Ok(Finished::Opened(secret));
        }
    };
    let [account, _] = &keys;
    let refused = Refused {
        login: account.clone(),
        counted: &keys,
        user: user.as_ref(),
        reason,
        method: Some(SignInMethod::Oidc),
    };
    record_refusal(state, client, refused)?;
    Ok(Finished::Not(Landing::Refused))
}

/// Records a refusal when no login is known: counted for the client only, audited under the
/// empty login's keyed hash.
fn refuse_without_login(
    state: &AppState,
    client: &Client,
    reason: &'static str,
) -> Result<Finished, ApiError> {
    let counted = [client_key(state, client)];
    let refused = Refused {
        login: keyed_hash(&state.audit_key, "account:"),
        counted: &counted,
        user: None,
        reason,
        method: Some(SignInMethod::Oidc),
    };
    record_refusal(state, client, refused)?;
    Ok(Finished::Not(Landing::Refused))
}

/// [`refuse_without_login`] off the async threads.
async fn refuse_early(
    state: &SharedState,
    client: Client,
    reason: &'static str,
) -> Result<Finished, ApiError> {
    blocking(state, move |s| refuse_without_login(s, &client, reason)).await
}

/// The provider's answer checked, up to the session.
async fn finish(
    state: &SharedState,
    oidc: &Oidc,
    client: Client,
    headers: &HeaderMap,
    callback: Callback,
) -> Result<Finished, ApiError> {
    let now = Utc::now();
    let browser = cookie_secret(headers).map(|secret| token_hash(&secret));
    let pending = match callback.state {
        Some(sent) => {
            let state_hash = token_hash(&sent);
            blocking(state, move |s| Ok(s.db.take_oidc_login(&state_hash)?)).await?
        }
        None => None,
    };
    // Taken (so never again) before anything else is looked at.
    let Some(pending) = pending.filter(|p| p.accepts(browser.as_deref(), now)) else {
        return refuse_early(state, client, "bad_state").await;
    };
    let key = client_key(state, &client);
    if let Some(seconds) = blocking(state, move |s| waiting(s, &[key], now)).await? {
        return Ok(Finished::Not(Landing::Wait(seconds)));
    }
    let (Some(code), None) = (callback.code, callback.error) else {
        return refuse_early(state, client, "provider_refused").await;
    };
    let identity = match oidc.finish(&code, &pending).await {
        Ok(identity) => identity,
        Err(OidcError::Unavailable) => return Ok(Finished::Not(Landing::Unavailable)),
        Err(OidcError::Refused(reason)) => return refuse_early(state, client, reason).await,
    };
    let settings = oidc.settings();
    let login = login_for(settings.claim, &identity, settings.email_domain.as_deref());
    blocking(state, move |s| sign_in_as(s, &client, login, Utc::now())).await
}

/// The provider sends the browser back.
#[utoipa::path(get, path = "/session/oidc/callback", tag = "session",
    description = "Where the ministry's identity provider sends the browser back (the redirect URI: the public origin followed by `/api/v1/session/oidc/callback`). The `state` must be one this server issued to this browser (its `siproc_oidc` cookie), not yet used and at most 10 minutes old; the code is exchanged with the PKCE verifier; the ID token's signature (the provider's JWKS), issuer, audience, expiry and `nonce` are checked; the configured claim (`preferred_username` by default) must name an existing, active user. Signed in, the browser goes to `/#/oidc/done` with the session cookie and CSRF cookie a password sign-in sets; otherwise to `/#/oidc/refused` (whatever was wrong, counted for backoff like a wrong password), `/#/oidc/wait-SECONDS` or `/#/oidc/unavailable`. The sign-in's cookie is removed either way. A browser navigation: no token needed.",
    params(Callback),
    responses(
        (status = 303, description = "Back to the web application, signed in or not",
            headers(("Location" = String, description = "`/#/oidc/done`, `/#/oidc/refused`, `/#/oidc/wait-SECONDS` or `/#/oidc/unavailable`"),
                ("Set-Cookie" = String, description = "Signed in: the session cookie (HttpOnly) and the CSRF cookie; always: the sign-in's cookie removed"))),
        (status = 400, description = "A query parameter is not text (`http.bad_query`)", body = ErrorBody),
        (status = 404, description = "No provider is configured (`auth.oidc_not_configured`)", body = ErrorBody),
        (status = 500, description = "A fault of the server (`server.internal`)", body = ErrorBody),
    ),
    security(()))]
pub async fn callback(
    State(state): State<SharedState>,
    client: Client,
    headers: HeaderMap,
    Query(callback): Query<Callback>,
) -> Result<Response, ApiError> {
    let oidc = provider(&state)?;
    let secure = secure(&client, state.public_origin.as_deref());
    let finished = finish(&state, oidc, client, &headers, callback).await?;
    let gone = clear_cookie(secure);
    Ok(match finished {
        Finished::Opened(secret) => see_other(
            &Landing::Done.location(),
            set_cookies(&secret, secure).into_iter().chain(gone),
        ),
        Finished::Not(landing) => see_other(&landing.location(), gone),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn landings_are_pages_of_the_web_application() {
        assert_eq!(Landing::Done.location(), "/#/oidc/done");
        assert_eq!(Landing::Wait(4).location(), "/#/oidc/wait-4");
        for landing in [Landing::Refused, Landing::Unavailable] {
            assert!(landing.location().starts_with("/#/oidc/"));
        }
    }
}
