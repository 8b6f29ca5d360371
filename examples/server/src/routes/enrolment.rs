//! Enrolment through a single-use link (`siproc-server user create` or `user enrol` prints it):
//! `POST /enrolment/lookup` says whose link it is and proposes the second factor's secret (the
//! page shows it as a QR code); `POST /enrolment` sets the password and the second factor (the
//! first code proves the application works) and answers ten recovery codes, shown this once.
//!
//! The link's secret travels in the body, never in a URL (the web page reads it from its own
//! address's fragment, which no server sees). The store keeps only its SHA-256; the proposed
//! second-factor secret is derived from it ([`siproc_core::accounts::totp::enrolment_secret`]),
//! so nothing secret waits in the database. Completing an enrolment ends the user's open
//! sessions (new credentials), and goes to the audit log without any secret.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use chrono::Utc;
use serde::{Deserialize, Serialize};
use siproc_core::accounts::{password, recovery, totp};
use siproc_core::audit::AuditEvent;
use siproc_core::store::Enrolment;

use crate::client::Client;
use crate::db::token_hash;
use crate::error::{ApiError, ErrorBody};
use crate::json::JsonBody;
use crate::routes::shared::blocking;
use crate::state::SharedState;

/// The name authenticator applications show for siproc's accounts.
pub const ISSUER: &str = "siproc";

/// The enrolment routes.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/enrolment/lookup", post(lookup))
        .route("/enrolment", post(enrol))
}

/// An enrolment link's secret.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrolmentLink {
    /// The secret of the link (the part after `#/enrol/`).
    pub link: String,
}

impl std::fmt::Debug for EnrolmentLink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("EnrolmentLink { .. }")
    }
}

/// What a live link offers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EnrolmentOffer {
    /// The user's login.
    pub login: String,
    /// The user's display name.
    pub display_name: String,
    /// The second factor's secret in base32, to type into an authenticator application.
    pub totp_secret: String,
    /// The `otpauth://` link to show as a QR code.
    pub otpauth_uri: String,
    /// That link as a QR code: an SVG image.
    pub otpauth_qr_svg: String,
}

/// What completes an enrolment.
#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CompleteEnrolment {
    /// The secret of the link.
    pub link: String,
    /// The chosen password (12 to 128 characters, not the login, not a common password).
    pub password: String,
    /// The code the authenticator application shows now (after reading the offered secret).
    pub code: String,
}

impl std::fmt::Debug for CompleteEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CompleteEnrolment { .. }")
    }
}

/// A finished enrolment: the recovery codes, shown this once.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Enrolled {
    /// The user's login.
    pub login: String,
    /// Ten single-use recovery codes: each signs in once instead of a code. Only their hashes
    /// are kept; they are not shown again.
    pub recovery_codes: Vec<String>,
}

/// Hours an enrolment link works by default.
pub const LINK_HOURS: u32 = 72;

/// Opens an enrolment for `login` for `hours` from `now`: a new single-use link (the store
/// keeps its hash; an earlier pending link stops working). Answers the link's secret and when
/// it expires; [`link`] makes the address to give the user.
pub fn issue(
    db: &siproc_core::store::Records,
    login: &str,
    hours: u32,
    now: chrono::DateTime<Utc>,
) -> Result<(String, chrono::DateTime<Utc>), Box<dyn std::error::Error + Send + Sync>> {
    let secret = crate::session::new_secret()?;
    let expires_at = now + chrono::TimeDelta::hours(i64::from(hours));
    db.begin_enrolment(login, &token_hash(&secret), expires_at, now)?;
    Ok((secret, expires_at))
}

/// The address of the web application's enrolment page for the link `secret` at `origin`
/// (the secret in the fragment, which browsers never send to a server).
pub fn link(origin: &str, secret: &str) -> String {
    format!("{}/#/enrol/{secret}", origin.trim_end_matches('/'))
}

/// 404 `accounts.enrolment_unknown`.
fn unknown_link() -> ApiError {
    ApiError::Missing {
        code: "accounts.enrolment_unknown",
        message: "this enrolment link is unknown, used, expired, or its user is disabled"
            .to_owned(),
    }
}

/// An `otpauth://` link as a QR code (an SVG image, at least 200 pixels square), for the
/// authenticator application to read.
pub fn qr_svg(uri: &str) -> Result<String, ApiError> {
    let qr = qrcode::QrCode::new(uri.as_bytes()).map_err(ApiError::internal)?;
    Ok(qr
        .render::<qrcode::render::svg::Color>()
        .min_dimensions(200, 200)
        .build())
}

