//! Users: `GET/POST /users`, `GET/PATCH /users/{id}`, `POST /users/{id}/enrolment` (a
//! single-use enrolment link, as `siproc-server user enrol` prints). Who may see and manage whom is the
//! core's ([`siproc_core::accounts`]): the directorate manages everybody, a supervisor the
//! officers of their own office. Every creation and change goes to the audit log. Disabling a
//! user ends their credentials at once: every request reads the user's state.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Serialize;
use siproc_core::accounts::{self, NewUser, User, UserChange};
use siproc_core::audit::AuditEvent;

use crate::auth::Authenticated;
use crate::client::Client;
use crate::error::{ApiError, ErrorBody};
use crate::extract::Path;
use crate::json::JsonBody;
use crate::routes::shared::blocking;
use crate::schema;
use crate::state::SharedState;

/// The users' routes.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/users", get(list_users).post(create_user))
        .route("/users/{id}", get(get_user).patch(change_user))
        .route("/users/{id}/enrolment", post(issue_enrolment))
}

/// The `Location` of a user.
fn location(id: &str) -> HeaderValue {
    HeaderValue::from_str(&format!("/api/v1/users/{id}"))
        .unwrap_or(HeaderValue::from_static("/api/v1/users"))
}

/// The users the caller may see, by login.
#[utoipa::path(get, path = "/users", tag = "users",
    description = "The users the caller may see, by login: the directorate and auditors see everybody, a supervisor the users of their office. Officers and partners may not list users.",
    responses(
        (status = 200, description = "The users", body = Vec<schema::User>),
        (status = 403, description = "The role lists no users (`accounts.not_allowed`) or the token lacks `users:read` (`auth.insufficient_scope`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn list_users(
    State(state): State<SharedState>,
    caller: Authenticated,
) -> Result<Json<Vec<User>>, ApiError> {
    let actor = caller.actor();
    if !accounts::may_list(&actor) {
        return Err(accounts::AccountError::NotAllowed.into());
    }
    let users = blocking(&state, |s| Ok(s.db.users()?)).await?;
    Ok(Json(
        users
            .into_iter()
            .filter(|u| accounts::may_see(&actor, u))
            .collect(),
    ))
}

/// Create a user.
#[utoipa::path(post, path = "/users", tag = "users",
    description = "Creates an active user. The directorate creates any user; a supervisor officers of their own office. Officers and supervisors need an office of the pack; the other roles have none. The user signs in once their credentials are enrolled.",
    request_body = schema::NewUser,
    responses(
        (status = 201, description = "The user", body = schema::User,
            headers(("Location" = String, description = "The user's URL"))),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "The caller may not create this user (`accounts.not_allowed`)", body = ErrorBody),
        (status = 409, description = "The login is taken (`accounts.login_taken`)", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `NewUser` (`http.wrong_shape`) or a field is not valid (`accounts.bad_login`, `accounts.office_required`, …)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn create_user(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    JsonBody(new): JsonBody<NewUser>,
) -> Result<Response, ApiError> {
    let actor = caller.actor();
    let user = new.user(Utc::now())?;
    accounts::check_create(&actor, &user)?;
    accounts::check_office_known(&user, &state.catalog)?;
    let created = user.clone();
    blocking(&state, move |s| {
        if !s.db.create_user(&created)? {
            return Err(accounts::AccountError::LoginTaken.into());
        }
        let event = AuditEvent::UserCreated {
            target: created.id.clone(),
            role: created.role,
            office: created.office.clone(),
        };
        Ok(s.audit(&actor, &client, event)?)
    })
    .await?;
    let mut response = (StatusCode::CREATED, Json(&user)).into_response();
    response
        .headers_mut()
        .insert(header::LOCATION, location(&user.id));
    Ok(response)
}

/// The user the caller may see, or 404.
async fn visible(
    state: &SharedState,
    caller: &Authenticated,
    id: String,
) -> Result<User, ApiError> {
    let actor = caller.actor();
    blocking(state, move |s| {
        s.db.user(&id)?
            .filter(|u| accounts::may_see(&actor, u))
            .ok_or(ApiError::NotFound)
    })
    .await
}

/// One user.
#[utoipa::path(get, path = "/users/{id}", tag = "users",
    description = "One user: the caller themselves, or a user their role may see (404 otherwise, as for a user that does not exist).",
    params(("id" = String, Path, description = "The user's login")),
    responses(
        (status = 200, description = "The user", body = schema::User),
        (status = 404, description = "No such user, or one the caller may not see (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn get_user(
    State(state): State<SharedState>,
    caller: Authenticated,
    Path(id): Path<String>,
) -> Result<Json<User>, ApiError> {
    visible(&state, &caller, id).await.map(Json)
}

/// Change a user: name, role, office, or state (disable, re-enable).
#[utoipa::path(patch, path = "/users/{id}", tag = "users",
    description = "Changes the fields present. The directorate changes anybody, a supervisor the officers of their office (who stay officers of it); nobody changes their own role, office or state. Disabling a user stops their tokens and sessions at their next request, in every server process sharing the database.",
    params(("id" = String, Path, description = "The user's login")),
    request_body = schema::UserChange,
    responses(
        (status = 200, description = "The user as changed", body = schema::User),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "The caller may not make this change (`accounts.not_allowed`, `accounts.own_account`)", body = ErrorBody),
        (status = 404, description = "No such user, or one the caller may not see (`store.not_found`)", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `UserChange` (`http.wrong_shape`) or the user would not be valid (`accounts.office_required`, …)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn change_user(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    Path(id): Path<String>,
    JsonBody(change): JsonBody<UserChange>,
) -> Result<Json<User>, ApiError> {
    let before = visible(&state, &caller, id).await?;
    let actor = caller.actor();
    let after = change.apply(&before, Utc::now())?;
    accounts::check_change(&actor, &before, &after)?;
    accounts::check_office_known(&after, &state.catalog)?;
    let fields = UserChange::changed_fields(&before, &after);
    if fields.is_empty() {
        return Ok(Json(before));
    }
    let changed = after.clone();
    blocking(&state, move |s| {
        s.db.update_user(&changed)?;
        if changed.state == siproc_core::accounts::UserState::Disabled {
            // Refused at once anyway (every request reads the user); ended so that
            // re-enabling the user does not bring the sessions back.
            s.db.end_sessions_of(&changed.id, Utc::now())?;
        }
        let event = AuditEvent::UserChanged {
            target: changed.id.clone(),
            fields,
            role: changed.role,
            office: changed.office.clone(),
            state: changed.state,
        };
        Ok(s.audit(&actor, &client, event)?)
    })
    .await?;
    Ok(Json(after))
}

/// A single-use enrolment link just issued: the only answer that holds it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IssuedLink {
    /// The address to give the user (alone): the web application's enrolment page, the
    /// link's secret in the fragment.
    pub link: String,
    /// Until when it works.
    pub expires_at: DateTime<Utc>,
}

/// Issue an enrolment link.
#[utoipa::path(post, path = "/users/{id}/enrolment", tag = "users",
    description = "Issues a single-use enrolment link for a user the caller manages (never themselves), as `siproc-server user enrol` does: used, it sets the user's password and second factor anew (and ends their sessions); an earlier unused link stops working. The link is in this answer only (the server keeps its hash); it works 72 hours. For a new user, and for one who lost their password or phone.",
    params(("id" = String, Path, description = "The user's login")),
    responses(
        (status = 201, description = "The link", body = IssuedLink),
        (status = 403, description = "The caller may not manage this user, or it is themselves (`accounts.not_allowed`, `accounts.own_account`), or the token lacks `users:write` (`auth.insufficient_scope`)", body = ErrorBody),
        (status = 404, description = "No such user, or one the caller may not see (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn issue_enrolment(
    State(state): State<SharedState>,
    client: Client,
    caller: Authenticated,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<(StatusCode, Json<IssuedLink>), ApiError> {
    let user = visible(&state, &caller, id).await?;
    let actor = caller.actor();
    accounts::check_enrol(&actor, &user)?;
    // The configured origin, else the one this request came to (the administrator's page).
    let origin = state.public_origin.clone().unwrap_or_else(|| {
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("localhost");
        let scheme = if client.https { "https" } else { "http" };
        format!("{scheme}://{host}")
    });
    let issued = blocking(&state, move |s| {
        let now = Utc::now();
        let (secret, expires_at) = crate::routes::enrolment::issue(
            &s.db,
            &user.id,
            crate::routes::enrolment::LINK_HOURS,
            now,
        )
        .map_err(ApiError::internal)?;
        let event = AuditEvent::EnrolmentIssued {
            target: user.id.clone(),
            expires_at,
        };
        s.audit(&actor, &client, event)?;
        Ok(IssuedLink {
            link: crate::routes::enrolment::link(&origin, &secret),
            expires_at,
        })
    })
    .await?;
    Ok((StatusCode::CREATED, Json(issued)))
}
