//! Users and API tokens over HTTP: who manages whom, tokens' scopes, expiry and revocation,
//! and every route's refusal of a missing, expired, revoked or out-of-scope credential. The
//! scenarios run on every backend (`account_scenarios!`: here in memory, in `pg` on
//! PostgreSQL).

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};
use siproc_core::accounts::tokens::{NewToken, Scope};
use siproc_core::audit::AuditFilter;
use siproc_server::db::{new_token, token_hash};

use crate::helpers::{Backend, TestApp, spawn};

macro_rules! account_scenarios {
    ($backend:expr) => {
        #[tokio::test]
        async fn the_directorate_manages_users_and_a_supervisor_their_officers() {
            crate::accounts::the_directorate_manages_users_and_a_supervisor_their_officers($backend)
                .await;
        }
        #[tokio::test]
        async fn a_disabled_users_token_stops_at_its_next_request() {
            crate::accounts::a_disabled_users_token_stops_at_its_next_request($backend).await;
        }
        #[tokio::test]
        async fn tokens_are_listed_without_secrets_scoped_and_revocable() {
            crate::accounts::tokens_are_listed_without_secrets_scoped_and_revocable($backend)
                .await;
        }
        #[tokio::test]
        async fn every_route_refuses_missing_expired_revoked_and_out_of_scope_credentials() {
            crate::accounts::every_route_refuses_missing_expired_revoked_and_out_of_scope_credentials(
                $backend,
            )
            .await;
        }
    };
}
pub(crate) use account_scenarios;

mod memory {
    super::account_scenarios!(crate::helpers::Backend::Memory);
}

