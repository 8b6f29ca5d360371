//! The store contract ([`siproc_core::store::testkit`]) against every backend built in, and what
//! only durable stores face: two processes on one database, a writer killed at a random moment,
//! bad data on disk.
//!
//! Run by `make test-store` (`--features testkit,sqlite,postgres`, with the PostgreSQL that
//! mk/pg.mk starts and names in `SIPROC_TEST_POSTGRES_URL`).
//!
//! The durable tests start this very binary again as a child process (the `child` test, which
//! does nothing unless `SIPROC_STORE_CHILD` is set).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use siproc_core::store::testkit::{self, check_store};
use siproc_core::store::{self, CaseQuery, CaseStore, MemoryStore, StoreError};

#[test]
fn memory_store_passes_the_kit() {
    check_store(MemoryStore::new);
}

#[test]
fn urls_pick_the_store_and_bad_ones_are_typed_errors() {
    assert_eq!(store::open_store("memory:").unwrap().count(), Ok(0));
    for url in ["", "mysql://user:secret@host/db", "ftp://x/y", "sqlite://"] {
        let err = store::open_store(url).err().unwrap();
        assert_eq!(err.code(), "store.bad_url", "{url:?}");
        assert!(!err.to_string().contains("secret"));
    }
}

/// The child process: what it does is named by `SIPROC_STORE_CHILD`.
#[test]
fn child() {
    let Ok(mode) = std::env::var("SIPROC_STORE_CHILD") else {
        return;
    };
    let url = std::env::var("SIPROC_STORE_URL").unwrap();
    durable::child(&mode, &url);
}

