//! `POST /cases/{id}/attachments` and `GET /cases/{id}/attachments/{sha256}`: a form's own PDF
//! and an image uploaded raw and as multipart, downloaded with safe headers and logged, and
//! the refusals (type mismatch, no `If-Match`, a role that does not see the case).

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// A small PNG (a grey gradient).
fn png() -> Vec<u8> {
    let img = image::GrayImage::from_fn(32, 16, |x, _| image::Luma([x as u8 * 8]));
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn files_are_added_downloaded_and_logged() {
    let app = spawn_app().await;
    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap().to_owned();
    // The project's own form as the file.
    let pdf = app
        .form_pdf("officer", &id, "intake_sheet.pdf")
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.status(), 200);
    let pdf = pdf.bytes().await.unwrap().to_vec();
    let version = app.version(&id);
    let res = app
        .attach_raw(
            "officer",
            &id,
            Some(version),
            "application/pdf",
            pdf.clone(),
        )
        .header("X-Attachment-Description", "hoja de registro firmada")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    assert_eq!(
        res.headers()["etag"].to_str().unwrap(),
        format!("\"{}\"", version + 1)
    );
    let href = res.headers()["location"].to_str().unwrap().to_owned();
    let attachment: Value = res.json().await.unwrap();
    assert_eq!(attachment["media_type"], "application/pdf");
    assert_eq!(attachment["size"], pdf.len());
    assert_eq!(attachment["description"], "hoja de registro firmada");
    // The same file again: 200, nothing new.
    let res = app
        .attach_raw(
            "officer",
            &id,
            Some(version + 1),
            "application/pdf",
            pdf.clone(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(app.version(&id), version + 1);
    // Download: the bytes, as an attachment, never sniffed; the read is logged.
    let path = href.trim_start_matches("/api/v1");
    let res = app.get("supervisor", path).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let h = res.headers();
    assert_eq!(h["content-type"], "application/pdf");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().to_vec(), pdf);
    let log = TestApp::json(app.access_log("auditor", &format!("case_id={id}"))).await;
    assert!(
        log["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["what"] == "attachment" && e["user_id"] == "user-supervisor"),
        "{log}"
    );
    // Another office does not see it; an unknown digest is attachment.not_found.
    let res = app.get("officer_mex", path).send().await.unwrap();
    assert_eq!(res.status(), 404);
    let res = app
        .get(
            "officer",
            &format!("/cases/{id}/attachments/{}", "0".repeat(64)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "attachment.not_found");
    // The case lists it.
    let case = TestApp::json(app.get_case("officer", &id)).await;
    assert_eq!(case["attachments"][0]["sha256"], attachment["sha256"]);
}

#[tokio::test]
async fn multipart_uploads_and_refusals() {
    let app = spawn_app().await;
    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap().to_owned();
    let version = app.version(&id);
    let form = reqwest::multipart::Form::new()
        .part(
            "file",
            reqwest::multipart::Part::bytes(png())
                .file_name("Ana Pena pasaporte.png")
                .mime_str("image/png")
                .unwrap(),
        )
        .text("description", "foto");
    let res = app
        .add_attachment("officer", &id)
        .header("If-Match", format!("\"{version}\""))
        .multipart(form)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let attachment: Value = res.json().await.unwrap();
    assert_eq!(attachment["media_type"], "image/png");
    // The file name went nowhere: not in the history.
    let history = app
        .history("officer", &id, "")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!history.contains("pasaporte"), "{history}");
    assert!(history.contains("attachment_added"));
    let version = app.version(&id);
    let send = |who: &'static str, content_type: &'static str, body: Vec<u8>, if_match: bool| {
        app.attach_raw(who, &id, if_match.then_some(version), content_type, body)
            .send()
    };
    let res = send("officer", "application/pdf", png(), true)
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "attachment.media_type_mismatch");
    let res = send("officer", "text/html", b"<script>".to_vec(), true)
        .await
        .unwrap();
    assert_eq!(res.status(), 415);
    let res = send("officer", "image/png", png(), false).await.unwrap();
    assert_eq!(res.status(), 428);
    // A partner sees no case: the case is not found for them, as for every case route.
    let res = send("partner", "image/png", png(), true).await.unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(app.version(&id), version);
}
