//! Hostile HTTP (issue 31): clients that send too slowly, hold connections idle, never read an
//! event stream, or send what no client should — invalid UTF-8, deep or huge JSON, duplicate
//! keys, wrong content types, traversal in path parameters, floods of headers. Each gets a 4xx
//! or a closed connection, never a 5xx, and the server keeps serving everyone else.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use serde_json::json;
use siproc_server::connections::ConnectionLimits;
use siproc_server::startup::Settings;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, spawn_app, spawn_app_with_settings};

/// An app whose clients must send a head within `head` seconds and whose bodies may be
/// silent `body` seconds.
async fn impatient_app(head: u64, body: u64) -> TestApp {
    spawn_app_with_settings(Settings {
        connections: ConnectionLimits {
            head_timeout: Duration::from_secs(head),
            body_idle_timeout: Duration::from_secs(body),
            ..ConnectionLimits::default()
        },
        ..Settings::new("memory:", SocketAddr::from(([127, 0, 0, 1], 0)))
    })
    .await
}

fn addr(app: &TestApp) -> String {
    app.base
        .trim_start_matches("http://")
        .trim_end_matches("/api/v1")
        .to_owned()
}

/// Reads until the server closes the connection (or `limit` passes: `None`).
async fn read_until_closed(stream: &mut TcpStream, limit: Duration) -> Option<Vec<u8>> {
    let mut all = Vec::new();
    let mut buf = [0_u8; 4096];
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.checked_duration_since(Instant::now())?;
        match tokio::time::timeout(left, stream.read(&mut buf)).await {
            Ok(Ok(0)) | Ok(Err(_)) => return Some(all),
            Ok(Ok(n)) => all.extend_from_slice(&buf[..n]),
            Err(_) => return None,
        }
    }
}

