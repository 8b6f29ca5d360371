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
//   code and rejects a changed one; the form's QR code is the address of that page carrying the
//   code, and the former `SIPROC:` content is still accepted; failed
//   checks are rate-limited;
// - the statistics dashboard draws its charts (Chart.js) for the directorate from the full
//   tables, and for a partner from the release, every suppressed cell shown as suppressed and
//   every published one with its number;
// - axe-core finds no serious or critical violation on any page;
// - screenshots of every page go to docs/screenshots/.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync, mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";

import { launch } from "../../../siproc-wasm/tests/browser.mjs";
import { call, root, startServer } from "./server.mjs";
import { PAGE_WASM, SHOTS, axe, corpus, fill, go, valid } from "./pages.mjs";


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

/** A page of `ctx` signed in with the demo user's token, on `hash` (after landing on `home`). */
async function signedIn(ctx, user, hash = "#/cases", home = "cases") {
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
  await page.locator("#token").fill(server.tokens[user]);
  await page.locator("#signin button[type=submit]").click();
  await page.waitForSelector(`main[data-ready][data-page=${home}]`);
  if (hash !== `#/${home}`) await go(page, hash);
  return page;
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
    const rules = await page.evaluate(`${PAGE_WASM}.then((m) => m.listRules())`);
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

test("a break-the-glass grant shows at once on the supervisor's case list, who ends it; names are searched in a body", async () => {
  const supervisor = await signedIn(await context(), "demo-supervisor-tap");
  await supervisor.waitForSelector("#live[data-up=true]");
  const grant = await call(server.url, `/cases/${registered.id}/access`, {
    token: server.tokens["demo-officer-hou"], method: "POST",
    body: { reason_code: "national_at_office", reason: "la persona pide ayuda en ventanilla" },
  });
  assert.equal(grant.status, 201);
  const line = supervisor.locator(`#grants li[data-id="${grant.data.id}"]`);
  await line.waitFor({ timeout: 10_000 });
  assert.match(await line.innerText(), /demo-officer-hou/);
  await line.locator("button.end-grant").click();
  await line.waitFor({ state: "detached", timeout: 10_000 });
  assert.equal((await call(server.url, `/cases/${registered.id}`, { token: server.tokens["demo-officer-hou"] })).status, 404);
  // The search box goes to POST /cases/search: no name in any request's URL.
  const urls = [];
  supervisor.on("request", (r) => urls.push(r.url()));
  await supervisor.fill("#q-text", "Núñez Güity");
  await supervisor.click("#filters button[type=submit]");
  await supervisor.locator(`tr[data-number="${registered.number}"]`).waitFor({ timeout: 10_000 });
  assert.ok(urls.some((u) => u.endsWith("/api/v1/cases/search")));
  assert.ok(!urls.some((u) => /n%C3%BA%C3%B1ez|Núñez|nunez/i.test(u)), urls.join("\n"));
  assert.equal((await call(server.url, "/cases?name=nunez", { token: server.tokens["demo-supervisor-tap"] })).status, 400);
});

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
  const found = await call(server.url, "/cases/search", { token: server.tokens["demo-officer-tap"], method: "POST", body: { name: "Offline Pérez" } });
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
  assert.equal(await page.locator("#status").innerText(), "En trámite", "the status as the PDF forms word it");
  await axe(page, "case");
  await page.screenshot({ path: join(SHOTS, "case.png"), fullPage: true });
});

/** The text of a PDF, whitespace collapsed (lines wrap anywhere), read by poppler's pdftotext. */
function pdfText(path) {
  const out = spawnSync("pdftotext", ["-enc", "UTF-8", path, "-"], { encoding: "utf8" });
  assert.equal(out.status, 0, `pdftotext: ${out.stderr}`);
  return out.stdout.split(/\s+/).join(" ");
}

