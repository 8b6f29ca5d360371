//! Backup, restore and the consistency check (`siproc_core::store::maintenance`) on SQLite and
//! on a real PostgreSQL: a backup taken under write load holds every case acknowledged before
//! it began, restores into empty SQLite and PostgreSQL databases, and checks clean; damage of
//! each kind is found and named. Files kept in a directory travel in the backup and are checked
//! against their digests (object storage: `tests/blobs.rs`).
//!
//! Run by `make test-store` (`--features testkit,sqlite,postgres`, with the PostgreSQL that
//! mk/pg.mk starts and names in `SIPROC_TEST_POSTGRES_URL`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use siproc_core::access::{Access, AccessEntry, ReadKind};
use siproc_core::blobs::testkit::attach_file;
use siproc_core::blobs::{BlobStore, DirectoryBlobs};
use siproc_core::store::maintenance::{self, Problem};
use siproc_core::store::testkit::{catalog, detention_intake, now, officer, victim_intake};
use siproc_core::store::{self, CaseQuery, CaseStore, LogFilter, StoreError, StoreUrl};
use uuid::Uuid;

/// Opens `n` cases across two offices, runs a command on the first and logs a read of it.
fn fill(url: &StoreUrl, n: usize) -> Vec<Uuid> {
    let (store, records) = url.open_database().unwrap();
    let mut ids = Vec::new();
    for i in 0..n {
        let office = if i % 2 == 0 { "TAP" } else { "HOU" };
        let intake = if i % 3 == 0 {
            victim_intake(office)
        } else {
            detention_intake(office)
        };
        let case = store::open_case(&*store, &catalog(), &officer(office), &intake, now()).unwrap();
        ids.push(case.id);
    }
    let command = siproc_core::workflow::Command::ChangeStatus {
        to: siproc_core::Status::InProgress,
    };
    store::run(
        &*store,
        &catalog(),
        &officer("TAP"),
        ids[0],
        &command,
        now(),
    )
    .unwrap();
    records
        .log_access(&AccessEntry::new(
            &officer("TAP"),
            ids[0],
            ReadKind::Case,
            Access::Office,
            now(),
            None,
        ))
        .unwrap();
    ids
}

/// The case list of a database, as its store answers it.
fn cases(url: &StoreUrl) -> Vec<(Uuid, String, u64)> {
    let store = url.open().unwrap();
    store
        .list(&CaseQuery {
            limit: Some(10_000),
            ..CaseQuery::default()
        })
        .unwrap()
        .into_iter()
        .map(|s| (s.id, s.number, s.version))
        .collect()
}

fn sqlite_url(dir: &tempfile::TempDir, name: &str) -> StoreUrl {
    StoreUrl::Sqlite(dir.path().join(name))
}

/// Backs up `url`, restores into `target` (empty), and checks the copy: the same cases, the
/// access log kept, clean, and a new case takes the next number.
fn round_trip(url: &StoreUrl, target: &StoreUrl, dir: &tempfile::TempDir) {
    let before = cases(url);
    let file = dir.path().join(format!("backup-{}.db", Uuid::now_v7()));
    let report = maintenance::backup(url, &file, None).unwrap();
    assert_eq!(report.cases(), before.len() as u64);
    assert!(report.rows("events") > report.cases());
    assert!(
        maintenance::check(&StoreUrl::Sqlite(file.clone()), None, None)
            .unwrap()
            .is_ok()
    );

    let restored = maintenance::restore(&file, target, None).unwrap();
    assert_eq!(restored.cases(), before.len() as u64);
    assert_eq!(
        restored.rows("server_access_log"),
        report.rows("server_access_log")
    );
    assert_eq!(cases(target), before);
    let checked = maintenance::check(target, None, None).unwrap();
    assert!(checked.is_ok(), "{:?}", checked.problems);
    assert_eq!(checked.cases, before.len() as u64);

    // The restored database goes on: numbers, feed positions and log ids continue.
    let (store, records) = target.open_database().unwrap();
    let head = store.feed_head().unwrap();
    let case = store::open_case(
        &*store,
        &catalog(),
        &officer("TAP"),
        &detention_intake("TAP"),
        now(),
    )
    .unwrap();
    assert!(store.feed_head().unwrap() > head);
    let taps = before
        .iter()
        .filter(|(_, n, _)| n.starts_with("TAP-"))
        .count();
    assert_eq!(case.number, format!("TAP-2026-{:06}", taps + 1));
    records
        .log_access(&AccessEntry::new(
            &officer("TAP"),
            case.id,
            ReadKind::Case,
            Access::Office,
            now(),
            None,
        ))
        .unwrap();
    let log = records
        .access_log(&LogFilter {
            limit: 100,
            ..LogFilter::default()
        })
        .unwrap();
    assert_eq!(log.len() as u64, report.rows("server_access_log") + 1);
    drop(store);

    // A restore goes into an empty database only.
    let again = maintenance::restore(&file, target, None).unwrap_err();
    assert_eq!(again, StoreError::NotEmpty);
    assert_eq!(
        cases(target).len(),
        before.len() + 1,
        "nothing of the refused restore is left"
    );
}

