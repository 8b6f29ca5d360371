//! An encrypted store through the command line: `create-key`, `token create` and `serve` with
//! `SIPROC_MASTER_KEY_FILE` (a store made with a key opens only with it, and its file holds no
//! personal value), `rotate-key` and `encrypt-store` with their counts.

use std::path::Path;
use std::process::{Command, Output};

use crate::process::{Server, register_at};

const BIN: &str = env!("CARGO_BIN_EXE_siproc-server");
const KEY_ENV: &str = "SIPROC_MASTER_KEY_FILE";

fn run(args: &[&str], key: Option<&Path>) -> Output {
    let mut command = Command::new(BIN);
    command.args(args).env_remove(KEY_ENV);
    if let Some(key) = key {
        command.env(KEY_ENV, key);
    }
    command.output().unwrap()
}

fn token_create(database: &str, key: Option<&Path>) -> Output {
    run(
        &[
            "token",
            "create",
            "--user",
            "sup-1",
            "--role",
            "supervisor",
            "--office",
            "TAP",
            "--database",
            database,
        ],
        key,
    )
}

/// Whether any of the database's files holds `needle`.
fn holds(db: &Path, needle: &str) -> bool {
    ["", "-wal"].iter().any(|suffix| {
        std::fs::read(format!("{}{suffix}", db.display()))
            .is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle.as_bytes()))
    })
}

#[tokio::test]
async fn an_encrypted_store_serves_with_its_key_only_and_rotates() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cases.db");
    let database = format!("sqlite://{}", db.display());
    let keys = dir.path().join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let (k1, k2) = (keys.join("k1"), keys.join("k2"));
    for k in [&k1, &k2] {
        assert!(
            run(&["create-key", k.to_str().unwrap()], None)
                .status
                .success()
        );
    }
    assert!(
        !run(&["create-key", k1.to_str().unwrap()], None)
            .status
            .success()
    );

    let out = token_create(&database, Some(&k1));
    assert!(out.status.success());
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    // Without the key, or with another: refused, saying why, quoting no path.
    for key in [None, Some(k2.as_path())] {
        let out = token_create(&database, key);
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("key"), "{err}");
        assert!(!err.contains("/keys/"), "{err}");
    }

    let server = Server::start_with(&database, &[(KEY_ENV, &k1)]);
    let client = reqwest::Client::new();
    let case = register_at(&client, &server.base, &token, "TAP").await;
    let found = client
        .post(format!("{}/cases/search", server.base))
        .bearer_auth(&token)
        .json(&serde_json::json!({"name": "guity nunez"}))
        .send()
        .await
        .unwrap();
    assert!(
        found
            .text()
            .await
            .unwrap()
            .contains(case["id"].as_str().unwrap())
    );
    drop(server);
    for secret in [
        "Güity",
        "guity",
        "0801199404512",
        "98765432",
        "Siglo XXI",
        "Entrevista",
    ] {
        assert!(!holds(&db, secret), "{secret} is in the file");
    }

    let out = run(
        &[
            "rotate-key",
            "--database",
            &database,
            "--new-master-key-file",
            k2.to_str().unwrap(),
        ],
        Some(&k1),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("1 data keys re-wrapped now, 0 before"));
    assert!(!token_ok(&database, &k1));
    let server = Server::start_with(&database, &[(KEY_ENV, &k2)]);
    let id = case["id"].as_str().unwrap();
    let res = get(&client, &format!("{}/cases/{id}", server.base), &token).await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("Güity"));
}

async fn get(client: &reqwest::Client, url: &str, token: &str) -> reqwest::Response {
    client.get(url).bearer_auth(token).send().await.unwrap()
}

fn token_ok(database: &str, key: &Path) -> bool {
    token_create(database, Some(key)).status.success()
}

#[test]
fn an_unencrypted_store_converts_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cases.db");
    let database = format!("sqlite://{}", db.display());
    let key = dir.path().join("master.key");
    assert!(token_create(&database, None).status.success());
    assert!(
        run(&["create-key", key.to_str().unwrap()], None)
            .status
            .success()
    );
    // A store that holds records but no case converts (0 cases), then needs its key.
    let out = run(&["encrypt-store", "--database", &database], Some(&key));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("0 cases encrypted now, 0 before"));
    assert!(!token_create(&database, None).status.success());
    assert!(token_ok(&database, &key));
}
