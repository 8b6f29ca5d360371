//! Attachments: checked input (limits, media types sniffed, EXIF removed, PDFs without
//! JavaScript or embedded files) and the whole path through a store and blob storage (the
//! `attachment_added` event, the encrypted blob, a flipped byte at rest).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

use std::io::Cursor;

use image::ImageDecoder;
use siproc_core::attachments::{self, CheckError, Limits, Upload, check::check};
use siproc_core::blobs::{BlobStore, DirectoryBlobs};
use siproc_core::store::testkit;
use siproc_core::store::{self, CaseStore, MemoryStore};
use siproc_core::{Actor, Role};

/// A small JPEG photo whose EXIF block carries a GPS position (latitude 14° 5' 30" N).
fn jpeg_with_gps() -> Vec<u8> {
    let img = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8 * 3, y as u8 * 5, 90]));
    let mut plain = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut plain, 90)
        .encode_image(&img)
        .unwrap();
    // TIFF (little endian): IFD0 with the GPS IFD pointer, the GPS IFD with GPSLatitudeRef and
    // GPSLatitude (three rationals).
    let mut tiff: Vec<u8> = b"II*\0".to_vec();
    tiff.extend(8_u32.to_le_bytes());
    tiff.extend(1_u16.to_le_bytes());
    tiff.extend([0x25, 0x88, 4, 0]); // tag 0x8825 GPSInfo, LONG
    tiff.extend(1_u32.to_le_bytes());
    tiff.extend(26_u32.to_le_bytes());
    tiff.extend(0_u32.to_le_bytes());
    tiff.extend(2_u16.to_le_bytes()); // GPS IFD at 26
    tiff.extend([1, 0, 2, 0]); // GPSLatitudeRef, ASCII
    tiff.extend(2_u32.to_le_bytes());
    tiff.extend(*b"N\0\0\0");
    tiff.extend([2, 0, 5, 0]); // GPSLatitude, RATIONAL
    tiff.extend(3_u32.to_le_bytes());
    tiff.extend(56_u32.to_le_bytes());
    tiff.extend(0_u32.to_le_bytes());
    for (n, d) in [(14_u32, 1_u32), (5, 1), (30, 1)] {
        tiff.extend(n.to_le_bytes());
        tiff.extend(d.to_le_bytes());
    }
    let mut app1 = b"Exif\0\0".to_vec();
    app1.extend(tiff);
    let mut out = plain[..2].to_vec();
    out.extend([0xFF, 0xE1]);
    out.extend(u16::try_from(app1.len() + 2).unwrap().to_be_bytes());
    out.extend(app1);
    out.extend(&plain[2..]);
    out
}

fn exif_of(jpeg: &[u8]) -> Option<Vec<u8>> {
    let mut decoder = image::codecs::jpeg::JpegDecoder::new(Cursor::new(jpeg)).unwrap();
    decoder.exif_metadata().unwrap()
}

#[test]
fn images_come_back_without_their_gps_position() {
    let photo = jpeg_with_gps();
    let exif = exif_of(&photo).expect("the test photo carries EXIF");
    assert!(exif.windows(2).any(|w| w == [0x25, 0x88]), "GPS pointer");
    let kept = check(&photo, Some("image/jpeg"), &Limits::default()).unwrap();
    assert_eq!(kept.media_type, "image/jpeg");
    assert_eq!(exif_of(&kept.content), None);
    assert!(!kept.content.windows(4).any(|w| w == b"Exif"));
    // Still the same picture.
    let back = image::load_from_memory(&kept.content).unwrap();
    assert_eq!((back.width(), back.height()), (64, 48));
    // Above the re-encoding size, an image is scaled down and written as JPEG.
    let png = {
        let img = image::RgbImage::from_fn(400, 300, |x, y| image::Rgb([(x ^ y) as u8, 0, 0]));
        let mut out = Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Png).unwrap();
        out.into_inner()
    };
    let limits = Limits {
        reencode_above: 1000,
        max_side: 100,
        ..Limits::default()
    };
    let smaller = check(&png, Some("image/png"), &limits).unwrap();
    assert_eq!(smaller.media_type, "image/jpeg");
    let back = image::load_from_memory(&smaller.content).unwrap();
    assert_eq!(back.width().max(back.height()), 100);
}

