//! The logs hold no personal value and no token: a real server process at debug level goes
//! through a whole session with every sample intake (`siproc-core/tests/fixtures/intakes.json`
//! and the demo's `examples/server/demo/intakes.json`): registrations, searches by name and
//! document number, reads, a note naming the person and their phone, forms and their PDF,
//! the event stream, refused and malformed requests, the metrics, and SIGTERM. Its whole
//! log is then searched for every name, document number, phone, e-mail and address of the
//! samples, as written and as bare digits, and for the tokens: none may appear. Each request
//! line carries its route template, status, time and the request id sent back in
//! `X-Request-Id`.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::logged::LoggedServer;
use crate::process::create_token;

/// Every sample intake, set at the office TAP.
fn samples() -> Vec<Value> {
    let core: Value = serde_json::from_str(include_str!(
        "../../../../siproc-core/tests/fixtures/intakes.json"
    ))
    .unwrap();
    let demo: Vec<Value> = serde_json::from_str(include_str!("../../demo/intakes.json")).unwrap();
    let mut all: Vec<Value> = core
        .as_object()
        .unwrap()
        .values()
        .filter(|v| v.is_object())
        .cloned()
        .collect();
    all.extend(demo);
    for intake in &mut all {
        intake["office"] = "TAP".into();
    }
    all
}

