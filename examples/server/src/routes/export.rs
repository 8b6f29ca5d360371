//! Bulk export needs two people or a key the server does not hold. `GET /archive` answers
//! every case either for an export request that a second directorate user approved (four
//! eyes: `POST /archive/requests`, `POST /archive/requests/{id}/approve`, then one download by
//! the requester), or, when the server is configured with a recipient's public key, encrypted
//! to it in the `age` format — whose identity (private key) the server never holds. Either
//! way the archive is streamed: written a piece at a time as the store is read, never whole in
//! memory, and every case's access-log line is written before a byte of it leaves.
//!
//! `age` (the `age` crate, by the format's authors' reference implementation's maintainers)
//! is the encryption: a small, well-specified format (X25519 recipients, ChaCha20-Poly1305 in
//! 64 KiB chunks) whose streaming writer fits a streamed archive, with a command-line tool
//! (`age -d -i key.txt`) the ministry can decrypt with; nothing here is hand-written.

use std::cell::RefCell;
use std::io::Write;
use std::rc::Rc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use chrono::Utc;
use serde::Deserialize;
use siproc_core::access::{Access, AccessEntry, ReadKind};
use siproc_core::archive::{self, ExportRefusal, ExportRequest};
use siproc_core::audit::AuditEvent;
use siproc_core::store::CaseQuery;
use tokio::sync::mpsc;

use crate::auth::Caller;
use crate::client::Client;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{Path, Query};
use crate::routes::admin::archive_error;
use crate::routes::shared::{blocking, directorate_only};
use crate::schema;
use crate::state::{AppState, SharedState};

/// The routes of export requests (`GET /archive` is routed with the import, in `admin`).
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/archive/requests", post(request_export))
        .route("/archive/requests/{id}/approve", post(approve_export))
}

/// How many bytes of the archive are sent at a time (at least: a piece ends after a case).
const PIECE: usize = 256 * 1024;

/// Pieces waiting for the client before the export waits in turn.
const QUEUE: usize = 4;

fn refusal(e: ExportRefusal) -> ApiError {
    match e {
        ExportRefusal::NotDirectorate | ExportRefusal::OwnRequest | ExportRefusal::NotApproved => {
            ApiError::Forbidden {
                code: e.code(),
                message: e.to_string(),
            }
        }
        other => ApiError::Conflicting {
            code: other.code(),
            message: other.to_string(),
        },
    }
}

