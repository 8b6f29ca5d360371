//! The authorization matrix: every route × every role × the caller's own office, another
//! office, and a case with a transfer pending to the caller's office. Each cell's expected
//! status is in the tables below; the test collects every difference and fails listing them.

use std::time::Duration;

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

/// Roles in the order of the table columns.
const ROLES: &[&str] = &["officer", "supervisor", "directorate", "partner", "auditor"];

/// Case routes: for each role, the statuses for (own office, other office, pending transfer).
/// `own` is a TAP case, `other` a MEX case, `transfer` a MEX case with a transfer pending to
/// TAP; officers, supervisors and partners act from TAP, the directorate and the auditor from
/// DGPHM.
#[rustfmt::skip]
const CASE_ROUTES: &[(&str, [[u16; 3]; 5])] = &[
    //                    officer          supervisor       directorate      partner          auditor
    ("get case",        [[200, 404, 200], [200, 404, 200], [200, 200, 200], [404, 404, 404], [200, 200, 200]]),
    ("history",         [[200, 404, 200], [200, 404, 200], [200, 200, 200], [404, 404, 404], [200, 200, 200]]),
    ("verify",          [[200, 404, 200], [200, 404, 200], [200, 200, 200], [404, 404, 404], [200, 200, 200]]),
    ("forms",           [[200, 404, 200], [200, 404, 200], [200, 200, 200], [404, 404, 404], [200, 200, 200]]),
    ("form pdf",        [[200, 404, 403], [200, 404, 403], [200, 200, 200], [404, 404, 404], [403, 403, 403]]),
    ("add note",        [[200, 404, 403], [200, 404, 403], [200, 200, 200], [404, 404, 404], [403, 403, 403]]),
    // If-Match is checked before the case is looked up: a case one may not see answers as one
    // that does not exist.
    ("no If-Match",     [[428, 428, 428], [428, 428, 428], [428, 428, 428], [428, 428, 428], [428, 428, 428]]),
    ("approve closure", [[403, 404, 403], [422, 404, 403], [422, 422, 422], [404, 404, 404], [403, 403, 403]]),
];

/// Routes without a case: the status for each role.
#[rustfmt::skip]
const OTHER_ROUTES: &[(&str, [u16; 5])] = &[
    //                               officer supervisor directorate partner auditor
    ("register own office",          [201, 201, 201, 403, 403]),
    ("register other office",        [403, 403, 201, 403, 403]),
    ("list",                         [200, 200, 200, 403, 200]),
    ("events",                       [200, 200, 200, 403, 200]),
    // Without an approved request of their own, the directorate exports nothing either.
    ("export archive",               [403, 403, 403, 403, 403]),
    ("request export",               [403, 403, 201, 403, 403]),
    ("search",                       [200, 200, 200, 403, 200]),
    ("audit log",                    [403, 403, 200, 403, 200]),
    ("grants",                       [403, 200, 200, 403, 200]),
    ("import archive",               [403, 403, 200, 403, 403]),
    ("access log",                   [403, 403, 200, 403, 200]),
    ("form-check log",               [403, 403, 200, 403, 200]),
    ("health",                       [200, 200, 200, 200, 200]),
    ("stats",                        [200, 200, 200, 403, 200]),
    ("releases",                     [200, 200, 200, 200, 200]),
    // The current month has not closed: the directorate is told so, the others refused.
    ("publish release",              [403, 403, 422, 403, 403]),
    ("openapi",                      [200, 200, 200, 200, 200]),
    // What is held about one person: the directorate only (auditors read, they do not
    // disclose; partners' tokens lack `cases:read`).
    ("subject access",               [403, 403, 200, 403, 403]),
];

/// Whether each case is in the caller's list and event stream (1) or not (0), for (own office,
/// other office, pending transfer): a case with a transfer pending to an office is that
/// office's to see, in lists and streams alike. Partners see no list or stream at all (403).
#[rustfmt::skip]
const SEEN_IN: &[(&str, [[u8; 3]; 5])] = &[
    //             officer    supervisor directorate partner    auditor
    ("list",     [[1, 0, 1], [1, 0, 1], [1, 1, 1], [0, 0, 0], [1, 1, 1]]),
    ("events",   [[1, 0, 1], [1, 0, 1], [1, 1, 1], [0, 0, 0], [1, 1, 1]]),
];