#[test]
fn sqlite_backs_up_restores_and_checks() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "cases.db");
    fill(&url, 9);
    round_trip(&url, &sqlite_url(&dir, "restored/cases.db"), &dir);
}

#[test]
fn a_backup_never_overwrites_and_needs_a_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "cases.db");
    fill(&url, 1);
    let file = dir.path().join("b.db");
    std::fs::write(&file, b"keep me").unwrap();
    assert_eq!(
        maintenance::backup(&url, &file, None).unwrap_err(),
        StoreError::TargetExists
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"keep me");
    let missing = sqlite_url(&dir, "missing.db");
    assert_eq!(
        maintenance::check(&missing, None, None).unwrap_err().code(),
        "store.no_database"
    );
    assert!(
        !dir.path().join("missing.db").exists(),
        "a check creates nothing"
    );
    assert_eq!(
        maintenance::restore(&dir.path().join("none.db"), &url, None).unwrap_err(),
        StoreError::NoDatabase
    );
    assert_eq!(
        maintenance::check(&StoreUrl::Memory, None, None)
            .unwrap_err()
            .code(),
        "store.bad_url"
    );
}

/// A backup taken while writers go on holds every case acknowledged before it began.
fn backup_under_load(url: &StoreUrl, targets: &[StoreUrl], dir: &tempfile::TempDir) {
    fill(url, 2);
    let store: Arc<dyn CaseStore> = Arc::from(url.open().unwrap());
    let stop = Arc::new(AtomicBool::new(false));
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let writers: Vec<_> = ["TAP", "HOU"]
        .into_iter()
        .map(|office| {
            let (store, stop, acked) = (store.clone(), stop.clone(), acknowledged.clone());
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let intake = detention_intake(office);
                    let case =
                        store::open_case(&*store, &catalog(), &officer(office), &intake, now())
                            .unwrap();
                    acked.lock().unwrap().push(case.id);
                }
            })
        })
        .collect();
    while acknowledged.lock().unwrap().len() < 20 {
        std::thread::yield_now();
    }
    let before_backup: Vec<Uuid> = acknowledged.lock().unwrap().clone();
    let file = dir.path().join("under-load.db");
    maintenance::backup(url, &file, None).unwrap();
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }
    assert!(
        maintenance::check(&StoreUrl::Sqlite(file.clone()), None, None)
            .unwrap()
            .is_ok()
    );
    for target in targets {
        maintenance::restore(&file, target, None).unwrap();
        let checked = maintenance::check(target, None, None).unwrap();
        assert!(checked.is_ok(), "{:?}", checked.problems);
        let restored = target.open().unwrap();
        for id in &before_backup {
            assert!(
                restored.load_history(*id).is_ok(),
                "case {id} acknowledged before the backup"
            );
        }
    }
}

#[test]
fn sqlite_backup_under_write_load_restores_every_acknowledged_case() {
    let dir = tempfile::tempdir().unwrap();
    let targets = [sqlite_url(&dir, "restored.db")];
    backup_under_load(&sqlite_url(&dir, "cases.db"), &targets, &dir);
}

/// Changes a copy of a checked database with `damage` (SQL run on the file) and answers what
/// the check finds.
fn damaged(damage: &str) -> Vec<Problem> {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "cases.db");
    fill(&url, 4);
    assert!(maintenance::check(&url, None, None).unwrap().is_ok());
    let conn = rusqlite::Connection::open(dir.path().join("cases.db")).unwrap();
    conn.execute_batch(damage).unwrap();
    drop(conn);
    maintenance::check(&url, None, None).unwrap().problems
}