mod durable {
    //! Tests shared by the durable backends, given a store URL.
    use std::collections::BTreeSet;
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Child, Command, Stdio};
    use std::sync::Barrier;
    use std::time::Duration;

    use siproc_core::access::{Access, AccessEntry, ReadKind};
    use siproc_core::case_number;
    use siproc_core::history;
    use siproc_core::store::{self, StoreError};
    use siproc_core::workflow::Command as Cmd;
    use uuid::Uuid;

    use super::testkit::{catalog, detention_intake, now, officer};

    fn spawn(mode: &str, url: &str) -> Child {
        Command::new(std::env::current_exe().unwrap())
            .args(["child", "--exact", "--nocapture", "--test-threads=1", "-q"])
            .env("SIPROC_STORE_CHILD", mode)
            .env("SIPROC_STORE_URL", url)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    }

    fn say(line: &str) {
        let mut out = std::io::stdout().lock();
        writeln!(out, "@@ {line}").unwrap();
        out.flush().unwrap();
    }

    pub fn child(mode: &str, url: &str) {
        if mode == "reader" {
            return reader(url);
        }
        let store = store::open_store(url).unwrap();
        let store = &*store;
        match mode {
            // Opens cases and adds a note to each, printing each id once acknowledged.
            "writer" => loop {
                let case = store::open_case(
                    store,
                    &catalog(),
                    &officer("TAP"),
                    &detention_intake("TAP"),
                    now(),
                )
                .unwrap();
                let note = Cmd::AddNote {
                    text: "nota".into(),
                    written_on: None,
                };
                store::run(store, &catalog(), &officer("TAP"), case.id, &note, now()).unwrap();
                say(&format!("{} 2", case.id));
            },
            // Waits for "go", then 32 threads append at version 1 to the case named on stdin,
            // retrying until their note is in; prints how many first attempts won, and
            // opens 20 cases of office MEX.
            "race" => {
                say("ready");
                let mut line = String::new();
                std::io::stdin().read_line(&mut line).unwrap();
                let case_id: Uuid = line.trim().parse().unwrap();
                let case = store::load_case(store, case_id).unwrap();
                let barrier = Barrier::new(32);
                let wins: usize = std::thread::scope(|s| {
                    let threads: Vec<_> = (0..32)
                        .map(|i| {
                            let (case, barrier) = (&case, &barrier);
                            s.spawn(move || {
                                let note = Cmd::AddNote {
                                    text: format!("nota {} {i}", std::process::id()),
                                    written_on: None,
                                };
                                let e = siproc_core::workflow::execute(
                                    case,
                                    &catalog(),
                                    &officer("TAP"),
                                    &note,
                                    now(),
                                )
                                .unwrap();
                                barrier.wait();
                                let first = store.append(case.id, 1, std::slice::from_ref(&e));
                                if let Err(err) = &first {
                                    assert!(matches!(err, StoreError::Conflict { .. }));
                                }
                                let mut done = first.is_ok();
                                while !done {
                                    done = store::run(
                                        store,
                                        &catalog(),
                                        &officer("TAP"),
                                        case.id,
                                        &note,
                                        now(),
                                    )
                                    .is_ok();
                                }
                                usize::from(first.is_ok())
                            })
                        })
                        .collect();
                    threads.into_iter().map(|t| t.join().unwrap()).sum()
                });
                for _ in 0..20 {
                    store::open_case(
                        store,
                        &catalog(),
                        &officer("MEX"),
                        &detention_intake("MEX"),
                        now(),
                    )
                    .unwrap();
                }
                say(&format!("wins {wins}"));
            }
            other => panic!("unknown child mode {other}"),
        }
    }

    /// Readers and a writer on one store: opens a case, then 8 threads log reads of it (the
    /// access log, as the server writes it before answering a read) while another opens cases.
    /// Prints `read <case>` for every acknowledged log line and `<case> 1` for every case.
    fn reader(url: &str) {
        let (store, records) = store::open_database(url).unwrap();
        let store = &*store;
        let open = || {
            store::open_case(
                store,
                &catalog(),
                &officer("TAP"),
                &detention_intake("TAP"),
                now(),
            )
            .unwrap()
            .id
        };
        let case = open();
        say(&format!("{case} 1"));
        std::thread::scope(|s| {
            for _ in 0..8 {
                s.spawn(|| {
                    loop {
                        let entry = AccessEntry::new(
                            &officer("TAP"),
                            case,
                            ReadKind::Case,
                            Access::Office,
                            now(),
                            None,
                        );
                        records.log_access(&entry).unwrap();
                        say(&format!("read {case}"));
                    }
                });
            }
            loop {
                say(&format!("{} 1", open()));
            }
        });
    }

    /// Runs the child `mode` `rounds` times, each killed by SIGKILL at a random moment, and
    /// returns the lines it printed (what it acknowledged).
    ///
    /// Even rounds kill the child at a random moment after it starts (opening and migrating
    /// the store included); odd rounds wait for its first acknowledged write, then kill it at
    /// a random moment, so that the test never depends on how fast this machine is.
    fn killed_runs(mode: &str, url: &str, rounds: usize) -> Vec<String> {
        let mut acknowledged = Vec::new();
        let mut seed = std::process::id() as u64 ^ 0x9e37_79b9_7f4a_7c15;
        for round in 0..rounds {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let wait = Duration::from_millis(20 + seed % 120);
            let mut child = spawn(mode, url);
            let out = child.stdout.take().unwrap();
            let (lines, received) = std::sync::mpsc::channel::<String>();
            let reader = std::thread::spawn(move || {
                BufReader::new(out)
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|l| l.strip_prefix("@@ ").map(str::to_owned))
                    .for_each(|l| {
                        let _ = lines.send(l);
                    });
            });
            if round % 2 == 1 {
                let first = received.recv_timeout(Duration::from_secs(120));
                acknowledged.push(first.expect("the child acknowledged nothing in two minutes"));
            }
            std::thread::sleep(wait);
            child.kill().unwrap(); // SIGKILL
            child.wait().unwrap();
            reader.join().unwrap();
            acknowledged.extend(received.try_iter());
        }
        acknowledged
    }

    /// The case numbers of `office`, in the store's order.
    fn office_numbers(store: &dyn store::CaseStore, office: &str) -> Vec<String> {
        store
            .list(&store::CaseQuery {
                office: Some(office.into()),
                ..Default::default()
            })
            .unwrap()
            .into_iter()
            .map(|s| s.number)
            .collect()
    }

    /// Every case `acknowledged` names (`<case> <version>` lines) has at least that many
    /// events, its chain verifies, and office TAP's numbers have no gap.
    fn check_acknowledged(url: &str, acknowledged: &[String]) {
        let store = store::open_store(url).unwrap();
        let cases: Vec<(Uuid, u64)> = acknowledged
            .iter()
            .filter_map(|line| line.split_once(' '))
            .filter(|(id, _)| *id != "read")
            .map(|(id, version)| (id.parse().unwrap(), version.parse().unwrap()))
            .collect();
        assert!(!cases.is_empty(), "the child never acknowledged a case");
        for (id, version) in &cases {
            let events = store.load(*id).unwrap();
            assert!(
                events.len() as u64 >= *version,
                "an acknowledged event was lost"
            );
            history::verify(&events).unwrap();
        }
        // Numbers stay gap-free through the crashes.
        let numbers = office_numbers(&*store, "TAP");
        let want: Vec<String> = (1..=numbers.len() as u64)
            .map(|n| case_number("TAP", 2026, n))
            .collect();
        assert_eq!(numbers, want);
    }

    /// Readers killed by SIGKILL at a random moment, while a writer opens cases beside them:
    /// every read whose access-log line was acknowledged has it, and every acknowledged case
    /// is kept (reads and writes share the store's commits).
    pub fn killed_readers_lose_no_acknowledged_log_line(url: &str, rounds: usize) {
        let acknowledged = killed_runs("reader", url, rounds);
        let mut reads: std::collections::BTreeMap<Uuid, usize> = Default::default();
        for line in &acknowledged {
            if let Some(case) = line.strip_prefix("read ") {
                *reads.entry(case.parse().unwrap()).or_default() += 1;
            }
        }
        assert!(!reads.is_empty(), "the readers never acknowledged a read");
        let (_, records) = store::open_database(url).unwrap();
        for (case, answered) in reads {
            let logged = records
                .access_log(&store::LogFilter {
                    case_id: Some(case),
                    limit: u32::MAX,
                    ..Default::default()
                })
                .unwrap()
                .len();
            assert!(
                logged >= answered,
                "{answered} reads acknowledged, {logged} logged"
            );
        }
        check_acknowledged(url, &acknowledged);
    }

    /// Two processes: 64 appends at one version (one wins), and 40 cases numbered without gaps.
    pub fn two_processes_race(url: &str) {
        let store = store::open_store(url).unwrap();
        let case = store::open_case(
            &*store,
            &catalog(),
            &officer("TAP"),
            &detention_intake("TAP"),
            now(),
        )
        .unwrap();
        let mut children: Vec<Child> = (0..2).map(|_| spawn("race", url)).collect();
        let mut outs: Vec<_> = children
            .iter_mut()
            .map(|c| {
                BufReader::new(c.stdout.take().unwrap())
                    .lines()
                    .map_while(Result::ok)
                    .filter_map(|l| l.strip_prefix("@@ ").map(str::to_owned))
            })
            .collect();
        for out in &mut outs {
            assert_eq!(out.next().unwrap(), "ready");
        }
        for child in &mut children {
            writeln!(child.stdin.as_mut().unwrap(), "{}", case.id).unwrap();
        }
        let mut wins = 0;
        for out in &mut outs {
            let line = out.next().unwrap();
            wins += line
                .strip_prefix("wins ")
                .unwrap()
                .parse::<usize>()
                .unwrap();
        }
        for mut child in children {
            assert!(child.wait().unwrap().success());
        }
        assert_eq!(wins, 1, "exactly one first append wins across processes");
        let events = store.load(case.id).unwrap();
        assert_eq!(events.len(), 65);
        assert!(events.iter().zip(1..).all(|(e, seq)| e.seq == seq));
        history::verify(&events).unwrap();
        let numbers: BTreeSet<String> = office_numbers(&*store, "MEX").into_iter().collect();
        let want: BTreeSet<String> = (1..=40).map(|n| case_number("MEX", 2026, n)).collect();
        assert_eq!(numbers, want, "numbers across processes have no gaps");
    }

    /// A writer killed by SIGKILL at a random moment loses nothing it acknowledged.
    pub fn killed_writers_lose_nothing_acknowledged(url: &str, rounds: usize) {
        check_acknowledged(url, &killed_runs("writer", url, rounds));
    }
}

