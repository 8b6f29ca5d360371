//! Archives carry the cases' files (issue 30): each case's files follow its line, checked
//! against their digests on import (a flipped byte rejects the case, naming it, and nothing is
//! written), then kept in the target's blob storage encrypted with the target's own keys; an
//! erased case's files stay out. Encrypted SQLite to encrypted SQLite always; SQLite to
//! PostgreSQL and back when `SIPROC_TEST_POSTGRES_URL` names a server (`mk/with-pg.sh`). A third
//! party verifies an exported archive with Python's standard library alone
//! (`verify_archive.py`), without any key.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use std::io::Cursor;
use std::process::Command as Process;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use siproc_core::archive::{self, ImportOptions};
use siproc_core::attachments::{self, Limits, Upload};
use siproc_core::blobs::BlobStore;
use siproc_core::keys::MasterKey;
use siproc_core::store::sqlite::SqliteStore;
use siproc_core::store::testkit::{self, now};
use siproc_core::store::{self, CaseQuery, CaseStore};
use siproc_core::{Actor, Role};
use uuid::Uuid;

/// A store and where it keeps its files.
struct Side {
    store: Box<dyn CaseStore>,
    files: Box<dyn BlobStore>,
    /// Keeps an SQLite file's folder.
    _dir: Option<tempfile::TempDir>,
}

fn master_key() -> MasterKey {
    MasterKey::from_hex(&siproc_core::blobs::sha256_hex(Uuid::now_v7().as_bytes())).unwrap()
}

/// A new encrypted SQLite store, its files in its database.
fn sqlite() -> Side {
    let dir = tempfile::tempdir().unwrap();
    let store =
        SqliteStore::open_with_key(dir.path().join("cases.db"), Some(&master_key())).unwrap();
    let files = Box::new(store.blobs());
    Side {
        store: Box::new(store),
        files,
        _dir: Some(dir),
    }
}

/// A new encrypted PostgreSQL store in a schema of its own, or `None` without a server.
fn postgres() -> Option<Side> {
    use siproc_core::store::postgres::PostgresStore;
    let Ok(base) = std::env::var("SIPROC_TEST_POSTGRES_URL") else {
        eprintln!("SIPROC_TEST_POSTGRES_URL is not set: mk/with-pg.sh runs the PostgreSQL part");
        return None;
    };
    let schema = format!("t{}", Uuid::now_v7().simple());
    let mut client = ::postgres::Client::connect(&base, ::postgres::NoTls).unwrap();
    client
        .batch_execute(&format!("CREATE SCHEMA {schema}"))
        .unwrap();
    let sep = if base.contains('?') { '&' } else { '?' };
    let url = format!("{base}{sep}options=-csearch_path%3D{schema}");
    let store = PostgresStore::open_with_key(&url, Some(&master_key())).unwrap();
    let files = Box::new(store.blobs());
    Some(Side {
        store: Box::new(store),
        files,
        _dir: None,
    })
}

