// What a usability test of the web application found (issue 33), each in a real headless
// Chromium against a real siproc-server (harness.mjs):
//
// - one filled intake form is one registration: a double click registers once, the form clears
//   after success, and its Idempotency-Key is the form's, not the click's; the same person
//   again is first shown as a possible duplicate of the case the user may see;
// - a token that stops working mid-session (revoked) returns to the sign-in page, which comes
//   back to where the user was, and the live stream stops asking instead of retrying for ever;
// - two menu entries clicked 30 ms apart on a slow line show the second page only; the page
//   names its icon (no favicon.ico 404);
// - an offline registration, once sent, shows its case number with a link, in a log of the
//   session's registrations.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { SHOTS, axe, fill, go, relay, signIn, throttled, valid } from "./pages.mjs";
import { call } from "./server.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

/** A page of a new context signed in as demo user `user`, on `hash`. */
async function signedIn(user, hash, { home = "cases", options = {} } = {}) {
  const page = await (await context(options)).newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens[user], home);
  if (hash && hash !== `#/${home}`) await go(page, hash);
  return page;
}

/** How many cases the office's officer finds under `name`. */
const found = async (name) => (await call(server.url, "/cases/search", {
  token: server.tokens["demo-officer-tap"], method: "POST", body: { name } })).data.items.length;

test("a double click registers once; the form clears; a click on the cleared form registers nothing", async () => {
  const page = await signedIn("demo-officer-tap", "#/intake", { options: { bypassCSP: true } });
  await page.waitForSelector("form#intake[data-ready]");
  await fill(page, valid("Doble Clic"));
  await page.dblclick("#intake button[type=submit]");
  await page.locator("#registered").waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("#f-persons-0-surnames").inputValue(), "", "the form is cleared");
  const first = (await page.locator("#registered").innerText()).match(/TAP-\d{4}-\d+/)[0];
  await page.click("#intake button[type=submit]");
  await page.waitForTimeout(1000);
  assert.equal(await found("Doble Clic"), 1, "one case");
  // The next filled form is the next registration. Of the same person: the form first warns
  // of the possible duplicate (the core's detection, on the cases the user may see), and
  // registers it when asked to.
  await fill(page, valid("Doble Clic"));
  await page.click("#intake button[type=submit]");
  const warning = page.locator("#duplicates");
  await warning.waitFor({ timeout: 10_000 });
  assert.match(await warning.innerText(), new RegExp(`posible duplicado de ${first}`));
  assert.equal(await warning.locator(`a[href^="#/case/"]`).innerText(), first);
  assert.equal(await found("Doble Clic"), 1, "not registered before the officer confirms");
  await axe(page, "intake: a possible duplicate");
  await page.screenshot({ path: join(SHOTS, "intake-duplicate.png"), fullPage: true });
  await page.click("#register-anyway");
  await page.locator("#registered").waitFor({ timeout: 10_000 });
  assert.equal(await found("Doble Clic"), 2);
  // Only to those who may see the case: Houston's officer is told of none, the directorate of it.
  const again = valid("Doble Clic");
  const check = (user) => call(server.url, "/cases/duplicates", { token: server.tokens[user], method: "POST", body: again });
  assert.deepEqual((await check("demo-officer-hou")).data.items, []);
  assert.ok((await check("demo-directorate")).data.items.some((d) => d.number === first && d.reasons.includes("same_document")));
  assert.equal((await check("demo-partner")).status, 403, "a partner sees no case");
});

