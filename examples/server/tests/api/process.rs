//! Real server processes (the built `siproc-server` binary) and the PostgreSQL databases the
//! tests give them.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::Value;

use crate::helpers::intake;

/// The server binary: cargo's, or a copy named by `SIPROC_SERVER_BIN` (for a long soak run
/// beside builds that would replace cargo's while it runs).
fn bin() -> String {
    std::env::var("SIPROC_SERVER_BIN")
        .unwrap_or_else(|_| env!("CARGO_BIN_EXE_siproc-server").to_owned())
}

/// A running `siproc-server serve`.
pub struct Server {
    child: Child,
    /// `http://127.0.0.1:PORT/api/v1`.
    pub base: String,
}

impl Server {
    /// Starts a server on `database` on a free loopback port, without a rate limit.
    pub fn start(database: &str) -> Server {
        Server::start_with(database, &[])
    }

    /// [`Server::start`] with environment variables (`SIPROC_MASTER_KEY_FILE`, …).
    pub fn start_with(database: &str, env: &[(&str, &std::path::Path)]) -> Server {
        let mut child = Command::new(bin())
            .args(["serve", "--listen", "127.0.0.1:0", "--rate-limit", "0"])
            .args(["--database", database])
            .env("RUST_LOG", "warn")
            .envs(env.iter().map(|(k, v)| (k, v.as_os_str())))
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn the server");
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let base = loop {
            let line = lines
                .next()
                .expect("the server printed its address")
                .unwrap();
            if let Some(rest) = line.split("listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().to_owned();
            }
        };
        // Keep draining stdout so that the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines {});
        Server { child, base }
    }

    /// SIGKILL: no chance to finish anything.
    pub fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Registers a case for `office` on the server at `base`; returns its summary.
pub async fn register_at(client: &reqwest::Client, base: &str, token: &str, office: &str) -> Value {
    let res = client
        .post(format!("{base}/cases"))
        .bearer_auth(token)
        .json(&intake(office))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    res.json().await.unwrap()
}

/// `siproc-server token create …` on `database`: the printed token.
pub fn create_token(database: &str, user: &str, role: &str, office: &str) -> String {
    let out = Command::new(bin())
        .args([
            "token", "create", "--user", user, "--role", role, "--office", office,
        ])
        .args(["--database", database])
        .output()
        .expect("run token create");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(token.starts_with("sps_"), "one token printed");
    token
}

/// A new, empty PostgreSQL database on the test server (`SIPROC_TEST_POSTGRES_URL`, set by
/// `mk/with-pg.sh`), or `None` — with a message — when there is none.
pub fn postgres_database(test: &str) -> Option<String> {
    let Ok(url) = std::env::var("SIPROC_TEST_POSTGRES_URL") else {
        eprintln!(
            "skipping {test}: SIPROC_TEST_POSTGRES_URL is not set (run `make test-server-pg`)"
        );
        return None;
    };
    let name = format!(
        "siproc_{}",
        test.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
    );
    let url2 = url.clone();
    let name2 = name.clone();
    std::thread::spawn(move || {
        let mut client = postgres::Client::connect(&url2, postgres::NoTls).expect("connect");
        client
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name2} WITH (FORCE)"))
            .expect("drop the old database");
        client
            .batch_execute(&format!("CREATE DATABASE {name2}"))
            .expect("create a database");
    })
    .join()
    .unwrap();
    let (base, _) = url.rsplit_once('/').expect("a database URL");
    Some(format!("{base}/{name}"))
}

/// Runs `siproc-server ARGS…`; answers its standard output, failing the test on an error exit.
pub fn cli(args: &[&str]) -> String {
    let out = Command::new(bin())
        .args(args)
        .output()
        .expect("run siproc-server");
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}
