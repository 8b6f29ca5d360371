//! The web application's files (issue 37): content-hashed names, immutable and compressed;
//! the shell `no-cache` with an ETag that answers 304; the plain addresses still served.
use crate::helpers::spawn_app;

#[tokio::test]
async fn hashed_files_are_immutable_and_compressed_and_the_shell_revalidates() {
    let app = spawn_app().await;
    let root = app.base.trim_end_matches("/api/v1").to_owned();
    let index = app.client.get(format!("{root}/")).send().await.unwrap();
    assert_eq!(index.status(), 200);
    assert_eq!(index.headers()["cache-control"], "no-cache");
    let etag = index.headers()["etag"].clone();
    let html = index.text().await.unwrap();
    let main = html
        .split('"')
        .find(|s| s.starts_with("/app/main.") && s.ends_with(".js"))
        .expect("index.html names main.js")
        .to_owned();
    let hash = &main["/app/main.".len()..main.len() - ".js".len()];
    assert_eq!(hash.len(), 16, "{main}");
    assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));

    let again = app
        .client
        .get(format!("{root}/"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), 304, "the shell revalidates to an empty 304");

    let script = app
        .client
        .get(format!("{root}{main}"))
        .header("accept-encoding", "gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(script.status(), 200);
    assert_eq!(
        script.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(script.headers()["content-encoding"], "gzip");
    assert!(
        script.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript")
    );
    let body = script.bytes().await.unwrap();
    assert_eq!(&body[..2], &[0x1f, 0x8b], "gzip");

    // Imports inside the file name hashed files too.
    let plain = app
        .client
        .get(format!("{root}{main}"))
        .send()
        .await
        .unwrap();
    let text = plain.text().await.unwrap();
    assert!(!text.contains("\"./api.js\""));
    assert!(text.contains("/app/api."));

    let old = app
        .client
        .get(format!("{root}/app/main.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 200, "the plain address is still served");
    assert_eq!(old.headers()["cache-control"], "no-cache");

    let sw = app
        .client
        .get(format!("{root}/sw.js"))
        .send()
        .await
        .unwrap();
    assert_eq!(sw.headers()["cache-control"], "no-cache");
    assert!(
        sw.text().await.unwrap().contains(&main),
        "the service worker pre-caches the hashed files"
    );
}