/// A token of `owner` (an existing user) with `scopes`, made `age` ago for `days` days.
pub(crate) fn token_of(
    app: &TestApp,
    owner: &str,
    scopes: &[Scope],
    age: TimeDelta,
    days: u32,
) -> (String, String) {
    app.off_runtime(|s| {
        let user = s.db.user(owner).unwrap().unwrap();
        let id = uuid::Uuid::now_v7().simple().to_string();
        let token = NewToken {
            name: "test".into(),
            scopes: Some(scopes.to_vec()),
            expires_in_days: Some(days),
        }
        .token(&user, id.clone(), Utc::now() - age)
        .unwrap();
        let secret = new_token().unwrap();
        s.db.add_api_token(&token_hash(&secret), &token).unwrap();
        (id, secret)
    })
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    path: &str,
    bearer: Option<&str>,
    body: Option<Value>,
) -> (u16, Value) {
    let mut req = app.client.request(method, app.url(path));
    if let Some(bearer) = bearer {
        req = req.bearer_auth(bearer);
    }
    if let Some(body) = body {
        req = req.json(&body);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn the_directorate_manages_users_and_a_supervisor_their_officers(backend: Backend) {
    let Some(app) = spawn(backend, "manage_users").await else {
        return;
    };
    let t = |who: &str| app.tokens[who].clone();
    let post = reqwest::Method::POST;
    let ana = json!({"login": "ana.perez", "display_name": "Ana Pérez", "role": "officer", "office": "TAP"});
    let res = app
        .client
        .post(app.url("/users"))
        .bearer_auth(t("directorate"))
        .json(&ana)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(res.headers()["location"], "/api/v1/users/ana.perez");
    let user: Value = res.json().await.unwrap();
    assert_eq!(user["state"], "active");
    assert_eq!(user["office"], "TAP");
    // Taken, malformed, an office for a role without one, an office not the pack's.
    for (body, status, code) in [
        (ana.clone(), 409, "accounts.login_taken"),
        (
            json!({"login": "Ana", "role": "officer", "office": "TAP"}),
            422,
            "accounts.bad_login",
        ),
        (
            json!({"login": "aud", "role": "auditor", "office": "TAP"}),
            422,
            "accounts.office_not_allowed",
        ),
        (
            json!({"login": "eva", "role": "officer", "office": "ZZZ"}),
            422,
            "accounts.unknown_office",
        ),
        (
            json!({"login": "eva", "role": "officer"}),
            422,
            "accounts.office_required",
        ),
    ] {
        let (got, answer) = send(
            &app,
            post.clone(),
            "/users",
            Some(&t("directorate")),
            Some(body),
        )
        .await;
        assert_eq!((got, answer["code"].as_str().unwrap()), (status, code));
    }
    // A supervisor creates officers of their own office only.
    let (got, _) = send(
        &app,
        post.clone(),
        "/users",
        Some(&t("supervisor")),
        Some(json!({"login": "bob", "role": "officer", "office": "TAP"})),
    )
    .await;
    assert_eq!(got, 201);
    for body in [
        json!({"login": "eva", "role": "officer", "office": "HOU"}),
        json!({"login": "sue", "role": "supervisor", "office": "TAP"}),
    ] {
        let (got, answer) = send(
            &app,
            post.clone(),
            "/users",
            Some(&t("supervisor")),
            Some(body),
        )
        .await;
        assert_eq!(
            (got, answer["code"].as_str().unwrap()),
            (403, "accounts.not_allowed")
        );
    }
    let (got, _) = send(
        &app,
        post.clone(),
        "/users",
        Some(&t("officer")),
        Some(json!({"login": "zed", "role": "officer", "office": "TAP"})),
    )
    .await;
    assert_eq!(got, 403);
    // Lists: the supervisor sees TAP's users, an officer no list, but themselves.
    let (got, list) = send(
        &app,
        reqwest::Method::GET,
        "/users",
        Some(&t("supervisor")),
        None,
    )
    .await;
    assert_eq!(got, 200);
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&"bob") && ids.contains(&"ana.perez") && !ids.contains(&"user-officer_hou"),
        "{ids:?}"
    );
    let (got, _) = send(
        &app,
        reqwest::Method::GET,
        "/users",
        Some(&t("officer")),
        None,
    )
    .await;
    assert_eq!(got, 403);
    let (got, me) = send(
        &app,
        reqwest::Method::GET,
        "/users/user-officer",
        Some(&t("officer")),
        None,
    )
    .await;
    assert_eq!((got, me["role"].as_str()), (200, Some("officer")));
    let (got, _) = send(
        &app,
        reqwest::Method::GET,
        "/users/user-officer_hou",
        Some(&t("officer")),
        None,
    )
    .await;
    assert_eq!(got, 404);
    // Changes: a supervisor may not promote; the directorate may; nobody disables themselves.
    let patch = reqwest::Method::PATCH;
    let (got, _) = send(
        &app,
        patch.clone(),
        "/users/bob",
        Some(&t("supervisor")),
        Some(json!({"role": "supervisor"})),
    )
    .await;
    assert_eq!(got, 403);
    let (got, bob) = send(
        &app,
        patch.clone(),
        "/users/bob",
        Some(&t("directorate")),
        Some(json!({"role": "supervisor"})),
    )
    .await;
    assert_eq!((got, bob["role"].as_str()), (200, Some("supervisor")));
    let (got, answer) = send(
        &app,
        patch.clone(),
        "/users/user-directorate",
        Some(&t("directorate")),
        Some(json!({"state": "disabled"})),
    )
    .await;
    assert_eq!(
        (got, answer["code"].as_str().unwrap()),
        (403, "accounts.own_account")
    );
    let (got, _) = send(
        &app,
        patch.clone(),
        "/users/bob",
        Some(&t("directorate")),
        Some(json!({"colour": "red"})),
    )
    .await;
    assert_eq!(got, 422);
    // The audit log has each creation and change, by whom, from a hashed client.
    let log = app.off_runtime(|s| {
        s.db.audit_log(&AuditFilter {
            limit: 50,
            ..AuditFilter::default()
        })
        .unwrap()
    });
    let kinds: Vec<&str> = log.iter().map(|e| e.event.kind()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "user_created").count(),
        2,
        "{kinds:?}"
    );
    assert_eq!(
        kinds.iter().filter(|k| **k == "user_changed").count(),
        1,
        "{kinds:?}"
    );
    assert!(log.iter().all(|e| {
        e.client
            .as_ref()
            .is_some_and(|c| c.len() == 32 && !c.contains("127."))
    }));
    assert_eq!(log[0].user_id.as_deref(), Some("user-directorate"));
}