#[cfg(feature = "sqlite")]
mod sqlite {
    use std::path::Path;

    use siproc_core::history::canonical_json;
    use siproc_core::store::sqlite::SqliteStore;

    use super::*;

    fn url(dir: &Path) -> String {
        format!("sqlite://{}", dir.join("cases.db").display())
    }

    #[test]
    fn sqlite_store_passes_the_kit() {
        let dir = tempfile::tempdir().unwrap();
        let n = std::sync::atomic::AtomicUsize::new(0);
        check_store(|| {
            let k = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            SqliteStore::open(dir.path().join(format!("kit-{k}.db"))).unwrap()
        });
    }

    /// A file written by the release before the one SQL layer (store schema 4, the reference
    /// server's own tables at their version 2, 102 demo cases, six tokens, one access-log line)
    /// opens, migrates to the current schema, and keeps every case and record.
    #[test]
    fn a_file_from_the_previous_release_opens_and_migrates() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("old.db");
        std::fs::copy(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/store-v4-server-v2.db"),
            &path,
        )
        .unwrap();
        let (store, records) = store::open_database(&format!("sqlite:{}", path.display())).unwrap();
        assert_eq!(store.count().unwrap(), 102);
        for summary in store.list(&CaseQuery::default()).unwrap() {
            let history = store.load_history(summary.id).unwrap();
            assert_eq!(history.version(), summary.version);
        }
        let token = "sps_e9504dfecd9794c9c0db160f232e1960ccfbadf2aeb4600f5f0068876636ac61";
        let hash = hex_sha256(token);
        let actor = records.actor_for(&hash).unwrap().unwrap();
        assert_eq!(actor.user_id, "demo-directorate");
        let log = records
            .access_log(&store::LogFilter {
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(log.len(), 1);
        let version: u32 = rusqlite::Connection::open(&path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(version, store::sqlite::SCHEMA_VERSION);
    }

    fn hex_sha256(text: &str) -> String {
        use sha2::Digest;
        sha2::Sha256::digest(text.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// Every spelling of an SQLite URL puts the cases and the records kept about access in the
    /// one file it names, and nowhere else.
    #[test]
    fn every_spelling_keeps_cases_and_records_in_one_file() {
        let dir = tempfile::tempdir().unwrap();
        for (k, spelling) in ["sqlite:", "sqlite://", ""].into_iter().enumerate() {
            let path = dir.path().join(format!("sub-{k}/cases.db"));
            let url = format!("{spelling}{}", path.display());
            let (store, records) = store::open_database(&url).unwrap();
            let case = store::open_case(
                &*store,
                &testkit::catalog(),
                &testkit::officer("TAP"),
                &testkit::detention_intake("TAP"),
                testkit::now(),
            )
            .unwrap();
            let actor = siproc_core::Actor::new("u1", siproc_core::Role::Officer, "TAP");
            records.add_token(&format!("hash-{k}"), &actor).unwrap();
            drop((store, records));
            let files: Vec<_> = std::fs::read_dir(path.parent().unwrap())
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .filter(|name| !name.ends_with("-wal") && !name.ends_with("-shm"))
                .collect();
            assert_eq!(files, ["cases.db"], "{url}");
            let conn = rusqlite::Connection::open(&path).unwrap();
            let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
            assert_eq!(count("SELECT COUNT(*) FROM cases"), 1, "{url}");
            assert_eq!(count("SELECT COUNT(*) FROM server_tokens"), 1, "{url}");
            assert_eq!(
                conn.query_row("SELECT id FROM cases", [], |r| r.get::<_, String>(0))
                    .unwrap(),
                case.id.to_string()
            );
        }
    }

    #[test]
    fn two_processes_share_one_file() {
        let dir = tempfile::tempdir().unwrap();
        durable::two_processes_race(&url(dir.path()));
    }

    #[test]
    fn a_killed_writer_loses_nothing_acknowledged() {
        let dir = tempfile::tempdir().unwrap();
        durable::killed_writers_lose_nothing_acknowledged(&url(dir.path()), 50);
    }

    #[test]
    fn killed_readers_lose_no_acknowledged_log_line() {
        let dir = tempfile::tempdir().unwrap();
        durable::killed_readers_lose_no_acknowledged_log_line(&url(dir.path()), 20);
    }

    #[test]
    fn reopening_keeps_everything() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let id = {
            let store = SqliteStore::open(&path).unwrap();
            store::open_case(
                &store,
                &testkit::catalog(),
                &testkit::officer("TAP"),
                &testkit::detention_intake("TAP"),
                testkit::now(),
            )
            .unwrap()
            .id
        };
        let store = store::open_store(path.to_str().unwrap()).unwrap();
        assert_eq!(store.load(id).unwrap().len(), 1);
        let next = store::open_case(
            &*store,
            &testkit::catalog(),
            &testkit::officer("TAP"),
            &testkit::detention_intake("TAP"),
            testkit::now(),
        )
        .unwrap();
        assert_eq!(next.number, "TAP-2026-000002");
        testkit::assert_records_match(&*store);
    }

    /// Opens `n` cases at TAP in `store`, each with a note.
    fn cases(store: &dyn CaseStore, n: usize) -> Vec<uuid::Uuid> {
        (0..n)
            .map(|_| {
                let case = store::open_case(
                    store,
                    &testkit::catalog(),
                    &testkit::officer("TAP"),
                    &testkit::detention_intake("TAP"),
                    testkit::now(),
                )
                .unwrap();
                let note = siproc_core::workflow::Command::AddNote {
                    text: "nota".into(),
                    written_on: None,
                };
                store::run(
                    store,
                    &testkit::catalog(),
                    &testkit::officer("TAP"),
                    case.id,
                    &note,
                    testkit::now(),
                )
                .unwrap();
                case.id
            })
            .collect()
    }

    #[test]
    fn an_older_file_gets_its_statistics_records_on_open() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let ids = cases(&SqliteStore::open(&path).unwrap(), 3);
        // The file as schema 3 left it (no records), one case damaged on disk.
        let conn = rusqlite::Connection::open(&path).unwrap();
        // (with the tables of later versions gone too, so that their migrations run again)
        conn.execute_batch(
            "DROP TABLE case_stats; DROP TABLE audit_log; DROP TABLE case_keys; \
             PRAGMA user_version = 3;",
        )
        .unwrap();
        conn.execute(
            "UPDATE events SET body = replace(body, 'officer-TAP', 'officer-MEX') \
             WHERE case_id = ?1 AND seq = 2",
            [ids[2].to_string()],
        )
        .unwrap();
        let store = SqliteStore::open(&path).unwrap();
        // The damaged case has no record: reading it loads the history, which names the damage.
        let err = store.records(&CaseQuery::default()).unwrap_err();
        assert_eq!(
            (err.code(), err.case_id()),
            ("history.changed", Some(ids[2]))
        );
        conn.execute(
            "UPDATE events SET body = replace(body, 'officer-MEX', 'officer-TAP') \
             WHERE case_id = ?1 AND seq = 2",
            [ids[2].to_string()],
        )
        .unwrap();
        testkit::assert_records_match(&store);
        let kept: i64 = conn
            .query_row("SELECT COUNT(*) FROM case_stats", [], |r| r.get(0))
            .unwrap();
        assert_eq!(kept, 2, "the damaged case was left without a record");
        // An unreadable record is a typed error, not a panic.
        conn.execute("UPDATE case_stats SET record = x'00'", [])
            .unwrap();
        let err = store.records(&CaseQuery::default()).unwrap_err();
        assert_eq!(err.code(), "store.corrupt");
    }

    #[test]
    fn a_changed_event_on_disk_is_a_history_error_naming_the_case() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let store = SqliteStore::open(&path).unwrap();
        let case = store::open_case(
            &store,
            &testkit::catalog(),
            &testkit::officer("TAP"),
            &testkit::detention_intake("TAP"),
            testkit::now(),
        )
        .unwrap();
        let events = store.load(case.id).unwrap();
        let body = canonical_json(&events[0]).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        let tamper = |body: &str| {
            conn.execute(
                "UPDATE events SET body = ?1 WHERE case_id = ?2",
                rusqlite::params![body, case.id.to_string()],
            )
            .unwrap();
        };
        tamper(&body.replace("officer-TAP", "officer-MEX"));
        let err = store.load(case.id).unwrap_err();
        assert_eq!(err.code(), "history.changed");
        assert_eq!(err.case_id(), Some(case.id));
        assert!(err.to_string().contains(&case.id.to_string()));
        // An append on top of it is refused the same way.
        let note = siproc_core::workflow::Command::AddNote {
            text: "x".into(),
            written_on: None,
        };
        let err = store::run(
            &store,
            &testkit::catalog(),
            &testkit::officer("TAP"),
            case.id,
            &note,
            testkit::now(),
        )
        .unwrap_err();
        assert_eq!(err.case_id(), Some(case.id));
        tamper("{not json");
        assert_eq!(store.load(case.id).unwrap_err().code(), "history.changed");
        tamper(&body);
        assert_eq!(store.load(case.id).unwrap(), events);
        // A removed event: the case row's anchor still names it.
        conn.execute("DELETE FROM events", []).unwrap();
        assert_eq!(store.load(case.id).unwrap_err().case_id(), Some(case.id));
    }

    /// The store keeps the histories it verified (`sql::Verified`): a change on disk after a
    /// successful load — the same length, a row's anchor — is still caught on the next load.
    #[test]
    fn a_change_after_a_verified_load_is_still_caught() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let store = SqliteStore::open(&path).unwrap();
        let mut case = store::open_case(
            &store,
            &testkit::catalog(),
            &testkit::officer("TAP"),
            &testkit::detention_intake("TAP"),
            testkit::now(),
        )
        .unwrap();
        for text in ["primera llamada", "segunda llamada"] {
            let note = siproc_core::workflow::Command::AddNote {
                text: text.into(),
                written_on: None,
            };
            case = store::run(
                &store,
                &testkit::catalog(),
                &testkit::officer("TAP"),
                case.id,
                &note,
                testkit::now(),
            )
            .unwrap();
        }
        let events = store.load(case.id).unwrap();
        assert_eq!(store::load_case(&store, case.id).unwrap(), case);
        assert_eq!(store.load(case.id).unwrap(), events);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let id = case.id.to_string();
        conn.execute(
            "UPDATE events SET body = replace(body, 'primera', 'tercera') WHERE case_id = ?1",
            [&id],
        )
        .unwrap();
        let err = store.load(case.id).unwrap_err();
        assert_eq!(err.code(), "history.changed");
        assert_eq!(err.case_id(), Some(case.id));
        assert_eq!(
            store::load_case(&store, case.id).unwrap_err().case_id(),
            Some(case.id)
        );
        conn.execute(
            "UPDATE events SET body = replace(body, 'tercera', 'primera') WHERE case_id = ?1",
            [&id],
        )
        .unwrap();
        assert_eq!(store.load(case.id).unwrap(), events);
        // The anchor moved back one event: the last event looks inserted.
        conn.execute(
            "UPDATE cases SET version = 2, head = ?2 WHERE id = ?1",
            rusqlite::params![id, events[1].hash],
        )
        .unwrap();
        assert_eq!(store.load(case.id).unwrap_err().case_id(), Some(case.id));
        conn.execute(
            "UPDATE cases SET version = 3, head = ?2 WHERE id = ?1",
            rusqlite::params![id, events[2].hash],
        )
        .unwrap();
        assert_eq!(store::load_case(&store, case.id).unwrap(), case);
    }

