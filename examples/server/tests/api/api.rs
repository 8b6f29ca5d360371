//! Status codes, headers and shapes of the case routes: scenarios written once, run on every
//! backend ([`scenarios!`]: here on the in-memory store, in `pg` on PostgreSQL).

use serde_json::{Value, json};

use crate::helpers::{Backend, intake, spawn};

/// One `#[tokio::test]` per scenario of this module, on `$backend`.
macro_rules! scenarios {
    ($backend:expr) => {
        #[tokio::test]
        async fn registration_answers_201_with_location_and_etag_and_the_case_reads_back() {
            crate::api::registration_answers_201_with_location_and_etag_and_the_case_reads_back(
                $backend,
            )
            .await;
        }
        #[tokio::test]
        async fn an_invalid_intake_is_422_with_the_validation_report() {
            crate::api::an_invalid_intake_is_422_with_the_validation_report($backend).await;
        }
        #[tokio::test]
        async fn the_same_idempotency_key_returns_the_first_registration() {
            crate::api::the_same_idempotency_key_returns_the_first_registration($backend).await;
        }
        #[tokio::test]
        async fn two_commands_with_the_same_if_match_one_wins_one_gets_409() {
            crate::api::two_commands_with_the_same_if_match_one_wins_one_gets_409($backend).await;
        }
        #[tokio::test]
        async fn commands_need_if_match_and_refusals_carry_the_workflow_code() {
            crate::api::commands_need_if_match_and_refusals_carry_the_workflow_code($backend).await;
        }
        #[tokio::test]
        async fn lists_are_paged_filtered_and_limited_to_the_callers_office() {
            crate::api::lists_are_paged_filtered_and_limited_to_the_callers_office($backend).await;
        }
        #[tokio::test]
        async fn typed_parameters_reject_into_the_error_body_naming_the_parameter() {
            crate::api::typed_parameters_reject_into_the_error_body_naming_the_parameter($backend)
                .await;
        }
        #[tokio::test]
        async fn history_is_paged_and_reads_are_logged_before_the_answer() {
            crate::api::history_is_paged_and_reads_are_logged_before_the_answer($backend).await;
        }
        #[tokio::test]
        async fn a_form_pdf_is_served_and_recorded_in_the_history() {
            crate::api::a_form_pdf_is_served_and_recorded_in_the_history($backend).await;
        }
        #[tokio::test]
        async fn an_archive_exported_by_the_directorate_imports_into_another_server() {
            crate::api::an_archive_exported_by_the_directorate_imports_into_another_server(
                $backend,
            )
            .await;
        }
        #[tokio::test]
        async fn the_openapi_document_describes_every_route() {
            crate::api::the_openapi_document_describes_every_route($backend).await;
        }
    };
}
pub(crate) use scenarios;

mod memory {
    super::scenarios!(crate::helpers::Backend::Memory);
}

