//! What the web application reads besides the cases: who the signed-in user is
//! (`GET /me`) and the workflow's table (`GET /workflow`), so that the case page offers the
//! commands the core would accept. Both come from the core; nothing here decides.

use axum::Json;
use axum::routing::get;
use serde::Serialize;
use siproc_core::Status;
use siproc_core::access;
use siproc_core::transitions::RULES;

use crate::auth::Caller;
use crate::schema;
use crate::state::SharedState;

/// `GET /me` and `GET /workflow`.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/me", get(me))
        .route("/workflow", get(workflow))
}

/// The signed-in user.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Me {
    /// The user's id (not a name).
    pub user_id: String,
    /// The role (`officer`, `directorate`, …).
    #[schema(value_type = schema::Role)]
    pub role: String,
    /// The office they act from.
    pub office: String,
    /// Whether they see every office's cases.
    pub sees_all_offices: bool,
    /// Whether they see cases at all (partners see statistics only).
    pub sees_cases: bool,
}

/// Who the bearer of the token is.
#[utoipa::path(get, path = "/me", tag = "web",
    description = "The caller (the bearer of the token, or the signed-in person): user id, role, office, and what the role sees.",
    responses(
        (status = 200, description = "The user", body = Me),
    ),
    security(("bearer" = [])))]
pub async fn me(Caller(actor): Caller) -> Json<Me> {
    Json(Me::of(actor))
}

impl Me {
    /// What `GET /me` answers for `actor`.
    pub fn of(actor: siproc_core::Actor) -> Me {
        Me {
            sees_all_offices: access::sees_all_offices(actor.role),
            sees_cases: access::sees_cases(actor.role),
            role: actor.role.as_str().to_owned(),
            office: actor.office,
            user_id: actor.user_id,
        }
    }
}

/// One row of the workflow's table.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkflowRule {
    /// The command (`change_status`, `add_note`, …).
    pub command: String,
    /// The statuses it runs in.
    #[schema(value_type = Vec<schema::Status>)]
    pub from: Vec<Status>,
    /// The status it leads to, or null.
    #[schema(value_type = Option<schema::Status>)]
    pub to: Option<Status>,
    /// The roles that may run it.
    #[schema(value_type = Vec<schema::Role>)]
    pub roles: Vec<String>,
}

/// The workflow's table: which command runs in which status, where it leads, who may run it.
#[utoipa::path(get, path = "/workflow", tag = "web",
    description = "The workflow's table, from the core: which command runs in which status, where it leads, which roles may run it. No token needed.",
    responses((status = 200, description = "The rules", body = Vec<WorkflowRule>)),
    security(()))]
pub async fn workflow() -> Json<Vec<WorkflowRule>> {
    Json(
        RULES
            .iter()
            .map(|r| WorkflowRule {
                command: r.command.as_str().to_owned(),
                from: r.from.to_vec(),
                to: r.to,
                roles: r
                    .roles
                    .iter()
                    .map(|role| role.as_str().to_owned())
                    .collect(),
            })
            .collect(),
    )
}
