//! Passkeys (WebAuthn): adding and removing them from the account page
//! (`POST /passkeys/options`, `POST /passkeys`, `GET /passkeys`, `DELETE /passkeys/{id}`) and
//! signing in with one (`POST /session/passkey/options`, `POST /session/passkey`). The
//! ceremonies and rules are the core's ([`siproc_core::accounts::passkeys`], over
//! `webauthn-rs`); this module carries JSON between the browser and the core.
//!
//! - Each ceremony begins with `…/options`: the server makes the challenge, keeps its state in
//!   the database under the SHA-256 of a random ceremony id (bounded per client and in all,
//!   expiring after five minutes) and answers the options for `navigator.credentials` with the
//!   id. The finishing request sends the id back with the browser's response; the state is
//!   taken once, so a replayed response finds nothing. Nothing the client sends is trusted
//!   beyond what `webauthn-rs` verifies (challenge, origin, relying party, signature, user
//!   verification, counter).
//! - Passkeys are managed from a signed-in browser (a session cookie, with its CSRF token):
//!   an API token is refused (403 `auth.session_required`), so a program's stolen token cannot
//!   plant a credential in a person's account.
//! - A passkey sign-in follows the password sign-in's rules ([`crate::routes::session`]): any
//!   refusal (unknown, used or expired ceremony; unknown credential; a response that does not
//!   verify; a disabled user) is the same 401 `auth.signin_failed`, counted for the client
//!   and, once the passkey's user is known, for the account, with the same backoff (429 with
//!   `Retry-After`); sign-ins, refusals, additions and removals go to the audit log, never a
//!   key, a challenge or a ceremony id.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::routing::{delete, get, post};
use chrono::{TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use siproc_core::accounts::User;
use siproc_core::accounts::passkeys::{
    CEREMONY_SECONDS, CeremonyKind, PasskeyError, PasskeyInfo, RelyingParty, StoredPasskey,
    checked_name, new_user_handle,
};
use siproc_core::accounts::sessions::SignInMethod;
use siproc_core::audit::AuditEvent;
use siproc_core::store::Ceremony;

use crate::auth::Authenticated;
use crate::client::Client;
use crate::db::token_hash;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::JsonBody;
use crate::routes::session::{
    Outcome, Refusal, answer, check_origin, client_key, failure_keys, refuse, signed_in, waiting,
};
use crate::routes::shared::blocking;
use crate::schema;
use crate::session::new_secret;
use crate::state::{AppState, SharedState};

/// The passkeys' routes.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/passkeys", get(list_passkeys).post(add_passkey))
        .route("/passkeys/options", post(registration_options))
        .route("/passkeys/{id}", delete(remove_passkey))
        .route("/session/passkey/options", post(sign_in_options))
        .route("/session/passkey", post(sign_in_with_passkey))
}

/// A ceremony begun: its id (sent back when finishing) and the options to pass to
/// `navigator.credentials.create` or `.get` (`publicKey`, binary values in base64url).
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CeremonyOptions {
    /// The ceremony's id: send it back with the browser's response. Used once.
    pub ceremony: String,
    /// The WebAuthn options (`PublicKeyCredentialCreationOptionsJSON` or
    /// `PublicKeyCredentialRequestOptionsJSON` under `publicKey`).
    #[schema(value_type = Object)]
    pub options: serde_json::Value,
}

/// What adds a passkey: the ceremony, a name, and the browser's new credential.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPasskey {
    /// The id `POST /passkeys/options` answered.
    pub ceremony: String,
    /// A name for the passkey ("work laptop"), 1 to 60 characters.
    pub name: String,
    /// The browser's `PublicKeyCredential` as JSON (`credential.toJSON()`).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

impl std::fmt::Debug for NewPasskey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPasskey { .. }")
    }
}

/// What signs in with a passkey: the ceremony and the browser's assertion.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasskeySignIn {
    /// The id `POST /session/passkey/options` answered.
    pub ceremony: String,
    /// The browser's `PublicKeyCredential` as JSON (`credential.toJSON()`).
    #[schema(value_type = Object)]
    pub credential: serde_json::Value,
}

impl std::fmt::Debug for PasskeySignIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PasskeySignIn { .. }")
    }
}

/// The relying party, or 409 `passkeys.unavailable`.
pub(crate) fn relying_party(state: &AppState) -> Result<&RelyingParty, ApiError> {
    state
        .passkeys
        .as_ref()
        .ok_or_else(|| PasskeyError::Unavailable.into())
}

/// 403 `auth.session_required` for a request with an API token.
fn session_only(caller: &Authenticated) -> Result<(), ApiError> {
    caller.session().map(drop)
}