test("a revoked token returns to the sign-in page, which comes back to the page; the live stream stops", async () => {
  // A token of the officer's own, through a line that can be cut (pages.mjs relay).
  const made = await call(server.url, "/tokens", { token: server.tokens["demo-officer-tap"], method: "POST", body: { name: "usability test" } });
  assert.equal(made.status, 201);
  const line = await relay(server.url);
  try {
    const page = await (await context({ bypassCSP: true })).newPage();
    const events = [];
    page.on("request", (r) => { if (r.url().endsWith("/api/v1/events")) events.push(Date.now()); });
    await page.goto(`${line.url}/?dev-token#/signin`);
    await signIn(page, made.data.secret);
    await go(page, "#/stats");
    await go(page, "#/cases");
    await page.waitForSelector("#live[data-up=true]");
    assert.equal((await call(server.url, `/tokens/${made.data.token.id}`, { token: server.tokens["demo-officer-tap"], method: "DELETE" })).status, 204);
    // The stream reconnects after the drop, with the revoked token.
    const before = events.length;
    line.cut();
    line.restore();
    await page.waitForSelector("main[data-ready][data-page=signin]", { timeout: 15_000 });
    assert.match(await page.evaluate(() => location.hash), /^#\/signin\/.+/, "the sign-in page knows where to come back to");
    await page.locator("#session-ended").waitFor();
    assert.ok(await page.locator("#signout").isHidden(), "the header no longer looks signed in");
    await page.waitForTimeout(4000);
    assert.equal(events.length - before, 1, "one attempt with the revoked token, no retries");
    await page.screenshot({ path: join(SHOTS, "signin-session-ended.png"), fullPage: true });
    await axe(page, "sign-in after a revoked token");
    // Signing in again comes back to the case list (not the home page by chance: see below).
    await signIn(page, server.tokens["demo-officer-tap"], "cases");
    await page.waitForSelector("#live[data-up=true]");
    // Any page: the statistics, for an officer whose home is the case list.
    await page.evaluate(() => { sessionStorage.setItem("siproc.token", "not-a-token"); location.hash = "#/stats"; });
    await page.waitForSelector("main[data-ready][data-page=signin]");
    assert.equal(await page.locator("text=Error 401").count(), 0);
    await signIn(page, server.tokens["demo-officer-tap"], "stats");
  } finally {
    await line.close();
  }
});

test("two menu entries clicked 30 ms apart show the second page only; the page has an icon (no favicon.ico 404)", async () => {
  const ctx = await context();
  // On a consulate's slow line (fast 3G: 150 ms each way) the first page's answers arrive after
  // the second page is drawn.
  const { page } = await throttled(ctx, "fast 3G");
  const missing = [];
  page.on("response", (r) => { if (r.status() === 404) missing.push(r.url()); });
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens["demo-directorate"]);
  for (const [first, second, title] of [["#/stats", "#/verify", null], ["#/cases", "#/intake", "Registrar"], ["#/stats", "#/cases", "Casos"]]) {
    await page.click(`#nav a[href="${first}"]`);
    await page.waitForTimeout(30);
    await page.click(`#nav a[href="${second}"]`);
    await page.waitForSelector(`main[data-ready][data-page=${second.slice(2)}]`, { timeout: 30_000 });
    await page.waitForTimeout(3000);
    const titles = await page.locator("main h1").allInnerTexts();
    assert.equal(titles.length, 1, `one page under ${second}: ${titles.join(" | ")}`);
    if (title) assert.match(titles[0], new RegExp(title));
    assert.equal(await page.locator("main canvas").count(), 0, `no statistics under ${second}`);
  }
  // Headless Chromium does not ask for icons itself: the page names one, and it loads.
  const icon = await page.evaluate(() => new Promise((resolve) => {
    const link = document.querySelector("link[rel=icon]");
    if (!link) return resolve(0);
    const image = new Image();
    image.onload = () => resolve(image.naturalWidth);
    image.onerror = () => resolve(0);
    image.src = link.href;
  }));
  assert.ok(icon > 0, "the page's icon loads");
  assert.deepEqual(missing, []);
});

test("an offline registration, once sent, is listed with its number and a link; the session's log keeps it", async () => {
  const ctx = await context({ bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens["demo-officer-tap"]);
  await go(page, "#/intake");
  await page.waitForSelector("form#intake[data-ready]");
  await ctx.setOffline(true);
  await fill(page, valid("Sin Red"));
  await page.click("#intake button[type=submit]");
  await page.locator("#pending-saved").waitFor();
  // The pending list is drawn from the queue just after the notice (on a loaded machine, later).
  await page.locator("#pending li.pending").waitFor();
  assert.equal(await page.locator("#pending li.pending").count(), 1);
  await ctx.setOffline(false);
  const sent = page.locator("#sent li.sent");
  await sent.first().waitFor({ timeout: 15_000 });
  assert.equal(await page.locator("#pending li").count(), 0);
  const number = await sent.first().getAttribute("data-number");
  assert.match(number, /^TAP-\d{4}-\d+$/);
  assert.match(await sent.first().innerText(), /Sin Red/);
  assert.equal(await sent.first().locator(".badge").count(), 1, "marked as sent from the queue");
  assert.match(await page.locator("#pending-sent").innerText({ timeout: 5000 }), new RegExp(number), "the notice says it was sent");
  await page.screenshot({ path: join(SHOTS, "intake-sent-log.png"), fullPage: true });
  await axe(page, "intake with the session's log");
  // Kept over a reload (this tab's session), and the link opens the case.
  await page.reload();
  await page.waitForSelector("form#intake[data-ready]");
  await page.locator(`#sent li[data-number="${number}"] a`).click();
  await page.waitForSelector("main[data-ready][data-page=case]");
  assert.match(await page.locator("main h1").innerText(), new RegExp(number));
});
