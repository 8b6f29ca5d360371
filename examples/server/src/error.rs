//! The one error type of the API: every handler returns [`ApiError`], which answers an
//! [`ErrorBody`] (`{"code", "message"}`, with `issues` for a refused report and `current` for a
//! conflict) with a stable code and never a personal value.
//! Server faults are logged in full and answered with a generic 500.
//!
//! The message is in the request's `Accept-Language` (Spanish or English, [`localize`]): the
//! core's wording of the code ([`siproc_core::messages`]) and, for a refused report, each
//! issue's message in that language. Without the header the message is the English one.

use axum::Json;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use siproc_core::access::AccessError;
use siproc_core::accounts::AccountError;
use siproc_core::attachments::{AttachError, CheckError};
use siproc_core::store::StoreError;
use siproc_core::workflow::WorkflowError;
use siproc_core::{Issue, Locale, messages};

/// An answer other than success.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid bearer token.
    #[error("a valid bearer token is required")]
    Unauthorized,
    /// A sign-in refused (whatever was wrong: the answer is the same).
    #[error("the login, password or code is not right")]
    SignInFailed,
    /// The caller's role or office may not do this.
    #[error("{message}")]
    Forbidden {
        /// Stable code.
        code: &'static str,
        /// Message, without values.
        message: String,
    },
    /// No such thing, or one the caller may not see (the two look alike).
    #[error("not found")]
    NotFound,
    /// The pack has no form by that name (`forms.unknown_form`).
    #[error("no such form")]
    UnknownForm,
    /// The thing to create exists (a login taken).
    #[error("{message}")]
    Taken {
        /// Stable code.
        code: &'static str,
        /// Message, without values.
        message: String,
    },
    /// The case moved on.
    #[error("the case is at version {current}")]
    Conflict {
        /// The current version.
        current: u64,
    },
    /// The request conflicts with the state of what it names (other than a case's version).
    #[error("{message}")]
    Conflicting {
        /// Stable code.
        code: &'static str,
        /// Message, without values.
        message: String,
    },
    /// A command came without `If-Match`.
    #[error("If-Match with the case's version is required")]
    PreconditionRequired,
    /// The body is not JSON, or not well-formed.
    #[error("{message}")]
    BadRequest {
        /// Stable code.
        code: &'static str,
        /// Message (positions and paths only).
        message: String,
    },
    /// The request is understood but refused by the rules.
    #[error("{message}")]
    Unprocessable {
        /// Stable code.
        code: &'static str,
        /// Message.
        message: String,
        /// The validation issues, when the refusal comes from a report.
        issues: Option<Vec<Issue>>,
    },
    /// The body is over the limit.
    #[error("the request body is too large")]
    PayloadTooLarge,
    /// Something the request names does not exist (other than a case: `store.not_found`).
    #[error("{message}")]
    Missing {
        /// Stable code.
        code: &'static str,
        /// Message, without values.
        message: String,
    },
    /// An attachment refused by its size (413) or its type (415) or its content (422).
    #[error("{0}")]
    Attachment(siproc_core::attachments::CheckError),
    /// The core refuses the input before reading it: past one of its limits (413), or an
    /// unknown locale or pack (400).
    #[error("{0}")]
    Misuse(siproc_core::Misuse),
    /// Too many requests with this token.
    #[error("too many requests")]
    TooManyRequests {
        /// Seconds until the next request is allowed.
        retry_after: u64,
    },
    /// A fault of the server: logged, answered with a generic message.
    #[error("internal error: {0}")]
    Internal(String),
}

/// The body of every error answer: what [`ApiError`] sends, and what the OpenAPI document
/// says it sends.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    /// Stable machine code (`store.conflict`, `workflow.wrong_status`, `auth.unauthorized`, …).
    #[schema(value_type = ErrorCode)]
    pub code: &'static str,
    /// A message for people, without personal values.
    pub message: String,
    /// The validation issues (422), when the refusal comes from a report.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<crate::schema::Issue>>)]
    pub issues: Option<Vec<Issue>>,
    /// The case's current version (409): read the case again, then retry with it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current: Option<u64>,
}

/// The codes the server itself answers with (besides the core's, which [`ErrorCode`] adds).
pub const SERVER_CODES: &[&str] = &[
    "accounts.enrolment_unknown",
    "accounts.wrong_code",
    "auth.csrf",
    "auth.insufficient_scope",
    "auth.no_session",
    "auth.oidc_not_configured",
    "auth.reauth_failed",
    "auth.session_required",
    "auth.signin_failed",
    "auth.unauthorized",
    "access.no_cases",
    "access.directorate_only",
    "access.log_not_allowed",
    "access.metrics_not_allowed",
    "access.grants_not_allowed",
    "access.grant_not_active",
    "forms.bad_code",
    "http.bad_body",
    "http.bad_limit",
    "http.bad_idempotency_key",
    "http.bad_if_match",
    "http.bad_path",
    "http.bad_query",
    "http.body_too_large",
    "http.if_match_required",
    "http.malformed_json",
    "http.rate_limited",
    "http.search_in_body",
    "http.wrong_shape",
    "server.internal",
    "stats.bad_parameters",
    "stats.bad_period",
    "stats.period_open",
    "stats.releases_only",
];