/// A small PNG, different for each `seed`.
fn png(seed: u8) -> Vec<u8> {
    let img = image::RgbImage::from_fn(40, 30, |x, y| {
        image::Rgb([x as u8 ^ seed, (y as u8).wrapping_mul(7), seed])
    });
    let mut out = Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Attaches `content` to case `case_id`; answers its digest and the file as kept.
fn attach(side: &Side, case_id: Uuid, content: &[u8]) -> (String, Vec<u8>) {
    let upload = Upload {
        content,
        declared: Some("image/png"),
        description: Some("foto del pasaporte"),
        expected_version: None,
    };
    let officer = testkit::officer("TAP");
    let limits = Limits::default();
    let added = attachments::attach(
        &*side.store,
        &*side.files,
        &limits,
        &officer,
        case_id,
        upload,
        now(),
    )
    .unwrap();
    read(side, case_id, &added.attachment.sha256).unwrap()
}

/// The file `sha256` of case `case_id` as `side` gives it back, decrypted and checked.
fn read(side: &Side, case_id: Uuid, sha256: &str) -> Result<(String, Vec<u8>), String> {
    let case = store::load_case(&*side.store, case_id).map_err(|e| e.code().to_owned())?;
    attachments::attachment(&*side.store, &*side.files, &case, sha256)
        .map(|(_, content)| (sha256.to_owned(), content))
        .map_err(|e| e.code().to_owned())
}

/// What a source holds: case A with two files, case B whose file went with its erasure, case
/// C without files.
struct Filled {
    a: Uuid,
    a_files: Vec<(String, Vec<u8>)>,
    b: Uuid,
}

fn fill(side: &Side) -> Filled {
    let catalog = testkit::catalog();
    let open = || {
        store::open_case(
            &*side.store,
            &catalog,
            &testkit::officer("TAP"),
            &testkit::detention_intake("TAP"),
            now(),
        )
        .unwrap()
    };
    let a = open();
    let a_files = vec![attach(side, a.id, &png(1)), attach(side, a.id, &png(2))];
    let b = open();
    attach(side, b.id, &png(3));
    let b = store::load_case(&*side.store, b.id).unwrap();
    testkit::close_case(&*side.store, &b, "released", now());
    let director = Actor::new("director-1", Role::Directorate, "DGPHM");
    siproc_core::erasure::erase_case(
        &*side.store,
        &*side.files,
        &director,
        b.id,
        "solicitud 17/2026",
        now(),
    )
    .unwrap();
    open();
    Filled {
        a: a.id,
        a_files,
        b: b.id,
    }
}

fn export(side: &Side) -> (archive::ExportSummary, Vec<u8>) {
    let mut out = Vec::new();
    let summary = archive::export(
        &*side.store,
        Some(&*side.files),
        &CaseQuery::default(),
        &mut out,
        now(),
    )
    .unwrap();
    (summary, out)
}

fn import(side: &Side, bytes: &[u8]) -> archive::ImportReport {
    archive::import(
        &*side.store,
        Some(&*side.files),
        &mut Cursor::new(bytes),
        ImportOptions::default(),
    )
    .unwrap()
}

/// A third party's check: `verify_archive.py`, Python's standard library only. Its status
/// and output.
fn third_party(bytes: &[u8]) -> (bool, String) {
    let path = std::env::temp_dir().join(format!("siproc-archive-{}.jsonl", Uuid::now_v7()));
    std::fs::write(&path, bytes).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/verify_archive.py");
    let output = Process::new("python3").arg(script).arg(&path).output();
    let _ = std::fs::remove_file(&path);
    let output = output.expect("python3 must be installed");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// Everything an archive with files must do, from `source` into the empty stores `target` and
/// `damaged_target`.
fn files_travel(source: &Side, target: &Side, damaged_target: &Side) {
    let filled = fill(source);
    let (summary, bytes) = export(source);
    assert_eq!((summary.cases, summary.files), (3, 2));
    let text = std::str::from_utf8(&bytes).unwrap();
    assert!(text.starts_with("{\"archive\":\"siproc\",\"version\":2,"));
    let lines: Vec<&str> = text.lines().collect();
    // A's files follow its line, in its order, in clear; the erased B has none.
    let at = lines
        .iter()
        .position(|l| l.starts_with(&format!("{{\"case_id\":\"{}\"", filled.a)))
        .unwrap();
    for (i, (sha, content)) in filled.a_files.iter().enumerate() {
        let line: serde_json::Value = serde_json::from_str(lines[at + 1 + i]).unwrap();
        assert_eq!(line["file"], sha.as_str());
        assert_eq!(line["case_id"], filled.a.to_string());
        assert_eq!(
            &BASE64.decode(line["content"].as_str().unwrap()).unwrap(),
            content
        );
    }
    assert_eq!(
        lines.iter().filter(|l| l.starts_with("{\"file\":")).count(),
        2
    );
    assert!(!text.contains(&format!("\"case_id\":\"{}\",\"content\"", filled.b)));
    assert!(lines.last().unwrap().contains("\"files\":2,"));

    // Verified without any key: by the core, and by a third party with SHA-256 and base64.
    assert!(
        archive::check(&mut Cursor::new(&bytes), None)
            .unwrap()
            .is_clean()
    );
    let (ok, said) = third_party(&bytes);
    assert!(ok, "{said}");
    assert!(said.contains("3 cases, 2 files"), "{said}");

    // Imported: the files are kept in the target's storage, under the target's keys.
    let report = import(target, &bytes);
    assert!(report.is_clean(), "{report:?}");
    assert_eq!((report.imported, report.files), (3, 2));
    for (sha, content) in &filled.a_files {
        assert_eq!(read(target, filled.a, sha).unwrap().1, *content);
        let raw = target.files.get(filled.a, sha).unwrap().unwrap();
        assert!(!raw.windows(24).any(|w| content.windows(24).any(|c| c == w)));
        let source_raw = source.files.get(filled.a, sha).unwrap().unwrap();
        assert_ne!(raw, source_raw, "re-encrypted with the target's key");
    }
    assert!(target.files.list(filled.b).unwrap().is_empty());
    // Again: nothing new; the files are put again (a repair), which changes nothing.
    let again = import(target, &bytes);
    assert_eq!(
        (again.imported, again.unchanged, again.files, again.written),
        (0, 3, 2, false)
    );
    assert_eq!((export(target).0.cases, export(target).0.files), (3, 2));

    // A flipped byte in a file: the case is rejected as `blob.damaged`, naming it; nothing is
    // written; a third party finds it too.
    let line = lines[at + 1];
    let start = text.find(line).unwrap() + line.find("\"content\":\"").unwrap() + 11 + 40;
    let mut damaged = bytes.clone();
    damaged[start] = if damaged[start] == b'A' { b'B' } else { b'A' };
    let report = import(damaged_target, &damaged);
    assert!(!report.written && report.imported == 0, "{report:?}");
    let rejected = report
        .rejected
        .iter()
        .find(|r| r.case_id == Some(filled.a))
        .expect("the case is rejected");
    assert_eq!(rejected.reason.code(), "blob.damaged");
    assert!(rejected.reason.to_string().contains(&filled.a.to_string()));
    assert!(
        damaged_target
            .store
            .list(&CaseQuery::default())
            .unwrap()
            .is_empty()
    );
    assert!(damaged_target.files.list(filled.a).unwrap().is_empty());
    let (ok, said) = third_party(&damaged);
    assert!(!ok && said.contains(&filled.a.to_string()), "{said}");
}

#[test]
fn sqlite_files_travel_to_sqlite() {
    files_travel(&sqlite(), &sqlite(), &sqlite());
}

#[test]
fn sqlite_files_travel_to_postgres_and_back() {
    let (Some(target), Some(damaged), Some(source)) = (postgres(), postgres(), postgres()) else {
        return;
    };
    files_travel(&sqlite(), &target, &damaged);
    files_travel(&source, &sqlite(), &sqlite());
}

/// A version 1 archive (before files) still imports.
#[test]
fn version_1_archives_still_import() {
    let source = sqlite();
    store::open_case(
        &*source.store,
        &testkit::catalog(),
        &testkit::officer("TAP"),
        &testkit::detention_intake("TAP"),
        now(),
    )
    .unwrap();
    let mut out = Vec::new();
    archive::export(&*source.store, None, &CaseQuery::default(), &mut out, now()).unwrap();
    // Rewritten as version 1 wrote it: the header's version, no `files` in the trailer.
    let text = String::from_utf8(out).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    lines[0] = lines[0].replace("\"version\":2", "\"version\":1");
    let body: String = lines[..lines.len() - 1]
        .iter()
        .map(|l| format!("{l}\n"))
        .collect();
    let digest = siproc_core::blobs::sha256_hex(body.as_bytes());
    let v1 =
        format!("{body}{{\"end\":\"siproc\",\"cases\":1,\"events\":1,\"digest\":\"{digest}\"}}\n");
    let target = sqlite();
    let report = import(&target, v1.as_bytes());
    assert!(report.is_clean(), "{report:?}");
    assert_eq!(report.imported, 1);
    // A version 1 trailer on a version 2 archive is a count mismatch.
    let mixed = v1.replacen("\"version\":1", "\"version\":2", 1);
    let report = archive::check(&mut Cursor::new(mixed.as_bytes()), None).unwrap();
    assert!(
        report
            .file
            .iter()
            .any(|p| p.code() == "archive.count_mismatch"),
        "{report:?}"
    );
}
