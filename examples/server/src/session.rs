//! Sessions of people signed in through the web application: the cookie that carries a
//! session's secret, the CSRF token bound to it, and the origin check of cookie-authenticated
//! writes. The rules of a session (timeouts, backoff) are the core's
//! ([`siproc_core::accounts::sessions`]); the rows are the store's.
//!
//! - The session's secret (256 bits from the operating system) travels only in a cookie:
//!   `__Host-siproc_session` when the browser reached the server over HTTPS (the `__Host-`
//!   prefix makes the browser refuse it unless `Secure`, with `Path=/` and no `Domain`, so no
//!   sibling host can set or shadow it), else `siproc_session` (plain HTTP on a developer's
//!   machine, where a `Secure` cookie would not come back). Always `HttpOnly` (no script reads
//!   it) and `SameSite=Strict` (no other site's page sends it). The store keeps only its
//!   SHA-256, as for API tokens.
//! - CSRF, for every cookie-authenticated request that is not a read: the request's `Origin`
//!   must be the server's own (`public_origin`, or the scheme and `Host` the request came with;
//!   without `Origin`, `Sec-Fetch-Site` must say `same-origin`), and `X-CSRF-Token` must hold
//!   the session's CSRF token: the SHA-256 of the session's secret under a label, which the
//!   web application reads from the readable `siproc_csrf` cookie (signed double submit: a
//!   cross-site page can neither read that cookie nor compute the token). A form posted from
//!   another site carries neither, and is refused with 403 `auth.csrf`.

use axum::http::header::{self, HOST, ORIGIN};
use axum::http::{HeaderMap, HeaderValue, Method};
use sha2::{Digest, Sha256};

use crate::client::Client;

/// The session cookie's name over HTTPS.
pub const SECURE_COOKIE: &str = "__Host-siproc_session";
/// The session cookie's name over plain HTTP.
pub const COOKIE: &str = "siproc_session";
/// The CSRF cookie's name over HTTPS.
pub const SECURE_CSRF_COOKIE: &str = "__Host-siproc_csrf";
/// The CSRF cookie's name over plain HTTP.
pub const CSRF_COOKIE: &str = "siproc_csrf";
/// The header a cookie-authenticated write carries its CSRF token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// A new random secret (a session's, an enrolment link's): 256 bits from the operating
/// system, in hex.
pub fn new_secret() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex(&bytes))
}

/// The CSRF token of the session whose secret is `secret`.
pub fn csrf_token(secret: &str) -> String {
    let mut digest = Sha256::new();
    digest.update(b"siproc/v1/csrf:");
    digest.update(secret.as_bytes());
    hex(&digest.finalize())
}

/// The value of the cookie `name` in `headers`, if any.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, _)| *n == name)
        .map(|(_, v)| v.trim())
        .filter(|v| !v.is_empty())
}

/// The session secret a request carries in its cookie, if any.
pub fn secret(headers: &HeaderMap) -> Option<String> {
    cookie(headers, SECURE_COOKIE)
        .or_else(|| cookie(headers, COOKIE))
        .map(str::to_owned)
}

/// Whether the cookies for `client` are `Secure` with the `__Host-` prefix: the request came
/// over HTTPS, or the public origin is `https://`.
pub fn secure(client: &Client, public_origin: Option<&str>) -> bool {
    client.https || public_origin.is_some_and(|o| o.starts_with("https://"))
}

/// The `Set-Cookie` values that hold a session (`secret`) and its CSRF token.
pub fn set_cookies(secret: &str, secure: bool) -> Vec<HeaderValue> {
    let (name, csrf_name, flag) = if secure {
        (SECURE_COOKIE, SECURE_CSRF_COOKIE, "; Secure")
    } else {
        (COOKIE, CSRF_COOKIE, "")
    };
    [
        format!("{name}={secret}; Path=/; HttpOnly; SameSite=Strict{flag}"),
        format!(
            "{csrf_name}={}; Path=/; SameSite=Strict{flag}",
            csrf_token(secret)
        ),
    ]
    .into_iter()
    .filter_map(|c| HeaderValue::from_str(&c).ok())
    .collect()
}

/// The `Set-Cookie` values that remove the session's cookies.
pub fn clear_cookies(secure: bool) -> Vec<HeaderValue> {
    let (names, flag) = if secure {
        ([SECURE_COOKIE, SECURE_CSRF_COOKIE], "; Secure")
    } else {
        ([COOKIE, CSRF_COOKIE], "")
    };
    names
        .iter()
        .filter_map(|name| {
            HeaderValue::from_str(&format!(
                "{name}=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict{flag}"
            ))
            .ok()
        })
        .collect()
}