/// The personal values of `intakes` that must never be logged: names (whole and each word
/// of four letters or more), document numbers, contacts (phones, e-mails, addresses), each
/// also as its bare digits when it has six or more.
fn secrets(intakes: &[Value]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut add = |s: &str| {
        out.insert(s.to_owned());
        let digits: String = s.chars().filter(char::is_ascii_digit).collect();
        if digits.len() >= 6 {
            out.insert(digits);
        }
    };
    for intake in intakes {
        for person in intake["persons"].as_array().unwrap() {
            for field in ["given_names", "surnames"] {
                let name = person[field].as_str().unwrap();
                add(name);
                for word in name.split([' ', '-']).filter(|w| w.chars().count() >= 4) {
                    add(word);
                }
            }
            for doc in person["documents"].as_array().into_iter().flatten() {
                add(doc["number"].as_str().unwrap());
            }
            for contact in person["contacts"].as_array().into_iter().flatten() {
                add(contact["value"].as_str().unwrap());
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_at_debug_level_logs_no_personal_value_and_no_token() {
    let dir = tempfile::tempdir().unwrap();
    session(&format!(
        "sqlite://{}",
        dir.path().join("cases.db").display()
    ))
    .await;
}

/// The same on PostgreSQL, whose client library would write statements' parameters at debug.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whole_session_at_debug_level_on_postgres_logs_no_personal_value_and_no_token() {
    let Some(database) = crate::process::postgres_database("logs_session") else {
        return;
    };
    session(&database).await;
}

/// The session on `database`, and the search of its log.
async fn session(database: &str) {
    let database = database.to_owned();
    let officer = create_token(&database, "ana", "officer", "TAP");
    let directorate = create_token(&database, "dir", "directorate", "DGPHM");
    let server = LoggedServer::start(
        &["--database", &database, "--listen", "127.0.0.1:0"],
        &[
            ("SIPROC_LOG_FILTER", "debug"),
            ("SIPROC_LOG_FORMAT", "json"),
        ],
    );
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let get = |path: String, token: &str| client.get(format!("{base}{path}")).bearer_auth(token);

    let intakes = samples();
    assert_eq!(intakes.len(), 7, "every sample");
    let mut request_ids = Vec::new();
    let mut events = get("/events".into(), &officer).send().await.unwrap();
    assert_eq!(events.status(), 200);

    for intake in &intakes {
        let res = client
            .post(format!("{base}/cases"))
            .bearer_auth(&officer)
            .json(intake)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        request_ids.push(res.headers()["x-request-id"].to_str().unwrap().to_owned());
        let case: Value = res.json().await.unwrap();
        let id = case["id"].as_str().unwrap().to_owned();
        let person = &intake["persons"][0];

        // Searches by name and document number (in the body; GET /cases with them in the
        // query string is refused, and that refusal must not log them either).
        let surname = person["surnames"].as_str().unwrap();
        let number = person["documents"][0]["number"].as_str();
        for body in [
            json!({"name": surname}),
            json!({"document_number": number.unwrap_or("0801-1990-00001")}),
        ] {
            let res = client
                .post(format!("{base}/cases/search"))
                .bearer_auth(&officer)
                .json(&body)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        }
        let res = get(format!("/cases?name={}", urlencode(surname)), &officer)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let res = get(format!("/cases/{id}"), &officer).send().await.unwrap();
        assert_eq!(res.status(), 200);
        let etag = res.headers()["etag"].to_str().unwrap().to_owned();
        let phone = person["contacts"][0]["value"]
            .as_str()
            .unwrap_or("+504 2222-3333");
        let note = format!(
            "Llamó {} {} desde el {phone}",
            person["given_names"].as_str().unwrap(),
            surname
        );
        let res = client
            .post(format!("{base}/cases/{id}/commands"))
            .bearer_auth(&officer)
            .header("If-Match", &etag)
            .json(&json!({"command": "add_note", "text": note}))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
        for path in ["history", "verify"] {
            let res = get(format!("/cases/{id}/{path}"), &officer)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
        }
        let res = get(format!("/cases/{id}/forms"), &officer)
            .send()
            .await
            .unwrap();
        let forms: Value = res.json().await.unwrap();
        let href = forms["items"][0]["href"].as_str().unwrap();
        let href = href.trim_start_matches("/api/v1").to_owned();
        let res = get(href, &officer).send().await.unwrap();
        assert_eq!(res.status(), 200);
    }

    // Refusals and malformed input that carry personal values and tokens.
    let mut bad = intakes[0].clone();
    bad["persons"][0]["documents"][0]["number"] = "0801-1994-0451".into();
    bad["persons"][0]["birth_date"] = "1994-13-45".into();
    let res = client
        .post(format!("{base}/cases"))
        .bearer_auth(&officer)
        .json(&bad)
        .send()
        .await
        .unwrap();
    assert!(res.status().is_client_error());
    let text = serde_json::to_string(&intakes[1]).unwrap();
    let res = client
        .post(format!("{base}/cases"))
        .bearer_auth(&officer)
        .header("content-type", "application/json")
        .body(text[..text.len() - 3].to_owned())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = get("/cases".into(), &format!("{officer}x"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = get("/cases?name=Peña".into(), "sps_not_a_token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = get("/access-log".into(), &directorate)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = get("/stats".into(), &directorate).send().await.unwrap();
    assert!(res.status().is_success());
    let res = client.get(format!("{base}/metrics")).send().await.unwrap();
    assert_eq!(res.status(), 200);

    server.terminate();
    while events.chunk().await.unwrap().is_some() {}
    let (status, log) = server.wait();
    assert!(status.success(), "{log}");

    // Every line is JSON; request lines carry what operators need.
    let lines: Vec<Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|_| panic!("a JSON line: {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["level"] == "DEBUG"),
        "the run was at debug level"
    );
    let answered: Vec<&Value> = lines
        .iter()
        .filter(|l| l["fields"]["message"] == "response")
        .collect();
    assert!(answered.len() > intakes.len() * 8, "one line per request");
    for line in &answered {
        let span = &line["span"];
        let route = span["route"].as_str().unwrap();
        assert!(route == "unmatched" || route.starts_with('/'), "{line}");
        assert!(line["fields"]["status"].is_u64(), "{line}");
        assert!(line["fields"]["ms"].is_number(), "{line}");
        assert!(span["id"].as_str().unwrap().len() >= 32, "{line}");
    }
    assert!(
        answered
            .iter()
            .any(|l| l["span"]["route"] == "/api/v1/cases/{id}/commands"),
        "route templates, not paths"
    );
    for id in &request_ids {
        assert!(
            answered.iter().any(|l| l["span"]["id"] == id.as_str()),
            "the request id {id} sent back is the one logged"
        );
    }

    // No personal value, no token.
    let mut forbidden = secrets(&intakes);
    for token in [&officer, &directorate] {
        forbidden.insert(token.clone());
        forbidden.insert(token.trim_start_matches("sps_").to_owned());
        forbidden.insert(token.get(4..20).unwrap().to_owned());
    }
    let lowered = log.to_lowercase();
    for secret in &forbidden {
        assert!(
            !lowered.contains(&secret.to_lowercase()),
            "the log holds a personal value or token ({} characters, {:?}…)",
            secret.chars().count(),
            secret.chars().next()
        );
    }
    assert!(forbidden.len() > 40, "{} values searched", forbidden.len());
}

/// Percent-encodes a query value.
fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
