//! The case file's costs (issue 30): keeping and reading back a 5 MiB file on each blob
//! backend, encrypted with a case key as an encrypted store keeps it (`blobs::put`: SHA-256,
//! XChaCha20-Poly1305, the backend's write; `blobs::get`: the read, decryption and the digest
//! checked), and recognising one scanned page (`attachments::prepare`: the type sniffed, the
//! image decoded and written again without metadata, the form's QR code read; each step apart
//! too) of a form siproc printed, rendered at 300 dpi by poppler's `pdftoppm` as a scanner would
//! give it, and that page recognised and filed as the form's signed copy (`attachments::attach`).
//! Then the whole upload path of a 5 MiB scanned PDF on each backend, the stores encrypted: its
//! upload (`attachments::attach`: the case read, the PDF parsed and checked, its page's picture
//! decoded and searched for a form's QR code, the file encrypted with the case's key and kept,
//! the event appended) and its download (`attachments::attachment`: the case's key read, the
//! file read, decrypted and checked against its digest). Figures in benches/README.md,
//! "Attachments".
//!
//! Backends: the case database on an SQLite file, a directory, and, when named, the case
//! database on PostgreSQL (`SIPROC_TEST_POSTGRES_URL`, as `mk/with-pg.sh` sets it) and an
//! S3-compatible server (`SIPROC_BENCH_S3`, an `s3://BUCKET?endpoint=…&region=…` place whose
//! bucket exists; credentials from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`).
//!
//! Run: `cargo bench -p siproc-benches --features attachments --bench attachments -- --warm-up-time 1
//! --measurement-time 5`.

use std::hint::black_box;
use std::io::Cursor;
use std::process::Command;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use siproc_core::Locale;
use siproc_core::archive::{self, ImportOptions};
use siproc_core::attachments::testkit::{PagePicture, one_page_pdf};
use siproc_core::attachments::{self, Limits, Upload, check, prepare, scan};
use siproc_core::blobs::{self, BlobPlace, BlobStore, DirectoryBlobs};
use siproc_core::forms::Generating;
use siproc_core::keys::BlobKey;
use siproc_core::keys::MasterKey;
use siproc_core::store::{self, CaseQuery, CaseStore, MemoryStore, testkit};
use uuid::Uuid;

/// The file's size: 5 MiB.
const SIZE: usize = 5 * 1024 * 1024;

/// `SIZE` bytes that do not compress (what a scanned PDF's image streams look like), with
/// `tag` in the first eight so that every upload is a new file.
fn file(tag: u64) -> Vec<u8> {
    let mut state = 0x9E37_79B9_7F4A_7C15_u64 ^ tag;
    let mut out = Vec::with_capacity(SIZE);
    while out.len() < SIZE {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        out.extend_from_slice(&state.to_le_bytes());
    }
    out.truncate(SIZE);
    out[..8].copy_from_slice(&tag.to_le_bytes());
    out
}

fn backend(c: &mut Criterion, name: &str, blobs: &dyn BlobStore) {
    let key = BlobKey::generate();
    let case = Uuid::now_v7();
    let mut group = c.benchmark_group(format!("5 MiB file ({name})"));
    group.sample_size(10);
    group.throughput(Throughput::Bytes(SIZE as u64));
    let mut tag = 0_u64;
    group.bench_function("keep (blobs::put)", |b| {
        b.iter_batched(
            || {
                tag += 1;
                file(tag)
            },
            |content| blobs::put(blobs, Some(&key), case, &content).map(drop),
            criterion::BatchSize::LargeInput,
        );
    });
    let content = file(u64::MAX);
    if let Ok(sha256) = blobs::put(blobs, Some(&key), case, &content) {
        group.bench_function("read back (blobs::get)", |b| {
            b.iter(|| black_box(blobs::get(blobs, Some(&key), case, &sha256).map(|c| c.len())));
        });
    }
    group.finish();
    let _ = blobs.remove_case(case);
}

fn keep_and_read(c: &mut Criterion) {
    let dir = tempfile::tempdir().ok();
    if let Some(dir) = &dir {
        if let Ok(sqlite) = store::sqlite::SqliteStore::open(dir.path().join("blobs.db")) {
            backend(c, "SQLite database", &sqlite.blobs());
        }
        if let Ok(directory) = DirectoryBlobs::new(dir.path().join("files")) {
            backend(c, "directory", &directory);
        }
    }
    if let Ok(url) = std::env::var("SIPROC_TEST_POSTGRES_URL")
        && let Ok(postgres) = store::postgres::PostgresStore::open(&url)
    {
        backend(c, "PostgreSQL database", &postgres.blobs());
    }
    if let Ok(place) = std::env::var("SIPROC_BENCH_S3")
        && let Ok(Some(s3)) = BlobPlace::parse(&place).and_then(|p| p.open_outside())
    {
        backend(c, "S3-compatible server", s3.as_ref());
    }
}