    #[test]
    fn foreign_corrupt_and_newer_files_are_typed_errors() {
        let dir = tempfile::tempdir().unwrap();
        let garbage = dir.path().join("garbage.db");
        std::fs::write(&garbage, vec![0x5a_u8; 8192]).unwrap();
        let code = |p: &Path| SqliteStore::open(p).err().map(|e| e.code());
        assert_eq!(code(&garbage), Some("store.corrupt"));
        let foreign = dir.path().join("foreign.db");
        rusqlite::Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE people (name TEXT)")
            .unwrap();
        assert_eq!(code(&foreign), Some("store.corrupt"));
        let newer = dir.path().join("newer.db");
        drop(SqliteStore::open(&newer).unwrap());
        rusqlite::Connection::open(&newer)
            .unwrap()
            .execute_batch("PRAGMA user_version = 99")
            .unwrap();
        let err = SqliteStore::open(&newer).err().unwrap();
        assert_eq!(err.code(), "store.newer_schema");
        assert!(matches!(err, StoreError::NewerSchema { found: 99, .. }));
        let missing_dir = dir.path().join("no/such/dir/cases.db");
        assert!(SqliteStore::open(&missing_dir).is_err());
    }
}

#[cfg(feature = "postgres")]
mod postgres {
    use siproc_core::store::postgres::PostgresStore;

