//! A signed-in person's own credentials, changed behind a re-authentication (ASVS 3.7.1):
//! `POST /session/reauth` (the password with a current code or a recovery code, or a passkey
//! assertion), then `PUT /account/password`, `POST /account/second-factor/offer` and
//! `PUT /account/second-factor`, `POST /account/recovery-codes`; `GET /account/activity` (the
//! person's own security events, ASVS 2.2.3) and `POST /password/check` (the core's verdict on
//! a password being typed, ASVS 2.1.8). The rules are the core's
//! ([`siproc_core::accounts::sessions::check_reauthenticated`],
//! [`siproc_core::accounts::password`], [`siproc_core::accounts::totp`],
//! [`siproc_core::accounts::recovery`], [`siproc_core::accounts::activity`]).
//!
//! - **Re-authentication** marks the session (its row, so every server process sees it) as
//!   allowed to change credentials for five minutes. The changes answer 403
//!   `accounts.reauth_required` without a live mark, and 403 `auth.session_required` for an API
//!   token (a token has no session: a program's stolen token changes no credential). A refused
//!   re-authentication is 403 `auth.reauth_failed` (not 401, which would end the session in the
//!   browser) and counts, for the account and the client, in the sign-in's backoff (429 with
//!   `Retry-After`). A passkey re-authentication begins as a passkey sign-in does
//!   (`POST /session/passkey/options`) and must name one of the session user's own passkeys.
//! - **A new password** is checked by [`password::check_password`]; **a new second factor** is
//!   offered as an enrolment's is (base32, `otpauth://` link, QR code), its secret derived from
//!   the session's cookie and the offer's id ([`totp::change_secret`]), so nothing pending is
//!   stored, and replaces the old one only once a code of the new secret confirms it (sealed as
//!   enrolment seals it). Either change ends the user's other sessions; this one stays.
//!   **New recovery codes** replace the old ones (only hashes kept) and are shown once.
//! - **The password check** stores and logs nothing (its body has no `Debug` of its values); it
//!   needs no session (the enrolment page has none) and is limited per client
//!   ([`CHECKS_PER_MINUTE`]).
//! - Every re-authentication, refusal and change goes to the audit log, never a secret.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post, put};
use axum::{Extension, Json};
use chrono::{DateTime, Utc};
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use serde::{Deserialize, Serialize};
use siproc_core::accounts::password::PasswordVerdict;
use siproc_core::accounts::sessions::{self, Session, SignInMethod};
use siproc_core::accounts::{AccountError, User, activity, password, recovery, totp};
use siproc_core::audit::AuditEvent;
use siproc_core::store::StoreError;

use crate::auth::Authenticated;
use crate::client::Client;
use crate::error::{ApiError, ErrorBody};
use crate::json::JsonBody;
use crate::routes::admin::AuditLog;
use crate::routes::enrolment::{ISSUER, qr_svg};
use crate::routes::passkeys::{
    Assertion, PasskeySignIn, claimed_passkey, relying_party, verify_assertion,
};
use crate::routes::session::{Refusal, SignIn, check, count_failures, failure_keys, waiting};
use crate::routes::shared::blocking;
use crate::schema;
use crate::state::{AppState, SharedState};

/// Password checks one client may make in a minute.
pub const CHECKS_PER_MINUTE: u32 = 60;

/// The self-service routes.
pub fn router() -> axum::Router<SharedState> {
    let quota = Quota::per_minute(NonZeroU32::new(CHECKS_PER_MINUTE).unwrap_or(NonZeroU32::MIN));
    let checks: Arc<DefaultKeyedRateLimiter<IpAddr>> = Arc::new(RateLimiter::keyed(quota));
    axum::Router::new()
        .route("/session/reauth", post(reauthenticate))
        .route("/account/password", put(change_password))
        .route("/account/second-factor/offer", post(offer_second_factor))
        .route("/account/second-factor", put(change_second_factor))
        .route("/account/recovery-codes", post(renew_recovery_codes))
        .route("/account/activity", get(account_activity))
        .route("/password/check", post(check_password))
        .layer(Extension(checks))
}

