//! Signing in and out of the web application: `POST /session` (password and a second-factor
//! or recovery code), `DELETE /session` (sign out), `GET /sessions` (the caller's open
//! sessions), `DELETE /sessions/{id}` (end one of them), `DELETE /sessions` (sign out
//! everywhere). The rules are the core's
//! ([`siproc_core::accounts::password`], [`siproc_core::accounts::totp`],
//! [`siproc_core::accounts::recovery`], [`siproc_core::accounts::sessions`]); the cookie and
//! the CSRF token are [`crate::session`]'s.
//!
//! A refused sign-in answers the same 401 `auth.signin_failed` whatever was wrong (an unknown
//! login, a disabled user, no credentials yet, the password, the code), after the same work:
//! an unknown login's password is checked against a dummy Argon2id hash, and the second factor
//! is looked at only once the password is right. Each refusal is counted for the account and
//! for the client (both as keyed hashes); from the third on, the next try must wait
//! ([`siproc_core::accounts::sessions::backoff`]: 1 s, doubling, at most 5 minutes), answered
//! 429 with `Retry-After`. Nothing locks an account for good. A sign-in, each refusal and each
//! sign-out go to the audit log, never with a password, a code or a session's secret.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use siproc_core::accounts::sessions::{self, Session, SignInMethod};
use siproc_core::accounts::{User, UserState, activity, password, recovery, totp};
use siproc_core::audit::{AuditEvent, keyed_hash};

use crate::auth::{Authenticated, Credential};
use crate::client::Client;
use crate::db::token_hash;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::JsonBody;
use crate::routes::shared::blocking;
use crate::routes::webapp::Me;
use crate::schema;
use crate::session::{clear_cookies, csrf_token, new_secret, same_origin, secure, set_cookies};
use crate::state::{AppState, SharedState};

/// The sessions' routes.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/session", post(sign_in).delete(sign_out))
        .route("/sessions", get(list_sessions).delete(sign_out_everywhere))
        .route("/sessions/{id}", delete(end_session))
}

/// What signs in: a login, a password and either the current code of the authenticator
/// application or one of the recovery codes.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    /// The login.
    pub login: String,
    /// The password.
    pub password: String,
    /// The six digits the authenticator application shows now.
    #[serde(default)]
    pub code: Option<String>,
    /// One of the recovery codes (`xxxx-xxxx-xxxx`), used once, instead of `code`.
    #[serde(default)]
    pub recovery_code: Option<String>,
}

impl std::fmt::Debug for SignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SignIn { .. }")
    }
}

/// A session just opened: who, the session, and the CSRF token its writes carry (also in the
/// readable `siproc_csrf` cookie). The session's secret is only in the `HttpOnly` cookie.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedIn {
    /// The user, as `GET /me` answers.
    pub me: Me,
    /// The session (its public id).
    #[schema(value_type = schema::Session)]
    pub session: Session,
    /// What cookie-authenticated writes send as `X-CSRF-Token`.
    pub csrf_token: String,
    /// How many unused recovery codes are left (after a sign-in with one, fewer).
    pub recovery_codes_left: usize,
    /// When a credential of the user's last changed (password, second factor, recovery codes,
    /// passkeys), if one did since their previous sign-in: the page tells them (ASVS 2.2.3).
    pub credentials_changed_at: Option<DateTime<Utc>>,
}

/// The caller's open sessions.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SessionList {
    /// Open sessions, newest first.
    #[schema(value_type = Vec<schema::Session>)]
    pub sessions: Vec<Session>,
    /// The id of the session this request came with, if it came with one.
    pub current: Option<String>,
}

/// Why a sign-in is refused (for the audit log only).
#[derive(Debug, Clone, Copy)]
pub(crate) enum Refusal {
    UnknownLogin,
    NotEnrolled,
    Disabled,
    WrongPassword,
    WrongCode,
    /// A passkey's credential id that no user holds (or under another user handle).
    UnknownPasskey,
    /// A passkey's response that did not verify.
    PasskeyRejected,
    /// A passkey sign-in whose ceremony is unknown, used (a replay) or expired.
    CeremonyUnknown,
}