    use super::*;

    /// The server mk/pg.mk started; a fresh schema per store keeps the checks apart.
    fn base_url() -> String {
        std::env::var("SIPROC_TEST_POSTGRES_URL").expect(
            "SIPROC_TEST_POSTGRES_URL must name a PostgreSQL server (make test-store starts one)",
        )
    }

    /// A URL whose connections use their own new schema.
    pub(super) fn fresh_url() -> String {
        let schema = format!("t{}", uuid::Uuid::now_v7().simple());
        let base = base_url();
        let mut client = ::postgres::Client::connect(&base, ::postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}options=-csearch_path%3D{schema}")
    }

    #[test]
    fn postgres_store_passes_the_kit() {
        check_store(|| PostgresStore::open(&fresh_url()).unwrap());
    }

    #[test]
    fn an_older_database_gets_its_statistics_records_on_open() {
        let url = fresh_url();
        let store = PostgresStore::open(&url).unwrap();
        for office in ["TAP", "MEX"] {
            let case = store::open_case(
                &store,
                &testkit::catalog(),
                &testkit::officer(office),
                &testkit::detention_intake(office),
                testkit::now(),
            )
            .unwrap();
            let close = siproc_core::workflow::Command::ChangeStatus {
                to: siproc_core::Status::InProgress,
            };
            store::run(
                &store,
                &testkit::catalog(),
                &testkit::officer(office),
                case.id,
                &close,
                testkit::now(),
            )
            .unwrap();
        }
        drop(store);
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        client
            .batch_execute(
                "DROP TABLE case_stats; DROP TABLE audit_log; DROP TABLE case_keys; \
                 UPDATE siproc_meta SET value = '3' WHERE key = 'schema_version';",
            )
            .unwrap();
        let store = PostgresStore::open(&url).unwrap();
        testkit::assert_records_match(&store);
        assert_eq!(store.records(&CaseQuery::default()).unwrap().len(), 2);
    }

    #[test]
    fn two_processes_share_one_database() {
        durable::two_processes_race(&fresh_url());
    }

    #[test]
    fn a_killed_writer_loses_nothing_acknowledged() {
        durable::killed_writers_lose_nothing_acknowledged(&fresh_url(), 50);
    }

    #[test]
    fn killed_readers_lose_no_acknowledged_log_line() {
        durable::killed_readers_lose_no_acknowledged_log_line(&fresh_url(), 20);
    }

    #[test]
    fn a_changed_event_in_the_database_is_a_history_error_naming_the_case() {
        let url = fresh_url();
        let store = PostgresStore::open(&url).unwrap();
        let case = store::open_case(
            &store,
            &testkit::catalog(),
            &testkit::officer("TAP"),
            &testkit::detention_intake("TAP"),
            testkit::now(),
        )
        .unwrap();
        // Loaded (and verified) once before the change: the change is caught all the same.
        let events = store.load(case.id).unwrap();
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        client
            .execute(
                "UPDATE events SET body = replace(body, 'officer-TAP', 'officer-MEX')",
                &[],
            )
            .unwrap();
        let err = store.load(case.id).unwrap_err();
        assert_eq!(err.code(), "history.changed");
        assert_eq!(err.case_id(), Some(case.id));
        client
            .execute(
                "UPDATE events SET body = replace(body, 'officer-MEX', 'officer-TAP')",
                &[],
            )
            .unwrap();
        assert_eq!(store.load(case.id).unwrap(), events);
        client
            .execute(
                "UPDATE siproc_meta SET value = '99' WHERE key = 'schema_version'",
                &[],
            )
            .unwrap();
        let err = PostgresStore::open(&url).err().unwrap();
        assert_eq!(err.code(), "store.newer_schema");
        let bad = "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2";
        assert_eq!(
            store::open_store(bad).err().map(|e| e.code()),
            Some("store.backend")
        );
    }
}

/// Encryption at rest (`siproc_core::keys`): the kit on an encrypted file, the key's typed
/// errors, and what a copied file gives away without its key.
#[cfg(feature = "sqlite")]
mod encrypted_sqlite {
    use std::path::Path;

    use serde_json::{Value, json};
    use sha2::{Digest, Sha256};
    use siproc_core::Intake;
    use siproc_core::history::canonical_json;
    use siproc_core::keys::MasterKey;
    use siproc_core::store::sqlite::SqliteStore;
    use siproc_core::workflow::Command;

    use super::*;