/// What re-authenticates a session: the password with `code` or `recovery_code`, or a passkey
/// sign-in ceremony's `ceremony` and `credential`.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Reauthenticate {
    /// The password.
    #[serde(default)]
    pub password: Option<String>,
    /// The six digits the authenticator application shows now.
    #[serde(default)]
    pub code: Option<String>,
    /// One of the recovery codes, used once, instead of `code`.
    #[serde(default)]
    pub recovery_code: Option<String>,
    /// The id `POST /session/passkey/options` answered.
    #[serde(default)]
    pub ceremony: Option<String>,
    /// The browser's `PublicKeyCredential` as JSON (`credential.toJSON()`).
    #[serde(default)]
    #[schema(value_type = Option<Object>)]
    pub credential: Option<serde_json::Value>,
}

impl std::fmt::Debug for Reauthenticate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Reauthenticate { .. }")
    }
}

/// A session re-authenticated.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Reauthenticated {
    /// Until when it may change credentials.
    pub reauthenticated_until: DateTime<Utc>,
}

/// A new password.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPassword {
    /// The new password (12 to 128 characters, not the login, not a common password).
    pub password: String,
}

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword { .. }")
    }
}

/// A new second factor offered: what the authenticator application reads.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SecondFactorOffer {
    /// The offer's id: send it back with a code to confirm.
    pub offer: String,
    /// The new secret in base32, to type into an authenticator application.
    pub totp_secret: String,
    /// The `otpauth://` link to show as a QR code.
    pub otpauth_uri: String,
    /// That link as a QR code: an SVG image.
    pub otpauth_qr_svg: String,
}

/// What confirms a new second factor.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmSecondFactor {
    /// The id `POST /account/second-factor/offer` answered.
    pub offer: String,
    /// The code the authenticator application shows now for the new secret.
    pub code: String,
}

impl std::fmt::Debug for ConfirmSecondFactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ConfirmSecondFactor { .. }")
    }
}

/// New recovery codes, shown this once. (Not named `RecoveryCodes`: a generated Python client
/// names a model's local variable after it, which its field `recovery_codes` would shadow.)
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RenewedRecoveryCodes {
    /// Ten single-use codes; the earlier ones no longer work. Only their hashes are kept.
    pub recovery_codes: Vec<String>,
}

/// A password to check as it is typed.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordCheck {
    /// The password.
    pub password: String,
    /// The login it is for (a password may not be it).
    #[serde(default)]
    pub login: Option<String>,
}

impl std::fmt::Debug for PasswordCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasswordCheck { .. }")
    }
}

/// 403 `auth.reauth_failed`.
fn reauth_failed() -> ApiError {
    ApiError::Forbidden {
        code: "auth.reauth_failed",
        message: "the password, code or passkey is not right".to_owned(),
    }
}

/// The session's secret from its cookie (the request was authenticated by it).
fn cookie_secret(headers: &HeaderMap) -> Result<String, ApiError> {
    crate::session::secret(headers).ok_or(ApiError::Unauthorized)
}

/// 422 `accounts.no_password` unless `user` has a password and second factor.
fn password_account(state: &AppState, user: &User) -> Result<(), ApiError> {
    match state.db.password_credentials(&user.id)? {
        Some(_) => Ok(()),
        None => Err(AccountError::NoPassword.into()),
    }
}