impl Refusal {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Refusal::UnknownLogin => "unknown_login",
            Refusal::NotEnrolled => "not_enrolled",
            Refusal::Disabled => "disabled",
            Refusal::WrongPassword => "wrong_password",
            Refusal::WrongCode => "wrong_code",
            Refusal::UnknownPasskey => "unknown_passkey",
            Refusal::PasskeyRejected => "passkey_rejected",
            Refusal::CeremonyUnknown => "ceremony_unknown",
        }
    }
}

/// The key a client's failures (and its open passkey ceremonies) are counted under: a keyed
/// hash of its address.
pub(crate) fn client_key(state: &AppState, client: &Client) -> String {
    keyed_hash(&state.audit_key, &format!("client:{}", client.ip))
}

/// The keys a sign-in's failures are counted under: the account's and the client's, each a
/// keyed hash (no login or address is stored).
pub(crate) fn failure_keys(state: &AppState, login: &str, client: &Client) -> [String; 2] {
    [
        keyed_hash(&state.audit_key, &format!("account:{login}")),
        client_key(state, client),
    ]
}

/// Seconds to wait before the next try under `keys`, if any.
pub(crate) fn waiting(
    state: &AppState,
    keys: &[String],
    now: DateTime<Utc>,
) -> Result<Option<u64>, ApiError> {
    let mut wait = None;
    for key in keys {
        if let Some((failures, last)) = state.db.signin_failures(key)? {
            let next = sessions::next_try(failures, last);
            if next > now {
                let seconds = u64::try_from((next - now).num_seconds())
                    .unwrap_or(0)
                    .max(1);
                wait = Some(wait.map_or(seconds, |w: u64| w.max(seconds)));
            }
        }
    }
    Ok(wait)
}

/// The second factor of `ask` for `user` (whose password was right): the method, or why not.
fn second_factor(
    state: &AppState,
    user: &User,
    secret: &[u8],
    last_step: Option<u64>,
    ask: &SignIn,
    now: DateTime<Utc>,
) -> Result<Result<SignInMethod, Refusal>, ApiError> {
    if let Some(code) = &ask.code {
        let unix = u64::try_from(now.timestamp()).unwrap_or(0);
        return Ok(match totp::verify_code(secret, code, unix, last_step) {
            Some(step) if state.db.use_totp_step(&user.id, step)? => Ok(SignInMethod::PasswordTotp),
            _ => Err(Refusal::WrongCode),
        });
    }
    if let Some(code) = &ask.recovery_code {
        let stored = state.db.recovery_codes(&user.id)?;
        let hashes: Vec<_> = stored.iter().map(|(_, h)| h.clone()).collect();
        let found = recovery::find_code(code, &hashes).and_then(|i| stored.get(i));
        return Ok(match found {
            Some((n, _)) if state.db.use_recovery_code(&user.id, *n, now)? => {
                Ok(SignInMethod::PasswordRecovery)
            }
            _ => Err(Refusal::WrongCode),
        });
    }
    Ok(Err(Refusal::WrongCode))
}

/// A checked sign-in: the user and how they signed in, or why not (with the user when the
/// login exists).
pub(crate) type Checked = Result<(User, SignInMethod), (Option<User>, Refusal)>;

/// Checks `ask` at `now` (a sign-in, or a re-authentication of `login`'s session).
pub(crate) fn check(
    state: &AppState,
    login: &str,
    ask: &SignIn,
    now: DateTime<Utc>,
) -> Result<Checked, ApiError> {
    let user = state.db.user(login)?;
    let credentials = match &user {
        Some(u) => state.db.password_credentials(&u.id)?,
        None => None,
    };
    // Always one Argon2id verification: a dummy hash when there is nothing to compare with.
    let password_ok = password::verify_password(
        &ask.password,
        credentials.as_ref().map(|c| c.password_hash.as_str()),
    );
    let Some(user) = user else {
        return Ok(Err((None, Refusal::UnknownLogin)));
    };
    let Some(credentials) = credentials else {
        return Ok(Err((Some(user), Refusal::NotEnrolled)));
    };
    if !password_ok {
        return Ok(Err((Some(user), Refusal::WrongPassword)));
    }
    if user.state != UserState::Active {
        return Ok(Err((Some(user), Refusal::Disabled)));
    }
    let method = second_factor(
        state,
        &user,
        &credentials.totp_secret,
        credentials.totp_last_step,
        ask,
        now,
    )?;
    match method {
        Ok(method) => {
            if password::needs_rehash(&credentials.password_hash) {
                let rehashed = password::hash_password(&ask.password);
                state.db.set_password_hash(&user.id, &rehashed, now)?;
            }
            Ok(Ok((user, method)))
        }
        Err(refusal) => Ok(Err((Some(user), refusal))),
    }
}