#[test]
fn the_check_names_each_kind_of_damage() {
    let first = "(SELECT id FROM cases WHERE number = 'TAP-2026-000001')";
    let codes = |problems: Vec<Problem>| problems.iter().map(Problem::code).collect::<Vec<_>>();
    assert_eq!(
        codes(damaged(&format!(
            "UPDATE events SET body = replace(body, 'Núñez', 'Nuñez') WHERE case_id = {first}"
        ))),
        ["chain_broken"]
    );
    assert_eq!(
        codes(damaged(&format!(
            "UPDATE cases SET priority = 'low' WHERE id = {first}"
        ))),
        ["summary_mismatch"]
    );
    assert_eq!(
        codes(damaged(&format!(
            "DELETE FROM case_names WHERE case_id = {first}"
        ))),
        ["index_mismatch"]
    );
    assert_eq!(
        codes(damaged(&format!(
            "DELETE FROM case_stats WHERE case_id = {first}"
        ))),
        ["stats_mismatch"]
    );
    assert_eq!(
        codes(damaged(
            "INSERT INTO case_names (term, case_id, person) VALUES ('x', 'no-such-case', 0)"
        )),
        ["orphan"]
    );
    // A case lost whole: its number is given and held by no one.
    let lost = damaged(&format!(
        "DELETE FROM case_names WHERE case_id = {first}; \
         DELETE FROM case_documents WHERE case_id = {first}; \
         DELETE FROM case_stats WHERE case_id = {first}; \
         DELETE FROM events WHERE case_id = {first}; DELETE FROM cases WHERE id = {first};"
    ));
    assert_eq!(
        lost,
        [Problem::NumberGap {
            office: "TAP".into(),
            year: 2026,
            first: 1,
            missing: 1
        }]
    );
    assert_eq!(
        codes(damaged(
            "UPDATE case_counters SET last = 1 WHERE office = 'TAP'"
        )),
        ["counter_behind"]
    );
    // No problem names a value of a case.
    for problem in damaged(&format!(
        "UPDATE events SET body = replace(body, 'Núñez', 'Nuñez') WHERE case_id = {first}"
    )) {
        let text = format!("{problem} {}", serde_json::to_string(&problem).unwrap());
        assert!(!text.contains("Núñez") && !text.contains("Nuñez"), "{text}");
    }
}

#[cfg(feature = "postgres")]
mod pg {
    use super::*;

    /// A URL on the server mk/pg.mk started whose connections use their own new schema.
    pub fn fresh_url() -> StoreUrl {
        let base = std::env::var("SIPROC_TEST_POSTGRES_URL").expect(
            "SIPROC_TEST_POSTGRES_URL must name a PostgreSQL server (make test-store starts one)",
        );
        let schema = format!("t{}", Uuid::now_v7().simple());
        let mut client = ::postgres::Client::connect(&base, ::postgres::NoTls).unwrap();
        client
            .batch_execute(&format!("CREATE SCHEMA {schema}"))
            .unwrap();
        let sep = if base.contains('?') { '&' } else { '?' };
        StoreUrl::Postgres(format!("{base}{sep}options=-csearch_path%3D{schema}"))
    }

    #[test]
    fn postgres_backs_up_to_a_file_and_restores_into_postgres_and_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        let url = fresh_url();
        fill(&url, 7);
        assert!(maintenance::check(&url, None, None).unwrap().is_ok());
        round_trip(&url, &fresh_url(), &dir);
        round_trip(&url, &sqlite_url(&dir, "from-pg.db"), &dir);
    }

    #[test]
    fn postgres_backup_under_write_load_restores_every_acknowledged_case() {
        let dir = tempfile::tempdir().unwrap();
        let targets = [fresh_url(), sqlite_url(&dir, "restored.db")];
        backup_under_load(&fresh_url(), &targets, &dir);
    }
}

#[test]
fn an_encrypted_store_backs_up_as_ciphertext_and_checks_with_its_key() {
    use siproc_core::keys::MasterKey;
    let dir = tempfile::tempdir().unwrap();
    let key_file = dir.path().join("master.key");
    MasterKey::create_file(&key_file).unwrap();
    let key = MasterKey::from_file(&key_file).unwrap();
    let url = sqlite_url(&dir, "cases.db");
    {
        let (store, records) = url.open_database_with_key(Some(&key)).unwrap();
        for office in ["TAP", "HOU"] {
            let case = store::open_case(
                &*store,
                &catalog(),
                &officer(office),
                &detention_intake(office),
                now(),
            )
            .unwrap();
            attach_file(
                &*store,
                &records.blobs(),
                case.id,
                "Acta: Peña Güity, TAP".as_bytes(),
            );
        }
    }
    let file = dir.path().join("backup.db");
    maintenance::backup(&url, &file, None).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let text = String::from_utf8_lossy(&bytes);
    assert!(
        !text.contains("Güity") && !text.contains("GUITY"),
        "the backup holds ciphertexts, the files' too"
    );
    let backup = StoreUrl::Sqlite(file.clone());
    assert_eq!(
        maintenance::check(&backup, None, None).unwrap_err(),
        StoreError::KeyRequired
    );
    assert!(
        maintenance::check(&backup, Some(&key), None)
            .unwrap()
            .is_ok()
    );
    let other = MasterKey::from_file({
        let p = dir.path().join("other.key");
        MasterKey::create_file(&p).unwrap();
        p
    })
    .unwrap();
    assert_eq!(
        maintenance::check(&backup, Some(&other), None).unwrap_err(),
        StoreError::WrongKey
    );

    let restored = sqlite_url(&dir, "restored.db");
    maintenance::restore(&file, &restored, None).unwrap();
    let report = maintenance::check(&restored, Some(&key), None).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.cases, 2);
    let (store, _) = restored.open_database_with_key(Some(&key)).unwrap();
    assert_eq!(
        store.count().unwrap(),
        2,
        "the restored store opens with the same key"
    );
}