/// The method `ask` proves `user` with, or why not.
fn prove(
    state: &AppState,
    user: &User,
    ask: Reauthenticate,
    now: DateTime<Utc>,
) -> Result<Result<SignInMethod, Refusal>, ApiError> {
    match ask {
        Reauthenticate {
            password: Some(password),
            code,
            recovery_code,
            ceremony: None,
            credential: None,
        } => {
            let sign_in = SignIn {
                login: user.id.clone(),
                password,
                code,
                recovery_code,
            };
            Ok(check(state, &user.id, &sign_in, now)?
                .map(|(_, method)| method)
                .map_err(|(_, refusal)| refusal))
        }
        Reauthenticate {
            password: None,
            code: None,
            recovery_code: None,
            ceremony: Some(ceremony),
            credential: Some(credential),
        } => {
            let rp = relying_party(state)?;
            let ask = PasskeySignIn {
                ceremony,
                credential,
            };
            let (kept, stored, owner) = match claimed_passkey(state, rp, &ask, now)? {
                Ok(found) => found,
                Err(refusal) => return Ok(Err(refusal)),
            };
            if owner.id != user.id {
                return Ok(Err(Refusal::UnknownPasskey));
            }
            let assertion = Assertion {
                kept: &kept,
                credential: &ask.credential,
                stored: &stored,
            };
            Ok(match verify_assertion(state, rp, assertion, true, now)? {
                Some(refusal) => Err(refusal),
                None => Ok(SignInMethod::Passkey),
            })
        }
        _ => Err(ApiError::Unprocessable {
            code: "http.wrong_shape",
            message: "send a password with a code or a recovery code, or a passkey's ceremony and credential"
                .to_owned(),
            issues: None,
        }),
    }
}

/// Re-authenticates `session` (its secret's hash `hash`) of `user` with `ask`.
fn reauth(
    state: &AppState,
    client: &Client,
    user: &User,
    session: (&Session, &str),
    ask: Reauthenticate,
) -> Result<DateTime<Utc>, ApiError> {
    let (session, hash) = session;
    let now = Utc::now();
    let keys = failure_keys(state, &user.id, client);
    if let Some(retry_after) = waiting(state, &keys, now)? {
        return Err(ApiError::TooManyRequests { retry_after });
    }
    let [account, _] = &keys;
    match prove(state, user, ask, now)? {
        Ok(method) => {
            state.db.clear_signin_failures(account)?;
            let until = sessions::reauthenticated_until(now);
            if !state.db.mark_reauthenticated(hash, until)? {
                return Err(ApiError::Unauthorized);
            }
            let event = AuditEvent::Reauthenticated {
                method,
                session_id: session.id.clone(),
            };
            state.audit_for(Some(user), client, event)?;
            Ok(until)
        }
        Err(refusal) => {
            count_failures(state, &keys)?;
            let event = AuditEvent::ReauthFailed {
                reason: refusal.as_str().to_owned(),
                session_id: session.id.clone(),
            };
            state.audit_for(Some(user), client, event)?;
            Err(reauth_failed())
        }
    }
}

/// Re-authenticate.
#[utoipa::path(post, path = "/session/reauth", tag = "session",
    description = "Proves again, in a signed-in browser, that the person is the session's user, before a credential changes (ASVS 3.7.1): their password with the current code of their authenticator application (`code`) or a recovery code (`recovery_code`, used once), or a passkey (`ceremony` and `credential`, from a ceremony begun with `POST /session/passkey/options`; one of the user's own passkeys). The session may then change credentials for five minutes. A refusal is 403 `auth.reauth_failed` and counts in the sign-in's backoff (429 with `Retry-After`). Needs a session, not an API token.",
    request_body = Reauthenticate,
    responses(
        (status = 200, description = "Re-authenticated", body = Reauthenticated),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "Refused (`auth.reauth_failed`); with an API token (`auth.session_required`); not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 409, description = "A passkey, but this server's origin offers none (`passkeys.unavailable`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Neither a password with a code nor a passkey (`http.wrong_shape`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn reauthenticate(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    JsonBody(ask): JsonBody<Reauthenticate>,
) -> Result<Json<Reauthenticated>, ApiError> {
    let (session, hash) = caller.session()?;
    let (session, hash) = (session.clone(), hash.to_owned());
    let user = caller.user;
    let until = blocking(&state, move |s| {
        reauth(s, &client, &user, (&session, &hash), ask)
    })
    .await?;
    Ok(Json(Reauthenticated {
        reauthenticated_until: until,
    }))
}

/// Ends `user`'s sessions but `keep` (a hash) at `now`: how many.
fn end_others(
    state: &AppState,
    user: &User,
    keep: &str,
    now: DateTime<Utc>,
) -> Result<u64, ApiError> {
    Ok(state.db.end_other_sessions(&user.id, keep, now)?)
}

