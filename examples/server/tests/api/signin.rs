//! People signing in (issue 28): enrolment through a single-use link, password and a
//! second-factor or recovery code, the session cookie and its CSRF token, sign out (and
//! everywhere), the same refusal for an unknown login and a wrong password, backoff without
//! lockout, a disabled user's session refused at its next request (also from another server
//! on the same database), and an audit log with no secret in it. The scenarios run on every
//! backend (`signin_scenarios!`: here in memory, in `pg` on PostgreSQL).

use chrono::Utc;
use reqwest::header::{HeaderMap, SET_COOKIE};
use serde_json::{Value, json};
use siproc_core::accounts::totp;
use siproc_core::audit::AuditFilter;

use crate::helpers::{Backend, TestApp, spawn, spawn_app_on};

macro_rules! signin_scenarios {
    ($backend:expr) => {
        #[tokio::test]
        async fn a_person_enrols_signs_in_with_a_code_or_a_recovery_code_and_out() {
            crate::signin::a_person_enrols_signs_in_with_a_code_or_a_recovery_code_and_out(
                $backend,
            )
            .await;
        }
        #[tokio::test]
        async fn a_cross_site_write_with_the_session_cookie_is_refused() {
            crate::signin::a_cross_site_write_with_the_session_cookie_is_refused($backend).await;
        }
        #[tokio::test]
        async fn refusals_look_alike_and_wait_but_never_lock_out() {
            crate::signin::refusals_look_alike_and_wait_but_never_lock_out($backend).await;
        }
        #[tokio::test]
        async fn a_disabled_users_session_is_refused_at_its_next_request() {
            crate::signin::a_disabled_users_session_is_refused_at_its_next_request($backend).await;
        }
    };
}
pub(crate) use signin_scenarios;

mod memory {
    super::signin_scenarios!(crate::helpers::Backend::Memory);
}

pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// The origin of the app's pages.
pub(crate) fn origin(app: &TestApp) -> String {
    app.base.trim_end_matches("/api/v1").to_owned()
}

pub(crate) fn unix_now() -> u64 {
    u64::try_from(Utc::now().timestamp()).unwrap()
}

/// Sends `body` to `path` with no credential; the status, the JSON answer and the headers.
pub(crate) async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value, HeaderMap) {
    let res = app
        .client
        .post(app.url(path))
        .json(&body)
        .send()
        .await
        .unwrap();
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, res.json().await.unwrap_or(Value::Null), headers)
}

/// Enrols the existing user `login` with [`PASSWORD`] through a fresh link: the second
/// factor's secret, the recovery codes, the link and the time whose code enrolled; the
/// offered secret and the first code checked on the way.
pub(crate) async fn enrol(app: &TestApp, login: &str) -> (Vec<u8>, Vec<String>, String, u64) {
    let (link, _) = app.off_runtime(|s| {
        siproc_server::routes::enrolment::issue(&s.db, login, 1, Utc::now()).unwrap()
    });
    let (got, offer, _) = post(app, "/enrolment/lookup", json!({ "link": link })).await;
    assert_eq!((got, offer["login"].as_str()), (200, Some(login)));
    let secret = totp::enrolment_secret(&link).to_vec();
    assert_eq!(offer["totp_secret"], totp::secret_base32(&secret));
    assert!(
        offer["otpauth_uri"]
            .as_str()
            .unwrap()
            .starts_with("otpauth://totp/siproc:")
    );
    // A common password, then a wrong code, are refused; the link still works.
    let at = unix_now();
    let code = totp::code_at(&secret, at);
    let weak = json!({ "link": link, "password": "password1234", "code": code });
    let (got, answer, _) = post(app, "/enrolment", weak).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (422, Some("accounts.password_common"))
    );
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    let bad = json!({ "link": link, "password": PASSWORD, "code": wrong });
    let (got, answer, _) = post(app, "/enrolment", bad).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (422, Some("accounts.wrong_code"))
    );
    let good = json!({ "link": link, "password": PASSWORD, "code": code });
    let (got, enrolled, _) = post(app, "/enrolment", good.clone()).await;
    assert_eq!(got, 201, "{enrolled}");
    let codes: Vec<String> = serde_json::from_value(enrolled["recovery_codes"].clone()).unwrap();
    assert_eq!(codes.len(), 10);
    // Used once.
    let (got, answer, _) = post(app, "/enrolment", good).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (404, Some("accounts.enrolment_unknown"))
    );
    (secret, codes, link, at)
}

/// A signed-in browser: its cookie header and CSRF token.
pub(crate) struct Browser {
    pub(crate) cookie: String,
    pub(crate) csrf: String,
    pub(crate) secret: String,
}

