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
    use siproc_core::history::{self, Event};
    use siproc_core::store::{self, StoreError};
    use siproc_core::workflow;
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
            // Three threads open cases and add a note to each, a fourth imports batches of
            // two cases of office GUA (numbered by this process's id and a counter), each
            // printing what was acknowledged: an id and the version it reached.
            "writer" => std::thread::scope(|s| {
                for _ in 0..3 {
                    s.spawn(|| {
                        loop {
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
                            store::run(store, &catalog(), &officer("TAP"), case.id, &note, now())
                                .unwrap();
                            say(&format!("{} 2", case.id));
                        }
                    });
                }
                s.spawn(|| {
                    for batch in 0_u64.. {
                        let histories: Vec<Vec<Event>> = (0..2)
                            .map(|k| {
                                let number =
                                    u64::from(std::process::id()) * 100_000 + batch * 2 + k;
                                let opening = workflow::open(
                                    &catalog(),
                                    &officer("GUA"),
                                    &detention_intake("GUA"),
                                    Uuid::now_v7(),
                                    now(),
                                )
                                .unwrap();
                                vec![
                                    opening
                                        .seal(&case_number("GUA", 2026, number))
                                        .unwrap()
                                        .into_event(),
                                ]
                            })
                            .collect();
                        let batch: Vec<&[Event]> = histories.iter().map(Vec::as_slice).collect();
                        for (history, outcome) in
                            histories.iter().zip(store.put_histories(&batch).unwrap())
                        {
                            outcome.unwrap();
                            say(&format!("{} 1", history[0].case_id));
                        }
                    }
                });
            }),
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
        eprintln!(
            "{} acknowledged writes, all there and verified; {} case numbers without a gap",
            cases.len(),
            numbers.len()
        );
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

    /// SIGKILL rounds of the killed-writer tests: `SIPROC_KILL_ROUNDS`, 50 by default (`make
    /// soak-kill` runs 1,000).
    pub fn kill_rounds() -> usize {
        std::env::var("SIPROC_KILL_ROUNDS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(50)
    }

    /// A writer killed by SIGKILL at a random moment loses nothing it acknowledged.
    pub fn killed_writers_lose_nothing_acknowledged(url: &str, rounds: usize) {
        check_acknowledged(url, &killed_runs("writer", url, rounds));
    }
}

/// Schemas 10 (accounts) and 12 (sessions and credentials) undone in a database at the
/// latest schema (schema 15's `sessions.reauth_until` goes with its table).
const UNDO_ACCOUNTS: &str = "DROP TABLE user_credentials;
     DROP TABLE recovery_codes;
     DROP TABLE sessions;
     DROP TABLE signin_failures;
     DROP TABLE users;
     DROP INDEX server_tokens_id;
     DROP INDEX server_tokens_user;
     ALTER TABLE server_tokens DROP COLUMN id;
     ALTER TABLE server_tokens DROP COLUMN name;
     ALTER TABLE server_tokens DROP COLUMN scopes;
     ALTER TABLE server_tokens DROP COLUMN expires_at;
     ALTER TABLE server_tokens DROP COLUMN revoked_at;";

/// The tables schemas 6 and later made, dropped, as a test taking a database back to an
/// older schema version needs (schema 5's tables are made only if missing; `server_grants`
/// is dropped so that schema 9 adds its columns again, `case_stats` is the caller's; schema
/// 16's key columns of `cases` go, version 8's `case_keys` went with them).
const UNDO_AFTER_5: &str = "DROP TABLE audit_log; \
     ALTER TABLE cases DROP COLUMN key_id; ALTER TABLE cases DROP COLUMN data_key; \
     DROP TABLE server_grants; DROP TABLE export_requests; DROP TABLE blobs; \
     DROP TABLE oidc_logins; DROP TABLE passkeys; DROP TABLE passkey_ceremonies;";

/// The tables the schemas after accounts made (attachments' `blobs`, schema 13's
/// `oidc_logins`, schema 14's passkeys and their ceremonies) and schema 15's index of the
/// audit log (its column of `sessions` goes with that table, [`UNDO_ACCOUNTS`]), dropped, and
/// schema 16's key columns of `cases` back in version 8's `case_keys` (empty: the tests
/// taking a database back are unencrypted), as a test taking a database back to the schema
/// before accounts needs.
const UNDO_AFTER_ACCOUNTS: &str = "DROP TABLE blobs; DROP TABLE oidc_logins; \
     DROP TABLE passkeys; DROP TABLE passkey_ceremonies; DROP INDEX audit_log_user_kind; \
     ALTER TABLE cases DROP COLUMN key_id; ALTER TABLE cases DROP COLUMN data_key; \
     CREATE TABLE case_keys (case_id TEXT PRIMARY KEY, key_id TEXT NOT NULL, \
         wrapped BYTEA NOT NULL);";

/// The schema version before accounts (schema 10).
const BEFORE_ACCOUNTS_VERSION: u32 = 9;

/// A database as the release before accounts left it: [`UNDO_ACCOUNTS`] and three tokens of
/// the old kind, two of one user with different roles.
const BEFORE_ACCOUNTS: &str =
    "INSERT INTO server_tokens (hash, user_id, role, office, created_at) VALUES
         ('h-dir', 'dir', 'directorate', 'DGPHM', '2026-01-01T00:00:00.000000Z'),
         ('h-ana-1', 'ana', 'officer', 'TAP', '2026-01-02T00:00:00.000000Z'),
         ('h-ana-2', 'ana', 'supervisor', 'HOU', '2026-01-03T00:00:00.000000Z');";