/// Change one's password.
#[utoipa::path(put, path = "/account/password", tag = "session",
    description = "Replaces the caller's password (ASVS 2.1.5, 2.1.6): the session must have re-authenticated in the last five minutes (`POST /session/reauth`: the current password with a code, or a passkey). The new password is checked as at enrolment. The caller's other sessions end; this one stays. Needs a session, not an API token.",
    request_body = NewPassword,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "No recent re-authentication (`accounts.reauth_required`); with an API token (`auth.session_required`); not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `NewPassword` (`http.wrong_shape`); a password refused (`accounts.password_too_short`, `accounts.password_too_long`, `accounts.password_common`, `accounts.password_is_login`); an account without a password (`accounts.no_password`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn change_password(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    JsonBody(ask): JsonBody<NewPassword>,
) -> Result<StatusCode, ApiError> {
    let (_, hash) = caller.reauthenticated(Utc::now())?;
    let hash = hash.to_owned();
    let user = caller.user;
    password::check_password(&ask.password, &user.id)?;
    blocking(&state, move |s| {
        let now = Utc::now();
        password_account(s, &user)?;
        s.db.set_password_hash(&user.id, &password::hash_password(&ask.password), now)?;
        let sessions_ended = end_others(s, &user, &hash, now)?;
        let event = AuditEvent::PasswordChanged { sessions_ended };
        Ok(s.audit_for(Some(&user), &client, event)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Offer a new second factor.
#[utoipa::path(post, path = "/account/second-factor/offer", tag = "session",
    description = "Offers the caller a new second-factor secret (base32, `otpauth://` link and QR code, as enrolment does). Nothing changes until `PUT /account/second-factor` confirms it with a code of the new secret; nothing pending is stored (the secret is derived from the session's cookie and the offer's id). Needs a session that re-authenticated in the last five minutes, not an API token.",
    responses(
        (status = 200, description = "The offer", body = SecondFactorOffer),
        (status = 403, description = "No recent re-authentication (`accounts.reauth_required`); with an API token (`auth.session_required`); not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 422, description = "An account without a password and second factor (`accounts.no_password`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn offer_second_factor(
    State(state): State<SharedState>,
    caller: Authenticated,
    headers: HeaderMap,
) -> Result<Json<SecondFactorOffer>, ApiError> {
    caller.reauthenticated(Utc::now())?;
    let cookie = cookie_secret(&headers)?;
    let user = caller.user;
    blocking(&state, move |s| {
        password_account(s, &user)?;
        let offer = crate::session::new_secret().map_err(ApiError::internal)?;
        let secret = totp::change_secret(&cookie, &offer);
        let uri = totp::otpauth_uri(&secret, ISSUER, &user.id);
        Ok(Json(SecondFactorOffer {
            offer,
            totp_secret: totp::secret_base32(&secret),
            otpauth_qr_svg: qr_svg(&uri)?,
            otpauth_uri: uri,
        }))
    })
    .await
}

/// Replace one's second factor.
#[utoipa::path(put, path = "/account/second-factor", tag = "session",
    description = "Replaces the caller's second factor with the secret `POST /account/second-factor/offer` offered, once `code` (the authenticator application's current code for the new secret) proves the application has it. The old secret stops working; the caller's other sessions end, this one stays. Needs a session that re-authenticated in the last five minutes, not an API token.",
    request_body = ConfirmSecondFactor,
    responses(
        (status = 204, description = "Replaced"),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "No recent re-authentication (`accounts.reauth_required`); with an API token (`auth.session_required`); not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `ConfirmSecondFactor` (`http.wrong_shape`); a code that does not match the offered secret (`accounts.wrong_code`); an account without a password (`accounts.no_password`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn change_second_factor(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    headers: HeaderMap,
    JsonBody(ask): JsonBody<ConfirmSecondFactor>,
) -> Result<StatusCode, ApiError> {
    let (_, hash) = caller.reauthenticated(Utc::now())?;
    let hash = hash.to_owned();
    let cookie = cookie_secret(&headers)?;
    let user = caller.user;
    blocking(&state, move |s| {
        let now = Utc::now();
        let secret = totp::change_secret(&cookie, &ask.offer);
        let unix = u64::try_from(now.timestamp()).unwrap_or(0);
        let step = totp::verify_code(&secret, &ask.code, unix, None)
            .ok_or_else(crate::routes::enrolment::wrong_code)?;
        match s.db.set_second_factor(&user.id, &secret, step, now) {
            Err(StoreError::NotFound) => return Err(AccountError::NoPassword.into()),
            other => other?,
        }
        let sessions_ended = end_others(s, &user, &hash, now)?;
        let event = AuditEvent::SecondFactorChanged { sessions_ended };
        Ok(s.audit_for(Some(&user), &client, event)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// New recovery codes.
#[utoipa::path(post, path = "/account/recovery-codes", tag = "session",
    description = "Replaces the caller's recovery codes with ten new ones, shown this once (only their hashes are kept); the earlier codes stop working. Needs a session that re-authenticated in the last five minutes, not an API token.",
    responses(
        (status = 201, description = "The new codes", body = RenewedRecoveryCodes),
        (status = 403, description = "No recent re-authentication (`accounts.reauth_required`); with an API token (`auth.session_required`); not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 422, description = "An account without a password and second factor (`accounts.no_password`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn renew_recovery_codes(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
) -> Result<(StatusCode, Json<RenewedRecoveryCodes>), ApiError> {
    caller.reauthenticated(Utc::now())?;
    let user = caller.user;
    let codes = blocking(&state, move |s| {
        password_account(s, &user)?;
        let (codes, hashes) = recovery::new_codes();
        s.db.replace_recovery_codes(&user.id, &hashes)?;
        s.audit_for(Some(&user), &client, AuditEvent::RecoveryCodesRenewed)?;
        Ok(codes)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(RenewedRecoveryCodes {
            recovery_codes: codes,
        }),
    ))
}

/// One's own security events.
#[utoipa::path(get, path = "/account/activity", tag = "session",
    description = "The caller's own recent security events, newest first, at most 50 (ASVS 2.2.3): sign-ins and refused sign-ins, re-authentications, sign-outs, enrolment, password, second-factor and recovery-code changes, passkeys and API tokens added or removed. From the audit log: when, how, the client as a keyed hash; never a secret.",
    responses(
        (status = 200, description = "The events", body = AuditLog),
    ),
    security(("bearer" = [])))]
pub async fn account_activity(
    State(state): State<SharedState>,
    caller: Authenticated,
) -> Result<Json<AuditLog>, ApiError> {
    let user = caller.user;
    blocking(&state, move |s| {
        let items =
            s.db.user_audit(&user.id, activity::SECURITY_KINDS, activity::MAX_EVENTS)?;
        Ok(Json(AuditLog { items }))
    })
    .await
}

/// Check a password as it is typed.
#[utoipa::path(post, path = "/password/check", tag = "session",
    description = "The core's verdict on a password being chosen (ASVS 2.1.8), for the enrolment and change-password forms' strength meter: whether it would be accepted (length, the shipped list of common passwords, not the login), the refusal's code, and an estimated strength from 0 to 4. Nothing is stored or logged. At most 60 checks a minute per client (429 with `Retry-After`). No token needed.",
    request_body = PasswordCheck,
    responses(
        (status = 200, description = "The verdict", body = schema::PasswordVerdict),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `PasswordCheck` (`http.wrong_shape`)", body = ErrorBody),
        (status = 429, description = "Too many checks from this client (`http.rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next try"))),
        (status = 500, description = "A fault of the server (`server.internal`)", body = ErrorBody),
    ),
    security(()))]
pub async fn check_password(
    Extension(checks): Extension<Arc<DefaultKeyedRateLimiter<IpAddr>>>,
    client: Client,
    JsonBody(ask): JsonBody<PasswordCheck>,
) -> Result<Json<PasswordVerdict>, ApiError> {
    if let Err(not_until) = checks.check_key(&client.ip) {
        let wait = not_until.wait_time_from(DefaultClock::default().now());
        return Err(ApiError::TooManyRequests {
            retry_after: wait.as_secs().max(1),
        });
    }
    if checks.len() > 10_000 {
        checks.retain_recent();
    }
    let login = ask.login.as_deref().unwrap_or("");
    Ok(Json(password::verdict(&ask.password, login)))
}
