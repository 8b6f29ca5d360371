//! Typed extractors for what a request carries besides its body: path parameters
//! ([`Path`]), the query string ([`Query`]), `If-Match` ([`IfMatch`]) and `Idempotency-Key`
//! ([`IdempotencyKey`]). Each rejects into the API's own error body with a stable code — 400
//! `http.bad_path`, `http.bad_query`, `http.bad_if_match`, `http.bad_idempotency_key`, and 428
//! `http.if_match_required` — naming the parameter, never its value.

use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// Path parameters read into `T` (a case id is a UUID).
#[derive(Debug)]
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(value)| Path(value))
            .map_err(|_| ApiError::BadRequest {
                code: "http.bad_path",
                message: "a path parameter is not valid (a case id is a UUID)".to_owned(),
            })
    }
}

/// The query string read into `T`: a parameter of the wrong type (a `limit` that is not a
/// number, an unknown `status`, a date that is not a date) is a 400 naming the parameter.
#[derive(Debug)]
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|e| {
                let name = e.path().to_string();
                bad_query(if name == "." { "string" } else { &name })
            })
    }
}

/// A 400 for a bad query parameter (`http.bad_query`), naming the parameter only.
pub fn bad_query(what: &str) -> ApiError {
    ApiError::BadRequest {
        code: "http.bad_query",
        message: format!("the query parameter {what} is not valid"),
    }
}

/// The case version a command expects: `If-Match: "VERSION"` (the case's `ETag`; a weak
/// `W/` prefix is accepted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub u64);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let raw = parts
            .headers
            .get(header::IF_MATCH)
            .ok_or(ApiError::PreconditionRequired)?;
        raw.to_str()
            .ok()
            .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
            .and_then(|s| s.parse().ok())
            .map(IfMatch)
            .ok_or(ApiError::BadRequest {
                code: "http.bad_if_match",
                message: "If-Match must be the case's version in quotes, as its ETag".to_owned(),
            })
    }
}

/// Longest `Idempotency-Key`.
pub const MAX_IDEMPOTENCY_KEY: usize = 200;

/// The `Idempotency-Key` of a registration, if any: 1 to [`MAX_IDEMPOTENCY_KEY`] visible
/// ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdempotencyKey(pub Option<String>);

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .headers
            .get("idempotency-key")
            .map(|v| {
                v.to_str()
                    .ok()
                    .filter(|k| !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY)
                    .map(str::to_owned)
                    .ok_or(ApiError::BadRequest {
                        code: "http.bad_idempotency_key",
                        message: "Idempotency-Key must be 1 to 200 visible ASCII characters"
                            .to_owned(),
                    })
            })
            .transpose()
            .map(IdempotencyKey)
    }
}