/// A session just opened, for [`answer`].
pub(crate) struct Opened {
    /// Who.
    user: User,
    /// The session.
    session: Session,
    /// Its secret (for the cookie only).
    secret: String,
    /// The recovery codes left.
    recovery_codes_left: usize,
    /// When a credential changed since the previous sign-in, if one did.
    credentials_changed_at: Option<DateTime<Utc>>,
}

/// What a sign-in came to.
pub(crate) enum Outcome {
    /// Signed in.
    Opened(Box<Opened>),
    /// Refused.
    Refused,
    /// Too soon after failures: seconds to wait.
    Wait(u64),
}

fn attempt(state: &AppState, client: &Client, ask: &SignIn) -> Result<Outcome, ApiError> {
    let now = Utc::now();
    let login = ask.login.trim().to_lowercase();
    let keys = failure_keys(state, &login, client);
    if let Some(seconds) = waiting(state, &keys, now)? {
        return Ok(Outcome::Wait(seconds));
    }
    let [account, _] = &keys;
    match check(state, &login, ask, now)? {
        Ok((user, method)) => signed_in(state, client, user, method, account, now),
        Err((user, refusal)) => refuse(
            state,
            client,
            &keys,
            account.clone(),
            user.as_ref(),
            (refusal, None),
        ),
    }
}

/// Opens a session for `user`, signed in by `method` at `now`: the account's failures
/// (`account_key`) forgotten, the session stored by its secret's hash, the sign-in audited.
/// The session and its secret (for the cookie only).
pub(crate) fn open_session(
    state: &AppState,
    client: &Client,
    user: &User,
    method: SignInMethod,
    account_key: &str,
    now: DateTime<Utc>,
) -> Result<(Session, String), ApiError> {
    state.db.clear_signin_failures(account_key)?;
    let secret = new_secret().map_err(ApiError::internal)?;
    let session = Session {
        id: uuid::Uuid::now_v7().simple().to_string(),
        user_id: user.id.clone(),
        method,
        created_at: now,
        last_seen_at: now,
        ended_at: None,
        reauthenticated_until: None,
    };
    state.db.create_session(&token_hash(&secret), &session)?;
    let event = AuditEvent::SignedIn {
        method,
        session_id: session.id.clone(),
    };
    state.audit_for(Some(user), client, event)?;
    Ok((session, secret))
}

/// A refused sign-in, for [`record_refusal`].
pub(crate) struct Refused<'a> {
    /// The login's keyed hash (the account's failure key), for the audit line.
    pub login: String,
    /// The failure keys that count it (the account's and the client's, or the client's only
    /// when no login is known).
    pub counted: &'a [String],
    /// The user, when the login exists.
    pub user: Option<&'a User>,
    /// Why, for the auditor.
    pub reason: &'a str,
    /// The method tried, when known before the credentials are checked.
    pub method: Option<SignInMethod>,
}

/// One more failed sign-in (or re-authentication) under each of `keys`, counted from now (when
/// the refusal is answered, after the password's hashing).
pub(crate) fn count_failures(state: &AppState, keys: &[String]) -> Result<(), ApiError> {
    let refused_at = Utc::now();
    for key in keys {
        state.db.record_signin_failure(key, refused_at)?;
    }
    Ok(())
}

/// Records a refused sign-in: one more failure under each of its keys, and the audit line
/// (as the user's when the login exists).
pub(crate) fn record_refusal(
    state: &AppState,
    client: &Client,
    refused: Refused<'_>,
) -> Result<(), ApiError> {
    count_failures(state, refused.counted)?;
    let user = refused.user;
    let event = AuditEvent::SignInFailed {
        login: refused.login,
        reason: refused.reason.to_owned(),
        method: refused.method,
    };
    Ok(state.audit_for(user, client, event)?)
}