/// A printed form's first page scanned, and the case that printed it.
struct Scanned {
    /// Page 1 of the consent form, as `pdftoppm` renders it at 300 dpi in gray (a scanner's PNG).
    page: Vec<u8>,
    /// The store holding the case after it printed the form, as an archive (each filing
    /// starts again from it, so that every copy filed is the case's first).
    archive: Vec<u8>,
    /// The case.
    case_id: Uuid,
}

/// A consent form siproc printed for a case, its first page scanned (see [`Scanned`]).
fn scanned_page() -> Option<Scanned> {
    let store = MemoryStore::new();
    let catalog = testkit::catalog();
    let officer = testkit::officer("TAP");
    let intake = testkit::detention_intake("TAP");
    let case = store::open_case(&store, &catalog, &officer, &intake, testkit::now()).ok()?;
    let generating = Generating {
        locale: Locale::Es,
        now: testkit::now(),
        verify_origin: Some("https://siproc.example.org"),
    };
    let (_, rendered) = store::generate_form(
        &store,
        &catalog,
        &officer,
        case.id,
        "informed_consent",
        &generating,
    )
    .ok()?;
    let dir = tempfile::tempdir().ok()?;
    let pdf = dir.path().join("form.pdf");
    std::fs::write(&pdf, &rendered.bytes).ok()?;
    let status = Command::new("pdftoppm")
        .args([
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
            "-r",
            "300",
        ])
        .arg(&pdf)
        .arg(dir.path().join("page"))
        .status()
        .ok()?;
    let page = status
        .success()
        .then(|| std::fs::read(dir.path().join("page.png")).ok())
        .flatten()?;
    let mut archive = Vec::new();
    archive::export(
        &store,
        None,
        &CaseQuery::default(),
        &mut archive,
        testkit::now(),
    )
    .ok()?;
    Some(Scanned {
        page,
        archive,
        case_id: case.id,
    })
}

/// A store holding what `archive` holds.
fn restored(archive: &[u8]) -> MemoryStore {
    let store = MemoryStore::new();
    let imported = archive::import(
        &store,
        None,
        &mut Cursor::new(archive),
        ImportOptions::default(),
    );
    assert!(imported.is_ok(), "the bench's archive imports");
    store
}

fn recognise(c: &mut Criterion) {
    let Some(Scanned {
        page,
        archive,
        case_id,
    }) = scanned_page()
    else {
        eprintln!("no 300-dpi page: pdftoppm (poppler-utils) is missing");
        return;
    };
    let read = prepare(&page, None, &Limits::default()).map(|p| p.code.is_some());
    assert_eq!(read.ok(), Some(true), "the page's QR code is read");
    let mut group = c.benchmark_group("scanned page, 300 dpi");
    group.sample_size(10);
    group.bench_function("recognise (attachments::prepare)", |b| {
        b.iter(|| black_box(prepare(black_box(&page), None, &Limits::default()).is_ok()));
    });
    // Its two steps apart: the check (decoding, writing the pixels again without metadata)
    // and the QR passes over the decoded picture.
    group.bench_function("step 1: decode and strip (check::check_decoding)", |b| {
        b.iter(|| {
            black_box(check::check_decoding(black_box(&page), None, &Limits::default()).is_ok())
        });
    });
    if let Ok((_, Some(picture))) = check::check_decoding(&page, None, &Limits::default()) {
        group.bench_function("step 2: QR passes (scan::read_image_code)", |b| {
            b.iter(|| black_box(scan::read_image_code(black_box(&picture)).is_some()));
        });
    }
    // Recognised and filed as the form's signed copy (the case read, the file kept in a
    // directory, the event appended), each time into a fresh copy of the store.
    let officer = testkit::officer("TAP");
    group.bench_function("recognise and file (attachments::attach)", |b| {
        b.iter_batched(
            || {
                let dir = tempfile::tempdir().ok();
                let blobs = dir
                    .as_ref()
                    .and_then(|d| DirectoryBlobs::new(d.path().join("files")).ok());
                (restored(&archive), dir, blobs)
            },
            |(store, _dir, blobs)| {
                let Some(blobs) = blobs else {
                    return false;
                };
                let upload = Upload {
                    content: &page,
                    declared: None,
                    description: None,
                    expected_version: None,
                };
                let attached = attachments::attach(
                    &store,
                    &blobs,
                    &Limits::default(),
                    &officer,
                    case_id,
                    upload,
                    testkit::now(),
                );
                assert!(
                    attached.is_ok_and(|a| a.signs.is_some()),
                    "filed as the form's signed copy"
                );
                true
            },
            criterion::BatchSize::PerIteration,
        );
    });
    group.finish();
}

/// The size the scanned PDF is made close to: 5 MiB.
const PDF_SIZE: usize = 5 * 1024 * 1024;

/// A scanner's PDF of about [`PDF_SIZE`] bytes: one A4 page at 300 dpi (2,480 × 3,508 pixels)
/// of gray grain, as a JPEG at the quality that comes closest to the size (grain does not
/// compress, as a scanned page's paper and shadows barely do); its catalog carries `tag`, so
/// that every upload is a new file.
struct ScannedPdf {
    jpeg: Vec<u8>,
}

