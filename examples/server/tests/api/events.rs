//! The SSE stream: a registration reaches the directorate within a second and never another
//! office; a reconnect with `Last-Event-ID` misses nothing.

use std::time::Duration;

use serde_json::Value;

use crate::helpers::{TestApp, spawn_app};

/// An open event stream.
pub struct Stream {
    res: reqwest::Response,
    buf: String,
}

impl Stream {
    pub async fn open(app: &TestApp, who: &str, last: Option<&str>) -> Stream {
        Stream::open_at(&app.client, &app.base, &app.tokens[who], last).await
    }

    /// A stream from the server at `base` with `token`.
    pub async fn open_at(
        client: &reqwest::Client,
        base: &str,
        token: &str,
        last: Option<&str>,
    ) -> Stream {
        let mut req = client.get(format!("{base}/events")).bearer_auth(token);
        if let Some(id) = last {
            req = req.header("Last-Event-ID", id);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "text/event-stream");
        Stream {
            res,
            buf: String::new(),
        }
    }

    /// The next case event (id, data), or None if none comes within `wait`; other events
    /// (grants) are passed over.
    pub async fn next(&mut self, wait: Duration) -> Option<(String, Value)> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let (id, event, data) = self.next_event(deadline).await?;
            if let (Some(id), None) = (id, event) {
                return Some((id, data));
            }
        }
    }

    /// The data of the next event named `name` (`event: name`), or None if none comes within
    /// `wait`.
    pub async fn next_named(&mut self, name: &str, wait: Duration) -> Option<Value> {
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            let (_, event, data) = self.next_event(deadline).await?;
            if event.as_deref() == Some(name) {
                return Some(data);
            }
        }
    }

    /// The next event with data: (id, event name, data), or None past `deadline`.
    async fn next_event(
        &mut self,
        deadline: tokio::time::Instant,
    ) -> Option<(Option<String>, Option<String>, Value)> {
        loop {
            if let Some(end) = self.buf.find("\n\n") {
                let block: String = self.buf.drain(..end + 2).collect();
                let (mut id, mut event, mut data) = (None, None, None);
                for line in block.lines() {
                    if let Some(v) = line.strip_prefix("id:") {
                        id = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("event:") {
                        event = Some(v.trim().to_owned());
                    } else if let Some(v) = line.strip_prefix("data:") {
                        data = Some(serde_json::from_str(v.trim()).unwrap());
                    }
                }
                if let Some(data) = data {
                    return Some((id, event, data));
                }
                continue;
            }
            let chunk = tokio::time::timeout_at(deadline, self.res.chunk())
                .await
                .ok()?;
            let chunk = chunk.unwrap()?;
            self.buf.push_str(std::str::from_utf8(&chunk).unwrap());
        }
    }
}

#[tokio::test]
async fn a_registration_reaches_the_directorate_within_a_second_and_no_other_office() {
    let app = spawn_app().await;
    let mut directorate = Stream::open(&app, "directorate", None).await;
    let mut hou = Stream::open(&app, "officer_hou", None).await;
    let mut tap = Stream::open(&app, "officer", None).await;
    let summary = app.register("officer", "TAP").await;
    let (_, data) = directorate
        .next(Duration::from_secs(1))
        .await
        .expect("within 1 s");
    assert_eq!(data["case_id"], summary["id"]);
    assert_eq!(data["number"], summary["number"]);
    assert_eq!(data["office"], "TAP");
    assert_eq!(data["seq"], 1);
    assert_eq!(data["type"], "case_opened");
    assert_eq!(
        data.as_object().unwrap().len(),
        5,
        "no personal data: {data}"
    );
    let (_, mine) = tap.next(Duration::from_secs(1)).await.expect("own office");
    assert_eq!(mine["case_id"], summary["id"]);
    // A HOU case reaches HOU: nothing before it did.
    let hou_case = app.register("officer_hou", "HOU").await;
    let (_, first) = hou.next(Duration::from_secs(1)).await.expect("own office");
    assert_eq!(first["case_id"], hou_case["id"]);
    assert!(hou.next(Duration::from_millis(300)).await.is_none());
}

#[tokio::test]
async fn a_reconnect_with_last_event_id_misses_nothing() {
    let app = spawn_app().await;
    let mut stream = Stream::open(&app, "directorate", None).await;
    app.register("officer", "TAP").await;
    let (first_id, _) = stream.next(Duration::from_secs(1)).await.unwrap();
    drop(stream);
    let mut expected = Vec::new();
    for _ in 0..3 {
        expected.push(app.register("officer", "TAP").await["id"].clone());
    }
    let mut resumed = Stream::open(&app, "directorate", Some(&first_id)).await;
    let mut got = Vec::new();
    for _ in 0..3 {
        let (_, data) = resumed.next(Duration::from_secs(1)).await.expect("resumed");
        got.push(data["case_id"].clone());
    }
    assert_eq!(got, expected);
    let res = app
        .events("directorate")
        .header("Last-Event-ID", "not-a-number")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}
