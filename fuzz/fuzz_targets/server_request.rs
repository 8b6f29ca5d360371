//! The server's request bodies and headers, through the whole router in process (tower's
//! `oneshot`: every layer, extractor and handler, no socket), on a memory store that holds one
//! case and a token for each role.
//!
//! The input is a request written as text: a first line `METHOD /path?query`, header lines
//! `name: value`, a blank line, then the body (bytes). In the path, `{case}` stands for the id
//! of the stored case; the tokens are `Bearer fuzz-<role>` (officer, supervisor, directorate,
//! partner, auditor). Oracle: no panic, and never a 500: whatever a client sends is its own
//! fault (a 4xx), or the request is served.
#![no_main]

use std::cell::RefCell;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{HeaderName, HeaderValue, Method, Request, StatusCode, Uri, header};
use libfuzzer_sys::fuzz_target;
use siproc_core::store::{self, StoreUrl};
use siproc_core::{Actor, Role};
use siproc_fuzz::{catalog, now, officer, sample_intake};
use siproc_server::db::token_hash;
use siproc_server::startup::{Settings, router};
use siproc_server::state::{AppState, Policy};
use tower::ServiceExt;

/// The application and what the inputs name in it.
struct App {
    runtime: tokio::runtime::Runtime,
    router: Router,
    case: String,
    served: usize,
}

/// The roles that get a token `fuzz-<role>`, each of office TAP (DGPHM for the directorate and
/// the auditor).
const ROLES: [(&str, Role, &str); 5] = [
    ("officer", Role::Officer, "TAP"),
    ("supervisor", Role::Supervisor, "TAP"),
    ("directorate", Role::Directorate, "DGPHM"),
    ("partner", Role::Partner, "TAP"),
    ("auditor", Role::Auditor, "DGPHM"),
];

/// After this many requests the application is built again: the memory store and the access
/// log grow with every request served.
const REBUILD_AFTER: usize = 2_000;

impl App {
    fn build() -> App {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let url = StoreUrl::parse("memory:").unwrap();
        let (cases, db) = siproc_server::store::open(&url, None).unwrap();
        for (role_name, role, office) in ROLES {
            let actor = Actor::new(format!("fuzz-{role_name}"), role, office);
            db.add_token(&token_hash(&format!("fuzz-{role_name}")), &actor)
                .unwrap();
        }
        let opened = store::open_case(
            cases.as_ref(),
            catalog(),
            &officer("TAP"),
            &sample_intake("detention", "TAP"),
            now(),
        )
        .unwrap();
        let state = AppState::new(cases, db, catalog().clone(), 0, Policy::default())
            .expect("the system gives randomness");
        let settings = Settings::new("memory:", SocketAddr::from(([127, 0, 0, 1], 0)));
        App {
            runtime,
            router: router(Arc::new(state), &settings),
            case: opened.id.to_string(),
            served: 0,
        }
    }
}

/// The request the input writes, or `None` when it is not one (a bad method or URI).
fn request(data: &[u8], case: &str) -> Option<Request<Body>> {
    let split = data.windows(2).position(|w| w == b"\n\n");
    let (head, body) = match split {
        Some(at) => (&data[..at], &data[at + 2..]),
        None => (data, &[][..]),
    };
    let head = std::str::from_utf8(head).ok()?;
    let mut lines = head.lines();
    let (method, target) = lines.next()?.split_once(' ')?;
    let method = Method::from_bytes(method.as_bytes()).ok()?;
    let uri: Uri = target.replace("{case}", case).parse().ok()?;
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .body(Body::from(body.to_vec()))
        .ok()?;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.trim().as_bytes()),
            HeaderValue::from_str(value.trim()),
        ) else {
            continue;
        };
        req.headers_mut().append(name, value);
    }
    // What `into_make_service_with_connect_info` gives every request of a real connection.
    req.extensions_mut()
        .insert(ConnectInfo(SocketAddr::from(([127, 0, 0, 1], 40_000))));
    Some(req)
}

thread_local! {
    static APP: RefCell<Option<App>> = const { RefCell::new(None) };
}

fuzz_target!(|data: &[u8]| {
    APP.with_borrow_mut(|slot| {
        if slot.as_ref().is_none_or(|app| app.served >= REBUILD_AFTER) {
            *slot = Some(App::build());
        }
        let Some(app) = slot.as_mut() else { return };
        app.served += 1;
        let Some(req) = request(data, &app.case) else {
            return;
        };
        let what = format!("{} {}", req.method(), req.uri().path());
        let router = app.router.clone();
        app.runtime.block_on(async move {
            let res = router.oneshot(req).await.unwrap();
            let status = res.status();
            let streamed = res
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|t| t.as_bytes().starts_with(b"text/event-stream"));
            if !streamed {
                axum::body::to_bytes(res.into_body(), usize::MAX)
                    .await
                    .unwrap();
            }
            assert_ne!(
                status,
                StatusCode::INTERNAL_SERVER_ERROR,
                "{what} answered 500"
            );
        });
    });
});
