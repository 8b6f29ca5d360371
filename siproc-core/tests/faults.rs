//! Disk faults on the SQLite store (issue 31): a full disk during writes and during an import,
//! and a database file or WAL truncated or with a byte flipped. Each is a typed error, never a
//! panic; the store still opens; nothing acknowledged is lost to a full disk; and damage never
//! passes as a case: a case that loads is the case that was written.
//!
//! The full disk is a real one: a 2 MiB tmpfs mounted for the test (root only; without the
//! right to mount, as on a developer's machine, the test says so and checks nothing). Run by
//! `make test-store`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::path::{Path, PathBuf};
use std::process::Command;

use siproc_core::Case;
use siproc_core::store::maintenance;
use siproc_core::store::sqlite::SqliteStore;
use siproc_core::store::testkit::{catalog, detention_intake, now, officer, victim_intake};
use siproc_core::store::{self, CaseStore, MemoryStore, StoreUrl};

/// Whether `code` is a typed answer of a damaged or full store (the store's codes, and the
/// history's when a case's events no longer verify).
fn typed(code: &str) -> bool {
    code.starts_with("store.") || code.starts_with("history.")
}

/// A small tmpfs, unmounted when dropped.
struct Tmpfs(tempfile::TempDir);

impl Tmpfs {
    /// A tmpfs of `size` (`2m`), or `None` when this process may not mount one.
    fn mount(size: &str) -> Option<Tmpfs> {
        let dir = tempfile::tempdir().unwrap();
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
            .arg(dir.path())
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        mounted.then_some(Tmpfs(dir))
    }

    fn path(&self) -> &Path {
        self.0.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.0.path()).status();
    }
}

fn register(store: &dyn CaseStore, i: usize) -> Result<Case, siproc_core::store::StoreError> {
    register_at(store, "TAP", i)
}

/// Registers the `i`th case of `office` (detentions and victims in turn).
fn register_at(
    store: &dyn CaseStore,
    office: &str,
    i: usize,
) -> Result<Case, siproc_core::store::StoreError> {
    let intake = if i.is_multiple_of(2) {
        detention_intake(office)
    } else {
        victim_intake(office)
    };
    store::open_case(store, &catalog(), &officer(office), &intake, now())
}

/// Every case of `cases` loads from `store` as it was acknowledged, and the check finds
/// nothing wrong.
fn all_there(path: &Path, cases: &[Case]) {
    let store = SqliteStore::open(path).expect("the store opens");
    for case in cases {
        assert_eq!(&store::load_case(&store, case.id).unwrap(), case);
    }
    drop(store);
    let url = StoreUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
    let report = maintenance::check(&url, None).unwrap();
    assert!(report.is_ok(), "{:?}", report.problems);
    assert_eq!(report.cases, cases.len() as u64);
}

#[test]
fn a_full_disk_is_a_typed_error_and_loses_nothing_acknowledged() {
    let Some(disk) = Tmpfs::mount("2m") else {
        eprintln!("skipped: this process may not mount a tmpfs (run as root to test a full disk)");
        return;
    };
    let path = disk.path().join("cases.db");
    let store = SqliteStore::open(&path).unwrap();
    let mut acknowledged = Vec::new();
    let error = loop {
        match register(&store, acknowledged.len()) {
            Ok(case) => acknowledged.push(case),
            Err(e) => break e,
        }
        assert!(acknowledged.len() < 100_000, "the disk never filled");
    };
    assert!(typed(error.code()), "{error:?}");
    assert!(!acknowledged.is_empty());
    eprintln!(
        "the disk was full after {} cases: {}",
        acknowledged.len(),
        error.code()
    );
    // Still full: another write fails the same way, and reads go on.
    assert!(typed(register(&store, 0).unwrap_err().code()));
    assert_eq!(
        &store::load_case(&store, acknowledged[0].id).unwrap(),
        &acknowledged[0]
    );
    drop(store);
    all_there(&path, &acknowledged);

    // An import into the full disk (another office's cases): the batch, or each case that
    // did not fit, refused typed; whatever it says was written is there, and nothing else.
    let source = MemoryStore::new();
    let imported: Vec<Case> = (0..200)
        .map(|i| register_at(&source, "MEX", i).unwrap())
        .collect();
    let histories: Vec<_> = imported
        .iter()
        .map(|c| source.load(c.id).unwrap())
        .collect();
    let store = SqliteStore::open(&path).unwrap();
    let batch: Vec<&[siproc_core::history::Event]> = histories.iter().map(Vec::as_slice).collect();
    let mut expected = acknowledged.clone();
    match store.put_histories(&batch) {
        Err(e) => assert!(typed(e.code()), "{e:?}"),
        Ok(outcomes) => {
            assert!(outcomes.iter().any(Result::is_err), "the disk was full");
            for (case, outcome) in imported.iter().zip(outcomes) {
                match outcome {
                    Ok(_) => expected.push(case.clone()),
                    Err(e) => assert!(typed(e.code()), "{e:?}"),
                }
            }
        }
    }
    drop(store);
    all_there(&path, &expected);
}

