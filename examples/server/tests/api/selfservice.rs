//! A person's own credentials (issue 28): the password, the second factor and the recovery
//! codes change only behind a re-authentication of the session, less than five minutes old
//! (403 `accounts.reauth_required` without one, or with an expired one), never with an API
//! token (403 `auth.session_required`); each change ends the person's other sessions (but the
//! recovery codes'), and the old credential stops working at once; a refused re-authentication
//! counts in the sign-in's backoff; the person sees their own security events, and at the next
//! sign-in that a credential changed; nothing secret in an answer, the audit log or (a real
//! process at debug level) the server's log. The scenarios run on every backend (`selfservice_scenarios!`: here in memory, in `pg` on
//! PostgreSQL). A passkey's re-authentication is `passkeys`' (its software authenticator).

use chrono::{TimeDelta, Utc};
use reqwest::Method;
use serde_json::{Value, json};
use siproc_core::accounts::totp;
use siproc_server::db::token_hash;

use crate::helpers::{Backend, TestApp, spawn};
use crate::signin::{
    Browser, PASSWORD, audit_text, browser, enrol, from_page, post, sign_in, status, unix_now,
};

macro_rules! selfservice_scenarios {
    ($backend:expr) => {
        #[tokio::test]
        async fn reauth_guards_every_credential_change() {
            crate::selfservice::reauth_guards_every_credential_change($backend).await;
        }
        #[tokio::test]
        async fn reauth_refusals_count_in_the_signin_backoff() {
            crate::selfservice::reauth_refusals_count_in_the_signin_backoff($backend).await;
        }
    };
}
pub(crate) use selfservice_scenarios;

mod memory {
    super::selfservice_scenarios!(crate::helpers::Backend::Memory);
}

const NEW_PASSWORD: &str = "un barco de papel en el río";

