//! Request bodies: [`Body`] reads the raw bytes within the body limit (413 over it, chunked
//! bodies included: axum's `DefaultBodyLimit` counts while reading), [`JsonBody`] reads JSON
//! with answers that say what went wrong — malformed JSON is a 400 naming the line and column
//! where parsing stopped; JSON of the wrong shape is a 422 naming the path (as the core finds
//! it), never the value (which may be personal). Every body is held to the core's limits (`siproc_core::limits`):
//! past one (nesting, a string, a list), 413 `siproc.too_large`.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use serde::de::{DeserializeOwned, IgnoredAny};

use siproc_core::Locale;
use siproc_core::limits::Limits;

use crate::error::ApiError;

/// The raw body, within the limit.
pub struct Body(pub Bytes);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        Bytes::from_request(req, state)
            .await
            .map(Body)
            .map_err(|rejection| {
                if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::PayloadTooLarge
                } else {
                    ApiError::BadRequest {
                        code: "http.bad_body",
                        message: "the request body could not be read".to_owned(),
                    }
                }
            })
    }
}

/// A JSON body read into `T`.
pub struct JsonBody<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for JsonBody<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let Body(bytes) = Body::from_request(req, state).await?;
        parse(&bytes).map(JsonBody)
    }
}

/// Reads `bytes` as JSON into `T`, within the core's limits (413 `siproc.too_large` past one):
/// malformed JSON is a 400 naming the line and column; JSON of the wrong shape is a 422 whose
/// issue (`json.*`) holds the JSON Pointer where reading stopped, read by the core
/// (`siproc_core::from_json_text`: keys that are not identifiers are left out of it).
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    well_formed(bytes)?;
    let text = std::str::from_utf8(bytes).map_err(|_| ApiError::BadRequest {
        code: "http.malformed_json",
        message: "the body is not UTF-8".to_owned(),
    })?;
    siproc_core::from_json_text(text, Locale::En).map_err(|issue| ApiError::Unprocessable {
        code: "http.wrong_shape",
        message: format!(
            "the JSON does not have the expected shape at {}",
            if issue.path.is_empty() {
                "/"
            } else {
                &issue.path
            }
        ),
        issues: Some(vec![issue]),
    })
}

/// Checks that `bytes` is well-formed JSON (any shape) within the core's limits, for bodies the
/// core reads itself.
pub fn well_formed(bytes: &[u8]) -> Result<(), ApiError> {
    Limits::DEFAULT
        .check_json(bytes)
        .map_err(|limit| ApiError::Misuse(limit.into()))?;
    serde_json::from_slice::<IgnoredAny>(bytes)
        .map(|_| ())
        .map_err(|e| ApiError::BadRequest {
            code: "http.malformed_json",
            message: format!(
                "malformed JSON: parsing stopped at line {} column {}",
                e.line(),
                e.column()
            ),
        })
}
