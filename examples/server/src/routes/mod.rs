//! The routes under `/api/v1`, and the OpenAPI document that describes them. Each route
//! module exports its own router; [`shared`] holds what they share.

pub mod account;
pub mod admin;
pub mod attachments;
pub mod cases;
pub mod enrolment;
pub mod erasure;
pub mod events;
pub mod export;
pub mod form_check;
pub mod grants;
pub mod oidc;
pub mod ops;
pub mod passkeys;
pub mod session;
pub mod shared;
pub mod signed_copies;
pub mod stats;
pub mod subject_access;
pub mod tokens;
pub mod users;
pub mod webapp;

use axum::Json;
use axum::Router;
use axum::routing::get;
use utoipa::OpenApi;

use crate::error::ApiError;
use crate::schema::Shared;
use crate::state::SharedState;

pub use admin::MAX_ARCHIVE_BYTES;

/// The OpenAPI document's part derived from the handlers' annotations; [`crate::schema::document`]
/// completes it with the core's schemas and what every operation shares.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "siproc",
        description = "Consular protection cases: the reference server's API. Every rule (validation, workflow, visibility) is the core's (`siproc-core`); errors carry a stable `code` (`ErrorCode`) and never a personal value.",
    ),
    servers((url = "/api/v1", description = "This server")),
    paths(
        cases::create_case, cases::list_cases, cases::get_case, cases::run_command,
        cases::history, cases::verify, erasure::erase, cases::forms, cases::form_pdf, cases::break_glass,
        attachments::upload, attachments::download, attachments::thumbnail, signed_copies::file_signed_copy,
        events::events, export::export, export::request_export, export::approve_export, admin::import, admin::access_log, admin::audit_log,
        admin::health, ops::ready, ops::metrics, cases::search_cases, cases::duplicates, grants::list_grants, grants::end_grant,
        webapp::me, webapp::workflow, form_check::check_form,
        stats::stats, stats::list_releases, stats::get_release, stats::publish_release,
        form_check::check_log, subject_access::subject_access, openapi,
        users::list_users, users::create_user, users::get_user, users::change_user, users::issue_enrolment,
        tokens::list_tokens, tokens::create_token, tokens::revoke_token,
        session::sign_in, session::sign_out, session::list_sessions, session::sign_out_everywhere, session::end_session,
        enrolment::lookup, enrolment::enrol,
        oidc::begin, oidc::callback, oidc::status, oidc::logout,
        passkeys::registration_options, passkeys::add_passkey, passkeys::list_passkeys,
        passkeys::remove_passkey, passkeys::sign_in_options, passkeys::sign_in_with_passkey,
        account::reauthenticate, account::change_password, account::offer_second_factor,
        account::change_second_factor, account::renew_recovery_codes, account::account_activity,
        account::check_password,
    ),
    components(schemas(crate::error::ErrorBody, crate::error::ErrorCode, crate::feed::FeedEntry,
        stats::StatsFormat, stats::PublishRelease, tokens::CreatedToken, erasure::Erase,
        attachments::AttachmentForm, signed_copies::SignedCopyFiled, subject_access::SubjectAccessRequest,
        subject_access::ReportFormat, session::SignIn, session::SignedIn, session::SessionList,
        enrolment::EnrolmentLink, enrolment::EnrolmentOffer, enrolment::CompleteEnrolment,
        enrolment::Enrolled, webapp::Me, oidc::OidcStatus, passkeys::CeremonyOptions,
        passkeys::NewPasskey, passkeys::PasskeySignIn, users::IssuedLink,
        account::Reauthenticate, account::Reauthenticated, account::NewPassword,
        account::SecondFactorOffer, account::ConfirmSecondFactor, account::RenewedRecoveryCodes,
        account::PasswordCheck)),
    tags(
        (name = "cases", description = "Registration, the case, its commands, history, verification, forms and break the glass"),
        (name = "events", description = "Case events as Server-Sent Events"),
        (name = "archive", description = "The directorate's archive: four-eyes or encrypted export, and import"),
        (name = "access", description = "The access log, the audit log, the form-check log and break-the-glass grants, for auditors, the directorate and supervisors; subject access reports, for the directorate"),
        (name = "stats", description = "Protection statistics: full tables for staff; published, perturbed releases of closed periods for partners"),
        (name = "users", description = "Users: who may sign in, with which role and office; the directorate and supervisors manage them"),
        (name = "tokens", description = "API tokens for programs: named, scoped, expiring, revocable"),
        (name = "session", description = "People signing in to the web application: enrolment through a single-use link, password and second factor, passkeys, the ministry's identity provider (OpenID Connect), sessions in a cookie, sign out (everywhere); re-authentication before a person changes their own password, second factor or recovery codes; their own security events"),
        (name = "web", description = "What the web application reads: the user, the workflow's table, paper-form checks"),
        (name = "health", description = "Liveness and readiness"),
        (name = "meta", description = "This document"),
    ),
    modifiers(&Shared),
)]
pub struct ApiDoc;

/// The OpenAPI document of this API.
#[utoipa::path(get, path = "/openapi.json", tag = "meta",
    description = "This document (OpenAPI 3.1): every operation with its parameters, bodies, headers and errors; the core's types as JSON Schema 2020-12. No token needed.",
    responses((status = 200, description = "The document", content_type = "application/json", body = Object)),
    security(()))]
pub async fn openapi() -> Result<Json<serde_json::Value>, ApiError> {
    crate::schema::document()
        .map(Json)
        .map_err(ApiError::internal)
}

/// The API's router (to be nested under `/api/v1`).
pub fn api() -> Router<SharedState> {
    Router::new()
        .merge(cases::router())
        .merge(erasure::router())
        .merge(subject_access::router())
        .merge(attachments::router())
        .merge(events::router())
        .merge(admin::router())
        .merge(stats::router())
        .merge(webapp::router())
        .merge(form_check::router())
        .merge(ops::router())
        .merge(grants::router())
        .merge(export::router())
        .merge(users::router())
        .merge(tokens::router())
        .merge(session::router())
        .merge(enrolment::router())
        .merge(oidc::router())
        .merge(passkeys::router())
        .merge(account::router())
        .route("/openapi.json", get(openapi))
}
