// The service worker: keeps the application shell and the WebAssembly module so that the
// intake page opens and validates with no network. The server gives the shell's files
// content-hashed names (examples/server/src/web/assets.rs rewrites the addresses below to them,
// and this file changes with any of them, which installs a new worker): a hashed file never
// changes, so it is answered from the cache without asking the network at all. The page
// itself ("/", which names the hashed files) is answered from the cache and refreshed in the
// background (an empty 304 when its ETag still holds). The API (/api/) is never cached: it
// carries personal data and tokens.
const CACHE = "siproc-shell-v7";
// What the intake needs, offline included, and the case pages' scripts.
const SHELL = [
  "/", "/app/style.css", "/app/main.js", "/app/api.js", "/app/backoff.js", "/app/i18n.js", "/app/load.js",
  "/app/queue.js", "/app/seal.js", "/app/signout.js", "/app/intake.js", "/form.js",
  "/pkg/siproc_wasm.js", "/pkg/siproc_wasm_bg.wasm",
  "/app/cases.js", "/app/casepage.js", "/app/attachments.js", "/app/commands.js", "/app/record.js", "/app/verify.js", "/app/vendor.js",
  "/app/account.js", "/app/credentials.js", "/app/passkey.js", "/app/tokens.js", "/app/users.js",
];
/** A content-hashed address (`/app/main.0123456789abcdef.js`). */
const HASHED = /\.[0-9a-f]{16}\.(js|css|wasm)$/;

self.addEventListener("install", (event) => {
  // The page's own downloads are in the HTTP cache (immutable): most of this is not fetched again.
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  const wanted = new Set(SHELL.map((p) => new URL(p, location.origin).href));
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    // Files of earlier versions (other hashes) are dropped.
    .then(() => caches.open(CACHE))
    .then(async (cache) => Promise.all((await cache.keys()).filter((r) => !wanted.has(r.url)).map((r) => cache.delete(r))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  const key = url.pathname === "/" || url.pathname === "/index.html" ? "/" : url.pathname;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(key);
    if (cached && HASHED.test(url.pathname)) return cached;
    const refresh = fetch(event.request).then((response) => {
      if (response.ok) cache.put(key, response.clone());
      return response;
    });
    if (cached) {
      event.waitUntil(refresh.catch(() => {}));
      return cached;
    }
    return refresh;
  }));
});
