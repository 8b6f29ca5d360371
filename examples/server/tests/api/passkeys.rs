//! Passkeys through the server (issue 28), with a software authenticator written here from the
//! WebAuthn specification (a P-256 key, "none" attestation, user present and verified): added
//! from a signed-in session, listed, signed in with, removed; and the refusals, each the same
//! 401 `auth.signin_failed` and recorded: a replayed assertion (its ceremony used), a forged one
//! (signed by another key; or for another ceremony's challenge), an unknown credential, a
//! credential presented under another user's handle, a disabled user. An API token may not
//! manage passkeys; a ceremony belongs to whoever began it. A passkey re-authenticates its own
//! user's session only (`selfservice` has the rest of re-authentication). (The Chromium test,
//! `examples/web/tests/passkeys.test.mjs`, does the same with the browser's own WebAuthn.)

use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use reqwest::Method;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::helpers::{TestApp, spawn_app_with_settings};
use crate::signin::{Browser, audit_text, browser, from_page, set_state, signed_in, status};

/// The app, believing `X-Forwarded-For` from loopback: each sign-in below comes from a client
/// of its own (a documentation address), so that one refusal's backoff does not answer the
/// next with 429 (backoff is `signin`'s subject).
async fn spawn_app() -> TestApp {
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    spawn_app_with_settings(siproc_server::startup::Settings {
        trusted_proxies: vec!["127.0.0.1/32".parse().unwrap()],
        ..siproc_server::startup::Settings::new("memory:", loopback)
    })
    .await
}

/// A client address of its own for each call.
fn next_client() -> String {
    static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(1);
    let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    format!("192.0.2.{}", n % 250 + 1)
}

/// Posts `body` to `path` from a new client: the status, the answer and its headers.
async fn post(app: &TestApp, path: &str, body: Value) -> (u16, Value, reqwest::header::HeaderMap) {
    let res = app
        .client
        .post(app.url(path))
        .header("x-forwarded-for", next_client())
        .json(&body)
        .send()
        .await
        .unwrap();
    let (got, headers) = (res.status().as_u16(), res.headers().clone());
    (got, res.json().await.unwrap_or(Value::Null), headers)
}

/// Base64url without padding.
fn b64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..=chunk.len() {
            out.push(char::from(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize]));
        }
    }
    out
}

/// A CBOR byte string's head and bytes.
fn cbor_bytes(bytes: &[u8]) -> Vec<u8> {
    let mut out = match bytes.len() {
        n @ 0..=23 => vec![0x40 | n as u8],
        n @ 24..=255 => vec![0x58, n as u8],
        n => vec![0x59, (n >> 8) as u8, n as u8],
    };
    out.extend_from_slice(bytes);
    out
}

/// A software authenticator holding one credential for the relying party `localhost`.
struct Authenticator {
    key: SigningKey,
    id: Vec<u8>,
    counter: u32,
    /// The user handle (base64url) it was registered with.
    user_handle: String,
}

impl Authenticator {
    fn new() -> Authenticator {
        let mut seed = [0u8; 32];
        getrandom::fill(&mut seed).unwrap();
        let mut id = vec![0u8; 16];
        getrandom::fill(&mut id).unwrap();
        Authenticator {
            key: SigningKey::from_slice(&seed).unwrap(),
            id,
            counter: 0,
            user_handle: String::new(),
        }
    }

    fn client_data(kind: &str, challenge: &str, origin: &str) -> Vec<u8> {
        json!({ "type": kind, "challenge": challenge, "origin": origin, "crossOrigin": false })
            .to_string()
            .into_bytes()
    }

    /// Authenticator data: the relying party's hash, flags (user present and verified, and
    /// `extra`), the counter.
    fn auth_data(&self, extra: u8) -> Vec<u8> {
        let mut data = Sha256::digest(b"localhost").to_vec();
        data.push(0x01 | 0x04 | extra);
        data.extend_from_slice(&self.counter.to_be_bytes());
        data
    }