/// Ask to export every case.
#[utoipa::path(post, path = "/archive/requests", tag = "archive",
    description = "Asks to export every case. Another directorate user must approve the request before its requester downloads the archive (`GET /archive?request=ID`), once. Written to the audit log. Directorate only.",
    responses(
        (status = 201, description = "The pending request", body = schema::ExportRequest),
        (status = 403, description = "Not the directorate (`access.directorate_only`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn request_export(
    State(state): State<SharedState>,
    client: Client,
    Caller(actor): Caller,
) -> Result<(StatusCode, Json<ExportRequest>), ApiError> {
    directorate_only(actor.role)?;
    let request = blocking(&state, move |s| {
        let request = s.db.request_export(&actor.user_id, Utc::now())?;
        s.audit(
            &actor,
            &client,
            AuditEvent::ExportRequested {
                request: request.id,
            },
        )?;
        Ok(request)
    })
    .await?;
    Ok((StatusCode::CREATED, Json(request)))
}

/// Approve another directorate user's export request.
#[utoipa::path(post, path = "/archive/requests/{id}/approve", tag = "archive",
    description = "Approves a pending export request of another directorate user (four eyes: never one's own). Written to the audit log. Directorate only.",
    params(("id" = u64, Path, description = "The request's number", minimum = 1)),
    responses(
        (status = 200, description = "The approved request", body = schema::ExportRequest),
        (status = 400, description = "The id is not a number (`http.bad_path`)", body = ErrorBody),
        (status = 403, description = "Not the directorate (`access.directorate_only`), or one's own request (`archive.own_request`)", body = ErrorBody),
        (status = 404, description = "No such request (`store.not_found`)", body = ErrorBody),
        (status = 409, description = "The request was approved already (`archive.not_pending`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn approve_export(
    State(state): State<SharedState>,
    client: Client,
    Caller(actor): Caller,
    Path(id): Path<u64>,
) -> Result<Json<ExportRequest>, ApiError> {
    directorate_only(actor.role)?;
    let request = blocking(&state, move |s| {
        let request = s.db.export_request(id)?.ok_or(ApiError::NotFound)?;
        request.may_approve(&actor).map_err(refusal)?;
        if !s.db.approve_export(id, &actor.user_id, Utc::now())? {
            // Approved by someone else meanwhile.
            return Err(refusal(ExportRefusal::NotPending));
        }
        s.audit(
            &actor,
            &client,
            AuditEvent::ExportApproved {
                request: id,
                requester: request.requested_by,
            },
        )?;
        s.db.export_request(id)?.ok_or(ApiError::NotFound)
    })
    .await?;
    Ok(Json(request))
}

/// Query of `GET /archive`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportParams {
    /// The approved export request of the caller (not needed when the server encrypts
    /// exports to a recipient).
    #[param(minimum = 1)]
    request: Option<u64>,
}

/// The archive's bytes on their way out: what the archive (or `age`'s writer over it) has
/// written and not yet sent, and the access-log lines of the cases in it.
#[derive(Default)]
struct Outbox {
    bytes: Vec<u8>,
    log: Vec<AccessEntry>,
}

/// The writer the archive (or `age`) writes into: it only collects; [`send`] sends.
struct Collect(Rc<RefCell<Outbox>>);

impl Write for Collect {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.borrow_mut().bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Where the archive is written: as it is, or through `age`'s encrypting writer, which must be
/// finished (its last chunk sealed) once the archive ends.
enum Sink {
    Plain(Collect),
    Age(age::stream::StreamWriter<Collect>),
}

impl Sink {
    /// Ends the archive: `age`'s last chunk is sealed and written.
    fn finish(self) -> std::io::Result<()> {
        match self {
            Sink::Plain(_) => Ok(()),
            Sink::Age(w) => w.finish().map(drop),
        }
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match self {
            Sink::Plain(w) => w.write(buf),
            Sink::Age(w) => w.write(buf),
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        match self {
            Sink::Plain(w) => w.flush(),
            Sink::Age(w) => w.flush(),
        }
    }
}

/// Sends what `outbox` holds (when it holds `at_least` bytes): first the access-log lines of
/// the cases written so far, durably, then their bytes. Every byte collected comes from cases
/// whose lines are in the outbox, so no case leaves before its read is logged.
fn send(
    s: &AppState,
    outbox: &RefCell<Outbox>,
    to: &mpsc::Sender<Result<Bytes, std::io::Error>>,
    at_least: usize,
) -> Result<(), ApiError> {
    let mut out = outbox.borrow_mut();
    if out.bytes.len() < at_least {
        return Ok(());
    }
    if !out.log.is_empty() {
        s.db.log_accesses(&out.log)?;
        out.log.clear();
    }
    let bytes = Bytes::from(std::mem::take(&mut out.bytes));
    if !bytes.is_empty() {
        to.blocking_send(Ok(bytes))
            .map_err(|_| ApiError::internal("the client left during an export"))?;
    }
    Ok(())
}

/// Writes every case's archive (encrypted to `recipient` when given) to `to`, piece by piece.
fn stream_archive(
    s: &AppState,
    actor: &siproc_core::Actor,
    recipient: Option<&age::x25519::Recipient>,
    to: &mpsc::Sender<Result<Bytes, std::io::Error>>,
) -> Result<(), ApiError> {
    let outbox = Rc::new(RefCell::new(Outbox::default()));
    let now = Utc::now();
    let mut sink = match recipient {
        Some(r) => Sink::Age(
            age::Encryptor::with_recipients(std::iter::once(r as &dyn age::Recipient))
                .map_err(ApiError::internal)?
                .wrap_output(Collect(outbox.clone()))
                .map_err(ApiError::internal)?,
        ),
        None => Sink::Plain(Collect(outbox.clone())),
    };
    let mut failed = None;
    archive::export_with(
        s.store.as_ref(),
        Some(s.blobs.as_ref()),
        &CaseQuery::default(),
        &mut sink,
        now,
        &mut |case| {
            outbox.borrow_mut().log.push(AccessEntry::new(
                actor,
                case.id,
                ReadKind::Export,
                Access::AllCases,
                now,
                None,
            ));
            if failed.is_none() {
                failed = send(s, &outbox, to, PIECE).err();
            }
        },
    )
    .map_err(archive_error)?;
    if let Some(e) = failed {
        return Err(e);
    }
    sink.finish().map_err(ApiError::internal)?;
    send(s, &outbox, to, 0)
}

/// Export every case as an archive (JSON lines), streamed; every exported case is written to
/// the access log before its bytes are sent.
#[utoipa::path(get, path = "/archive", tag = "archive", params(ExportParams),
    description = "Every case's whole history as a siproc archive: JSON lines (a header, one line per case, a trailer with counts and a digest), streamed. Needs two people or a key the server does not hold: the caller's export request approved by another directorate user (`request`, one download), or, when the server is configured with a recipient (`--export-recipient`), the archive encrypted to it in the age format (`application/octet-stream`). Every exported case is written to the access log before its bytes leave; the download is written to the audit log. Directorate only.",
    responses(
        (status = 200, description = "The archive (JSON lines), or the archive encrypted to the configured age recipient", content(
            (schema::Binary = "application/x-ndjson"),
            (schema::Binary = "application/octet-stream"))),
        (status = 400, description = "A bad query parameter (`http.bad_query`)", body = ErrorBody),
        (status = 403, description = "Not the directorate (`access.directorate_only`), or no approved request of the caller's that is still unused (`archive.approval_required`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn export(
    State(state): State<SharedState>,
    client: Client,
    Caller(actor): Caller,
    Query(params): Query<ExportParams>,
) -> Result<Response, ApiError> {
    directorate_only(actor.role)?;
    let recipient = state.policy.export_recipient.clone();
    let encrypted = recipient.is_some();
    let checker = actor.clone();
    blocking(&state, move |s| {
        let request = match (encrypted, params.request) {
            (true, _) => None,
            (false, None) => return Err(refusal(ExportRefusal::NotApproved)),
            (false, Some(id)) => {
                let request =
                    s.db.export_request(id)?
                        .ok_or(refusal(ExportRefusal::NotApproved))?;
                request.may_download(&checker).map_err(refusal)?;
                if !s.db.claim_export(id, &checker.user_id, Utc::now())? {
                    return Err(refusal(ExportRefusal::NotApproved));
                }
                Some(id)
            }
        };
        s.audit(
            &checker,
            &client,
            AuditEvent::ExportDownloaded { request, encrypted },
        )?;
        Ok(())
    })
    .await?;
    let (to, from) = mpsc::channel(QUEUE);
    let writer = state.clone();
    tokio::task::spawn_blocking(move || {
        if let Err(e) = stream_archive(&writer, &actor, recipient.as_ref(), &to) {
            // Logged by the error type; the client sees a cut archive (no trailer), which an
            // import refuses.
            let _ = e.into_response();
            let _ = to.blocking_send(Err(std::io::Error::other("the export failed")));
        }
    });
    let content_type = if encrypted {
        "application/octet-stream"
    } else {
        "application/x-ndjson"
    };
    Ok((
        [(header::CONTENT_TYPE, HeaderValue::from_static(content_type))],
        axum::body::Body::from_stream(tokio_stream::wrappers::ReceiverStream::new(from)),
    )
        .into_response())
}
