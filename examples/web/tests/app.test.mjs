// The web application in a real headless Chromium (Debian's, driven by playwright-core; the
// launcher and its flags are siproc-wasm/tests/browser.mjs's) against a real siproc-server on
// 127.0.0.1 with a fresh SQLite database and the --demo tokens:
//
// - a Tapachula officer registers a case; the directorate's live list (a second browser
//   context) shows it, marked new, within one second; a Houston officer's list does not;
// - invalid input from the conformance corpus shows the corpus's codes at its paths, with the
//   core's Spanish and English messages;
// - offline (context.setOffline): a submitted intake is pending, still pending after an
//   offline reload and in a second tab, and reaches the server exactly once when online;
// - a command on a stale version gets 409: the page says so, reloads, and the retry works;
// - the officer downloads a form from the case page; the public verification page accepts its
//   code and rejects a changed one; failed
//   checks are rate-limited;
// - axe-core finds no serious or critical violation on any page;
// - screenshots of every page go to docs/screenshots/.
import assert from "node:assert/strict";
import { readFileSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { launch } from "../../../siproc-wasm/tests/browser.mjs";
import { call, root, startServer } from "./server.mjs";

const corpus = (file, name) => JSON.parse(readFileSync(join(root, "tests", "conformance", "intake", file), "utf8"))
  .cases.find((c) => c.name === name);
const AXE = readFileSync(join(root, "examples", "web", "node_modules", "axe-core", "axe.min.js"), "utf8");
const SHOTS = join(root, "docs", "screenshots");
mkdirSync(SHOTS, { recursive: true });

let server, browser;
const contexts = [];
before(async () => {
  server = await startServer();
  browser = await launch();
});
after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
});

async function context(options = {}) {
  const c = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "es-HN", ...options });
  contexts.push(c);
  return c;
}

/** A page of `ctx` signed in with the demo user's token, on `hash`. */
async function signedIn(ctx, user, hash = "#/cases") {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/#/signin`);
  await page.locator("#token").fill(server.tokens[user]);
  await page.locator("#signin button[type=submit]").click();
  await page.waitForSelector("main[data-ready][data-page=cases]");
  if (hash !== "#/cases") await go(page, hash);
  return page;
}

async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  const name = hash.replace(/^#\//, "").split("/")[0];
  await page.waitForSelector(`main[data-ready][data-page="${name}"]`);
}

/** Fills the intake form from a wire-format record (every value that has a field). */
async function fill(page, record) {
  const get = (path) => path.slice(1).split("/").reduce((n, k) => n?.[k], record);
  if (record.category) {
    await page.selectOption("#f-category", record.category);
  }
  const rows = await page.locator(".row[data-path]").evaluateAll((rs) => rs.map((r) => r.dataset.path));
  for (const path of rows) {
    const value = get(path);
    if (value === undefined || path === "/category") continue;
    const id = "#f" + path.replaceAll("/", "-");
    const tag = await page.locator(id).evaluate((e) => (e.tagName === "INPUT" ? e.type : e.tagName));
    if (tag === "SELECT") await page.selectOption(id, String(value));
    else if (tag === "checkbox") await page.locator(id).setChecked(Boolean(value));
    else if (tag === "DIV") for (const v of value) await page.locator(`${id} input[value="${v}"]`).check();
    else await page.locator(id).fill(String(value));
  }
}

const valid = (surnames, office = "TAP") => {
  const r = structuredClone(corpus("documents_in_intake.json", "DNI with a bad department").intake);
  r.office = office;
  r.persons[0].surnames = surnames;
  r.persons[0].documents[0].number = "0801-1994-04512";
  return r;
};

async function axe(page, name) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `axe on ${name}`);
}

let registered;

