//! What survives the server process: under a concurrent write and read load the server is
//! killed with SIGKILL and restarted, a few times (`SIPROC_SERVER_KILL_CYCLES`, 3 by default;
//! `make soak-kill` runs 1,000); every acknowledged registration and command is there
//! afterwards, every chain verifies, every acknowledged read has its access-log line, and
//! every user and API token the server acknowledged creating is there and works (SQLite, and
//! PostgreSQL when the test server is set).
//! Event positions are the store's: a stream resumes with `Last-Event-ID` across a restart.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use siproc_core::access::ReadKind;
use siproc_core::store::LogFilter;

use crate::events::Stream;
use crate::helpers::intake;
use crate::process::{Server, create_token, postgres_database, register_at};

/// Kill-and-restart cycles per backend: `SIPROC_SERVER_KILL_CYCLES`, 3 by default.
fn cycles() -> usize {
    std::env::var("SIPROC_SERVER_KILL_CYCLES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3)
}
/// Concurrent writers.
const WRITERS: usize = 4;
/// Concurrent readers: their access-log lines share the store's commits with each other and
/// with the writers' registrations and commands (on SQLite, through its one writer thread).
const READERS: usize = 4;
/// The longest the load runs after a cycle's first acknowledged write, before the kill: each
/// cycle kills at another moment of it, from 50 ms on (`kill_after`).
const LOAD: Duration = Duration::from_millis(1500);
/// How many times (50 ms apart) a cycle looks for its first acknowledged write: a minute.
const PROGRESS_POLLS: usize = 1200;

/// What the server acknowledged: case id → the highest version a response confirmed.
type Acked = Arc<Mutex<Vec<(String, u64)>>>;

/// A client of the load: gives up on a request after 5 s.
fn load_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap()
}

/// The answer to `request` when the server acknowledged it with `status`; `None` when it did
/// not (the server died, or refused it).
async fn acknowledged(request: reqwest::RequestBuilder, status: u16) -> Option<Value> {
    let res = request.send().await.ok()?;
    if res.status() != status {
        return None;
    }
    res.json::<Value>().await.ok()
}

/// One writer: registers a case, then adds notes to it with If-Match, until the server dies.
async fn writer(base: String, token: String, acked: Acked) {
    let client = load_client();
    loop {
        let opening = client
            .post(format!("{base}/cases"))
            .bearer_auth(&token)
            .json(&intake("TAP"));
        let Some(case) = acknowledged(opening, 201).await else {
            return;
        };
        let id = case["id"].as_str().unwrap().to_owned();
        let mut version = case["version"].as_u64().unwrap();
        acked.lock().unwrap().push((id.clone(), version));
        for i in 0..3 {
            let note = client
                .post(format!("{base}/cases/{id}/commands"))
                .bearer_auth(&token)
                .header("If-Match", format!("\"{version}\""))
                .json(&json!({"command": "add_note", "text": format!("nota {i}")}));
            let Some(summary) = acknowledged(note, 200).await else {
                return;
            };
            version = summary["version"].as_u64().unwrap();
            acked.lock().unwrap().push((id.clone(), version));
        }
    }
}

/// When cycle `cycle` kills the server, after its first acknowledged write: spread over
/// [`LOAD`] down to 50 ms by a stride prime to the span, so that consecutive cycles differ.
fn kill_after(cycle: usize) -> Duration {
    let span = LOAD.as_millis() as usize - 50;
    LOAD - Duration::from_millis(((cycle * 337) % span) as u64)
}

/// What the server acknowledged of the server's own tables: the logins of users created and
/// the secrets of API tokens created.
#[derive(Default, Clone)]
struct Accounts {
    users: Vec<String>,
    tokens: Vec<String>,
}

/// One administrator: creates users and API tokens, one after the other, until the server
/// dies; each acknowledged (201) is recorded.
async fn administrator(base: String, token: String, cycle: usize, done: Arc<Mutex<Accounts>>) {
    let client = load_client();
    for n in 0.. {
        let login = format!("kill-{cycle}-{n}");
        let user = client
            .post(format!("{base}/users"))
            .bearer_auth(&token)
            .json(&json!({"login": login, "role": "officer", "office": "TAP"}));
        if acknowledged(user, 201).await.is_none() {
            return;
        }
        done.lock().unwrap().users.push(login);
        let api_token = client
            .post(format!("{base}/tokens"))
            .bearer_auth(&token)
            .json(&json!({"name": format!("kill {cycle} {n}"), "scopes": ["cases:read"]}));
        let Some(created) = acknowledged(api_token, 201).await else {
            return;
        };
        let secret = created["secret"].as_str().unwrap().to_owned();
        done.lock().unwrap().tokens.push(secret);
    }
}

