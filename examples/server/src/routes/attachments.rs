//! `/cases/{id}/attachments`: files added to the case file and read back. The core checks,
//! encrypts, keeps and records them ([`siproc_core::attachments`]); this module reads the
//! upload (a raw body with its `Content-Type`, or `multipart/form-data` from the web form) and
//! answers the download (and an image's thumbnail, which the core renders) with headers that
//! keep a browser from running it or keeping it.

use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, FromRequest, Multipart, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::Utc;
use siproc_core::access::ReadKind;
use siproc_core::attachments::{self, AttachError, Upload};
use siproc_core::history::AddedAttachment;
use siproc_core::{Actor, Case};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IfMatch, Path};
use crate::routes::cases::visible_case;
use crate::routes::shared::{blocking, etag};
use crate::schema;
use crate::state::{AppState, SharedState};

/// The header that carries a raw upload's description (UTF-8, at most 300 characters, no
/// personal data; never the file name).
pub const DESCRIPTION_HEADER: &str = "x-attachment-description";

/// The routes under `/cases/{id}/attachments`. The upload's size is checked against the
/// configured limit while it is read (axum's default limit is off for it).
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route(
            "/cases/{id}/attachments",
            post(upload).layer(DefaultBodyLimit::disable()),
        )
        .route("/cases/{id}/attachments/{sha256}", get(download))
        .route("/cases/{id}/attachments/{sha256}/thumbnail", get(thumbnail))
}

/// What the upload route read: the bytes, the declared type and the description.
pub(crate) struct Received {
    /// The file's bytes.
    pub(crate) content: Vec<u8>,
    /// The declared media type.
    pub(crate) declared: Option<String>,
    /// The description.
    pub(crate) description: Option<String>,
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge
}

fn bad_body(message: &str) -> ApiError {
    ApiError::BadRequest {
        code: "http.bad_body",
        message: message.to_owned(),
    }
}

/// Reads a multipart form: the field `file` (its part's `Content-Type` is the declared type)
/// and the optional field `description`. The part's file name is never read.
async fn read_multipart(mut form: Multipart, max: usize) -> Result<Received, ApiError> {
    let mut received = Received {
        content: Vec::new(),
        declared: None,
        description: None,
    };
    let mut file = false;
    while let Some(mut field) = form
        .next_field()
        .await
        .map_err(|_| bad_body("the multipart body cannot be read"))?
    {
        match field.name() {
            Some("file") => {
                file = true;
                received.declared = field.content_type().map(str::to_owned);
                while let Some(chunk) = field
                    .chunk()
                    .await
                    .map_err(|_| bad_body("the multipart body cannot be read"))?
                {
                    if received.content.len() + chunk.len() > max {
                        return Err(too_large());
                    }
                    received.content.extend_from_slice(&chunk);
                }
            }
            Some("description") => {
                let text = field
                    .text()
                    .await
                    .map_err(|_| bad_body("the description is not UTF-8 text"))?;
                received.description = Some(text);
            }
            _ => {}
        }
    }
    if !file {
        return Err(bad_body("the multipart body has no field `file`"));
    }
    Ok(received)
}

/// Reads an upload: a raw body with its `Content-Type` (the description in
/// [`DESCRIPTION_HEADER`]) or a multipart form, under the configured size limit.
pub(crate) async fn read_upload(
    state: &SharedState,
    headers: &HeaderMap,
    request: Request,
) -> Result<Received, ApiError> {
    let max = state.attachment_limits.max_bytes;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    if content_type
        .as_deref()
        .is_some_and(|t| t.starts_with("multipart/form-data"))
    {
        let form = Multipart::from_request(request, state)
            .await
            .map_err(|_| bad_body("the multipart body cannot be read"))?;
        return read_multipart(form, max).await;
    }
    let body = axum::body::to_bytes(request.into_body(), max.saturating_add(1))
        .await
        .map_err(|_| too_large())?;
    if body.len() > max {
        return Err(too_large());
    }
    let description = headers
        .get(DESCRIPTION_HEADER)
        .map(|v| {
            String::from_utf8(v.as_bytes().to_vec())
                .map_err(|_| bad_body("the description header is not UTF-8"))
        })
        .transpose()?;
    Ok(Received {
        content: Bytes::into(body),
        declared: content_type,
        description,
    })
}