pub async fn registration_answers_201_with_location_and_etag_and_the_case_reads_back(
    backend: Backend,
) {
    let Some(app) = spawn(
        backend,
        "registration_answers_201_with_location_and_etag_and_the_case_reads_back",
    )
    .await
    else {
        return;
    };
    let res = app
        .create_case("officer")
        .json(&intake("TAP"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(res.headers()["etag"], "\"1\"");
    let summary: Value = res.json().await.unwrap();
    for key in ["id", "number", "version", "head", "status", "office"] {
        assert!(summary.get(key).is_some(), "{key}");
    }
    assert!(summary["number"].as_str().unwrap().starts_with("TAP-"));
    assert_eq!(
        location,
        format!("/api/v1/cases/{}", summary["id"].as_str().unwrap())
    );
    let res = app
        .get("officer", location.trim_start_matches("/api/v1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"1\"");
    let case: Value = res.json().await.unwrap();
    assert_eq!(case["id"], summary["id"]);
    assert!(case.get("events").is_none(), "history is never embedded");
}

pub async fn an_invalid_intake_is_422_with_the_validation_report(backend: Backend) {
    let Some(app) = spawn(
        backend,
        "an_invalid_intake_is_422_with_the_validation_report",
    )
    .await
    else {
        return;
    };
    let mut bad = intake("TAP");
    bad["persons"][0]["birth_date"] = "2099-01-01".into();
    bad["facts"].as_object_mut().unwrap().remove("facility");
    let res = app.create_case("officer").json(&bad).send().await.unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "workflow.invalid_intake");
    let codes: Vec<&str> = body["issues"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"fact.required"), "{codes:?}");
    // No personal value in the answer.
    assert!(!body.to_string().contains("Núñez"));
    assert_eq!(app.case_count(), 0);
}

pub async fn the_same_idempotency_key_returns_the_first_registration(backend: Backend) {
    let Some(app) = spawn(
        backend,
        "the_same_idempotency_key_returns_the_first_registration",
    )
    .await
    else {
        return;
    };
    let send = || {
        app.create_case("officer")
            .header("Idempotency-Key", "intake-7f3a")
            .json(&intake("TAP"))
            .send()
    };
    let (a, b) = tokio::join!(send(), send());
    let (a, b) = (a.unwrap(), b.unwrap());
    assert_eq!((a.status().as_u16(), b.status().as_u16()), (201, 201));
    let (a, b): (Value, Value) = (a.json().await.unwrap(), b.json().await.unwrap());
    assert_eq!(a["id"], b["id"]);
    let again: Value = send().await.unwrap().json().await.unwrap();
    assert_eq!(again["id"], a["id"]);
    assert_eq!(app.case_count(), 1);
    // Another key makes another case.
    let other = app
        .create_case("officer")
        .header("Idempotency-Key", "intake-other")
        .json(&intake("TAP"))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 201);
    assert_eq!(app.case_count(), 2);
}

pub async fn two_commands_with_the_same_if_match_one_wins_one_gets_409(backend: Backend) {
    let Some(app) = spawn(
        backend,
        "two_commands_with_the_same_if_match_one_wins_one_gets_409",
    )
    .await
    else {
        return;
    };
    let id = app.register("officer", "TAP").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let send = |text: &'static str| {
        app.run_command("officer", &id)
            .header("If-Match", "\"1\"")
            .json(&json!({"command": "add_note", "text": text}))
            .send()
    };
    let (a, b) = tokio::join!(send("primera"), send("segunda"));
    let mut statuses = vec![a.unwrap(), b.unwrap()];
    statuses.sort_by_key(|r| r.status());
    let loser = statuses.pop().unwrap();
    let winner = statuses.pop().unwrap();
    assert_eq!(winner.status(), 200);
    assert_eq!(winner.headers()["etag"], "\"2\"");
    assert_eq!(loser.status(), 409);
    let body: Value = loser.json().await.unwrap();
    assert_eq!(
        body,
        json!({"code": "store.conflict", "current": 2, "message": body["message"]})
    );
    assert_eq!(app.version(&id), 2);
    let verify: Value = app
        .verify("officer", &id)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(verify["ok"], true);
    assert_eq!(verify["version"], 2);
}