/// Every user and token in `accounts` is on the server at `base`: the user readable, the token
/// accepted.
async fn check_accounts(base: &str, directorate: &str, accounts: &Accounts) {
    let client = reqwest::Client::new();
    for login in &accounts.users {
        let res = client
            .get(format!("{base}/users/{login}"))
            .bearer_auth(directorate)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "acknowledged user {login} is there");
    }
    for (n, secret) in accounts.tokens.iter().enumerate() {
        let res = client
            .get(format!("{base}/me"))
            .bearer_auth(secret)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "acknowledged token {n} works");
    }
}

/// What the server acknowledged reading: case id → how many reads of it were answered 200.
type Reads = Arc<Mutex<std::collections::HashMap<String, usize>>>;

/// One reader: reads the acknowledged cases, one after another from its own starting point,
/// until the server dies. Every 200 is a read whose access-log line the server promised was
/// durable before it answered.
async fn reader(base: String, token: String, acked: Acked, reads: Reads, start: usize) {
    let client = load_client();
    for i in start.. {
        let next = {
            let acked = acked.lock().unwrap();
            acked.get(i % acked.len().max(1)).map(|(id, _)| id.clone())
        };
        let Some(id) = next else {
            tokio::time::sleep(Duration::from_millis(10)).await;
            continue;
        };
        let Ok(res) = client
            .get(format!("{base}/cases/{id}"))
            .bearer_auth(&token)
            .send()
            .await
        else {
            return;
        };
        if res.status() != 200 {
            return;
        }
        *reads.lock().unwrap().entry(id).or_insert(0) += 1;
    }
}

/// Every acknowledged read has its access-log line in `database`, read from the store itself
/// (off the async threads: PostgreSQL's client blocks): the API answers at most 1,000 entries a
/// query, and a long run reads a case more often.
async fn check_reads(
    database: &str,
    reader: &str,
    reads: std::collections::HashMap<String, usize>,
) {
    assert!(!reads.is_empty(), "the readers read something");
    let (database, reader) = (database.to_owned(), reader.to_owned());
    tokio::task::spawn_blocking(move || check_logged(&database, &reader, &reads))
        .await
        .unwrap();
}

fn check_logged(database: &str, reader: &str, reads: &std::collections::HashMap<String, usize>) {
    let (_, records) = siproc_core::store::open_database(database).unwrap();
    for (id, &answered) in reads {
        let filter = LogFilter {
            case_id: Some(id.parse().unwrap()),
            user_id: Some(reader.to_owned()),
            since: None,
            limit: u32::MAX,
        };
        let logged = records
            .access_log(&filter)
            .unwrap()
            .iter()
            .filter(|e| e.what == ReadKind::Case)
            .count();
        assert!(
            logged >= answered,
            "{id}: {answered} reads answered, {logged} logged"
        );
    }
}

/// Every acknowledged write is on the server at `base`, and every chain verifies.
async fn check(base: &str, token: &str, acked: &[(String, u64)]) {
    let client = reqwest::Client::new();
    let mut highest = std::collections::HashMap::new();
    for (id, version) in acked {
        let v = highest.entry(id.clone()).or_insert(0);
        *v = (*v).max(*version);
    }
    for (id, version) in &highest {
        let res = client
            .get(format!("{base}/cases/{id}/verify"))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "acknowledged case {id} is there");
        let verdict: Value = res.json().await.unwrap();
        assert_eq!(verdict["ok"], true, "{id}: {verdict}");
        let stored = verdict["version"].as_u64().unwrap();
        assert!(
            stored >= *version,
            "{id}: acknowledged {version}, stored {stored}"
        );
    }
}

/// The reads in `all` of the cases read since `since` (a copy of `all` taken then).
fn read_since(
    all: &Reads,
    since: &std::collections::HashMap<String, usize>,
) -> std::collections::HashMap<String, usize> {
    let all = all.lock().unwrap();
    all.iter()
        .filter(|(id, n)| since.get(*id) != Some(n))
        .map(|(id, n)| (id.clone(), *n))
        .collect()
}

