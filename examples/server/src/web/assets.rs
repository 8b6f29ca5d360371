//! The web application's files under content-hashed names (issue 37): read once when the
//! router is built, each script, style sheet and WebAssembly module is given the name
//! `<stem>.<hash>.<ext>` (the hash: the first 16 hex digits of the SHA-256 of what is served)
//! and served from memory with `Cache-Control: public, max-age=31536000, immutable`, already
//! compressed (gzip). A repeat visit then asks for nothing but `index.html` (and the service
//! worker's `/sw.js`), which stay `no-cache` with an `ETag`, and name the hashed files.
//!
//! References between files are rewritten before hashing: every quoted string in a text file
//! (`"./api.js"`, `'siproc_wasm_bg.wasm'`, `"/app/style.css"`) that resolves, from the file's
//! own address, to another file of the set becomes that file's hashed address. A file's hash
//! therefore covers the hashed names of what it imports, and a change anywhere renames every
//! file that leads to it (a module graph is a tree of imports: a cycle is refused). Nothing else
//! in the files changes; the plain addresses (`/app/main.js`) are still served, `no-cache`, by
//! the folders' `ServeDir`s, so that an old page or service worker keeps working.
//!
//! Files are read when the server starts: editing them needs a restart (the browser tests and
//! `make run` start a fresh server). A missing file (the WebAssembly package before
//! `make build-wasm`) is left out and references to it keep the plain address.
//!
//! Compression: gzip (flate2, already the workspace's deflate crate, for siproc-core's PDF
//! streams) at level 9 once per file; the WebAssembly module's `.gz` from `make build-web` is
//! used when present, as before. Brotli is left to the compression layer for the plain
//! addresses: at its best level it is too slow to run at each start for the 1 MB module.
use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use super::WebRoot;

/// `Cache-Control` of a hashed file: it never changes under its name.
pub const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// One file as served.
#[derive(Debug)]
pub struct Asset {
    /// The bytes, uncompressed.
    pub body: Bytes,
    /// The same, gzip-compressed, when that is smaller.
    pub gzip: Option<Bytes>,
    /// Its media type.
    pub content_type: &'static str,
    /// A strong validator of `body`.
    pub etag: HeaderValue,
}

/// The web application's files, read and named once.
#[derive(Debug, Default)]
pub struct Assets {
    /// Hashed address (`/app/main.0123456789abcdef.js`) → file.
    pub hashed: BTreeMap<String, Arc<Asset>>,
    /// Plain address (`/app/main.js`) → hashed address.
    pub names: BTreeMap<String, String>,
    /// `index.html` with the hashed names, served at `/`.
    pub index: Option<Arc<Asset>>,
    /// The service worker with the hashed names, served at `/sw.js`.
    pub service_worker: Option<Arc<Asset>>,
}

/// Why the files could not be named.
#[derive(Debug, thiserror::Error)]
pub enum AssetError {
    /// Two files import each other (directly or not): neither name can cover the other's.
    #[error("web.import_cycle: the web application's files import each other through {0}")]
    Cycle(String),
}

/// The files of `root` (plain address → path on disk), those that exist.
fn sources(root: &WebRoot) -> BTreeMap<String, PathBuf> {
    let mut out = BTreeMap::new();
    let app = root.pages.join("app");
    if let Ok(entries) = std::fs::read_dir(&app) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if (name.ends_with(".js") || name.ends_with(".css")) && name != "sw.js" {
                out.insert(format!("/app/{name}"), entry.path());
            }
        }
    }
    let modules = root.pages.join("node_modules");
    for (address, path) in [
        ("/form.js", root.pages.join("form.js")),
        ("/pkg/siproc_wasm.js", root.pkg.join("siproc_wasm.js")),
        (
            "/pkg/siproc_wasm_bg.wasm",
            root.pkg.join("siproc_wasm_bg.wasm"),
        ),
        (
            "/vendor/chart.umd.min.js",
            modules.join("chart.js/dist/chart.umd.min.js"),
        ),
        ("/vendor/jsQR.js", modules.join("jsqr/dist/jsQR.js")),
    ] {
        if path.is_file() {
            out.insert(address.to_owned(), path);
        }
    }
    out
}

