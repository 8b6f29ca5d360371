//! `GET /cases/{id}/attachments/{sha256}/thumbnail`: an image's thumbnail is a small JPEG
//! without metadata (a transparent background turned white), answered with the download's
//! headers and logged as a read of the file; a PDF has none; the case's visibility holds.

use image::ImageDecoder;
use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// A `width`×`height` PNG whose left half is transparent and right half a blue gradient.
fn picture(width: u32, height: u32) -> Vec<u8> {
    let img = image::RgbaImage::from_fn(width, height, |x, y| {
        if x < width / 2 {
            image::Rgba([0, 0, 0, 0])
        } else {
            image::Rgba([20, (y % 200) as u8, 200, 255])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

/// Attaches `body` of `content_type` to case `id` as the officer; the attachment's digest.
async fn attach(app: &TestApp, id: &str, content_type: &str, body: Vec<u8>) -> String {
    let res = app
        .attach_raw("officer", id, Some(app.version(id)), content_type, body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let attachment: Value = res.json().await.unwrap();
    attachment["sha256"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn images_have_small_stripped_private_thumbnails_and_pdfs_none() {
    let app = spawn_app().await;
    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap().to_owned();
    let large = attach(&app, &id, "image/png", picture(600, 400)).await;
    let small = attach(&app, &id, "image/png", picture(40, 20)).await;
    let pdf = app
        .form_pdf("officer", &id, "intake_sheet.pdf")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let pdf = attach(&app, &id, "application/pdf", pdf).await;

    // The large image: 256 pixels on its long side, its shape kept, a JPEG with no metadata,
    // the transparent half white; private, never sniffed, shown inline.
    let res = app
        .thumbnail("supervisor", &id, &large)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["content-type"], "image/jpeg");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["cache-control"], "private, no-store");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("inline;")
    );
    let jpeg = res.bytes().await.unwrap().to_vec();
    let mut decoder =
        image::codecs::jpeg::JpegDecoder::new(std::io::Cursor::new(jpeg.as_slice())).unwrap();
    assert_eq!(decoder.exif_metadata().unwrap(), None);
    assert_eq!(decoder.icc_profile().unwrap(), None);
    let thumb = image::load_from_memory(&jpeg).unwrap().to_rgb8();
    assert_eq!(thumb.width(), siproc_core::attachments::thumbnail::SIDE);
    assert!((170..=171).contains(&thumb.height()), "{}", thumb.height());
    let corner = thumb.get_pixel(5, 5).0;
    assert!(corner.iter().all(|c| *c > 240), "{corner:?}");

    // An image already small keeps its size.
    let res = app.thumbnail("officer", &id, &small).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let thumb = image::load_from_memory(&res.bytes().await.unwrap()).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (40, 20));

    // A PDF has no thumbnail; an unknown digest is not attached.
    TestApp::refused(
        app.thumbnail("officer", &id, &pdf),
        404,
        "attachment.no_thumbnail",
    )
    .await;
    let unknown = "0".repeat(64);
    TestApp::refused(
        app.thumbnail("officer", &id, &unknown),
        404,
        "attachment.not_found",
    )
    .await;

    // The case's visibility: another office's officer and a partner do not see it.
    for who in ["officer_mex", "partner"] {
        TestApp::refused(app.thumbnail(who, &id, &large), 404, "store.not_found").await;
    }

    // A thumbnail is a read of the file: in the access log as the download is.
    assert!(app.read_logged(&id, "attachment", "user-supervisor").await);
}