async fn crash_cycles(database: &str) {
    let officer = create_token(database, "crash-officer", "officer", "TAP");
    let directorate = create_token(database, "crash-dir", "directorate", "DGPHM");
    let acked: Acked = Arc::default();
    let reads: Reads = Arc::default();
    let accounts: Arc<Mutex<Accounts>> = Arc::default();
    // What the previous cycle's kill put at risk, checked after each restart (the whole lot is
    // checked once more at the end): its writes, its reads, its users and tokens.
    let (mut checked_writes, mut checked_reads) = (0, std::collections::HashMap::new());
    let mut checked_accounts = Accounts::default();
    for cycle in 0..cycles() {
        let server = Server::start(database);
        let so_far = acked.lock().unwrap()[checked_writes..].to_vec();
        check(&server.base, &directorate, &so_far).await;
        checked_writes += so_far.len();
        let newly_read = read_since(&reads, &checked_reads);
        if !newly_read.is_empty() {
            check_reads(database, "crash-dir", newly_read).await;
        }
        checked_reads = reads.lock().unwrap().clone();
        let made = accounts.lock().unwrap().clone();
        let new_accounts = Accounts {
            users: made.users[checked_accounts.users.len()..].to_vec(),
            tokens: made.tokens[checked_accounts.tokens.len()..].to_vec(),
        };
        check_accounts(&server.base, &directorate, &new_accounts).await;
        checked_accounts = made;
        let before = acked.lock().unwrap().len();
        let mut writers: Vec<_> = (0..WRITERS)
            .map(|_| tokio::spawn(writer(server.base.clone(), officer.clone(), acked.clone())))
            .collect();
        writers.extend((0..READERS).map(|n| {
            tokio::spawn(reader(
                server.base.clone(),
                directorate.clone(),
                acked.clone(),
                reads.clone(),
                n * 7,
            ))
        }));
        writers.push(tokio::spawn(administrator(
            server.base.clone(),
            directorate.clone(),
            cycle,
            accounts.clone(),
        )));
        // The kill comes LOAD after the cycle's first acknowledged write, however slow the
        // machine is to start the server and answer it.
        for _ in 0..PROGRESS_POLLS {
            if acked.lock().unwrap().len() > before {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        tokio::time::sleep(kill_after(cycle)).await;
        server.kill();
        for w in writers {
            w.await.unwrap();
        }
        assert!(
            acked.lock().unwrap().len() > before,
            "cycle {cycle}: the load wrote something"
        );
    }
    let server = Server::start(database);
    let all = acked.lock().unwrap().clone();
    check(&server.base, &directorate, &all).await;
    let all_reads = reads.lock().unwrap().clone();
    check_reads(database, "crash-dir", all_reads.clone()).await;
    let made = accounts.lock().unwrap().clone();
    assert!(
        !made.users.is_empty() && !made.tokens.is_empty(),
        "the administrator created users and tokens"
    );
    check_accounts(&server.base, &directorate, &made).await;
    // The figures of a long run (`make soak-kill`), for docs/fuzzing.md.
    let backend = database.split(':').next().unwrap_or_default();
    eprintln!(
        "{backend}: {} cycles, {} acknowledged writes on {} cases, {} acknowledged reads, \
         {} users and {} tokens: none lost",
        cycles(),
        all.len(),
        all.iter()
            .map(|(id, _)| id)
            .collect::<std::collections::HashSet<_>>()
            .len(),
        all_reads.values().sum::<usize>(),
        made.users.len(),
        made.tokens.len()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_load_loses_nothing_acknowledged_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("crash.db").display());
    crash_cycles(&database).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sigkill_under_load_loses_nothing_acknowledged_on_postgres() {
    let Some(database) = postgres_database("crash") else {
        return;
    };
    crash_cycles(&database).await;
}

#[tokio::test]
async fn a_stream_resumes_across_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let database = format!("sqlite://{}", dir.path().join("resume.db").display());
    let officer = create_token(&database, "r-officer", "officer", "TAP");
    let directorate = create_token(&database, "r-dir", "directorate", "DGPHM");
    let client = reqwest::Client::new();
    let register = |base: String| {
        let (client, officer) = (client.clone(), officer.clone());
        async move { register_at(&client, &base, &officer, "TAP").await["id"].clone() }
    };
    let server = Server::start(&database);
    let mut stream = Stream::open_at(&client, &server.base, &directorate, None).await;
    register(server.base.clone()).await;
    let (seen, _) = stream
        .next(Duration::from_secs(2))
        .await
        .expect("first event");
    drop(stream);
    let mut expected = Vec::new();
    for _ in 0..2 {
        expected.push(register(server.base.clone()).await);
    }
    server.kill();
    let server = Server::start(&database);
    expected.push(register(server.base.clone()).await);
    let mut resumed = Stream::open_at(&client, &server.base, &directorate, Some(&seen)).await;
    let mut got = Vec::new();
    for _ in 0..3 {
        let (_, data) = resumed.next(Duration::from_secs(2)).await.expect("resumed");
        got.push(data["case_id"].clone());
    }
    assert_eq!(got, expected);
}