impl ScannedPdf {
    fn new() -> Option<ScannedPdf> {
        let (width, height) = (2480, 3508);
        let mut state = 0x2545_F491_4F6C_DD1D_u64;
        let page = image::GrayImage::from_fn(width, height, |_, _| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            // Light paper with grain, as a scan of a printed page mostly is.
            image::Luma([160 + (state % 96) as u8])
        });
        (10..=95)
            .step_by(5)
            .filter_map(|quality| {
                let mut jpeg = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, quality)
                    .encode_image(&page)
                    .ok()?;
                Some(jpeg)
            })
            .min_by_key(|jpeg| jpeg.len().abs_diff(PDF_SIZE))
            .map(|jpeg| ScannedPdf { jpeg })
    }

    fn pdf(&self, tag: u64) -> Vec<u8> {
        let picture = PagePicture::Jpeg {
            bytes: &self.jpeg,
            width: 2480,
            height: 3508,
        };
        let catalog = lopdf::dictionary! { "SiprocBench" => lopdf::Object::Integer(tag as i64) };
        one_page_pdf(Some(picture), catalog)
    }
}

/// Uploads and downloads of `scanned` into one case of `store`, its files in `blobs`.
fn upload_path(
    c: &mut Criterion,
    name: &str,
    scanned: &ScannedPdf,
    store: &dyn CaseStore,
    blobs: &dyn BlobStore,
) {
    let officer = testkit::officer("TAP");
    let Ok(case) = store::open_case(
        store,
        &testkit::catalog(),
        &officer,
        &testkit::detention_intake("TAP"),
        testkit::now(),
    ) else {
        eprintln!("{name}: cannot open a case");
        return;
    };
    let mut group = c.benchmark_group(format!("5 MiB scanned PDF ({name}, encrypted)"));
    group.sample_size(10);
    group.throughput(Throughput::Bytes(scanned.pdf(0).len() as u64));
    let mut tag = 0_u64;
    group.bench_function("upload (attachments::attach)", |b| {
        b.iter_batched(
            || {
                tag += 1;
                scanned.pdf(tag)
            },
            |pdf| {
                let upload = Upload {
                    content: &pdf,
                    declared: Some("application/pdf"),
                    description: Some("acta de detención escaneada"),
                    expected_version: None,
                };
                let attached = attachments::attach(
                    store,
                    blobs,
                    &Limits::default(),
                    &officer,
                    case.id,
                    upload,
                    testkit::now(),
                );
                assert!(attached.is_ok_and(|a| a.added), "the PDF is kept");
            },
            criterion::BatchSize::PerIteration,
        );
    });
    let on_file = store::load_case(store, case.id)
        .ok()
        .and_then(|case| Some((case.attachments.last()?.sha256.clone(), case)));
    if let Some((sha256, case)) = on_file {
        group.bench_function("download (attachments::attachment)", |b| {
            b.iter(|| {
                black_box(
                    attachments::attachment(store, blobs, &case, &sha256).map(|(_, c)| c.len()),
                )
            });
        });
    }
    group.finish();
}

fn upload_and_download(c: &mut Criterion) {
    let Some(scanned) = ScannedPdf::new() else {
        eprintln!("cannot make the scanned PDF");
        return;
    };
    let master = MasterKey::generate().0;
    let Ok(dir) = tempfile::tempdir() else {
        return;
    };
    let sqlite = |file: &str| {
        store::sqlite::SqliteStore::open_with_key(dir.path().join(file), Some(&master))
    };
    if let Ok(sqlite) = sqlite("upload.db") {
        upload_path(c, "SQLite database", &scanned, &sqlite, &sqlite.blobs());
    }
    // The other backends keep the files only; the cases are in an SQLite store.
    if let (Ok(cases), Ok(directory)) = (
        sqlite("directory.db"),
        DirectoryBlobs::new(dir.path().join("upload-files")),
    ) {
        upload_path(c, "directory", &scanned, &cases, &directory);
    }
    if let Ok(url) = std::env::var("SIPROC_TEST_POSTGRES_URL") {
        siproc_benches::reset_postgres(&url);
        if let Ok(postgres) = store::postgres::PostgresStore::open_with_key(&url, Some(&master)) {
            upload_path(
                c,
                "PostgreSQL database",
                &scanned,
                &postgres,
                &postgres.blobs(),
            );
        }
    }
    if let Ok(place) = std::env::var("SIPROC_BENCH_S3")
        && let Ok(Some(s3)) = BlobPlace::parse(&place).and_then(|p| p.open_outside())
        && let Ok(cases) = sqlite("s3.db")
    {
        upload_path(c, "S3-compatible server", &scanned, &cases, s3.as_ref());
    }
}

criterion_group!(benches, recognise, keep_and_read, upload_and_download);
criterion_main!(benches);