/// The case ids `who` finds through `route` (`list` or `events`, from the stream's start).
async fn seen_in(app: &TestApp, route: &str, who: &str) -> Vec<String> {
    match route {
        "list" => {
            let res = app.list_cases(who, "limit=500").send().await.unwrap();
            if res.status() != 200 {
                return Vec::new();
            }
            let page: serde_json::Value = res.json().await.unwrap();
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| c["id"].as_str().unwrap().to_owned())
                .collect()
        }
        "events" => {
            let res = app.events(who).send().await.unwrap();
            if res.status() != 200 {
                return Vec::new();
            }
            let mut stream = crate::events::Stream::open(app, who, Some("0")).await;
            let mut ids = Vec::new();
            while let Some((_, data)) = stream.next(Duration::from_millis(500)).await {
                ids.push(data["case_id"].as_str().unwrap().to_owned());
            }
            ids
        }
        other => panic!("unknown route {other}"),
    }
}

/// Break the glass, run last (it changes what the caller sees afterwards).
#[rustfmt::skip]
const BREAK_GLASS: [[u16; 3]; 5] =
    [[201, 201, 201], [201, 201, 201], [201, 201, 201], [403, 403, 403], [403, 403, 403]];

struct Cases {
    own: String,
    other: String,
    transfer: String,
}

async fn setup(app: &TestApp) -> Cases {
    let own = app.register("directorate", "TAP").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let other = app.register("directorate", "MEX").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let transfer = app.register("directorate", "MEX").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = app
        .command(
            "directorate",
            &transfer,
            json!({"command": "request_transfer", "to_office": "TAP"}),
        )
        .await;
    assert_eq!(status, 200);
    Cases {
        own,
        other,
        transfer,
    }
}

async fn case_route(app: &TestApp, route: &str, who: &str, id: &str, form: &str) -> u16 {
    let send =
        |r: reqwest::RequestBuilder| async move { r.send().await.unwrap().status().as_u16() };
    match route {
        "get case" => send(app.get_case(who, id)).await,
        "history" => send(app.history(who, id, "")).await,
        "verify" => send(app.verify(who, id)).await,
        "forms" => send(app.forms(who, id)).await,
        "form pdf" => send(app.form_pdf(who, id, &format!("{form}.pdf"))).await,
        "add note" => {
            app.command(
                who,
                id,
                json!({"command": "add_note", "text": "Visita consular."}),
            )
            .await
        }
        "no If-Match" => {
            send(
                app.run_command(who, id)
                    .json(&json!({"command": "add_note", "text": "x"})),
            )
            .await
        }
        "approve closure" => {
            app.command(who, id, json!({"command": "approve_closure"}))
                .await
        }
        "break glass" => {
            send(app.break_glass(who, id).json(&json!({
                "reason_code": "authority_request",
                "reason": "Audiencia urgente mañana"
            })))
            .await
        }
        other => panic!("unknown route {other}"),
    }
}

async fn other_route(app: &TestApp, route: &str, who: &str) -> u16 {
    let send =
        |r: reqwest::RequestBuilder| async move { r.send().await.unwrap().status().as_u16() };
    match route {
        "register own office" => {
            send(app.create_case(who).json(&crate::helpers::intake("TAP"))).await
        }
        "register other office" => {
            send(app.create_case(who).json(&crate::helpers::intake("MEX"))).await
        }
        "list" => send(app.list_cases(who, "")).await,
        "events" => send(app.events(who)).await,
        "export archive" => send(app.export(who, "")).await,
        "request export" => send(app.request_export(who)).await,
        "search" => {
            send(
                app.search_cases(who)
                    .json(&json!({"name": "ana", "status": "registered"})),
            )
            .await
        }
        "audit log" => send(app.audit_log(who, "")).await,
        "grants" => send(app.list_grants(who, "")).await,
        "import archive" => send(app.import(who).body(Vec::new())).await,
        "access log" => send(app.access_log(who, "")).await,
        "form-check log" => send(app.check_log(who, "")).await,
        "health" => send(app.health(who)).await,
        "stats" => send(app.stats(who, "")).await,
        "releases" => send(app.releases(who)).await,
        "publish release" => {
            let now = chrono::Utc::now();
            let period = format!("{}", now.format("%Y-%m"));
            send(app.publish_release(who).json(&json!({ "period": period }))).await
        }
        "openapi" => send(app.openapi(who)).await,
        "subject access" => send(app.subject_access(who).json(&json!({"name": "ana"}))).await,
        other => panic!("unknown route {other}"),
    }
}

