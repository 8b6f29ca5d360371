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
    assert!(app.read_logged(&id, "attachment", "user-supervisor").await);
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

/// Page 1 of `pdf` rendered by poppler's `pdftoppm` at 150 dpi, in gray, as PNG.
fn scanned(pdf: &[u8]) -> Vec<u8> {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("form.pdf");
    std::fs::write(&input, pdf).unwrap();
    let status = std::process::Command::new("pdftoppm")
        .args([
            "-r",
            "150",
            "-gray",
            "-png",
            "-singlefile",
            "-f",
            "1",
            "-l",
            "1",
        ])
        .arg(&input)
        .arg(dir.path().join("page"))
        .status()
        .expect("pdftoppm (poppler-utils) runs");
    assert!(status.success());
    std::fs::read(dir.path().join("page.png")).unwrap()
}

#[tokio::test]
async fn signed_scans_are_filed_to_the_case_their_qr_code_names() {
    let app = spawn_app().await;
    let mut scans = Vec::new();
    for _ in 0..2 {
        let case = app.register("officer", "TAP").await;
        let id = case["id"].as_str().unwrap().to_owned();
        let pdf = app
            .form_pdf("officer", &id, "intake_sheet.pdf")
            .send()
            .await
            .unwrap();
        assert_eq!(pdf.status(), 200);
        scans.push((id, scanned(&pdf.bytes().await.unwrap())));
    }
    let (a, scan_a) = &scans[0];
    let (b, _) = &scans[1];
    // Case A's form uploaded to case B: refused, nothing recorded.
    let version = app.version(b);
    let res =
        TestApp::json(app.attach_raw("officer", b, Some(version), "image/png", scan_a.clone()))
            .await;
    assert_eq!(res["code"], "signed_copy.other_case");
    assert_eq!(app.version(b), version);
    // An officer of another office cannot file it: the same answer as a code no form has.
    let res = TestApp::json(app.signed_copy("officer_mex", "image/png", scan_a.clone())).await;
    assert_eq!(res["code"], "signed_copy.unknown_form");
    let res = app
        .signed_copy("officer_mex", "image/png", scan_a.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // A page without a form's code.
    let res = app
        .signed_copy("officer", "image/png", png())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    assert_eq!(
        res.json::<Value>().await.unwrap()["code"],
        "signed_copy.no_code"
    );
    // Filed by the bulk route: to case A, its intake sheet.
    let res = app
        .signed_copy("officer", "image/png", scan_a.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let filed: Value = res.json().await.unwrap();
    assert_eq!(filed["case_id"], a.as_str());
    assert_eq!(filed["form"], "intake_sheet");
    assert_eq!(filed["attachment"]["signs"]["code"], filed["code"]);
    // The case's forms say it was received; the public check says a signed copy is on file.
    let case: Value = app
        .get_case("officer", a)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let form = &case["forms"][0];
    assert_eq!(form["code"], filed["code"]);
    assert!(form["signed_copy"]["received_at"].is_string(), "{form}");
    let check: Value = app
        .client
        .post(app.url("/form-checks"))
        .json(&serde_json::json!({ "code": filed["code"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(check["forms"][0]["signed_copy_at"].is_string(), "{check}");
    // The same scan again: already on file.
    let res = app
        .signed_copy("officer", "image/png", scan_a.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}