fn pdf_with(catalog_extra: lopdf::Dictionary) -> Vec<u8> {
    siproc_core::attachments::testkit::one_page_pdf(None, catalog_extra)
}

#[test]
fn pdfs_parse_and_carry_no_script_nor_embedded_file() {
    use lopdf::{Object, StringFormat, dictionary};
    let plain = pdf_with(dictionary! {});
    assert_eq!(
        check(&plain, Some("application/pdf"), &Limits::default())
            .unwrap()
            .content,
        plain
    );
    let script = pdf_with(dictionary! {
        "OpenAction" => dictionary! {
            "S" => "JavaScript",
            "JS" => Object::String(b"app.alert(1)".to_vec(), StringFormat::Literal),
        },
    });
    assert_eq!(
        check(&script, None, &Limits::default()).unwrap_err(),
        CheckError::PdfJavaScript
    );
    let embedded = pdf_with(dictionary! {
        "Names" => dictionary! { "EmbeddedFiles" => dictionary! { "Names" => Vec::<Object>::new() } },
    });
    assert_eq!(
        check(&embedded, None, &Limits::default()).unwrap_err(),
        CheckError::PdfEmbeddedFile
    );
    let mut broken = plain.clone();
    broken.truncate(40);
    assert_eq!(
        check(&broken, None, &Limits::default()).unwrap_err().code(),
        "attachment.bad_pdf"
    );
}

#[test]
fn sizes_and_media_types_are_held_to_their_limits() {
    let pdf = pdf_with(lopdf::Dictionary::new());
    let limits = Limits::default();
    assert_eq!(check(&[], None, &limits).unwrap_err(), CheckError::Empty);
    let small = Limits {
        max_bytes: 10,
        ..limits
    };
    assert_eq!(
        check(&pdf, None, &small).unwrap_err().code(),
        "attachment.too_large"
    );
    assert_eq!(
        check(&pdf, Some("image/png"), &limits).unwrap_err(),
        CheckError::Mismatch {
            declared: "image/png",
            sniffed: "application/pdf"
        }
    );
    assert_eq!(
        check(&pdf, Some("text/html"), &limits).unwrap_err(),
        CheckError::NotAllowed
    );
    assert_eq!(
        check(b"<html><script>x</script></html>", None, &limits).unwrap_err(),
        CheckError::NotAllowed
    );
    // Parameters and case of the declared type do not matter; image/jpg is JPEG.
    assert!(check(&pdf, Some("Application/PDF; charset=binary"), &limits).is_ok());
    assert!(check(&jpeg_with_gps(), Some("image/jpg"), &limits).is_ok());
}

fn officer() -> Actor {
    testkit::officer("TAP")
}

#[test]
fn attachments_are_recorded_kept_and_checked_on_read() {
    let store = MemoryStore::new();
    let dir = tempfile::tempdir().unwrap();
    let blobs = DirectoryBlobs::new(dir.path()).unwrap();
    let catalog = testkit::catalog();
    let case = store::open_case(
        &store,
        &catalog,
        &officer(),
        &testkit::detention_intake("TAP"),
        testkit::now(),
    )
    .unwrap();
    let photo = jpeg_with_gps();
    let upload = Upload {
        content: &photo,
        declared: Some("image/jpeg"),
        description: Some("foto del pasaporte"),
        expected_version: Some(case.version),
    };
    let now = testkit::now();
    let limits = Limits::default();
    let added =
        attachments::attach(&store, &blobs, &limits, &officer(), case.id, upload, now).unwrap();
    assert!(added.added);
    assert_eq!(added.case.attachments, vec![added.attachment.clone()]);
    let events = store.load(case.id).unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.kind.name(), "attachment_added");
    // The same file again records nothing; a stale version is a conflict; a partner is refused.
    let again = Upload {
        expected_version: Some(added.case.version),
        ..upload
    };
    let same =
        attachments::attach(&store, &blobs, &limits, &officer(), case.id, again, now).unwrap();
    assert!(!same.added);
    assert_eq!(store.load(case.id).unwrap().len(), events.len());
    let err =
        attachments::attach(&store, &blobs, &limits, &officer(), case.id, upload, now).unwrap_err();
    assert_eq!(err.code(), "store.conflict");
    let partner = Actor::new("p", Role::Partner, "TAP");
    let err =
        attachments::attach(&store, &blobs, &limits, &partner, case.id, again, now).unwrap_err();
    assert_eq!(err.code(), "workflow.role_not_allowed");
    // Read back: the stripped file; unknown digest refused; a flipped byte names the case.
    let case = store::load_case(&store, case.id).unwrap();
    let sha = added.attachment.sha256.clone();
    let (_, content) = attachments::attachment(&store, &blobs, &case, &sha).unwrap();
    assert_eq!(exif_of(&content), None);
    assert_eq!(
        attachments::attachment(&store, &blobs, &case, &"0".repeat(64))
            .unwrap_err()
            .code(),
        "attachment.not_found"
    );
    let path = dir.path().join(case.id.to_string()).join(&sha);
    let mut raw = std::fs::read(&path).unwrap();
    raw[100] ^= 1;
    std::fs::write(&path, raw).unwrap();
    let err = attachments::attachment(&store, &blobs, &case, &sha).unwrap_err();
    assert_eq!(err.code(), "blob.damaged");
    assert!(err.to_string().contains(&case.id.to_string()));
    assert_eq!(blobs.list(case.id).unwrap(), vec![sha]);
}