test("an officer registers; the directorate sees it live within a second; another office does not", async () => {
  const board = await signedIn(await context({ bypassCSP: true }), "demo-directorate");
  const houston = await signedIn(await context(), "demo-officer-hou");
  await board.waitForSelector("#live[data-up=true]");
  await houston.waitForSelector("#live[data-up=true]");
  const officer = await signedIn(await context({ bypassCSP: true }), "demo-officer-tap", "#/intake");
  await officer.waitForSelector("form#intake[data-ready]");
  await fill(officer, valid("Núñez Güity"));
  await officer.click("#intake button[type=submit]");
  const text = await officer.locator("#registered").innerText({ timeout: 10_000 });
  const number = text.match(/TAP-\d{4}-\d+/)[0];
  await board.locator(`tr[data-number="${number}"] .badge.new`).waitFor({ timeout: 1000 });
  await officer.screenshot({ path: join(SHOTS, "intake-registered.png"), fullPage: true });
  await board.screenshot({ path: join(SHOTS, "cases-live.png"), fullPage: true });
  await axe(board, "cases");
  await axe(officer, "intake");
  await houston.waitForTimeout(1500);
  assert.equal(await houston.locator(`tr[data-number="${number}"]`).count(), 0);
  const list = await call(server.url, `/cases?limit=500`, { token: server.tokens["demo-officer-hou"] });
  assert.ok(!list.data.items.some((c) => c.number === number));
  registered = { number, id: await board.locator(`tr[data-number="${number}"]`).getAttribute("data-id") };
  assert.ok(registered.id);
});

for (const locale of ["es", "en"]) {
  test(`invalid input shows the corpus's codes with the ${locale} messages`, async () => {
    const ctx = await context();
    await ctx.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
    const page = await signedIn(ctx, "demo-officer-tap", "#/intake");
    await page.waitForSelector("form#intake[data-ready]");
    const rules = await page.evaluate(async () => (await import("/pkg/siproc_wasm.js")).listRules());
    for (const [file, name] of [["documents_in_intake.json", "DNI with a bad department"], ["dates.json", "birth date in the future"]]) {
      await page.reload();
      await page.waitForSelector("form#intake[data-ready]");
      const entry = corpus(file, name);
      await fill(page, entry.intake);
      await page.click("#intake button[type=submit]");
      let checked = 0;
      for (const want of entry.expected) {
        const message = page.locator(`.row[data-path="${want.path}"] .message`);
        if (!(await message.count())) continue;
        checked += 1;
        assert.match(await message.getAttribute("data-codes"), new RegExp(`(^| )${want.code.replace(".", "\\.")}( |$)`), `${name}: ${want.path}`);
        const template = rules.find((r) => r.code === want.code)[locale];
        if (!template.includes("{")) assert.ok((await message.innerText()).includes(template), `${want.code} in ${locale}`);
      }
      assert.ok(checked >= 1, `${name}: an expected issue has a field on the page`);
      assert.equal(await page.locator("#registered").count(), 0);
    }
    await page.screenshot({ path: join(SHOTS, `intake-errors-${locale}.png`), fullPage: true });
  });
}

test("offline: pending in IndexedDB, kept over a reload and in two tabs, sent once", async () => {
  const ctx = await context();
  const page = await signedIn(ctx, "demo-officer-tap", "#/intake");
  const other = await signedIn(ctx, "demo-officer-tap", "#/intake");
  for (const p of [page, other]) {
    await p.waitForSelector("form#intake[data-ready]");
    await p.evaluate(() => navigator.serviceWorker.ready);
  }
  await page.reload();
  await page.waitForSelector("form#intake[data-ready]");
  assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)), "the service worker controls the page");
  await ctx.setOffline(true);
  await fill(page, valid("Offline Pérez"));
  await page.click("#intake button[type=submit]");
  await page.locator("#pending-saved").waitFor();
  await page.reload();
  await page.waitForSelector("form#intake[data-ready]");
  assert.equal(await page.locator("#pending li.pending").count(), 1, "still pending after an offline reload");
  await other.reload();
  await other.waitForSelector("form#intake[data-ready]");
  assert.equal(await other.locator("#pending li.pending").count(), 1, "pending in the second tab");
  await page.screenshot({ path: join(SHOTS, "intake-pending-offline.png"), fullPage: true });
  await ctx.setOffline(false);
  for (const p of [page, other]) await p.locator("#pending li").waitFor({ state: "detached", timeout: 15_000 });
  const found = await call(server.url, `/cases?name=${encodeURIComponent("Offline Pérez")}`, { token: server.tokens["demo-officer-tap"] });
  assert.equal(found.data.items.length, 1, "exactly one case on the server");
});

