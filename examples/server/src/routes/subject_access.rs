//! `POST /subject-access`: what the ministry holds about one person, for the directorate to
//! hand to them (`siproc_core::subject_access`). The search terms travel in the JSON body,
//! never in the URL (URLs end up in proxies' and servers' logs). The answer is the report as
//! JSON, or as a PDF in the person's language (`"format": "pdf"` or `Accept:
//! application/pdf`). Every export is written to the audit log with counts only, and each case
//! it reports to the access log (`export`, as every read of a case is).

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use serde::Deserialize;
use siproc_core::Locale;
use siproc_core::access::{Access, AccessEntry, ReadKind};
use siproc_core::audit::AuditEvent;
use siproc_core::subject_access::{self, SubjectAccessError, SubjectQuery};

use crate::auth::Caller;
use crate::client::Client;
use crate::error::{ApiError, ErrorBody};
use crate::json::JsonBody;
use crate::routes::shared::{blocking, directorate_only};
use crate::schema;
use crate::state::SharedState;

/// The route.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new().route("/subject-access", post(subject_access))
}

/// What `POST /subject-access` answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReportFormat {
    /// The report as JSON (`SubjectReport`).
    Json,
    /// The report as a PDF, in `locale`.
    Pdf,
}

/// Body of `POST /subject-access`: whom to look for, and how to answer.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SubjectAccessRequest {
    /// An identity document number (compared on letters and digits only).
    #[schema(max_length = 100)]
    pub document_number: Option<String>,
    /// Words of the person's name, in any order, without regard to accents or case.
    #[schema(max_length = 300)]
    pub name: Option<String>,
    /// `json` (the default) or `pdf`; `Accept: application/pdf` asks for the PDF too.
    pub format: Option<ReportFormat>,
    /// The person's language for the PDF: `es` (the default) or `en`.
    #[schema(example = "es")]
    pub locale: Option<String>,
}

/// Report what is held about one person.
#[utoipa::path(post, path = "/subject-access", tag = "access",
    description = "Subject access (directorate only): finds every case holding the person with this document number and/or name (through the search index, blind in an encrypted store; one person of a case must hold every term) and reports what is held: the person's values, the case's facts, notes and services, the history records holding personal values, who read each case (the access log) and the partners it was shared with. Other persons of a case appear by role only. Terms go in the body, never the URL. The answer is JSON, or a PDF in the person's language with `\"format\": \"pdf\"` or `Accept: application/pdf`. Every export is written to the audit log (`subject_access`, counts only).",
    request_body = SubjectAccessRequest,
    responses(
        (status = 200, description = "The report", content(
            (schema::SubjectReport = "application/json"),
            (schema::Binary = "application/pdf"))),
        (status = 400, description = "Malformed JSON (`http.malformed_json`) or an unknown locale (`siproc.unknown_locale`)", body = ErrorBody),
        (status = 403, description = "Not the directorate (`access.directorate_only`)", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB (`http.body_too_large`)", body = ErrorBody),
        (status = 422, description = "Not a request (`http.wrong_shape`), neither a document number nor a name (`subject_access.no_terms`), too many name words (`store.too_many_name_words`), or a value the PDF's fonts cannot print (`forms.missing_glyph`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn subject_access(
    State(state): State<SharedState>,
    client: Client,
    Caller(actor): Caller,
    headers: HeaderMap,
    JsonBody(body): JsonBody<SubjectAccessRequest>,
) -> Result<Response, ApiError> {
    directorate_only(actor.role)?;
    let locale = match body.locale.as_deref() {
        Some(tag) => Locale::from_tag(tag).map_err(ApiError::Misuse)?,
        None => Locale::Es,
    };
    let wants_pdf = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/pdf"));
    let format = body.format.unwrap_or(if wants_pdf {
        ReportFormat::Pdf
    } else {
        ReportFormat::Json
    });
    let query = SubjectQuery {
        document_number: body.document_number,
        name: body.name,
    };
    blocking(&state, move |s| {
        let now = Utc::now();
        let report = subject_access::find(s.store.as_ref(), &s.db, &query, now).map_err(refusal)?;
        let pdf = match format {
            ReportFormat::Pdf => {
                Some(subject_access::render_pdf(&report, &s.catalog, locale).map_err(refusal)?)
            }
            ReportFormat::Json => None,
        };
        // Each case reported was read in full: the access log says so, as for an export.
        let reads: Vec<AccessEntry> = report
            .cases
            .iter()
            .map(|c| {
                AccessEntry::new(
                    &actor,
                    c.case_id,
                    ReadKind::Export,
                    Access::AllCases,
                    now,
                    None,
                )
            })
            .collect();
        s.db.log_accesses(&reads)?;
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        s.audit(
            &actor,
            &client,
            AuditEvent::SubjectAccess {
                fields: query.fields(),
                format: if pdf.is_some() { "pdf" } else { "json" }.to_owned(),
                cases: count(report.cases.len()),
                reads: count(report.reads()),
                shares: count(report.shares()),
            },
        )?;
        Ok(match pdf {
            Some(bytes) => (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/pdf"),
                )],
                bytes,
            )
                .into_response(),
            None => Json(report).into_response(),
        })
    })
    .await
}

/// The API's answer to a report that cannot be made.
fn refusal(e: SubjectAccessError) -> ApiError {
    match e {
        SubjectAccessError::Store(e) => e.into(),
        other => ApiError::Unprocessable {
            code: other.code(),
            message: other.to_string(),
            issues: None,
        },
    }
}