/// Keeps a new ceremony of `kind` (for `user_id`) holding `ceremony_state`: answers its id.
fn begin(
    state: &AppState,
    client: &Client,
    kind: CeremonyKind,
    user_id: Option<String>,
    ceremony_state: String,
) -> Result<String, ApiError> {
    let now = Utc::now();
    let id = new_secret().map_err(ApiError::internal)?;
    let ceremony = Ceremony {
        hash: token_hash(&id),
        kind,
        user_id,
        client: client_key(state, client),
        state: ceremony_state,
        expires_at: now + TimeDelta::seconds(i64::from(CEREMONY_SECONDS)),
    };
    if !state.db.begin_ceremony(&ceremony, now)? {
        return Err(PasskeyError::Busy.into());
    }
    Ok(id)
}

/// Begin adding a passkey.
#[utoipa::path(post, path = "/passkeys/options", tag = "session",
    description = "Begins adding a passkey to the signed-in caller: answers the options for `navigator.credentials.create` (a discoverable credential with user verification, for this server's relying party) and the ceremony's id, which `POST /passkeys` sends back within five minutes. An earlier unfinished addition of the caller's ends. Needs a session (a browser signed in), not an API token.",
    responses(
        (status = 200, description = "The ceremony", body = CeremonyOptions),
        (status = 403, description = "With an API token (`auth.session_required`); not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 409, description = "This server's origin offers no passkeys: an IP address, or plain HTTP elsewhere than localhost (`passkeys.unavailable`)", body = ErrorBody),
        (status = 422, description = "The caller has as many passkeys as allowed (`passkeys.too_many`)", body = ErrorBody),
        (status = 429, description = "Too many ceremonies open (`http.rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next try"))),
    ),
    security(("bearer" = [])))]
pub async fn registration_options(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
) -> Result<Json<CeremonyOptions>, ApiError> {
    session_only(&caller)?;
    let user = caller.user;
    blocking(&state, move |s| {
        let rp = relying_party(s)?;
        let handle = match s.db.passkey_user_handle(&user.id)? {
            Some(handle) => handle,
            None => new_user_handle(),
        };
        let existing = s.db.passkeys_of(&user.id)?;
        let (options, kept) = rp.start_registration(&user, &handle, &existing)?;
        let ceremony = begin(s, &client, CeremonyKind::Registration, Some(user.id), kept)?;
        Ok(Json(CeremonyOptions { ceremony, options }))
    })
    .await
}

