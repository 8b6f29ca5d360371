//! `POST /forms/signed-copies`: a scanned signed form, filed into the case its QR code names.
//! One file per request (the web application's bulk page sends a pile one by one); the answer
//! says which case and form it was filed to, or why it was refused.
//!
//! The core reads the code and files the copy ([`siproc_core::attachments`]); this module
//! finds the case from the code through the form-check route's registry
//! ([`crate::routes::form_check`], which follows the store's feed), and holds the case's
//! visibility: a case the caller may not see, or may not write (role, office), answers exactly
//! as a code no form has (`404 signed_copy.unknown_form`), so the route tells nobody which
//! cases exist.

use std::sync::Arc;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json};
use chrono::Utc;
use serde::Serialize;
use siproc_core::attachments::{self, AttachError, Attached, Filing};
use siproc_core::forms::verification::IssuedForm;
use siproc_core::history::AddedAttachment;
use siproc_core::workflow::WorkflowError;
use siproc_core::{Actor, Locale};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::routes::attachments::{download_href, read_upload};
use crate::routes::cases::visible_case;
use crate::routes::form_check::FormChecks;
use crate::routes::shared::{blocking, etag};
use crate::schema;
use crate::state::{AppState, SharedState};

/// A signed copy filed: where, and the file as recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SignedCopyFiled {
    /// The case it was filed to.
    pub case_id: Uuid,
    /// That case's number.
    pub case_number: String,
    /// The form's id in the catalog.
    pub form: String,
    /// The form's title in Spanish.
    pub title_es: String,
    /// The form's title in English (Spanish when the pack has none).
    pub title_en: String,
    /// The verification code of the printing it signs (`3F2A-9C1B-7E04`).
    pub code: String,
    /// The file as recorded (its `signs` names the form).
    #[schema(value_type = schema::FiledAttachment)]
    pub attachment: AddedAttachment,
    /// `false` when the case already held this very file (nothing new was recorded).
    pub added: bool,
}

/// The route's router (merged into the form-check router, whose registry it shares).
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new().route(
        "/forms/signed-copies",
        post(file_signed_copy).layer(DefaultBodyLimit::disable()),
    )
}

/// Whether a refusal of the filing says that `actor` may not write the case (role, office): it
/// is then answered as an unknown form.
fn may_not_write(e: &AttachError) -> bool {
    matches!(
        e,
        AttachError::Rejected(
            WorkflowError::RoleNotAllowed { .. } | WorkflowError::WrongOffice { .. }
        )
    )
}

/// Files `prepared` into the first of `forms`' cases that `actor` may see and write.
fn file_to_visible(
    s: &AppState,
    actor: &Actor,
    forms: Vec<IssuedForm>,
    prepared: &attachments::Prepared,
    description: Option<&str>,
) -> Result<(IssuedForm, Attached), ApiError> {
    for issued in forms {
        match visible_case(s, actor, issued.case_id, None) {
            Ok(_) => {}
            Err(ApiError::NotFound) => continue,
            Err(e) => return Err(e),
        }
        let filing = Filing {
            description,
            expected_version: None,
            signed_copy_only: true,
        };
        match attachments::file(
            s.store.as_ref(),
            s.blobs.as_ref(),
            actor,
            issued.case_id,
            prepared,
            filing,
            Utc::now(),
        ) {
            Ok(attached) => return Ok((issued, attached)),
            Err(e) if may_not_write(&e) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AttachError::UnknownForm.into())
}

/// File a scanned signed form into the case its QR code names.
#[utoipa::path(post, path = "/forms/signed-copies", tag = "cases",
    description = "Files one scanned or photographed signed form (PDF, JPEG, PNG or WebP; a raw body with its `Content-Type`, or `multipart/form-data` with the fields `file` and `description`) as the signed copy of the form its QR code names, in that form's case. The file is checked as an attachment is (size, type, metadata stripped); the QR code is read on the page (a scanned PDF's page images, or the image), and the form it names is found among the forms this system generated. The caller must be allowed to write that case: a case the caller may not see or write answers as a code no form has (`signed_copy.unknown_form`). No `If-Match`: the case is not known before the code is read, and the copy is added at the case's current version.",
    params(("X-Attachment-Description" = Option<String>, Header, description = "What the file is (raw uploads; no personal data, at most 300 characters)")),
    request_body(content(
        (schema::Binary = "application/pdf"),
        (schema::Binary = "image/jpeg"),
        (schema::Binary = "image/png"),
        (schema::Binary = "image/webp"),
        (crate::routes::attachments::AttachmentForm = "multipart/form-data"),
    ), description = "The scan"),
    responses(
        (status = 201, description = "Filed: the case and form, and the file as recorded", body = SignedCopyFiled, headers(
            ("ETag" = String, description = "The case's new version, in quotes"),
            ("Location" = String, description = "Where to download the file"))),
        (status = 200, description = "The case already holds this file as that form's signed copy", body = SignedCopyFiled),
        (status = 400, description = "A body that cannot be read (`http.bad_body`)", body = ErrorBody),
        (status = 403, description = "The workflow refuses the addition for another reason than the caller's role or office (`workflow.*`)", body = ErrorBody),
        (status = 404, description = "The QR code names no form this caller may file to: unknown, or of a case the caller may not see or write (`signed_copy.unknown_form`)", body = ErrorBody),
        (status = 409, description = "The case moved on while the copy was filed (`store.conflict`): send it again", body = ErrorBody),
        (status = 413, description = "Larger than the configured limit (`http.body_too_large`, `attachment.too_large`)", body = ErrorBody),
        (status = 415, description = "Not PDF, JPEG, PNG or WebP (`attachment.media_type_not_allowed`), or the bytes are not of the declared type (`attachment.media_type_mismatch`)", body = ErrorBody),
        (status = 422, description = "No form's QR code can be read on the page (`signed_copy.no_code`); an image or PDF that cannot be read, or carries JavaScript or embedded files (`attachment.*`); a description too long (`workflow.too_long`); a case whose status takes no attachment (`workflow.*`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn file_signed_copy(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Extension(checks): Extension<Arc<FormChecks>>,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, ApiError> {
    let received = read_upload(&state, &headers, request).await?;
    let (issued, attached) = blocking(&state, move |s| {
        let prepared = attachments::prepare(
            &received.content,
            received.declared.as_deref(),
            &s.attachment_limits,
        )?;
        let code = prepared.code.clone().ok_or(AttachError::NoCode)?;
        let forms = checks.find(s.store.as_ref(), &code)?;
        file_to_visible(s, &actor, forms, &prepared, received.description.as_deref())
    })
    .await?;
    let status = if attached.added {
        state.feed.written();
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let template = state.catalog.form(&issued.form);
    let title =
        |locale| template.map_or_else(|| issued.form.clone(), |t| t.title.get(locale).to_owned());
    let href = download_href(&attached.case, &attached.attachment.sha256);
    let body = SignedCopyFiled {
        case_id: attached.case.id,
        case_number: attached.case.number.clone(),
        form: issued.form.clone(),
        title_es: title(Locale::Es),
        title_en: title(Locale::En),
        code: issued.code.clone(),
        attachment: AddedAttachment::new(attached.attachment, attached.signs),
        added: attached.added,
    };
    let mut response = (status, Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(attached.case.version));
    if let Ok(location) = HeaderValue::from_str(&href) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}
