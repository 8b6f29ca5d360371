//! The privacy fixes of issue 36, through the real server: searches travel in a body and are
//! audited, replayed registrations answer as a read would, the archive upload checks the role
//! before it reads, break-the-glass has friction and daylight, bulk export needs two people or
//! a key the server does not hold. Scenarios run on memory, an SQLite file and PostgreSQL
//! ([`privacy_scenarios!`]).

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp, spawn, spawn_app_on};

/// One `#[tokio::test]` per scenario of this module, on the backend `$spawn` opens.
macro_rules! privacy_scenarios {
    ($backend:expr) => {
        #[tokio::test]
        async fn searches_go_in_the_body_and_are_audited() {
            if let Some(app) = $backend("searches_go_in_the_body_and_are_audited").await {
                crate::privacy::searches_go_in_the_body_and_are_audited(&app).await;
            }
        }
        #[tokio::test]
        async fn lists_name_cases_when_asked_and_log_each() {
            if let Some(app) = $backend("lists_name_cases_when_asked_and_log_each").await {
                crate::privacy::lists_name_cases_when_asked_and_log_each(&app).await;
            }
        }
        #[tokio::test]
        async fn long_names_are_422_never_500() {
            if let Some(app) = $backend("long_names_are_422_never_500").await {
                crate::privacy::long_names_are_422_never_500(&app).await;
            }
        }
        #[tokio::test]
        async fn a_replayed_key_answers_as_a_read_would() {
            if let Some(app) = $backend("a_replayed_key_answers_as_a_read_would").await {
                crate::privacy::a_replayed_key_answers_as_a_read_would(&app).await;
            }
        }
        #[tokio::test]
        async fn break_the_glass_has_friction_and_daylight() {
            if let Some(app) = $backend("break_the_glass_has_friction_and_daylight").await {
                crate::privacy::break_the_glass_has_friction_and_daylight(&app).await;
            }
        }
        #[tokio::test]
        async fn bulk_export_needs_two_people() {
            if let Some(app) = $backend("bulk_export_needs_two_people").await {
                crate::privacy::bulk_export_needs_two_people(&app).await;
            }
        }
    };
}
pub(crate) use privacy_scenarios;

/// The app on the in-memory store.
pub async fn memory(test: &str) -> Option<TestApp> {
    spawn(Backend::Memory, test).await
}

/// The app on a fresh PostgreSQL database (skips without one).
pub async fn postgres(test: &str) -> Option<TestApp> {
    spawn(Backend::Postgres, test).await
}

/// The app on an SQLite file of its own (left in the temporary folder for the run).
pub async fn sqlite(test: &str) -> Option<TestApp> {
    let dir = tempfile::tempdir().unwrap().keep();
    let path = dir.join(format!("{test}.db"));
    Some(spawn_app_on(&format!("sqlite://{}", path.display()), 0).await)
}

mod on_memory {
    super::privacy_scenarios!(super::memory);
}

mod on_sqlite {
    super::privacy_scenarios!(super::sqlite);
}

mod on_postgres {
    super::privacy_scenarios!(super::postgres);
}

/// The body of an answer, as JSON.
pub(crate) async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The audit log as the auditor reads it (`query` filters).
async fn audit(app: &TestApp, query: &str) -> Vec<Value> {
    let (status, body) = json_of(app.audit_log("auditor", query).send().await.unwrap()).await;
    assert_eq!(status, 200, "{body}");
    body["items"].as_array().unwrap().clone()
}

/// Each entry names its client as a keyed hash, never its address.
pub fn assert_hashed_clients(entries: &[Value]) {
    assert!(
        entries.iter().all(|e| e["client"]
            .as_str()
            .is_some_and(|c| c.len() == 32 && !c.contains("127."))),
        "{entries:?}"
    );
}

/// The officer's `list` entries of the access log, newest first.
async fn listed(app: &TestApp) -> Vec<Value> {
    let log: Value = app
        .access_log("auditor", "user=user-officer")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "list")
        .cloned()
        .collect()
}

