//! `/cases`: registration, lists, the case, commands, history, verification, forms and break
//! the glass. Every read of a case goes through [`visible_case`], which applies the core's
//! visibility rule and writes the access log before the answer leaves.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use siproc_core::access::{self, Access, AccessEntry, Grant, ReadKind, Scope};
use siproc_core::history::{self, Event};
use siproc_core::store::{self, CaseSummary};
use siproc_core::store::{CaseQuery, StoreError};
use siproc_core::{Actor, Case, Locale, parse_intake, workflow};
use uuid::Uuid;

use crate::auth::Caller;
use crate::error::{ApiError, ErrorBody};
use crate::json::{Body, JsonBody, well_formed};
use crate::state::SharedState;

/// Most summaries in one page.
pub const MAX_PAGE: usize = 500;
/// Summaries in a page unless `limit` says otherwise.
pub const DEFAULT_PAGE: usize = 50;

/// Runs `f` on the blocking pool with the state.
pub async fn blocking<T: Send + 'static>(
    state: &SharedState,
    f: impl FnOnce(&crate::state::AppState) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(state.as_ref())).await?
}

/// Whether `actor` may see the case with `scope`, counting their break-the-glass grants.
fn access_to(
    state: &crate::state::AppState,
    actor: &Actor,
    case_id: Uuid,
    scope: Scope<'_>,
) -> Result<Option<(Access, Option<String>)>, ApiError> {
    let now = Utc::now();
    let grants = state.db.grants(&actor.user_id, case_id, now)?;
    Ok(
        access::can_see(actor, case_id, scope, &grants, now).map(|a| {
            let reason = (a == Access::BreakGlass)
                .then(|| grants.first().map(|g| g.reason.clone()))
                .flatten();
            (a, reason)
        }),
    )
}

/// Loads a case the caller may see (404 otherwise, as for a case that does not exist) and,
/// when `what` is given, writes the access-log entry for reading it.
pub fn visible_case(
    state: &crate::state::AppState,
    actor: &Actor,
    case_id: Uuid,
    what: Option<ReadKind>,
) -> Result<Case, ApiError> {
    let case = store::load_case(state.store.as_ref(), case_id)?;
    let (access, reason) =
        access_to(state, actor, case_id, Scope::of(&case))?.ok_or(ApiError::NotFound)?;
    if let Some(what) = what {
        state.db.log_access(&AccessEntry::new(
            actor,
            case_id,
            what,
            access,
            Utc::now(),
            reason,
        ))?;
    }
    Ok(case)
}

fn etag(version: u64) -> HeaderValue {
    HeaderValue::from_str(&format!("\"{version}\"")).unwrap_or(HeaderValue::from_static("\"0\""))
}

fn location(id: Uuid) -> HeaderValue {
    HeaderValue::from_str(&format!("/api/v1/cases/{id}"))
        .unwrap_or(HeaderValue::from_static("/api/v1/cases"))
}

fn summary_response(status: StatusCode, summary: &CaseSummary) -> Response {
    let mut response = (status, Json(summary)).into_response();
    response
        .headers_mut()
        .insert(header::ETAG, etag(summary.version));
    response
}