/// Add a file to the case file.
#[utoipa::path(post, path = "/cases/{id}/attachments", tag = "cases",
    description = "Adds a file to the case at the version `If-Match` names: a raw body with its `Content-Type` (the description in the `X-Attachment-Description` header) or `multipart/form-data` with the fields `file` and `description`. The core checks it (size; the type sniffed from the bytes must be PDF, JPEG, PNG or WebP and agree with the declared one; images are re-encoded without their metadata, EXIF positions included; PDFs with JavaScript or embedded files are refused), keeps it encrypted with the case's key and records an `attachment_added` event (digest, media type, size, description; never the file name). A scan or photo of a form this case printed is recognised by its QR code and filed as that form's signed copy (`signs` in the answer and the event; the case's `forms` show it received); one whose QR code is another case's form is refused (`signed_copy.other_case`), never filed. A file the case already holds is answered as it is (200), with no new event.",
    params(("id" = Uuid, Path, description = "The case id"),
           ("If-Match" = String, Header, description = "The case's `ETag` (its version in quotes)", pattern = r#"^(W/)?"[0-9]+"$"#),
           ("X-Attachment-Description" = Option<String>, Header, description = "What the file is (raw uploads; no personal data, at most 300 characters)")),
    request_body(content(
        (schema::Binary = "application/pdf"),
        (schema::Binary = "image/jpeg"),
        (schema::Binary = "image/png"),
        (schema::Binary = "image/webp"),
        (AttachmentForm = "multipart/form-data"),
    ), description = "The file"),
    responses(
        (status = 201, description = "Added: the attachment as recorded, with the form it is the signed copy of (`signs`) if it is one", body = schema::FiledAttachment, headers(
            ("ETag" = String, description = "The case's new version, in quotes"),
            ("Location" = String, description = "Where to download it"))),
        (status = 200, description = "The case already holds this file: the attachment on file", body = schema::FiledAttachment),
        (status = 400, description = "A bad `If-Match` (`http.bad_if_match`), a bad id (`http.bad_path`), or a body that cannot be read (`http.bad_body`)", body = ErrorBody),
        (status = 403, description = "The workflow refuses the caller's role or office (`workflow.role_not_allowed`, `workflow.wrong_office`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`)", body = ErrorBody),
        (status = 409, description = "The case moved on (`store.conflict`): `current` is its version", body = ErrorBody),
        (status = 413, description = "Larger than the configured limit (`http.body_too_large`, `attachment.too_large`)", body = ErrorBody),
        (status = 415, description = "Not PDF, JPEG, PNG or WebP (`attachment.media_type_not_allowed`), or the bytes are not of the declared type (`attachment.media_type_mismatch`)", body = ErrorBody),
        (status = 422, description = "An image or PDF that cannot be read (`attachment.bad_image`, `attachment.bad_pdf`), a PDF with JavaScript or embedded files (`attachment.pdf_javascript`, `attachment.pdf_embedded_file`), a description too long or an empty file (`workflow.too_long`, `attachment.empty`), a scan whose form QR code belongs to another case (`signed_copy.other_case`), or a status that takes no attachment (`workflow.*`)", body = ErrorBody),
        (status = 428, description = "`If-Match` is missing (`http.if_match_required`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn upload(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
    IfMatch(expected): IfMatch,
    headers: HeaderMap,
    request: Request,
) -> Result<Response, ApiError> {
    let received = read_upload(&state, &headers, request).await?;
    let attached = blocking(&state, move |s| {
        // The case must be visible to the caller before anything is checked or kept.
        visible_case(s, &actor, id, None)?;
        let upload = Upload {
            content: &received.content,
            declared: received.declared.as_deref(),
            description: received.description.as_deref(),
            expected_version: Some(expected),
        };
        Ok(attachments::attach(
            s.store.as_ref(),
            s.blobs.as_ref(),
            &s.attachment_limits,
            &actor,
            id,
            upload,
            Utc::now(),
        )?)
    })
    .await?;
    let status = if attached.added {
        state.feed.written();
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let href = download_href(&attached.case, &attached.attachment.sha256);
    let body = AddedAttachment::new(attached.attachment, attached.signs);
    let mut response = (status, axum::Json(body)).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(attached.case.version));
    if let Ok(location) = HeaderValue::from_str(&href) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

/// The download URL of an attachment.
pub fn download_href(case: &Case, sha256: &str) -> String {
    format!("/api/v1/cases/{}/attachments/{sha256}", case.id)
}

/// The multipart form of an upload.
#[derive(utoipa::ToSchema)]
#[allow(dead_code)]
pub struct AttachmentForm {
    /// The file (its part's `Content-Type` is the declared type; its file name is ignored).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// What the file is (no personal data, at most 300 characters).
    description: Option<String>,
}

/// The file extension of an allowed media type, for the download's name.
fn extension(media_type: &str) -> &'static str {
    match media_type {
        "application/pdf" => "pdf",
        "image/jpeg" => "jpg",
        "image/png" => "png",
        "image/webp" => "webp",
        _ => "bin",
    }
}

/// Download an attachment.
#[utoipa::path(get, path = "/cases/{id}/attachments/{sha256}", tag = "cases",
    description = "One attachment of the case, decrypted and checked against its SHA-256, as a download (`Content-Disposition: attachment`, its media type, `X-Content-Type-Options: nosniff`, `Cache-Control: private, no-store`); the read is written to the access log. Visibility is the case's.",
    params(("id" = Uuid, Path, description = "The case id"),
           ("sha256" = String, Path, description = "The attachment's SHA-256", pattern = r"^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The file, in its media type", content(
            (schema::Binary = "application/pdf"),
            (schema::Binary = "image/jpeg"),
            (schema::Binary = "image/png"),
            (schema::Binary = "image/webp"),
        )),
        (status = 400, description = "The id is not a UUID (`http.bad_path`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`); the case has no such attachment (`attachment.not_found`), or its file was erased with the case's personal data (`attachment.erased`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn download(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path((id, sha256)): Path<(Uuid, String)>,
) -> Result<Response, ApiError> {
    let (attachment, content) = logged_read(&state, actor, id, move |s, case| {
        attachments::attachment(s.store.as_ref(), s.blobs.as_ref(), case, &sha256)
    })
    .await?;
    let name = format!(
        "{}.{}",
        file_stem(&attachment.sha256),
        extension(&attachment.media_type)
    );
    Ok(private_file(
        content,
        &attachment.media_type,
        &format!("attachment; filename=\"{name}\""),
    ))
}

/// An image attachment's thumbnail.
#[utoipa::path(get, path = "/cases/{id}/attachments/{sha256}/thumbnail", tag = "cases",
    description = "A small preview of an image attachment, for the case's list of files: rendered by the core from the kept file (decrypted and checked against its SHA-256) as a JPEG of at most 256 pixels on its long side, written from the pixels alone (no metadata). The same visibility, access log (`attachment`) and headers as the download (`X-Content-Type-Options: nosniff`, `Cache-Control: private, no-store`; `Content-Disposition: inline`). A PDF has no thumbnail (404 `attachment.no_thumbnail`).",
    params(("id" = Uuid, Path, description = "The case id"),
           ("sha256" = String, Path, description = "The attachment's SHA-256", pattern = r"^[0-9a-f]{64}$")),
    responses(
        (status = 200, description = "The thumbnail, a JPEG", content((schema::Binary = "image/jpeg"))),
        (status = 400, description = "The id is not a UUID (`http.bad_path`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`); the case has no such attachment (`attachment.not_found`), its file was erased with the case's personal data (`attachment.erased`), or it is not an image and has no thumbnail (`attachment.no_thumbnail`)", body = ErrorBody),
        (status = 422, description = "The kept image cannot be read (`attachment.bad_image`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn thumbnail(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path((id, sha256)): Path<(Uuid, String)>,
) -> Result<Response, ApiError> {
    let stem = file_stem(&sha256).to_owned();
    let thumbnail = logged_read(&state, actor, id, move |s, case| {
        attachments::thumbnail(s.store.as_ref(), s.blobs.as_ref(), case, &sha256)
    })
    .await?;
    Ok(private_file(
        thumbnail.content,
        thumbnail.media_type,
        &format!("inline; filename=\"{stem}-thumbnail.jpg\""),
    ))
}

/// Reads something of an attachment of case `id` with `read` once the case is visible to
/// `actor`, the read written to the access log (`attachment`) first: the download's and the
/// thumbnail's one path.
async fn logged_read<T: Send + 'static>(
    state: &SharedState,
    actor: Actor,
    id: Uuid,
    read: impl FnOnce(&AppState, &Case) -> Result<T, AttachError> + Send + 'static,
) -> Result<T, ApiError> {
    blocking(state, move |s| {
        let case = visible_case(s, &actor, id, Some(ReadKind::Attachment))?;
        Ok(read(s, &case)?)
    })
    .await
}

/// The name a file is given: the first 16 digits of its SHA-256 (never what the uploader
/// called it).
fn file_stem(sha256: &str) -> &str {
    sha256.get(..16).unwrap_or("file")
}

/// A file of a case as an answer: its media type, never sniffed by the browser, never kept in
/// a shared cache nor on disk (`private, no-store`), with `disposition`.
fn private_file(content: Vec<u8>, media_type: &str, disposition: &str) -> Response {
    let mut response = content.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    if let Ok(v) = HeaderValue::from_str(disposition) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}
