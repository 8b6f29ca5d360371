//! Issue 29's last two parts through the real server: withdrawing consent stops sharing at once
//! (the pending referral is cancelled in the history, a new one is refused, the partners' next
//! release leaves the cases out), and subject access (`POST /subject-access`) reports what is
//! held about one person, as JSON and as a PDF that `pdftotext` reads, for the directorate only,
//! each export in the audit log with counts only.

use chrono::{Datelike, Utc};
use serde_json::{Value, json};
use siproc_core::stats::releases::Period;
use siproc_core::{Actor, Role};
use siproc_server::demo;
use uuid::Uuid;

use crate::helpers::{TestApp, intake, spawn_app};
use crate::privacy::assert_hashed_clients;

/// Sends `request`; answers its status and JSON body.
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    let res = request.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Runs `command` as `who` at the case's current version; answers status and body.
async fn command(app: &TestApp, who: &str, id: &str, command: Value) -> (u16, Value) {
    let version = app.version(id);
    answer(
        app.run_command(who, id)
            .header("If-Match", format!("\"{version}\""))
            .json(&command),
    )
    .await
}

/// The case as the directorate reads it.
async fn case(app: &TestApp, id: &str) -> Value {
    let (status, body) = answer(app.get_case("directorate", id)).await;
    assert_eq!(status, 200, "{body}");
    body
}

#[tokio::test]
async fn withdrawing_consent_cancels_pending_referrals_and_refuses_new_ones() {
    let app = spawn_app().await;
    let id = app.register("officer", "TAP").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for partner in ["iom", "unicef"] {
        let refer = json!({"command": "refer", "partner": partner});
        assert_eq!(command(&app, "officer", &id, refer).await.0, 200);
    }
    let referrals = case(&app, &id).await["referrals"].clone();
    let (pending, taken) = (referrals[0]["id"].clone(), referrals[1]["id"].clone());
    let accept = json!({"command": "accept_referral", "referral_id": taken});
    assert_eq!(command(&app, "officer", &id, accept).await.0, 200);

    let withdraw = json!({"command": "withdraw_consent", "scope": ["share_with_partners"]});
    let (status, body) = command(&app, "officer", &id, withdraw).await;
    assert_eq!(status, 200, "{body}");

    let now = case(&app, &id).await;
    assert_eq!(now["sharing_withdrawn"], true, "{now}");
    assert_eq!(now["referrals"][0]["status"], "cancelled", "{now}");
    assert_eq!(
        now["referrals"][1]["status"], "accepted",
        "an accepted referral is the partner's work under way: not cancelled"
    );
    assert_eq!(now["consent"]["scope"], json!(["processing"]));

    // The cancellation is in the history: the withdrawal names the referral it cancelled.
    let (status, history) = answer(app.history("directorate", &id, "")).await;
    assert_eq!(status, 200, "{history}");
    let events = history["items"].as_array().unwrap();
    let last = events.last().unwrap();
    assert_eq!(last["kind"]["type"], "consent_withdrawn", "{last}");
    assert_eq!(
        last["kind"]["data"]["cancelled_referrals"],
        json!([pending])
    );

    // New referrals are refused, with the workflow's typed error; the web app's list of
    // commands no longer offers one.
    let refer = json!({"command": "refer", "partner": "icrc"});
    let (status, body) = command(&app, "officer", &id, refer).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("workflow.consent_missing"))
    );
    let offered: Vec<&str> = now["available_commands"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["command"].as_str())
        .collect();
    assert!(!offered.contains(&"refer"), "{offered:?}");
    // The cancelled referral cannot be accepted any more.
    let accept = json!({"command": "accept_referral", "referral_id": pending});
    let (status, body) = command(&app, "officer", &id, accept).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("workflow.referral_transition"))
    );
}

/// The sum of the published counts of a release's `cases_by_category_month` table.
fn published_cases(release: &Value) -> i64 {
    let table = release["release"]["tables"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "cases_by_category_month")
        .unwrap();
    table["cells"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["count"].as_i64())
        .sum()
}