/// Register a case from an intake.
#[utoipa::path(post, path = "/cases", tag = "cases",
    request_body(content = Object, description = "An intake (see the core's intake schema)"),
    params(("Idempotency-Key" = Option<String>, Header, description = "a retried registration with the same key returns the first result")),
    responses(
        (status = 201, description = "Registered: the case summary", body = Object, headers(("Location" = String), ("ETag" = String))),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The intake's office is not the caller's", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB (`http.body_too_large`) or past the core's limits: nesting, a string, a list (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Invalid intake: `issues` holds the validation report", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn create_case(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    Body(body): Body,
) -> Result<Response, ApiError> {
    well_formed(&body)?;
    let text = std::str::from_utf8(&body).map_err(|_| ApiError::BadRequest {
        code: "http.malformed_json",
        message: "the body is not UTF-8".to_owned(),
    })?;
    let intake = parse_intake(text, Locale::En).map_err(|issue| ApiError::Unprocessable {
        code: "workflow.invalid_intake",
        message: "the intake is not valid".to_owned(),
        issues: Some(vec![issue]),
    })?;
    let key = headers
        .get("idempotency-key")
        .map(|v| {
            v.to_str()
                .ok()
                .filter(|k| !k.is_empty() && k.len() <= 200)
                .map(str::to_owned)
                .ok_or(ApiError::BadRequest {
                    code: "http.bad_idempotency_key",
                    message: "Idempotency-Key must be 1 to 200 visible ASCII characters".to_owned(),
                })
        })
        .transpose()?;
    let _serial = match &key {
        Some(_) => Some(state.idempotent_registration.lock().await),
        None => None,
    };
    let feed_state = state.clone();
    let (summary, new_events) = blocking(&state, move |s| {
        if let Some(key) = &key
            && let Some(first) = s.db.idempotent_case(&actor.user_id, key)?
        {
            return Ok((s.store.summary(first)?, false));
        }
        let case = store::open_case(s.store.as_ref(), &s.catalog, &actor, &intake, Utc::now())?;
        if let Some(key) = &key {
            s.db.remember_key(&actor.user_id, key, case.id)?;
        }
        Ok((CaseSummary::of(&case), true))
    })
    .await?;
    if new_events {
        feed_state.feed.written();
    }
    let mut response = summary_response(StatusCode::CREATED, &summary);
    response
        .headers_mut()
        .insert(header::LOCATION, location(summary.id));
    Ok(response)
}

/// Query of `GET /cases` (all optional).
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListParams {
    /// Office code.
    office: Option<String>,
    /// Status (`registered`, `in_progress`, …).
    status: Option<String>,
    /// Category code.
    category: Option<String>,
    /// Identity document number (letters and digits compared).
    document: Option<String>,
    /// Words of a name (accents and case ignored).
    name: Option<String>,
    /// Page size (1 to 500, default 50).
    limit: Option<String>,
    /// The `next` of the previous page.
    cursor: Option<String>,
}

/// A page of summaries.
#[derive(Debug, Serialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The cursor of the next page, or null at the end.
    pub next: Option<String>,
}

/// A 400 for a bad query parameter (`http.bad_query`), naming the parameter only.
pub fn bad_query(what: &str) -> ApiError {
    ApiError::BadRequest {
        code: "http.bad_query",
        message: format!("the query parameter {what} is not valid"),
    }
}

/// Parses an optional moment (RFC 3339) of the query parameter `what`.
pub fn moment(raw: Option<&str>, what: &str) -> Result<Option<chrono::DateTime<Utc>>, ApiError> {
    raw.map(|s| {
        chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| t.with_timezone(&Utc))
            .map_err(|_| bad_query(what))
    })
    .transpose()
}

/// Parses a page size.
pub fn page_size(limit: Option<&str>, default: usize, max: usize) -> Result<usize, ApiError> {
    match limit {
        None => Ok(default),
        Some(s) => s
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| bad_query("limit")),
    }
}

/// List case summaries (no personal data), paged.
#[utoipa::path(get, path = "/cases", tag = "cases", params(ListParams),
    responses(
        (status = 200, description = "`{\"items\": [summary…], \"next\": cursor-or-null}`", body = Object),
        (status = 400, description = "A bad query parameter", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role sees no case", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn list_cases(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<Page<CaseSummary>>, ApiError> {
    let limit = page_size(params.limit.as_deref(), DEFAULT_PAGE, MAX_PAGE)?;
    let status = params
        .status
        .as_deref()
        .map(|s| {
            serde_json::from_value(Value::String(s.to_owned())).map_err(|_| bad_query("status"))
        })
        .transpose()?;
    let query = CaseQuery {
        office: params.office,
        status,
        category: params.category,
        document_number: params.document,
        name: params.name,
        // The store reads one page (and one more summary, to know whether a next page exists)
        // after the cursor, not every case: a list costs the same whatever the store's size.
        after: params.cursor,
        limit: Some(limit.saturating_add(1)),
        ..CaseQuery::default()
    };
    let query = access::visible_query(&actor, query).ok_or(ApiError::Forbidden {
        code: "access.no_cases",
        message: "this role sees no case".to_owned(),
    })?;
    let mut items = blocking(&state, move |s| Ok(s.store.list(&query)?)).await?;
    let next = (items.len() > limit)
        .then(|| items.get(limit.saturating_sub(1)).map(|c| c.number.clone()))
        .flatten();
    items.truncate(limit);
    Ok(Json(Page { items, next }))
}

fn case_id(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::NotFound)
}

/// The case as `GET /cases/{id}` answers it: every field of the core's [`Case`], and the
/// commands the caller may run on it now (`workflow::available`), which the case page offers.
#[derive(Debug, Serialize)]
pub struct CaseBody {
    /// The case.
    #[serde(flatten)]
    pub case: Case,
    /// What the caller may do now, with the values each parameter may take.
    pub available_commands: Vec<workflow::AvailableCommand>,
}