/// What schema 10's migration made of [`BEFORE_ACCOUNTS`]: users from the tokens (the first
/// token's role; no office for the directorate), the tokens theirs with every scope, live.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn assert_accounts_migrated(records: &store::Records) {
    use siproc_core::{Actor, Role};
    assert_eq!(
        records.actor_for("h-dir").unwrap(),
        Some(Actor::new("dir", Role::Directorate, ""))
    );
    for hash in ["h-ana-1", "h-ana-2"] {
        assert_eq!(
            records.actor_for(hash).unwrap(),
            Some(Actor::new("ana", Role::Officer, "TAP")),
            "{hash}"
        );
    }
    let tokens = records.tokens_of("ana").unwrap();
    assert_eq!(tokens.len(), 2);
    assert_ne!(tokens[0].id, tokens[1].id);
    for token in &tokens {
        assert_eq!(token.scopes.len(), 10);
        assert_eq!(token.name, "migrated");
        let days = (token.expires_at - chrono::Utc::now()).num_days();
        assert!((88..=90).contains(&days), "{days}");
    }
    assert_eq!(records.users().unwrap().len(), 2);
}

/// A detention case of office TAP opened in `store` now.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn detention_case(store: &dyn CaseStore) -> siproc_core::Case {
    store::open_case(
        store,
        &testkit::catalog(),
        &testkit::officer("TAP"),
        &testkit::detention_intake("TAP"),
        testkit::now(),
    )
    .unwrap()
}

/// A new active user `id` of office TAP in `records`.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn new_user(
    records: &store::Records,
    id: &str,
    role: siproc_core::Role,
) -> siproc_core::accounts::User {
    let user = siproc_core::accounts::User {
        id: id.into(),
        display_name: id.into(),
        role,
        office: Some("TAP".into()),
        state: siproc_core::accounts::UserState::Active,
        created_at: testkit::now(),
        changed_at: testkit::now(),
    };
    assert!(records.create_user(&user).unwrap());
    user
}

/// Credentials (schema "12: sessions and credentials") on `records`: an enrolment link works
/// once and not after its expiry or for a disabled user; a code step and a recovery code are
/// accepted once, also against a second handle on the same database (`other`).
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn check_credentials(records: &store::Records, other: &store::Records) {
    use chrono::TimeDelta;
    use siproc_core::Role;
    use siproc_core::accounts::{UserState, password, recovery, totp};
    let now = testkit::now();
    let mut ana = new_user(records, "ana", Role::Officer);
    assert_eq!(records.password_credentials("ana").unwrap(), None);
    let hour = TimeDelta::hours(1);
    records
        .begin_enrolment("ana", "link-1", now + hour, now)
        .unwrap();
    // A second link replaces the first.
    records
        .begin_enrolment("ana", "link-2", now + hour, now)
        .unwrap();
    assert_eq!(records.enrolment_user("link-1", now).unwrap(), None);
    assert_eq!(
        other.enrolment_user("link-2", now).unwrap().as_deref(),
        Some("ana")
    );
    assert_eq!(records.enrolment_user("link-2", now + hour).unwrap(), None);
    let secret = totp::new_secret();
    let (codes, hashes) = recovery::new_codes();
    let enrolment = store::Enrolment {
        password_hash: password::hash_password("tres tristes tigres"),
        totp_secret: secret.to_vec(),
        totp_step: 100,
        recovery: hashes,
    };
    // Expired, then used once.
    assert_eq!(
        records
            .complete_enrolment("link-2", &enrolment, now + hour)
            .unwrap(),
        None
    );
    assert_eq!(
        records
            .complete_enrolment("link-2", &enrolment, now)
            .unwrap()
            .as_deref(),
        Some("ana")
    );
    assert_eq!(
        other.complete_enrolment("link-2", &enrolment, now).unwrap(),
        None
    );
    let kept = other.password_credentials("ana").unwrap().unwrap();
    assert!(password::verify_password(
        "tres tristes tigres",
        Some(&kept.password_hash)
    ));
    assert_eq!(kept.totp_secret, secret.to_vec());
    assert_eq!(kept.totp_last_step, Some(100));
    // A step is used once, whichever handle asks; an earlier one never.
    assert!(!records.use_totp_step("ana", 100).unwrap());
    assert!(records.use_totp_step("ana", 101).unwrap());
    assert!(!other.use_totp_step("ana", 101).unwrap());
    assert!(!other.use_totp_step("ana", 99).unwrap());
    assert!(!records.use_totp_step("eva", 500).unwrap());
    // Recovery codes: each found and used once.
    let unused = records.recovery_codes("ana").unwrap();
    assert_eq!(unused.len(), recovery::CODE_COUNT);
    let stored: Vec<_> = unused.iter().map(|(_, h)| h.clone()).collect();
    let i = recovery::find_code(&codes[3], &stored).unwrap();
    assert!(records.use_recovery_code("ana", unused[i].0, now).unwrap());
    assert!(!other.use_recovery_code("ana", unused[i].0, now).unwrap());
    let left: Vec<_> = other
        .recovery_codes("ana")
        .unwrap()
        .into_iter()
        .map(|(_, h)| h)
        .collect();
    assert_eq!(left.len(), recovery::CODE_COUNT - 1);
    assert_eq!(recovery::find_code(&codes[3], &left), None);
    // New codes replace the old ones.
    let (_, fresh) = recovery::new_codes();
    records.replace_recovery_codes("ana", &fresh[..2]).unwrap();
    assert_eq!(records.recovery_codes("ana").unwrap().len(), 2);
    // A re-hash replaces the password hash.
    let rehashed = password::hash_password("tres tristes tigres");
    records.set_password_hash("ana", &rehashed, now).unwrap();
    assert_eq!(
        records
            .password_credentials("ana")
            .unwrap()
            .unwrap()
            .password_hash,
        rehashed
    );
    assert!(matches!(
        records.set_password_hash("eva", &rehashed, now),
        Err(StoreError::NotFound)
    ));
    // A disabled user's link does not work.
    records
        .begin_enrolment("ana", "link-3", now + hour, now)
        .unwrap();
    ana.state = UserState::Disabled;
    records.update_user(&ana).unwrap();
    assert_eq!(other.enrolment_user("link-3", now).unwrap(), None);
    assert_eq!(
        other.complete_enrolment("link-3", &enrolment, now).unwrap(),
        None
    );
}