for (const locale of ["es", "en"]) {
  test(`the case page words status, priority and consent as the core's catalog and the PDF forms do (${locale})`, async () => {
    const ctx = await context({ acceptDownloads: true, bypassCSP: true });
    await ctx.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
    const page = await signedIn(ctx, "demo-officer-tap", `#/case/${registered.id}`);
    await page.locator("#chain.ok").waitFor();
    const c = (await call(server.url, `/cases/${registered.id}`, { token: server.tokens["demo-officer-tap"] })).data;
    assert.ok(c.consent?.given && c.consent.scope.length > 1, "a case with consent to several scopes");
    // The labels of siproc-wasm's catalog view, in the page's own module.
    const labels = await page.evaluate(`${PAGE_WASM}.then((m) => m.catalog("${locale}", "hn").labels)`);
    const shown = {
      status: await page.locator("#status").innerText(),
      priority: await page.locator("#priority").innerText(),
      consent: await page.locator("#consent").innerText(),
    };
    const wanted = {
      status: labels.status[c.status],
      priority: labels.priority[c.priority],
      consent: c.consent.scope.map((s) => labels.consent_scope[s]).join(", "),
    };
    assert.deepEqual(shown, wanted);
    for (const value of Object.values(wanted)) assert.ok(value && !/^[a-z_]+$/.test(value), `a label, not a code: ${value}`);
    if (locale === "en") {
      // The server prints its forms in Spanish; siproc-core's forms_pdf test checks the English
      // forms against catalog("en").labels for every value. Here: nothing Spanish on the page.
      assert.notEqual(shown.status, (await page.evaluate(`${PAGE_WASM}.then((m) => m.catalog("es", "hn").labels)`)).status[c.status]);
      return;
    }
    // The same case's PDFs, as the officer downloads them: the intake sheet prints the status
    // and the priority, the consent form the scopes.
    const printed = async (form) => {
      const [download] = await Promise.all([page.waitForEvent("download"), page.click(`button[data-form="${form}"]`)]);
      return pdfText(await download.path());
    };
    const sheet = await printed("intake_sheet");
    assert.ok(sheet.includes(shown.status), `the intake sheet prints «${shown.status}»`);
    assert.ok(sheet.includes(shown.priority), `the intake sheet prints «${shown.priority}»`);
    const consent = await printed("informed_consent");
    assert.ok(consent.includes(shown.consent), `the consent form prints «${shown.consent}»:\n${consent}`);
  });
}

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
  assert.equal(await page.locator("#verify").getAttribute("data-camera"), "false");
  assert.ok(await page.locator("#scan").isHidden(), "no camera, no scan button");
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

