//! Operating the server: `siproc-server backup` of a serving server under write load,
//! `restore` into a fresh SQLite file and a fresh PostgreSQL database, `check` on each: every
//! case acknowledged before the backup began is there and verifies, and the server's own
//! tables (tokens, access log) came along.

use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

use crate::process::{Server, create_token, postgres_database};

/// The server binary.
const BIN: &str = env!("CARGO_BIN_EXE_siproc-server");

/// Runs `siproc-server ARGS`; answers its exit status and standard output.
fn cli(args: &[&str]) -> (bool, String) {
    let out = Command::new(BIN)
        .args(args)
        .output()
        .expect("run siproc-server");
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Backs up the server on `database` while writers register cases, restores the backup into
/// `targets`, and checks each restored database through `check` and a server started on it.
async fn backup_under_load(database: &str, targets: &[String], dir: &Path) {
    let token = create_token(database, "ops-officer", "officer", "TAP");
    let server = Server::start(database);
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    let writers: Vec<_> = (0..4)
        .map(|_| {
            let (base, token, acked) = (server.base.clone(), token.clone(), acked.clone());
            tokio::spawn(async move {
                let client = reqwest::Client::new();
                loop {
                    let res = client
                        .post(format!("{base}/cases"))
                        .bearer_auth(&token)
                        .json(&crate::helpers::intake("TAP"))
                        .send()
                        .await;
                    let Ok(res) = res else { return };
                    if res.status() != 201 {
                        return;
                    }
                    let body: Value = res.json().await.unwrap();
                    acked
                        .lock()
                        .unwrap()
                        .push(body["id"].as_str().unwrap().to_owned());
                }
            })
        })
        .collect();
    while acked.lock().unwrap().len() < 30 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let before: Vec<String> = acked.lock().unwrap().clone();
    let file = dir.join("backup.db");
    let file = file.to_str().unwrap().to_owned();
    let (database2, file2) = (database.to_owned(), file.clone());
    let (ok, out) = tokio::task::spawn_blocking(move || {
        cli(&["backup", "--database", &database2, "--to", &file2])
    })
    .await
    .unwrap();
    assert!(ok, "{out}");
    assert!(
        acked.lock().unwrap().len() > before.len(),
        "the writers went on during the backup"
    );
    for w in writers {
        w.abort();
    }
    drop(server);

    for target in targets {
        let (ok, out) = cli(&["restore", &file, "--database", target]);
        assert!(ok, "{out}");
        assert!(out.contains("server_tokens"), "{out}");
        let (ok, out) = cli(&["check", "--database", target]);
        assert!(ok, "{out}");
        assert!(out.contains("0 problem(s)"), "{out}");

        let restored = Server::start(target);
        let client = reqwest::Client::new();
        for id in &before {
            // The token came along with the cases: the same officer reads them.
            let res = client
                .get(format!("{}/cases/{id}/verify", restored.base))
                .bearer_auth(&token)
                .send()
                .await
                .unwrap();
            assert_eq!(
                res.status(),
                200,
                "case {id} acknowledged before the backup"
            );
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["ok"], true, "{body}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_under_load_restores_into_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("cases.db").display());
    let mut targets = vec![format!(
        "sqlite://{}",
        dir.path().join("restored.db").display()
    )];
    targets.extend(postgres_database("restore_target"));
    backup_under_load(&database, &targets, dir.path()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_postgres_backup_under_load_restores() {
    let Some(database) = postgres_database("backup_source") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let targets = [format!(
        "sqlite://{}",
        dir.path().join("from-pg.db").display()
    )];
    backup_under_load(&database, &targets, dir.path()).await;
}

#[test]
fn check_exits_non_zero_and_names_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    let database = format!("sqlite://{}", path.display());
    let (ok, out) = cli(&["check", "--database", &database]);
    assert!(!ok, "no database yet: {out}");
    drop(Server::start(&database));
    let (ok, out) = cli(&["check", "--database", &database, "--json"]);
    assert!(ok, "{out}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["problems"], serde_json::json!([]));
    // A counter behind its cases (as if a write were lost from under it).
    let token = create_token(&database, "ops-officer", "officer", "TAP");
    let server = Server::start(&database);
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(crate::process::register_at(
        &reqwest::Client::new(),
        &server.base,
        &token,
        "TAP",
    ));
    drop(server);
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("UPDATE case_counters SET last = 0")
        .unwrap();
    drop(conn);
    let (ok, out) = cli(&["check", "--database", &database]);
    assert!(!ok, "{out}");
    assert!(out.contains("counter_behind"), "{out}");
}

#[tokio::test]
async fn ready_says_whether_the_database_answers_at_this_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    let server = Server::start(&format!("sqlite://{}", path.display()));
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{}/ready", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["ready"], true, "{body}");
    assert_eq!(body["database"]["ok"], true);

    // Another process (a newer siproc) migrated the database further: not ready, and why.
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch("PRAGMA user_version = 999").unwrap();
    drop(conn);
    let res = client
        .get(format!("{}/ready", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["ready"], false);
    assert_eq!(body["schema"]["ok"], false);
    assert!(
        body["schema"]["problem"].as_str().unwrap().contains("999"),
        "{body}"
    );
    // Liveness is another question: the server still lives.
    let res = client
        .get(format!("{}/health", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn metrics_count_requests_commits_and_cases_without_ids() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("cases.db").display());
    let token = create_token(&database, "ops-officer", "officer", "TAP");
    let server = Server::start(&database);
    let client = reqwest::Client::new();
    let case = crate::process::register_at(&client, &server.base, &token, "TAP").await;
    let id = case["id"].as_str().unwrap();
    let res = client
        .get(format!("{}/cases/{id}", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let res = client
        .get(format!("{}/metrics", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert!(
        res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    let text = res.text().await.unwrap();
    for line in [
        r#"siproc_http_requests_total{method="POST",route="/api/v1/cases",status="201"} 1"#,
        r#"siproc_http_requests_total{method="GET",route="/api/v1/cases/{id}",status="200"} 1"#,
        r#"siproc_cases{status="registered"} 1"#,
        r#"siproc_build_info{version=""#,
        "siproc_http_request_duration_seconds_bucket{",
        "siproc_event_streams_open 0",
    ] {
        assert!(text.contains(line), "{line} in\n{text}");
    }
    let commits = text
        .lines()
        .find_map(|l| l.strip_prefix("siproc_store_commits_total "))
        .unwrap();
    assert!(
        commits.parse::<u64>().unwrap() >= 2,
        "the registration and the read's log line"
    );
    assert!(!text.contains(id), "no case id in a label");
    assert!(
        !text.contains(case["number"].as_str().unwrap()),
        "no case number"
    );
}

/// Files kept in a directory (`--blobs dir:PATH`): uploaded through the API, carried by
/// `backup --blobs`, put into another directory by `restore --blobs`, checked by `check
/// --blobs` against their digests (a changed byte is `file_damaged`, exit non-zero).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn files_in_a_directory_are_backed_up_restored_and_checked() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("cases.db").display());
    let files = format!("dir:{}", dir.path().join("files").display());
    let token = create_token(&database, "ops-officer", "officer", "TAP");
    let server = Server::start_with(&database, &[("SIPROC_BLOBS", Path::new(&files))]);
    let client = reqwest::Client::new();
    let case = crate::process::register_at(&client, &server.base, &token, "TAP").await;
    let id = case["id"].as_str().unwrap().to_owned();
    let image = image::GrayImage::from_fn(24, 12, |x, _| image::Luma([x as u8 * 9]));
    let mut png = std::io::Cursor::new(Vec::new());
    image.write_to(&mut png, image::ImageFormat::Png).unwrap();
    let res = client
        .post(format!("{}/cases/{id}/attachments", server.base))
        .bearer_auth(&token)
        .header("If-Match", "\"1\"")
        .header("Content-Type", "image/png")
        .body(png.into_inner())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let sha = res.json::<Value>().await.unwrap()["sha256"]
        .as_str()
        .unwrap()
        .to_owned();
    drop(server);
    let kept = dir.path().join("files").join(&id).join(&sha);
    assert!(kept.is_file(), "the file is in the directory");
    let (ok, out) = cli(&["check", "--database", &database, "--blobs", &files]);
    assert!(ok && out.contains("0 problem(s)"), "{out}");

    let backup = dir.path().join("backup.db").display().to_string();
    let (ok, out) = cli(&[
        "backup",
        "--database",
        &database,
        "--to",
        &backup,
        "--blobs",
        &files,
    ]);
    assert!(ok, "{out}");
    let restored = format!("sqlite://{}", dir.path().join("restored.db").display());
    let elsewhere = format!("dir:{}", dir.path().join("restored-files").display());
    let (ok, out) = cli(&[
        "restore",
        &backup,
        "--database",
        &restored,
        "--blobs",
        &elsewhere,
    ]);
    assert!(ok && out.contains("blobs"), "{out}");
    let (ok, out) = cli(&["check", "--database", &restored, "--blobs", &elsewhere]);
    assert!(ok && out.contains("0 problem(s)"), "{out}");

    let moved = dir.path().join("restored-files").join(&id).join(&sha);
    let mut bytes = std::fs::read(&moved).unwrap();
    bytes[20] ^= 0x10;
    std::fs::write(&moved, bytes).unwrap();
    let (ok, out) = cli(&["check", "--database", &restored, "--blobs", &elsewhere]);
    assert!(!ok, "{out}");
    assert!(out.contains("file_damaged"), "{out}");
}

/// PostgreSQL's own tools (docs/operations.md): `pg_dump` of a served database, `pg_restore`
/// into a new one, and `siproc-server check` on it finds every case, clean.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pg_dump_and_pg_restore_on_postgres_give_a_database_that_checks_clean() {
    let (Some(source), Some(target)) = (
        postgres_database("pg_dump_source"),
        postgres_database("pg_dump_target"),
    ) else {
        return;
    };
    let bin = std::fs::read_dir("/usr/lib/postgresql")
        .ok()
        .and_then(|d| d.flatten().map(|e| e.path().join("bin")).max())
        .expect("PostgreSQL's tools are installed (make setup-pg)");
    let token = create_token(&source, "ops-officer", "officer", "TAP");
    let server = Server::start(&source);
    let client = reqwest::Client::new();
    for _ in 0..3 {
        crate::process::register_at(&client, &server.base, &token, "TAP").await;
    }
    drop(server);
    let dir = tempfile::tempdir().unwrap();
    let dump = dir.path().join("siproc.dump");
    let run = |tool: &str, args: &[&str]| {
        let out = Command::new(bin.join(tool)).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{tool}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(
        "pg_dump",
        &[
            "--format=custom",
            "--no-owner",
            "--file",
            dump.to_str().unwrap(),
            &source,
        ],
    );
    run(
        "pg_restore",
        &["--no-owner", "--dbname", &target, dump.to_str().unwrap()],
    );
    let (ok, out) = cli(&["check", "--database", &target]);
    assert!(ok, "{out}");
    assert!(
        out.contains("3 cases") && out.contains("0 problem(s)"),
        "{out}"
    );
}