/// Every stable code an error body may carry: the server's own and the core's (workflow,
/// access, store, forms, misuse), as the `enum` of [`ErrorBody::code`].
#[derive(Debug)]
pub struct ErrorCode;

impl ErrorCode {
    /// Every code, sorted, once each.
    pub fn all() -> Vec<&'static str> {
        let mut codes: Vec<&'static str> = SERVER_CODES
            .iter()
            .chain(siproc_core::workflow::ERROR_CODES)
            .chain(siproc_core::access::ERROR_CODES)
            .chain(siproc_core::accounts::ERROR_CODES)
            .chain(siproc_core::accounts::passkeys::ERROR_CODES)
            .chain(StoreError::CODES)
            .chain(siproc_core::attachments::CheckError::CODES)
            .chain(siproc_core::attachments::AttachError::CODES)
            .chain(siproc_core::forms::ERROR_CODES)
            .chain(siproc_core::archive::ExportRefusal::CODES)
            .chain(siproc_core::subject_access::ERROR_CODES)
            .copied()
            .chain(siproc_core::Misuse::ALL.iter().map(|m| m.code()))
            .collect();
        codes.sort_unstable();
        codes.dedup();
        codes
    }
}

impl utoipa::PartialSchema for ErrorCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        crate::schema::string_enum(ErrorCode::all())
    }
}

impl utoipa::ToSchema for ErrorCode {}

impl ApiError {
    /// An internal fault, from anything displayable (the text goes only to the log).
    pub fn internal(e: impl std::fmt::Display) -> ApiError {
        ApiError::Internal(e.to_string())
    }

    fn status(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized | ApiError::SignInFailed => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden { .. } => StatusCode::FORBIDDEN,
            ApiError::NotFound | ApiError::UnknownForm => StatusCode::NOT_FOUND,
            ApiError::Conflict { .. } | ApiError::Conflicting { .. } | ApiError::Taken { .. } => {
                StatusCode::CONFLICT
            }
            ApiError::PreconditionRequired => StatusCode::PRECONDITION_REQUIRED,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Unprocessable { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Missing { .. } => StatusCode::NOT_FOUND,
            ApiError::Attachment(e) => match e {
                CheckError::TooLarge { .. } => StatusCode::PAYLOAD_TOO_LARGE,
                CheckError::NotAllowed | CheckError::Mismatch { .. } => {
                    StatusCode::UNSUPPORTED_MEDIA_TYPE
                }
                _ => StatusCode::UNPROCESSABLE_ENTITY,
            },
            ApiError::Misuse(siproc_core::Misuse::TooLarge(_)) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::Misuse(_) => StatusCode::BAD_REQUEST,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Unauthorized => "auth.unauthorized",
            ApiError::SignInFailed => "auth.signin_failed",
            ApiError::Forbidden { code, .. }
            | ApiError::Conflicting { code, .. }
            | ApiError::Taken { code, .. }
            | ApiError::BadRequest { code, .. }
            | ApiError::Unprocessable { code, .. } => code,
            ApiError::NotFound => "store.not_found",
            ApiError::UnknownForm => "forms.unknown_form",
            ApiError::Conflict { .. } => "store.conflict",
            ApiError::PreconditionRequired => "http.if_match_required",
            ApiError::TooManyRequests { .. } => "http.rate_limited",
            ApiError::PayloadTooLarge => "http.body_too_large",
            ApiError::Missing { code, .. } => code,
            ApiError::Attachment(e) => e.code(),
            ApiError::Misuse(m) => m.code(),
            ApiError::Internal(_) => "server.internal",
        }
    }
}

tokio::task_local! {
    /// The language the request asked for (`Accept-Language`), while it is answered.
    static LANGUAGE: Locale;
}

/// The language `headers` ask for: the preferred of Spanish and English in `Accept-Language`
/// (by `q`, then order); `None` when it names neither.
pub fn accepted_language(headers: &HeaderMap) -> Option<Locale> {
    let value = headers.get(header::ACCEPT_LANGUAGE)?.to_str().ok()?;
    let mut best: Option<(f32, Locale)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .and_then(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let locale = match tag.split('-').next() {
            Some("es") => Locale::Es,
            Some("en") => Locale::En,
            _ => continue,
        };
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, locale));
        }
    }
    best.map(|(_, locale)| locale)
}

