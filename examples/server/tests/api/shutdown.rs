//! Graceful shutdown of a real server process on SIGTERM: it stops accepting connections, ends
//! event streams cleanly, lets a request in flight finish, writes its last log lines and exits
//! with success; past the grace period (`shutdown.grace_seconds`) it stops anyway.

use std::time::Duration;

use serde_json::Value;
use tokio::sync::mpsc;

use crate::logged::LoggedServer;
use crate::process::create_token;

/// Starts a server on a new SQLite file with a token for an officer of TAP.
fn start(dir: &tempfile::TempDir, env: &[(&str, &str)]) -> (LoggedServer, String) {
    let database = format!("sqlite://{}", dir.path().join("cases.db").display());
    let token = create_token(&database, "ana", "officer", "TAP");
    let mut env = env.to_vec();
    env.push(("SIPROC_LOG_FILTER", "debug"));
    let server = LoggedServer::start(&["--database", &database, "--listen", "127.0.0.1:0"], &env);
    (server, token)
}

/// A registration whose body the test sends in two halves: the request is in flight (its
/// head read by the server) until the second half is sent.
async fn slow_registration(
    base: &str,
    token: &str,
) -> (
    mpsc::Sender<Result<Vec<u8>, std::io::Error>>,
    tokio::task::JoinHandle<reqwest::Result<reqwest::Response>>,
    Vec<u8>,
) {
    let body = serde_json::to_vec(&crate::helpers::intake("TAP")).unwrap();
    let (tx, rx) = mpsc::channel(2);
    let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
    let request = reqwest::Client::new()
        .post(format!("{base}/cases"))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(reqwest::Body::wrap_stream(stream))
        .send();
    let half = body.len() / 2;
    tx.send(Ok(body[..half].to_vec())).await.unwrap();
    (tx, tokio::spawn(request), body[half..].to_vec())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_finishes_requests_in_flight_and_ends_event_streams() {
    let dir = tempfile::tempdir().unwrap();
    let (server, token) = start(&dir, &[]);
    let client = reqwest::Client::new();

    // An open event stream.
    let mut events = client
        .get(format!("{}/events", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(events.status(), 200);

    // A registration in flight: its head has arrived, half its body has not.
    let (rest_tx, registration, rest) = slow_registration(&server.base, &token).await;
    server
        .logged(&["request started", "POST", "/api/v1/cases"])
        .await;

    server.terminate();
    server.logged(&["shutting down"]).await;

    // The event stream ends cleanly (the end of the body, not an error).
    while let Some(chunk) = events
        .chunk()
        .await
        .expect("the stream ends without an error")
    {
        let _ = chunk;
    }

    // No new connection is accepted (the listener closes right after the signal).
    let addr = server
        .base
        .trim_start_matches("http://")
        .trim_end_matches("/api/v1")
        .to_owned();
    let mut refused = false;
    for _ in 0..500 {
        if tokio::net::TcpStream::connect(&addr).await.is_err() {
            refused = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    assert!(refused, "the server stopped accepting connections");

    // The request in flight gets its whole body, and its answer.
    rest_tx.send(Ok(rest)).await.unwrap();
    drop(rest_tx);
    let res = registration
        .await
        .unwrap()
        .expect("the registration is answered");
    assert_eq!(res.status(), 201);
    let case: Value = res.json().await.unwrap();
    assert!(case["number"].as_str().unwrap().starts_with("TAP-"));

    let (status, log) = server.wait();
    assert!(status.success(), "exit status {status}\n{log}");
    // Its answer was logged, then the server's last line.
    let answered = log
        .lines()
        .position(|l| l.contains("\"status\":201") && l.contains("/api/v1/cases"))
        .expect("the registration's log line");
    let stopped = log
        .lines()
        .position(|l| l.contains("\"stopped\""))
        .expect("the last line");
    assert!(answered < stopped, "{log}");

    // The case is in the database.
    let database = format!("sqlite://{}", dir.path().join("cases.db").display());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_siproc-server"))
        .args(["check", "--database", &database])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("check: 1 cases"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn past_the_grace_period_the_server_stops_anyway() {
    let dir = tempfile::tempdir().unwrap();
    let (server, token) = start(&dir, &[("SIPROC_SHUTDOWN_GRACE_SECONDS", "1")]);
    // A request whose body never ends.
    let (_rest_tx, registration, _) = slow_registration(&server.base, &token).await;
    server
        .logged(&["request started", "POST", "/api/v1/cases"])
        .await;
    server.terminate();
    let (status, log) = server.wait();
    assert!(status.success(), "exit status {status}\n{log}");
    assert!(log.contains("grace period were cut"), "{log}");
    // The client sees its connection closed, not an answer.
    assert!(registration.await.unwrap().is_err());
}