#[test]
fn images_have_small_thumbnails_without_metadata_and_pdfs_none() {
    use attachments::thumbnail::{self, SIDE};
    // A photo larger than a thumbnail, with its GPS position: kept stripped, thumbnailed small.
    let img = image::RgbImage::from_fn(640, 400, |x, y| image::Rgb([x as u8, y as u8, 120]));
    let mut big = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut big, 90)
        .encode_image(&img)
        .unwrap();
    let small = thumbnail::render(&big, "image/jpeg").unwrap();
    assert_eq!(small.media_type, "image/jpeg");
    assert_eq!((small.width, small.height), (SIDE, 160));
    assert_eq!(exif_of(&small.content), None);
    // A picture smaller than a thumbnail keeps its size; the GPS block stays behind.
    let tiny = thumbnail::render(&jpeg_with_gps(), "image/jpeg").unwrap();
    assert_eq!((tiny.width, tiny.height), (64, 48));
    assert_eq!(exif_of(&tiny.content), None);
    // Which types have one; bytes that are no image.
    assert!(thumbnail::has_thumbnail("image/png") && thumbnail::has_thumbnail("image/webp"));
    assert!(!thumbnail::has_thumbnail("application/pdf"));
    assert_eq!(
        thumbnail::render(b"not an image", "image/png").unwrap_err(),
        CheckError::BadImage
    );
    assert_eq!(
        thumbnail::render(b"%PDF-1.7", "application/pdf").unwrap_err(),
        CheckError::NotAllowed
    );

    // Through a store: an image's thumbnail, a PDF's refusal before its file is read.
    let store = MemoryStore::new();
    let dir = tempfile::tempdir().unwrap();
    let blobs = DirectoryBlobs::new(dir.path()).unwrap();
    let case = store::open_case(
        &store,
        &testkit::catalog(),
        &officer(),
        &testkit::detention_intake("TAP"),
        testkit::now(),
    )
    .unwrap();
    let limits = Limits::default();
    let mut version = case.version;
    let mut digests = Vec::new();
    for (content, declared) in [
        (big.as_slice(), "image/jpeg"),
        (&pdf_with(lopdf::Dictionary::new())[..], "application/pdf"),
    ] {
        let upload = Upload {
            content,
            declared: Some(declared),
            description: None,
            expected_version: Some(version),
        };
        let added = attachments::attach(
            &store,
            &blobs,
            &limits,
            &officer(),
            case.id,
            upload,
            testkit::now(),
        )
        .unwrap();
        version = added.case.version;
        digests.push(added.attachment.sha256);
    }
    let case = store::load_case(&store, case.id).unwrap();
    let thumb = attachments::thumbnail(&store, &blobs, &case, &digests[0]).unwrap();
    assert_eq!(thumb.width, SIDE);
    // The PDF's file is removed: the refusal does not read it.
    std::fs::remove_file(dir.path().join(case.id.to_string()).join(&digests[1])).unwrap();
    let err = attachments::thumbnail(&store, &blobs, &case, &digests[1]).unwrap_err();
    assert_eq!(err.code(), "attachment.no_thumbnail");
    let err = attachments::thumbnail(&store, &blobs, &case, &"0".repeat(64)).unwrap_err();
    assert_eq!(err.code(), "attachment.not_found");
}