    #[test]
    fn encrypted_sqlite_store_passes_the_kit() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = MasterKey::generate();
        let n = std::sync::atomic::AtomicUsize::new(0);
        check_store(|| {
            let k = n.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let store =
                SqliteStore::open_with_key(dir.path().join(format!("kit-{k}.db")), Some(&key))
                    .unwrap();
            assert!(store.index_key().is_some());
            store
        });
    }

    /// The values the leak tests look for, in every spelling a store could write them in.
    pub(crate) const SECRETS: &[&str] = &[
        "Zelaya",
        "zelaya",
        "Bacedifo",
        "bacedifo",
        "0801199904512",
        "0801 1999 04512",
        "33128899",
        "Escondida",
        "escondida",
        "sobrino",
    ];

    /// An intake with recognisable values: names, a document, a phone, a facility.
    pub(crate) fn recognisable_intake(office: &str) -> Intake {
        serde_json::from_value(json!({
            "office": office, "category": "detention", "opened_on": "2026-03-02",
            "persons": [{"role": "national", "given_names": "Bacedifo", "surnames": "Zelaya",
                         "birth_date": "1999-07-21", "nationality": "HN",
                         "documents": [{"kind": "hn_dni", "number": "0801 1999 04512"}],
                         "contacts": [{"kind": "phone", "value": "+504 3312 8899"}]}],
            "consent": {"given": true, "given_by": 0, "recorded_on": "2026-03-02",
                        "scope": ["processing", "share_with_partners"]},
            "facts": {"authority": "Instituto Nacional de Migración",
                      "facility": "Estación Escondida", "detention_kind": "immigration",
                      "arrest_date": "2026-02-27"}
        }))
        .unwrap()
    }

    /// Opens the recognisable case in `store` with a note, and checks that search and loading
    /// find and show it.
    pub(crate) fn write_recognisable(store: &dyn CaseStore) -> uuid::Uuid {
        let catalog = testkit::catalog();
        let actor = testkit::officer("TAP");
        let case = store::open_case(
            store,
            &catalog,
            &actor,
            &recognisable_intake("TAP"),
            testkit::now(),
        )
        .unwrap();
        let note = Command::AddNote {
            text: "Llamó el sobrino desde la estación".into(),
            written_on: None,
        };
        store::run(store, &catalog, &actor, case.id, &note, testkit::now()).unwrap();
        for query in [
            CaseQuery {
                name: Some("ZELAYA bacedifo".into()),
                ..CaseQuery::default()
            },
            CaseQuery {
                document_number: Some("0801-1999-04512".into()),
                ..CaseQuery::default()
            },
        ] {
            let found = store.list(&query).unwrap();
            assert!(found.iter().any(|s| s.id == case.id));
            assert!(found.iter().all(|s| s.number.starts_with("TAP-")));
        }
        let loaded = store::load_case(store, case.id).unwrap();
        assert_eq!(loaded.persons[0].surnames, "Zelaya");
        case.id
    }

    /// Every secret found in the bytes of `files`.
    pub(crate) fn leaks(files: &[std::path::PathBuf]) -> Vec<String> {
        let mut found = Vec::new();
        for file in files {
            let Ok(bytes) = std::fs::read(file) else {
                continue;
            };
            for secret in SECRETS {
                if bytes.windows(secret.len()).any(|w| w == secret.as_bytes()) {
                    found.push(format!("{secret} in {}", file.display()));
                }
            }
        }
        found
    }

    fn with_wal(path: &Path) -> Vec<std::path::PathBuf> {
        ["", "-wal", "-shm"]
            .iter()
            .map(|s| std::path::PathBuf::from(format!("{}{s}", path.display())))
            .collect()
    }

    /// A copy of an encrypted file (with its WAL, before any checkpoint) holds no name,
    /// document number, phone or note; the same case in an unencrypted file shows them (the
    /// test can fail); every event hash still verifies from the stored rows without a key.
    #[test]
    fn a_copied_encrypted_file_gives_away_no_personal_value() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = MasterKey::generate();
        let clear = dir.path().join("clear.db");
        let secret = dir.path().join("secret.db");
        {
            let store = SqliteStore::open(&clear).unwrap();
            write_recognisable(&store);
            assert!(store.index_key().is_none());
            assert!(!leaks(&with_wal(&clear)).is_empty());
        }
        let store = SqliteStore::open_with_key(&secret, Some(&key)).unwrap();
        let id = write_recognisable(&store);
        // Copied while the store is open (the WAL not folded back yet), then after closing.
        let copy = dir.path().join("copy");
        std::fs::create_dir_all(&copy).unwrap();
        let copies: Vec<_> = with_wal(&secret)
            .into_iter()
            .filter(|f| f.exists())
            .map(|f| {
                let to = copy.join(f.file_name().unwrap());
                std::fs::copy(&f, &to).unwrap();
                to
            })
            .collect();
        assert!(copies.len() >= 2, "the WAL holds the writes");
        assert_eq!(leaks(&copies), Vec::<String>::new());
        drop(store);
        assert_eq!(leaks(&with_wal(&secret)), Vec::<String>::new());

        // Without the key, the rows still prove the chain: each body's hash recomputed as the
        // history module documents it (sealed values reduced to their commitment).
        let conn = rusqlite::Connection::open(&secret).unwrap();
        let mut stmt = conn
            .prepare("SELECT hash, body FROM events WHERE case_id = ?1 ORDER BY seq")
            .unwrap();
        let rows: Vec<(String, String)> = stmt
            .query_map([id.to_string()], |r| Ok((r.get(0)?, r.get(1)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(rows.len(), 2);
        let mut prev = siproc_core::history::GENESIS_HASH.to_owned();
        for (hash, body) in rows {
            let mut v: Value = serde_json::from_str(&body).unwrap();
            assert_eq!(v["prev_hash"], json!(prev));
            v.as_object_mut().unwrap().remove("hash");
            reduce(&mut v);
            let digest = Sha256::digest(canonical_json(&v).unwrap().as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex, hash);
            prev = hash;
        }
    }

    fn reduce(v: &mut Value) {
        match v {
            Value::Object(m) if m.contains_key("commitment") => {
                let c = m["commitment"].clone();
                *v = json!({ "commitment": c });
            }
            Value::Object(m) => m.values_mut().for_each(reduce),
            Value::Array(a) => a.iter_mut().for_each(reduce),
            _ => {}
        }
    }

    #[test]
    fn an_encrypted_file_opens_only_with_its_key() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = MasterKey::generate();
        let (other, _) = MasterKey::generate();
        let path = dir.path().join("cases.db");
        let id = write_recognisable(&SqliteStore::open_with_key(&path, Some(&key)).unwrap());
        let code =
            |k: Option<&MasterKey>| SqliteStore::open_with_key(&path, k).err().map(|e| e.code());
        assert_eq!(code(None), Some("store.key_required"));
        assert_eq!(code(Some(&other)), Some("store.wrong_key"));
        let url = format!("sqlite://{}", path.display());
        let err = store::open_store_with_key(&url, Some(&other))
            .err()
            .unwrap();
        assert_eq!(err.code(), "store.wrong_key");
        assert!(!format!("{err} {err:?}").contains(&path.display().to_string()));
        assert_eq!(
            store::open_database_with_key(&url, None)
                .err()
                .map(|e| e.code()),
            Some("store.key_required")
        );
        // The right key: everything reads back.
        let store = store::open_store_with_key(&url, Some(&key)).unwrap();
        assert_eq!(
            store::load_case(&*store, id).unwrap().persons[0].given_names,
            "Bacedifo"
        );

        // A file of clear cases refuses a key until converted; an empty one becomes encrypted.
        let clear = dir.path().join("clear.db");
        write_recognisable(&SqliteStore::open(&clear).unwrap());
        assert_eq!(
            SqliteStore::open_with_key(&clear, Some(&key))
                .err()
                .map(|e| e.code()),
            Some("store.unencrypted")
        );
        assert!(SqliteStore::open(&clear).is_ok());
        let empty = dir.path().join("empty.db");
        drop(SqliteStore::open(&empty).unwrap());
        drop(SqliteStore::open_with_key(&empty, Some(&key)).unwrap());
        assert_eq!(
            SqliteStore::open(&empty).err().map(|e| e.code()),
            Some("store.key_required")
        );
    }
}

