use std::collections::HashMap;
use std::net::SocketAddr;

use serde_json::Value;
use siproc_core::{Actor, Role};
use siproc_server::db::new_token;
use siproc_server::startup::{Application, Settings};
use siproc_server::state::SharedState;

pub struct TestApp {
    pub base: String,
    pub client: reqwest::Client,
    pub state: SharedState,
    pub tokens: HashMap<&'static str, String>,
}

/// The callers of the tests: name → (role, office).
pub const CALLERS: &[(&str, Role, &str)] = &[
    ("officer", Role::Officer, "TAP"),
    ("supervisor", Role::Supervisor, "TAP"),
    ("directorate", Role::Directorate, "DGPHM"),
    ("partner", Role::Partner, "TAP"),
    ("auditor", Role::Auditor, "DGPHM"),
    ("officer_hou", Role::Officer, "HOU"),
    ("officer_mex", Role::Officer, "MEX"),
];

/// Where a test app keeps its cases and the server's tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// The in-memory store.
    Memory,
    /// A fresh PostgreSQL database (`SIPROC_TEST_POSTGRES_URL`, which `make test-server-pg`
    /// sets).
    Postgres,
}

/// The app on `backend`, in a database of its own named after `test`; `None` (the test says
/// it skips) when the backend is not available here.
pub async fn spawn(backend: Backend, test: &str) -> Option<TestApp> {
    match backend {
        Backend::Memory => Some(spawn_app().await),
        Backend::Postgres => {
            let db = crate::process::postgres_database(test)?;
            Some(spawn_app_on(&db, 0).await)
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(0).await
}

pub async fn spawn_app_with(rate_limit: u32) -> TestApp {
    spawn_app_on("memory:", rate_limit).await
}

/// The app on the database `database` (a URL).
pub async fn spawn_app_on(database: &str, rate_limit: u32) -> TestApp {
    let settings = Settings {
        database: database.to_owned(),
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        rate_limit,
    };
    let app = Application::build(&settings).await.expect("build");
    let addr = app.local_addr().unwrap();
    let state = app.state().clone();
    let db_state = state.clone();
    let tokens: HashMap<&'static str, String> = tokio::task::spawn_blocking(move || {
        let mut tokens = HashMap::new();
        for &(name, role, office) in CALLERS {
            let token = new_token().unwrap();
            db_state
                .db
                .add_token(&token, &Actor::new(format!("user-{name}"), role, office))
                .unwrap();
            tokens.insert(name, token);
        }
        tokens
    })
    .await
    .unwrap();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        base: format!("http://{addr}/api/v1"),
        client: reqwest::Client::new(),
        state,
        tokens,
    }
}

/// A valid intake (an invented detained national) for `office`.
pub fn intake(office: &str) -> Value {
    let templates: Vec<Value> =
        serde_json::from_str(include_str!("../../demo/intakes.json")).unwrap();
    let mut intake = templates[0].clone();
    intake["office"] = office.into();
    intake
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn get(&self, who: &str, path: &str) -> reqwest::RequestBuilder {
        self.client
            .get(self.url(path))
            .bearer_auth(&self.tokens[who])
    }

    pub fn post(&self, who: &str, path: &str) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(path))
            .bearer_auth(&self.tokens[who])
    }

    /// Registers a case as `who`; returns its summary.
    pub async fn register(&self, who: &str, office: &str) -> Value {
        let res = self
            .post(who, "/cases")
            .json(&intake(office))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{:?}", res.text().await);
        res.json().await.unwrap()
    }

    /// Runs `f` on the app's state on a thread of its own: PostgreSQL's blocking client may not
    /// run on the runtime's threads.
    pub fn off_runtime<T: Send>(
        &self,
        f: impl FnOnce(&siproc_server::state::AppState) -> T + Send,
    ) -> T {
        std::thread::scope(|s| s.spawn(|| f(&self.state)).join().unwrap())
    }

    /// The case's current version, read from the store.
    pub fn version(&self, id: &str) -> u64 {
        let id = id.parse().unwrap();
        self.off_runtime(|s| s.store.summary(id).unwrap().version)
    }

    /// How many cases the store holds.
    pub fn case_count(&self) -> usize {
        self.off_runtime(|s| s.store.list(&Default::default()).unwrap().len())
    }

    /// Runs a command as `who` at the case's current version; returns the status.
    pub async fn command(&self, who: &str, id: &str, command: Value) -> u16 {
        let version = self.version(id);
        self.post(who, &format!("/cases/{id}/commands"))
            .header("If-Match", format!("\"{version}\""))
            .json(&command)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}
