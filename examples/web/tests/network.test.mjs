// The web application on a consulate's slow connection (issue 37), in headless Chromium with the
// DevTools protocol's network emulation (Network.emulateNetworkConditions, pages.mjs PROFILES:
// "fast 3G" 1.6 Mbit/s down, 750 kbit/s up, 150 ms; "slow 3G" 400 kbit/s, 400 ms) against a
// real server:
//
// - first visit on fast 3G, empty cache: sign-in, the case list (where the module's late arrival
//   showed a raw TypeError), the intake with its validation, a registration, the case page and a
//   command, verification, statistics; then a repeat visit with the service worker warm, in
//   which no script, style sheet or module is asked of the network;
// - slow 3G: the intake on a first visit, the intake, case list and case page on a repeat visit;
// - the connection dropping in the middle of a page load: a translated message with a retry,
//   the page drawn once the connection returns (by itself, or with the button);
// - the live list's event stream cut and back: reconnected with backoff, the case registered
//   meanwhile shown once.
//
// One profile per scenario where both are not needed, to keep the added time small.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { call, root } from "./server.mjs";
import { fill, go, relay, signIn, throttled, valid } from "./pages.mjs";

const SHOTS = join(root, "docs", "screenshots");
/** A content-hashed address, as examples/server/src/web/assets.rs names the files. */
const HASHED = /\.[0-9a-f]{16}\.(js|css|wasm)$/;

let server;
/** A case of the Tapachula officer's, registered through the API. */
let registered;
const { context } = harness(async (h) => {
  server = h.server;
  const created = await call(server.url, "/cases", { token: server.tokens["demo-officer-tap"], method: "POST", body: valid("Previa Soto") });
  registered = created.data;
});

/** A context whose tabs start signed in as `user` (the sign-in page itself is tested above). */
async function signedInContext(user, options = {}) {
  const ctx = await context(options);
  const me = (await call(server.url, "/me", { token: server.tokens[user] })).data;
  await ctx.addInitScript(([token, who]) => {
    if (!sessionStorage.getItem("siproc.token")) {
      sessionStorage.setItem("siproc.token", token);
      sessionStorage.setItem("siproc.token.me", JSON.stringify(who));
    }
  }, [server.tokens[user], me]);
  return ctx;
}

/** The page shows no raw error and no failure message. */
async function noFailure(page) {
  assert.equal(await page.locator("#load-failed").count(), 0, "no failure message");
  assert.doesNotMatch(await page.locator("main").innerText(), /TypeError|ReferenceError|undefined/);
}

