//! `/cases`: registration, lists, the case, commands, history, verification, forms and break
//! the glass. Every read of a case goes through [`visible_case`], which applies the core's
//! visibility rule and writes the access log before the answer leaves.

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use siproc_core::access::{self, Access, AccessEntry, Grant, ReadKind, Scope};
use siproc_core::audit::{self, AuditEvent};
use siproc_core::forms;
use siproc_core::history::{self, Event};
use siproc_core::store::{self, CaseSummary};
use siproc_core::store::{CaseQuery, StoreError};
use siproc_core::{Actor, Case, Locale, Status, parse_intake, workflow};
use uuid::Uuid;

use crate::auth::Caller;
use crate::client::Client;
use crate::error::{ApiError, ErrorBody};
use crate::extract::{IdempotencyKey, IfMatch, Path, Query};
use crate::json::{Body, JsonBody, well_formed};
use crate::routes::shared::{blocking, etag, location, no_cases, page_size};
use crate::schema;
use crate::state::SharedState;

/// Most summaries in one page.
pub const MAX_PAGE: u32 = 500;
/// Summaries in a page unless `limit` says otherwise.
pub const DEFAULT_PAGE: u32 = 50;
/// Most events in one page of a history.
pub const MAX_EVENTS: u32 = 1000;
/// Events in a page of a history unless `limit` says otherwise.
pub const DEFAULT_EVENTS: u32 = 100;

/// The routes under `/cases`.
pub fn router() -> axum::Router<SharedState> {
    axum::Router::new()
        .route("/cases", post(create_case).get(list_cases))
        .route("/cases/search", post(search_cases))
        .route("/cases/duplicates", post(duplicates))
        .route("/cases/{id}", get(get_case))
        .route("/cases/{id}/commands", post(run_command))
        .route("/cases/{id}/history", get(history))
        .route("/cases/{id}/verify", get(verify))
        .route("/cases/{id}/forms", get(forms))
        .route("/cases/{id}/forms/{file}", get(form_pdf))
        .route("/cases/{id}/access", post(break_glass))
}

