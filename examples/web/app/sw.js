// The service worker: keeps the application shell and the WebAssembly module so that the
// intake page opens and validates with no network. Shell files are answered from the cache
// first and refreshed in the background (the server's `Cache-Control: no-cache` and
// `Last-Modified` make that refresh an empty 304 when nothing changed). The API (/api/) is
// never cached: it carries personal data and tokens.
const CACHE = "siproc-shell-v4";
const SHELL = [
  "/", "/app/style.css", "/app/main.js", "/app/api.js", "/app/i18n.js", "/app/queue.js",
  "/app/intake.js", "/app/cases.js", "/app/casepage.js", "/app/commands.js", "/app/verify.js",
  "/app/vendor.js", "/form.js",
  "/pkg/siproc_wasm.js", "/pkg/siproc_wasm_bg.wasm",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(caches.keys()
    .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
    .then(() => self.clients.claim()));
});

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== location.origin || url.pathname.startsWith("/api/")) return;
  const key = url.pathname === "/" || url.pathname === "/index.html" ? "/" : url.pathname;
  event.respondWith(caches.open(CACHE).then(async (cache) => {
    const cached = await cache.match(key);
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