test("first visit on fast 3G: sign-in, case list, intake, registration, case page, command, verification, statistics; then a repeat visit that asks the network for no file", async () => {
  const ctx = await context();
  const { page, responses, net } = await throttled(ctx, "fast 3G");
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens["demo-officer-tap"]);
  // The race of issue 37: the list needs the module, which arrives after the sign-in.
  await page.locator("#cases tbody tr").first().waitFor();
  await noFailure(page);

  await go(page, "#/intake");
  // Validation is loaded: a bad DNI is refused as it is typed.
  await page.fill("#f-persons-0-documents-0-number", "1901-1994-0451");
  await page.locator('.row[data-path="/persons/0/documents/0/number"] .message[data-codes]').waitFor();
  assert.notEqual(await page.locator('.row[data-path="/persons/0/documents/0/number"] .message').getAttribute("data-codes"), "");
  await page.reload();
  await page.waitForSelector("form#intake[data-ready]");
  await fill(page, valid("Lenta Conexión"));
  await page.click("#intake button[type=submit]");
  const number = (await page.locator("#registered").innerText({ timeout: 20_000 })).match(/TAP-\d{4}-\d+/)[0];
  await page.click("#open-case");
  await page.waitForSelector("main[data-ready][data-page=case]");
  await page.locator("#chain.ok").waitFor();
  const mine = { number, id: page.url().split("/").pop() };
  await page.click('button[data-command="to-in_progress"]');
  await page.locator("#notice .ok").waitFor({ timeout: 20_000 });
  await noFailure(page);

  await go(page, "#/verify");
  await page.fill("#code", "0000-0000-0000");
  await page.click("#verify button[type=submit]");
  await page.locator("#verdict[data-genuine=false]").waitFor({ timeout: 20_000 });
  await go(page, "#/stats");
  await page.waitForSelector("#by-month canvas", { timeout: 20_000 });
  await noFailure(page);
  // Everything was sent compressed.
  const wire = responses.filter((r) => HASHED.test(new URL(r.url).pathname));
  assert.ok(wire.length >= 10, `the hashed files were used: ${wire.map((r) => r.url).join(" ")}`);

  // Repeat visit, service worker warm: every script, style sheet and the module come from it
  // or the browser's cache; none is revalidated.
  await page.evaluate(() => navigator.serviceWorker.ready);
  responses.length = 0;
  await page.goto("about:blank");
  await page.goto(`${server.url}/#/intake`);
  await page.waitForSelector("form#intake[data-ready]");
  await go(page, "#/cases");
  await page.locator("#cases tbody tr").first().waitFor();
  await go(page, `#/case/${mine.id}`);
  await page.locator("#chain.ok").waitFor();
  const files = responses.filter((r) => HASHED.test(new URL(r.url).pathname));
  assert.ok(files.length >= 10, "the repeat visit used the hashed files");
  const fromNetwork = files.filter((r) => !r.fromServiceWorker && !r.fromDiskCache);
  assert.deepEqual(fromNetwork.map((r) => `${r.status} ${r.url}`), [], "nothing asked of the network");
  assert.ok(!responses.some((r) => r.status === 304), "nothing revalidated");
  await net("fast 3G");
});

test("slow 3G: the intake on a first visit (validation loaded), and intake, case list and case page on a repeat visit", async () => {
  const ctx = await context();
  const { page } = await throttled(ctx, "slow 3G");
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens["demo-officer-tap"]);
  await page.locator("#cases tbody tr").first().waitFor({ timeout: 60_000 });
  await go(page, "#/intake");
  await page.fill("#f-persons-0-documents-0-number", "1901-1994-0451");
  await page.locator('.row[data-path="/persons/0/documents/0/number"] .message[data-codes]').waitFor();
  await page.evaluate(() => navigator.serviceWorker.ready);
  // Repeat visit: the shell from the service worker, the API over slow 3G.
  await page.goto("about:blank");
  await page.goto(`${server.url}/#/intake`);
  await page.waitForSelector("form#intake[data-ready]");
  await go(page, "#/cases");
  await page.locator(`#cases tr[data-number="${registered.number}"]`).waitFor();
  await go(page, `#/case/${registered.id}`);
  await page.locator("#chain.ok").waitFor();
  await noFailure(page);
});

