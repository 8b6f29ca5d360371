//! Body limits, malformed JSON, rate limits, security headers.

use serde_json::Value;

use crate::helpers::{intake, spawn_app, spawn_app_with};

#[tokio::test]
async fn bodies_over_one_mebibyte_are_413_chunked_or_not() {
    let app = spawn_app().await;
    let big = vec![b' '; 1024 * 1024 + 1];
    let res = app
        .create_case("officer")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    // Chunked: no Content-Length, the limit is found while reading.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        big.chunks(64 * 1024).map(|c| Ok(c.to_vec())).collect();
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(chunks));
    let res = app.create_case("officer").body(body).send().await.unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(app.state.store.list(&Default::default()).unwrap().len(), 0);
}

#[tokio::test]
async fn bodies_past_the_cores_limits_are_413_too_large() {
    let app = spawn_app().await;
    let limits = siproc_core::limits::Limits::DEFAULT;
    let deep = format!(
        r#"{{"office": "TAP", "facts": {{"notes": {}{}}}}}"#,
        "[".repeat(limits.depth + 1),
        "]".repeat(limits.depth + 1)
    );
    let long = format!(
        r#"{{"office": "TAP", "notes": "{}"}}"#,
        "a".repeat(limits.string_bytes + 1)
    );
    for body in [deep, long] {
        let res = app
            .create_case("officer")
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413);
        let answer: Value = res.json().await.unwrap();
        assert_eq!(answer["code"], "siproc.too_large", "{answer}");
        assert!(!answer["message"].as_str().unwrap().contains("aaaa"));
    }
    let id = app.register("officer", "TAP").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let note = format!(
        r#"{{"command": "add_note", "text": "{}"}}"#,
        "a".repeat(limits.string_bytes + 1)
    );
    let res = app
        .run_command("officer", &id)
        .header("If-Match", "\"1\"")
        .body(note)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 413);
    assert_eq!(app.state.store.list(&Default::default()).unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_json_is_400_saying_where_parsing_stopped() {
    let app = spawn_app().await;
    let res = app
        .create_case("officer")
        .header("content-type", "application/json")
        .body("{\n  \"office\": \"TAP\",\n  \"category\" \"detention\"\n}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "http.malformed_json");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("line 3 column 14"),
        "{body}"
    );
    let id = app.register("officer", "TAP").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .run_command("officer", &id)
        .header("If-Match", "\"1\"")
        .body("{\"command\": \"add_note\", \"text\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    // Well-formed JSON of the wrong shape names the path, not the value.
    let res = app
        .run_command("officer", &id)
        .header("If-Match", "\"1\"")
        .body("{\"command\": \"add_note\", \"text\": 12345678}")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "http.wrong_shape");
    assert!(!body["message"].as_str().unwrap().contains("12345678"));
    // The core read it: the issue every face reports. A command's fields are read after its
    // tag (serde buffers the object), so the place is the command itself.
    assert_eq!(body["issues"][0]["code"], "json.bad_value", "{body}");
    assert_eq!(body["issues"][0]["path"], "", "{body}");
    assert!(
        body["message"].as_str().unwrap().ends_with("at /"),
        "{body}"
    );
}

#[tokio::test]
async fn each_token_has_a_rate_limit_answered_429_with_retry_after() {
    let app = spawn_app_with(5).await;
    let mut limited = None;
    for _ in 0..40 {
        let res = app.list_cases("officer", "").send().await.unwrap();
        if res.status() == 429 {
            limited = Some(res);
            break;
        }
    }
    let res = limited.expect("the limit was never reached");
    let retry: u64 = res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(retry >= 1);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], "http.rate_limited");
    // Another token is not affected.
    let res = app.list_cases("supervisor", "").send().await.unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn every_answer_has_security_headers_a_request_id_and_no_cors() {
    let app = spawn_app().await;
    for res in [
        app.client.get(app.url("/health")).send().await.unwrap(),
        app.list_cases("officer", "").send().await.unwrap(),
        app.create_case("officer")
            .json(&intake("MEX"))
            .send()
            .await
            .unwrap(),
        app.client
            .get(app.url("/cases"))
            .header("Origin", "https://evil.example")
            .send()
            .await
            .unwrap(),
    ] {
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["x-frame-options"], "DENY");
        assert!(h.contains_key("content-security-policy"));
        assert!(h.contains_key("x-request-id"));
        assert!(!h.contains_key("access-control-allow-origin"));
    }
}