pub async fn a_disabled_users_token_stops_at_its_next_request(backend: Backend) {
    let Some(app) = spawn(backend, "disable_user").await else {
        return;
    };
    let officer = app.tokens["officer"].clone();
    let (got, _) = send(&app, reqwest::Method::GET, "/cases", Some(&officer), None).await;
    assert_eq!(got, 200);
    let (got, user) = send(
        &app,
        reqwest::Method::PATCH,
        "/users/user-officer",
        Some(&app.tokens["supervisor"]),
        Some(json!({"state": "disabled"})),
    )
    .await;
    assert_eq!((got, user["state"].as_str()), (200, Some("disabled")));
    let (got, answer) = send(&app, reqwest::Method::GET, "/cases", Some(&officer), None).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (401, Some("auth.unauthorized"))
    );
    // Re-enabled, the same token works again (it was never revoked).
    let (got, _) = send(
        &app,
        reqwest::Method::PATCH,
        "/users/user-officer",
        Some(&app.tokens["supervisor"]),
        Some(json!({"state": "active"})),
    )
    .await;
    assert_eq!(got, 200);
    let (got, _) = send(&app, reqwest::Method::GET, "/cases", Some(&officer), None).await;
    assert_eq!(got, 200);
}

pub async fn tokens_are_listed_without_secrets_scoped_and_revocable(backend: Backend) {
    let Some(app) = spawn(backend, "tokens").await else {
        return;
    };
    let officer = app.tokens["officer"].clone();
    let (got, made) = send(
        &app,
        reqwest::Method::POST,
        "/tokens",
        Some(&officer),
        Some(json!({"name": "chancellery sync", "scopes": ["cases:read"], "expires_in_days": 30})),
    )
    .await;
    assert_eq!(got, 201, "{made}");
    let secret = made["secret"].as_str().unwrap().to_owned();
    let id = made["token"]["id"].as_str().unwrap().to_owned();
    assert_eq!(made["token"]["scopes"], json!(["cases:read"]));
    // It reads, it does not write: 403 naming the scope, not the token.
    let (got, _) = send(&app, reqwest::Method::GET, "/cases", Some(&secret), None).await;
    assert_eq!(got, 200);
    let (got, answer) = send(
        &app,
        reqwest::Method::POST,
        "/cases",
        Some(&secret),
        Some(crate::helpers::intake("TAP")),
    )
    .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (403, Some("auth.insufficient_scope"))
    );
    assert!(!answer.to_string().contains(&secret));
    // Listed without its secret or hash.
    let (got, list) = send(&app, reqwest::Method::GET, "/tokens", Some(&officer), None).await;
    assert_eq!(got, 200);
    let text = list.to_string();
    assert!(text.contains(&id) && !text.contains(&secret) && !text.contains(&token_hash(&secret)));
    // Bad requests.
    for body in [
        json!({"name": ""}),
        json!({"name": "x", "expires_in_days": 0}),
        json!({"name": "x", "scopes": ["root"]}),
    ] {
        let (got, _) = send(
            &app,
            reqwest::Method::POST,
            "/tokens",
            Some(&officer),
            Some(body),
        )
        .await;
        assert_eq!(got, 422);
    }
    // Another user cannot revoke it; its owner can, and it stops.
    let (got, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/tokens/{id}"),
        Some(&app.tokens["directorate"]),
        None,
    )
    .await;
    assert_eq!(got, 404);
    let (got, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/tokens/{id}"),
        Some(&officer),
        None,
    )
    .await;
    assert_eq!(got, 204);
    let (got, _) = send(&app, reqwest::Method::GET, "/cases", Some(&secret), None).await;
    assert_eq!(got, 401);
    let (got, _) = send(
        &app,
        reqwest::Method::DELETE,
        &format!("/tokens/{id}"),
        Some(&officer),
        None,
    )
    .await;
    assert_eq!(got, 204, "revoking twice changes nothing");
    let log = app.off_runtime(|s| {
        s.db.audit_log(&AuditFilter {
            limit: 50,
            ..AuditFilter::default()
        })
        .unwrap()
    });
    let kinds: Vec<&str> = log.iter().map(|e| e.event.kind()).collect();
    assert_eq!(kinds, ["token_revoked", "token_created"]);
    let json = serde_json::to_string(&log).unwrap();
    assert!(!json.contains(&secret) && !json.contains(&token_hash(&secret)));
}