    /// `navigator.credentials.create`'s answer to `options` (the server's `publicKey`).
    fn create(&mut self, options: &Value, origin: &str) -> Value {
        self.user_handle = options["user"]["id"].as_str().unwrap().to_owned();
        let point = self.key.verifying_key().to_sec1_point(false);
        let xy = &point.as_bytes()[1..];
        let mut cose = vec![0xa5, 0x01, 0x02, 0x03, 0x26, 0x20, 0x01, 0x21];
        cose.extend(cbor_bytes(&xy[..32]));
        cose.push(0x22);
        cose.extend(cbor_bytes(&xy[32..]));
        let mut auth = self.auth_data(0x40);
        auth.extend_from_slice(&[0; 16]);
        auth.extend_from_slice(&(self.id.len() as u16).to_be_bytes());
        auth.extend_from_slice(&self.id);
        auth.extend(cose);
        let mut attestation = vec![0xa3, 0x63];
        attestation.extend(b"fmt");
        attestation.push(0x64);
        attestation.extend(b"none");
        attestation.push(0x67);
        attestation.extend(b"attStmt");
        attestation.extend([0xa0, 0x68]);
        attestation.extend(b"authData");
        attestation.extend(cbor_bytes(&auth));
        let challenge = options["challenge"].as_str().unwrap();
        let client = Self::client_data("webauthn.create", challenge, origin);
        json!({
            "id": b64(&self.id), "rawId": b64(&self.id), "type": "public-key",
            "response": { "attestationObject": b64(&attestation), "clientDataJSON": b64(&client) },
            "clientExtensionResults": {},
        })
    }

    /// `navigator.credentials.get`'s answer to `options`, signed by `key` (its own, or a
    /// forger's).
    fn get_signed_by(&mut self, options: &Value, origin: &str, key: &SigningKey) -> Value {
        self.counter += 1;
        let auth = self.auth_data(0);
        let challenge = options["challenge"].as_str().unwrap();
        let client = Self::client_data("webauthn.get", challenge, origin);
        let mut signed = auth.clone();
        signed.extend(Sha256::digest(&client));
        let signature: Signature = key.sign(&signed);
        json!({
            "id": b64(&self.id), "rawId": b64(&self.id), "type": "public-key",
            "response": {
                "authenticatorData": b64(&auth), "clientDataJSON": b64(&client),
                "signature": b64(signature.to_der().as_bytes()), "userHandle": self.user_handle,
            },
            "clientExtensionResults": {},
        })
    }

    fn get(&mut self, options: &Value, origin: &str) -> Value {
        let key = self.key.clone();
        self.get_signed_by(options, origin, &key)
    }
}

/// The relying party's origin of an app on 127.0.0.1: `localhost` at its port.
fn rp_origin(app: &TestApp) -> String {
    app.base
        .trim_end_matches("/api/v1")
        .replace("127.0.0.1", "localhost")
}

/// Adds a passkey named `name` with `authenticator` from `browser`'s session.
async fn add(app: &TestApp, b: &Browser, authenticator: &mut Authenticator, name: &str) -> Value {
    let (got, begun) = status(from_page(app, b, Method::POST, "/passkeys/options")).await;
    assert_eq!(got, 200, "{begun}");
    let options = &begun["options"]["publicKey"];
    assert_eq!(options["rp"]["id"], "localhost");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    let credential = authenticator.create(options, &rp_origin(app));
    let body = json!({ "ceremony": begun["ceremony"], "name": name, "credential": credential });
    let (got, added) = status(from_page(app, b, Method::POST, "/passkeys").json(&body)).await;
    assert_eq!(got, 201, "{added}");
    added
}

/// Begins a passkey sign-in: the ceremony and the options.
async fn begin(app: &TestApp) -> (String, Value) {
    let (got, begun, _) = post(app, "/session/passkey/options", Value::Null).await;
    assert_eq!(got, 200, "{begun}");
    assert!(
        begun["options"]["publicKey"]["allowCredentials"]
            .as_array()
            .is_none_or(Vec::is_empty)
    );
    (
        begun["ceremony"].as_str().unwrap().to_owned(),
        begun["options"]["publicKey"].clone(),
    )
}

/// Signs in with `credential` for `ceremony`: the status and answer.
async fn finish(app: &TestApp, ceremony: &str, credential: &Value) -> (u16, Value) {
    let body = json!({ "ceremony": ceremony, "credential": credential });
    let (got, answer, headers) = post(app, "/session/passkey", body).await;
    if got == 200 {
        browser(&headers, &answer);
    }
    (got, answer)
}