fn content_type(address: &str) -> &'static str {
    match address.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("html") => "text/html; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// Whether the file is text whose references may be rewritten (the module is the one binary).
fn is_text(address: &str) -> bool {
    !address.ends_with(".wasm")
}

/// `reference` (as written in the file at `from`) as an absolute address, when it names a
/// file of the kinds this module serves.
fn resolve(from: &str, reference: &str) -> Option<String> {
    if !(reference.ends_with(".js") || reference.ends_with(".css") || reference.ends_with(".wasm"))
        || reference.contains("://")
    {
        return None;
    }
    let mut parts: Vec<&str> = if reference.starts_with('/') {
        Vec::new()
    } else {
        let dir = from.get(..from.rfind('/').unwrap_or(0)).unwrap_or_default();
        dir.split('/').filter(|p| !p.is_empty()).collect()
    };
    for part in reference.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// The quoted strings of `text` that resolve to an address of `known`: (start, end, address)
/// of each string's content.
fn references(
    from: &str,
    text: &str,
    known: &BTreeMap<String, PathBuf>,
) -> Vec<(usize, usize, String)> {
    let mut found = Vec::new();
    // The last quote seen with no white space after it: where a string may have started.
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if matches!(c, '"' | '\'' | '`') {
            if let Some(start) = open {
                let inner = text.get(start + 1..i).unwrap_or_default();
                if let Some(address) = resolve(from, inner).filter(|a| known.contains_key(a)) {
                    found.push((start + 1, i, address));
                }
            }
            open = Some(i);
        } else if c.is_whitespace() {
            open = None;
        }
    }
    found
}

