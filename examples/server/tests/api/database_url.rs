//! One database URL, one database: every spelling of an SQLite URL that `serve` and
//! `token create` take (`sqlite:cases.db`, `sqlite://cases.db`, `cases.db`,
//! `sqlite:///abs/cases.db`) puts the cases and the server's records in the same file, and no
//! other file appears (the server used to write its tables to a file named `sqlite:cases.db`).

use std::path::Path;
use std::process::Command;

use crate::process::{Server, create_token};

const BIN: &str = env!("CARGO_BIN_EXE_siproc-server");

/// The files of `dir` but SQLite's WAL and shared-memory files.
fn files(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| !n.ends_with("-wal") && !n.ends_with("-shm"))
        .collect();
    names.sort();
    names
}

fn tables(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut stmt = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap();
    stmt.query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn every_relative_spelling_is_one_file_in_the_working_directory() {
    for spelling in ["sqlite:cases.db", "sqlite://cases.db", "cases.db"] {
        let dir = tempfile::tempdir().unwrap();
        let out = Command::new(BIN)
            .current_dir(dir.path())
            .args(["token", "create", "--user", "u1", "--role", "officer"])
            .args(["--office", "TAP", "--database", spelling])
            .output()
            .unwrap();
        assert!(out.status.success(), "{spelling}");
        assert_eq!(files(dir.path()), ["cases.db"], "{spelling}");
        let tables = tables(&dir.path().join("cases.db"));
        for table in ["cases", "events", "server_tokens", "server_access_log"] {
            assert!(tables.iter().any(|t| t == table), "{spelling}: {table}");
        }
    }
}

#[tokio::test]
async fn an_absolute_spelling_serves_from_the_file_the_token_was_written_to() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data/cases.db");
    let token = create_token(
        &format!("sqlite:{}", path.display()),
        "dir-1",
        "directorate",
        "DGPHM",
    );
    let server = Server::start(&format!("sqlite://{}", path.display()));
    let res = reqwest::Client::new()
        .get(format!("{}/cases", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(files(&dir.path().join("data")), ["cases.db"]);
}
