//! Erasure through the server (issue 29): only the directorate erases, only a closed case, at
//! the version `If-Match` names, with a reason; afterwards the case shows its erased places, the
//! chain verifies, a name search no longer finds the person, and the audit log holds the
//! erasure.

use serde_json::{Value, json};

use crate::helpers::spawn_app;

async fn json_of(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn the_directorate_erases_a_closed_case_and_the_chain_still_verifies() {
    let app = spawn_app().await;
    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap().to_owned();
    let person = &crate::helpers::intake("TAP")["persons"][0];
    let name = format!(
        "{} {}",
        person["given_names"].as_str().unwrap(),
        person["surnames"].as_str().unwrap()
    );
    let erase = |who: &'static str, version: Option<u64>| {
        let mut request = app
            .erase(who, &id)
            .json(&json!({"reason": "resolución DGPHM 17/2026"}));
        if let Some(v) = version {
            request = request.header("If-Match", format!("\"{v}\""));
        }
        request
    };

    // An open case is not erased.
    let (status, body) = json_of(erase("directorate", Some(1)).send().await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("workflow.wrong_status"))
    );
    for command in [
        json!({"command": "change_status", "to": "in_progress"}),
        json!({"command": "change_status", "to": "resolved"}),
        json!({"command": "close", "outcome": "released"}),
    ] {
        assert_eq!(app.command("officer", &id, command).await, 200);
    }
    let version = app.version(&id);
    let (status, body) = json_of(erase("officer", Some(version)).send().await.unwrap()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("workflow.role_not_allowed"))
    );
    let (status, _) = json_of(erase("directorate", None).send().await.unwrap()).await;
    assert_eq!(status, 428);
    let (status, body) = json_of(
        erase("directorate", Some(version - 1))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("store.conflict"))
    );
    let (status, body) = json_of(
        app.erase("directorate", &id)
            .header("If-Match", format!("\"{version}\""))
            .json(&json!({"reason": ""}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("workflow.empty_text"))
    );

    let response = erase("directorate", Some(version)).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.headers()["etag"].to_str().unwrap(),
        format!("\"{}\"", version + 1)
    );
    let (status, body) = json_of(app.get_case("directorate", &id).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert!(
        body["erased"]
            .as_array()
            .unwrap()
            .contains(&json!("/persons/0"))
    );
    assert_eq!(body["persons"][0]["given_names"], "");
    let (_, verify) = json_of(app.verify("directorate", &id).send().await.unwrap()).await;
    assert_eq!(verify["ok"], true, "{verify}");
    let (_, history) = json_of(app.history("directorate", &id, "").send().await.unwrap()).await;
    let text = history.to_string();
    assert!(text.contains("personal_data_erased"));
    assert!(!text.contains(person["surnames"].as_str().unwrap()));
    let (status, found) = json_of(
        app.search_cases("directorate")
            .json(&json!({"name": name}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, found["items"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    let (status, audit) = json_of(
        app.audit_log("auditor", "kind=personal_data_erased")
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{audit}");
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{audit}");
    assert_eq!(items[0]["event"]["case_id"], json!(id), "{audit}");

    let (status, body) = json_of(
        erase("directorate", Some(version + 1))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("workflow.nothing_to_erase"))
    );
}