/// A list or a search names its cases' nationals only when asked (`with_names`), and each
/// case named is in the access log as read (`list`), with why it could be seen.
pub async fn lists_name_cases_when_asked_and_log_each(app: &TestApp) {
    let case = app.register("officer", "TAP").await;
    app.register("officer_mex", "MEX").await;
    let intake = crate::helpers::intake("TAP");
    let person = &intake["persons"][0];
    let name = format!(
        "{} {}",
        person["given_names"].as_str().unwrap(),
        person["surnames"].as_str().unwrap()
    );
    // Without asking: no name, nothing logged.
    let (status, page) = json_of(app.list_cases("officer", "").send().await.unwrap()).await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    assert!(page["items"][0].get("name").is_none(), "{page}");
    assert!(listed(app).await.is_empty());

    // Asked, in a list and in a search: the office's case only, named, logged each time.
    let (status, page) = json_of(
        app.list_cases("officer", "with_names=true")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    assert_eq!(page["items"][0]["name"], name.as_str());
    let (status, page) = json_of(
        app.search_cases("officer")
            .json(&json!({"q": case["number"], "with_names": true}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"][0]["name"], name.as_str());
    let entries = listed(app).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert!(
        entries
            .iter()
            .all(|e| e["case_id"] == case["id"] && e["access"] == "office"),
        "{entries:?}"
    );

    // A wrong type is refused, as every bad query parameter.
    let (status, body) = json_of(
        app.list_cases("officer", "with_names=maybe")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400, "{body}");
}

pub async fn searches_go_in_the_body_and_are_audited(app: &TestApp) {
    let case = app.register("officer", "TAP").await;
    let number = case["number"].as_str().unwrap();
    let intake = crate::helpers::intake("TAP");
    let person = &intake["persons"][0];
    let name = format!(
        "{} {}",
        person["given_names"].as_str().unwrap(),
        person["surnames"].as_str().unwrap()
    );
    let document = person["documents"][0]["number"]
        .as_str()
        .unwrap()
        .to_owned();

    // Names and document numbers in a URL are refused, pointing to the search route.
    for query in [
        format!("name={}", name.replace(' ', "+")),
        format!("document={document}"),
        format!("document_number={document}"),
    ] {
        let (status, body) = json_of(app.list_cases("officer", &query).send().await.unwrap()).await;
        assert_eq!(status, 400, "{query}: {body}");
        assert_eq!(body["code"], "http.search_in_body");
        assert!(body["message"].as_str().unwrap().contains("/cases/search"));
        assert!(
            !body.to_string().contains(&document),
            "no value in the error"
        );
    }
    // The list keeps its filters.
    let (status, page) = json_of(
        app.list_cases("officer", "status=registered&limit=5")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    assert_eq!(page["items"][0]["number"], number);
    assert!(
        audit(app, "kind=case_search").await.is_empty(),
        "a list is no search"
    );

    // The search route finds by name, document and number; each search is audited.
    let searches = [
        json!({"name": name.to_lowercase()}),
        json!({"document_number": document, "status": "registered"}),
        json!({"number": number, "limit": 1}),
    ];
    for search in &searches {
        let (status, page) = json_of(
            app.search_cases("officer")
                .json(search)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 200, "{search}: {page}");
        let items = page["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{search}");
        assert_eq!(items[0]["id"], case["id"]);
    }
    // Another office's officer finds nothing (and that search is audited too).
    let (_, page) = json_of(
        app.search_cases("officer_mex")
            .json(&json!({"name": name}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(page["items"], json!([]));

    let entries = audit(app, "kind=case_search").await;
    assert_eq!(entries.len(), 4, "{entries:?}");
    let text = serde_json::to_string(&entries).unwrap();
    for value in [name.as_str(), &name.to_lowercase(), &document, number] {
        assert!(
            !text.contains(value),
            "the audit log holds no term in clear"
        );
    }
    // Newest first: the other office's search, then the officer's three.
    let mex = &entries[0];
    assert_eq!(mex["user_id"], "user-officer_mex");
    assert_eq!(mex["office"], "MEX");
    assert_eq!(mex["event"]["kind"], "case_search");
    assert_eq!(mex["event"]["fields"], json!(["name"]));
    assert_eq!(mex["event"]["results"], 0);
    let by_name = &entries[3];
    assert_eq!(by_name["user_id"], "user-officer");
    assert_eq!(by_name["event"]["results"], 1);
    let words = by_name["event"]["terms"].as_array().unwrap();
    assert_eq!(
        words.len(),
        name.split(' ').count(),
        "one hash per name word"
    );
    // The same words under the same key: the same hashes, whoever searched.
    assert_eq!(mex["event"]["terms"], by_name["event"]["terms"]);
    assert_eq!(
        entries[2]["event"]["fields"],
        json!(["document_number", "status"])
    );
    assert_eq!(entries[1]["event"]["fields"], json!(["number"]));
    assert!(entries.iter().all(|e| e["at"].is_string()));
    assert_hashed_clients(&entries);

    // Filters of the audit route.
    assert_eq!(audit(app, "user=user-officer_mex").await.len(), 1);
    assert!(audit(app, "kind=grant_ended").await.is_empty());
    // Only auditors and the directorate read it.
    for who in ["officer", "supervisor", "partner"] {
        let (status, body) = json_of(app.audit_log(who, "").send().await.unwrap()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("access.log_not_allowed"))
        );
    }
    let (status, _) = json_of(
        app.audit_log("directorate", "limit=1")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200);
    // Partners search nothing.
    let (status, body) = json_of(
        app.search_cases("partner")
            .json(&json!({"name": "ana"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("access.no_cases"))
    );
    // A bad page size or an unknown criterion is refused with a code.
    let (status, body) = json_of(
        app.search_cases("officer")
            .json(&json!({"limit": 0}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("http.bad_limit"))
    );
    let (status, body) = json_of(
        app.search_cases("officer")
            .json(&json!({"surname": "x"}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("http.wrong_shape"))
    );
}

pub async fn long_names_are_422_never_500(app: &TestApp) {
    let case = app.register("officer", "TAP").await;
    let words = |n: usize| {
        (0..n)
            .map(|k| format!("palabra{k}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (status, page) = json_of(
        app.search_cases("officer")
            .json(&json!({"name": words(16)}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "16 words are searched: {page}");
    assert_eq!(page["items"], json!([]));
    for n in [17, 64, 65, 300] {
        let (status, body) = json_of(
            app.search_cases("officer")
                .json(&json!({"name": words(n)}))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(status, 422, "{n} words: {body}");
        assert_eq!(body["code"], "store.too_many_name_words");
        assert!(
            !body.to_string().contains("palabra"),
            "no term in the error"
        );
    }
    // The server still answers, and a good search still finds.
    let (status, page) = json_of(
        app.search_cases("officer")
            .json(&json!({"number": case["number"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, page["items"].as_array().map(Vec::len)),
        (200, Some(1))
    );
}

pub async fn a_replayed_key_answers_as_a_read_would(app: &TestApp) {
    let send = |key: &'static str| {
        app.create_case("officer")
            .header("Idempotency-Key", key)
            .json(&crate::helpers::intake("TAP"))
            .send()
    };
    let (status, first) = json_of(send("replay-1").await.unwrap()).await;
    assert_eq!(status, 201);
    let id = first["id"].as_str().unwrap();
    // While the officer sees the case, a replay answers it.
    let (status, again) = json_of(send("replay-1").await.unwrap()).await;
    assert_eq!((status, &again["id"]), (201, &first["id"]));

    // The directorate transfers the case to another office; the transfer is accepted there.
    assert_eq!(
        app.command(
            "directorate",
            id,
            json!({"command": "request_transfer", "to_office": "MEX"})
        )
        .await,
        200
    );
    assert_eq!(
        app.command("officer_mex", id, json!({"command": "accept_transfer"}))
            .await,
        200
    );
    let read = app.get_case("officer", id).send().await.unwrap();
    assert_eq!(read.status(), 404, "the officer no longer reads the case");
    // The replay answers what the read answers, and registers nothing.
    let count = app.case_count();
    let (status, body) = json_of(send("replay-1").await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (404, Some("store.not_found")),
        "{body}"
    );
    assert!(body.get("number").is_none(), "nothing of the case: {body}");
    assert_eq!(app.case_count(), count);
}

#[tokio::test]
async fn the_archive_upload_checks_the_role_before_reading_the_body() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    let app = memory("archive_upload").await.unwrap();
    const CHUNK: usize = 1024 * 1024;
    for who in ["partner", "officer", "auditor"] {
        // A 600 MiB body (past the 512 MiB the route accepts), made only as it is read.
        let sent = Arc::new(AtomicUsize::new(0));
        let counter = sent.clone();
        let chunks = futures_util::stream::iter(0..600).map(move |_| {
            counter.fetch_add(CHUNK, Ordering::SeqCst);
            Ok::<_, std::io::Error>(vec![b'{'; CHUNK])
        });
        let res = tokio::time::timeout(
            std::time::Duration::from_secs(60),
            app.import(who)
                .header("content-type", "application/octet-stream")
                .body(reqwest::Body::wrap_stream(chunks))
                .send(),
        )
        .await
        .expect("an answer before the body is sent");
        let read = sent.load(Ordering::SeqCst);
        // The refusal may reset the connection while the body is still going out; when the
        // answer arrives it is the role's, not the body limit's.
        if let Ok(res) = res {
            let (status, body) = json_of(res).await;
            assert_eq!(
                (status, body["code"].as_str()),
                (403, Some("access.directorate_only")),
                "{who}"
            );
        }
        assert!(
            read < 64 * CHUNK,
            "{who}: the server read {} MiB before refusing",
            read / CHUNK
        );
    }

    // A body that never ends: only a server that answers before reading it can answer at all.
    let endless = futures_util::stream::once(async { Ok::<_, std::io::Error>(vec![b'{'; 65_536]) })
        .chain(futures_util::stream::pending());
    let res = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        app.import("partner")
            .body(reqwest::Body::wrap_stream(endless))
            .send(),
    )
    .await
    .expect("answered without reading the rest of the body")
    .unwrap();
    assert_eq!(res.status(), 403);
}

/// A break-the-glass body with the pack's reason `code` and `text`.
fn reason(code: &str, text: &str) -> Value {
    json!({"reason_code": code, "reason": text})
}

pub async fn break_the_glass_has_friction_and_daylight(app: &TestApp) {
    use std::time::Duration;

    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap();
    let why = "a person asks at the counter for help";
    // The TAP supervisor watches the event stream; a MEX officer breaks the glass.
    let mut supervisor = crate::events::Stream::open(app, "supervisor", None).await;
    let mut other_office = crate::events::Stream::open(app, "officer_hou", None).await;

    // Friction: one of the pack's reasons and 20 characters or more, without personal data.
    for (body, code) in [
        (
            reason("national_at_office", "urgent"),
            "access.reason_too_short",
        ),
        (
            reason("national_at_office", "   short but padded    "),
            "access.reason_too_short",
        ),
        (reason("curiosity", why), "access.unknown_reason"),
        (json!({"reason": why}), "http.wrong_shape"),
    ] {
        let (status, answer) = json_of(
            app.break_glass("officer_mex", id)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, answer["code"].as_str()),
            (422, Some(code)),
            "{body}"
        );
        if code == "access.reason_too_short" {
            assert!(
                answer["message"]
                    .as_str()
                    .unwrap()
                    .contains("personal data")
            );
        }
    }
    let (status, grant) = json_of(
        app.break_glass("officer_mex", id)
            .json(&reason("national_at_office", why))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{grant}");
    assert_eq!(grant["case_id"], id);
    let grant_id = grant["id"].as_u64().unwrap();
    assert_eq!(
        app.get_case("officer_mex", id)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    // Daylight: the owning office's supervisor is told at once, another office is not.
    let told = supervisor
        .next_named("grant", Duration::from_secs(10))
        .await
        .expect("the supervisor's stream tells the grant");
    assert_eq!(told["id"], grant_id);
    assert_eq!(told["user_id"], "user-officer_mex");
    assert_eq!(told["office"], "TAP");
    assert_eq!(told["reason_code"], "national_at_office");
    assert_eq!(told["reason"], why);
    let (status, list) = json_of(app.list_grants("supervisor", "").send().await.unwrap()).await;
    assert_eq!(status, 200, "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["items"][0]["id"], grant_id);
    for who in ["officer", "officer_mex", "partner"] {
        let (status, body) = json_of(app.list_grants(who, "").send().await.unwrap()).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("access.grants_not_allowed")),
            "{who}"
        );
    }

    // No oracle: a case id that does not exist is answered as one that does.
    let missing = uuid::Uuid::now_v7().to_string();
    let (status, ghost) = json_of(
        app.break_glass("officer_mex", &missing)
            .json(&reason("emergency", why))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201, "{ghost}");
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&ghost), keys(&grant));
    assert_eq!(
        app.get_case("officer_mex", &missing)
            .send()
            .await
            .unwrap()
            .status(),
        404,
        "a grant on no case opens nothing"
    );
    // At most three a day (the default), whether or not the case exists.
    let (status, _) = json_of(
        app.break_glass("officer_mex", id)
            .json(&reason("authority_request", why))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 201);
    for target in [id, missing.as_str()] {
        let (status, body) = json_of(
            app.break_glass("officer_mex", target)
                .json(&reason("authority_request", why))
                .send()
                .await
                .unwrap(),
        )
        .await;
        assert_eq!(
            (status, body["code"].as_str()),
            (403, Some("access.too_many_grants"))
        );
    }
    assert!(
        other_office
            .next_named("grant", Duration::from_millis(500))
            .await
            .is_none(),
        "officers are not told of grants"
    );

    // The supervisor ends the grants on the case; the officer no longer sees it.
    let (_, list) = json_of(app.list_grants("supervisor", "").send().await.unwrap()).await;
    let on_case: Vec<u64> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_u64().unwrap())
        .collect();
    assert_eq!(
        on_case.len(),
        2,
        "the TAP case's two grants, not the ghost's: {list}"
    );
    for who in ["officer", "officer_mex"] {
        let (status, _) = json_of(app.end_grant(who, grant_id).send().await.unwrap()).await;
        assert_eq!(status, 403, "{who} ends no grant");
    }
    let (status, _) = json_of(app.end_grant("auditor", grant_id).send().await.unwrap()).await;
    assert_eq!(status, 403, "auditors read grants, end none");
    for g in &on_case {
        let (status, ended) = json_of(app.end_grant("supervisor", *g).send().await.unwrap()).await;
        assert_eq!(status, 200, "{ended}");
        assert_eq!(ended["ended_by"], "user-supervisor");
        assert!(ended["ended_at"].is_string());
    }
    let (status, body) = json_of(app.end_grant("supervisor", grant_id).send().await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("access.grant_not_active"))
    );
    let (status, _) = json_of(app.end_grant("supervisor", 999_999).send().await.unwrap()).await;
    assert_eq!(status, 404);
    assert_eq!(
        app.get_case("officer_mex", id)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let (_, active) = json_of(app.list_grants("supervisor", "").send().await.unwrap()).await;
    assert_eq!(active["items"], json!([]));
    let (_, all) = json_of(app.list_grants("auditor", "all=true").send().await.unwrap()).await;
    assert_eq!(
        all["items"].as_array().unwrap().len(),
        3,
        "every grant, the ghost's too"
    );

    // Each end is in the audit log.
    let ended = audit(app, "kind=grant_ended").await;
    assert_eq!(ended.len(), 2);
    assert_eq!(ended[0]["user_id"], "user-supervisor");
    assert_eq!(ended[0]["event"]["holder"], "user-officer_mex");
    assert_eq!(ended[0]["event"]["case_id"], id);
    assert_hashed_clients(&ended);
}

pub async fn bulk_export_needs_two_people(app: &TestApp) {
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(
            app.register("officer", "TAP").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    // One token exports nothing: no request, or a request nobody approved.
    let (status, body) = json_of(app.export("directorate", "").send().await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("archive.approval_required"))
    );
    let (status, request) = json_of(app.request_export("directorate").send().await.unwrap()).await;
    assert_eq!(status, 201, "{request}");
    let id = request["id"].as_u64().unwrap();
    assert_eq!(request["requested_by"], "user-directorate");
    assert!(request["approved_at"].is_null());
    let (status, body) = json_of(
        app.export("directorate", &format!("request={id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("archive.approval_required"))
    );
    // Not one's own; not another role; not twice.
    let (status, body) = json_of(app.approve_export("directorate", id).send().await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("archive.own_request"))
    );
    for who in ["supervisor", "auditor"] {
        let (status, _) = json_of(app.approve_export(who, id).send().await.unwrap()).await;
        assert_eq!(status, 403, "{who}");
    }
    let (status, _) = json_of(
        app.approve_export("directorate_two", 9_999)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    let (status, approved) = json_of(
        app.approve_export("directorate_two", id)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{approved}");
    assert_eq!(approved["approved_by"], "user-directorate_two");
    let (status, body) = json_of(
        app.approve_export("directorate_two", id)
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("archive.not_pending"))
    );
    // The approver does not download the requester's archive.
    let (status, _) = json_of(
        app.export("directorate_two", &format!("request={id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 403);
    // The requester downloads it, once.
    let res = app
        .export("directorate", &format!("request={id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/x-ndjson");
    assert!(
        res.headers().get("content-length").is_none(),
        "streamed, not sized in advance"
    );
    let bytes = res.bytes().await.unwrap();
    let report = app.off_runtime(|_| {
        let store = siproc_core::store::MemoryStore::new();
        siproc_core::archive::import(
            &store,
            None,
            &mut std::io::Cursor::new(bytes.to_vec()),
            siproc_core::archive::ImportOptions::default(),
        )
        .unwrap()
    });
    assert!(report.is_clean(), "a whole archive: {report:?}");
    assert_eq!(report.imported, 3);
    let (status, body) = json_of(
        app.export("directorate", &format!("request={id}"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("archive.approval_required"))
    );

    // Every step is in the audit log; every case's export in the access log.
    let steps = audit(app, "").await;
    let kinds: Vec<&str> = steps
        .iter()
        .map(|e| e["event"]["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        ["export_downloaded", "export_approved", "export_requested"]
    );
    assert_hashed_clients(&steps);
    let downloaded = audit(app, "kind=export_downloaded").await;
    assert_eq!(downloaded[0]["event"]["request"], id);
    assert_eq!(downloaded[0]["event"]["encrypted"], false);
    let (_, log) = json_of(
        app.access_log("auditor", "user=user-directorate")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let exported: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "export")
        .map(|e| e["case_id"].as_str().unwrap())
        .collect();
    assert_eq!(exported.len(), 3);
    for id in &ids {
        assert!(exported.contains(&id.as_str()));
    }
}

#[tokio::test]
async fn with_a_recipient_the_archive_is_encrypted_to_it_and_streamed() {
    use std::io::Read;

    use age::secrecy::ExposeSecret;

    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public().to_string();
    assert!(recipient.starts_with("age1"));
    let app = crate::helpers::spawn_app_with_settings(siproc_server::startup::Settings {
        export_recipient: Some(recipient),
        rate_limit: 0,
        ..siproc_server::startup::Settings::new(
            "memory:",
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        )
    })
    .await;
    let mut ids = Vec::new();
    // Enough cases for several pieces of the stream.
    for _ in 0..40 {
        ids.push(
            app.register("officer", "TAP").await["id"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    for who in ["officer", "supervisor", "auditor", "partner"] {
        assert_eq!(
            app.export(who, "").send().await.unwrap().status(),
            403,
            "{who}"
        );
    }
    let res = app.export("directorate", "").send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/octet-stream");
    let sealed = res.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&sealed);
    assert!(text.starts_with("age-encryption.org/v1"), "an age file");
    for id in &ids {
        assert!(!text.contains(id.as_str()), "nothing in clear");
    }
    // Only the identity the server never held opens it; a wrong one does not.
    let wrong = age::x25519::Identity::generate();
    let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
    assert!(
        decryptor
            .decrypt(std::iter::once(&wrong as &dyn age::Identity))
            .is_err()
    );
    let decryptor = age::Decryptor::new(&sealed[..]).unwrap();
    let mut plain = Vec::new();
    decryptor
        .decrypt(std::iter::once(&identity as &dyn age::Identity))
        .unwrap()
        .read_to_end(&mut plain)
        .unwrap();
    assert!(!identity.to_string().expose_secret().is_empty());
    let report = app.off_runtime(|_| {
        let store = siproc_core::store::MemoryStore::new();
        siproc_core::archive::import(
            &store,
            None,
            &mut std::io::Cursor::new(plain.clone()),
            siproc_core::archive::ImportOptions::default(),
        )
        .unwrap()
    });
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.imported, 40);
    let downloaded = audit(&app, "kind=export_downloaded").await;
    assert_eq!(downloaded[0]["event"]["encrypted"], true);
    assert!(downloaded[0]["event"]["request"].is_null());
    let (_, log) = json_of(
        app.access_log("auditor", "user=user-directorate&limit=1000")
            .send()
            .await
            .unwrap(),
    )
    .await;
    let exported = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "export")
        .count();
    assert_eq!(exported, 40, "every case logged");
    // A recipient that is not one refuses to start.
    let bad = siproc_server::startup::Application::build(&siproc_server::startup::Settings {
        export_recipient: Some("age1notakey".into()),
        rate_limit: 0,
        ..siproc_server::startup::Settings::new(
            "memory:",
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        )
    })
    .await;
    assert!(bad.is_err());
}
