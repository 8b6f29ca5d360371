//! The routes under `/api/v1`, and the OpenAPI document that describes them.

pub mod admin;
pub mod cases;
pub mod events;
pub mod form_check;
pub mod stats;
pub mod webapp;

use axum::Json;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa::OpenApi;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};

use crate::state::SharedState;

/// Largest archive accepted by `POST /archive`.
pub const MAX_ARCHIVE_BYTES: usize = 512 * 1024 * 1024;

/// The OpenAPI document, derived from the handlers' annotations.
#[derive(OpenApi)]
#[openapi(
    info(title = "siproc", description = "Consular protection cases: the reference server's API."),
    servers((url = "/api/v1")),
    paths(
        cases::create_case, cases::list_cases, cases::get_case, cases::run_command,
        cases::history, cases::verify, cases::forms, cases::form_pdf, cases::break_glass,
        events::events, admin::export, admin::import, admin::access_log, admin::health,
        webapp::me, webapp::workflow, form_check::check_form,
        stats::stats, form_check::check_log,
    ),
    components(schemas(crate::error::ErrorBody, cases::BreakGlass, crate::feed::FeedEntry,
        webapp::Me, webapp::WorkflowRule, form_check::FormCheckRequest, form_check::FormCheck,
        form_check::CheckedForm, crate::db::FormCheckRecord, crate::db::CheckOutcome)),
    modifiers(&BearerAuth),
)]
pub struct ApiDoc;

struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
    }
}

async fn openapi() -> Json<utoipa::openapi::OpenApi> {
    Json(ApiDoc::openapi())
}

/// The API's router (to be nested under `/api/v1`).
pub fn api() -> Router<SharedState> {
    Router::new()
        .route("/cases", post(cases::create_case).get(cases::list_cases))
        .route("/cases/{id}", get(cases::get_case))
        .route("/cases/{id}/commands", post(cases::run_command))
        .route("/cases/{id}/history", get(cases::history))
        .route("/cases/{id}/verify", get(cases::verify))
        .route("/cases/{id}/forms", get(cases::forms))
        .route("/cases/{id}/forms/{file}", get(cases::form_pdf))
        .route("/cases/{id}/access", post(cases::break_glass))
        .route("/events", get(events::events))
        .route(
            "/archive",
            get(admin::export)
                .post(admin::import)
                .layer(DefaultBodyLimit::max(MAX_ARCHIVE_BYTES)),
        )
        .route("/access-log", get(admin::access_log))
        .route("/health", get(admin::health))
        .route("/stats", get(stats::stats))
        .route("/openapi.json", get(openapi))
        .route("/me", get(webapp::me))
        .route("/workflow", get(webapp::workflow))
        .merge(form_check::router())
}