/// Files in a directory: checked against their digests, carried by the backup (one
/// self-contained file), restored into another directory or into the database's own table.
#[test]
fn files_in_a_directory_are_checked_backed_up_and_restored() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "cases.db");
    let ids = fill(&url, 3);
    let files = DirectoryBlobs::new(dir.path().join("files")).unwrap();
    {
        let (store, _) = url.open_database().unwrap();
        attach_file(&*store, &files, ids[0], b"acta 0");
        attach_file(&*store, &files, ids[1], b"acta 1");
    }
    let codes = |report: maintenance::CheckReport| {
        report
            .problems
            .iter()
            .map(Problem::code)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        codes(maintenance::check(&url, None, Some(&files)).unwrap()),
        Vec::<&str>::new()
    );
    // Looked for in the database instead, where they are not: missing.
    assert_eq!(
        codes(maintenance::check(&url, None, None).unwrap()),
        ["file_missing", "file_missing"]
    );

    let file = dir.path().join("backup.db");
    let report = maintenance::backup(&url, &file, Some(&files)).unwrap();
    assert_eq!(report.rows("blobs"), 2);
    let backup = StoreUrl::Sqlite(file.clone());
    assert!(maintenance::check(&backup, None, None).unwrap().is_ok());

    let elsewhere = DirectoryBlobs::new(dir.path().join("restored-files")).unwrap();
    let restored = sqlite_url(&dir, "restored.db");
    let report = maintenance::restore(&file, &restored, Some(&elsewhere)).unwrap();
    assert_eq!(report.rows("blobs"), 2);
    assert_eq!(elsewhere.list(ids[1]).unwrap().len(), 1);
    assert!(
        maintenance::check(&restored, None, Some(&elsewhere))
            .unwrap()
            .is_ok()
    );
    let inside = sqlite_url(&dir, "inside.db");
    let report = maintenance::restore(&file, &inside, None).unwrap();
    assert_eq!(report.rows("blobs"), 2);
    assert!(maintenance::check(&inside, None, None).unwrap().is_ok());
}

/// A changed file, a lost one, and the files of an erasure cut short are each named; erasing
/// the case again finishes the erasure.
#[test]
fn the_check_names_damaged_missing_and_erased_files() {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(&dir, "cases.db");
    let ids = fill(&url, 3);
    let folder = dir.path().join("files");
    let files = DirectoryBlobs::new(&folder).unwrap();
    let (store, _) = url.open_database().unwrap();
    let shas: Vec<String> = ids
        .iter()
        .map(|id| attach_file(&*store, &files, *id, format!("acta {id}").as_bytes()))
        .collect();
    let path = |i: usize| folder.join(ids[i].to_string()).join(&shas[i]);
    let mut bytes = std::fs::read(path(0)).unwrap();
    bytes[0] ^= 1;
    std::fs::write(path(0), bytes).unwrap();
    std::fs::remove_file(path(1)).unwrap();
    // The erasure's files are removed elsewhere: here they stay, as after a crash.
    let nowhere = DirectoryBlobs::new(dir.path().join("nowhere")).unwrap();
    let director = siproc_core::Actor::new("director-1", siproc_core::Role::Directorate, "DGPHM");
    let case = store::load_case(&*store, ids[2]).unwrap();
    siproc_core::store::testkit::close_case(&*store, &case, "released", now());
    siproc_core::erasure::erase_case(&*store, &nowhere, &director, ids[2], "solicitud", now())
        .unwrap();

    let mut problems = maintenance::check(&url, None, Some(&files))
        .unwrap()
        .problems;
    problems.sort_by_key(|p| p.code());
    assert_eq!(
        problems,
        [
            Problem::ErasedFilesKept {
                case_id: ids[2],
                files: 1
            },
            Problem::FileDamaged {
                case_id: ids[0],
                sha256: shas[0].clone()
            },
            Problem::FileMissing {
                case_id: ids[1],
                sha256: shas[1].clone()
            },
        ]
    );
    let again =
        siproc_core::erasure::erase_case(&*store, &files, &director, ids[2], "otra vez", now())
            .unwrap_err();
    assert_eq!(again.code(), "workflow.nothing_to_erase");
    let problems = maintenance::check(&url, None, Some(&files))
        .unwrap()
        .problems;
    assert_eq!(problems.len(), 2, "{problems:?}");
}