#[tokio::test]
async fn every_route_role_and_office_answers_as_the_table_says() {
    let app = spawn_app().await;
    let cases = setup(&app).await;
    // A form the detention case requires, as the directorate sees it.
    let forms: serde_json::Value = app
        .forms("directorate", &cases.own)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = forms["items"][0]["form"]
        .as_str()
        .expect("a required form")
        .to_owned();
    let columns = [&cases.own, &cases.other, &cases.transfer];
    let mut differences = Vec::new();
    for (route, expected) in CASE_ROUTES {
        for (r, who) in ROLES.iter().enumerate() {
            for (c, id) in columns.iter().enumerate() {
                let got = case_route(&app, route, who, id, &form).await;
                let want = expected[r][c];
                if got != want {
                    differences.push(format!(
                        "{route} / {who} / column {c}: {got}, expected {want}"
                    ));
                }
            }
        }
    }
    for (route, expected) in OTHER_ROUTES {
        for (r, who) in ROLES.iter().enumerate() {
            let got = other_route(&app, route, who).await;
            if got != expected[r] {
                differences.push(format!("{route} / {who}: {got}, expected {}", expected[r]));
            }
        }
    }
    for (route, expected) in SEEN_IN {
        for (r, who) in ROLES.iter().enumerate() {
            let seen = seen_in(&app, route, who).await;
            for (c, id) in columns.iter().enumerate() {
                let got = u8::from(seen.contains(*id));
                if got != expected[r][c] {
                    differences.push(format!(
                        "{route} shows / {who} / column {c}: {got}, expected {}",
                        expected[r][c]
                    ));
                }
            }
        }
    }
    for (r, who) in ROLES.iter().enumerate() {
        for (c, id) in columns.iter().enumerate() {
            let got = case_route(&app, "break glass", who, id, &form).await;
            if got != BREAK_GLASS[r][c] {
                differences.push(format!(
                    "break glass / {who} / column {c}: {got}, expected {}",
                    BREAK_GLASS[r][c]
                ));
            }
        }
    }
    assert!(differences.is_empty(), "{}", differences.join("\n"));

    // After breaking the glass the officer sees the other office's case, and the access log
    // shows it with the reason.
    let res = app.get_case("officer", &cases.other).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let log: serde_json::Value = app
        .access_log(
            "directorate",
            &format!("case={}&user=user-officer", cases.other),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = log["items"].as_array().unwrap();
    assert!(items.iter().any(|e| e["what"] == "case"
        && e["access"] == "break_glass"
        && e["reason"] == "authority_request: Audiencia urgente mañana"));
    assert!(items.iter().any(|e| e["what"] == "break_glass"));
}

#[tokio::test]
async fn every_route_wants_a_token() {
    let app = spawn_app().await;
    let id = uuid::Uuid::nil();
    let client = &app.client;
    let requests = [
        client
            .post(app.url("/cases"))
            .json(&crate::helpers::intake("TAP")),
        client.get(app.url("/cases")),
        client.get(app.url(&format!("/cases/{id}"))),
        client.post(app.url(&format!("/cases/{id}/commands"))),
        client.get(app.url(&format!("/cases/{id}/history"))),
        client.get(app.url(&format!("/cases/{id}/verify"))),
        client.get(app.url(&format!("/cases/{id}/forms"))),
        client.get(app.url(&format!("/cases/{id}/forms/x.pdf"))),
        client.post(app.url(&format!("/cases/{id}/access"))),
        client.get(app.url("/events")),
        client.get(app.url("/archive")),
        client.post(app.url("/archive")),
        client.get(app.url("/access-log")),
        client.get(app.url("/audit")),
        client.post(app.url("/cases/search")),
        client.post(app.url("/subject-access")),
        client.get(app.url("/grants")),
        client.post(app.url("/grants/1/end")),
        client.post(app.url("/archive/requests")),
        client.post(app.url("/archive/requests/1/approve")),
        client.get(app.url("/cases")).bearer_auth("sps_not_a_token"),
    ];
    for req in requests {
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401, "{}", res.url());
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "auth.unauthorized");
    }
    let res = client.get(app.url("/health")).send().await.unwrap();
    assert_eq!(res.status(), 200);
}
