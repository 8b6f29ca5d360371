//! Signed forms filed back by their QR code, on generated scans: the project's own PDF forms
//! rendered to images by poppler's `pdftoppm` at 150 and 300 dpi, then rotated by a few
//! degrees, given a phone photo's perspective, grain and JPEG compression, or wrapped in a
//! scanner's PDF. At least 95 % must be filed to the right case and form, and none to a wrong
//! case; a scan of one case's form uploaded to another case is refused.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use std::io::Cursor;
use std::path::Path;
use std::process::Command;

use image::{GrayImage, Luma};
use siproc_core::attachments::testkit::{PagePicture, one_page_pdf};
use siproc_core::attachments::{self, AttachError, Filing, Upload, scan};
use siproc_core::blobs::DirectoryBlobs;
use siproc_core::forms::Generating;
use siproc_core::forms::verification::{FormRegistry, issued_forms};
use siproc_core::store::{self, CaseStore, MemoryStore, testkit};
use siproc_core::{Case, Locale, history};
use uuid::Uuid;

const ORIGIN: &str = "https://siproc.example.org";

/// Renders page 1 of `pdf` with `pdftoppm` at `dpi`, in gray.
fn rasterise(dir: &Path, name: &str, pdf: &[u8], dpi: u32) -> GrayImage {
    let input = dir.join(format!("{name}.pdf"));
    std::fs::write(&input, pdf).unwrap();
    let out = dir.join(format!("{name}-{dpi}"));
    let status = Command::new("pdftoppm")
        .args(["-gray", "-png", "-singlefile", "-f", "1", "-l", "1", "-r"])
        .arg(dpi.to_string())
        .arg(&input)
        .arg(&out)
        .status()
        .expect("pdftoppm (poppler-utils) runs: `make setup-debian` installs it");
    assert!(status.success());
    image::open(out.with_extension("png")).unwrap().to_luma8()
}

/// A small deterministic generator (xorshift), for grain.
struct Grain(u64);

impl Grain {
    fn next(&mut self) -> f32 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % 10_000) as f32 / 10_000.0
    }
}