/// A sign-in's session opened ([`open_session`]) as its outcome, with the recovery codes left
/// and when a credential changed since the user's previous sign-in
/// ([`activity::changed_since_last_sign_in`], read before this sign-in is logged).
pub(crate) fn signed_in(
    state: &AppState,
    client: &Client,
    user: User,
    method: SignInMethod,
    account_key: &str,
    now: DateTime<Utc>,
) -> Result<Outcome, ApiError> {
    let recent = state
        .db
        .user_audit(&user.id, activity::SECURITY_KINDS, activity::MAX_EVENTS)?;
    let credentials_changed_at = activity::changed_since_last_sign_in(&recent);
    let (session, secret) = open_session(state, client, &user, method, account_key, now)?;
    let recovery_codes_left = state.db.recovery_codes(&user.id)?.len();
    Ok(Outcome::Opened(Box::new(Opened {
        user,
        session,
        secret,
        recovery_codes_left,
        credentials_changed_at,
    })))
}

/// A sign-in refused ([`record_refusal`]) under `keys` (the account's when known, and the
/// client's) as its outcome: `login_key` is the keyed hash the audit entry names, `user` the
/// account when known, `why` the refusal and the method tried when known before the
/// credentials are checked.
pub(crate) fn refuse(
    state: &AppState,
    client: &Client,
    keys: &[String],
    login_key: String,
    user: Option<&User>,
    why: (Refusal, Option<SignInMethod>),
) -> Result<Outcome, ApiError> {
    let (refusal, method) = why;
    let refused = Refused {
        login: login_key,
        counted: keys,
        user,
        reason: refusal.as_str(),
        method,
    };
    record_refusal(state, client, refused)?;
    Ok(Outcome::Refused)
}

/// The answer to a sign-in's `outcome`: the session's cookies and body, or the refusal.
pub(crate) fn answer(
    state: &AppState,
    client: &Client,
    outcome: Outcome,
) -> Result<Response, ApiError> {
    match outcome {
        Outcome::Opened(opened) => {
            let Opened {
                user,
                session,
                secret,
                recovery_codes_left,
                credentials_changed_at,
            } = *opened;
            let body = SignedIn {
                me: Me::of(user.actor()),
                session,
                csrf_token: csrf_token(&secret),
                recovery_codes_left,
                credentials_changed_at,
            };
            let mut response = Json(body).into_response();
            let secure = secure(client, state.public_origin.as_deref());
            for cookie in set_cookies(&secret, secure) {
                response.headers_mut().append(header::SET_COOKIE, cookie);
            }
            Ok(response)
        }
        Outcome::Refused => Err(ApiError::SignInFailed),
        Outcome::Wait(retry_after) => Err(ApiError::TooManyRequests { retry_after }),
    }
}

/// Refuses a sign-in sent from another site's page (login CSRF); programs without `Origin`
/// pass.
pub(crate) fn check_origin(
    state: &AppState,
    client: &Client,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if headers.contains_key(header::ORIGIN)
        && !same_origin(headers, client, state.public_origin.as_deref())
    {
        return Err(cross_site());
    }
    Ok(())
}

/// 403 `auth.csrf` for a request from another site's page.
fn cross_site() -> ApiError {
    ApiError::Forbidden {
        code: "auth.csrf",
        message: "this request must come from this server's pages".to_owned(),
    }
}

/// Sign in.
#[utoipa::path(post, path = "/session", tag = "session",
    description = "Signs a person in with their login, password and either the current code of their authenticator application (`code`) or one of their recovery codes (`recovery_code`, used once). Sets the session cookie (`__Host-siproc_session` over HTTPS, `siproc_session` over plain HTTP; `HttpOnly`, `SameSite=Strict`, `Secure` over HTTPS) and the readable CSRF cookie; writes with the session cookie must send its token as `X-CSRF-Token` and come from this server's origin. Any refusal is the same 401 `auth.signin_failed`; after two refusals for an account or a client, the next try waits (429 with `Retry-After`: 1 s, doubling, at most 300 s). No token needed.",
    request_body = SignIn,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = SignedIn,
            headers(("Set-Cookie" = String, description = "The session cookie (HttpOnly) and the CSRF cookie"))),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 401, description = "Refused: unknown login, wrong password or code, or no account to sign in to (`auth.signin_failed`)", body = ErrorBody),
        (status = 403, description = "Sent from another site's page (`auth.csrf`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `SignIn` (`http.wrong_shape`)", body = ErrorBody),
        (status = 429, description = "Too many refusals for this account or client: wait (`http.rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next try"))),
        (status = 500, description = "A fault of the server (`server.internal`)", body = ErrorBody),
    ),
    security(()))]
