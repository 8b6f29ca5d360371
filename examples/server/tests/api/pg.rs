//! The server on a real PostgreSQL (`make test-server-pg` starts one; without
//! `SIPROC_TEST_POSTGRES_URL` these tests say so and pass): every scenario of `api`
//! ([`on_postgres`]), the server's own tables (access log, grants, tokens), `token create`, and
//! events that reach the streams of every process on one database.

use std::time::Duration;

use serde_json::{Value, json};

use crate::events::Stream;
use crate::helpers::spawn_app_on;
use crate::process::{Server, create_token, postgres_database, register_at};

/// The scenarios of `api`, on PostgreSQL (registration, idempotency keys, If-Match races,
/// lists, history, forms, archives: written once there).
mod on_postgres {
    crate::api::scenarios!(crate::helpers::Backend::Postgres);
    crate::accounts::account_scenarios!(crate::helpers::Backend::Postgres);
    crate::signin::signin_scenarios!(crate::helpers::Backend::Postgres);
    crate::selfservice::selfservice_scenarios!(crate::helpers::Backend::Postgres);
}

#[tokio::test]
async fn the_server_tables_live_in_postgres() {
    let Some(db) = postgres_database("server_tables") else {
        return;
    };
    let app = spawn_app_on(&db, 0).await;
    let case = app.register("officer", "TAP").await;
    let id = case["id"].as_str().unwrap();
    // A read, logged before the answer.
    let res = app.get_case("officer", id).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let log: Value = app
        .access_log("auditor", &format!("case={id}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let items = log["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{log}");
    assert_eq!(items[0]["user_id"], "user-officer");
    assert_eq!(items[0]["what"], "case");
    // Break the glass: a grant, then the case opens, and both are in the log with the reason.
    assert_eq!(
        app.get_case("officer_hou", id)
            .send()
            .await
            .unwrap()
            .status(),
        404
    );
    let grant = app
        .break_glass("officer_hou", id)
        .json(&json!({
            "reason_code": "national_at_office",
            "reason": "consulta de la familia en Houston"
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), 201);
    assert_eq!(
        app.get_case("officer_hou", id)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let log: Value = app
        .access_log("auditor", "user=user-officer_hou")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let access: Vec<&str> = log["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["access"].as_str().unwrap())
        .collect();
    assert_eq!(access, ["break_glass", "break_glass"], "{log}");
    // Unknown tokens stay out.
    let res = app
        .client
        .get(app.url("/cases"))
        .bearer_auth("sps_nope")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn token_create_writes_to_postgres() {
    let Some(db) = postgres_database("token_create") else {
        return;
    };
    let token = create_token(&db, "dir-1", "directorate", "DGPHM");
    let server = Server::start(&db);
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{}/cases", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = client
        .get(format!("{}/cases", server.base))
        .bearer_auth("sps_0000")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn events_reach_the_streams_of_every_process() {
    let Some(db) = postgres_database("two_processes") else {
        return;
    };
    let officer_tap = create_token(&db, "off-tap", "officer", "TAP");
    let officer_hou = create_token(&db, "off-hou", "officer", "HOU");
    let directorate = create_token(&db, "dir", "directorate", "DGPHM");
    let a = Server::start(&db);
    let b = Server::start(&db);
    let client = reqwest::Client::new();
    let mut dir_b = Stream::open_at(&client, &b.base, &directorate, None).await;
    let mut hou_b = Stream::open_at(&client, &b.base, &officer_hou, None).await;
    for i in 0..3 {
        let case = register_at(&client, &a.base, &officer_tap, "TAP").await;
        // The bound is 1 s; the test allows 2 s on a loaded machine.
        let (_, data) = dir_b
            .next(Duration::from_secs(2))
            .await
            .unwrap_or_else(|| panic!("registration {i} reached process B"));
        assert_eq!(data["case_id"], case["id"]);
        assert_eq!(data["type"], "case_opened");
    }
    // Another office's stream saw none of it; its own case reaches it.
    let hou_case = register_at(&client, &a.base, &officer_hou, "HOU").await;
    let (_, first) = hou_b
        .next(Duration::from_secs(2))
        .await
        .expect("own office");
    assert_eq!(first["case_id"], hou_case["id"]);
    // A stream on B resumes after a position A's stream gave: positions are the store's.
    let mut dir_a = Stream::open_at(&client, &a.base, &directorate, Some("0")).await;
    let mut on_a = Vec::new();
    for _ in 0..4 {
        on_a.push(dir_a.next(Duration::from_secs(2)).await.expect("from 0"));
    }
    let mut resumed = Stream::open_at(&client, &b.base, &directorate, Some(&on_a[1].0)).await;
    for expected in &on_a[2..] {
        let got = resumed.next(Duration::from_secs(2)).await.expect("resumed");
        assert_eq!(&got, expected);
    }
}

/// Disabling a user on one process ends their token on another sharing the database, at its
/// next request (every request reads the user's state; nothing is cached).
#[tokio::test]
async fn disabling_a_user_on_one_process_stops_their_token_on_the_other() {
    let Some(db) = postgres_database("disable_two_processes") else {
        return;
    };
    let officer = create_token(&db, "off-tap", "officer", "TAP");
    let directorate = create_token(&db, "dir", "directorate", "DGPHM");
    let a = Server::start(&db);
    let b = Server::start(&db);
    let client = reqwest::Client::new();
    let read = |base: &str| {
        client
            .get(format!("{base}/cases"))
            .bearer_auth(&officer)
            .send()
    };
    assert_eq!(read(&b.base).await.unwrap().status(), 200);
    let res = client
        .patch(format!("{}/users/off-tap", a.base))
        .bearer_auth(&directorate)
        .json(&serde_json::json!({"state": "disabled"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(read(&b.base).await.unwrap().status(), 401);
    assert_eq!(read(&a.base).await.unwrap().status(), 401);
}