/// The middleware that answers errors in the request's language ([`accepted_language`]).
pub async fn localize(request: Request<axum::body::Body>, next: Next) -> Response {
    match accepted_language(request.headers()) {
        Some(locale) => LANGUAGE.scope(locale, next.run(request)).await,
        None => next.run(request).await,
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let code = self.code();
        let language = LANGUAGE.try_with(|l| *l).ok();
        let message = match &self {
            ApiError::Internal(detail) => {
                tracing::error!(code, detail = %detail, "internal error");
                "the server could not complete the request".to_owned()
            }
            other => other.to_string(),
        };
        let message = language
            .and_then(|l| messages::error_message(code, l))
            .map_or(message, str::to_owned);
        let body = ErrorBody {
            code,
            message,
            issues: match &self {
                ApiError::Unprocessable { issues, .. } => {
                    issues.clone().map(|issues| match language {
                        Some(l) => issues.into_iter().map(|i| i.in_locale(l)).collect(),
                        None => issues,
                    })
                }
                _ => None,
            },
            current: match &self {
                ApiError::Conflict { current } => Some(*current),
                _ => None,
            },
        };
        let mut response = (status, Json(body)).into_response();
        match &self {
            ApiError::Unauthorized => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::TooManyRequests { retry_after } => {
                if let Ok(v) = HeaderValue::from_str(&retry_after.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, v);
                }
            }
            _ => {}
        }
        response
    }
}

impl From<WorkflowError> for ApiError {
    fn from(e: WorkflowError) -> Self {
        match e {
            WorkflowError::RoleNotAllowed { .. } | WorkflowError::WrongOffice { .. } => {
                ApiError::Forbidden {
                    code: e.code(),
                    message: e.to_string(),
                }
            }
            WorkflowError::InvalidIntake { report } => ApiError::Unprocessable {
                code: "workflow.invalid_intake",
                message: "the intake is not valid".to_owned(),
                issues: Some(report.issues),
            },
            WorkflowError::InvalidCorrection { ref report, .. } => ApiError::Unprocessable {
                code: e.code(),
                message: e.to_string(),
                issues: Some(report.issues.clone()),
            },
            WorkflowError::History(h) => ApiError::internal(h.code()),
            other => ApiError::Unprocessable {
                code: other.code(),
                message: other.to_string(),
                issues: None,
            },
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Conflict { current } => ApiError::Conflict { current },
            StoreError::NotFound => ApiError::NotFound,
            StoreError::TooManyNameWords { .. } => ApiError::Unprocessable {
                code: e.code(),
                message: e.to_string(),
                issues: None,
            },
            StoreError::Rejected(w) => w.into(),
            StoreError::Form(f) => ApiError::Unprocessable {
                code: f.code,
                message: "the form could not be produced".to_owned(),
                issues: None,
            },
            other => ApiError::internal(format!("{} ({other})", other.code())),
        }
    }
}

impl From<AttachError> for ApiError {
    fn from(e: AttachError) -> Self {
        match e {
            AttachError::Refused(c) => ApiError::Attachment(c),
            AttachError::Rejected(w) => w.into(),
            AttachError::Store(s) => s.into(),
            AttachError::NotAttached
            | AttachError::Erased
            | AttachError::UnknownForm
            | AttachError::NoThumbnail => ApiError::Missing {
                code: e.code(),
                message: e.to_string(),
            },
            AttachError::NoCode | AttachError::OtherCase => ApiError::Unprocessable {
                code: e.code(),
                message: e.to_string(),
                issues: None,
            },
            // A recorded file missing or damaged in storage: the server's fault, logged with
            // the case id (never content).
            AttachError::Blob(b) => ApiError::internal(format!("{} ({b})", b.code())),
            other => ApiError::internal(other.code()),
        }
    }
}

impl From<AccessError> for ApiError {
    fn from(e: AccessError) -> Self {
        match e {
            AccessError::RoleNotAllowed { .. } | AccessError::TooManyGrants { .. } => {
                ApiError::Forbidden {
                    code: e.code(),
                    message: e.to_string(),
                }
            }
            other => ApiError::Unprocessable {
                code: other.code(),
                message: other.to_string(),
                issues: None,
            },
        }
    }
}

impl From<AccountError> for ApiError {
    fn from(e: AccountError) -> Self {
        let (code, message) = (e.code(), e.to_string());
        if e.is_forbidden() {
            ApiError::Forbidden { code, message }
        } else if e == AccountError::LoginTaken {
            ApiError::Taken { code, message }
        } else {
            ApiError::Unprocessable {
                code,
                message,
                issues: None,
            }
        }
    }
}

impl From<siproc_core::accounts::passkeys::PasskeyError> for ApiError {
    fn from(e: siproc_core::accounts::passkeys::PasskeyError) -> Self {
        use siproc_core::accounts::passkeys::PasskeyError as E;
        let (code, message) = (e.code(), e.to_string());
        match e {
            E::Unavailable => ApiError::Conflicting { code, message },
            E::CeremonyUnknown => ApiError::Missing { code, message },
            E::AlreadyRegistered => ApiError::Taken { code, message },
            E::Busy => ApiError::TooManyRequests {
                retry_after: u64::from(siproc_core::accounts::passkeys::CEREMONY_SECONDS / 10),
            },
            _ => ApiError::Unprocessable {
                code,
                message,
                issues: None,
            },
        }
    }
}

impl From<tokio::task::JoinError> for ApiError {
    fn from(e: tokio::task::JoinError) -> Self {
        ApiError::internal(format!("blocking task: {e}"))
    }
}
