//! The configuration: `config check` on the shipped example and on wrong files, a real server
//! configured by a file, environment variables and flags (flags > environment > file), and
//! `X-Forwarded-For`/`-Proto` believed from trusted proxies only.

use std::net::SocketAddr;
use std::process::Command;

use siproc_server::startup::Settings;

use crate::helpers::spawn_app_with_settings;
use crate::logged::LoggedServer;

/// The server binary.
const BIN: &str = env!("CARGO_BIN_EXE_siproc-server");

/// `siproc-server config check FILE` with `env`: success, standard output and error.
fn config_check(file: &std::path::Path, env: &[(&str, &str)]) -> (bool, String, String) {
    let out = Command::new(BIN)
        .args(["config", "check"])
        .arg(file)
        .env_remove("RUST_LOG")
        .env_remove("DATABASE_URL")
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn config_check_accepts_the_example_and_names_the_wrong_option() {
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../deploy/siproc.toml");
    let (ok, out, err) = config_check(&example, &[]);
    assert!(ok, "{err}");
    assert!(out.contains(": ok"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("siproc.toml");
    for (text, env, option, from) in [
        (
            "[limits]\nbody_bytes = \"big\"\n",
            vec![],
            "limits.body_bytes",
            "siproc.toml",
        ),
        (
            "[log]\nformat = \"xml\"\n",
            vec![],
            "log.format",
            "siproc.toml",
        ),
        (
            "[metrics]\nallowed = [\"10.0.0.7\"]\n",
            vec![],
            "metrics.allowed",
            "siproc.toml",
        ),
        (
            "database = \"postgresql://siproc:s3cret-pw@db/siproc\"\n",
            vec![("SIPROC_LISTEN", "localhost")],
            "listen",
            "SIPROC_LISTEN",
        ),
    ] {
        std::fs::write(&file, text).unwrap();
        let (ok, _, err) = config_check(&file, &env);
        assert!(!ok, "{text} is refused");
        assert!(err.contains(&format!("option `{option}`")), "{err}");
        assert!(err.contains(from), "{err}");
        assert!(!err.contains("s3cret"), "{err}");
    }
    let (ok, _, err) = config_check(&dir.path().join("missing.toml"), &[]);
    assert!(!ok && err.contains("cannot be read"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_reads_the_file_under_the_environment_under_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("siproc.toml");
    let database = dir.path().join("cases.db");
    // The file says: port 9 (a flag overrides it), 2 KiB bodies (the environment raises them
    // to 8 KiB), text logs.
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:9\"\ndatabase = \"sqlite://{}\"\n[limits]\nbody_bytes = 2048\n[log]\nformat = \"text\"\n",
            database.display()
        ),
    )
    .unwrap();
    let config = file.to_str().unwrap();
    let post_code = |base: String, bytes: usize| async move {
        let body = serde_json::json!({"code": "x".repeat(bytes)});
        reqwest::Client::new()
            .post(format!("{base}/form-checks"))
            .json(&body)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    };

    let server = LoggedServer::start(&["--config", config, "--listen", "127.0.0.1:0"], &[]);
    assert!(!server.base.contains(":9/"), "the flag wins over the file");
    assert_eq!(
        post_code(server.base.clone(), 4096).await,
        413,
        "the file's limit"
    );
    assert_eq!(post_code(server.base.clone(), 1000).await, 422);
    server.terminate();
    let (_, log) = server.wait();
    assert!(log.contains("shutting down"), "{log}");
    assert!(
        !log.trim_start().starts_with('{'),
        "text lines, as the file says: {log}"
    );
    assert!(database.exists(), "the file's database");

    let server = LoggedServer::start(
        &["--listen", "127.0.0.1:0"],
        &[
            ("SIPROC_CONFIG", config),
            ("SIPROC_LIMITS_BODY_BYTES", "8192"),
            ("SIPROC_LOG_FORMAT", "json"),
        ],
    );
    assert_eq!(
        post_code(server.base.clone(), 4096).await,
        422,
        "the environment's limit"
    );
    assert_eq!(post_code(server.base.clone(), 10_000).await, 413);
    server.terminate();
    let (_, log) = server.wait();
    assert!(log.trim_start().starts_with('{'), "JSON lines: {log}");

    // A wrong value stops the server before it serves, naming the option.
    let out = Command::new(BIN)
        .args(["serve", "--config", config, "--rate-limit", "1000000"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("option `limits.requests_per_second` (flag --rate-limit)"),
        "{err}"
    );
}

/// An app that trusts `proxies` (loopback among them in these tests) and allows 10.0.0.7 to
/// read the metrics, at the public origin https://siproc.example.org.
async fn app_behind(proxies: &[&str]) -> crate::helpers::TestApp {
    spawn_app_with_settings(Settings {
        trusted_proxies: proxies.iter().map(|p| p.parse().unwrap()).collect(),
        metrics_allow: vec!["10.0.0.7".parse().unwrap()],
        public_origin: Some("https://siproc.example.org".into()),
        ..Settings::new("memory:", SocketAddr::from(([127, 0, 0, 1], 0)))
    })
    .await
}

/// `GET /metrics` with `headers`: the status and whether HSTS came back.
async fn metrics_with(app: &crate::helpers::TestApp, headers: &[(&str, &str)]) -> (u16, bool) {
    let mut req = app.client.get(app.url("/metrics"));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = req.send().await.unwrap();
    (
        res.status().as_u16(),
        res.headers().contains_key("strict-transport-security"),
    )
}

#[tokio::test]
async fn forwarded_headers_count_only_from_trusted_proxies() {
    let stranger = [
        ("x-forwarded-for", "203.0.113.9"),
        ("x-forwarded-proto", "https"),
    ];
    let allowed = [("x-forwarded-for", "203.0.113.9, 10.0.0.7")];

    // Behind a trusted proxy (loopback here), the client it forwarded for counts.
    let app = app_behind(&["127.0.0.0/8"]).await;
    assert_eq!(metrics_with(&app, &stranger).await, (403, true));
    assert_eq!(metrics_with(&app, &allowed).await, (200, false));
    assert_eq!(metrics_with(&app, &[]).await, (200, false));

    // The same headers from a peer that is not a trusted proxy are ignored: the peer counts.
    let app = app_behind(&["10.9.0.0/16"]).await;
    assert_eq!(metrics_with(&app, &stranger).await, (200, false));
    let app = app_behind(&[]).await;
    assert_eq!(metrics_with(&app, &stranger).await, (200, false));
}

/// From an address not allowed, the metrics need a token with `metrics:read`: nothing else
/// opens them, and a bad token is told apart from none.
#[tokio::test]
async fn elsewhere_the_metrics_need_a_token_with_metrics_read() {
    use chrono::TimeDelta;
    use siproc_core::accounts::tokens::Scope;

    let app = app_behind(&["127.0.0.0/8"]).await;
    let owner = "user-directorate";
    let (_, monitor) =
        crate::accounts::token_of(&app, owner, &[Scope::MetricsRead], TimeDelta::zero(), 1);
    let (_, reader) =
        crate::accounts::token_of(&app, owner, &[Scope::CasesRead], TimeDelta::zero(), 1);
    let stranger = ("x-forwarded-for", "203.0.113.9");
    let status = |bearer: Option<String>| {
        let mut req = app
            .client
            .get(app.url("/metrics"))
            .header(stranger.0, stranger.1);
        if let Some(bearer) = bearer {
            req = req.bearer_auth(bearer);
        }
        async move {
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let body = res.text().await.unwrap();
            (status, body)
        }
    };
    let (code, body) = status(Some(monitor.clone())).await;
    assert_eq!(code, 200, "{body}");
    assert!(body.contains("siproc_build_info"), "{body}");
    let (code, body) = status(Some(reader)).await;
    assert_eq!(code, 403);
    assert!(body.contains("auth.insufficient_scope"), "{body}");
    let (code, body) = status(Some("not-a-token".into())).await;
    assert_eq!(code, 401);
    assert!(body.contains("auth.unauthorized"), "{body}");
    let (code, body) = status(None).await;
    assert_eq!(code, 403);
    assert!(body.contains("access.metrics_not_allowed"), "{body}");
    // Neither the token nor its hash reaches the metrics it opened.
    assert!(!body.contains(&monitor));
}