#[tokio::test]
async fn a_passkey_is_added_signs_in_once_per_ceremony_and_is_removed() {
    let app = spawn_app().await;
    let b = signed_in(&app, "user-officer").await;
    let mut authenticator = Authenticator::new();
    let added = add(&app, &b, &mut authenticator, "  work laptop ").await;
    assert_eq!(added["name"], "work laptop");
    assert_eq!(added["last_used_at"], Value::Null);
    let (got, list) = status(from_page(&app, &b, Method::GET, "/passkeys")).await;
    assert_eq!((got, list.as_array().unwrap().len()), (200, 1));
    // The same authenticator again: the browser is asked to exclude it, and a hostile one is
    // refused all the same (webauthn-rs checks the exclusion list).
    let (_, begun) = status(from_page(&app, &b, Method::POST, "/passkeys/options")).await;
    let excluded = &begun["options"]["publicKey"]["excludeCredentials"];
    assert_eq!(excluded[0]["id"], b64(&authenticator.id));
    let again = authenticator.create(&begun["options"]["publicKey"], &rp_origin(&app));
    let body = json!({ "ceremony": begun["ceremony"], "name": "again", "credential": again });
    let (got, refused) = status(from_page(&app, &b, Method::POST, "/passkeys").json(&body)).await;
    assert_eq!(
        (got, refused["code"].as_str()),
        (422, Some("passkeys.rejected"))
    );
    // Another user presenting the same credential id (a cloned or hostile authenticator).
    let other = signed_in(&app, "user-supervisor").await;
    let (_, begun) = status(from_page(&app, &other, Method::POST, "/passkeys/options")).await;
    let mut clone = Authenticator {
        key: authenticator.key.clone(),
        id: authenticator.id.clone(),
        counter: 0,
        user_handle: String::new(),
    };
    let cloned = clone.create(&begun["options"]["publicKey"], &rp_origin(&app));
    let body = json!({ "ceremony": begun["ceremony"], "name": "clone", "credential": cloned });
    let (got, refused) =
        status(from_page(&app, &other, Method::POST, "/passkeys").json(&body)).await;
    assert_eq!(
        (got, refused["code"].as_str()),
        (409, Some("passkeys.already_registered"))
    );

    // Signed in with it: a session whose method is "passkey".
    let (ceremony, options) = begin(&app).await;
    let assertion = authenticator.get(&options, &rp_origin(&app));
    let (got, signed) = finish(&app, &ceremony, &assertion).await;
    assert_eq!(got, 200, "{signed}");
    assert_eq!(signed["me"]["user_id"], "user-officer");
    assert_eq!(signed["session"]["method"], "passkey");
    // Replayed: the ceremony is used.
    let (got, refused) = finish(&app, &ceremony, &assertion).await;
    assert_eq!(
        (got, refused["code"].as_str()),
        (401, Some("auth.signin_failed"))
    );
    // The same assertion for a fresh ceremony: not its challenge.
    let (fresh, _) = begin(&app).await;
    assert_eq!(finish(&app, &fresh, &assertion).await.0, 401);
    // Signed by another key.
    let (ceremony, options) = begin(&app).await;
    let forger = Authenticator::new().key;
    let forged = authenticator.get_signed_by(&options, &rp_origin(&app), &forger);
    assert_eq!(finish(&app, &ceremony, &forged).await.0, 401);
    // For another origin (a phishing site relaying the challenge).
    let (ceremony, options) = begin(&app).await;
    let phished = authenticator.get(&options, "https://siproc.example.evil");
    assert_eq!(finish(&app, &ceremony, &phished).await.0, 401);
    // Not a WebAuthn response at all, and a made-up ceremony.
    let (ceremony, _) = begin(&app).await;
    assert_eq!(finish(&app, &ceremony, &json!({"id": "x"})).await.0, 401);

    // Removed: it signs in no more, and another user cannot remove it.
    let id = added["id"].as_str().unwrap();
    let path = format!("/passkeys/{id}");
    assert_eq!(
        status(from_page(&app, &other, Method::DELETE, &path))
            .await
            .0,
        404
    );
    assert_eq!(
        status(from_page(&app, &b, Method::DELETE, &path)).await.0,
        204
    );
    let log = audit_text(&app).await;
    for kind in ["passkey_added", "passkey_removed", "\"method\":\"passkey\""] {
        assert!(log.contains(kind), "{kind} in the audit log");
    }
    for reason in ["ceremony_unknown", "passkey_rejected"] {
        assert!(log.contains(reason), "{reason} in the audit log");
    }
    // No ceremony id, key or assertion in the log.
    assert!(!log.contains(&ceremony));
    assert!(!log.contains(&b64(&authenticator.id)));
}