/// Whether a request with `headers` comes from a page of this server: its `Origin` is the
/// public origin (or, without one configured, the scheme and `Host` it came with); without
/// `Origin`, `Sec-Fetch-Site` says `same-origin`. A request that says neither, or sends two
/// `Origin` headers, is refused.
pub fn same_origin(headers: &HeaderMap, client: &Client, public_origin: Option<&str>) -> bool {
    if headers.get_all(ORIGIN).iter().count() > 1 {
        return false;
    }
    let Some(origin) = headers.get(ORIGIN).and_then(|v| v.to_str().ok()) else {
        return headers
            .get("sec-fetch-site")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|site| site == "same-origin");
    };
    match public_origin {
        Some(own) => origin == own.trim_end_matches('/'),
        None => headers
            .get(HOST)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|host| {
                let scheme = if client.https { "https" } else { "http" };
                origin == format!("{scheme}://{host}")
            }),
    }
}

/// Whether a cookie-authenticated request with `method` and `headers` passes the CSRF checks
/// for the session whose secret is `secret` (reads always do).
pub fn csrf_ok(
    method: &Method,
    headers: &HeaderMap,
    secret: &str,
    client: &Client,
    public_origin: Option<&str>,
) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return true;
    }
    let token = headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
    let expected = csrf_token(secret);
    same_origin(headers, client, public_origin)
        && token.is_some_and(|t| {
            t.len() == expected.len()
                && t.bytes()
                    .zip(expected.bytes())
                    .fold(0_u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
        })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::net::{IpAddr, Ipv4Addr};

    use super::*;

    fn client(https: bool) -> Client {
        Client {
            ip: IpAddr::V4(Ipv4Addr::LOCALHOST),
            https,
        }
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn the_cookie_is_read_by_either_name() {
        let h = headers(&[("cookie", "a=1; siproc_session=s1; b=2")]);
        assert_eq!(secret(&h).as_deref(), Some("s1"));
        let h = headers(&[("cookie", "__Host-siproc_session=s2")]);
        assert_eq!(secret(&h).as_deref(), Some("s2"));
        assert_eq!(secret(&headers(&[("cookie", "siproc_session=")])), None);
    }

    #[test]
    fn cookies_are_http_only_strict_and_secure_with_their_prefix_over_https() {
        let secure = set_cookies("s", true);
        let session = secure[0].to_str().unwrap();
        assert!(session.starts_with("__Host-siproc_session=s;"));
        for part in ["Path=/", "HttpOnly", "SameSite=Strict", "Secure"] {
            assert!(session.contains(part), "{part}");
        }
        assert!(!secure[1].to_str().unwrap().contains("HttpOnly"));
        let plain = set_cookies("s", false);
        assert!(!plain[0].to_str().unwrap().contains("Secure"));
        assert!(plain[0].to_str().unwrap().starts_with("siproc_session=s;"));
    }

    #[test]
    fn writes_need_the_same_origin_and_the_token() {
        let token = csrf_token("s");
        let post = Method::POST;
        let own = [
            ("host", "127.0.0.1:8080"),
            ("origin", "http://127.0.0.1:8080"),
        ];
        let mut good = own.to_vec();
        good.push(("x-csrf-token", &token));
        assert!(csrf_ok(&post, &headers(&good), "s", &client(false), None));
        // A cross-site form: another origin, no token.
        let cross = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://evil.example"),
        ]);
        assert!(!csrf_ok(&post, &cross, "s", &client(false), None));
        // The right origin without the token, or with another session's.
        assert!(!csrf_ok(&post, &headers(&own), "s", &client(false), None));
        assert!(!csrf_ok(&post, &headers(&good), "t", &client(false), None));
        // Neither Origin nor Sec-Fetch-Site.
        let bare = headers(&[("host", "h"), ("x-csrf-token", &token)]);
        assert!(!csrf_ok(&post, &bare, "s", &client(false), None));
        let fetch = headers(&[("sec-fetch-site", "same-origin"), ("x-csrf-token", &token)]);
        assert!(csrf_ok(&post, &fetch, "s", &client(false), None));
        // The configured public origin wins over Host.
        let proxied = headers(&[
            ("host", "10.0.0.5"),
            ("origin", "https://siproc.example"),
            ("x-csrf-token", &token),
        ]);
        let public = Some("https://siproc.example");
        assert!(csrf_ok(&post, &proxied, "s", &client(true), public));
        assert!(!csrf_ok(&post, &proxied, "s", &client(true), None));
        // Reads need nothing.
        assert!(csrf_ok(&Method::GET, &cross, "s", &client(false), None));
    }
}