/// The changes a re-authentication guards: method, path, body.
fn changes(offer: &str) -> [(Method, &'static str, Value); 4] {
    [
        (
            Method::PUT,
            "/account/password",
            json!({ "password": NEW_PASSWORD }),
        ),
        (Method::POST, "/account/second-factor/offer", Value::Null),
        (
            Method::PUT,
            "/account/second-factor",
            json!({ "offer": offer, "code": "123456" }),
        ),
        (Method::POST, "/account/recovery-codes", Value::Null),
    ]
}

/// `method path` with `body` from `b`'s page.
async fn send(
    app: &TestApp,
    b: &Browser,
    method: Method,
    path: &str,
    body: &Value,
) -> (u16, Value) {
    let req = from_page(app, b, method, path);
    let req = if body.is_null() { req } else { req.json(body) };
    status(req).await
}

/// Forgets this test client's failed sign-ins (every request here comes from 127.0.0.1): the
/// refusals this scenario makes on purpose would otherwise make its next sign-in wait (backoff
/// is the other scenario's subject).
fn forgive(app: &TestApp) {
    app.off_runtime(|s| {
        let key = siproc_core::audit::keyed_hash(&s.audit_key, "client:127.0.0.1");
        s.db.clear_signin_failures(&key).unwrap();
    });
}

/// Re-authenticates `b` with the password and `factor`.
async fn reauth(app: &TestApp, b: &Browser, factor: Value) -> (u16, Value) {
    let mut body = json!({ "password": PASSWORD });
    body.as_object_mut()
        .unwrap()
        .extend(factor.as_object().unwrap().clone());
    send(app, b, Method::POST, "/session/reauth", &body).await
}

pub async fn reauth_guards_every_credential_change(backend: Backend) {
    let Some(app) = spawn(backend, "reauth_guards").await else {
        return;
    };
    let login = "user-officer";
    let (secret, codes, _, at) = enrol(&app, login).await;
    let code = totp::code_at(&secret, at + totp::STEP_SECONDS);
    let (got, body, headers) = sign_in(&app, login, json!({ "code": code })).await;
    assert_eq!(got, 200, "{body}");
    assert_eq!(
        body["credentials_changed_at"],
        Value::Null,
        "a first sign-in"
    );
    let b = browser(&headers, &body);
    let (got, body, headers) = sign_in(&app, login, json!({ "recovery_code": codes[0] })).await;
    assert_eq!(got, 200);
    let other = browser(&headers, &body);

    // Without a re-authentication, each change is refused; with an API token, always.
    for (method, path, body) in changes("an-offer") {
        let (got, answer) = send(&app, &b, method.clone(), path, &body).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (403, Some("accounts.reauth_required")),
            "{method} {path}"
        );
        let req = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(&app.tokens["officer"]);
        let req = if body.is_null() { req } else { req.json(&body) };
        let (got, answer) = status(req).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (403, Some("auth.session_required")),
            "{method} {path} with a token"
        );
    }
    let (got, answer) = status(
        app.client
            .post(app.url("/session/reauth"))
            .bearer_auth(&app.tokens["officer"])
            .json(&json!({ "password": PASSWORD, "recovery_code": codes[1] })),
    )
    .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (403, Some("auth.session_required"))
    );
    // A wrong password, and neither a password nor a passkey, are refused.
    let (got, answer) = send(
        &app,
        &b,
        Method::POST,
        "/session/reauth",
        &json!({ "password": "not the password", "recovery_code": codes[1] }),
    )
    .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (403, Some("auth.reauth_failed"))
    );
    forgive(&app);
    let (got, answer) = send(
        &app,
        &b,
        Method::POST,
        "/session/reauth",
        &json!({ "code": "123456" }),
    )
    .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (422, Some("http.wrong_shape"))
    );

    // Re-authenticated (a recovery code): five minutes to change credentials.
    let (got, answer) = reauth(&app, &b, json!({ "recovery_code": codes[1] })).await;
    assert_eq!(got, 200, "{answer}");
    let until: chrono::DateTime<Utc> =
        serde_json::from_value(answer["reauthenticated_until"].clone()).unwrap();
    let left = until - Utc::now();
    assert!(
        left > TimeDelta::minutes(4) && left <= TimeDelta::minutes(5),
        "{left}"
    );
    // The mark is this session's, not the other's.
    let (got, _) = send(
        &app,
        &other,
        Method::POST,
        "/account/recovery-codes",
        &Value::Null,
    )
    .await;
    assert_eq!(got, 403);

    // The password: the core's rule, then changed; the other session ends, this one stays.
    let (got, answer) = send(
        &app,
        &b,
        Method::PUT,
        "/account/password",
        &json!({ "password": "password1234" }),
    )
    .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (422, Some("accounts.password_common"))
    );
    let (got, answer) = send(
        &app,
        &b,
        Method::PUT,
        "/account/password",
        &json!({ "password": NEW_PASSWORD }),
    )
    .await;
    assert_eq!((got, answer), (204, Value::Null));
    assert_eq!(
        send(&app, &other, Method::GET, "/me", &Value::Null).await.0,
        401
    );
    assert_eq!(
        send(&app, &b, Method::GET, "/me", &Value::Null).await.0,
        200
    );
    let (got, _, _) = sign_in(&app, login, json!({ "recovery_code": codes[2] })).await;
    assert_eq!(got, 401, "the old password");
    forgive(&app);
    let with_new = json!({ "login": login, "password": NEW_PASSWORD, "recovery_code": codes[2] });
    let (got, answer, _) = post(&app, "/session", with_new).await;
    assert_eq!(got, 200, "{answer}");
    assert!(
        answer["credentials_changed_at"].is_string(),
        "the next sign-in is told: {answer}"
    );
    // Told once: the sign-in after that one has nothing new.
    let again = json!({ "login": login, "password": NEW_PASSWORD, "recovery_code": codes[3] });
    let (got, answer, headers) = post(&app, "/session", again).await;
    assert_eq!(
        (got, &answer["credentials_changed_at"]),
        (200, &Value::Null)
    );
    let third = browser(&headers, &answer);

    // A new second factor: offered (derived from this session's cookie and the offer), a code
    // of another secret refused, confirmed by a code of the new one.
    let (got, offer) = send(
        &app,
        &b,
        Method::POST,
        "/account/second-factor/offer",
        &Value::Null,
    )
    .await;
    assert_eq!(got, 200, "{offer}");
    let offer_id = offer["offer"].as_str().unwrap();
    let new_secret = totp::change_secret(&b.secret, offer_id);
    assert_eq!(offer["totp_secret"], totp::secret_base32(&new_secret));
    assert_ne!(new_secret.to_vec(), secret);
    assert!(
        offer["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/siproc:user-officer?secret=")
    );
    assert!(offer["otpauth_qr_svg"].as_str().unwrap().contains("<svg"));
    let now = unix_now();
    let old_code = totp::code_at(&secret, now);
    let (got, answer) = send(
        &app,
        &b,
        Method::PUT,
        "/account/second-factor",
        &json!({ "offer": offer_id, "code": old_code }),
    )
    .await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (422, Some("accounts.wrong_code"))
    );
    let new_code = totp::code_at(&new_secret, now);
    let (got, _) = send(
        &app,
        &b,
        Method::PUT,
        "/account/second-factor",
        &json!({ "offer": offer_id, "code": new_code }),
    )
    .await;
    assert_eq!(got, 204);
    assert_eq!(
        send(&app, &third, Method::GET, "/me", &Value::Null).await.0,
        401
    );
    // The old secret no longer signs in; the new one does (its next code: this one is used).
    let by_code = |c: String| json!({ "login": login, "password": NEW_PASSWORD, "code": c });
    let (got, _, _) = post(&app, "/session", by_code(totp::code_at(&secret, now + 30))).await;
    assert_eq!(got, 401);
    forgive(&app);
    let (got, _, _) = post(&app, "/session", by_code(new_code.clone())).await;
    assert_eq!(got, 401, "the confirming code is used");
    forgive(&app);
    let (got, answer, _) = post(
        &app,
        "/session",
        by_code(totp::code_at(&new_secret, now + 30)),
    )
    .await;
    assert_eq!(got, 200, "{answer}");

    // New recovery codes: ten, shown once; the old ones stop working.
    let (got, renewed) = send(
        &app,
        &b,
        Method::POST,
        "/account/recovery-codes",
        &Value::Null,
    )
    .await;
    assert_eq!(got, 201, "{renewed}");
    let fresh: Vec<String> = serde_json::from_value(renewed["recovery_codes"].clone()).unwrap();
    assert_eq!(fresh.len(), 10);
    let by_recovery =
        |c: &str| json!({ "login": login, "password": NEW_PASSWORD, "recovery_code": c });
    let (got, _, _) = post(&app, "/session", by_recovery(&codes[5])).await;
    assert_eq!(got, 401);
    forgive(&app);
    let (got, answer, _) = post(&app, "/session", by_recovery(&fresh[0])).await;
    assert_eq!(
        (got, answer["recovery_codes_left"].as_u64()),
        (200, Some(9))
    );

    // An expired mark is refused (as another process would see the row).
    let hash = token_hash(&b.secret);
    let past = Utc::now() - TimeDelta::seconds(1);
    app.off_runtime(move |s| assert!(s.db.mark_reauthenticated(&hash, past).unwrap()));
    for (method, path, body) in changes(offer_id) {
        let (got, answer) = send(&app, &b, method.clone(), path, &body).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (403, Some("accounts.reauth_required")),
            "{method} {path}"
        );
    }

    // The person's own security events: every step, nothing secret; another's are not there.
    let (got, activity) = send(&app, &b, Method::GET, "/account/activity", &Value::Null).await;
    assert_eq!(got, 200);
    let kinds: Vec<&str> = activity["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["event"]["kind"].as_str().unwrap())
        .collect();
    for kind in [
        "enrolled",
        "signed_in",
        "sign_in_failed",
        "reauth_failed",
        "reauthenticated",
        "password_changed",
        "second_factor_changed",
        "recovery_codes_renewed",
    ] {
        assert!(kinds.contains(&kind), "{kind} in {kinds:?}");
    }
    assert!(
        activity["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["user_id"] == login)
    );
    let changed = activity["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["event"]["kind"] == "password_changed")
        .unwrap();
    assert_eq!(changed["event"]["sessions_ended"], 1);
    let shown = activity.to_string();
    let audit = audit_text(&app).await;
    let new_base32 = totp::secret_base32(&new_secret);
    for secret in [
        PASSWORD,
        NEW_PASSWORD,
        &new_base32,
        offer_id,
        &new_code,
        &codes[1],
        &fresh[1],
        &b.secret,
        &other.secret,
    ] {
        assert!(!audit.contains(secret), "a secret in the audit log");
        assert!(!shown.contains(secret), "a secret in the activity");
    }
}

pub async fn reauth_refusals_count_in_the_signin_backoff(backend: Backend) {
    let Some(app) = spawn(backend, "reauth_backoff").await else {
        return;
    };
    let login = "user-supervisor";
    let (_, codes, _, _) = enrol(&app, login).await;
    let (got, body, headers) = sign_in(&app, login, json!({ "recovery_code": codes[0] })).await;
    assert_eq!(got, 200);
    let b = browser(&headers, &body);
    let wrong = json!({ "password": "not the password", "recovery_code": codes[1] });
    for _ in 0..3 {
        let (got, answer) = send(&app, &b, Method::POST, "/session/reauth", &wrong).await;
        assert_eq!(
            (got, answer["code"].as_str()),
            (403, Some("auth.reauth_failed"))
        );
    }
    // The third refusal makes the next try wait, re-authentication and sign-in alike.
    let res = from_page(&app, &b, Method::POST, "/session/reauth")
        .json(&json!({ "password": PASSWORD, "recovery_code": codes[1] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().get("retry-after").is_some());
    let (got, _, headers) = sign_in(&app, login, json!({ "recovery_code": codes[1] })).await;
    assert_eq!(got, 429);
    assert!(headers.get("retry-after").is_some());
    // The session itself is untouched: no lockout.
    assert_eq!(
        send(&app, &b, Method::GET, "/me", &Value::Null).await.0,
        200
    );
    let audit = audit_text(&app).await;
    assert_eq!(audit.matches("\"kind\":\"reauth_failed\"").count(), 3);
    assert!(!audit.contains("not the password") && !audit.contains(&codes[1]));
}

/// The password check answers the core's verdict, needs no session, keeps nothing, and is
/// limited per client.
#[tokio::test]
async fn the_password_check_is_the_cores_verdict_and_limited() {
    let app = crate::helpers::spawn_app().await;
    let check = |body: Value| post(&app, "/password/check", body);
    let (got, answer, _) = check(json!({ "password": "Password1234" })).await;
    assert_eq!(got, 200);
    assert_eq!(
        answer,
        json!({ "accepted": false, "code": "accounts.password_common", "strength": 0 })
    );
    let (_, answer, _) =
        check(json!({ "password": "ana.maria.lopez", "login": "ana.maria.lopez" })).await;
    assert_eq!(answer["code"], "accounts.password_is_login");
    let (_, answer, _) = check(json!({ "password": NEW_PASSWORD })).await;
    assert_eq!(
        answer,
        json!({ "accepted": true, "code": null, "strength": 4 })
    );
    let (got, answer, _) = check(json!({ "password": 12 })).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (422, Some("http.wrong_shape"))
    );
    assert!(!audit_text(&app).await.contains(NEW_PASSWORD));
    // Sixty a minute from one client, then 429 with Retry-After.
    let mut limited = None;
    for _ in 0..70 {
        let (got, _, headers) = check(json!({ "password": "x" })).await;
        if got == 429 {
            limited = Some(headers);
            break;
        }
        assert_eq!(got, 200);
    }
    let headers = limited.expect("limited within 70 checks");
    assert!(headers.get("retry-after").is_some());
}

/// A real server process at debug level, through enrolment, sign-in, re-authentication and
/// every change: its whole log holds no password, code, secret, offer, link or session secret.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_at_debug_level_logs_no_credential_of_the_changes() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("cases.db").display());
    let printed = std::process::Command::new(env!("CARGO_BIN_EXE_siproc-server"))
        .args(["user", "create", "--login", "ana", "--role", "officer"])
        .args(["--office", "TAP", "--origin", "http://localhost"])
        .args(["--database", &database])
        .output()
        .unwrap();
    assert!(printed.status.success());
    let printed = String::from_utf8(printed.stdout).unwrap();
    let link = printed
        .split("#/enrol/")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let server = crate::logged::LoggedServer::start(
        &["--database", &database, "--listen", "127.0.0.1:0"],
        &[
            ("SIPROC_LOG_FILTER", "debug"),
            ("SIPROC_LOG_FORMAT", "json"),
        ],
    );
    let base = server.base.clone();
    let origin = base.trim_end_matches("/api/v1").to_owned();
    let client = reqwest::Client::new();
    let secret = totp::enrolment_secret(&link);
    let at = unix_now();
    let enrolled: Value = client
        .post(format!("{base}/enrolment"))
        .json(&json!({ "link": link, "password": PASSWORD, "code": totp::code_at(&secret, at) }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let codes: Vec<String> = serde_json::from_value(enrolled["recovery_codes"].clone()).unwrap();
    let res = client
        .post(format!("{base}/session"))
        .json(&json!({ "login": "ana", "password": PASSWORD, "recovery_code": codes[0] }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    let body: Value = res.json().await.unwrap();
    let b = browser(&headers, &body);
    let page = |method: Method, path: &str| {
        client
            .request(method, format!("{base}{path}"))
            .header("cookie", &b.cookie)
            .header("origin", &origin)
            .header("x-csrf-token", &b.csrf)
    };
    let wrong = json!({ "password": "not the password at all", "recovery_code": codes[1] });
    let right = json!({ "password": PASSWORD, "recovery_code": codes[1] });
    for (body, expected) in [(wrong, 403), (right, 200)] {
        let res = page(Method::POST, "/session/reauth")
            .json(&body)
            .send()
            .await;
        assert_eq!(res.unwrap().status(), expected);
    }
    let res = page(Method::PUT, "/account/password")
        .json(&json!({ "password": NEW_PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let offer: Value = page(Method::POST, "/account/second-factor/offer")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let offer_id = offer["offer"].as_str().unwrap().to_owned();
    let new_secret = totp::change_secret(&b.secret, &offer_id);
    let new_code = totp::code_at(&new_secret, unix_now());
    let res = page(Method::PUT, "/account/second-factor")
        .json(&json!({ "offer": offer_id, "code": new_code }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let renewed: Value = page(Method::POST, "/account/recovery-codes")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let fresh = renewed["recovery_codes"][0].as_str().unwrap().to_owned();
    let res = client
        .post(format!("{base}/password/check"))
        .json(&json!({ "password": "una contraseña que nadie ve", "login": "ana" }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    server.logged(&["/password/check"]).await;
    server.terminate();
    let (_, log) = server.wait();
    assert!(
        log.contains("/account/second-factor"),
        "the requests are logged"
    );
    for secret in [
        PASSWORD,
        NEW_PASSWORD,
        "not the password at all",
        "una contraseña que nadie ve",
        &link,
        &codes[0],
        &codes[1],
        &fresh,
        &offer_id,
        &new_code,
        offer["totp_secret"].as_str().unwrap(),
        &b.secret,
        &b.csrf,
        &token_hash(&b.secret),
    ] {
        assert!(!log.contains(secret), "a secret in the log");
    }
}