/// A store file of `n` cases, closed (its WAL checkpointed into it), and the cases.
fn written(dir: &Path, n: usize) -> (PathBuf, Vec<Case>) {
    let path = dir.join("cases.db");
    let store = SqliteStore::open(&path).unwrap();
    let cases = (0..n).map(|i| register(&store, i).unwrap()).collect();
    drop(store);
    (path, cases)
}

/// Opens the damaged copy at `path` and reads every case: each is the one written or a typed
/// error; the check runs to a report or a typed error. Never a panic, never another case.
fn read_damaged(path: &Path, cases: &[Case], what: &str) {
    let store = match SqliteStore::open(path) {
        Ok(store) => store,
        Err(e) => {
            assert!(typed(e.code()), "{what}: {e:?}");
            return;
        }
    };
    for case in cases {
        match store::load_case(&store, case.id) {
            Ok(loaded) => assert_eq!(&loaded, case, "{what}: another case loaded"),
            Err(e) => assert!(typed(e.code()), "{what}: {e:?}"),
        }
    }
    drop(store);
    let url = StoreUrl::parse(&format!("sqlite://{}", path.display())).unwrap();
    if let Err(e) = maintenance::check(&url, None) {
        assert!(typed(e.code()), "{what}: {e:?}");
    }
}

#[test]
fn truncated_and_bit_flipped_files_are_typed_errors_never_another_case() {
    let dir = tempfile::tempdir().unwrap();
    let (path, cases) = written(dir.path(), 12);
    let original = std::fs::read(&path).unwrap();
    let copy = dir.path().join("damaged.db");
    let mut tried = 0;
    // A byte flipped at 257 places spread over the file (headers, pages of events, indexes).
    let step = (original.len() / 257).max(1);
    for at in (0..original.len()).step_by(step) {
        let mut bytes = original.clone();
        bytes[at] ^= 0x5a;
        std::fs::write(&copy, &bytes).unwrap();
        let _ = std::fs::remove_file(dir.path().join("damaged.db-wal"));
        read_damaged(&copy, &cases, &format!("byte {at} flipped"));
        tried += 1;
    }
    // Cut at 20 lengths.
    for cut in (0..20).map(|i| original.len() * i / 20) {
        std::fs::write(&copy, &original[..cut]).unwrap();
        read_damaged(&copy, &cases, &format!("cut at {cut}"));
        tried += 1;
    }
    assert!(tried > 250);
}

#[test]
fn a_damaged_wal_never_gives_another_case() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cases.db");
    let store = SqliteStore::open(&path).unwrap();
    let cases: Vec<Case> = (0..12).map(|i| register(&store, i).unwrap()).collect();
    // As if the machine stopped now: the file and its WAL, copied while the store is open.
    let wal = std::fs::read(dir.path().join("cases.db-wal")).unwrap_or_default();
    let db = std::fs::read(&path).unwrap();
    drop(store);
    assert!(!wal.is_empty(), "the WAL holds the last commits");
    let copy = dir.path().join("crashed.db");
    let step = (wal.len() / 97).max(1);
    for at in (0..wal.len()).step_by(step) {
        let mut damaged = wal.clone();
        damaged[at] ^= 0xa5;
        std::fs::write(&copy, &db).unwrap();
        std::fs::write(dir.path().join("crashed.db-wal"), &damaged).unwrap();
        let _ = std::fs::remove_file(dir.path().join("crashed.db-shm"));
        read_damaged(&copy, &cases, &format!("WAL byte {at} flipped"));
    }
    for cut in (0..10).map(|i| wal.len() * i / 10) {
        std::fs::write(&copy, &db).unwrap();
        std::fs::write(dir.path().join("crashed.db-wal"), &wal[..cut]).unwrap();
        let _ = std::fs::remove_file(dir.path().join("crashed.db-shm"));
        read_damaged(&copy, &cases, &format!("WAL cut at {cut}"));
    }
}
