//! Erasure through the server (issue 29): only the directorate erases, only a closed case, at
//! the version `If-Match` names, with a reason; afterwards the case shows its erased places, the
//! chain verifies, a name search no longer finds the person, and the audit log holds the
//! erasure.

use serde_json::{Value, json};

use crate::helpers::spawn_app;
use crate::privacy::{assert_hashed_clients, json_of};

/// Sends `request`; answers its status and body.
async fn answer(request: reqwest::RequestBuilder) -> (u16, Value) {
    json_of(request.send().await.unwrap()).await
}

/// Sends `request`; answers its status and error code (none for a success).
async fn code(request: reqwest::RequestBuilder) -> (u16, Option<String>) {
    let (status, body) = answer(request).await;
    (status, body["code"].as_str().map(str::to_owned))
}

#[tokio::test]
async fn the_directorate_erases_a_closed_case_and_the_chain_still_verifies() {
    let app = spawn_app().await;
    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap().to_owned();
    let person = &crate::helpers::intake("TAP")["persons"][0];
    let surnames = person["surnames"].as_str().unwrap();
    let name = format!("{} {surnames}", person["given_names"].as_str().unwrap());
    let erase = |who: &'static str, version: Option<u64>, reason: &str| {
        let request = app.erase(who, &id).json(&json!({ "reason": reason }));
        match version {
            Some(v) => request.header("If-Match", format!("\"{v}\"")),
            None => request,
        }
    };
    let refused = |status: u16, code: &str| (status, Some(code.to_owned()));
    let reason = "resolución DGPHM 17/2026";

    // An open case is not erased.
    let open = code(erase("directorate", Some(1), reason)).await;
    assert_eq!(open, refused(422, "workflow.wrong_status"));
    for command in [
        json!({"command": "change_status", "to": "in_progress"}),
        json!({"command": "change_status", "to": "resolved"}),
        json!({"command": "close", "outcome": "released"}),
    ] {
        assert_eq!(app.command("officer", &id, command).await, 200);
    }
    let v = app.version(&id);
    for (request, expected) in [
        (
            erase("officer", Some(v), reason),
            refused(403, "workflow.role_not_allowed"),
        ),
        (
            erase("directorate", None, reason),
            refused(428, "http.if_match_required"),
        ),
        (
            erase("directorate", Some(v - 1), reason),
            refused(409, "store.conflict"),
        ),
        (
            erase("directorate", Some(v), ""),
            refused(422, "workflow.empty_text"),
        ),
    ] {
        assert_eq!(code(request).await, expected);
    }

    let response = erase("directorate", Some(v), reason).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let etag = response.headers()["etag"].to_str().unwrap().to_owned();
    assert_eq!(etag, format!("\"{}\"", v + 1));
    let (status, body) = answer(app.get_case("directorate", &id)).await;
    assert_eq!(status, 200);
    assert!(
        body["erased"]
            .as_array()
            .unwrap()
            .contains(&json!("/persons/0"))
    );
    assert_eq!(body["persons"][0]["given_names"], "");
    let (_, verify) = answer(app.verify("directorate", &id)).await;
    assert_eq!(verify["ok"], true, "{verify}");
    let (_, history) = answer(app.history("directorate", &id, "")).await;
    assert!(history.to_string().contains("personal_data_erased"));
    assert!(!history.to_string().contains(surnames));
    let search = app
        .search_cases("directorate")
        .json(&json!({ "name": name }));
    let (status, found) = answer(search).await;
    assert_eq!(
        (status, found["items"].as_array().map(Vec::len)),
        (200, Some(0))
    );
    let (status, audit) = answer(app.audit_log("auditor", "kind=personal_data_erased")).await;
    assert_eq!(status, 200, "{audit}");
    let items = audit["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{audit}");
    assert_eq!(items[0]["event"]["case_id"], json!(id), "{audit}");
    assert_hashed_clients(items);

    let again = code(erase("directorate", Some(v + 1), reason)).await;
    assert_eq!(again, refused(422, "workflow.nothing_to_erase"));
}