/// The session cookie and the CSRF cookie of a sign-in's answer.
pub(crate) fn browser(headers: &HeaderMap, body: &Value) -> Browser {
    let cookies: Vec<&str> = headers
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("siproc_session="))
        .expect("a session cookie");
    for part in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(session.contains(part), "{part} in {session}");
    }
    // Plain HTTP on loopback: no Secure (the browser would not send it back), no __Host-.
    assert!(!session.contains("Secure"));
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("siproc_csrf="))
        .expect("a CSRF cookie");
    assert!(!csrf.contains("HttpOnly"));
    let pair = |c: &str| c.split(';').next().unwrap().to_owned();
    let secret = pair(session)
        .trim_start_matches("siproc_session=")
        .to_owned();
    Browser {
        cookie: format!("{}; {}", pair(session), pair(csrf)),
        csrf: body["csrf_token"].as_str().unwrap().to_owned(),
        secret,
    }
}

/// Signs `login` in with `factor` (`{"code": …}` or `{"recovery_code": …}`).
pub(crate) async fn sign_in(app: &TestApp, login: &str, factor: Value) -> (u16, Value, HeaderMap) {
    let mut body = json!({ "login": login, "password": PASSWORD });
    body.as_object_mut()
        .unwrap()
        .extend(factor.as_object().unwrap().clone());
    post(app, "/session", body).await
}

/// A request from the app's own page with the browser's cookie (and, for writes, its CSRF
/// token).
pub(crate) fn from_page(
    app: &TestApp,
    browser: &Browser,
    method: reqwest::Method,
    path: &str,
) -> reqwest::RequestBuilder {
    app.client
        .request(method, app.url(path))
        .header("cookie", &browser.cookie)
        .header("origin", origin(app))
        .header("x-csrf-token", &browser.csrf)
}

pub(crate) async fn status(req: reqwest::RequestBuilder) -> (u16, Value) {
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// The audit log as JSON text, read as the auditor.
pub(crate) async fn audit_text(app: &TestApp) -> String {
    let entries = app.off_runtime(|s| {
        s.db.audit_log(&AuditFilter {
            limit: 1000,
            ..AuditFilter::default()
        })
        .unwrap()
    });
    serde_json::to_string(&entries).unwrap()
}

pub async fn a_person_enrols_signs_in_with_a_code_or_a_recovery_code_and_out(backend: Backend) {
    let Some(app) = spawn(backend, "signin_flow").await else {
        return;
    };
    let login = "user-officer";
    let (secret, codes, link, at) = enrol(&app, login).await;
    // The enrolment's own code is used: the next step's code signs in.
    let replay = totp::code_at(&secret, at);
    let (got, _, _) = sign_in(&app, login, json!({ "code": replay })).await;
    assert_eq!(got, 401, "a code is used once");
    let code = totp::code_at(&secret, at + totp::STEP_SECONDS);
    let (got, body, headers) = sign_in(&app, login, json!({ "code": code })).await;
    assert_eq!(got, 200, "{body}");
    assert_eq!(body["me"]["user_id"], login);
    assert_eq!(body["session"]["method"], "password_totp");
    let b = browser(&headers, &body);
    let (got, me) = status(from_page(&app, &b, reqwest::Method::GET, "/me")).await;
    assert_eq!((got, me["role"].as_str()), (200, Some("officer")));
    // A write from the page: a case registered with the session.
    let (got, _) = status(
        from_page(&app, &b, reqwest::Method::POST, "/cases").json(&crate::helpers::intake("TAP")),
    )
    .await;
    assert_eq!(got, 201);
    let (got, list) = status(from_page(&app, &b, reqwest::Method::GET, "/sessions")).await;
    assert_eq!(got, 200);
    assert_eq!(list["sessions"].as_array().unwrap().len(), 1);
    assert_eq!(list["current"], body["session"]["id"]);

    // A recovery code signs in once.
    let (got, second, headers2) = sign_in(&app, login, json!({ "recovery_code": codes[4] })).await;
    assert_eq!(got, 200, "{second}");
    assert_eq!(second["session"]["method"], "password_recovery");
    assert_eq!(second["recovery_codes_left"], 9);
    let (got, _, _) = sign_in(&app, login, json!({ "recovery_code": codes[4] })).await;
    assert_eq!(got, 401);
    let other = browser(&headers2, &second);
    // A third session, ended by id from the first; another's id, or an ended one, is 404.
    let (got, third, headers3) = sign_in(&app, login, json!({ "recovery_code": codes[5] })).await;
    assert_eq!(got, 200);
    let third_browser = browser(&headers3, &third);
    let path = format!("/sessions/{}", third["session"]["id"].as_str().unwrap());
    let (got, _) = status(
        app.client
            .delete(app.url(&path))
            .bearer_auth(&app.tokens["directorate"]),
    )
    .await;
    assert_eq!(got, 404, "another user's session");
    let (got, _) = status(from_page(&app, &b, reqwest::Method::DELETE, &path)).await;
    assert_eq!(got, 204);
    let (got, _) = status(from_page(&app, &third_browser, reqwest::Method::GET, "/me")).await;
    assert_eq!(got, 401);
    let (got, _) = status(from_page(&app, &b, reqwest::Method::DELETE, &path)).await;
    assert_eq!(got, 404, "no longer open");

    // Sign out: this session only, at once.
    let (got, _) = status(from_page(&app, &b, reqwest::Method::DELETE, "/session")).await;
    assert_eq!(got, 204);
    let (got, answer) = status(from_page(&app, &b, reqwest::Method::GET, "/me")).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (401, Some("auth.unauthorized"))
    );
    let (got, _) = status(from_page(&app, &other, reqwest::Method::GET, "/me")).await;
    assert_eq!(got, 200);
    // Sign out everywhere, from a program with a token: the other session ends too.
    let (got, _) = status(
        app.client
            .delete(app.url("/sessions"))
            .bearer_auth(&app.tokens["officer"]),
    )
    .await;
    assert_eq!(got, 204);
    let (got, _) = status(from_page(&app, &other, reqwest::Method::GET, "/me")).await;
    assert_eq!(got, 401);

    // The audit log has each step, and no password, code, link or session secret.
    let audit = audit_text(&app).await;
    for kind in ["enrolled", "signed_in", "sign_in_failed", "signed_out"] {
        assert!(audit.contains(&format!("\"kind\":\"{kind}\"")), "{kind}");
    }
    for secret in [PASSWORD, &code, &codes[4], &link, &b.secret, &other.secret] {
        assert!(!audit.contains(secret), "a secret in the audit log");
    }
}

