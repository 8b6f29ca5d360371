// Size and speed of the web application in headless Chromium against a real server
// (make bench-web; figures in benches/README.md, "Web application"):
// - page budgets on an emulated "fast 3G" line (issue 37; CDP Network.emulateNetworkConditions,
//   1.6 Mbit/s down, 750 kbit/s up, 150 ms: pages.mjs PROFILES): the time from the navigation
//   to the page being usable — sign-in (its form drawn), intake (form drawn, which waits for the
//   module: validation loaded), case list (its first page of rows), case page (the case and its
//   verified chain) — read as the page's own performance.now() (milliseconds since the
//   navigation started) when the element appears; on a first visit (a new browser context:
//   empty HTTP cache, no service worker) and a repeat visit (the same context, the service
//   worker installed, after about:blank); the median of RUNS of each, and the bytes on the wire
//   of each load (CDP Network.loadingFinished encodedDataLength: compressed bodies and headers,
//   the page's requests; the service worker's own pre-caching requests are not the page's and
//   mostly hit the HTTP cache);
// - validation feedback: performance.now() around validateField() for one field, and around
//   the whole input handler (every touched field re-validated and its message redrawn).
import { launch } from "../../../siproc-wasm/tests/browser.mjs";
import { call, startServer } from "./server.mjs";
import { PAGE_WASM, throttled } from "./pages.mjs";

const RUNS = Number(process.env.RUNS ?? 3);
const server = await startServer();
const browser = await launch();
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)];
const user = "demo-officer-tap";
const token = server.tokens[user];
const me = (await call(server.url, "/me", { token })).data;
const someCase = (await call(server.url, "/cases?limit=1", { token })).data.items[0].id;

/** The pages measured: where to go, what shows it is usable, whether signed in. */
const PAGES = [
  { name: "sign-in", hash: "#/signin", ready: "main[data-ready][data-page=signin] #token", signedIn: false },
  { name: "intake (validation loaded)", hash: "#/intake", ready: "form#intake[data-ready]", signedIn: true },
  { name: "case list, first page", hash: "#/cases", ready: "#cases tbody tr[data-id]", signedIn: true },
  { name: "case page", hash: `#/case/${someCase}`, ready: "#chain.ok", signedIn: true },
];

/** One load of `page` at `hash`: ms until `ready` shows (performance.now()) and bytes on the wire. */
async function load(tab, hash, ready) {
  let bytes = 0;
  const count = (e) => { bytes += e.encodedDataLength; };
  tab.cdp.on("Network.loadingFinished", count);
  await tab.page.goto("about:blank");
  await tab.page.goto(`${server.url}/${hash}`);
  const ms = await tab.page.waitForFunction((sel) => document.querySelector(sel) && performance.now(), ready,
    { timeout: 60_000, polling: 10 }).then((h) => h.jsonValue());
  await tab.page.waitForTimeout(300); // the page's last requests land
  tab.cdp.off("Network.loadingFinished", count);
  return { ms, bytes };
}

const results = [];
try {
  for (const p of PAGES) {
    const first = [], repeat = [];
    for (let i = 0; i < RUNS; i++) {
      const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "es-HN" });
      if (p.signedIn) {
        await ctx.addInitScript(([t, who]) => {
          sessionStorage.setItem("siproc.token", t);
          sessionStorage.setItem("siproc.token.me", JSON.stringify(who));
        }, [token, me]);
      }
      const tab = await throttled(ctx, "fast 3G");
      first.push(await load(tab, p.hash, p.ready));
      await tab.page.evaluate(() => navigator.serviceWorker.ready);
      await tab.page.waitForTimeout(500);
      repeat.push(await load(tab, p.hash, p.ready));
      await ctx.close();
    }
    const row = {
      page: p.name,
      first_ms: Math.round(median(first.map((r) => r.ms))), first_bytes: median(first.map((r) => r.bytes)),
      repeat_ms: Math.round(median(repeat.map((r) => r.ms))), repeat_bytes: median(repeat.map((r) => r.bytes)),
      runs: { first: first.map((r) => Math.round(r.ms)), repeat: repeat.map((r) => Math.round(r.ms)) },
    };
    results.push(row);
    console.log(JSON.stringify(row));
  }
  console.log("\nfast 3G (1.6 Mbit/s down, 750 kbit/s up, 150 ms), median of", RUNS);
  console.log("| page | first visit | bytes | repeat visit | bytes |\n|---|---:|---:|---:|---:|");
  for (const r of results) {
    console.log(`| ${r.page} | ${(r.first_ms / 1000).toFixed(2)} s | ${r.first_bytes.toLocaleString("en")} B | ${(r.repeat_ms / 1000).toFixed(2)} s | ${r.repeat_bytes.toLocaleString("en")} B |`);
  }

  // Validation feedback, unthrottled.
  const ctx = await browser.newContext({ viewport: { width: 1100, height: 900 } });
  await ctx.addInitScript(([t, who]) => {
    sessionStorage.setItem("siproc.token", t);
    sessionStorage.setItem("siproc.token.me", JSON.stringify(who));
  }, [token, me]);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/#/intake`);
  await page.waitForSelector("form#intake[data-ready]");
  await page.fill("#f-persons-0-given_names", "María José");
  const timing = await page.evaluate(`${PAGE_WASM}.then((wasm) => {
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
  })`);
  console.log(`\nvalidateField (DNI), 400 calls: median ${timing.field[0].toFixed(3)} ms, p95 ${timing.field[1].toFixed(3)} ms`);
  console.log(`input handler (re-validate touched fields and redraw): median ${timing.handler[0].toFixed(3)} ms, p95 ${timing.handler[1].toFixed(3)} ms`);
} finally {
  await browser.close();
  await server.stop();
}