pub async fn sign_in(
    State(state): State<SharedState>,
    client: Client,
    headers: HeaderMap,
    JsonBody(ask): JsonBody<SignIn>,
) -> Result<Response, ApiError> {
    check_origin(&state, &client, &headers)?;
    let outcome = blocking(&state, move |s| attempt(s, &client, &ask)).await?;
    answer(&state, &client, outcome)
}

/// No content, with the session's cookies removed.
fn signed_out(state: &AppState, client: &Client) -> Response {
    let mut response = StatusCode::NO_CONTENT.into_response();
    for cookie in clear_cookies(secure(client, state.public_origin.as_deref())) {
        response.headers_mut().append(header::SET_COOKIE, cookie);
    }
    response
}

/// Sign out.
#[utoipa::path(delete, path = "/session", tag = "session",
    description = "Ends the session this request came with (its cookie): it stops at once in every server process. The cookies are removed. A request with an API token has no session to end (400 `auth.no_session`).",
    responses(
        (status = 204, description = "Signed out; the cookies are removed"),
        (status = 400, description = "The request came with an API token, not a session (`auth.no_session`)", body = ErrorBody),
        (status = 403, description = "Not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn sign_out(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    let Credential::Session { session, hash } = caller.credential else {
        return Err(ApiError::BadRequest {
            code: "auth.no_session",
            message: "this request came with an API token: there is no session to end".to_owned(),
        });
    };
    let user = caller.user;
    blocking(&state, move |s| {
        let ended = u64::from(s.db.end_session(&hash, Utc::now())?);
        let event = AuditEvent::SignedOut {
            session_id: Some(session.id),
            ended,
        };
        Ok(s.audit_for(Some(&user), &client, event)?)
    })
    .await?;
    Ok(signed_out(&state, &client))
}

/// The caller's open sessions.
#[utoipa::path(get, path = "/sessions", tag = "session",
    description = "The caller's sessions still open (not signed out, idle or expired), newest first: how and when each was signed in and last used, never a secret; `current` names the one this request came with.",
    responses(
        (status = 200, description = "The sessions", body = SessionList),
    ),
    security(("bearer" = [])))]
pub async fn list_sessions(
    State(state): State<SharedState>,
    caller: Authenticated,
) -> Result<Json<SessionList>, ApiError> {
    let current = match &caller.credential {
        Credential::Session { session, .. } => Some(session.id.clone()),
        Credential::Token(_) => None,
    };
    let user = caller.user;
    blocking(&state, move |s| {
        let sessions = s.db.open_sessions(&user, &s.sessions, Utc::now())?;
        Ok(Json(SessionList { sessions, current }))
    })
    .await
}

/// Sign out everywhere.
#[utoipa::path(delete, path = "/sessions", tag = "session",
    description = "Ends every open session of the caller, in every browser and server process (the API tokens stay: revoke them under `/tokens`). The cookies of this request are removed.",
    responses(
        (status = 204, description = "Every session ended"),
        (status = 403, description = "Not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn sign_out_everywhere(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
) -> Result<Response, ApiError> {
    let user = caller.user;
    blocking(&state, move |s| {
        let ended = s.db.end_sessions_of(&user.id, Utc::now())?;
        let event = AuditEvent::SignedOut {
            session_id: None,
            ended,
        };
        Ok(s.audit_for(Some(&user), &client, event)?)
    })
    .await?;
    Ok(signed_out(&state, &client))
}

/// End one of the caller's sessions.
#[utoipa::path(delete, path = "/sessions/{id}", tag = "session",
    description = "Ends one of the caller's open sessions by its public id (a browser left signed in elsewhere): it stops at once in every server process. Another user's session is 404, as one that does not exist or is no longer open.",
    params(("id" = String, Path, description = "The session's public id (`GET /sessions`)")),
    responses(
        (status = 204, description = "Ended"),
        (status = 403, description = "Not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 404, description = "No such open session of the caller's (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn end_session(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = caller.user;
    blocking(&state, move |s| {
        let now = Utc::now();
        let open = s.db.open_sessions(&user, &s.sessions, now)?;
        if !open.iter().any(|session| session.id == id) || !s.db.end_session_by_id(&id, now)? {
            return Err(ApiError::NotFound);
        }
        let event = AuditEvent::SignedOut {
            session_id: Some(id),
            ended: 1,
        };
        Ok(s.audit_for(Some(&user), &client, event)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}