/// Add a passkey.
#[utoipa::path(post, path = "/passkeys", tag = "session",
    description = "Finishes adding a passkey: `credential` is what `navigator.credentials.create` answered for the options of `POST /passkeys/options` (as `toJSON()` gives it), checked against the kept ceremony (challenge, origin, relying party, user verification). The ceremony is used once. Needs a session, not an API token.",
    request_body = NewPasskey,
    responses(
        (status = 201, description = "Added", body = schema::PasskeyInfo),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "With an API token (`auth.session_required`); not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 404, description = "The ceremony is unknown, used, expired or another user's (`passkeys.ceremony_unknown`)", body = ErrorBody),
        (status = 409, description = "The credential is registered already (`passkeys.already_registered`), or this origin offers no passkeys (`passkeys.unavailable`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `NewPasskey` (`http.wrong_shape`); a bad name (`passkeys.bad_name`); a response that does not verify (`passkeys.rejected`); too many passkeys (`passkeys.too_many`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn add_passkey(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    JsonBody(ask): JsonBody<NewPasskey>,
) -> Result<(StatusCode, Json<PasskeyInfo>), ApiError> {
    session_only(&caller)?;
    let name = checked_name(&ask.name)?;
    let user = caller.user;
    let info = blocking(&state, move |s| {
        let rp = relying_party(s)?;
        let now = Utc::now();
        let kept =
            s.db.take_ceremony(
                &token_hash(&ask.ceremony),
                CeremonyKind::Registration,
                Some(&user.id),
                now,
            )?
            .ok_or(PasskeyError::CeremonyUnknown)?;
        let credential = rp.finish_registration(&kept, &ask.credential)?;
        let stored = StoredPasskey {
            info: PasskeyInfo {
                id: uuid::Uuid::now_v7().simple().to_string(),
                name,
                created_at: now,
                last_used_at: None,
            },
            user_id: user.id.clone(),
            credential_id: credential.credential_id,
            credential: credential.credential,
        };
        if !s.db.add_passkey(&stored, &credential.user_handle)? {
            return Err(PasskeyError::AlreadyRegistered.into());
        }
        let event = AuditEvent::PasskeyAdded {
            passkey_id: stored.info.id.clone(),
        };
        s.audit_for(Some(&user), &client, event)?;
        Ok(stored.info)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(info)))
}

/// The caller's passkeys.
#[utoipa::path(get, path = "/passkeys", tag = "session",
    description = "The caller's passkeys, oldest first: name, when added and last used. Never a key. Needs a session, not an API token.",
    responses(
        (status = 200, description = "The passkeys", body = Vec<schema::PasskeyInfo>),
        (status = 403, description = "With an API token (`auth.session_required`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn list_passkeys(
    State(state): State<SharedState>,
    caller: Authenticated,
) -> Result<Json<Vec<PasskeyInfo>>, ApiError> {
    session_only(&caller)?;
    let user = caller.user;
    blocking(&state, move |s| {
        let passkeys = s.db.passkeys_of(&user.id)?;
        Ok(Json(passkeys.into_iter().map(|p| p.info).collect()))
    })
    .await
}

/// Remove one of the caller's passkeys.
#[utoipa::path(delete, path = "/passkeys/{id}", tag = "session",
    description = "Removes one of the caller's passkeys: it signs in no more, in every server process (the authenticator may still offer it; the server refuses it). Another user's passkey is 404, as one that does not exist. Needs a session, not an API token.",
    params(("id" = String, Path, description = "The passkey's id (`GET /passkeys`)")),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "With an API token (`auth.session_required`); not from this server's pages, or without the CSRF token (`auth.csrf`)", body = ErrorBody),
        (status = 404, description = "No such passkey of the caller's (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn remove_passkey(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    session_only(&caller)?;
    let user = caller.user;
    blocking(&state, move |s| {
        if !s.db.remove_passkey(&user.id, &id)? {
            return Err(ApiError::NotFound);
        }
        let event = AuditEvent::PasskeyRemoved { passkey_id: id };
        Ok(s.audit_for(Some(&user), &client, event)?)
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Begin a passkey sign-in.
#[utoipa::path(post, path = "/session/passkey/options", tag = "session",
    description = "Begins signing in with a passkey, without a login: answers the options for `navigator.credentials.get` (no credential listed: the authenticator offers the person their passkeys for this site) and the ceremony's id, which `POST /session/passkey` sends back within five minutes. No token needed.",
    responses(
        (status = 200, description = "The ceremony", body = CeremonyOptions),
        (status = 403, description = "Sent from another site's page (`auth.csrf`)", body = ErrorBody),
        (status = 409, description = "This server's origin offers no passkeys (`passkeys.unavailable`)", body = ErrorBody),
        (status = 429, description = "Too many ceremonies open for this client or in all (`http.rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next try"))),
    ),
    security(()))]
pub async fn sign_in_options(
    State(state): State<SharedState>,
    client: Client,
    headers: HeaderMap,
) -> Result<Json<CeremonyOptions>, ApiError> {
    check_origin(&state, &client, &headers)?;
    blocking(&state, move |s| {
        let (options, kept) = relying_party(s)?.start_sign_in()?;
        let ceremony = begin(s, &client, CeremonyKind::SignIn, None, kept)?;
        Ok(Json(CeremonyOptions { ceremony, options }))
    })
    .await
}

/// Sign in with a passkey.
#[utoipa::path(post, path = "/session/passkey", tag = "session",
    description = "Signs a person in with a passkey: `credential` is what `navigator.credentials.get` answered for the options of `POST /session/passkey/options`, checked against the kept ceremony and the stored passkey (signature, challenge, origin, user verification, counter). Sets the session's cookies as `POST /session` does. Any refusal (unknown, used or expired ceremony, unknown passkey, a response that does not verify, a disabled user) is the same 401 `auth.signin_failed`, with the password sign-in's backoff (429 with `Retry-After`). No token needed.",
    request_body = PasskeySignIn,
    responses(
        (status = 200, description = "Signed in; the session cookie is set", body = crate::routes::session::SignedIn,
            headers(("Set-Cookie" = String, description = "The session cookie (HttpOnly) and the CSRF cookie"))),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 401, description = "Refused (`auth.signin_failed`)", body = ErrorBody),
        (status = 403, description = "Sent from another site's page (`auth.csrf`)", body = ErrorBody),
        (status = 409, description = "This server's origin offers no passkeys (`passkeys.unavailable`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `PasskeySignIn` (`http.wrong_shape`)", body = ErrorBody),
        (status = 429, description = "Too many refusals for this account or client: wait (`http.rate_limited`)", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next try"))),
        (status = 500, description = "A fault of the server (`server.internal`)", body = ErrorBody),
    ),
    security(()))]