/// The server still answers an ordinary request, promptly.
async fn still_serves(app: &TestApp) {
    let started = Instant::now();
    let res = tokio::time::timeout(
        Duration::from_secs(20),
        app.client.get(app.url("/health")).send(),
    )
    .await
    .expect("served within 20 s")
    .unwrap();
    assert_eq!(res.status(), 200);
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn a_slow_head_and_an_idle_connection_are_closed_and_others_served() {
    let app = impatient_app(1, 30).await;
    // Slowloris: half a head, then a byte now and then, never the blank line.
    let mut slow = TcpStream::connect(addr(&app)).await.unwrap();
    slow.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let trickle = async {
        for _ in 0..20 {
            tokio::time::sleep(Duration::from_millis(400)).await;
            if slow.write_all(b"X").await.is_err() {
                break;
            }
        }
    };
    let (_, ()) = tokio::join!(trickle, still_serves(&app));
    let answer = read_until_closed(&mut slow, Duration::from_secs(10))
        .await
        .expect("the slow head's connection is closed");
    let text = String::from_utf8_lossy(&answer);
    assert!(
        text.is_empty() || text.starts_with("HTTP/1.1 408"),
        "{text}"
    );

    // A kept-alive connection left idle after its answer is closed too.
    let mut idle = TcpStream::connect(addr(&app)).await.unwrap();
    idle.write_all(b"GET /api/v1/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut idle, Duration::from_secs(10))
        .await
        .expect("the idle connection is closed");
    assert!(String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn thousands_of_idle_connections_do_not_stall_the_server() {
    let app = impatient_app(2, 30).await;
    let mut idle = Vec::new();
    for _ in 0..1500 {
        idle.push(TcpStream::connect(addr(&app)).await.unwrap());
    }
    // Past the cap (1,000) the others wait in the listen queue; the head timeout frees the
    // slots, and an ordinary client is served.
    still_serves(&app).await;
    // Every idle connection the server took is closed by it.
    let mut closed = 0;
    for mut stream in idle.drain(..1000) {
        if read_until_closed(&mut stream, Duration::from_secs(15))
            .await
            .is_some()
        {
            closed += 1;
        }
    }
    assert_eq!(closed, 1000);
    still_serves(&app).await;
}

#[tokio::test]
async fn a_silent_body_ends_its_request_with_400() {
    let app = impatient_app(5, 1).await;
    let mut stream = TcpStream::connect(addr(&app)).await.unwrap();
    let token = &app.tokens["officer"];
    let head = format!(
        "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"office\""
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let started = Instant::now();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10))
        .await
        .expect("answered and closed");
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 400"), "{text}");
    assert!(text.contains("http.bad_body"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(app.case_count(), 0);
}

#[tokio::test]
async fn event_streams_that_are_never_read_do_not_hold_the_server() {
    let app = spawn_app().await;
    let token = app.tokens["directorate"].clone();
    let mut readers = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(addr(&app)).await.unwrap();
        stream
            .write_all(
                format!(
                    "GET /api/v1/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
                     Accept: text/event-stream\r\n\r\n"
                )
                .as_bytes(),
            )
            .await
            .unwrap();
        // Never read.
        readers.push(stream);
    }
    for _ in 0..300 {
        let res = app
            .create_case("officer")
            .json(&crate::helpers::intake("TAP"));
        assert_eq!(res.send().await.unwrap().status(), 201);
    }
    still_serves(&app).await;
    assert_eq!(app.case_count(), 300);
}

/// Sends raw bytes as one request and reads the status line's code.
async fn raw_status(app: &TestApp, request: &[u8]) -> u16 {
    let mut stream = TcpStream::connect(addr(app)).await.unwrap();
    stream.write_all(request).await.unwrap();
    let answer = read_until_closed(&mut stream, Duration::from_secs(10))
        .await
        .unwrap_or_default();
    let text = String::from_utf8_lossy(&answer);
    text.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0)
}

#[tokio::test]
async fn hostile_bodies_and_headers_get_a_4xx() {
    let app = spawn_app().await;
    let token = app.tokens["officer"].clone();
    let post = |body: Vec<u8>, content_type: &str| {
        let mut req = format!(
            "POST /api/v1/cases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .into_bytes();
        req.extend(body);
        req
    };
    let mut intake = crate::helpers::intake("TAP");
    intake["persons"][0]["given_names"] = json!("Ana");
    let duplicate =
        serde_json::to_string(&intake)
            .unwrap()
            .replacen('{', "{\"office\":\"TAP\",", 1);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "invalid UTF-8",
            b"{\"office\": \"\xff\xfe\"}".to_vec(),
            "application/json",
        ),
        (
            "deep nesting",
            "[".repeat(200_000).into_bytes(),
            "application/json",
        ),
        (
            "a huge number",
            format!("{{\"office\": 1{}}}", "0".repeat(100_000)).into_bytes(),
            "application/json",
        ),
        (
            "an exponent",
            b"{\"office\": 1e999999999}".to_vec(),
            "application/json",
        ),
        (
            "a huge string",
            format!("{{\"office\": \"{}\"}}", "A".repeat(900_000)).into_bytes(),
            "application/json",
        ),
        ("duplicate keys", duplicate.into_bytes(), "application/json"),
        ("text", b"office=TAP".to_vec(), "text/plain"),
        (
            "a form",
            b"office=TAP".to_vec(),
            "application/x-www-form-urlencoded",
        ),
        (
            "multipart",
            b"--x\r\n\r\n--x--".to_vec(),
            "multipart/form-data; boundary=x",
        ),
        ("nothing", Vec::new(), "application/json"),
    ];
    let mut wrong = Vec::new();
    for (what, body, content_type) in cases {
        let status = raw_status(&app, &post(body, content_type)).await;
        if !(400..500).contains(&status) {
            wrong.push(format!("{what}: {status}"));
        }
    }
    // A flood of headers, one huge header, a bad request line, a path with a NUL.
    let flood: String = (0..500).map(|i| format!("X-Flood-{i}: {i}\r\n")).collect();
    let raw: Vec<(&str, Vec<u8>)> = vec![
        (
            "header flood",
            format!("GET /api/v1/health HTTP/1.1\r\nHost: x\r\n{flood}\r\n").into_bytes(),
        ),
        (
            "a huge header",
            format!(
                "GET /api/v1/health HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
                "a".repeat(600_000)
            )
            .into_bytes(),
        ),
        (
            "garbage",
            b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03\r\n\r\n".to_vec(),
        ),
        (
            "a NUL in the path",
            b"GET /api/v1/cases/\x00 HTTP/1.1\r\nHost: x\r\n\r\n".to_vec(),
        ),
    ];
    for (what, request) in raw {
        let status = raw_status(&app, &request).await;
        // 0: the connection closed without an answer, as hyper does for what is not HTTP.
        if status >= 500 {
            wrong.push(format!("{what}: {status}"));
        }
    }
    assert!(wrong.is_empty(), "{wrong:#?}");
    assert_eq!(app.case_count(), 0);
    still_serves(&app).await;
}

#[tokio::test]
async fn hostile_path_parameters_in_every_route_get_a_4xx() {
    let app = spawn_app().await;
    let (_, doc) = {
        let res = app.openapi("directorate").send().await.unwrap();
        (res.status(), res.json::<serde_json::Value>().await.unwrap())
    };
    let hostile = [
        "..%2F..%2F..%2Fetc%2Fpasswd",
        "..",
        "%2e%2e",
        "%00",
        "%FF%FE",
        "%F0%9F%98%80",
        "-1",
        "18446744073709551616",
        "TAP-2026-000001%0d%0aX-Injected:%201",
    ];
    let long = "a".repeat(10_000);
    let mut wrong = Vec::new();
    let mut tried = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.contains('{') {
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            for value in hostile.iter().copied().chain([long.as_str()]) {
                let filled: String = path
                    .split('/')
                    .map(|part| if part.starts_with('{') { value } else { part })
                    .collect::<Vec<_>>()
                    .join("/");
                let res = app
                    .client
                    .request(method.to_uppercase().parse().unwrap(), app.url(&filled))
                    .bearer_auth(&app.tokens["directorate"])
                    .header("If-Match", "\"1\"")
                    .json(&json!({}))
                    .send()
                    .await
                    .unwrap();
                tried += 1;
                let status = res.status().as_u16();
                if !(400..500).contains(&status) {
                    wrong.push(format!("{method} {filled:.80}: {status}"));
                }
            }
        }
    }
    assert!(tried > 50, "{tried}");
    assert!(wrong.is_empty(), "{wrong:#?}");
    still_serves(&app).await;
}