/// Passkeys and their ceremonies (schema "13: passkeys") on `records`, seen through a second
/// handle on the same database (`other`): a ceremony is taken once, by one handle, only by its
/// kind and owner and before its expiry; open ceremonies are bounded per client; a credential
/// id is registered once; a use is recorded only against the credential it checked; a
/// passkey is removed by its owner only.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn check_passkeys(records: &store::Records, other: &store::Records) {
    use chrono::TimeDelta;
    use siproc_core::Role;
    use siproc_core::accounts::passkeys::{
        CeremonyKind, MAX_CEREMONIES_PER_CLIENT, PasskeyInfo, StoredPasskey,
    };
    use store::Ceremony;
    let now = testkit::now();
    new_user(records, "pia", Role::Officer);
    let ceremony = |hash: &str, kind, user: Option<&str>, client: &str| Ceremony {
        hash: hash.into(),
        kind,
        user_id: user.map(str::to_owned),
        client: client.into(),
        state: format!("state of {hash}"),
        expires_at: now + TimeDelta::minutes(5),
    };
    let reg = ceremony("r1", CeremonyKind::Registration, Some("pia"), "c1");
    assert!(records.begin_ceremony(&reg, now).unwrap());
    // Not a sign-in's, not another user's: and a wrong guess still uses it up.
    assert_eq!(
        other
            .take_ceremony("r1", CeremonyKind::SignIn, None, now)
            .unwrap(),
        None
    );
    assert_eq!(
        other
            .take_ceremony("r1", CeremonyKind::Registration, Some("eve"), now)
            .unwrap(),
        None
    );
    assert_eq!(
        records
            .take_ceremony("r1", CeremonyKind::Registration, Some("pia"), now)
            .unwrap(),
        None
    );
    // Taken once, by one handle.
    let sign_in = ceremony("s1", CeremonyKind::SignIn, None, "c1");
    assert!(records.begin_ceremony(&sign_in, now).unwrap());
    assert_eq!(
        other
            .take_ceremony("s1", CeremonyKind::SignIn, None, now)
            .unwrap()
            .as_deref(),
        Some("state of s1")
    );
    assert_eq!(
        records
            .take_ceremony("s1", CeremonyKind::SignIn, None, now)
            .unwrap(),
        None
    );
    // Expired: refused (and dropped).
    assert!(
        records
            .begin_ceremony(&ceremony("s2", CeremonyKind::SignIn, None, "c1"), now)
            .unwrap()
    );
    let late = now + TimeDelta::minutes(6);
    assert_eq!(
        records
            .take_ceremony("s2", CeremonyKind::SignIn, None, late)
            .unwrap(),
        None
    );
    // Bounded per client; another client is not held up; expired ones free the room.
    for n in 0..MAX_CEREMONIES_PER_CLIENT {
        let c = ceremony(&format!("b{n}"), CeremonyKind::SignIn, None, "busy");
        assert!(records.begin_ceremony(&c, now).unwrap(), "{n}");
    }
    let over = ceremony("b-over", CeremonyKind::SignIn, None, "busy");
    assert!(!other.begin_ceremony(&over, now).unwrap());
    assert!(
        other
            .begin_ceremony(&ceremony("q", CeremonyKind::SignIn, None, "quiet"), now)
            .unwrap()
    );
    assert!(other.begin_ceremony(&over, late).unwrap());

    let passkey = |id: &str, credential_id: &str| StoredPasskey {
        info: PasskeyInfo {
            id: id.into(),
            name: format!("key {id}"),
            created_at: now,
            last_used_at: None,
        },
        user_id: "pia".into(),
        credential_id: credential_id.into(),
        credential: "{\"counter\":0}".into(),
    };
    assert_eq!(records.passkey_user_handle("pia").unwrap(), None);
    assert!(
        records
            .add_passkey(&passkey("p1", "cred-1"), "handle-1")
            .unwrap()
    );
    // A credential id is registered once, whoever asks.
    assert!(
        !other
            .add_passkey(&passkey("p2", "cred-1"), "handle-1")
            .unwrap()
    );
    assert!(
        other
            .add_passkey(&passkey("p2", "cred-2"), "handle-1")
            .unwrap()
    );
    assert_eq!(
        other.passkey_user_handle("pia").unwrap().as_deref(),
        Some("handle-1")
    );
    assert_eq!(records.passkeys_of("pia").unwrap().len(), 2);
    // Found by credential id under its own user handle only.
    let found = other.passkey_by_credential("cred-1", "handle-1").unwrap();
    assert_eq!(found.map(|p| p.info.id).as_deref(), Some("p1"));
    assert_eq!(
        other.passkey_by_credential("cred-1", "handle-2").unwrap(),
        None
    );
    // A use is recorded against the credential checked; a racing second use is refused.
    let later = "{\"counter\":1}";
    assert!(
        records
            .use_passkey("p1", "{\"counter\":0}", later, now)
            .unwrap()
    );
    assert!(
        !other
            .use_passkey("p1", "{\"counter\":0}", "{\"counter\":1}", now)
            .unwrap()
    );
    let used = records
        .passkey_by_credential("cred-1", "handle-1")
        .unwrap()
        .unwrap();
    assert_eq!(
        (used.credential.as_str(), used.info.last_used_at),
        (later, Some(now))
    );
    // Removed by its owner only.
    assert!(!records.remove_passkey("eve", "p1").unwrap());
    assert!(other.remove_passkey("pia", "p1").unwrap());
    assert!(!records.remove_passkey("pia", "p1").unwrap());
    assert_eq!(
        records.passkey_by_credential("cred-1", "handle-1").unwrap(),
        None
    );
}