/// The kit and the key checks on an encrypted PostgreSQL database.
#[cfg(feature = "postgres")]
mod encrypted_postgres {
    use siproc_core::keys::MasterKey;
    use siproc_core::store::postgres::PostgresStore;

    use super::*;

    #[test]
    fn encrypted_postgres_store_passes_the_kit() {
        let (key, _) = MasterKey::generate();
        check_store(|| {
            PostgresStore::open_with_key(&super::postgres::fresh_url(), Some(&key)).unwrap()
        });
    }

    #[cfg(feature = "sqlite")]
    #[test]
    fn an_encrypted_database_holds_no_personal_value_and_needs_its_key() {
        let (key, _) = MasterKey::generate();
        let (other, _) = MasterKey::generate();
        let url = super::postgres::fresh_url();
        let store = PostgresStore::open_with_key(&url, Some(&key)).unwrap();
        let id = super::encrypted_sqlite::write_recognisable(&store);
        drop(store);
        let code = |k: Option<&MasterKey>| {
            PostgresStore::open_with_key(&url, k)
                .err()
                .map(|e| e.code())
        };
        assert_eq!(code(None), Some("store.key_required"));
        assert_eq!(code(Some(&other)), Some("store.wrong_key"));
        // Every text and byte column of every table of the database, as a dump would show it.
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let mut dump = String::new();
        for table in [
            "cases",
            "events",
            "case_names",
            "case_documents",
            "case_stats",
            "case_keys",
            "siproc_meta",
        ] {
            for row in client
                .query(&format!("SELECT t::text FROM {table} t"), &[])
                .unwrap()
            {
                dump.push_str(&row.get::<_, String>(0));
            }
        }
        assert!(dump.contains(&id.to_string()));
        for secret in super::encrypted_sqlite::SECRETS {
            assert!(
                !dump.contains(secret),
                "{secret} is readable in the database"
            );
        }
        let store = PostgresStore::open_with_key(&url, Some(&key)).unwrap();
        assert_eq!(
            store::load_case(&store, id).unwrap().persons[0].surnames,
            "Zelaya"
        );
    }
}

/// Rotating the master key and converting an unencrypted file, both resumable.
#[cfg(feature = "sqlite")]
mod key_changes {
    use siproc_core::keys::MasterKey;
    use siproc_core::store::sqlite::SqliteStore;
    use siproc_core::store::{KeyChange, encrypt_store, rotate_master_key};

    use super::encrypted_sqlite::{leaks, write_recognisable};
    use super::*;

