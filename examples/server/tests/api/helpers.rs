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
    ("directorate_two", Role::Directorate, "DGPHM"),
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
    spawn_app_with_settings(Settings {
        rate_limit,
        ..Settings::new(database, SocketAddr::from(([127, 0, 0, 1], 0)))
    })
    .await
}

/// The app with `settings` (its address is any free local port).
pub async fn spawn_app_with_settings(settings: Settings) -> TestApp {
    let settings = Settings {
        listen: SocketAddr::from(([127, 0, 0, 1], 0)),
        ..settings
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
                .add_token(
                    &siproc_server::db::token_hash(&token),
                    &Actor::new(format!("user-{name}"), role, office),
                )
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

    /// A request to `path` as `who`.
    fn at(&self, method: reqwest::Method, who: &str, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, self.url(path))
            .bearer_auth(&self.tokens[who])
    }

    /// `path` with `query` (`""`: none).
    fn with_query(path: &str, query: &str) -> String {
        if query.is_empty() {
            path.to_owned()
        } else {
            format!("{path}?{query}")
        }
    }

    // One method per route, named after its operation in the OpenAPI document; each answers
    // the request, for the test to add headers and a body and to send.

    /// `POST /cases`.
    pub fn create_case(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, "/cases")
    }

    /// `GET /cases?{query}`.
    pub fn list_cases(&self, who: &str, query: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::GET,
            who,
            &Self::with_query("/cases", query),
        )
    }

    /// `POST /cases/search`.
    pub fn search_cases(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, "/cases/search")
    }

    /// `GET /audit?{query}`.
    pub fn audit_log(&self, who: &str, query: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::GET,
            who,
            &Self::with_query("/audit", query),
        )
    }

    /// `POST /subject-access`.
    pub fn subject_access(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, "/subject-access")
    }

    /// `GET /cases/{id}`.
    pub fn get_case(&self, who: &str, id: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::GET, who, &format!("/cases/{id}"))
    }

    /// `POST /cases/{id}/commands`.
    pub fn run_command(&self, who: &str, id: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, &format!("/cases/{id}/commands"))
    }

    /// `POST /cases/{id}/erase`.
    pub fn erase(&self, who: &str, id: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, &format!("/cases/{id}/erase"))
    }

    /// `GET /cases/{id}/history?{query}`.
    pub fn history(&self, who: &str, id: &str, query: &str) -> reqwest::RequestBuilder {
        let path = Self::with_query(&format!("/cases/{id}/history"), query);
        self.at(reqwest::Method::GET, who, &path)
    }

    /// `GET /cases/{id}/verify`.
    pub fn verify(&self, who: &str, id: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::GET, who, &format!("/cases/{id}/verify"))
    }

    /// `GET /cases/{id}/forms`.
    pub fn forms(&self, who: &str, id: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::GET, who, &format!("/cases/{id}/forms"))
    }

    /// `GET /cases/{id}/forms/{file}`.
    pub fn form_pdf(&self, who: &str, id: &str, file: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::GET,
            who,
            &format!("/cases/{id}/forms/{file}"),
        )
    }

    /// `POST /cases/{id}/access`.
    pub fn break_glass(&self, who: &str, id: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, &format!("/cases/{id}/access"))
    }

    /// `GET /grants?{query}`.
    pub fn list_grants(&self, who: &str, query: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::GET,
            who,
            &Self::with_query("/grants", query),
        )
    }

    /// `POST /grants/{id}/end`.
    pub fn end_grant(&self, who: &str, id: u64) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, &format!("/grants/{id}/end"))
    }

    /// `GET /events`.
    pub fn events(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::GET, who, "/events")
    }

    /// `GET /archive?{query}`.
    pub fn export(&self, who: &str, query: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::GET,
            who,
            &Self::with_query("/archive", query),
        )
    }

    /// `POST /archive/requests`.
    pub fn request_export(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, "/archive/requests")
    }

    /// `POST /archive/requests/{id}/approve`.
    pub fn approve_export(&self, who: &str, id: u64) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::POST,
            who,
            &format!("/archive/requests/{id}/approve"),
        )
    }

    /// The archive as `who` downloads it after a second directorate user approved their
    /// request (four eyes): the answer of `GET /archive?request=…`.
    pub async fn export_approved(&self, who: &str, approver: &str) -> reqwest::Response {
        let res = self.request_export(who).send().await.unwrap();
        assert_eq!(res.status(), 201);
        let request: Value = res.json().await.unwrap();
        let id = request["id"].as_u64().unwrap();
        let res = self.approve_export(approver, id).send().await.unwrap();
        assert_eq!(res.status(), 200);
        self.export(who, &format!("request={id}"))
            .send()
            .await
            .unwrap()
    }

    /// `POST /archive`.
    pub fn import(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, "/archive")
    }

    /// `GET /access-log?{query}`.
    pub fn access_log(&self, who: &str, query: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::GET,
            who,
            &Self::with_query("/access-log", query),
        )
    }

    /// `GET /form-checks?{query}`.
    pub fn check_log(&self, who: &str, query: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::GET,
            who,
            &Self::with_query("/form-checks", query),
        )
    }

    /// `GET /stats?{query}`.
    pub fn stats(&self, who: &str, query: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::GET,
            who,
            &Self::with_query("/stats", query),
        )
    }

    /// `GET /stats/releases`.
    pub fn releases(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::GET, who, "/stats/releases")
    }

    /// `GET /stats/releases/{id}?{query}`.
    pub fn release(&self, who: &str, id: &str, query: &str) -> reqwest::RequestBuilder {
        let path = Self::with_query(&format!("/stats/releases/{id}"), query);
        self.at(reqwest::Method::GET, who, &path)
    }

    /// `POST /stats/releases`.
    pub fn publish_release(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, "/stats/releases")
    }

    /// `GET /health`.
    pub fn health(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::GET, who, "/health")
    }

    /// `GET /openapi.json`.
    pub fn openapi(&self, who: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::GET, who, "/openapi.json")
    }

    /// `POST /cases/{id}/attachments`.
    pub fn add_attachment(&self, who: &str, id: &str) -> reqwest::RequestBuilder {
        self.at(
            reqwest::Method::POST,
            who,
            &format!("/cases/{id}/attachments"),
        )
    }

    /// `POST /cases/{id}/attachments` with a raw `body` of `content_type`, at `version`
    /// (`If-Match`) when one is given.
    pub fn attach_raw(
        &self,
        who: &str,
        id: &str,
        version: Option<u64>,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::RequestBuilder {
        let req = self
            .add_attachment(who, id)
            .header("Content-Type", content_type)
            .body(body);
        match version {
            Some(v) => req.header("If-Match", format!("\"{v}\"")),
            None => req,
        }
    }

    /// Whether the access log (read by the auditor) holds a read `what` of case `id` by
    /// `user_id`.
    pub async fn read_logged(&self, id: &str, what: &str, user_id: &str) -> bool {
        let log = Self::json(self.access_log("auditor", &format!("case_id={id}"))).await;
        log["items"].as_array().is_some_and(|items| {
            items
                .iter()
                .any(|e| e["what"] == what && e["user_id"] == user_id)
        })
    }

    /// Sends `req` and asserts its answer's status and error code.
    pub async fn refused(req: reqwest::RequestBuilder, status: u16, code: &str) {
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), status, "{code}");
        assert_eq!(res.json::<Value>().await.unwrap()["code"], code);
    }

    /// `GET /cases/{id}/attachments/{sha256}/thumbnail`.
    pub fn thumbnail(&self, who: &str, id: &str, sha256: &str) -> reqwest::RequestBuilder {
        self.get(who, &format!("/cases/{id}/attachments/{sha256}/thumbnail"))
    }

    /// `POST /forms/signed-copies` with a raw `body` of `content_type`.
    pub fn signed_copy(
        &self,
        who: &str,
        content_type: &str,
        body: Vec<u8>,
    ) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::POST, who, "/forms/signed-copies")
            .header("Content-Type", content_type)
            .body(body)
    }

    /// Any `GET` as `who` (a path the test builds, such as a `Location` or an `href`).
    pub fn get(&self, who: &str, path: &str) -> reqwest::RequestBuilder {
        self.at(reqwest::Method::GET, who, path)
    }

    /// Sends `req` and reads its answer's JSON body, whatever its status.
    pub async fn json(req: reqwest::RequestBuilder) -> Value {
        req.send().await.unwrap().json().await.unwrap()
    }

    /// Registers a case as `who`; returns its summary.
    pub async fn register(&self, who: &str, office: &str) -> Value {
        let res = self
            .create_case(who)
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
        self.run_command(who, id)
            .header("If-Match", format!("\"{version}\""))
            .json(&command)
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }
}