test("a command on a stale version is a 409: shown, reloaded, and the retry works", async () => {
  const ctx = await context({ bypassCSP: true });
  const page = await signedIn(ctx, "demo-officer-tap", `#/case/${registered.id}`);
  await page.locator("#chain.ok").waitFor();
  const version = Number(await page.locator("main").getAttribute("data-version"));
  // Someone else moves the case on meanwhile.
  const note = await call(server.url, `/cases/${registered.id}/commands`, {
    token: server.tokens["demo-supervisor-tap"], method: "POST", headers: { "if-match": `"${version}"` },
    body: { command: "add_note", text: "Llamada con el consulado." },
  });
  assert.equal(note.status, 200);
  await page.click('button[data-command="to-in_progress"]');
  await page.locator("#conflict").waitFor();
  assert.equal(Number(await page.locator("main").getAttribute("data-version")), version + 1, "reloaded");
  await page.screenshot({ path: join(SHOTS, "case-conflict.png"), fullPage: true });
  await page.click('button[data-command="to-in_progress"]');
  await page.locator("#notice .ok").waitFor();
  assert.equal(await page.locator("#status").innerText(), "En curso");
  await axe(page, "case");
  await page.screenshot({ path: join(SHOTS, "case.png"), fullPage: true });
});

test("the verification page accepts a real form's code and rejects a changed one", async () => {
  // The officer prints the intake sheet from the case page.
  const officer = await signedIn(await context({ acceptDownloads: true }), "demo-officer-tap", `#/case/${registered.id}`);
  const [download] = await Promise.all([officer.waitForEvent("download"), officer.click('button[data-form="intake_sheet"]')]);
  assert.match(download.suggestedFilename(), new RegExp(`^${registered.number}-intake_sheet\\.pdf$`));
  const pdf = readFileSync(await download.path());
  assert.equal(pdf.subarray(0, 5).toString(), "%PDF-");
  const hash = pdf.toString("latin1").match(/SiprocVerification\(([0-9a-f]{64})\)/)[1];
  const code = hash.slice(0, 12).toUpperCase().replace(/(.{4})(?=.)/g, "$1-");
  const page = await (await context({ bypassCSP: true })).newPage();
  await page.goto(`${server.url}/#/verify`);
  await page.waitForSelector("main[data-ready][data-page=verify]");
  await page.fill("#code", code);
  await page.click("#verify button[type=submit]");
  await page.locator("#verdict[data-genuine=true]").waitFor();
  const text = await page.locator("#verdict").innerText();
  assert.match(text, new RegExp(registered.number));
  assert.match(text, /Ficha de registro/);
  assert.doesNotMatch(text, /Núñez|Güity|0801/, "no personal data");
  await axe(page, "verify");
  await page.screenshot({ path: join(SHOTS, "verify-genuine.png"), fullPage: true });
  const changed = code.slice(0, -1) + (code.endsWith("0") ? "1" : "0");
  await page.fill("#code", changed);
  await page.click("#verify button[type=submit]");
  await page.locator("#verdict[data-genuine=false]").waitFor();
  await page.screenshot({ path: join(SHOTS, "verify-rejected.png"), fullPage: true });
  // The full hash from the QR code is accepted too; a different hash with the same first 12
  // digits is not.
  assert.equal((await call(server.url, "/form-checks", { method: "POST", body: { code: `SIPROC:${registered.number}:${hash.toUpperCase()}` } })).data.genuine, true);
  const forged = hash.slice(0, 63) + (hash.endsWith("0") ? "1" : "0");
  assert.equal((await call(server.url, "/form-checks", { method: "POST", body: { code: forged } })).data.genuine, false);
});

test("repeated failed checks from one client are rate-limited", async () => {
  let status = 200;
  for (let i = 0; i < 12 && status !== 429; i++) {
    status = (await call(server.url, "/form-checks", { method: "POST", body: { code: `0000-0000-${String(i).padStart(4, "0")}` } })).status;
  }
  assert.equal(status, 429);
});

test("sign-in and the phone-sized intake page pass axe and are photographed", async () => {
  const ctx = await context({ bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/#/signin`);
  await page.waitForSelector("main[data-ready][data-page=signin]");
  await axe(page, "signin");
  await page.screenshot({ path: join(SHOTS, "signin.png") });
  const phone = await context({ bypassCSP: true, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const small = await signedIn(phone, "demo-officer-tap", "#/intake");
  await small.waitForSelector("form#intake[data-ready]");
  await axe(small, "intake (phone)");
  await small.screenshot({ path: join(SHOTS, "intake-phone.png") });
  const bar = await small.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
  assert.ok(bar, "no horizontal scrolling on a phone");
});
