//! What the route modules share: running store work off the async threads ([`blocking`]),
//! page sizes, the `ETag` and `Location` headers, the role checks that are the server's own,
//! and the pieces of the OpenAPI document every operation repeats.

use axum::http::HeaderValue;
use siproc_core::Role;
use uuid::Uuid;

use crate::error::ApiError;
use crate::extract::bad_query;
use crate::state::{AppState, SharedState};

/// Runs `f` on the blocking pool with the state.
pub async fn blocking<T: Send + 'static>(
    state: &SharedState,
    f: impl FnOnce(&AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(state.as_ref())).await?
}

/// A page size: `limit` when given (1 to `max`; 400 `http.bad_query` otherwise), else
/// `default`.
pub fn page_size(limit: Option<u32>, default: u32, max: u32) -> Result<u32, ApiError> {
    match limit {
        None => Ok(default),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(_) => Err(bad_query("limit")),
    }
}

/// The `ETag` of a case at `version`: the version in quotes.
pub fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

/// The `Location` of a case.
pub fn location(id: Uuid) -> HeaderValue {
    HeaderValue::from_str(&format!("/api/v1/cases/{id}"))
        .unwrap_or(HeaderValue::from_static("/api/v1/cases"))
}

/// 403 `access.directorate_only` unless `role` is the directorate.
pub fn directorate_only(role: Role) -> Result<(), ApiError> {
    if role == Role::Directorate {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: "access.directorate_only",
            message: "only the directorate may do this".to_owned(),
        })
    }
}

/// 403 `access.no_cases`: the caller's role sees no case.
pub fn no_cases() -> ApiError {
    ApiError::Forbidden {
        code: "access.no_cases",
        message: "this role sees no case".to_owned(),
    }
}

/// 403 `access.log_not_allowed` unless `role` reads the access and form-check logs.
pub fn log_reader(role: Role, what: &str) -> Result<(), ApiError> {
    if siproc_core::access::reads_access_log(role) {
        Ok(())
    } else {
        Err(ApiError::Forbidden {
            code: "access.log_not_allowed",
            message: format!("only auditors and the directorate read the {what}"),
        })
    }
}