test("the connection drops while the module loads: a translated message, retry by hand, and by itself when back online", async () => {
  const line = await relay(server.url);
  try {
    const ctx = await signedInContext("demo-officer-tap");
    const { page, cdp } = await throttled(ctx, "fast 3G");
    // Cut the line once the WebAssembly module has started to arrive.
    let started;
    const arriving = new Promise((resolve) => { started = resolve; });
    const ids = new Set();
    cdp.on("Network.responseReceived", (e) => {
      if (/siproc_wasm_bg\.[0-9a-f]{16}\.wasm$/.test(e.response.url)) ids.add(e.requestId);
    });
    cdp.on("Network.dataReceived", (e) => { if (ids.has(e.requestId)) started(); });
    await page.goto(`${line.url}/#/cases`);
    await arriving;
    line.cut();
    const failed = page.locator("#load-failed[data-kind=network]");
    await failed.waitFor({ timeout: 20_000 });
    const text = await failed.innerText();
    assert.match(text, /La página no terminó de cargar/);
    assert.match(text, /Reintentar/);
    assert.doesNotMatch(text, /TypeError|Failed to fetch|undefined/);
    await page.screenshot({ path: join(SHOTS, "load-failed.png") });
    // Retry while the line is still down: the same message again.
    await page.click("#retry");
    await page.waitForSelector("main[data-ready] #load-failed[data-kind=network]", { timeout: 20_000 });
    // The line is back: the retry button brings the page.
    line.restore();
    await page.click("#retry");
    await page.locator("#cases tbody tr").first().waitFor({ timeout: 30_000 });
    await noFailure(page);

    // Offline (the browser knows) when a case is opened: once online again, the page retries
    // by itself. (Playwright's offline switch, on a tab without the emulation above: two
    // DevTools sessions' network conditions do not combine.)
    const tab = await ctx.newPage();
    await tab.goto(`${line.url}/#/verify`);
    await tab.waitForSelector("main[data-ready][data-page=verify]");
    await ctx.setOffline(true);
    await tab.evaluate((id) => { location.hash = `#/case/${id}`; }, registered.id);
    await tab.locator("#load-failed[data-kind=network]").waitFor({ timeout: 20_000 });
    await ctx.setOffline(false);
    await tab.locator("#chain.ok").waitFor({ timeout: 30_000 });
    await noFailure(tab);
  } finally {
    await line.close();
  }
});

test("a page script cut off mid-load: the retry button brings the page", async () => {
  // No service worker here: page.route sees every request.
  const ctx = await signedInContext("demo-officer-tap", { serviceWorkers: "block" });
  const { page } = await throttled(ctx, "fast 3G");
  let cuts = 0;
  // Cut twice: the script is asked for early (while the module arrives), then by the route.
  await page.route(/\/app\/casepage\.[0-9a-f]{16}\.js$/, (route) => (cuts++ < 2 ? route.abort("connectionreset") : route.continue()));
  await page.goto(`${server.url}/#/case/${registered.id}`);
  await page.locator("#load-failed[data-kind=network]").waitFor({ timeout: 20_000 });
  await page.click("#retry");
  await page.locator("#chain.ok").waitFor({ timeout: 30_000 });
  assert.equal(cuts, 3, "the script was asked for again");
  await noFailure(page);
});

test("the live list's event stream on a flaky line: reconnected with backoff, the case registered meanwhile shown once", async () => {
  const line = await relay(server.url);
  try {
    const ctx = await signedInContext("demo-officer-tap");
    const { page, requests } = await throttled(ctx, "fast 3G");
    await page.goto(`${line.url}/#/cases`);
    await page.waitForSelector("#live[data-up=true]", { timeout: 20_000 });
    const before = requests.filter((u) => u.endsWith("/api/v1/events")).length;
    line.cut();
    await page.waitForSelector("#live[data-up=false]");
    const created = await call(server.url, "/cases", { token: server.tokens["demo-officer-tap"], method: "POST", body: valid("Intermitente Ruiz") });
    assert.equal(created.status, 201);
    await page.waitForTimeout(3500);
    const attempts = requests.filter((u) => u.endsWith("/api/v1/events")).length - before;
    assert.ok(attempts >= 2 && attempts <= 4, `backoff: ${attempts} attempts in 3.5 s without a line`);
    line.restore();
    await page.waitForSelector("#live[data-up=true]", { timeout: 20_000 });
    const row = page.locator(`#cases tr[data-number="${created.data.number}"]`);
    await row.waitFor({ timeout: 20_000 });
    assert.equal(await row.count(), 1, "one row for the case");
    const ids = await page.locator("#cases tr[data-id]").evaluateAll((rs) => rs.map((r) => r.dataset.id));
    assert.equal(new Set(ids).size, ids.length, "no duplicate rows");
  } finally {
    await line.close();
  }
});