#[tokio::test]
async fn the_next_release_leaves_out_cases_whose_consent_was_withdrawn() {
    let app = spawn_app().await;
    let period = Period::closed_before(Utc::now(), 2)
        .into_iter()
        .find(|p| matches!(p, Period::Month { .. }))
        .unwrap();
    let day = period.first_day().unwrap().with_day(10).unwrap();
    let templates: Vec<Value> = serde_json::from_str(demo::TEMPLATES).unwrap();
    // Forty detention cases registered during the period (straight through the core: a past
    // registration), every one with consent to share.
    let ids: Vec<Uuid> = app.off_runtime(|s| {
        (0..40)
            .map(|i| {
                let intake = demo::invented(&templates[0], i, day).unwrap();
                let at = day.and_hms_opt(10, 0, 0).unwrap().and_utc();
                let officer = Actor::new("seed", Role::Officer, intake.office.clone());
                siproc_core::store::open_case(s.store.as_ref(), &s.catalog, &officer, &intake, at)
                    .unwrap()
                    .id
            })
            .collect()
    });
    let publish = |app: &TestApp| {
        app.publish_release("directorate")
            .json(&json!({"period": period.id()}))
    };
    let (status, first) = answer(publish(&app)).await;
    assert_eq!(status, 201, "{first}");
    let (status, first) = answer(app.release("partner", &period.id(), "version=1")).await;
    assert_eq!(status, 200, "{first}");
    let before = published_cases(&first);
    assert!(
        before >= 30,
        "forty cases are published (perturbed): {before}"
    );

    // Thirty nationals withdraw their consent entirely.
    for id in &ids[..30] {
        let withdraw = json!({"command": "withdraw_consent"});
        let (status, body) = command(&app, "officer", &id.to_string(), withdraw).await;
        assert_eq!(status, 200, "{body}");
    }
    let (status, second) = answer(publish(&app)).await;
    assert_eq!(status, 201, "{second}");
    assert_eq!(second["version"], 2);
    let (status, second) = answer(app.release("partner", &period.id(), "version=2")).await;
    assert_eq!(status, 200, "{second}");
    let after = published_cases(&second);
    assert!(
        after <= 20,
        "the next release counts the ten cases left, not the forty (perturbed, or suppressed): {after}"
    );
    // The partners read the new version; the first stays as it was published.
    let (status, read) = answer(app.release("partner", &period.id(), "")).await;
    assert_eq!(status, 200, "{read}");
    assert_eq!(published_cases(&read), after);
    let (status, old) = answer(app.release("partner", &period.id(), "version=1")).await;
    assert_eq!(status, 200, "{old}");
    assert_eq!(published_cases(&old), before);
}

/// `POST /subject-access` as `who` with `body`.
fn subject_access(app: &TestApp, who: &str, body: &Value) -> reqwest::RequestBuilder {
    app.subject_access(who).json(body)
}

/// The text `pdftotext` reads in `pdf`.
fn pdf_text(pdf: &[u8]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, pdf).unwrap();
    let out = std::process::Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) runs");
    assert!(out.status.success(), "pdftotext opens the report");
    String::from_utf8(out.stdout).unwrap()
}