/// Every operation of the OpenAPI document that always needs a token or a session, with its path's
/// parameters filled. (Those whose token is optional, as `GET /metrics` from loopback, are
/// tested on their own: `configuration.rs`.)
async fn operations(app: &TestApp) -> Vec<(reqwest::Method, String, String)> {
    let (_, doc) = send(app, reqwest::Method::GET, "/openapi.json", None, None).await;
    let mut out = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, operation) in item.as_object().unwrap() {
            if operation["security"] != json!([{"bearer": []}, {"session": []}]) {
                continue;
            }
            let filled = path
                .replace("{id}", "0190d7a0-0000-7000-8000-000000000000")
                .replace("{file}", "f.pdf");
            out.push((method.to_uppercase().parse().unwrap(), path.clone(), filled));
        }
    }
    out
}

pub async fn every_route_refuses_missing_expired_revoked_and_out_of_scope_credentials(
    backend: Backend,
) {
    let Some(app) = spawn(backend, "every_route").await else {
        return;
    };
    let owner = "user-directorate";
    let (_, expired) = token_of(&app, owner, &Scope::ALL, TimeDelta::days(2), 1);
    let (revoked_id, revoked) = token_of(&app, owner, &Scope::ALL, TimeDelta::zero(), 1);
    app.off_runtime(|s| s.db.revoke_token(&revoked_id, Utc::now()).unwrap());
    // A session signed out, and one never opened: each sent as the web page would send it
    // (its own origin, the CSRF token of its secret), so that only the session is wrong.
    let ended = "ended-session-secret";
    app.off_runtime(|s| {
        let user = s.db.user(owner).unwrap().unwrap();
        let session = siproc_core::accounts::sessions::Session {
            id: "ended".into(),
            user_id: user.id,
            method: siproc_core::accounts::sessions::SignInMethod::PasswordTotp,
            created_at: Utc::now(),
            last_seen_at: Utc::now(),
            ended_at: None,
            reauthenticated_until: None,
        };
        s.db.create_session(&token_hash(ended), &session).unwrap();
        assert!(s.db.end_session(&token_hash(ended), Utc::now()).unwrap());
    });
    let origin = app.base.trim_end_matches("/api/v1").to_owned();
    let ops = operations(&app).await;
    assert!(ops.len() > 15, "{}", ops.len());
    let mut wrong = Vec::new();
    for (method, route, path) in &ops {
        let with_session = |secret: &str| {
            app.client
                .request(method.clone(), app.url(path))
                .header("If-Match", "\"1\"")
                .header("cookie", format!("siproc_session={secret}"))
                .header("origin", &origin)
                .header("x-csrf-token", siproc_server::session::csrf_token(secret))
                .json(&json!({}))
        };
        for (what, secret) in [("ended session", ended), ("unknown session", "0000")] {
            let res = with_session(secret).send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            if status != 401 || !body.contains("auth.unauthorized") {
                wrong.push(format!("{method} {route} {what}: {status}"));
            }
        }
        let request = |bearer: Option<String>| {
            let mut req = app
                .client
                .request(method.clone(), app.url(path))
                .header("If-Match", "\"1\"");
            if let Some(b) = bearer {
                req = req.bearer_auth(b);
            }
            req.json(&json!({}))
        };
        for (what, bearer) in [
            ("missing", None),
            ("malformed", Some("sps_0000".to_owned())),
            ("expired", Some(expired.clone())),
            ("revoked", Some(revoked.clone())),
        ] {
            let res = request(bearer).send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            if status != 401 || !body.contains("auth.unauthorized") {
                wrong.push(format!("{method} {route} {what}: {status}"));
            }
        }
        // A live token with every scope but the one the route needs.
        if let Some(needed) = siproc_server::auth::required_scope(method, route) {
            let others: Vec<Scope> = Scope::ALL.into_iter().filter(|s| *s != needed).collect();
            let (_, narrow) = token_of(&app, owner, &others, TimeDelta::zero(), 1);
            let res = request(Some(narrow)).send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            if status != 403 || !body.contains("auth.insufficient_scope") {
                wrong.push(format!("{method} {route} out of scope: {status}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
}

/// The shell's verbs on an SQLite file, and a server process on it: `user create`, a token
/// made for the user, listed, used, revoked; `user disable` ends the user's tokens.
#[tokio::test]
async fn the_user_and_token_verbs_work_on_a_database_a_server_uses() {
    use crate::process::{Server, cli};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("cli.db").display());
    let created = cli(&[
        "user",
        "create",
        "--login",
        "ana",
        "--role",
        "officer",
        "--office",
        "TAP",
        "--name",
        "Ana Pérez",
        "--database",
        &db,
    ]);
    assert!(created.contains("user ana created"), "{created}");
    let secret = cli(&[
        "token",
        "create",
        "--user",
        "ana",
        "--scope",
        "cases:read",
        "--expires-in",
        "30d",
        "--database",
        &db,
    ]);
    let secret = secret.trim().to_owned();
    assert!(secret.starts_with("sps_"));
    let listed = cli(&["token", "list", "--user", "ana", "--database", &db]);
    assert!(
        listed.contains("live") && listed.contains("cases:read") && !listed.contains(&secret),
        "{listed}"
    );
    let id = listed.split_whitespace().next().unwrap().to_owned();
    let server = Server::start(&db);
    let client = reqwest::Client::new();
    let status = |path: &str| {
        client
            .get(format!("{}{path}", server.base))
            .bearer_auth(&secret)
            .send()
    };
    assert_eq!(status("/cases").await.unwrap().status(), 200);
    assert_eq!(
        status("/stats").await.unwrap().status(),
        403,
        "out of scope"
    );
    cli(&["user", "disable", "ana", "--database", &db]);
    assert_eq!(status("/cases").await.unwrap().status(), 401);
    cli(&["user", "enable", "ana", "--database", &db]);
    assert_eq!(status("/cases").await.unwrap().status(), 200);
    assert!(cli(&["token", "revoke", &id, "--database", &db]).contains("revoked"));
    assert_eq!(status("/cases").await.unwrap().status(), 401);
    let log = cli(&["token", "list", "--database", &db]);
    assert!(log.contains("revoked"), "{log}");
}

/// A server process's log at `trace`, through token creation, use, refusal and revocation:
/// no line holds a token's secret or its hash.
#[tokio::test]
async fn no_log_line_holds_a_token_or_its_hash() {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("log.db").display());
    let admin = crate::process::create_token(&db, "dir", "directorate", "");
    let log_path = dir.path().join("server.log");
    let mut child = Command::new(env!("CARGO_BIN_EXE_siproc-server"))
        .args([
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--rate-limit",
            "0",
            "--database",
            &db,
        ])
        .env("RUST_LOG", "trace")
        .stdout(Stdio::piped())
        .stderr(std::fs::File::create(&log_path).unwrap())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let base = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.split("listening on ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    let client = reqwest::Client::new();
    let made: Value = client
        .post(format!("{base}/tokens"))
        .bearer_auth(&admin)
        .json(&json!({"name": "script"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let secret = made["secret"].as_str().unwrap().to_owned();
    let id = made["token"]["id"].as_str().unwrap().to_owned();
    for bearer in [secret.as_str(), "sps_not_a_token", admin.as_str()] {
        client
            .get(format!("{base}/cases"))
            .bearer_auth(bearer)
            .send()
            .await
            .unwrap();
    }
    client
        .delete(format!("{base}/tokens/{id}"))
        .bearer_auth(&admin)
        .send()
        .await
        .unwrap();
    client
        .get(format!("{base}/cases"))
        .bearer_auth(&secret)
        .send()
        .await
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    let log = std::fs::read_to_string(&log_path).unwrap();
    assert!(
        log.matches("\"response\"").count() >= 6,
        "every request logged: {log}"
    );
    for secret in [&secret, &admin] {
        assert!(!log.contains(secret.as_str()), "a token in the log");
        assert!(
            !log.contains(&token_hash(secret)),
            "a token's hash in the log"
        );
    }
    assert!(!log.contains("sps_not_a_token"));
}
