//! The blob storage contract ([`siproc_core::blobs::testkit::check_blob_store`]) on every
//! backend: a directory, the case database (SQLite, and PostgreSQL when
//! `SIPROC_TEST_POSTGRES_URL` names one: `make test-blobs` starts it), and a real
//! S3-compatible server (moto's, started here on loopback from the venv `make setup-moto`
//! installs; `SIPROC_MOTO_SERVER` may name another `moto_server`). Each reads its raw storage
//! and finds no plaintext of the known file.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use siproc_core::blobs::testkit::{KNOWN_CONTENT, check_blob_store};
use siproc_core::blobs::{BlobPlace, BlobStore, DirectoryBlobs};

fn no_plaintext(raw: &[u8]) {
    assert!(
        !raw.windows(20)
            .any(|w| KNOWN_CONTENT.windows(20).any(|k| k == w)),
        "the known file's plaintext is at rest"
    );
}

fn all_files(dir: &std::path::Path) -> Vec<u8> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(all_files(&path));
        } else {
            out.extend(std::fs::read(&path).unwrap());
        }
    }
    out
}

#[test]
fn directory_blobs_pass_the_kit() {
    let dir = tempfile::tempdir().unwrap();
    let blobs = DirectoryBlobs::new(dir.path()).unwrap();
    check_blob_store(&blobs);
    no_plaintext(&all_files(dir.path()));
}

#[test]
fn sqlite_blobs_pass_the_kit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("blobs.db");
    {
        let store = siproc_core::store::sqlite::SqliteStore::open(&path).unwrap();
        let blobs = store.blobs();
        let (case, sha) = check_blob_store(&blobs);
        assert_eq!(blobs.list(case).unwrap(), vec![sha]);
    }
    // The whole file, WAL included, holds no plaintext of the known file.
    let mut raw = std::fs::read(&path).unwrap();
    if let Ok(wal) = std::fs::read(dir.path().join("blobs.db-wal")) {
        raw.extend(wal);
    }
    no_plaintext(&raw);
}

#[test]
fn postgres_blobs_pass_the_kit() {
    let Ok(url) = std::env::var("SIPROC_TEST_POSTGRES_URL") else {
        eprintln!("SIPROC_TEST_POSTGRES_URL is not set: make test-blobs runs this test");
        return;
    };
    let store = siproc_core::store::postgres::PostgresStore::open(&url).unwrap();
    let blobs = store.blobs();
    let (case, sha) = check_blob_store(&blobs);
    let mut client = ::postgres::Client::connect(&url, ::postgres::NoTls).unwrap();
    let row = client
        .query_one(
            "SELECT body FROM blobs WHERE case_id = $1 AND sha256 = $2",
            &[&case.to_string(), &sha],
        )
        .unwrap();
    no_plaintext(&row.get::<_, Vec<u8>>(0));
}

/// A moto S3 server on a free loopback port, stopped when dropped.
struct Moto {
    child: Child,
    endpoint: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto() -> Moto {
    let server = std::env::var_os("SIPROC_MOTO_SERVER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/moto-venv/bin/moto_server")
        });
    assert!(
        server.exists(),
        "moto_server is not installed: run `make setup-moto` (or set SIPROC_MOTO_SERVER)"
    );
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = Command::new(server)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Owned at once: dropping it (also on a failed start) kills and waits for the server.
    let moto = Moto {
        child,
        endpoint: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..600 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return moto;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("moto_server did not start");
}

/// Makes a bucket with a plain HTTP request (moto accepts unsigned requests).
fn make_bucket(endpoint: &str, bucket: &str) {
    use std::io::{Read, Write};
    let addr = endpoint.trim_start_matches("http://");
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    write!(
        conn,
        "PUT /{bucket} HTTP/1.1\r\nHost: {addr}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    conn.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn s3_blobs_pass_the_kit_on_a_real_s3_compatible_server() {
    let moto = moto();
    make_bucket(&moto.endpoint, "siproc-test");
    let place = BlobPlace::parse(&format!(
        "s3://siproc-test/tap?endpoint={}&region=us-east-1",
        moto.endpoint
    ))
    .unwrap();
    let BlobPlace::S3 {
        bucket,
        prefix,
        endpoint,
        region,
    } = place
    else {
        panic!("not an S3 place");
    };
    let config = siproc_core::blobs::s3::S3Config {
        bucket,
        prefix,
        endpoint,
        region,
        access_key_id: "testing".into(),
        secret_access_key: "testing".into(),
    };
    let blobs = siproc_core::blobs::s3::S3Blobs::new(&config).unwrap();
    let (case, sha) = check_blob_store(&blobs);
    let raw = blobs.get(case, &sha).unwrap().unwrap();
    no_plaintext(&raw);
}

#[test]
fn blob_settings_are_read_or_refused_without_quoting() {
    assert_eq!(BlobPlace::parse("database").unwrap(), BlobPlace::Database);
    assert_eq!(
        BlobPlace::parse("dir:/srv/blobs").unwrap(),
        BlobPlace::Directory("/srv/blobs".into())
    );
    for bad in ["", "dir:", "s3://", "ftp://x", "s3://b?secret=hunter2"] {
        let err = BlobPlace::parse(bad).unwrap_err();
        assert_eq!(err.code(), "blob.backend");
        assert!(!err.to_string().contains("hunter2"));
    }
}