#[tokio::test]
async fn subject_access_reports_what_is_held_to_the_directorate_only() {
    let app = spawn_app().await;
    // Two cases of María José Núñez Güity (DNI 0801-1994-04512), one of someone else.
    let a = app.register("officer", "TAP").await;
    let b = app.register("officer", "TAP").await;
    let mut other = intake("TAP");
    other["persons"][0]["given_names"] = "Pedro Pablo".into();
    other["persons"][0]["surnames"] = "Castro Lanza".into();
    other["persons"][0]["documents"][0]["number"] = "0801-1990-00077".into();
    let res = app
        .create_case("officer")
        .json(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let (a_id, a_number) = (a["id"].as_str().unwrap(), a["number"].as_str().unwrap());
    let note = json!({"command": "add_note", "text": "Se habló con la madre en Tegucigalpa"});
    assert_eq!(command(&app, "officer", a_id, note).await.0, 200);
    let refer = json!({"command": "refer", "partner": "iom"});
    assert_eq!(command(&app, "officer", a_id, refer).await.0, 200);
    assert_eq!(answer(app.get_case("officer", a_id)).await.0, 200);

    let by_document = json!({"document_number": "0801 1994 04512"});
    for who in ["officer", "supervisor", "auditor", "partner"] {
        let (status, body) = answer(subject_access(&app, who, &by_document)).await;
        assert_eq!(status, 403, "{who}: {body}");
        let code = body["code"].as_str().unwrap();
        assert!(
            ["access.directorate_only", "auth.insufficient_scope"].contains(&code),
            "{who}: {code}"
        );
    }
    let (status, body) = answer(subject_access(&app, "directorate", &json!({}))).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("subject_access.no_terms"))
    );
    let (status, body) = answer(subject_access(
        &app,
        "directorate",
        &json!({"name": "Núñez", "locale": "fr"}),
    ))
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("siproc.unknown_locale"))
    );

    let (status, report) = answer(subject_access(&app, "directorate", &by_document)).await;
    assert_eq!(status, 200, "{report}");
    let cases = report["cases"].as_array().unwrap();
    let numbers: Vec<&str> = cases
        .iter()
        .map(|c| c["number"].as_str().unwrap())
        .collect();
    let mut expected = vec![a_number, b["number"].as_str().unwrap()];
    expected.sort_unstable();
    assert_eq!(
        numbers, expected,
        "both of her cases, not the other person's"
    );
    assert_eq!(report["searched_by"], json!(["document_number"]));
    let held = cases.iter().find(|c| c["number"] == a_number).unwrap();
    assert_eq!(held["subject"][0]["person"]["given_names"], "María José");
    assert_eq!(
        held["subject"][0]["person"]["documents"][0]["number"],
        "0801-1994-04512"
    );
    assert_eq!(
        held["notes"][0]["text"],
        "Se habló con la madre en Tegucigalpa"
    );
    assert_eq!(held["shared_with"][0]["partner"], "iom");
    let readers: Vec<&str> = held["reads"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["user_id"].as_str())
        .collect();
    assert!(readers.contains(&"user-officer"), "{readers:?}");
    assert!(
        held["events_holding_values"]
            .as_array()
            .unwrap()
            .contains(&json!("/events/0/kind/data/persons/0")),
        "{held}"
    );

    // By name, in any order, without accents: the same cases.
    let (status, by_name) = answer(subject_access(
        &app,
        "directorate",
        &json!({"name": "guity NUNEZ maria"}),
    ))
    .await;
    assert_eq!(status, 200);
    assert_eq!(by_name["cases"].as_array().unwrap().len(), 2);

    // The PDF, in the person's language: `format` or `Accept`.
    for (body, accept, title) in [
        (
            json!({"name": "María Núñez", "format": "pdf", "locale": "en"}),
            None,
            "Subject access report",
        ),
        (
            json!({"document_number": "0801199404512"}),
            Some("application/pdf"),
            "Informe de acceso a datos personales",
        ),
    ] {
        let mut request = subject_access(&app, "directorate", &body);
        if let Some(accept) = accept {
            request = request.header("Accept", accept);
        }
        let res = request.send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "application/pdf");
        let text = pdf_text(&res.bytes().await.unwrap());
        for wanted in [
            title,
            a_number,
            "María José",
            "0801-1994-04512",
            "Tegucigalpa",
        ] {
            assert!(text.contains(wanted), "{wanted} in:\n{text}");
        }
    }

    // Each case reported was read in full by the directorate: the access log says so.
    let (status, log) = answer(app.access_log("auditor", &format!("case={a_id}"))).await;
    assert_eq!(status, 200, "{log}");
    let exports = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["what"] == "export" && e["user_id"] == "user-directorate")
        .count();
    assert_eq!(exports, 4, "{log}");

    // Every export is in the audit log, with counts and never a searched value.
    let (status, audit) = answer(app.audit_log("auditor", "kind=subject_access")).await;
    assert_eq!(status, 200, "{audit}");
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 4, "{audit}");
    assert_hashed_clients(items);
    let first = items.last().unwrap();
    assert_eq!(first["user_id"], "user-directorate", "{first}");
    assert_eq!(first["event"]["cases"], 2, "{first}");
    assert_eq!(first["event"]["format"], "json");
    assert_eq!(first["event"]["fields"], json!(["document_number"]));
    assert_eq!(items[0]["event"]["format"], "pdf");
    let written = audit.to_string();
    for value in [
        "0801", "04512", "Núñez", "Nunez", "Güity", "guity", "María", "maria",
    ] {
        assert!(!written.contains(value), "{value} in the audit log");
    }
}