/// The 3×3 homography taking `from[i]` to `to[i]` (Gaussian elimination on the 8 unknowns).
fn homography(from: [(f32, f32); 4], to: [(f32, f32); 4]) -> [f64; 9] {
    let mut m = [[0.0_f64; 9]; 8];
    for (i, ((x, y), (u, v))) in from.iter().zip(to.iter()).enumerate() {
        let (x, y, u, v) = (f64::from(*x), f64::from(*y), f64::from(*u), f64::from(*v));
        m[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        m[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    for col in 0..8 {
        let pivot = (col..8)
            .max_by(|a, b| m[*a][col].abs().total_cmp(&m[*b][col].abs()))
            .unwrap();
        m.swap(col, pivot);
        for row in 0..8 {
            if row != col {
                let f = m[row][col] / m[col][col];
                let pivot_row = m[col];
                for (cell, p) in m[row].iter_mut().zip(pivot_row).skip(col) {
                    *cell -= f * p;
                }
            }
        }
    }
    let h: Vec<f64> = (0..8).map(|i| m[i][8] / m[i][i]).collect();
    [h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], 1.0]
}

/// `page` as a camera or a skewed scanner sees it: the page's corners land on `corners` (in a
/// frame of the same size, a desk's gray around it), then grain of `noise` levels.
fn warp(page: &GrayImage, corners: [(f32, f32); 4], noise: f32, seed: u64) -> GrayImage {
    let (w, h) = page.dimensions();
    let (wf, hf) = (w as f32, h as f32);
    // Output pixel -> page pixel.
    let back = homography(corners, [(0.0, 0.0), (wf, 0.0), (wf, hf), (0.0, hf)]);
    let mut grain = Grain(seed | 1);
    GrayImage::from_fn(w, h, |x, y| {
        let (x, y) = (f64::from(x), f64::from(y));
        let d = back[6] * x + back[7] * y + back[8];
        let u = (back[0] * x + back[1] * y + back[2]) / d;
        let v = (back[3] * x + back[4] * y + back[5]) / d;
        let value = if u < 0.0 || v < 0.0 || u >= f64::from(w - 1) || v >= f64::from(h - 1) {
            150.0
        } else {
            let (x0, y0) = (u.floor(), v.floor());
            let (fx, fy) = ((u - x0) as f32, (v - y0) as f32);
            let p =
                |dx: u32, dy: u32| f32::from(page.get_pixel(x0 as u32 + dx, y0 as u32 + dy).0[0]);
            let top = p(0, 0) * (1.0 - fx) + p(1, 0) * fx;
            let bottom = p(0, 1) * (1.0 - fx) + p(1, 1) * fx;
            top * (1.0 - fy) + bottom * fy
        };
        let value = value + (grain.next() - 0.5) * 2.0 * noise;
        Luma([value.clamp(0.0, 255.0) as u8])
    })
}

/// The corners of a page of `w`×`h` turned by `degrees` about its centre.
fn rotated(w: u32, h: u32, degrees: f32) -> [(f32, f32); 4] {
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (s, c) = degrees.to_radians().sin_cos();
    let turn = |x: f32, y: f32| {
        let (dx, dy) = (x - cx, y - cy);
        (cx + dx * c - dy * s, cy + dx * s + dy * c)
    };
    let (wf, hf) = (w as f32, h as f32);
    [turn(0.0, 0.0), turn(wf, 0.0), turn(wf, hf), turn(0.0, hf)]
}

/// The corners of a page photographed from below its top edge, a little from the side: the
/// top narrower than the bottom, one side longer, the whole shrunk into the frame.
fn photographed(w: u32, h: u32) -> [(f32, f32); 4] {
    let (wf, hf) = (w as f32, h as f32);
    [
        (0.10 * wf, 0.06 * hf),
        (0.88 * wf, 0.09 * hf),
        (0.97 * wf, 0.97 * hf),
        (0.02 * wf, 0.94 * hf),
    ]
}

fn jpeg(image: &GrayImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(image)
        .unwrap();
    out
}

fn png(image: &GrayImage) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// A scanner's PDF: one page holding `jpeg` (DCTDecode), or the gray samples Flate-compressed.
fn scanned_pdf(image: &GrayImage, as_jpeg: bool) -> Vec<u8> {
    if !as_jpeg {
        return one_page_pdf(Some(PagePicture::Gray(image)), lopdf::Dictionary::new());
    }
    let bytes = jpeg(image, 80);
    let picture = PagePicture::Jpeg {
        bytes: &bytes,
        width: image.width(),
        height: image.height(),
    };
    one_page_pdf(Some(picture), lopdf::Dictionary::new())
}

/// One scan: its bytes, media type, and the case and form code it must be filed to.
struct Scan {
    label: String,
    bytes: Vec<u8>,
    media_type: &'static str,
    case_id: Uuid,
    code: String,
}

/// Variant `i` (0 to 5) of one rendered page (see the module docs).
fn variant(page: &GrayImage, label: &str, seed: u64, i: usize) -> (String, Vec<u8>, &'static str) {
    let (w, h) = page.dimensions();
    match i {
        0 => (format!("{label} as rendered (PNG)"), png(page), "image/png"),
        1 => (
            format!("{label} turned 2.5° with grain, JPEG 75"),
            jpeg(&warp(page, rotated(w, h, 2.5), 18.0, seed), 75),
            "image/jpeg",
        ),
        2 => (
            format!("{label} turned -4° JPEG 50"),
            jpeg(&warp(page, rotated(w, h, -4.0), 6.0, seed + 1), 50),
            "image/jpeg",
        ),
        3 => (
            format!("{label} photographed with grain, JPEG 70"),
            jpeg(&warp(page, photographed(w, h), 22.0, seed + 2), 70),
            "image/jpeg",
        ),
        4 => (
            format!("{label} turned 1.5° in a scanner's PDF (DCTDecode)"),
            scanned_pdf(&warp(page, rotated(w, h, 1.5), 8.0, seed + 3), true),
            "application/pdf",
        ),
        _ => (
            format!("{label} in a scanner's PDF (FlateDecode)"),
            scanned_pdf(page, false),
            "application/pdf",
        ),
    }
}

/// A case and its printed forms: (verification code, PDF) each.
type CaseForms = (Case, Vec<(String, Vec<u8>)>);

/// Two cases of two offices, each with two generated forms; the registry of their forms.
fn cases_with_forms(store: &MemoryStore) -> (Vec<CaseForms>, FormRegistry) {
    let catalog = testkit::catalog();
    let mut out = Vec::new();
    let mut registry = FormRegistry::default();
    for (office, intake) in [
        ("TAP", testkit::detention_intake("TAP")),
        ("MIA", testkit::victim_intake("MIA")),
    ] {
        let officer = testkit::officer(office);
        let mut case =
            store::open_case(store, &catalog, &officer, &intake, testkit::now()).unwrap();
        let mut pdfs = Vec::new();
        for form in ["intake_sheet", "informed_consent"] {
            let (next, rendered) = store::generate_form(
                store,
                &catalog,
                &officer,
                case.id,
                form,
                &Generating {
                    locale: Locale::Es,
                    now: testkit::now(),
                    verify_origin: Some(ORIGIN),
                },
            )
            .unwrap();
            pdfs.push((rendered.code.clone(), rendered.bytes));
            case = next;
        }
        registry.add(issued_forms(
            &case.number,
            &case.office,
            &store.load(case.id).unwrap(),
        ));
        out.push((case, pdfs));
    }
    (out, registry)
}

#[test]
fn generated_scans_are_filed_to_their_case_and_form() {
    let store = MemoryStore::new();
    let dir = tempfile::tempdir().unwrap();
    let blobs = DirectoryBlobs::new(dir.path().join("blobs")).unwrap();
    let (cases, registry) = cases_with_forms(&store);
    let mut scans = Vec::new();
    let mut seed = 7;
    for (case, pdfs) in &cases {
        for (code, pdf) in pdfs {
            for dpi in [150, 300] {
                let page = rasterise(dir.path(), code, pdf, dpi);
                // At 300 dpi (8.7 million pixels, warped in an unoptimised test build): turned
                // with grain, photographed, and in a scanner's PDF.
                let which: &[usize] = if dpi == 300 {
                    &[1, 3, 4]
                } else {
                    &[0, 1, 2, 3, 4, 5]
                };
                for &i in which {
                    let (label, bytes, media_type) =
                        variant(&page, &format!("{code} {dpi} dpi"), seed, i);
                    scans.push(Scan {
                        label,
                        bytes,
                        media_type,
                        case_id: case.id,
                        code: code.clone(),
                    });
                }
                seed += 10;
            }
        }
    }
    let limits = attachments::Limits::default();
    let (mut right, mut wrong, mut missed) = (0, 0, Vec::new());
    for scan in &scans {
        // As the bulk page files a scan: the code read, its case found, the copy filed there.
        let prepared = attachments::prepare(&scan.bytes, Some(scan.media_type), &limits).unwrap();
        let Some(code) = prepared.code.clone() else {
            missed.push(scan.label.clone());
            continue;
        };
        let found = registry.lookup(&code);
        assert_eq!(found.len(), 1, "{}", scan.label);
        let case = store::load_case(&store, found[0].case_id).unwrap();
        let actor = testkit::officer(&case.office);
        let filing = Filing {
            signed_copy_only: true,
            ..Filing::default()
        };
        let filed = attachments::file(
            &store,
            &blobs,
            &actor,
            case.id,
            &prepared,
            filing,
            testkit::now(),
        )
        .unwrap();
        let signs = filed.signs.clone().unwrap();
        if filed.case.id == scan.case_id && signs.code == scan.code {
            right += 1;
        } else {
            wrong += 1;
            eprintln!("filed to the wrong case or form: {}", scan.label);
        }
    }
    let rate = f64::from(right) / scans.len() as f64;
    println!(
        "signed copies filed correctly: {right} of {} ({:.1} %), to a wrong case: {wrong}, not read: {missed:?}",
        scans.len(),
        rate * 100.0
    );
    assert_eq!(wrong, 0);
    assert!(rate >= 0.95, "{:.1} % filed correctly", rate * 100.0);

    // Every form now shows its signed copy, and the history replays to the same case.
    for (case, _) in &cases {
        let events = store.load(case.id).unwrap();
        let now = store::load_case(&store, case.id).unwrap();
        assert!(now.forms.iter().all(|f| f.signed_copy.is_some()));
        assert_eq!(history::replay(&events).unwrap(), now);
        let json = serde_json::to_string(&events).unwrap();
        let back: Vec<history::Event> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, events);
        history::verify(&back).unwrap();
        let issued = issued_forms(&now.number, &now.office, &events);
        assert!(issued.iter().all(|f| f.signed_copy_at.is_some()));
    }
}

#[test]
fn a_scan_of_another_cases_form_is_refused_and_a_plain_file_is_an_attachment() {
    let store = MemoryStore::new();
    let dir = tempfile::tempdir().unwrap();
    let blobs = DirectoryBlobs::new(dir.path().join("blobs")).unwrap();
    let (cases, _) = cases_with_forms(&store);
    let (a, a_pdfs) = &cases[0];
    let (b, _) = &cases[1];
    let page = rasterise(dir.path(), "a", &a_pdfs[0].1, 150);
    let scan = jpeg(
        &warp(&page, rotated(page.width(), page.height(), 2.0), 10.0, 3),
        80,
    );
    let limits = attachments::Limits::default();
    // Case A's form uploaded to case B (an officer of B's office): refused, nothing recorded.
    let before = store.load(b.id).unwrap().len();
    let upload = Upload {
        content: &scan,
        declared: Some("image/jpeg"),
        description: Some("formulario firmado"),
        expected_version: None,
    };
    let err = attachments::attach(
        &store,
        &blobs,
        &limits,
        &testkit::officer(&b.office),
        b.id,
        upload,
        testkit::now(),
    )
    .unwrap_err();
    assert_eq!(err, AttachError::OtherCase);
    assert_eq!(err.code(), "signed_copy.other_case");
    assert_eq!(store.load(b.id).unwrap().len(), before);
    // Uploaded to case A, it is filed as the signed copy of the form it names.
    let filed = attachments::attach(
        &store,
        &blobs,
        &limits,
        &testkit::officer(&a.office),
        a.id,
        upload,
        testkit::now(),
    )
    .unwrap();
    assert!(filed.added);
    let signs = filed.signs.unwrap();
    assert_eq!(signs.code, a_pdfs[0].0);
    let form = filed
        .case
        .forms
        .iter()
        .find(|f| f.code == signs.code)
        .unwrap();
    assert_eq!(
        form.signed_copy.as_ref().unwrap().sha256,
        filed.attachment.sha256
    );
    // A page without a form's code: an ordinary attachment, but no signed copy when one is
    // asked for.
    let blank = png(&GrayImage::from_pixel(400, 560, Luma([250])));
    let prepared = attachments::prepare(&blank, None, &limits).unwrap();
    assert_eq!(prepared.code, None);
    let plain = attachments::attach(
        &store,
        &blobs,
        &limits,
        &testkit::officer(&b.office),
        b.id,
        Upload {
            content: &blank,
            declared: None,
            description: None,
            expected_version: None,
        },
        testkit::now(),
    )
    .unwrap();
    assert!(plain.added && plain.signs.is_none());
    let err = attachments::file(
        &store,
        &blobs,
        &testkit::officer(&b.office),
        b.id,
        &prepared,
        Filing {
            signed_copy_only: true,
            ..Filing::default()
        },
        testkit::now(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "signed_copy.no_code");
    // The PDF siproc generated, uploaded as it is, has its QR code drawn as vectors: no code.
    assert_eq!(scan::read_code(&a_pdfs[0].1, "application/pdf"), None);
}