/// Sessions and failed sign-ins (schema "12: sessions and credentials") on `records`, seen
/// through a second handle on the same database (`other`): signing out, signing out
/// everywhere and disabling the user stop a session at its next check; idle and absolute
/// timeouts; failures counted per key and cleared.
#[cfg(any(feature = "sqlite", feature = "postgres"))]
fn check_sessions(records: &store::Records, other: &store::Records) {
    use chrono::TimeDelta;
    use siproc_core::Role;
    use siproc_core::accounts::UserState;
    use siproc_core::accounts::sessions::{Session, SessionPolicy, SessionRefused, SignInMethod};
    let now = testkit::now();
    let mut eva = new_user(records, "eva", Role::Supervisor);
    let open = |hash: &str, id: &str| {
        let session = Session {
            id: id.into(),
            user_id: "eva".into(),
            method: SignInMethod::PasswordTotp,
            created_at: now,
            last_seen_at: now,
            ended_at: None,
            reauthenticated_until: None,
        };
        records.create_session(hash, &session).unwrap();
    };
    let policy = SessionPolicy::default();
    let check = |db: &store::Records, hash: &str, at| {
        db.authenticate_session(hash, &policy, at)
            .unwrap()
            .map(|(user, session)| (user.id, session.id))
    };
    open("h1", "s1");
    open("h2", "s2");
    open("h3", "s3");
    assert_eq!(check(other, "h1", now), Ok(("eva".into(), "s1".into())));
    assert_eq!(check(other, "nope", now), Err(SessionRefused::Unknown));
    // A request 20 minutes in keeps it alive for 30 more; then idle.
    let minute = TimeDelta::minutes(1);
    assert!(check(records, "h2", now + minute * 20).is_ok());
    assert!(check(other, "h2", now + minute * 45).is_ok());
    assert_eq!(
        check(other, "h3", now + minute * 45),
        Err(SessionRefused::Idle)
    );
    assert_eq!(
        records
            .open_sessions(&eva, &policy, now + minute * 45)
            .unwrap()
            .iter()
            .map(|s| s.id.as_str())
            .collect::<Vec<_>>(),
        ["s2"]
    );
    // Absolute timeout, however active.
    let mut at = now;
    while at < now + TimeDelta::hours(12) - minute * 20 {
        at += minute * 20;
        assert!(check(records, "h2", at).is_ok(), "{at}");
    }
    assert_eq!(
        check(records, "h2", now + TimeDelta::hours(12)),
        Err(SessionRefused::Expired)
    );
    // Sign out on one handle, refused on the other.
    assert!(records.end_session("h1", now).unwrap());
    assert!(!records.end_session("h1", now).unwrap());
    assert_eq!(check(other, "h1", now), Err(SessionRefused::Ended));
    open("h4", "s4");
    open("h5", "s5");
    assert!(other.end_session_by_id("s4", now).unwrap());
    assert_eq!(check(records, "h4", now), Err(SessionRefused::Ended));
    // Disabling ends every session at its next check, in every handle.
    eva.state = UserState::Disabled;
    records.update_user(&eva).unwrap();
    assert_eq!(check(other, "h5", now), Err(SessionRefused::UserDisabled));
    eva.state = UserState::Active;
    records.update_user(&eva).unwrap();
    // Sign out everywhere.
    assert_eq!(other.end_sessions_of("eva", now).unwrap(), 3);
    assert_eq!(check(records, "h5", now), Err(SessionRefused::Ended));
    assert!(
        records
            .open_sessions(&eva, &policy, now)
            .unwrap()
            .is_empty()
    );
    // Failures, per key, counted across handles and cleared.
    assert_eq!(records.signin_failures("acct:eva").unwrap(), None);
    assert_eq!(records.record_signin_failure("acct:eva", now).unwrap(), 1);
    assert_eq!(
        other
            .record_signin_failure("acct:eva", now + minute)
            .unwrap(),
        2
    );
    assert_eq!(records.record_signin_failure("client:x", now).unwrap(), 1);
    assert_eq!(
        other.signin_failures("acct:eva").unwrap(),
        Some((2, now + minute))
    );
    records.clear_signin_failures("acct:eva").unwrap();
    assert_eq!(other.signin_failures("acct:eva").unwrap(), None);
    assert_eq!(
        other.signin_failures("client:x").unwrap().map(|f| f.0),
        Some(1)
    );
    // OpenID Connect sign-ins begun (schema 13): found by another handle, taken once; the
    // expired ones dropped when the next begins.
    use siproc_core::accounts::oidc::{PENDING_MINUTES, PendingLogin};
    let pending = PendingLogin::new("b1".into(), "nonce".into(), "verifier".into(), now);
    records.begin_oidc_login("st1", &pending, now).unwrap();
    records.begin_oidc_login("st2", &pending, now).unwrap();
    assert_eq!(other.take_oidc_login("st1").unwrap(), Some(pending.clone()));
    assert_eq!(records.take_oidc_login("st1").unwrap(), None, "once");
    assert_eq!(other.take_oidc_login("forged").unwrap(), None);
    let later = now + TimeDelta::minutes(PENDING_MINUTES + 1);
    let fresh = PendingLogin::new("b3".into(), "n3".into(), "v3".into(), later);
    other.begin_oidc_login("st3", &fresh, later).unwrap();
    assert_eq!(
        records.take_oidc_login("st2").unwrap(),
        None,
        "expired, dropped"
    );
    assert_eq!(records.take_oidc_login("st3").unwrap(), Some(fresh));
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
        // Schema 10: the token's user exists, without an office (the directorate has none),
        // and the token is listed with every scope and an expiry.
        let user = records.user("demo-directorate").unwrap().unwrap();
        assert_eq!(
            (user.role, user.office),
            (siproc_core::Role::Directorate, None)
        );
        let tokens = records.tokens_of("demo-directorate").unwrap();
        assert!(
            tokens
                .iter()
                .all(|t| t.scopes.len() == 10 && t.id.len() == 32)
        );
        assert!(tokens.iter().all(|t| t.expires_at > chrono::Utc::now()));
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

    #[test]
    fn credentials_and_sessions_are_kept_and_used_once() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite:{}", dir.path().join("credentials.db").display());
        let (_, records) = store::open_database(&url).unwrap();
        let (_, other) = store::open_database(&url).unwrap();
        super::check_credentials(&records, &other);
        super::check_sessions(&records, &other);
        super::check_passkeys(&records, &other);
    }

    #[test]
    fn tokens_from_before_accounts_become_tokens_of_users() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("accounts.db");
        drop(store::open_database(&format!("sqlite:{}", path.display())).unwrap());
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(UNDO_AFTER_ACCOUNTS).unwrap();
        conn.execute_batch(UNDO_ACCOUNTS).unwrap();
        conn.execute_batch(BEFORE_ACCOUNTS).unwrap();
        conn.execute_batch(&format!(
            "PRAGMA user_version = {}",
            BEFORE_ACCOUNTS_VERSION
        ))
        .unwrap();
        drop(conn);
        let (_, records) = store::open_database(&format!("sqlite:{}", path.display())).unwrap();
        super::assert_accounts_migrated(&records);
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
        durable::killed_writers_lose_nothing_acknowledged(&url(dir.path()), durable::kill_rounds());
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
        conn.execute_batch(UNDO_ACCOUNTS).unwrap();
        conn.execute_batch(UNDO_AFTER_5).unwrap();
        conn.execute_batch("DROP TABLE case_stats; PRAGMA user_version = 3;")
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
        let case = detention_case(&store);
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
        let mut case = detention_case(&store);
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

    /// A database of its own, dropped at the end: VACUUM removes a dead row only once no
    /// transaction of the same database may still see it, and the other tests' transactions
    /// share `siproc_test`.
    pub(super) struct ScratchDatabase {
        name: String,
        /// Its URL.
        pub url: String,
    }

    impl ScratchDatabase {
        pub(super) fn new() -> Self {
            let name = format!("t{}", uuid::Uuid::now_v7().simple());
            let base = base_url();
            let mut client = ::postgres::Client::connect(&base, ::postgres::NoTls).unwrap();
            client
                .batch_execute(&format!("CREATE DATABASE {name}"))
                .unwrap();
            let (server, query) = base.split_once('?').unwrap_or((&base, ""));
            let (server, _) = server.rsplit_once('/').unwrap();
            let query = if query.is_empty() {
                String::new()
            } else {
                format!("?{query}")
            };
            let url = format!("{server}/{name}{query}");
            Self { name, url }
        }
    }

    impl Drop for ScratchDatabase {
        fn drop(&mut self) {
            if let Ok(mut client) = ::postgres::Client::connect(&base_url(), ::postgres::NoTls) {
                let _ = client.batch_execute(&format!("DROP DATABASE {} WITH (FORCE)", self.name));
            }
        }
    }

    #[test]
    fn postgres_store_passes_the_kit() {
        check_store(|| PostgresStore::open(&fresh_url()).unwrap());
    }

    /// Two stores (two processes' pools) import the same batch at the same moment, rounds of
    /// it: the bulk write of one collides with the other's rows (a unique key taken during its
    /// `COPY`), rolls back and writes case by case; every case is answered, stored once, and
    /// verifies.
    #[test]
    fn the_same_batch_imported_twice_at_once_is_stored_once() {
        use siproc_core::store::PutOutcome;
        use siproc_core::store::testkit::{catalog, detention_intake, now, officer};
        use std::sync::Barrier;

        let url = fresh_url();
        let stores = [
            PostgresStore::open(&url).unwrap(),
            PostgresStore::open(&url).unwrap(),
        ];
        let source = MemoryStore::new();
        for round in 0..5 {
            let histories: Vec<Vec<siproc_core::history::Event>> = (0..200)
                .map(|_| {
                    let office = if round % 2 == 0 { "TAP" } else { "MEX" };
                    let case = store::open_case(
                        &source,
                        &catalog(),
                        &officer(office),
                        &detention_intake(office),
                        now(),
                    )
                    .unwrap();
                    source.load(case.id).unwrap()
                })
                .collect();
            let batch: Vec<&[siproc_core::history::Event]> =
                histories.iter().map(Vec::as_slice).collect();
            let start = Barrier::new(2);
            let outcomes: Vec<_> = std::thread::scope(|s| {
                let threads: Vec<_> = stores
                    .iter()
                    .map(|store| {
                        let (batch, start) = (&batch, &start);
                        s.spawn(move || {
                            start.wait();
                            store.put_histories(batch).unwrap()
                        })
                    })
                    .collect();
                threads.into_iter().map(|t| t.join().unwrap()).collect()
            });
            for i in 0..batch.len() {
                let answers: Vec<&PutOutcome> = outcomes
                    .iter()
                    .map(|o| o[i].as_ref().expect("every case is answered"))
                    .collect();
                let inserted = answers
                    .iter()
                    .filter(|a| ***a == PutOutcome::Inserted)
                    .count();
                assert_eq!(inserted, 1, "round {round}, case {i}: {answers:?}");
            }
            for events in &histories {
                let stored = stores[0].load(events[0].case_id).unwrap();
                assert_eq!(&stored, events);
            }
        }
        assert_eq!(stores[0].count().unwrap(), 1_000);
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
                "DROP TABLE case_stats; \
                 UPDATE siproc_meta SET value = '3' WHERE key = 'schema_version';",
            )
            .unwrap();
        client.batch_execute(UNDO_ACCOUNTS).unwrap();
        client.batch_execute(UNDO_AFTER_5).unwrap();
        let store = PostgresStore::open(&url).unwrap();
        testkit::assert_records_match(&store);
        assert_eq!(store.records(&CaseQuery::default()).unwrap().len(), 2);
    }

    #[test]
    fn credentials_and_sessions_are_kept_and_used_once() {
        let url = fresh_url();
        let (_, records) = store::open_database(&url).unwrap();
        let (_, other) = store::open_database(&url).unwrap();
        super::check_credentials(&records, &other);
        super::check_sessions(&records, &other);
        super::check_passkeys(&records, &other);
    }

    #[test]
    fn tokens_from_before_accounts_become_tokens_of_users() {
        let url = fresh_url();
        drop(store::open_database(&url).unwrap());
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        client.batch_execute(UNDO_AFTER_ACCOUNTS).unwrap();
        client.batch_execute(UNDO_ACCOUNTS).unwrap();
        client.batch_execute(BEFORE_ACCOUNTS).unwrap();
        client
            .execute(
                "UPDATE siproc_meta SET value = $1 WHERE key = 'schema_version'",
                &[&BEFORE_ACCOUNTS_VERSION.to_string()],
            )
            .unwrap();
        drop(client);
        let (_, records) = store::open_database(&url).unwrap();
        super::assert_accounts_migrated(&records);
    }

    #[test]
    fn two_processes_share_one_database() {
        durable::two_processes_race(&fresh_url());
    }

    #[test]
    fn a_killed_writer_loses_nothing_acknowledged() {
        durable::killed_writers_lose_nothing_acknowledged(&fresh_url(), durable::kill_rounds());
    }

    #[test]
    fn killed_readers_lose_no_acknowledged_log_line() {
        durable::killed_readers_lose_no_acknowledged_log_line(&fresh_url(), 20);
    }

    /// A pooled connection the database closed while it sat in the pool is checked and
    /// replaced when taken out again (past the half second a just-returned connection is
    /// trusted without a check): the call succeeds.
    #[test]
    fn connections_closed_by_the_database_are_replaced() {
        // A database of its own: the other tests' connections are left alone.
        let scratch = ScratchDatabase::new();
        let store = PostgresStore::open(&scratch.url).unwrap();
        let case = detention_case(&store);
        let mut admin = ::postgres::Client::connect(&base_url(), ::postgres::NoTls).unwrap();
        let closed = admin
            .query(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                &[&scratch.name],
            )
            .unwrap()
            .len();
        assert!(closed > 0, "the store's connections were not found");
        std::thread::sleep(std::time::Duration::from_millis(700));
        for _ in 0..3 {
            assert_eq!(store.load(case.id).unwrap().len(), 1);
        }
    }

    /// Access-log lines written at the same moment share commits (the record writer's
    /// groups); a line the database refuses fails alone, and every other line of its group is
    /// still kept, each acknowledged line once.
    #[test]
    fn concurrent_log_lines_share_commits_and_a_refused_one_fails_alone() {
        use siproc_core::access::{Access, AccessEntry, ReadKind};
        use siproc_core::store::testkit::{now, officer};

        let url = fresh_url();
        let (_store, records) = store::open_database(&url).unwrap();
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        client
            .batch_execute(
                "ALTER TABLE server_access_log ADD CONSTRAINT refuse_test \
                 CHECK (reason IS DISTINCT FROM 'refuse')",
            )
            .unwrap();
        let case = uuid::Uuid::now_v7();
        let line = |reason: &str| {
            AccessEntry::new(
                &officer("TAP"),
                case,
                ReadKind::Case,
                Access::Office,
                now(),
                Some(reason.to_owned()),
            )
        };
        let (kept, refused) = std::thread::scope(|s| {
            let writers: Vec<_> = (0..16)
                .map(|t| {
                    let (records, line) = (&records, &line);
                    s.spawn(move || {
                        let (mut kept, mut refused) = (0, 0);
                        for i in 0..40 {
                            // One line in ten is refused by the constraint.
                            let reason = if (t + i) % 10 == 0 { "refuse" } else { "ok" };
                            match records.log_access(&line(reason)) {
                                Ok(()) => kept += 1,
                                Err(StoreError::Backend { reason: why }) => {
                                    assert!(why.contains("23514"), "{why}");
                                    refused += 1;
                                }
                                Err(e) => panic!("{e}"),
                            }
                        }
                        (kept, refused)
                    })
                })
                .collect();
            writers
                .into_iter()
                .map(|w| w.join().unwrap())
                .fold((0, 0), |(k, r), (k1, r1)| (k + k1, r + r1))
        });
        assert_eq!(refused, 16 * 40 / 10);
        let logged = records
            .access_log(&store::LogFilter {
                case_id: Some(case),
                limit: 10_000,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(logged.len(), kept);
        assert!(logged.iter().all(|e| e.reason.as_deref() == Some("ok")));
    }

    #[test]
    fn a_changed_event_in_the_database_is_a_history_error_naming_the_case() {
        let url = fresh_url();
        let store = PostgresStore::open(&url).unwrap();
        let case = detention_case(&store);
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

    /// An encrypted store of schema version 15 kept each case's data key in `case_keys`:
    /// opening it moves the keys into the cases' rows, and every case still decrypts.
    #[test]
    fn data_keys_kept_in_their_own_table_move_into_the_cases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v15.db");
        let (key, _) = MasterKey::generate();
        let ids: Vec<_> = {
            let store = SqliteStore::open_with_key(&path, Some(&key)).unwrap();
            (0..3).map(|_| write_recognisable(&store)).collect()
        };
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE case_keys (case_id TEXT PRIMARY KEY, key_id TEXT NOT NULL, \
                 wrapped BLOB NOT NULL) WITHOUT ROWID; \
             CREATE INDEX case_keys_key_id ON case_keys (key_id, case_id); \
             INSERT INTO case_keys SELECT id, key_id, data_key FROM cases; \
             ALTER TABLE cases DROP COLUMN key_id; ALTER TABLE cases DROP COLUMN data_key; \
             PRAGMA user_version = 15;",
        )
        .unwrap();
        drop(conn);
        let store = SqliteStore::open_with_key(&path, Some(&key)).unwrap();
        for id in &ids {
            assert_eq!(
                store::load_case(&store, *id).unwrap().persons[0].surnames,
                "Zelaya"
            );
        }
        drop(store);
        let conn = rusqlite::Connection::open(&path).unwrap();
        let (keyed, tables): (i64, i64) = conn
            .query_row(
                "SELECT (SELECT COUNT(*) FROM cases WHERE data_key IS NOT NULL), \
                        (SELECT COUNT(*) FROM sqlite_schema WHERE name = 'case_keys')",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!((keyed, tables), (3, 0));
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

    /// A file with recognisable values, kept for the case `id` in `files` (encrypted with the
    /// case's key when the store has one).
    pub(crate) fn attach_recognisable(
        store: &dyn CaseStore,
        files: &dyn siproc_core::blobs::BlobStore,
        id: uuid::Uuid,
    ) {
        let key = store.blob_key(id).unwrap();
        let scan = b"Acta: Bacedifo Zelaya, detenido en la Estacion Escondida";
        siproc_core::blobs::put(files, key.as_ref(), id, scan).unwrap();
    }

    /// Closes the stored case `id` and erases it as the directorate, its files in `files`.
    pub(crate) fn close_and_erase(
        store: &dyn CaseStore,
        files: &dyn siproc_core::blobs::BlobStore,
        id: uuid::Uuid,
    ) {
        let case = store::load_case(store, id).unwrap();
        testkit::close_case(store, &case, "released", testkit::now());
        let director =
            siproc_core::Actor::new("director-1", siproc_core::Role::Directorate, "DGPHM");
        let erased = siproc_core::erasure::erase_case(
            store,
            files,
            &director,
            id,
            "solicitud 17/2026",
            testkit::now(),
        )
        .unwrap();
        assert!(erased.persons[0].surnames.is_empty());
    }

    /// Erasure leaves nothing behind in an unencrypted file: the recognisable values, found in
    /// the file and its WAL before (the test can fail), are found nowhere once the case is
    /// erased and the file checkpointed and vacuumed. In an encrypted file the case's data key
    /// is destroyed with its last value.
    #[test]
    fn erased_values_leave_the_file_and_its_wal() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("clear.db");
        {
            let store = SqliteStore::open(&path).unwrap();
            let id = write_recognisable(&store);
            attach_recognisable(&store, &store.blobs(), id);
            assert!(!leaks(&with_wal(&path)).is_empty());
            close_and_erase(&store, &store.blobs(), id);
            assert!(
                siproc_core::blobs::BlobStore::list(&store.blobs(), id)
                    .unwrap()
                    .is_empty()
            );
            history_verifies(&store, id);
        }
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "PRAGMA wal_checkpoint(TRUNCATE); VACUUM; PRAGMA wal_checkpoint(TRUNCATE);",
        )
        .unwrap();
        drop(conn);
        assert_eq!(leaks(&with_wal(&path)), Vec::<String>::new());

        let secret = dir.path().join("secret.db");
        let (key, _) = MasterKey::generate();
        let store = SqliteStore::open_with_key(&secret, Some(&key)).unwrap();
        let kept = write_recognisable(&store);
        let id = write_recognisable(&store);
        attach_recognisable(&store, &store.blobs(), id);
        close_and_erase(&store, &store.blobs(), id);
        history_verifies(&store, id);
        drop(store);
        let conn = rusqlite::Connection::open(&secret).unwrap();
        let keys: Vec<String> = conn
            .prepare("SELECT id FROM cases WHERE data_key IS NOT NULL")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            keys,
            vec![kept.to_string()],
            "the erased case's key is destroyed"
        );
    }

    /// The stored history of `id` verifies without a key, its erased values included.
    pub(crate) fn history_verifies(store: &dyn CaseStore, id: uuid::Uuid) {
        let events = store.load(id).unwrap();
        siproc_core::history::verify(&events).unwrap();
        assert!(events.iter().any(|e| e.kind.erases()));
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

    /// Enrols `login` (a new officer) in `records` with the second-factor secret `secret`.
    fn enrol(records: &store::Records, login: &str, secret: &[u8]) {
        use siproc_core::accounts::recovery;
        let now = testkit::now();
        super::new_user(records, login, siproc_core::Role::Officer);
        let later = now + chrono::TimeDelta::hours(1);
        records.begin_enrolment(login, login, later, now).unwrap();
        let enrolment = store::Enrolment {
            password_hash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into(),
            totp_secret: secret.to_vec(),
            totp_step: 1,
            recovery: recovery::new_codes().1,
        };
        assert!(
            records
                .complete_enrolment(login, &enrolment, now)
                .unwrap()
                .is_some()
        );
    }

    /// The ways a second-factor secret could be found in a file: its bytes, hex, base32.
    fn secret_in(files: &[std::path::PathBuf], secret: &[u8]) -> bool {
        let hex: String = secret.iter().map(|b| format!("{b:02x}")).collect();
        let base32 = siproc_core::accounts::totp::secret_base32(secret);
        files
            .iter()
            .filter_map(|f| std::fs::read(f).ok())
            .any(|bytes| {
                [secret, hex.as_bytes(), base32.as_bytes()]
                    .iter()
                    .any(|needle| bytes.windows(needle.len()).any(|w| w == *needle))
            })
    }

    /// A second-factor secret is sealed with the store's key in an encrypted file (its bytes,
    /// hex and base32 are nowhere in the file or its WAL) and reads back through the store; in
    /// an unencrypted file it is found (the test can fail); converting that file to encryption
    /// seals it.
    #[test]
    fn a_second_factor_secret_is_sealed_in_an_encrypted_file() {
        let dir = tempfile::tempdir().unwrap();
        let (key, _) = MasterKey::generate();
        let secret = siproc_core::accounts::totp::new_secret();
        let path = dir.path().join("secret.db");
        let url = format!("sqlite:{}", path.display());
        {
            let (_, records) = store::open_database_with_key(&url, Some(&key)).unwrap();
            enrol(&records, "ana", &secret);
            assert!(!secret_in(&with_wal(&path), &secret));
            let (_, other) = store::open_database_with_key(&url, Some(&key)).unwrap();
            let kept = other.password_credentials("ana").unwrap().unwrap();
            assert_eq!(kept.totp_secret, secret.to_vec());
        }
        assert!(!secret_in(&with_wal(&path), &secret));

        let clear = dir.path().join("clear.db");
        let clear_url = format!("sqlite:{}", clear.display());
        {
            let (_, records) = store::open_database(&clear_url).unwrap();
            enrol(&records, "eva", &secret);
        }
        assert!(secret_in(&with_wal(&clear), &secret));
        store::encrypt_store(&clear_url, &key).unwrap();
        assert!(!secret_in(&with_wal(&clear), &secret));
        let (_, records) = store::open_database_with_key(&clear_url, Some(&key)).unwrap();
        let kept = records.password_credentials("eva").unwrap().unwrap();
        assert_eq!(kept.totp_secret, secret.to_vec());
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

    /// Erasure in PostgreSQL: after the case is erased, `VACUUM FULL` and a checkpoint, the
    /// files of the store's tables in the data directory hold none of the recognisable values
    /// (the same scan finds them before: the test can fail), and an encrypted store destroys
    /// the case's data key. (The server's write-ahead log keeps the original inserts until
    /// PostgreSQL recycles its segments: only an encrypted store keeps them unreadable there;
    /// see docs/data-protection.md.)
    #[cfg(feature = "sqlite")]
    #[test]
    fn erased_values_leave_the_table_files() {
        use super::encrypted_sqlite::{
            attach_recognisable, close_and_erase, history_verifies, leaks, write_recognisable,
        };
        let scratch = super::postgres::ScratchDatabase::new();
        let url = scratch.url.clone();
        let store = PostgresStore::open(&url).unwrap();
        let id = write_recognisable(&store);
        attach_recognisable(&store, &store.blobs(), id);
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let table_files = |client: &mut ::postgres::Client| {
            // One statement each: VACUUM may not run in the implicit transaction of a batch.
            for statement in [
                "VACUUM FULL events, case_names, case_documents, blobs",
                "CHECKPOINT",
            ] {
                client.batch_execute(statement).unwrap();
            }
            let data: String = client.query_one("SHOW data_directory", &[]).unwrap().get(0);
            let mut files = Vec::new();
            for table in ["events", "case_names", "case_documents", "blobs"] {
                for relation in [
                    format!("pg_relation_filepath('{table}')"),
                    format!(
                        "pg_relation_filepath((SELECT reltoastrelid FROM pg_class WHERE oid = '{table}'::regclass))"
                    ),
                ] {
                    let path: Option<String> = client
                        .query_one(&format!("SELECT {relation}"), &[])
                        .unwrap()
                        .get(0);
                    if let Some(path) = path {
                        files.push(std::path::Path::new(&data).join(path));
                    }
                }
            }
            files
        };
        assert!(!leaks(&table_files(&mut client)).is_empty());
        close_and_erase(&store, &store.blobs(), id);
        history_verifies(&store, id);
        // VACUUM keeps a dead row while any transaction might still see it (in a full run the
        // other tests' transactions come and go): the values must be gone within a minute.
        let mut left = leaks(&table_files(&mut client));
        for _ in 0..60 {
            if left.is_empty() {
                break;
            }
            std::thread::sleep(std::time::Duration::from_secs(1));
            left = leaks(&table_files(&mut client));
        }
        // If not, who holds the horizon back (no values: databases, states, snapshots).
        let holders: Vec<String> = client
            .query(
                "SELECT coalesce(datname, '-') || ' ' || coalesce(state, '-') || ' ' || \
                 coalesce(backend_xmin::text, '-') FROM pg_stat_activity \
                 WHERE backend_xmin IS NOT NULL OR backend_xid IS NOT NULL",
                &[],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        assert_eq!(left, Vec::<String>::new(), "horizon held by {holders:?}");

        let (key, _) = MasterKey::generate();
        let url = super::postgres::fresh_url();
        let store = PostgresStore::open_with_key(&url, Some(&key)).unwrap();
        let id = write_recognisable(&store);
        attach_recognisable(&store, &store.blobs(), id);
        close_and_erase(&store, &store.blobs(), id);
        assert!(
            siproc_core::blobs::BlobStore::list(&store.blobs(), id)
                .unwrap()
                .is_empty()
        );
        history_verifies(&store, id);
        let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
        let left: i64 = client
            .query_one("SELECT COUNT(*) FROM cases WHERE data_key IS NOT NULL", &[])
            .unwrap()
            .get(0);
        assert_eq!(left, 0, "the erased case's key is destroyed");
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
             UPDATE cases SET \
               key_id = (SELECT d.key_id FROM done.cases d WHERE d.id = cases.id), \
               data_key = (SELECT d.data_key FROM done.cases d WHERE d.id = cases.id) \
               WHERE id = (SELECT MIN(id) FROM cases);",
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
             UPDATE cases SET \
               key_id = (SELECT d.key_id FROM done.cases d WHERE d.id = cases.id), \
               data_key = (SELECT d.data_key FROM done.cases d WHERE d.id = cases.id) \
               WHERE id = (SELECT id FROM one);",
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