    #[test]
    fn rotation_rewraps_every_key_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let url = format!("sqlite://{}", path.display());
        let (old, _) = MasterKey::generate();
        let (new, _) = MasterKey::generate();
        let ids: Vec<_> = {
            let store = SqliteStore::open_with_key(&path, Some(&old)).unwrap();
            (0..3).map(|_| write_recognisable(&store)).collect()
        };
        let (other, _) = MasterKey::generate();
        assert_eq!(
            rotate_master_key(&url, &other, &new)
                .err()
                .map(|e| e.code()),
            Some("store.wrong_key")
        );
        // What an interrupted run leaves, made from a copy rotated to the end: the marker, the
        // store secret under the new key, and one case's key re-wrapped.
        let done = dir.path().join("done.db");
        std::fs::copy(&path, &done).unwrap();
        let done_url = format!("sqlite://{}", done.display());
        rotate_master_key(&done_url, &old, &new).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("ATTACH ?1 AS done", [done.display().to_string()])
            .unwrap();
        conn.execute(
            "INSERT INTO siproc_meta (key, value) VALUES ('key_change', ?1)",
            [format!("rotating:{}", new.key_id())],
        )
        .unwrap();
        conn.execute_batch(
            "INSERT INTO siproc_meta (key, value) SELECT 'store_secret_next', value \
               FROM done.siproc_meta WHERE key = 'store_secret'; \
             DELETE FROM case_keys WHERE case_id = (SELECT MIN(case_id) FROM case_keys); \
             INSERT INTO case_keys SELECT * FROM done.case_keys \
               WHERE case_id = (SELECT MIN(case_id) FROM done.case_keys);",
        )
        .unwrap();
        drop(conn);
        assert_eq!(
            SqliteStore::open_with_key(&path, Some(&old))
                .err()
                .map(|e| e.code()),
            Some("store.key_change_unfinished")
        );
        let report = rotate_master_key(&url, &old, &new).unwrap();
        assert_eq!(
            report,
            KeyChange {
                changed: 2,
                already: 1
            }
        );
        // Done: again is a no-op that counts.
        assert_eq!(
            rotate_master_key(&url, &old, &new).unwrap(),
            KeyChange {
                changed: 0,
                already: 3
            }
        );
        assert_eq!(
            SqliteStore::open_with_key(&path, Some(&old))
                .err()
                .map(|e| e.code()),
            Some("store.wrong_key")
        );
        let store = SqliteStore::open_with_key(&path, Some(&new)).unwrap();
        for id in &ids {
            assert_eq!(
                store::load_case(&store, *id).unwrap().persons[0].surnames,
                "Zelaya"
            );
        }
        // The blind index survived: it is keyed by the store secret, not the master key.
        let found = store
            .list(&CaseQuery {
                name: Some("bacedifo zelaya".into()),
                ..CaseQuery::default()
            })
            .unwrap();
        assert_eq!(found.len(), 3);
    }

    #[test]
    fn an_unencrypted_file_converts_in_place_and_resumes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let url = format!("sqlite://{}", path.display());
        let (key, _) = MasterKey::generate();
        let ids: Vec<_> = {
            let store = SqliteStore::open(&path).unwrap();
            (0..3).map(|_| write_recognisable(&store)).collect()
        };
        let files = |p: &std::path::Path| {
            ["", "-wal"].map(|s| std::path::PathBuf::from(format!("{}{s}", p.display())))
        };
        assert!(!leaks(&files(&path)).is_empty());
        let report = encrypt_store(&url, &key).unwrap();
        assert_eq!(
            report,
            KeyChange {
                changed: 3,
                already: 0
            }
        );
        assert_eq!(leaks(&files(&path)), Vec::<String>::new());
        assert_eq!(
            SqliteStore::open(&path).err().map(|e| e.code()),
            Some("store.key_required")
        );
        let store = SqliteStore::open_with_key(&path, Some(&key)).unwrap();
        for id in &ids {
            assert_eq!(
                store::load_case(&store, *id).unwrap().persons[0].surnames,
                "Zelaya"
            );
        }
        let by_document = CaseQuery {
            document_number: Some("080119990 4512".into()),
            ..CaseQuery::default()
        };
        assert_eq!(store.list(&by_document).unwrap().len(), 3);
        // New cases after the conversion are encrypted too, and search still finds all.
        write_recognisable_again(&store);
        drop(store);
        // Again: nothing to do; another key: refused.
        assert_eq!(
            encrypt_store(&url, &key).unwrap(),
            KeyChange {
                changed: 0,
                already: 4
            }
        );
        let (other, _) = MasterKey::generate();
        assert_eq!(
            encrypt_store(&url, &other).err().map(|e| e.code()),
            Some("store.wrong_key")
        );
        assert_eq!(leaks(&files(&path)), Vec::<String>::new());
    }

    fn write_recognisable_again(store: &dyn CaseStore) {
        let id = write_recognisable(store);
        let query = CaseQuery {
            name: Some("zelaya".into()),
            ..CaseQuery::default()
        };
        assert!(store.list(&query).unwrap().iter().any(|s| s.id == id));
    }

    #[test]
    fn a_resumed_conversion_finishes_the_cases_left() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cases.db");
        let url = format!("sqlite://{}", path.display());
        let (key, _) = MasterKey::generate();
        {
            let store = SqliteStore::open(&path).unwrap();
            for _ in 0..3 {
                write_recognisable(&store);
            }
        }
        // What an interrupted run leaves, made from a copy converted to the end: the store's
        // key check and secret, the marker, and one case converted (bodies, terms, key).
        let done = dir.path().join("done.db");
        std::fs::copy(&path, &done).unwrap();
        encrypt_store(&format!("sqlite://{}", done.display()), &key).unwrap();
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute("ATTACH ?1 AS done", [done.display().to_string()])
            .unwrap();
        conn.execute_batch(
            "INSERT INTO siproc_meta (key, value) SELECT key, value FROM done.siproc_meta \
               WHERE key IN ('key_check', 'store_secret'); \
             INSERT INTO siproc_meta (key, value) VALUES ('key_change', 'converting'); \
             CREATE TEMP TABLE one AS SELECT MIN(id) AS id FROM cases; \
             UPDATE events SET body = (SELECT d.body FROM done.events d \
               WHERE d.case_id = events.case_id AND d.seq = events.seq) \
               WHERE case_id = (SELECT id FROM one); \
             DELETE FROM case_names WHERE case_id = (SELECT id FROM one); \
             DELETE FROM case_documents WHERE case_id = (SELECT id FROM one); \
             INSERT INTO case_names SELECT * FROM done.case_names WHERE case_id = (SELECT id FROM one); \
             INSERT INTO case_documents SELECT * FROM done.case_documents \
               WHERE case_id = (SELECT id FROM one); \
             INSERT INTO case_keys SELECT * FROM done.case_keys WHERE case_id = (SELECT id FROM one);",
        )
        .unwrap();
        drop(conn);
        assert_eq!(
            SqliteStore::open_with_key(&path, Some(&key))
                .err()
                .map(|e| e.code()),
            Some("store.key_change_unfinished")
        );
        assert_eq!(
            encrypt_store(&url, &key).unwrap(),
            KeyChange {
                changed: 2,
                already: 1
            }
        );
        let store = SqliteStore::open_with_key(&path, Some(&key)).unwrap();
        let query = CaseQuery {
            name: Some("bacedifo".into()),
            ..CaseQuery::default()
        };
        assert_eq!(store.list(&query).unwrap().len(), 3);
        assert_eq!(leaks(std::slice::from_ref(&path)), Vec::<String>::new());
    }
}