/// 422 `accounts.wrong_code`: a code that does not match an offered secret.
pub fn wrong_code() -> ApiError {
    ApiError::Unprocessable {
        code: "accounts.wrong_code",
        message: "the code does not match the offered secret at this time".to_owned(),
        issues: None,
    }
}

/// What an enrolment link offers.
#[utoipa::path(post, path = "/enrolment/lookup", tag = "session",
    description = "Says whose a single-use enrolment link is and proposes the second factor's secret (base32 and `otpauth://` link, for a QR code). Changes nothing: the link stays usable until `POST /enrolment` or its expiry. No token needed.",
    request_body = EnrolmentLink,
    responses(
        (status = 200, description = "The link's user and the proposed second factor", body = EnrolmentOffer),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 404, description = "Unknown, used or expired link, or a disabled user (`accounts.enrolment_unknown`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not an `EnrolmentLink` (`http.wrong_shape`)", body = ErrorBody),
        (status = 500, description = "A fault of the server (`server.internal`)", body = ErrorBody),
    ),
    security(()))]
pub async fn lookup(
    State(state): State<SharedState>,
    JsonBody(ask): JsonBody<EnrolmentLink>,
) -> Result<Json<EnrolmentOffer>, ApiError> {
    blocking(&state, move |s| {
        let hash = token_hash(&ask.link);
        let login =
            s.db.enrolment_user(&hash, Utc::now())?
                .ok_or_else(unknown_link)?;
        let user = s.db.user(&login)?.ok_or_else(unknown_link)?;
        let secret = totp::enrolment_secret(&ask.link);
        let uri = totp::otpauth_uri(&secret, ISSUER, &user.id);
        Ok(Json(EnrolmentOffer {
            totp_secret: totp::secret_base32(&secret),
            otpauth_qr_svg: qr_svg(&uri)?,
            otpauth_uri: uri,
            login: user.id,
            display_name: user.display_name,
        }))
    })
    .await
}

/// Complete an enrolment.
#[utoipa::path(post, path = "/enrolment", tag = "session",
    description = "Uses a single-use enrolment link: sets the password and the second factor (`code` is the authenticator application's current code for the secret `POST /enrolment/lookup` proposed) and answers ten recovery codes, shown this once. The user's open sessions end. No token needed.",
    request_body = CompleteEnrolment,
    responses(
        (status = 201, description = "Enrolled: the recovery codes", body = Enrolled),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 404, description = "Unknown, used or expired link, or a disabled user (`accounts.enrolment_unknown`)", body = ErrorBody),
        (status = 413, description = "Body over the limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a `CompleteEnrolment` (`http.wrong_shape`); a password refused (`accounts.password_too_short`, `accounts.password_too_long`, `accounts.password_common`, `accounts.password_is_login`); a code that does not match (`accounts.wrong_code`)", body = ErrorBody),
        (status = 500, description = "A fault of the server (`server.internal`)", body = ErrorBody),
    ),
    security(()))]
pub async fn enrol(
    State(state): State<SharedState>,
    client: Client,
    JsonBody(ask): JsonBody<CompleteEnrolment>,
) -> Result<(StatusCode, Json<Enrolled>), ApiError> {
    blocking(&state, move |s| {
        let now = Utc::now();
        let hash = token_hash(&ask.link);
        let login = s.db.enrolment_user(&hash, now)?.ok_or_else(unknown_link)?;
        password::check_password(&ask.password, &login)?;
        let secret = totp::enrolment_secret(&ask.link);
        let unix = u64::try_from(now.timestamp()).unwrap_or(0);
        let step = totp::verify_code(&secret, &ask.code, unix, None).ok_or_else(wrong_code)?;
        let (codes, hashes) = recovery::new_codes();
        let enrolment = Enrolment {
            password_hash: password::hash_password(&ask.password),
            totp_secret: secret.to_vec(),
            totp_step: step,
            recovery: hashes,
        };
        let login =
            s.db.complete_enrolment(&hash, &enrolment, now)?
                .ok_or_else(unknown_link)?;
        s.db.end_sessions_of(&login, now)?;
        let user = s.db.user(&login)?;
        let event = AuditEvent::Enrolled {
            target: login.clone(),
        };
        s.audit_for(user.as_ref(), &client, event)?;
        Ok((
            StatusCode::CREATED,
            Json(Enrolled {
                login,
                recovery_codes: codes,
            }),
        ))
    })
    .await
}