pub async fn commands_need_if_match_and_refusals_carry_the_workflow_code(backend: Backend) {
    let Some(app) = spawn(
        backend,
        "commands_need_if_match_and_refusals_carry_the_workflow_code",
    )
    .await
    else {
        return;
    };
    let id = app.register("officer", "TAP").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .run_command("officer", &id)
        .json(&json!({"command": "add_note", "text": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 428);
    let res = app
        .run_command("officer", &id)
        .header("If-Match", "\"1\"")
        .json(&json!({"command": "change_status", "to": "closed"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "workflow.illegal_transition");
    let res = app
        .run_command("officer", &id)
        .header("If-Match", "\"1\"")
        .json(&json!({"command": "archive"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "workflow.role_not_allowed");
}

pub async fn lists_are_paged_filtered_and_limited_to_the_callers_office(backend: Backend) {
    let Some(app) = spawn(
        backend,
        "lists_are_paged_filtered_and_limited_to_the_callers_office",
    )
    .await
    else {
        return;
    };
    for _ in 0..5 {
        app.register("directorate", "TAP").await;
    }
    for _ in 0..2 {
        app.register("directorate", "HOU").await;
    }
    let page: Value = app
        .list_cases("officer", "limit=2")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let mut seen = Vec::new();
    let mut cursor = None::<String>;
    loop {
        let path = match &cursor {
            Some(c) => format!("/cases?limit=2&cursor={c}"),
            None => "/cases?limit=2".to_owned(),
        };
        let page: Value = app
            .get("officer", &path)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        for item in page["items"].as_array().unwrap() {
            assert_eq!(item["office"], "TAP");
            assert!(item.get("persons").is_none());
            seen.push(item["number"].as_str().unwrap().to_owned());
        }
        match page["next"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 5);
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted, seen);
    let all: Value = app
        .list_cases("directorate", "limit=500")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 7);
    let hou: Value = app
        .list_cases("directorate", "office=HOU")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hou["items"].as_array().unwrap().len(), 2);
    let res = app
        .list_cases("officer", "status=nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = app.list_cases("officer", "limit=0").send().await.unwrap();
    assert_eq!(res.status(), 400);
}

pub async fn typed_parameters_reject_into_the_error_body_naming_the_parameter(backend: Backend) {
    let Some(app) = spawn(backend, "typed_parameters_reject").await else {
        return;
    };
    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap();
    let expect = |body: Value, code: &str, names: &str| {
        assert_eq!(body["code"], code, "{body}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains(names), "{message}");
    };
    // Query parameters of the wrong type, named and never echoed.
    for (query, name) in [("limit=twenty", "limit"), ("status=nonsense", "status")] {
        let res = app.list_cases("officer", query).send().await.unwrap();
        assert_eq!(res.status(), 400, "{query}");
        let body: Value = res.json().await.unwrap();
        expect(body.clone(), "http.bad_query", name);
        assert!(!body.to_string().contains("twenty") && !body.to_string().contains("nonsense"));
    }
    let res = app.history("officer", id, "after=-1").send().await.unwrap();
    assert_eq!(res.status(), 400);
    expect(res.json().await.unwrap(), "http.bad_query", "after");
    let res = app
        .stats("officer", "from=2026-13-01")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    expect(res.json().await.unwrap(), "http.bad_query", "from");
    let res = app
        .access_log("auditor", "since=yesterday")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    expect(res.json().await.unwrap(), "http.bad_query", "since");
    // A case id that is not a UUID.
    let res = app.get_case("officer", "not-a-uuid").send().await.unwrap();
    assert_eq!(res.status(), 400);
    expect(res.json().await.unwrap(), "http.bad_path", "UUID");
    // If-Match that is not a version.
    let res = app
        .run_command("officer", id)
        .header("If-Match", "yesterday")
        .json(&json!({"command": "add_note", "text": "Nota."}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    expect(res.json().await.unwrap(), "http.bad_if_match", "If-Match");
}

pub async fn history_is_paged_and_reads_are_logged_before_the_answer(backend: Backend) {
    let Some(app) = spawn(
        backend,
        "history_is_paged_and_reads_are_logged_before_the_answer",
    )
    .await
    else {
        return;
    };
    let id = app.register("officer", "TAP").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for i in 0..4 {
        let status = app
            .command(
                "officer",
                &id,
                json!({"command": "add_note", "text": format!("nota {i}")}),
            )
            .await;
        assert_eq!(status, 200);
    }
    let page: Value = app
        .history("officer", &id, "limit=3")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(page["next"], 3);
    let rest: Value = app
        .history("officer", &id, "after=3")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(rest["items"].as_array().unwrap().len(), 2);
    assert_eq!(rest["next"], Value::Null);
    // Both reads are in the log, written before the answers came back.
    let case_id = id.parse().unwrap();
    let log = app.off_runtime(|s| {
        s.db.access_log(&siproc_server::db::LogFilter {
            case_id: Some(case_id),
            limit: 100,
            ..Default::default()
        })
        .unwrap()
    });
    assert_eq!(
        log.iter().filter(|e| e.what.as_str() == "history").count(),
        2
    );
    assert!(
        log.iter()
            .all(|e| e.user_id == "user-officer" && e.office == "TAP")
    );
}

pub async fn a_form_pdf_is_served_and_recorded_in_the_history(backend: Backend) {
    let Some(app) = spawn(backend, "a_form_pdf_is_served_and_recorded_in_the_history").await else {
        return;
    };
    let id = app.register("officer", "TAP").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let forms: Value = app
        .forms("officer", &id)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let first = &forms["items"][0];
    assert_eq!(first["generated"], false);
    let href = first["href"]
        .as_str()
        .unwrap()
        .trim_start_matches("/api/v1")
        .to_owned();
    let res = app.get("officer", &href).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF"));
    assert_eq!(app.version(&id), 2);
    let forms: Value = app
        .forms("officer", &id)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(forms["items"][0]["generated"], true);
    let res = app
        .form_pdf("officer", &id, "no_such_form.pdf")
        .send()
        .await
        .unwrap();
    // The documented 404 (it was a 422 before the document and the code agreed).
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "forms.unknown_form");
    let res = app.form_pdf("officer", &id, "x.txt").send().await.unwrap();
    assert_eq!(res.status(), 404);
}

pub async fn an_archive_exported_by_the_directorate_imports_into_another_server(backend: Backend) {
    let Some(app) = spawn(
        backend,
        "an_archive_exported_by_the_directorate_imports_into_another_server",
    )
    .await
    else {
        return;
    };
    let mut ids = Vec::new();
    for _ in 0..3 {
        ids.push(app.register("directorate", "TAP").await["id"].clone());
    }
    // The first case's file travels with it.
    let first = ids[0].as_str().unwrap().to_owned();
    let png = {
        let img = image::GrayImage::from_fn(32, 16, |x, _| image::Luma([x as u8 * 8]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let res = app
        .attach_raw(
            "officer",
            &first,
            Some(app.version(&first)),
            "image/png",
            png,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let href = res.headers()["location"].to_str().unwrap().to_owned();
    let kept = app
        .get("officer", href.trim_start_matches("/api/v1"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let archive = app.export_approved("directorate", "directorate_two").await;
    assert_eq!(archive.status(), 200);
    let bytes = archive.bytes().await.unwrap();
    // The export is in the access log, one entry per case.
    let log: Value = app
        .access_log("auditor", "user=user-directorate")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mut exported: Vec<Value> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "export")
        .map(|e| e["case_id"].clone())
        .collect();
    exported.reverse();
    assert_eq!(exported, ids, "{log}");
    // The import reaches the event streams of the server that imports.
    let Some(other) = spawn(backend, "archive_importer").await else {
        return;
    };
    let mut stream = crate::events::Stream::open(&other, "directorate", None).await;
    let mut tap = crate::events::Stream::open(&other, "officer", None).await;
    let mut hou = crate::events::Stream::open(&other, "officer_hou", None).await;
    let report: Value = other
        .import("directorate")
        .body(bytes.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(report["ok"], true);
    assert_eq!(report["cases"], 3);
    assert_eq!(report["imported"], 3);
    assert_eq!(report["files"], 1);
    assert_eq!(report["rejected"], json!([]));
    assert_eq!(report["file"], json!([]));
    // The file is kept by the importing server, as it was.
    let res = other
        .get("officer", href.trim_start_matches("/api/v1"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.bytes().await.unwrap(), kept);
    for (who, stream) in [("directorate", &mut stream), ("officer", &mut tap)] {
        let mut streamed = Vec::new();
        while streamed.len() < 3 {
            let (_, data) = stream
                .next(std::time::Duration::from_secs(2))
                .await
                .unwrap_or_else(|| panic!("{who}: an imported case's event"));
            if data["type"] == "case_opened" {
                streamed.push(data["case_id"].clone());
            }
        }
        assert_eq!(streamed, ids);
    }
    assert!(
        hou.next(std::time::Duration::from_millis(300))
            .await
            .is_none()
    );
    let again: Value = other
        .import("directorate")
        .body(bytes)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(again["unchanged"], 3);
    assert_eq!(again["imported"], 0);
}

pub async fn the_openapi_document_describes_every_route(backend: Backend) {
    let Some(app) = spawn(backend, "the_openapi_document_describes_every_route").await else {
        return;
    };
    let doc: Value = app
        .client
        .get(app.url("/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/cases",
        "/cases/{id}",
        "/cases/{id}/commands",
        "/cases/{id}/history",
        "/cases/{id}/verify",
        "/cases/{id}/forms",
        "/cases/{id}/forms/{file}",
        "/cases/{id}/access",
        "/events",
        "/archive",
        "/archive/requests",
        "/archive/requests/{id}/approve",
        "/access-log",
        "/audit",
        "/cases/search",
        "/subject-access",
        "/grants",
        "/grants/{id}/end",
        "/health",
        "/stats",
    ] {
        assert!(paths.contains_key(path), "{path}");
    }
}