pub async fn a_cross_site_write_with_the_session_cookie_is_refused(backend: Backend) {
    let Some(app) = spawn(backend, "signin_csrf").await else {
        return;
    };
    let (_, codes, _, _) = enrol(&app, "user-supervisor").await;
    let (got, body, headers) = sign_in(
        &app,
        "user-supervisor",
        json!({ "recovery_code": codes[0] }),
    )
    .await;
    assert_eq!(got, 200);
    let b = browser(&headers, &body);
    // What another site's form sends: the cookie (were SameSite ignored), its own origin, a
    // form body, no CSRF token.
    let forged = app
        .client
        .post(app.url("/cases"))
        .header("cookie", &b.cookie)
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("office=TAP");
    let (got, answer) = status(forged).await;
    assert_eq!((got, answer["code"].as_str()), (403, Some("auth.csrf")));
    // The right origin without the token, and the token from another origin.
    let no_token = app
        .client
        .post(app.url("/cases"))
        .header("cookie", &b.cookie)
        .header("origin", origin(&app))
        .json(&crate::helpers::intake("TAP"));
    assert_eq!(status(no_token).await.0, 403);
    let elsewhere = app
        .client
        .delete(app.url("/sessions"))
        .header("cookie", &b.cookie)
        .header("origin", "https://evil.example")
        .header("x-csrf-token", &b.csrf);
    assert_eq!(status(elsewhere).await.0, 403);
    // Two origins, one of them right, are no origin.
    let twice = from_page(&app, &b, reqwest::Method::DELETE, "/sessions")
        .header("origin", "https://evil.example");
    assert_eq!(status(twice).await.0, 403);
    // A sign-in posted from another site's page is refused too.
    let res = app
        .client
        .post(app.url("/session"))
        .header("origin", "https://evil.example")
        .json(
            &json!({ "login": "user-supervisor", "password": PASSWORD, "recovery_code": codes[1] }),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Nothing was written: the session still works, and reads need no token.
    let (got, _) = status(app.client.get(app.url("/me")).header("cookie", &b.cookie)).await;
    assert_eq!(got, 200);
}

pub async fn refusals_look_alike_and_wait_but_never_lock_out(backend: Backend) {
    let Some(app) = spawn(backend, "signin_backoff").await else {
        return;
    };
    let (_, codes, _, _) = enrol(&app, "user-auditor").await;
    let wrong = json!({ "login": "user-auditor", "password": "not the password at all", "recovery_code": codes[0] });
    let unknown =
        json!({ "login": "nobody-here", "password": PASSWORD, "recovery_code": codes[0] });
    let (a, wrong_answer, _) = post(&app, "/session", wrong.clone()).await;
    let (b, unknown_answer, _) = post(&app, "/session", unknown).await;
    assert_eq!((a, b), (401, 401));
    assert_eq!(wrong_answer, unknown_answer, "the same answer");
    assert_eq!(wrong_answer["code"], "auth.signin_failed");
    // From the third failure from this client on, the next try waits (1 s, then 2 s, …:
    // within a few tries, shorter than the hashing of a debug build's request, it shows).
    let mut tries = 0;
    let (answer, headers) = loop {
        let (got, answer, headers) = post(&app, "/session", wrong.clone()).await;
        if got == 429 {
            break (answer, headers);
        }
        assert_eq!(got, 401);
        tries += 1;
        assert!(tries < 8, "no wait after {tries} more failures");
    };
    assert_eq!(answer["code"], "http.rate_limited");
    let wait: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=300).contains(&wait), "{wait}");
    // Even the right credentials wait; after the wait they work (no lockout).
    let (got, _, _) = sign_in(&app, "user-auditor", json!({ "recovery_code": codes[0] })).await;
    assert_eq!(got, 429);
    tokio::time::sleep(std::time::Duration::from_millis(wait * 1000 + 300)).await;
    let (got, body, _) = sign_in(&app, "user-auditor", json!({ "recovery_code": codes[0] })).await;
    assert_eq!(got, 200, "{body}");
    let audit = audit_text(&app).await;
    assert!(audit.contains("wrong_password") && audit.contains("unknown_login"));
    assert!(
        !audit.contains("nobody-here"),
        "logins are kept as keyed hashes"
    );
}

