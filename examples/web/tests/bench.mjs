// Size and speed of the web application in headless Chromium against a real server
// (make bench-web; figures in benches/README.md, "Web application"):
// - first load of the intake page (fresh profile): bytes on the wire (encodedDataLength, so
//   compressed bodies plus headers), every request included, and the same on a repeat visit;
// - validation feedback: performance.now() around validateField() for one field, and around
//   the whole input handler (every touched field re-validated and its message redrawn).
import { launch } from "../../../siproc-wasm/tests/browser.mjs";
import { startServer } from "./server.mjs";

const server = await startServer();
const browser = await launch();
try {
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await ctx.addInitScript(([token]) => {
    if (!sessionStorage.getItem("siproc.token")) {
      sessionStorage.setItem("siproc.token", token);
      sessionStorage.setItem("siproc.token.me", JSON.stringify({ user_id: "demo-officer-tap", role: "officer", office: "TAP", sees_cases: true, sees_all_offices: false }));
    }
  }, [server.tokens["demo-officer-tap"]]);
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0, requests = 0;
  const byUrl = new Map();
  const urls = new Map();
  cdp.on("Network.requestWillBeSent", (e) => urls.set(e.requestId, e.request.url));
  cdp.on("Network.loadingFinished", (e) => {
    bytes += e.encodedDataLength;
    requests += 1;
    const u = new URL(urls.get(e.requestId) ?? "http://x/?").pathname;
    byUrl.set(u, (byUrl.get(u) ?? 0) + e.encodedDataLength);
  });
  // Everything the context fetched, the service worker's own requests included.
  let all = 0, allRequests = 0;
  ctx.on("requestfinished", async (request) => {
    const sizes = await request.sizes().catch(() => null);
    if (!sizes) return;
    all += sizes.responseBodySize + sizes.responseHeadersSize;
    allRequests += 1;
  });
  const visit = async () => {
    bytes = 0; requests = 0; byUrl.clear(); all = 0; allRequests = 0;
    await page.goto("about:blank");
    await page.goto(`${server.url}/#/intake`);
    await page.waitForSelector("form#intake[data-ready]");
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForTimeout(1500);
    return { all, allRequests, bytes, requests, byUrl: Object.fromEntries([...byUrl].sort((a, b) => b[1] - a[1]).slice(0, 4)) };
  };
  const first = await visit();
  const repeat = await visit();
  console.log(`first load of the intake page: ${first.bytes} B on the wire in ${first.requests} requests`, first.byUrl);
  console.log(`  with the service worker's requests: ${first.all} B in ${first.allRequests} requests`);
  console.log(`repeat visit: ${repeat.bytes} B in ${repeat.requests} requests from the page; ${repeat.all} B in ${repeat.allRequests} requests with the service worker's background refresh`);

  await page.fill("#f-persons-0-given_names", "María José");
  const timing = await page.evaluate(async () => {
    const wasm = await import("/pkg/siproc_wasm.js");
    const input = document.getElementById("f-persons-0-documents-0-number");
    const values = ["1901-1994-04512", "0801-1994-04512", "0801199404512", "0801-1994-0451"];
    const record = { persons: [{ role: "national", documents: [{ kind: "hn_dni" }] }] };
    const field = [], handler = [];
    for (let i = 0; i < 400; i++) {
      const v = values[i % values.length];
      let t = performance.now();
      wasm.validateField("/persons/0/documents/0/number", v, record, { locale: "es", catalog: "hn" });
      field.push(performance.now() - t);
      t = performance.now();
      input.value = v;
      input.dispatchEvent(new Event("input"));
      handler.push(performance.now() - t);
    }
    const q = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor(p * (xs.length - 1))];
    return { field: [q(field, 0.5), q(field, 0.95)], handler: [q(handler, 0.5), q(handler, 0.95)] };
  });
  console.log(`validateField (DNI), 400 calls: median ${timing.field[0].toFixed(3)} ms, p95 ${timing.field[1].toFixed(3)} ms`);
  console.log(`input handler (re-validate touched fields and redraw): median ${timing.handler[0].toFixed(3)} ms, p95 ${timing.handler[1].toFixed(3)} ms`);
} finally {
  await browser.close();
  await server.stop();
}