/// The case (with its personal data), for a caller who may see it, and the commands they may
/// run on it now (`available_commands`).
#[utoipa::path(get, path = "/cases/{id}", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "The case, with `available_commands`", body = Object, headers(("ETag" = String))),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let id = case_id(&id)?;
    let body = blocking(&state, move |s| {
        let case = visible_case(s, &actor, id, Some(ReadKind::Case))?;
        let available_commands = workflow::available(&case, &s.catalog, &actor);
        Ok(CaseBody {
            case,
            available_commands,
        })
    })
    .await?;
    let version = body.case.version;
    let mut response = Json(body).into_response();
    response.headers_mut().insert(header::ETAG, etag(version));
    Ok(response)
}

fn if_match(headers: &HeaderMap) -> Result<u64, ApiError> {
    let raw = headers
        .get(header::IF_MATCH)
        .ok_or(ApiError::PreconditionRequired)?;
    raw.to_str()
        .ok()
        .map(|s| s.trim().trim_start_matches("W/").trim_matches('"'))
        .and_then(|s| s.parse().ok())
        .ok_or(ApiError::BadRequest {
            code: "http.bad_if_match",
            message: "If-Match must be the case's version in quotes, as its ETag".to_owned(),
        })
}

/// Run a workflow command on the case, at the version in `If-Match`.
#[utoipa::path(post, path = "/cases/{id}/commands", tag = "cases",
    params(("id" = String, Path, description = "case id"),
           ("If-Match" = String, Header, description = "the case's ETag")),
    request_body(content = Object, description = "A core `Command` (`{\"command\": \"add_note\", …}`)"),
    responses(
        (status = 200, description = "The new summary", body = Object, headers(("ETag" = String))),
        (status = 400, description = "Malformed JSON or If-Match", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The workflow refuses the caller's role or office", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see", body = ErrorBody),
        (status = 409, description = "The case moved on: `current` is its version", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB (`http.body_too_large`) or past the core's limits: nesting, a string, a list (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "The workflow refuses the command", body = ErrorBody),
        (status = 428, description = "If-Match is missing", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn run_command(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    JsonBody(command): JsonBody<workflow::Command>,
) -> Result<Response, ApiError> {
    let id = case_id(&id)?;
    let expected = if_match(&headers)?;
    let case = blocking(&state, move |s| {
        let mut case = visible_case(s, &actor, id, None)?;
        if case.version != expected {
            return Err(ApiError::Conflict {
                current: case.version,
            });
        }
        let event = workflow::execute(&case, &s.catalog, &actor, &command, Utc::now())?;
        s.store.append(id, expected, std::slice::from_ref(&event))?;
        history::apply(&mut case, &event).map_err(StoreError::from)?;
        Ok(case)
    })
    .await?;
    state.feed.written();
    Ok(summary_response(StatusCode::OK, &CaseSummary::of(&case)))
}

/// Query of `GET /cases/{id}/history`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct HistoryParams {
    /// Events after this sequence number (default 0).
    after: Option<String>,
    /// Page size (1 to 1000, default 100).
    limit: Option<String>,
}

/// A page of events.
#[derive(Debug, Serialize)]
pub struct EventPage {
    /// The events.
    pub items: Vec<Event>,
    /// The `after` of the next page, or null at the end.
    pub next: Option<u64>,
}

/// The case's events, paged.
#[utoipa::path(get, path = "/cases/{id}/history", tag = "cases",
    params(("id" = String, Path, description = "case id"), HistoryParams),
    responses(
        (status = 200, description = "`{\"items\": [event…], \"next\": seq-or-null}`", body = Object),
        (status = 400, description = "A bad query parameter", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<EventPage>, ApiError> {
    let id = case_id(&id)?;
    let after: u64 = match params.after.as_deref() {
        None => 0,
        Some(s) => s.parse().map_err(|_| bad_query("after"))?,
    };
    let limit = page_size(params.limit.as_deref(), 100, 1000)?;
    let events = blocking(&state, move |s| {
        visible_case(s, &actor, id, Some(ReadKind::History))?;
        Ok(s.store.load(id)?)
    })
    .await?;
    let mut items: Vec<Event> = events.into_iter().filter(|e| e.seq > after).collect();
    let next = (items.len() > limit)
        .then(|| items.get(limit.saturating_sub(1)).map(|e| e.seq))
        .flatten();
    items.truncate(limit);
    Ok(Json(EventPage { items, next }))
}

/// Verify the case's chain.
#[utoipa::path(get, path = "/cases/{id}/verify", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "`{\"ok\": true, \"version\", \"head\"}` or `{\"ok\": false, \"code\", \"seq\", \"message\"}`", body = Object),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn verify(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = case_id(&id)?;
    let answer = blocking(&state, move |s| {
        let events = s.store.load(id)?;
        let verdict = history::verify(&events);
        // A broken chain cannot be replayed: decide visibility on its office alone.
        let (access, reason) = match history::replay(&events) {
            Ok(case) => access_to(s, &actor, id, Scope::of(&case))?,
            Err(_) => {
                let summary = s.store.summary(id)?;
                access_to(s, &actor, id, Scope::office(&summary.office))?
            }
        }
        .ok_or(ApiError::NotFound)?;
        s.db.log_access(&AccessEntry::new(
            &actor,
            id,
            ReadKind::Verify,
            access,
            Utc::now(),
            reason,
        ))?;
        Ok(match verdict {
            Ok(anchor) => json!({"ok": true, "version": anchor.version, "head": anchor.head}),
            Err(e) => {
                json!({"ok": false, "code": e.code(), "seq": e.seq(), "message": e.to_string()})
            }
        })
    })
    .await?;
    Ok(Json(answer))
}

/// The forms the case requires.
#[utoipa::path(get, path = "/cases/{id}/forms", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    responses(
        (status = 200, description = "`{\"items\": [{\"form\", \"title\", \"generated\", \"href\"}]}`", body = Object),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn forms(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = case_id(&id)?;
    let items = blocking(&state, move |s| {
        let case = visible_case(s, &actor, id, Some(ReadKind::Forms))?;
        Ok(siproc_core::forms::required_forms(&case, &s.catalog)
            .into_iter()
            .map(|f| {
                json!({
                    "form": f.form,
                    "title": f.title,
                    "generated": f.generated,
                    "href": format!("/api/v1/cases/{id}/forms/{}.pdf", f.form),
                })
            })
            .collect::<Vec<_>>())
    })
    .await?;
    Ok(Json(json!({ "items": items })))
}

/// One form as a PDF, recorded in the history as generated.
#[utoipa::path(get, path = "/cases/{id}/forms/{file}", tag = "cases",
    params(("id" = String, Path, description = "case id"),
           ("file" = String, Path, description = "`FORM_ID.pdf`")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf"),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The workflow refuses the caller's role", body = ErrorBody),
        (status = 404, description = "No such case or form file, or a case the caller may not see", body = ErrorBody),
        (status = 409, description = "The case moved on while the form was made", body = ErrorBody),
        (status = 422, description = "The form cannot be made for this case", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn form_pdf(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path((id, file)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let id = case_id(&id)?;
    let form_id = file
        .strip_suffix(".pdf")
        .filter(|f| !f.is_empty())
        .map(str::to_owned)
        .ok_or(ApiError::NotFound)?;
    let pdf = blocking(&state, move |s| {
        visible_case(s, &actor, id, Some(ReadKind::Form))?;
        let (_, rendered) = store::generate_form(
            s.store.as_ref(),
            &s.catalog,
            &actor,
            id,
            &form_id,
            Locale::Es,
            Utc::now(),
        )?;
        Ok(rendered.bytes)
    })
    .await?;
    state.feed.written();
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/pdf"),
        )],
        pdf,
    )
        .into_response())
}

/// Body of `POST /cases/{id}/access`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlass {
    /// Why the caller needs the case.
    pub reason: String,
}

/// Break the glass: see a case one could not otherwise see, for a limited time, with a reason.
#[utoipa::path(post, path = "/cases/{id}/access", tag = "cases",
    params(("id" = String, Path, description = "case id")),
    request_body = BreakGlass,
    responses(
        (status = 201, description = "The grant: `{\"case_id\", \"granted_at\", \"expires_at\"}`", body = Object),
        (status = 400, description = "Malformed JSON", body = ErrorBody),
        (status = 401, description = "No valid token", body = ErrorBody),
        (status = 403, description = "The role may not break the glass", body = ErrorBody),
        (status = 404, description = "No such case", body = ErrorBody),
        (status = 413, description = "Body over 1 MiB (`http.body_too_large`) or past the core's limits: nesting, a string, a list (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "No reason, or too long", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn break_glass(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<String>,
    JsonBody(body): JsonBody<BreakGlass>,
) -> Result<Response, ApiError> {
    let id = case_id(&id)?;
    let grant = blocking(&state, move |s| {
        let now = Utc::now();
        let grant = Grant::new(&actor, id, &body.reason, now, access::DEFAULT_GRANT_HOURS)?;
        s.store.summary(id)?;
        s.db.add_grant(&grant)?;
        s.db.log_access(&AccessEntry::new(
            &actor,
            id,
            ReadKind::BreakGlass,
            Access::BreakGlass,
            now,
            Some(grant.reason.clone()),
        ))?;
        Ok(grant)
    })
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({
            "case_id": grant.case_id,
            "granted_at": grant.granted_at,
            "expires_at": grant.expires_at,
        })),
    )
        .into_response())
}