/// `text` with each reference replaced by its hashed address from `names`.
fn rewrite(
    text: &str,
    refs: &[(usize, usize, String)],
    names: &BTreeMap<String, String>,
) -> String {
    let mut out = String::with_capacity(text.len() + refs.len() * 20);
    let mut at = 0;
    for (start, end, address) in refs {
        out.push_str(text.get(at..*start).unwrap_or_default());
        out.push_str(names.get(address).map_or(address.as_str(), String::as_str));
        at = *end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `/app/main.js` with hash `h` → `/app/main.h.js`.
fn hashed_name(address: &str, hash: &str) -> String {
    match address.rsplit_once('.') {
        Some((stem, ext)) if !ext.contains('/') => format!("{stem}.{hash}.{ext}"),
        _ => format!("{address}.{hash}"),
    }
}

fn gzip(bytes: &[u8]) -> Option<Bytes> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    encoder.write_all(bytes).ok()?;
    let out = encoder.finish().ok()?;
    (out.len() < bytes.len()).then(|| Bytes::from(out))
}

fn asset(address: &str, body: Bytes, gzip_body: Option<Bytes>) -> Asset {
    let hex = sha256_hex(&body);
    let etag = HeaderValue::from_str(&format!("\"{}\"", hex.get(..32).unwrap_or(&hex)))
        .unwrap_or(HeaderValue::from_static("\"\""));
    Asset {
        gzip: gzip_body,
        content_type: content_type(address),
        etag,
        body,
    }
}

impl Assets {
    /// Reads the files of `root`, rewrites their references and names them by content.
    pub fn load(root: &WebRoot) -> Result<Assets, AssetError> {
        let known = sources(root);
        let mut raw: HashMap<String, Vec<u8>> = HashMap::new();
        for (address, path) in &known {
            if let Ok(bytes) = std::fs::read(path) {
                raw.insert(address.clone(), bytes);
            }
        }
        let known: BTreeMap<String, PathBuf> = known
            .into_iter()
            .filter(|(a, _)| raw.contains_key(a))
            .collect();
        let mut assets = Assets::default();
        let mut visiting = HashSet::new();
        for address in known.keys() {
            assets.name(address, &known, &raw, &mut visiting)?;
        }
        // The pages that are not renamed: the shell and the service worker.
        let app = root.pages.join("app");
        for (file, address) in [("index.html", "/index.html"), ("sw.js", "/sw.js")] {
            let Ok(text) = std::fs::read_to_string(app.join(file)) else {
                continue;
            };
            let refs = references(address, &text, &known);
            let body = Bytes::from(rewrite(&text, &refs, &assets.names));
            let zipped = gzip(&body);
            let served = Arc::new(asset(address, body, zipped));
            if file == "index.html" {
                assets.index = Some(served);
            } else {
                assets.service_worker = Some(served);
            }
        }
        Ok(assets)
    }

    /// Names `address` (after every file it refers to); returns its hashed address.
    fn name(
        &mut self,
        address: &str,
        known: &BTreeMap<String, PathBuf>,
        raw: &HashMap<String, Vec<u8>>,
        visiting: &mut HashSet<String>,
    ) -> Result<String, AssetError> {
        if let Some(done) = self.names.get(address) {
            return Ok(done.clone());
        }
        if !visiting.insert(address.to_owned()) {
            return Err(AssetError::Cycle(address.to_owned()));
        }
        let bytes = &raw[address];
        let (body, gzip_body) = match std::str::from_utf8(bytes).ok().filter(|_| is_text(address)) {
            Some(text) => {
                let refs = references(address, text, known);
                for (_, _, to) in &refs {
                    if to != address {
                        self.name(to, known, raw, visiting)?;
                    }
                }
                let body = Bytes::from(rewrite(text, &refs, &self.names));
                let zipped = gzip(&body);
                (body, zipped)
            }
            None => {
                // The module: make build-web's gzip -9 copy when it is of these bytes.
                let path = &known[address];
                let mut gz = path.as_os_str().to_owned();
                gz.push(".gz");
                let zipped = fresh_gzip(path, Path::new(&gz)).map(Bytes::from);
                (Bytes::copy_from_slice(bytes), zipped)
            }
        };
        let hash = sha256_hex(&body);
        let hashed = hashed_name(address, hash.get(..16).unwrap_or(&hash));
        self.hashed
            .insert(hashed.clone(), Arc::new(asset(address, body, gzip_body)));
        self.names.insert(address.to_owned(), hashed.clone());
        visiting.remove(address);
        Ok(hashed)
    }

    /// The assets of `root`, loaded once per process (the router is built for every test
    /// application; the files do not change while it runs).
    pub fn shared(root: &WebRoot) -> Arc<Assets> {
        static LOADED: OnceLock<Mutex<HashMap<Roots, Arc<Assets>>>> = OnceLock::new();
        let key = (root.pages.clone(), root.pkg.clone());
        let mut loaded = LOADED
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loaded
            .entry(key)
            .or_insert_with(|| {
                Arc::new(Assets::load(root).unwrap_or_else(|e| {
                    tracing::error!(error = %e, "the web application's files keep their plain names");
                    Assets::default()
                }))
            })
            .clone()
    }
}

/// The folders an `Assets` was read from (pages, package).
type Roots = (PathBuf, PathBuf);

/// The `.gz` beside `path` when it is not older than `path`.
fn fresh_gzip(path: &Path, gz: &Path) -> Option<Vec<u8>> {
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
    if modified(gz)? < modified(path)? {
        return None;
    }
    std::fs::read(gz).ok()
}

fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.trim().split(';');
            let name = parts.next().unwrap_or("").trim();
            let refused = parts.any(|p| {
                p.trim()
                    .strip_prefix("q=")
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    == Some(0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

/// The answer for `asset`: gzip when the browser takes it, `cache_control` as given, and a
/// 304 to an `If-None-Match` that names its `ETag`.
pub fn respond(asset: &Asset, headers: &HeaderMap, cache_control: &'static str) -> Response {
    let mut response = if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| {
            tags.split(',')
                .any(|t| t.trim() == asset.etag || t.trim() == "*")
        }) {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        let mut r = match asset.gzip.as_ref().filter(|_| accepts_gzip(headers)) {
            Some(zipped) => {
                let mut r = Response::new(Body::from(zipped.clone()));
                r.headers_mut()
                    .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
                r
            }
            None => Response::new(Body::from(asset.body.clone())),
        };
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(asset.content_type),
        );
        r
    };
    let h = response.headers_mut();
    h.insert(header::ETAG, asset.etag.clone());
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    h.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_references_from_the_file_address() {
        assert_eq!(
            resolve("/app/main.js", "./api.js").as_deref(),
            Some("/app/api.js")
        );
        assert_eq!(
            resolve("/form.js", "./app/i18n.js").as_deref(),
            Some("/app/i18n.js")
        );
        assert_eq!(
            resolve("/pkg/siproc_wasm.js", "siproc_wasm_bg.wasm").as_deref(),
            Some("/pkg/siproc_wasm_bg.wasm")
        );
        assert_eq!(
            resolve("/app/x.js", "/pkg/siproc_wasm.js").as_deref(),
            Some("/pkg/siproc_wasm.js")
        );
        assert_eq!(resolve("/app/x.js", "../../../x.js"), None);
        assert_eq!(resolve("/app/x.js", "#/cases"), None);
        assert_eq!(resolve("/app/x.js", "https://example.org/a.js"), None);
    }

    #[test]
    fn rewrites_only_quoted_known_addresses() {
        let known: BTreeMap<String, PathBuf> = ["/app/api.js", "/app/i18n.js"]
            .iter()
            .map(|a| ((*a).to_owned(), PathBuf::new()))
            .collect();
        let names: BTreeMap<String, String> = [
            ("/app/api.js".to_owned(), "/app/api.1.js".to_owned()),
            ("/app/i18n.js".to_owned(), "/app/i18n.2.js".to_owned()),
        ]
        .into();
        let text = "// it's api.js\nimport { api } from \"./api.js\";\nconst x = import('./i18n.js'); \"./other.js\"";
        let refs = references("/app/main.js", text, &known);
        assert_eq!(
            rewrite(text, &refs, &names),
            "// it's api.js\nimport { api } from \"/app/api.1.js\";\nconst x = import('/app/i18n.2.js'); \"./other.js\""
        );
    }

    #[test]
    fn hashed_names_keep_the_extension() {
        assert_eq!(hashed_name("/app/main.js", "ab"), "/app/main.ab.js");
        assert_eq!(
            hashed_name("/pkg/siproc_wasm_bg.wasm", "ab"),
            "/pkg/siproc_wasm_bg.ab.wasm"
        );
    }

    #[test]
    fn gzip_is_taken_unless_refused() {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("br, gzip"),
        );
        assert!(accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("gzip;q=0, br"),
        );
        assert!(!accepts_gzip(&h));
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_static("identity"),
        );
        assert!(!accepts_gzip(&h));
    }

    #[test]
    fn the_demo_application_is_named_without_cycles() {
        let root = WebRoot::from_env();
        let assets = Assets::load(&root).expect("no import cycle");
        let main = &assets.names["/app/main.js"];
        assert!(main.starts_with("/app/main.") && main.ends_with(".js"));
        let index = assets.index.as_ref().expect("index.html");
        let index = std::str::from_utf8(&index.body).expect("utf-8");
        assert!(
            index.contains(main.as_str()),
            "index.html names the hashed main.js"
        );
        let main = std::str::from_utf8(&assets.hashed[main].body).expect("utf-8");
        assert!(main.contains(assets.names["/app/api.js"].as_str()));
        assert!(!main.contains("\"./api.js\""));
    }
}