test("sign-in and the phone-sized intake page pass axe and are photographed", async () => {
  const ctx = await context({ bypassCSP: true });
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
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
  // The partner's statistics on a phone, in English: the wide tables scroll inside their regions.
  const phonePartner = await context({ bypassCSP: true, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await phonePartner.addInitScript(() => localStorage.setItem("siproc.locale", "en"));
  const stats = await signedIn(phonePartner, "demo-partner", "#/stats", "stats");
  await stats.waitForSelector("#by-month canvas");
  assert.match(await stats.locator("td.suppressed").first().innerText(), /suppressed/);
  await axe(stats, "statistics (phone, English)");
  assert.ok(await stats.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no horizontal scrolling of the statistics page");
  await stats.screenshot({ path: join(SHOTS, "dashboard-phone-en.png") });
});

/** The dashboard's tables (by page id) and the /stats tables they show. */
const DASHBOARD = { "table-by-month": "cases_by_category_month", "table-open-by-office": "open_cases_by_office_aging",
  "table-resolution": "days_to_resolution_by_category", "table-sla": "resolution_sla_by_category" };

/** Checks every cell (and margin) the page shows against the /stats answer; returns how many were suppressed. */
async function sameAsStats(page, stats) {
  let suppressed = 0;
  const cells = await page.locator("table.stats td[data-cell]:not([data-field])").evaluateAll((tds) =>
    tds.map((td) => ({ table: td.closest("table").id, cell: td.dataset.cell, suppressed: td.dataset.suppressed === "true", text: td.innerText.trim() })));
  const onPage = new Map(cells.map((c) => [`${c.table}|${c.cell}`, c]));
  for (const [id, name] of Object.entries(DASHBOARD)) {
    const table = stats.tables.find((t) => t.name === name);
    assert.ok(table, name);
    const shown = id === "table-resolution" ? table.cells : [...table.cells, ...table.totals];
    for (const cell of shown) {
      const key = keyOf(table, cell);
      const td = onPage.get(`${id}|${key}`);
      assert.ok(td, `${name}: ${key} is on the page`);
      if (cell.suppressed) {
        suppressed += 1;
        assert.ok(td.suppressed, `${name}: ${key} is marked suppressed`);
        assert.doesNotMatch(td.text, /\d/, `${name}: ${key} shows no number`);
      } else {
        assert.equal(td.text, String(cell.count), `${name}: ${key}`);
      }
    }
  }
  return suppressed;
}
/** dashboard.js's cellKey: a cell's `dimension=value` pairs. */
const keyOf = (table, cell) => table.dimensions.filter((d) => d in cell).map((d) => `${d}=${cell[d]}`).join("&") || "total";

test("the statistics dashboard: full tables for staff, suppressed cells shown as suppressed to a partner", async () => {
  const staff = await signedIn(await context({ bypassCSP: true }), "demo-directorate", "#/stats");
  await staff.waitForSelector("#by-month canvas");
  const drawn = await staff.evaluate(() => [...document.querySelectorAll(".panel canvas")].map((c) => Boolean(window.Chart.getChart(c))));
  assert.deepEqual(drawn, [true, true, true, true], "four charts drawn by Chart.js");
  const full = (await call(server.url, "/stats", { token: server.tokens["demo-directorate"] })).data;
  assert.equal(full.k, undefined, "staff get the full tables");
  assert.equal(await sameAsStats(staff, full), 0);
  assert.equal(await staff.locator("td.suppressed").count(), 0);
  await axe(staff, "dashboard (staff)");
  await staff.screenshot({ path: join(SHOTS, "dashboard-staff.png"), fullPage: true });

  const partner = await signedIn(await context({ bypassCSP: true }), "demo-partner", "#/stats", "stats");
  await partner.waitForSelector("#by-month canvas");
  assert.equal(await partner.locator("main").getAttribute("data-release"), "true");
  // A partner reads the published releases (issue 36): the newest quarter is shown first.
  const list = (await call(server.url, "/stats/releases", { token: server.tokens["demo-partner"] })).data;
  assert.ok(list.length > 0, "the demo publishes releases");
  assert.equal(await partner.locator("#release-pick option").count(), list.length);
  const shown = list.find((r) => r.kind === "quarter") ?? list[0];
  assert.equal(await partner.locator("#release-pick").inputValue(), `${shown.id}@${shown.version}`);
  const release = (await call(server.url, `/stats/releases/${shown.id}?version=${shown.version}`, { token: server.tokens["demo-partner"] })).data.release;
  assert.equal(release.k, 10);
  const suppressed = await sameAsStats(partner, release);
  assert.ok(suppressed > 0, "the demo's release suppresses cells");
  assert.ok(release.tables.some((t) => t.cells.some((c) => !c.suppressed && c.count >= 10)), "and publishes some");
  assert.equal(await partner.locator("#nav a[href='#/cases']").count(), 0, "a partner has no case list");
  await axe(partner, "dashboard (partner)");
  await partner.screenshot({ path: join(SHOTS, "dashboard-partner.png"), fullPage: true });
});

/** Clicks a command button and waits for the page to reload the changed case. */
async function clickCommand(page, selector) {
  const version = await page.locator("main").getAttribute("data-version");
  await page.click(selector);
  await page.waitForSelector(`main[data-version]:not([data-version="${version}"])`);
  await page.locator("#notice .ok").waitFor();
}

/** Opens the command form `command` on a case page, fills it with `fill(form)` and sends it. */
async function commandForm(page, command, fill = async () => {}) {
  const details = page.locator(`#command-forms details[data-command="${command}"]`);
  await details.locator("summary").click();
  await fill(details);
  const version = await page.locator("main").getAttribute("data-version");
  await details.locator("button[type=submit]").click();
  await page.waitForSelector(`main[data-version]:not([data-version="${version}"])`);
  await page.locator("#notice .ok").waitFor();
}

test("case page commands: a transfer accepted by the receiving office; a closure requested, approved and closed", async () => {
  // Transfer: the Tapachula officer sends the case to Houston, whose officer accepts it.
  const tap = await signedIn(await context({ bypassCSP: true }), "demo-officer-tap", `#/case/${registered.id}`);
  await tap.locator("#chain.ok").waitFor();
  await commandForm(tap, "request_transfer", (form) => form.locator("select").selectOption("HOU"));
  assert.equal(await tap.locator('#command-forms details[data-command="request_transfer"]').count(), 0, "no second transfer while one is pending");
  // The receiving office in words (issue 33, item 10), not its code.
  assert.match(await tap.locator("#timeline").innerText(), /Traslado solicitado → Consulado General de Honduras en Houston/);
  await tap.screenshot({ path: join(SHOTS, "case-transfer-requested.png"), fullPage: true });
  const hou = await signedIn(await context({ bypassCSP: true }), "demo-officer-hou", `#/case/${registered.id}`);
  await hou.click('button[data-command="accept_transfer"]');
  await hou.locator("#notice .ok").waitFor();
  assert.equal((await call(server.url, `/cases/${registered.id}`, { token: server.tokens["demo-officer-hou"] })).data.office, "HOU");

  // Closure: in progress → resolved → closure requested (outcome) → approved by the supervisor → closed.
  const created = await call(server.url, "/cases", { token: server.tokens["demo-officer-tap"], method: "POST", body: valid("Cierre Martínez") });
  assert.equal(created.status, 201);
  const id = created.data.id;
  const officer = await signedIn(await context({ bypassCSP: true }), "demo-officer-tap", `#/case/${id}`);
  // On the way: a referral to IOM (the intake's consent covers sharing with partners), which IOM
  // accepts, and a service given.
  await commandForm(officer, "refer", async (form) => {
    await form.locator("select").selectOption("iom");
    await form.locator("input").fill("Apoyo para el retorno");
  });
  await clickCommand(officer, 'button[data-command="accept_referral"]');
  await commandForm(officer, "record_service", (form) => form.locator("select").selectOption({ index: 0 }));
  for (const to of ["in_progress", "resolved"]) await clickCommand(officer, `button[data-command="to-${to}"]`);
  await commandForm(officer, "request_closure", (form) => form.locator("input").fill("Liberado y repatriado"));
  assert.equal(await officer.locator('button[data-command="approve_closure"]').count(), 0, "an officer does not approve");
  const supervisor = await signedIn(await context({ bypassCSP: true }), "demo-supervisor-tap", `#/case/${id}`);
  await supervisor.click('button[data-command="approve_closure"]');
  await supervisor.locator("#notice .ok").waitFor();
  await officer.reload();
  await officer.waitForSelector("main[data-ready][data-page=case]");
  await officer.locator("#chain.ok").waitFor();
  await axe(officer, "case page with command forms");
  await commandForm(officer, "close", async (form) => assert.equal(await form.locator("input").inputValue(), "Liberado y repatriado"));
  assert.equal(await officer.locator("#status").innerText(), "Cerrado");
  const events = (await call(server.url, `/cases/${id}/history`, { token: server.tokens["demo-officer-tap"] })).data.items.map((e) => e.kind.type);
  assert.deepEqual(events.slice(1), ["referral_requested", "referral_accepted", "service_given", "status_changed", "status_changed",
    "closure_requested", "closure_approved", "closed"]);
  await officer.screenshot({ path: join(SHOTS, "case-closed.png"), fullPage: true });
});

test("the server's 422 is shown at the fields: a browser clock ahead of the server's", async () => {
  // The officer's computer is three days ahead: the browser (siproc-wasm, the same rules) accepts
  // today's date, which is still the future for the server.
  const ctx = await context({ bypassCSP: true });
  const ahead = new Date(Date.now() + 3 * 86_400_000);
  await ctx.clock.setFixedTime(ahead);
  const page = await signedIn(ctx, "demo-officer-tap", "#/intake");
  await page.waitForSelector("form#intake[data-ready]");
  const day = ahead.toISOString().slice(0, 10);
  const record = valid("Reloj Adelantado");
  record.opened_on = day;
  record.consent.recorded_on = day;
  await fill(page, record);
  assert.equal(await page.locator(".row.invalid").count(), 0, "the browser accepts the record");
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/v1/cases") && r.request().method() === "POST"),
    page.click("#intake button[type=submit]"),
  ]);
  assert.equal(response.status(), 422, "the server refuses it");
  await page.locator("#result .errors").waitFor();
  const issues = (await response.json()).issues;
  const future = issues.filter((i) => i.path === "/opened_on" || i.path === "/consent/recorded_on");
  assert.ok(future.length >= 1, JSON.stringify(issues.map((i) => [i.code, i.path])));
  for (const issue of future) {
    const message = page.locator(`.row[data-path="${issue.path}"] .message`);
    assert.match(await message.getAttribute("data-codes"), new RegExp(`(^| )${issue.code.replace(".", "\\.")}( |$)`), issue.path);
    assert.ok((await message.innerText()).includes(issue.message), `${issue.path}: the server's message`);
    assert.match(await page.locator(`.row[data-path="${issue.path}"]`).getAttribute("class"), /\binvalid\b/);
    assert.equal(await page.locator(`.row[data-path="${issue.path}"] [aria-invalid]`).first().getAttribute("aria-invalid"), "true");
  }
  assert.equal(await page.locator("#registered").count(), 0);
  await page.screenshot({ path: join(SHOTS, "intake-server-422.png"), fullPage: true });
});

/**
 * A YUV4MPEG2 video (what Chromium's fake camera plays) of a grey image `pgm` (pdftoppm's P5)
 * centred on a white 640×480 frame.
 */
function y4m(pgm) {
  const [, w, h] = pgm.subarray(0, 40).toString("latin1").match(/^P5\s+(\d+)\s+(\d+)\s+255\s/).map(Number);
  const pixels = pgm.subarray(pgm.length - w * h);
  const [W, H] = [640, 480];
  const luma = Buffer.alloc(W * H, 235);
  const [x0, y0] = [(W - w) >> 1, (H - h) >> 1];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) luma[(y0 + y) * W + x0 + x] = 16 + Math.round((pixels[y * w + x] * 219) / 255);
  }
  const chroma = Buffer.alloc((W / 2) * (H / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from("FRAME\n"), luma, chroma]);
  return Buffer.concat([Buffer.from(`YUV4MPEG2 W${W} H${H} F10:1 Ip A1:1 C420jpeg\n`), frame, frame]);
}

