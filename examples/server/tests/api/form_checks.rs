//! The durable log of paper-form checks: every `POST /form-checks` (genuine, unknown,
//! malformed, rate-limited) is a line in the server's tables before the answer is sent, read
//! back by `GET /form-checks` (auditors and the directorate); a line holds the outcome, the
//! form and office of a genuine code, and the client as a keyed hash — never the code, never
//! the address. On SQLite (a file, reopened) and PostgreSQL.

use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_on};
use crate::process::postgres_database;

/// Generates the intake sheet of a new TAP case; returns its verification hash (64 hex).
async fn printed_form(app: &TestApp) -> String {
    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap();
    let pdf = app
        .form_pdf("officer", id, "intake_sheet.pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    let bytes = pdf.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&bytes);
    let start = text.find("SiprocVerification(").unwrap() + "SiprocVerification(".len();
    text[start..start + 64].to_owned()
}

async fn check(app: &TestApp, code: &str) -> (u16, Value) {
    let res = app
        .client
        .post(app.url("/form-checks"))
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn log(app: &TestApp, who: &str, query: &str) -> (u16, Value) {
    let res = app.check_log(who, query).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// Checks a genuine, an unknown and a malformed code; the log has the three, newest first.
async fn every_check_is_logged(app: &TestApp) {
    let hash = printed_form(app).await;
    let code = hash[..12].to_ascii_uppercase();
    let (status, genuine) = check(app, &code).await;
    assert_eq!((status, genuine["genuine"].as_bool()), (200, Some(true)));
    let unknown = format!(
        "{}{}",
        &code[..11],
        if code.ends_with('0') { '1' } else { '0' }
    );
    let (status, verdict) = check(app, &unknown).await;
    assert_eq!((status, verdict["genuine"].as_bool()), (200, Some(false)));
    assert_eq!(check(app, "not a code").await.0, 422);

    let (status, body) = log(app, "auditor", "").await;
    assert_eq!(status, 200);
    let items = body["items"].as_array().unwrap();
    let outcomes: Vec<_> = items
        .iter()
        .map(|i| i["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["malformed", "unknown", "genuine"]);
    assert_eq!(items[2]["form"], "intake_sheet");
    assert_eq!(items[2]["office"], "TAP");
    assert!(items[0]["form"].is_null() && items[1]["office"].is_null());
    let client = items[0]["client"].as_str().unwrap();
    assert_eq!(client.len(), 16);
    assert!(
        items.iter().all(|i| i["client"] == client),
        "one client, one hash"
    );
    let text = body.to_string();
    for secret in [
        &code[..],
        &hash[..],
        &unknown[..],
        "127.0.0.1",
        "not a code",
    ] {
        assert!(!text.contains(secret), "the log holds no code or address");
    }
    // Filters.
    let (_, only) = log(app, "directorate", "outcome=genuine&limit=5").await;
    assert_eq!(only["items"].as_array().unwrap().len(), 1);
    assert_eq!(log(app, "auditor", "outcome=maybe").await.0, 400);
    assert_eq!(log(app, "auditor", "since=yesterday").await.0, 400);
    let (_, later) = log(app, "auditor", "since=2999-01-01T00:00:00Z").await;
    assert!(later["items"].as_array().unwrap().is_empty());
    for who in ["officer", "supervisor", "partner"] {
        assert_eq!(log(app, who, "").await.0, 403, "{who}");
    }
}

#[tokio::test]
async fn form_checks_are_logged_durably_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("siproc.db").display());
    let app = spawn_app_on(&url, 0).await;
    every_check_is_logged(&app).await;
    // Another server on the same file reads the same log.
    let again = spawn_app_on(&url, 0).await;
    let (_, body) = log(&again, "auditor", "").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn form_checks_are_logged_on_postgres() {
    let Some(db) = postgres_database("form_checks") else {
        return;
    };
    every_check_is_logged(&spawn_app_on(&db, 0).await).await;
}

#[tokio::test]
async fn a_limited_client_is_logged_as_limited() {
    let app = spawn_app_on("memory:", 0).await;
    let mut status = 200;
    let mut sent = 0;
    while status != 429 && sent < 20 {
        status = check(&app, &format!("0000-0000-{sent:04}")).await.0;
        sent += 1;
    }
    assert_eq!(status, 429);
    let (_, body) = log(&app, "auditor", "outcome=limited").await;
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
    let (_, body) = log(&app, "auditor", "outcome=unknown&limit=1000").await;
    assert_eq!(body["items"].as_array().unwrap().len(), sent - 1);
}
