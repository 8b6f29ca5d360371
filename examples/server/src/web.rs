//! The web application at `/`: the pages (`examples/web/app`, shared form code in
//! `examples/web/form.js`), the WebAssembly package (`siproc-wasm/pkg/web`, built by
//! `make build-wasm`) under `/pkg/`, and the service worker at `/sw.js` (served from the root
//! so that it may control every page).
//!
//! Size and caching (issue 37): the scripts, style sheet and WebAssembly module are also
//! served under content-hashed names (`assets`: `/app/main.<hash>.js`), read once when the
//! router is built, gzip-compressed once, with `Cache-Control: public, max-age=31536000,
//! immutable`; `index.html` (at `/`) and the service worker (`/sw.js`) name those files and are
//! `no-cache` with an `ETag`, so that a repeat visit revalidates only them. The plain addresses
//! (`/app/main.js`, `/pkg/…`) stay, `no-cache` with a `Last-Modified` date, for the example page
//! and older pages; there tower-http's `CompressionLayer` answers brotli or gzip as the browser
//! asks, and the WebAssembly module is served pre-compressed when `make build-web` wrote a `.gz`
//! beside it (brotli at tower-http's default level took 1.3 s per request for the 1.1 MB module,
//! for 6 % fewer bytes than gzip -9: benches/README.md, "Web application"). tower-http's `fs`
//! and `compression-*` features are used rather than a static-file crate: the server already
//! stands on tower-http, and `ServeDir` answers `If-Modified-Since` and ranges, and picks
//! pre-compressed files.
//!
//! Third-party browser libraries, pinned in `examples/web/package.json` and installed by
//! `make setup-web` (`npm ci`), are served from its `node_modules` under `/vendor/`: Chart.js
//! (the statistics dashboard's charts) and jsQR (reading a form's QR code where the browser has
//! no `BarcodeDetector`).
//!
//! A printed form's QR code is an address here, `/v/<code>`
//! ([`siproc_core::forms::verification::verification_url`]): it redirects to the public
//! verification page with the code filled in (`/#/verify/<code>`), which checks it at once.
//!
//! The folders are found next to this crate's sources; `SIPROC_WEB_DIR` (the `examples/web`
//! folder) and `SIPROC_WASM_PKG` (the web build of the package) override them.

mod assets;

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Redirect;
use axum::routing::{MethodRouter, get};
use tower::ServiceBuilder;
use tower_http::compression::CompressionLayer;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

/// The pages' content security policy: scripts, styles, workers and requests from this
/// origin only; WebAssembly compiled from this origin's module.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; \
     style-src 'self'; img-src 'self' data:; connect-src 'self'; worker-src 'self'; \
     object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Where the web application's files are.
#[derive(Debug, Clone)]
pub struct WebRoot {
    /// The `examples/web` folder.
    pub pages: PathBuf,
    /// The web build of the WebAssembly package.
    pub pkg: PathBuf,
}

impl WebRoot {
    /// The folders of this source tree, or those `SIPROC_WEB_DIR` and `SIPROC_WASM_PKG` name.
    pub fn from_env() -> WebRoot {
        let here = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
        WebRoot {
            pages: std::env::var_os("SIPROC_WEB_DIR")
                .map_or_else(|| here.join("..").join("web"), PathBuf::from),
            pkg: std::env::var_os("SIPROC_WASM_PKG").map_or_else(
                || {
                    here.join("..")
                        .join("..")
                        .join("siproc-wasm")
                        .join("pkg")
                        .join("web")
                },
                PathBuf::from,
            ),
        }
    }
}

/// `GET` of one file held in memory, with `cache_control`.
fn serve<S: Clone + Send + Sync + 'static>(
    asset: Arc<assets::Asset>,
    cache_control: &'static str,
) -> MethodRouter<S> {
    get(move |headers: HeaderMap| async move { assets::respond(&asset, &headers, cache_control) })
}

/// `GET /v/{code}`, a form's QR code: the verification page, the code filled in (the canonical
/// short code; anything else opens the page empty).
async fn verify_page(axum::extract::Path(code): axum::extract::Path<String>) -> Redirect {
    match siproc_core::forms::verification::parse_code(&code) {
        Some(code) => Redirect::to(&format!("/#/verify/{code}")),
        None => Redirect::to("/#/verify"),
    }
}

/// The router of the web application's files.
pub fn router<S: Clone + Send + Sync + 'static>(root: &WebRoot) -> Router<S> {
    let app = root.pages.join("app");
    let modules = root.pages.join("node_modules");
    let headers = ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-cache"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CONTENT_SECURITY_POLICY),
        ))
        .layer(CompressionLayer::new());
    let files = assets::Assets::shared(root);
    let mut router = Router::new();
    for (address, asset) in &files.hashed {
        router = router.route(address, serve(Arc::clone(asset), assets::IMMUTABLE));
    }
    // The shell and the service worker name the hashed files; without them (no app folder)
    // the files on disk.
    router = match files.index.clone() {
        Some(index) => router.route("/", serve(index, "no-cache")),
        None => router.route_service("/", ServeFile::new(app.join("index.html"))),
    };
    router = match files.service_worker.clone() {
        Some(sw) => router.route("/sw.js", serve(sw, "no-cache")),
        None => router.route_service("/sw.js", ServeFile::new(app.join("sw.js"))),
    };
    router
        .route("/v/{code}", get(verify_page))
        .route_service("/form.js", ServeFile::new(root.pages.join("form.js")))
        .nest_service("/app", ServeDir::new(app))
        .route_service(
            "/vendor/chart.umd.min.js",
            ServeFile::new(modules.join("chart.js/dist/chart.umd.min.js")),
        )
        .route_service(
            "/vendor/jsQR.js",
            ServeFile::new(modules.join("jsqr/dist/jsQR.js")),
        )
        .nest_service("/pkg", ServeDir::new(&root.pkg).precompressed_gzip())
        .layer(headers)
}