#[tokio::test]
async fn unknown_credentials_other_handles_and_disabled_users_are_refused() {
    let app = spawn_app().await;
    let b = signed_in(&app, "user-officer_hou").await;
    let mut mine = Authenticator::new();
    add(&app, &b, &mut mine, "phone").await;
    // A credential the server never registered.
    let mut stranger = Authenticator::new();
    stranger.user_handle = mine.user_handle.clone();
    let (ceremony, options) = begin(&app).await;
    let assertion = stranger.get(&options, &rp_origin(&app));
    assert_eq!(finish(&app, &ceremony, &assertion).await.0, 401);
    // The registered credential under another user handle.
    let handle = std::mem::replace(&mut mine.user_handle, b64(&[7; 16]));
    let (ceremony, options) = begin(&app).await;
    let assertion = mine.get(&options, &rp_origin(&app));
    assert_eq!(finish(&app, &ceremony, &assertion).await.0, 401);
    mine.user_handle = handle;
    // Disabled: refused like everything else; re-enabled, it signs in.
    set_state(&app, "user-officer_hou", "disabled").await;
    let (ceremony, options) = begin(&app).await;
    let assertion = mine.get(&options, &rp_origin(&app));
    assert_eq!(finish(&app, &ceremony, &assertion).await.0, 401);
    set_state(&app, "user-officer_hou", "active").await;
    let (ceremony, options) = begin(&app).await;
    let assertion = mine.get(&options, &rp_origin(&app));
    let (got, signed) = finish(&app, &ceremony, &assertion).await;
    assert_eq!(got, 200, "{signed}");
    let log = audit_text(&app).await;
    for reason in ["unknown_passkey", "\"reason\":\"disabled\""] {
        assert!(log.contains(reason), "{reason} in the audit log");
    }
}

#[tokio::test]
async fn passkeys_are_managed_with_a_session_only_and_ceremonies_are_their_owners() {
    let app = spawn_app().await;
    // An API token, whatever its scopes, manages no passkey.
    for (method, path) in [
        (Method::GET, "/passkeys"),
        (Method::POST, "/passkeys/options"),
        (Method::DELETE, "/passkeys/x"),
    ] {
        let res = app
            .client
            .request(method.clone(), app.url(path))
            .bearer_auth(&app.tokens["directorate"])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["code"], "auth.session_required");
    }
    // Without any credential: 401.
    let res = app.client.get(app.url("/passkeys")).send().await.unwrap();
    assert_eq!(res.status().as_u16(), 401);
    // A registration begun by one person cannot be finished by another.
    let ana = signed_in(&app, "user-officer").await;
    let eva = signed_in(&app, "user-officer_hou").await;
    let (_, begun) = status(from_page(&app, &ana, Method::POST, "/passkeys/options")).await;
    let credential = Authenticator::new().create(&begun["options"]["publicKey"], &rp_origin(&app));
    let body = json!({ "ceremony": begun["ceremony"], "name": "x", "credential": credential });
    let (got, refused) = status(from_page(&app, &eva, Method::POST, "/passkeys").json(&body)).await;
    assert_eq!(
        (got, refused["code"].as_str()),
        (404, Some("passkeys.ceremony_unknown"))
    );
    // A sign-in ceremony is not a registration's.
    let (sign_in, _) = begin(&app).await;
    let body = json!({ "ceremony": sign_in, "name": "x", "credential": credential });
    let (got, _) = status(from_page(&app, &ana, Method::POST, "/passkeys").json(&body)).await;
    assert_eq!(got, 404);
    // A cross-site page cannot begin a sign-in (login CSRF).
    let res = app
        .client
        .post(app.url("/session/passkey/options"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 403);
}