pub async fn sign_in_with_passkey(
    State(state): State<SharedState>,
    client: Client,
    headers: HeaderMap,
    JsonBody(ask): JsonBody<PasskeySignIn>,
) -> Result<Response, ApiError> {
    check_origin(&state, &client, &headers)?;
    let outcome = blocking(&state, move |s| attempt(s, &client, &ask)).await?;
    answer(&state, &client, outcome)
}

/// Checks a passkey sign-in: the client's backoff first, then the ceremony (taken once), the
/// passkey it names, its user's backoff, the response, the user's state.
fn attempt(state: &AppState, client: &Client, ask: &PasskeySignIn) -> Result<Outcome, ApiError> {
    let rp = relying_party(state)?;
    let now = Utc::now();
    let client_only = [client_key(state, client)];
    if let Some(seconds) = waiting(state, &client_only, now)? {
        return Ok(Outcome::Wait(seconds));
    }
    let [client_failures] = &client_only;
    let (kept, stored, user) = match claimed_passkey(state, rp, ask, now)? {
        Ok(found) => found,
        Err(refusal) => {
            return refuse(
                state,
                client,
                &client_only,
                client_failures.clone(),
                None,
                (refusal, Some(SignInMethod::Passkey)),
            );
        }
    };
    let keys = failure_keys(state, &user.id, client);
    if let Some(seconds) = waiting(state, &keys, now)? {
        return Ok(Outcome::Wait(seconds));
    }
    let [account, _] = &keys;
    let checked = Assertion {
        kept: &kept,
        credential: &ask.credential,
        stored: &stored,
    };
    match verify_assertion(state, rp, checked, user.is_active(), now)? {
        Some(refusal) => refuse(
            state,
            client,
            &keys,
            account.clone(),
            Some(&user),
            (refusal, Some(SignInMethod::Passkey)),
        ),
        None => signed_in(state, client, user, SignInMethod::Passkey, account, now),
    }
}

/// What a passkey assertion (`ask`, for a sign-in ceremony) names: the ceremony's kept state
/// (taken, so used once), the stored passkey and its user; or why not (the ceremony unknown,
/// used or expired; a response that names nothing; a credential no user holds).
pub(crate) fn claimed_passkey(
    state: &AppState,
    rp: &RelyingParty,
    ask: &PasskeySignIn,
    now: chrono::DateTime<Utc>,
) -> Result<Result<(String, StoredPasskey, User), Refusal>, ApiError> {
    let hash = token_hash(&ask.ceremony);
    let Some(kept) = state
        .db
        .take_ceremony(&hash, CeremonyKind::SignIn, None, now)?
    else {
        return Ok(Err(Refusal::CeremonyUnknown));
    };
    let Ok(claimed) = rp.claimed(&ask.credential) else {
        return Ok(Err(Refusal::PasskeyRejected));
    };
    let stored = state
        .db
        .passkey_by_credential(&claimed.credential_id, &claimed.user_handle)?;
    let found = stored
        .map(|p| state.db.user(&p.user_id).map(|u| u.map(|u| (p, u))))
        .transpose()?
        .flatten();
    Ok(match found {
        Some((stored, user)) => Ok((kept, stored, user)),
        None => Err(Refusal::UnknownPasskey),
    })
}

/// An assertion to verify: the ceremony's kept state, the browser's response and the stored
/// passkey it names.
pub(crate) struct Assertion<'a> {
    /// The ceremony's kept state.
    pub kept: &'a str,
    /// The browser's `PublicKeyCredential` as JSON.
    pub credential: &'a serde_json::Value,
    /// The passkey it names.
    pub stored: &'a StoredPasskey,
}

/// Verifies `assertion` (signature, challenge, origin, user verification, counter) for a user
/// who is `active`, and records the passkey's use: `None` when it signs in, else why not.
pub(crate) fn verify_assertion(
    state: &AppState,
    rp: &RelyingParty,
    assertion: Assertion<'_>,
    active: bool,
    now: chrono::DateTime<Utc>,
) -> Result<Option<Refusal>, ApiError> {
    let Assertion {
        kept,
        credential,
        stored,
    } = assertion;
    Ok(match rp.finish_sign_in(kept, credential, stored) {
        Err(_) => Some(Refusal::PasskeyRejected),
        Ok(_) if !active => Some(Refusal::Disabled),
        // A racing sign-in with the same credential (or its removal) wins: this one is refused.
        Ok(after)
            if !state
                .db
                .use_passkey(&stored.info.id, &stored.credential, &after, now)? =>
        {
            Some(Refusal::PasskeyRejected)
        }
        Ok(_) => None,
    })
}
