//! Signing in with the ministry's identity provider (OpenID Connect), as far as a server test
//! goes without one: the status the sign-in page reads, 404 when no provider is configured,
//! the way back to the web application when the provider cannot be reached, and callbacks
//! that are refused before anything is asked of the provider (no `state`, a forged one),
//! counted for backoff and audited with method `oidc`; signing out at a provider that does not
//! answer leads back to the web application. The whole sign-in and the sign-out at a real
//! provider (`oidc-provider`) are the Chromium test's (examples/web/tests/oidc.test.mjs).

use std::net::SocketAddr;

use reqwest::StatusCode;
use reqwest::header::{LOCATION, SET_COOKIE};
use siproc_core::accounts::oidc::LoginClaim;
use siproc_core::audit::AuditFilter;
use siproc_server::oidc::OidcSettings;
use siproc_server::startup::Settings;

use crate::helpers::{TestApp, spawn_app, spawn_app_with_settings};

/// A server whose provider is configured but does not answer (a closed loopback port).
async fn with_absent_provider() -> TestApp {
    spawn_app_with_settings(Settings {
        public_origin: Some("http://127.0.0.1:8080".to_owned()),
        oidc: Some(OidcSettings {
            issuer: "http://127.0.0.1:9/realms/none".to_owned(),
            client_id: "siproc".to_owned(),
            client_secret: "a-client-secret-never-logged".to_owned(),
            claim: LoginClaim::PreferredUsername,
            email_domain: None,
        }),
        ..Settings::new("memory:", SocketAddr::from(([127, 0, 0, 1], 0)))
    })
    .await
}

/// A client that does not follow redirects (the routes answer 303).
fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET path` answered: the status and the `Location`.
async fn visit(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
) -> (StatusCode, String, Vec<String>) {
    let mut request = browser().get(app.url(path));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    let res = request.send().await.unwrap();
    let location = res
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let cookies = res
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    (res.status(), location, cookies)
}

#[tokio::test]
async fn without_a_provider_nothing_is_offered() {
    let app = spawn_app().await;
    let status: serde_json::Value = app
        .client
        .get(app.url("/session/oidc/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status, serde_json::json!({ "configured": false }));
    for path in [
        "/session/oidc",
        "/session/oidc/callback?code=c&state=s",
        "/session/oidc/logout",
    ] {
        let (got, _, _) = visit(&app, path, None).await;
        assert_eq!(got, StatusCode::NOT_FOUND, "{path}");
    }
}

#[tokio::test]
async fn an_unreachable_provider_sends_the_person_back_and_bad_callbacks_are_refused() {
    let app = with_absent_provider().await;
    let status: serde_json::Value = app
        .client
        .get(app.url("/session/oidc/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["configured"], true);
    // The provider does not answer: back to the web application, no cookie set.
    let (got, location, cookies) = visit(&app, "/session/oidc", None).await;
    assert_eq!(got, StatusCode::SEE_OTHER);
    assert_eq!(location, "/#/oidc/unavailable");
    assert!(cookies.is_empty(), "{cookies:?}");
    // Signing out at a provider that does not answer: back to the web application (siproc's
    // own session ends with `DELETE /session`, before this).
    let (got, location, _) = visit(&app, "/session/oidc/logout", None).await;
    assert_eq!((got, location.as_str()), (StatusCode::SEE_OTHER, "/"));
    // Callbacks with no state, a forged one, or one without the cookie: the same refusal, the
    // sign-in's cookie removed; from the third on, this client waits.
    let callbacks = [
        ("/session/oidc/callback?code=c", None),
        (
            "/session/oidc/callback?code=c&state=forged",
            Some("siproc_oidc=abc"),
        ),
        ("/session/oidc/callback?error=access_denied&state=x", None),
    ];
    for (path, cookie) in callbacks {
        let (got, location, cookies) = visit(&app, path, cookie).await;
        assert_eq!(got, StatusCode::SEE_OTHER, "{path}");
        assert_eq!(location, "/#/oidc/refused", "{path}");
        assert!(
            cookies
                .iter()
                .any(|c| c.starts_with("siproc_oidc=;") && c.contains("Max-Age=0")),
            "{cookies:?}"
        );
        assert!(!cookies.iter().any(|c| c.starts_with("siproc_session=")));
    }
    let (_, location, _) = visit(&app, "/session/oidc", None).await;
    assert!(location.starts_with("/#/oidc/wait-"), "{location}");
    // Audited with the method and the reason; the client secret and the codes nowhere.
    let entries = app.off_runtime(|s| {
        s.db.audit_log(&AuditFilter {
            kind: Some("sign_in_failed".to_owned()),
            limit: 100,
            ..AuditFilter::default()
        })
        .unwrap()
    });
    let text = serde_json::to_string(&entries).unwrap();
    assert_eq!(
        text.matches("\"reason\":\"bad_state\"").count(),
        3,
        "{text}"
    );
    assert_eq!(text.matches("\"method\":\"oidc\"").count(), 3, "{text}");
    assert!(
        !text.contains("forged") && !text.contains("a-client-secret"),
        "{text}"
    );
}