/// A passkey re-authenticates its own user's session (before a credential changes), once per
/// ceremony; another user's passkey does not, and is counted and audited as a refusal.
#[tokio::test]
async fn a_passkey_reauthenticates_its_own_users_session_only() {
    let app = spawn_app().await;
    let b = signed_in(&app, "user-officer").await;
    let mut mine = Authenticator::new();
    add(&app, &b, &mut mine, "mine").await;
    let other = signed_in(&app, "user-supervisor").await;
    let mut theirs = Authenticator::new();
    add(&app, &other, &mut theirs, "theirs").await;
    let reauth = |body: &Value| from_page(&app, &b, Method::POST, "/session/reauth").json(body);
    let (ceremony, options) = begin(&app).await;
    let body =
        json!({ "ceremony": ceremony, "credential": theirs.get(&options, &rp_origin(&app)) });
    let (got, answer) = status(reauth(&body)).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (403, Some("auth.reauth_failed"))
    );
    let (got, _) = status(from_page(&app, &b, Method::POST, "/account/recovery-codes")).await;
    assert_eq!(got, 403);
    let (ceremony, options) = begin(&app).await;
    let body = json!({ "ceremony": ceremony, "credential": mine.get(&options, &rp_origin(&app)) });
    let (got, answer) = status(reauth(&body)).await;
    assert_eq!(got, 200, "{answer}");
    let (got, answer) = status(reauth(&body)).await;
    assert_eq!(
        (got, answer["code"].as_str()),
        (403, Some("auth.reauth_failed")),
        "a replayed assertion"
    );
    let (got, renewed) = status(from_page(&app, &b, Method::POST, "/account/recovery-codes")).await;
    assert_eq!(got, 201, "{renewed}");
    let audit = audit_text(&app).await;
    assert!(
        audit.contains("\"kind\":\"reauthenticated\",\"method\":\"passkey\""),
        "{audit}"
    );
    assert_eq!(audit.matches("\"reason\":\"unknown_passkey\"").count(), 1);
    assert_eq!(audit.matches("\"reason\":\"ceremony_unknown\"").count(), 1);
}

#[tokio::test]
async fn a_server_reached_at_an_ip_address_offers_no_passkeys() {
    use siproc_server::startup::passkey_origin;
    let loopback = std::net::SocketAddr::from(([127, 0, 0, 1], 8080));
    let anywhere = std::net::SocketAddr::from(([0, 0, 0, 0], 8080));
    assert_eq!(
        passkey_origin(None, loopback).as_deref(),
        Some("http://localhost:8080")
    );
    assert_eq!(passkey_origin(None, anywhere), None);
    assert_eq!(
        passkey_origin(Some("https://siproc.example.org"), anywhere).as_deref(),
        Some("https://siproc.example.org")
    );
    let settings = siproc_server::startup::Settings {
        public_origin: Some("http://192.0.2.10:8080".to_owned()),
        ..siproc_server::startup::Settings::new(
            "memory:",
            std::net::SocketAddr::from(([127, 0, 0, 1], 0)),
        )
    };
    let app = crate::helpers::spawn_app_with_settings(settings).await;
    let res = app
        .client
        .post(app.url("/session/passkey/options"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status().as_u16(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "passkeys.unavailable");
}

/// `POST /users/{id}/enrolment` (the users page's "new activation link"): the link for a user
/// the caller manages, once, audited; never for oneself, nor another office's officer for a
/// supervisor; the link enrols (its secret is the one the store hashed).
#[tokio::test]
async fn administrators_issue_enrolment_links_for_the_users_they_manage() {
    let app = spawn_app().await;
    let issue = |who: &'static str, login: &'static str| {
        app.client
            .post(app.url(&format!("/users/{login}/enrolment")))
            .bearer_auth(&app.tokens[who])
    };
    let (got, issued) = status(issue("supervisor", "user-officer")).await;
    assert_eq!(got, 201, "{issued}");
    let link = issued["link"].as_str().unwrap();
    let origin = app.base.trim_end_matches("/api/v1");
    let secret = link
        .strip_prefix(&format!("{origin}/#/enrol/"))
        .unwrap_or_else(|| panic!("{link}"));
    let (got, offer, _) = post(&app, "/enrolment/lookup", json!({ "link": secret })).await;
    assert_eq!((got, offer["login"].as_str()), (200, Some("user-officer")));
    for (who, login, answer, code) in [
        // Another office's officer: not even seen.
        ("supervisor", "user-officer_hou", 404, "store.not_found"),
        ("supervisor", "user-supervisor", 403, "accounts.own_account"),
        ("auditor", "user-officer", 403, "accounts.not_allowed"),
    ] {
        let (got, refused) = status(issue(who, login)).await;
        assert_eq!(
            (got, refused["code"].as_str()),
            (answer, Some(code)),
            "{who} {login}"
        );
    }
    assert!(audit_text(&app).await.contains("enrolment_issued"));
    assert!(!audit_text(&app).await.contains(secret));
}