/// `login` (an existing user) enrolled and signed in on `app` with a recovery code.
pub(crate) async fn signed_in(app: &TestApp, login: &str) -> Browser {
    let (_, codes, _, _) = enrol(app, login).await;
    let (got, body, headers) = sign_in(app, login, json!({ "recovery_code": codes[0] })).await;
    assert_eq!(got, 200);
    browser(&headers, &body)
}

/// The status of `GET /me` with `browser`'s session on `app`.
async fn me(app: &TestApp, browser: &Browser) -> u16 {
    status(from_page(app, browser, reqwest::Method::GET, "/me"))
        .await
        .0
}

/// Sets `login`'s state through `app` as the directorate.
pub(crate) async fn set_state(app: &TestApp, login: &str, state: &str) {
    let (got, _) = status(
        app.client
            .patch(app.url(&format!("/users/{login}")))
            .bearer_auth(&app.tokens["directorate"])
            .json(&json!({ "state": state })),
    )
    .await;
    assert_eq!(got, 200);
}

pub async fn a_disabled_users_session_is_refused_at_its_next_request(backend: Backend) {
    let Some(app) = spawn(backend, "signin_disabled").await else {
        return;
    };
    let b = signed_in(&app, "user-officer_hou").await;
    assert_eq!(me(&app, &b).await, 200);
    set_state(&app, "user-officer_hou", "disabled").await;
    assert_eq!(me(&app, &b).await, 401);
    // Re-enabled, the session stays ended.
    set_state(&app, "user-officer_hou", "active").await;
    assert_eq!(me(&app, &b).await, 401);
}

/// Two servers on one SQLite file: a user disabled through one is refused at once by the
/// other, where their session was opened (every request reads the session and the user).
#[tokio::test]
async fn disabling_a_user_on_one_server_ends_their_session_on_the_other() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("shared.db").display());
    let a = spawn_app_on(&url, 0).await;
    let b = spawn_app_on(&url, 0).await;
    let session = signed_in(&a, "user-officer_mex").await;
    assert_eq!(me(&a, &session).await, 200);
    set_state(&b, "user-officer_mex", "disabled").await;
    assert_eq!(me(&a, &session).await, 401);
}

/// A session ends after the idle timeout without a request, and after the absolute timeout
/// however used (here seconds long, set as `sessions.*` would set them).
#[tokio::test]
async fn sessions_end_when_idle_and_when_too_old() {
    use chrono::TimeDelta;
    use siproc_core::accounts::sessions::SessionPolicy;
    use siproc_server::startup::Settings;
    // Seconds long, but not too short: on a loaded machine (load 10) a sign-in and its first
    // request took more than 2 s of a 2-second timeout.
    let short = TimeDelta::seconds(5);
    let hour = TimeDelta::hours(1);
    for (what, policy) in [
        (
            "idle",
            SessionPolicy {
                idle: short,
                absolute: hour,
            },
        ),
        (
            "absolute",
            SessionPolicy {
                idle: hour,
                absolute: short,
            },
        ),
    ] {
        let settings = Settings {
            sessions: policy,
            ..Settings::new("memory:", std::net::SocketAddr::from(([127, 0, 0, 1], 0)))
        };
        let app = crate::helpers::spawn_app_with_settings(settings).await;
        let b = signed_in(&app, "user-officer").await;
        assert_eq!(me(&app, &b).await, 200, "{what}");
        tokio::time::sleep(std::time::Duration::from_millis(5500)).await;
        assert_eq!(me(&app, &b).await, 401, "{what}");
    }
}