/// Whether `actor` may see the case with `scope`, counting their break-the-glass grants.
fn access_to(
    state: &crate::state::AppState,
    actor: &Actor,
    case_id: Uuid,
    scope: Scope<'_>,
) -> Result<Option<(Access, Option<String>)>, ApiError> {
    let now = Utc::now();
    // Looked up only when the role alone does not decide (a read of one's own office's case
    // needs no query for grants).
    let grants = if access::needs_grants(actor, scope) {
        state.db.grants(&actor.user_id, case_id, now)?
    } else {
        Vec::new()
    };
    Ok(
        access::can_see(actor, case_id, scope, &grants, now).map(|a| {
            let reason = (a == Access::BreakGlass)
                .then(|| grants.first().map(Grant::logged_reason))
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

/// The case `case_id` as `actor` may see it (not logged as a read), if it is still at version
/// `expected`: a write's precondition (409 `store.conflict` otherwise).
pub(crate) fn visible_case_at(
    state: &crate::state::AppState,
    actor: &Actor,
    case_id: Uuid,
    expected: u64,
) -> Result<Case, ApiError> {
    let case = visible_case(state, actor, case_id, None)?;
    if case.version != expected {
        return Err(ApiError::Conflict {
            current: case.version,
        });
    }
    Ok(case)
}

pub(crate) fn summary_response(status: StatusCode, summary: CaseSummary) -> Response {
    let version = summary.version;
    let mut response = (status, Json(summary)).into_response();
    response.headers_mut().insert(header::ETAG, etag(version));
    response
}

/// Register a case from an intake.
#[utoipa::path(post, path = "/cases", tag = "cases",
    description = "Registers a case from an intake, validated and normalised by the core. With an `Idempotency-Key`, a retry with the same key (by the same user) answers the case the first request registered, without registering another, when the caller may still see it (404 otherwise, as a read would answer).",
    request_body(content = schema::Intake, description = "An intake (the core's intake schema, `siproc-core/schema/intake.schema.json`)"),
    params(("Idempotency-Key" = Option<String>, Header, description = "1 to 200 visible ASCII characters: a retried registration with the same key answers the first result", min_length = 1, max_length = 200)),
    responses(
        (status = 201, description = "Registered: the case summary", body = schema::CaseSummary, headers(
            ("Location" = String, description = "The case's URL"),
            ("ETag" = String, description = "The case's version, in quotes: send it as `If-Match`"))),
        (status = 400, description = "Malformed JSON (`http.malformed_json`) or a bad `Idempotency-Key` (`http.bad_idempotency_key`)", body = ErrorBody),
        (status = 403, description = "The intake's office is not the caller's (`workflow.wrong_office`) or the role may not register (`workflow.role_not_allowed`)", body = ErrorBody),
        (status = 404, description = "A retried `Idempotency-Key` whose case the caller may no longer see, as for a read of it (`store.not_found`)", body = ErrorBody),
        (status = 413, description = "Body over the configured limit, 1 MiB by default (`http.body_too_large`) or past the core's limits: nesting, a string, a list (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Invalid intake (`workflow.invalid_intake`): `issues` holds the validation report", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn create_case(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    IdempotencyKey(key): IdempotencyKey,
    Body(body): Body,
) -> Result<Response, ApiError> {
    let intake = intake_of(&body)?;
    let _serial = match &key {
        Some(_) => Some(state.idempotent_registration.lock().await),
        None => None,
    };
    let feed_state = state.clone();
    let (summary, new_events) = blocking(&state, move |s| {
        if let Some(key) = &key
            && let Some(first) = s.db.idempotent_case(&actor.user_id, key)?
        {
            // A replay answers what a read of the case would: nothing of a case the caller
            // no longer sees (transferred away, say), as for a case that does not exist.
            visible_case(s, &actor, first, None)?;
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
    let id = summary.id;
    let mut response = summary_response(StatusCode::CREATED, summary);
    response
        .headers_mut()
        .insert(header::LOCATION, location(id));
    Ok(response)
}

/// Query of `GET /cases` (all optional). Names and document numbers are not searched here:
/// a URL is written down by every proxy on its way, so they go in the body of
/// `POST /cases/search`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Office code.
    office: Option<String>,
    /// Status.
    #[param(value_type = Option<schema::Status>)]
    status: Option<Status>,
    /// Category code.
    category: Option<String>,
    /// Page size (default 50).
    #[param(minimum = 1, maximum = 500)]
    limit: Option<u32>,
    /// The `next` of the previous page.
    cursor: Option<String>,
    /// `true`: each summary carries its national's `name`, and each case named is written to
    /// the access log as read (`list`) before the page leaves.
    with_names: Option<bool>,
    /// Refused (400 `http.search_in_body`): names are searched with `POST /cases/search`.
    #[param(ignore)]
    name: Option<String>,
    /// Refused, as `name`.
    #[param(ignore)]
    document: Option<String>,
    /// Refused, as `name`.
    #[param(ignore)]
    document_number: Option<String>,
}

/// A page of case summaries.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SummaryPage {
    /// The summaries, in case-number order.
    #[schema(value_type = Vec<schema::CaseSummary>)]
    pub items: Vec<CaseSummary>,
    /// The `cursor` of the next page, or null at the end.
    pub next: Option<String>,
}

/// One page of `query`'s cases that `actor` may see, `limit` long, and the `cursor` of the next;
/// `with_names`: each named by its national, the names written to the access log first.
fn page_of(
    s: &crate::state::AppState,
    actor: &Actor,
    query: CaseQuery,
    limit: usize,
    with_names: bool,
) -> Result<SummaryPage, ApiError> {
    let query = CaseQuery {
        // The store reads one page (and one more summary, to know whether a next page exists)
        // after the cursor, not every case: a list costs the same whatever the store's size.
        limit: Some(limit.saturating_add(1)),
        ..query
    };
    let query = access::visible_query(actor, query).ok_or_else(no_cases)?;
    let mut items = s.store.list(&query)?;
    let next = (items.len() > limit)
        .then(|| items.get(limit.saturating_sub(1)).map(|c| c.number.clone()))
        .flatten();
    items.truncate(limit);
    if with_names {
        let reads = store::name_summaries(s.store.as_ref(), actor, &mut items, Utc::now())?;
        s.db.log_accesses(&reads)?;
    }
    Ok(SummaryPage { items, next })
}

/// List case summaries (no personal data), paged.
#[utoipa::path(get, path = "/cases", tag = "cases", params(ListParams),
    description = "The summaries of the cases the caller may see (their office's and those with a transfer pending to it, or every case), in case-number order, filtered by office, status and category; no personal data unless `with_names=true` asks for each national's name (each case named is then written to the access log as read, `list`). Page with `cursor` = the previous page's `next`. Names and document numbers are searched with `POST /cases/search` (in the body, and logged): given here (`name`, `document`, `document_number`), they are refused.",
    responses(
        (status = 200, description = "A page of summaries", body = SummaryPage),
        (status = 400, description = "A bad query parameter (`http.bad_query`), or a name or document number in the URL (`http.search_in_body`: use `POST /cases/search`)", body = ErrorBody),
        (status = 403, description = "The role sees no case (`access.no_cases`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn list_cases(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Query(params): Query<ListParams>,
) -> Result<Json<SummaryPage>, ApiError> {
    if params.name.is_some() || params.document.is_some() || params.document_number.is_some() {
        return Err(ApiError::BadRequest {
            code: "http.search_in_body",
            message: "names and document numbers are searched with POST /api/v1/cases/search, \
                      in the body, not in the URL"
                .to_owned(),
        });
    }
    let limit = usize::try_from(page_size(params.limit, DEFAULT_PAGE, MAX_PAGE)?)
        .map_err(ApiError::internal)?;
    let query = CaseQuery {
        office: params.office,
        status: params.status,
        category: params.category,
        after: params.cursor,
        ..CaseQuery::default()
    };
    Ok(Json(
        blocking(&state, move |s| {
            page_of(s, &actor, query, limit, params.with_names == Some(true))
        })
        .await?,
    ))
}

/// Body of `POST /cases/search` (every criterion optional; all given must match).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseSearch {
    /// The text of one search box: a case number, an identity document number or words of a
    /// name, as the core reads it (`siproc_core::store::SearchTerm`: a case number, else a
    /// document number if it has a digit, else a name). A criterion also given by its own field
    /// is that field's.
    #[schema(max_length = 200)]
    pub q: Option<String>,
    /// Words of a person's name (accents, case and punctuation ignored; every word one
    /// person's); at most 16 distinct words.
    pub name: Option<String>,
    /// An identity document number of any person (letters and digits compared).
    pub document_number: Option<String>,
    /// The case number, exactly.
    pub number: Option<String>,
    /// Office code.
    pub office: Option<String>,
    /// Status.
    #[schema(value_type = Option<schema::Status>)]
    pub status: Option<Status>,
    /// Category code.
    pub category: Option<String>,
    /// Page size (default 50).
    #[schema(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next` of the previous page.
    pub cursor: Option<String>,
    /// `true`: each summary carries its national's `name`, and each case named is written to
    /// the access log as read (`list`) before the page leaves.
    #[serde(default)]
    pub with_names: bool,
}

/// Search cases by name, document number, case number and the list's filters; the search is
/// written to the audit log.
#[utoipa::path(post, path = "/cases/search", tag = "cases",
    description = "The summaries of the cases the caller may see that match every criterion of the body, in case-number order; no personal data unless `with_names` asks for each national's name (each case named is then written to the access log as read, `list`). The terms travel in the body, never in a URL, and every search is written to the audit log (who, when, which fields, each term as a keyed hash) before the answer leaves. Page with `cursor` = the previous page's `next`.",
    request_body = CaseSearch,
    responses(
        (status = 200, description = "A page of summaries", body = SummaryPage),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "The role sees no case (`access.no_cases`)", body = ErrorBody),
        (status = 413, description = "Body over the configured limit, 1 MiB by default (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a search (`http.wrong_shape`), a `limit` outside 1 to 500 (`http.bad_limit`), or more than 16 name words (`store.too_many_name_words`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn search_cases(
    State(state): State<SharedState>,
    client: Client,
    Caller(actor): Caller,
    JsonBody(body): JsonBody<CaseSearch>,
) -> Result<Json<SummaryPage>, ApiError> {
    let limit = match body.limit {
        None => DEFAULT_PAGE,
        Some(n) if (1..=MAX_PAGE).contains(&n) => n,
        Some(_) => {
            return Err(ApiError::Unprocessable {
                code: "http.bad_limit",
                message: format!("limit must be 1 to {MAX_PAGE}"),
                issues: None,
            });
        }
    };
    let limit = usize::try_from(limit).map_err(ApiError::internal)?;
    let query = CaseQuery {
        office: body.office,
        status: body.status,
        category: body.category,
        number: body.number,
        document_number: body.document_number,
        name: body.name,
        after: body.cursor,
        ..CaseQuery::default()
    }
    .with_text(body.q.as_deref().unwrap_or_default());
    query.check()?;
    let with_names = body.with_names;
    let page = blocking(&state, move |s| {
        let searched = query.clone();
        let page = page_of(s, &actor, query, limit, with_names)?;
        audit_search(s, &actor, &client, &searched, page.items.len())?;
        Ok(page)
    })
    .await?;
    Ok(Json(page))
}

/// Writes a search by personal values to the audit log before its answer leaves: the fields
/// `query` names, each term as a keyed hash, how many cases were found.
fn audit_search(
    s: &crate::state::AppState,
    actor: &Actor,
    client: &Client,
    query: &CaseQuery,
    results: usize,
) -> Result<(), ApiError> {
    s.audit(
        actor,
        client,
        AuditEvent::CaseSearch {
            fields: query
                .searched_fields()
                .into_iter()
                .map(str::to_owned)
                .collect(),
            terms: query
                .search_terms()
                .iter()
                .map(|(_, term)| audit::keyed_hash(&s.audit_key, term))
                .collect(),
            results: u32::try_from(results).unwrap_or(u32::MAX),
        },
    )?;
    Ok(())
}

/// The intake a request's body holds (the core's reading: `parse_intake`).
fn intake_of(body: &[u8]) -> Result<siproc_core::Intake, ApiError> {
    well_formed(body)?;
    let text = std::str::from_utf8(body).map_err(|_| ApiError::BadRequest {
        code: "http.malformed_json",
        message: "the body is not UTF-8".to_owned(),
    })?;
    parse_intake(text, Locale::En).map_err(|issue| ApiError::Unprocessable {
        code: "workflow.invalid_intake",
        message: "the intake is not valid".to_owned(),
        issues: Some(vec![issue]),
    })
}

/// A registered case whose national is probably the intake's.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Duplicate {
    /// The case id.
    pub id: Uuid,
    /// The case number (`TAP-2026-000022`).
    pub number: String,
    /// Why: `same_document`, `same_name_and_birth_date` or `similar_name`.
    pub reasons: Vec<String>,
}

/// The answer of `POST /cases/duplicates`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Duplicates {
    /// Most likely first; empty when none is found.
    pub items: Vec<Duplicate>,
}

/// How many candidate cases a duplicate check reads at most.
const DUPLICATE_CANDIDATES: usize = 20;

/// Possible duplicates of an intake, before it is registered: the core's duplicate detection
/// over the cases the caller may see; written to the audit log as a search.
#[utoipa::path(post, path = "/cases/duplicates", tag = "cases",
    description = "The cases the caller may see whose national is probably the intake's (the core's duplicate detection: the same identity document, the same name and birth date, or a similar name), most likely first: their numbers and the reasons, no personal data. Sent before registering, so that the form can warn. The intake need not be valid. Written to the audit log as a search (its fields and terms as keyed hashes).",
    request_body(content = schema::Intake, description = "An intake (as `POST /cases` takes it)"),
    responses(
        (status = 200, description = "The possible duplicates", body = Duplicates),
        (status = 400, description = "Malformed JSON (`http.malformed_json`)", body = ErrorBody),
        (status = 403, description = "The role sees no case (`access.no_cases`)", body = ErrorBody),
        (status = 413, description = "Body over the configured limit (`http.body_too_large`) or past the core's limits (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not an intake (`http.wrong_shape`, `json.*`), or more than 16 name words (`store.too_many_name_words`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn duplicates(
    State(state): State<SharedState>,
    client: Client,
    Caller(actor): Caller,
    Body(body): Body,
) -> Result<Json<Duplicates>, ApiError> {
    let intake = intake_of(&body)?;
    // A role that sees no case (a partner) is refused, as its searches are.
    access::visible_query(&actor, CaseQuery::default()).ok_or_else(no_cases)?;
    let items = blocking(&state, move |s| {
        let found = store::possible_duplicates(
            s.store.as_ref(),
            &intake,
            |q| access::visible_query(&actor, q),
            DUPLICATE_CANDIDATES,
        )?;
        let national = intake.national();
        let searched = CaseQuery {
            name: national.map(|n| n.surnames.clone()),
            document_number: national
                .and_then(|n| n.documents.first())
                .map(|d| d.number.clone()),
            ..CaseQuery::default()
        };
        audit_search(s, &actor, &client, &searched, found.len())?;
        Ok(found
            .into_iter()
            .map(|d| Duplicate {
                id: d.case.id,
                number: d.case.number,
                reasons: d.reasons.iter().map(|r| r.as_str().to_owned()).collect(),
            })
            .collect())
    })
    .await?;
    Ok(Json(Duplicates { items }))
}

/// The case as `GET /cases/{id}` answers it: every field of the core's [`Case`], and the
/// commands the caller may run on it now (`workflow::available`), which the case page offers.
// Its schema is schemars', as for the core types it holds (`schema::CaseBody`): the case's
// properties and `available_commands` beside them.
#[derive(Debug, Serialize, schemars::JsonSchema)]
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
    description = "The case as the core replays it from its history, with its personal data; the read is written to the access log.",
    params(("id" = Uuid, Path, description = "The case id")),
    responses(
        (status = 200, description = "The case, with `available_commands`: what the caller may run on it now", body = schema::CaseBody, headers(
            ("ETag" = String, description = "The case's version, in quotes: send it as `If-Match`"))),
        (status = 400, description = "The id is not a UUID (`http.bad_path`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn get_case(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
) -> Result<Response, ApiError> {
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

/// Run a workflow command on the case, at the version in `If-Match`.
#[utoipa::path(post, path = "/cases/{id}/commands", tag = "cases",
    description = "Runs one workflow command (the core's `Command`, keyed by `command`) on the case at the version `If-Match` names; the workflow decides whether the caller's role and office may, in the case's status.",
    params(("id" = Uuid, Path, description = "The case id"),
           ("If-Match" = String, Header, description = "The case's `ETag` (its version in quotes)", pattern = r#"^(W/)?"[0-9]+"$"#)),
    request_body(content = schema::Command, description = "A workflow command (`{\"command\": \"add_note\", \"text\": …}`)"),
    responses(
        (status = 200, description = "The new summary", body = schema::CaseSummary, headers(
            ("ETag" = String, description = "The case's new version, in quotes"))),
        (status = 400, description = "Malformed JSON (`http.malformed_json`), a bad `If-Match` (`http.bad_if_match`) or a bad id (`http.bad_path`)", body = ErrorBody),
        (status = 403, description = "The workflow refuses the caller's role or office (`workflow.role_not_allowed`, `workflow.wrong_office`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`)", body = ErrorBody),
        (status = 409, description = "The case moved on (`store.conflict`): `current` is its version", body = ErrorBody),
        (status = 413, description = "Body over the configured limit, 1 MiB by default (`http.body_too_large`) or past the core's limits: nesting, a string, a list (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not a command (`http.wrong_shape`, with the path in `issues`), or the workflow refuses it (`workflow.*`)", body = ErrorBody),
        (status = 428, description = "`If-Match` is missing (`http.if_match_required`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn run_command(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
    IfMatch(expected): IfMatch,
    JsonBody(command): JsonBody<workflow::Command>,
) -> Result<Response, ApiError> {
    let case = blocking(&state, move |s| {
        let mut case = visible_case_at(s, &actor, id, expected)?;
        let event = workflow::execute(&case, &s.catalog, &actor, &command, Utc::now())?;
        s.store.append(id, expected, std::slice::from_ref(&event))?;
        history::apply(&mut case, &event).map_err(StoreError::from)?;
        Ok(case)
    })
    .await?;
    state.feed.written();
    Ok(summary_response(StatusCode::OK, CaseSummary::of(&case)))
}

/// Query of `GET /cases/{id}/history`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HistoryParams {
    /// Events after this sequence number (default 0: from the first).
    #[param(minimum = 0)]
    after: Option<u64>,
    /// Page size (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// A page of a case's history.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EventPage {
    /// The events, in order.
    #[schema(value_type = Vec<schema::Event>)]
    pub items: Vec<Event>,
    /// The `after` of the next page, or null at the end.
    #[schema(minimum = 1)]
    pub next: Option<u64>,
}

/// The case's events, paged.
#[utoipa::path(get, path = "/cases/{id}/history", tag = "cases",
    description = "The case's hash-chained events in order, paged with `after` = the previous page's `next`; the read is written to the access log.",
    params(("id" = Uuid, Path, description = "The case id"), HistoryParams),
    responses(
        (status = 200, description = "A page of events", body = EventPage),
        (status = 400, description = "A bad query parameter (`http.bad_query`) or id (`http.bad_path`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn history(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
    Query(params): Query<HistoryParams>,
) -> Result<Json<EventPage>, ApiError> {
    let after = params.after.unwrap_or(0);
    let limit = usize::try_from(page_size(params.limit, DEFAULT_EVENTS, MAX_EVENTS)?)
        .map_err(ApiError::internal)?;
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

/// The verdict on a case's chain: sound up to its head, or broken at an event.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum Verdict {
    /// Every event is intact and linked.
    Sound(SoundChain),
    /// An event is altered, missing or out of place.
    Broken(BrokenChain),
}

/// A sound chain: `ok` is true.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SoundChain {
    /// Always true.
    pub ok: bool,
    /// Number of events.
    pub version: u64,
    /// Hash of the last event (64 lowercase hex digits).
    pub head: String,
}

/// A broken chain: `ok` is false.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BrokenChain {
    /// Always false.
    pub ok: bool,
    /// The stable code (`history.chain_broken`, `history.tampered`, …).
    pub code: String,
    /// The first event at fault, when there is one.
    pub seq: Option<u64>,
    /// What is wrong (never a value from the case).
    pub message: String,
}

/// Verify the case's chain.
#[utoipa::path(get, path = "/cases/{id}/verify", tag = "cases",
    description = "Checks every event's hash, commitments and link; the read is written to the access log. A broken chain is an answer (200, `ok` false), not an error.",
    params(("id" = Uuid, Path, description = "The case id")),
    responses(
        (status = 200, description = "The verdict", body = Verdict),
        (status = 400, description = "The id is not a UUID (`http.bad_path`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn verify(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<Verdict>, ApiError> {
    let verdict = blocking(&state, move |s| {
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
            Ok(anchor) => Verdict::Sound(SoundChain {
                ok: true,
                version: anchor.version,
                head: anchor.head,
            }),
            Err(e) => Verdict::Broken(BrokenChain {
                ok: false,
                code: e.code().to_owned(),
                seq: e.seq(),
                message: e.to_string(),
            }),
        })
    })
    .await?;
    Ok(Json(verdict))
}

/// A form the case requires.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FormLink {
    /// The form's id in the catalog.
    pub form: String,
    /// Its title, in Spanish.
    pub title: String,
    /// Whether the case has it already.
    pub generated: bool,
    /// Where to get it as a PDF.
    pub href: String,
}

/// The forms a case requires.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FormList {
    /// The forms.
    pub items: Vec<FormLink>,
}

/// The forms the case requires.
#[utoipa::path(get, path = "/cases/{id}/forms", tag = "cases",
    description = "The forms the case needs in its status (the pack's common forms, then its category's), each with whether it was generated and its PDF's URL; the read is written to the access log.",
    params(("id" = Uuid, Path, description = "The case id")),
    responses(
        (status = 200, description = "The forms", body = FormList),
        (status = 400, description = "The id is not a UUID (`http.bad_path`)", body = ErrorBody),
        (status = 404, description = "No such case, or one the caller may not see (`store.not_found`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn forms(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
) -> Result<Json<FormList>, ApiError> {
    let items = blocking(&state, move |s| {
        let case = visible_case(s, &actor, id, Some(ReadKind::Forms))?;
        Ok(siproc_core::forms::required_forms(&case, &s.catalog)
            .into_iter()
            .map(|f| FormLink {
                href: format!("/api/v1/cases/{id}/forms/{}.pdf", f.form),
                form: f.form,
                title: f.title,
                generated: f.generated,
            })
            .collect())
    })
    .await?;
    Ok(Json(FormList { items }))
}

/// One form as a PDF, recorded in the history as generated.
#[utoipa::path(get, path = "/cases/{id}/forms/{file}", tag = "cases",
    description = "Renders one form of the pack for the case as a PDF (Spanish) and records it in the history (*form generated*, with the PDF's SHA-256), as the workflow allows; the read is written to the access log.",
    params(("id" = Uuid, Path, description = "The case id"),
           ("file" = String, Path, description = "`FORM_ID.pdf`, a form of the pack", pattern = r"^[A-Za-z0-9_.-]+\.pdf$")),
    responses(
        (status = 200, description = "The PDF", content_type = "application/pdf", body = schema::Binary),
        (status = 400, description = "The id is not a UUID (`http.bad_path`)", body = ErrorBody),
        (status = 403, description = "The workflow refuses the caller's role or office (`workflow.*`)", body = ErrorBody),
        (status = 404, description = "No such case, or a case the caller may not see (`store.not_found`); no such form in the pack, or a file that is not `FORM_ID.pdf` (`forms.unknown_form`)", body = ErrorBody),
        (status = 409, description = "The case moved on while the form was made (`store.conflict`)", body = ErrorBody),
        (status = 422, description = "The form cannot be made for this case (`forms.*`, `workflow.*`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn form_pdf(
    State(state): State<SharedState>,
    client: Client,
    headers: HeaderMap,
    Caller(actor): Caller,
    Path((id, file)): Path<(Uuid, String)>,
) -> Result<Response, ApiError> {
    let origin = verify_origin(&state, client, &headers);
    let form_id = file
        .strip_suffix(".pdf")
        .filter(|f| !f.is_empty())
        .map(str::to_owned);
    let pdf = blocking(&state, move |s| {
        // The pack's forms are no secret: an unknown one is refused before the case is read.
        let form_id = form_id
            .filter(|f| s.catalog.form(f).is_some())
            .ok_or(ApiError::UnknownForm)?;
        visible_case(s, &actor, id, Some(ReadKind::Form))?;
        let (_, rendered) = store::generate_form(
            s.store.as_ref(),
            &s.catalog,
            &actor,
            id,
            &form_id,
            &forms::Generating {
                locale: Locale::Es,
                now: Utc::now(),
                verify_origin: origin.as_deref(),
            },
        )?;
        Ok(rendered.bytes)
    })
    .await?;
    state.feed.written();
    Ok((
        [(
            header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/pdf"),
        )],
        pdf,
    )
        .into_response())
}

/// The origin a printed form's QR code points at ([`siproc_core::forms::verification`]): the
/// configured public origin, or else the one the request came to (its `Host`, over HTTPS or
/// not), when that is a plain host name or address with an optional port.
fn verify_origin(state: &SharedState, client: Client, headers: &HeaderMap) -> Option<String> {
    if let Some(origin) = &state.policy.public_origin {
        return Some(origin.clone());
    }
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let plain = !host.is_empty()
        && host.len() <= 255
        && host
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b':' | b'[' | b']'));
    let scheme = if client.https { "https" } else { "http" };
    plain.then(|| format!("{scheme}://{host}"))
}

/// Body of `POST /cases/{id}/access`.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BreakGlass {
    /// One of the pack's reasons (`access_reason` in the catalog's labels).
    pub reason_code: String,
    /// Why the caller needs the case, in at least 20 characters and without personal data
    /// (kept in the access log, shown to the office's supervisors and to auditors).
    pub reason: String,
}

/// A break-the-glass grant, as its holder sees it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GrantAnswer {
    /// The grant's number.
    pub id: u64,
    /// The case it opens.
    pub case_id: Uuid,
    /// The pack's reason given.
    pub reason_code: String,
    /// When it was given.
    pub granted_at: DateTime<Utc>,
    /// When it ends (unless a supervisor ends it sooner).
    pub expires_at: DateTime<Utc>,
}

impl From<Grant> for GrantAnswer {
    fn from(grant: Grant) -> GrantAnswer {
        GrantAnswer {
            id: grant.id.unwrap_or_default(),
            case_id: grant.case_id,
            reason_code: grant.reason_code,
            granted_at: grant.granted_at,
            expires_at: grant.expires_at,
        }
    }
}

/// Break the glass: see a case one could not otherwise see, for a limited time, with a reason.
#[utoipa::path(post, path = "/cases/{id}/access", tag = "cases",
    description = "Gives the caller access to a case outside their office for a limited time, for one of the pack's reasons and at least 20 characters of their own (without personal data), which the access log keeps. At most a configured number of grants per user per day. The supervisors of the office that holds the case see the grant at once (`GET /grants`, and an `event: grant` on `GET /events`) and may end it. The answer is the same whether or not the case exists, so the route tells nobody which case ids exist. Roles that may not break the glass are refused.",
    params(("id" = Uuid, Path, description = "The case id")),
    request_body = BreakGlass,
    responses(
        (status = 201, description = "The grant (the same answer whether or not the case exists)", body = GrantAnswer),
        (status = 400, description = "Malformed JSON (`http.malformed_json`) or a bad id (`http.bad_path`)", body = ErrorBody),
        (status = 403, description = "The role may not break the glass (`access.role_not_allowed`), or the caller has taken as many grants as a day allows (`access.too_many_grants`)", body = ErrorBody),
        (status = 413, description = "Body over the configured limit, 1 MiB by default (`http.body_too_large`) or past the core's limits: nesting, a string, a list (`siproc.too_large`)", body = ErrorBody),
        (status = 422, description = "Not `{\"reason_code\", \"reason\"}` (`http.wrong_shape`), a code the pack does not have (`access.unknown_reason`), a reason under 20 characters (`access.reason_too_short`: the message asks for no personal data) or too long (`access.reason_too_long`)", body = ErrorBody),
    ),
    security(("bearer" = [])))]
pub async fn break_glass(
    State(state): State<SharedState>,
    Caller(actor): Caller,
    Path(id): Path<Uuid>,
    JsonBody(body): JsonBody<BreakGlass>,
) -> Result<(StatusCode, Json<GrantAnswer>), ApiError> {
    let grant = blocking(&state, move |s| {
        let now = Utc::now();
        let reason = access::GrantReason {
            code: body.reason_code,
            text: body.reason,
        };
        // Everything that can refuse is decided before the case is looked up, and a case that
        // does not exist is granted like one that does (a grant that opens nothing): the
        // answer never tells whether an id is a case's.
        let office = match s.store.summary(id) {
            Ok(summary) => Some(summary.office),
            Err(StoreError::NotFound) => None,
            Err(other) => return Err(other.into()),
        };
        let grant = Grant::new(
            &actor,
            id,
            office,
            &reason,
            &s.catalog,
            now,
            access::DEFAULT_GRANT_HOURS,
        )?;
        let grant = s.db.take_grant(&grant, s.policy.max_grants_per_day)??;
        s.db.log_access(&AccessEntry::new(
            &actor,
            id,
            ReadKind::BreakGlass,
            Access::BreakGlass,
            now,
            Some(grant.logged_reason()),
        ))?;
        Ok(grant)
    })
    .await?;
    // The office's supervisors' event streams read the new grant now.
    state.feed.written();
    Ok((StatusCode::CREATED, Json(grant.into())))
}