test("the verification page scans a real form's QR code with the camera (Chromium's fake camera)", async () => {
  // A real form: the intake sheet of a new case, as the officer prints it.
  const token = server.tokens["demo-officer-tap"];
  const created = await call(server.url, "/cases", { token, method: "POST", body: valid("Escaneo Flores") });
  assert.equal(created.status, 201);
  const pdf = await call(server.url, `/cases/${created.data.id}/forms/intake_sheet.pdf`, { token });
  assert.equal(pdf.status, 200);
  const dir = mkdtempSync(join(tmpdir(), "siproc-qr-"));
  let camera;
  try {
    writeFileSync(join(dir, "form.pdf"), pdf.data);
    // The QR code is at the top right of the first page (a 60 pt square, 36 pt from the top and
    // 50 pt from the right edge, on the office's paper size): a 100 pt square around it, at
    // 200 dpi.
    const info = spawnSync("pdfinfo", [join(dir, "form.pdf")], { encoding: "utf8" });
    const width = Number(info.stdout.match(/Page size:\s+([\d.]+) x/)[1]);
    const px = (pt) => String(Math.round((pt * 200) / 72));
    const render = spawnSync("pdftoppm", ["-f", "1", "-l", "1", "-r", "200", "-gray", "-x", px(width - 130), "-y", px(16),
      "-W", px(100), "-H", px(100), "-singlefile", join(dir, "form.pdf"), join(dir, "qr")]);
    assert.equal(render.status, 0, String(render.stderr));
    const pgm = readFileSync(join(dir, "qr.pgm"));
    // zbar confirms what the image holds before the browser reads it.
    const zbar = spawnSync("zbarimg", ["--quiet", "--raw", join(dir, "qr.pgm")], { encoding: "utf8" });
    assert.equal(zbar.status, 0, zbar.stderr);
    const payload = zbar.stdout.trim();
    // The address of the public verification page carrying the code (issue 33, item 11): the
    // server's origin (here the one the request came to, no public_origin being configured).
    assert.match(payload, new RegExp(`^${server.url.replaceAll(".", "\\.")}/v/[0-9A-F]{12}$`));
    writeFileSync(join(dir, "qr.y4m"), y4m(pgm));

    camera = await launch(["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
      `--use-file-for-fake-video-capture=${join(dir, "qr.y4m")}`]);
    const ctx = await camera.newContext({ viewport: { width: 1100, height: 900 }, locale: "es-HN", bypassCSP: true });
    const page = await ctx.newPage();
    await page.goto(`${server.url}/#/verify`);
    await page.waitForSelector("main[data-ready][data-page=verify]");
    await page.locator("#verify[data-camera=true]").waitFor();
    await page.click("#scan");
    await page.locator("#verdict[data-genuine=true]").waitFor({ timeout: 15_000 });
    assert.equal(await page.inputValue("#code"), payload, "the code field holds what the QR code says");
    const text = await page.locator("#verdict").innerText();
    assert.match(text, new RegExp(created.data.number));
    assert.doesNotMatch(text, /Escaneo|Flores|0801/, "no personal data");
    await axe(page, "verify (scanned)");
    await page.screenshot({ path: join(SHOTS, "verify-scanned.png"), fullPage: true });
    // What a phone's camera app does: it opens the address, and the check runs at once.
    const opened = await ctx.newPage();
    await opened.goto(payload);
    await opened.locator("#verdict[data-genuine=true]").waitFor({ timeout: 15_000 });
    assert.match(await opened.evaluate(() => location.hash), /^#\/verify\/[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$/);
    assert.match(await opened.locator("#verdict").innerText(), new RegExp(created.data.number));
    await opened.screenshot({ path: join(SHOTS, "verify-opened-from-qr.png"), fullPage: true });
    // The content forms printed before this change (`SIPROC:<number>:<hash>`), typed, still checks.
    const events = (await call(server.url, `/cases/${created.data.id}/history`, { token })).data.items;
    const generated = events.find((e) => e.kind.type === "form_generated");
    await opened.fill("#code", `SIPROC:${created.data.number}:${generated.prev_hash.toUpperCase()}`);
    await opened.click("#verify button[type=submit]");
    await opened.locator("#verdict[data-genuine=true]").waitFor();
  } finally {
    await camera?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("migrated cases: marked in the list, their follow-up items on the case page, completed by a correction", async () => {
  const page = await signedIn(await context({ bypassCSP: true }), "demo-directorate");
  const rows = page.locator("#cases tr:has(.badge.migrated)");
  await rows.first().waitFor();
  assert.equal(await rows.count(), 2, "the demo's two migrated cases");
  assert.equal(await page.locator("#cases tr:has(.badge.incomplete)").count(), 2, "both lack items");
  const summaries = (await call(server.url, "/cases?limit=500", { token: server.tokens["demo-directorate"] })).data.items.filter((c) => c.migrated);
  const tap = summaries.find((c) => c.office === "TAP");
  assert.ok(tap && tap.follow_ups > 0);
  assert.equal(await page.locator(`tr[data-id="${tap.id}"] .badge.incomplete`).innerText(), `incompleto: ${tap.follow_ups}`);
  await page.locator(`tr[data-id="${tap.id}"]`).scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(SHOTS, "cases-migrated.png") });

  await go(page, `#/case/${tap.id}`);
  await page.locator("#chain.ok").waitFor();
  const wanted = (await call(server.url, `/cases/${tap.id}`, { token: server.tokens["demo-directorate"] })).data.legacy;
  assert.match(await page.locator("#legacy").innerText(), new RegExp(`${wanted.source}, fila ${wanted.row}`));
  const shown = await page.locator("#follow-ups li").evaluateAll((items) => items.map((li) => [li.dataset.code, li.dataset.path]));
  assert.deepEqual(shown, wanted.follow_ups.map((f) => [f.code, f.path]));
  await axe(page, "case page (migrated)");
  await page.screenshot({ path: join(SHOTS, "case-migrated.png"), fullPage: true });

  // A text fact the log never recorded, supplied through the correction form.
  const facts = await page.locator("#correct-path option").evaluateAll((os) => os.map((o) => o.value));
  const missing = wanted.follow_ups.find((f) => f.path.startsWith("/facts/") && facts.includes(f.path)
    && ["authority", "facility", "charges"].includes(f.path.slice(7)));
  assert.ok(missing, JSON.stringify(wanted.follow_ups));
  await commandForm(page, "correct", async (form) => {
    await form.locator("#correct-path").selectOption(missing.path);
    await form.locator("#correct-value").fill("Instituto Nacional de Migración");
  });
  assert.equal(await page.locator("#follow-ups li").count(), wanted.follow_ups.length - 1);
  assert.equal(await page.locator(`#follow-ups li[data-path="${missing.path}"]`).count(), 0);
});

// Last: it spends this client's failed checks, after which its checks are refused.
test("repeated failed checks from one client are rate-limited", async () => {
  let status = 200;
  for (let i = 0; i < 12 && status !== 429; i++) {
    status = (await call(server.url, "/form-checks", { method: "POST", body: { code: `0000-0000-${String(i).padStart(4, "0")}` } })).status;
  }
  assert.equal(status, 429);
});
