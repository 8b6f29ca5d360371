// What consular staff tripped over (issue 33, items 10, 9, 7, 4, 6 and the duplicate warning of
// item 2), each in a real headless Chromium against a real siproc-server (harness.mjs):
//
// - every word is the core's in the user's language: no role, form or office code in the
//   history, no Spanish form title in the English app;
// - statistics a partner can read (no empty chart, no legend without bars, the month table
//   down the page, gaps between months shown) and a phone that can use the case list (no column
//   off-screen) and tap every control (at least 24×24 px, measured);
// - corrections with the intake form's typed inputs, filled in with the current value.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { PAGE_WASM, SHOTS, axe, corpus, fill, go, signIn, valid } from "./pages.mjs";
import { call } from "./server.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

/** A page signed in as demo user `user` on `hash`, in `locale`, with context `options`. */
async function signedIn(user, hash, { locale = "es", home = "cases", options = {} } = {}) {
  const ctx = await context({ bypassCSP: true, ...options });
  await ctx.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens[user], home);
  if (hash && hash !== `#/${home}`) await go(page, hash);
  return page;
}

/** A Tapachula case registered by its officer, with its intake sheet generated: { id, number }. */
async function registered(surnames) {
  const token = server.tokens["demo-officer-tap"];
  const made = await call(server.url, "/cases", { token, method: "POST", body: valid(surnames) });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  assert.equal((await call(server.url, `/cases/${made.data.id}/forms/intake_sheet.pdf`, { token })).status, 200);
  return made.data;
}

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true };

/**
 * The controls of `page` smaller than 24×24 CSS pixels (WCAG 2.2's target size), as
 * "selector w×h": every visible button, input, select, summary and link, except links inside a
 * sentence (the criterion's inline exception).
 */
const smallTargets = (page) => page.evaluate(() => {
  const out = [];
  for (const node of document.querySelectorAll("a[href], button, input:not([type=hidden]), select, summary, textarea")) {
    const box = node.getBoundingClientRect();
    if (!box.width || !box.height || getComputedStyle(node).visibility === "hidden" || box.right < 0 || box.left > innerWidth) continue;
    if (node.tagName === "A" && node.closest("p, li") && node.closest("p, li").textContent.trim() !== node.textContent.trim()
      && !node.closest("nav, table")) continue;
    if (box.width < 24 || box.height < 24) {
      out.push(`${node.tagName.toLowerCase()}${node.id ? `#${node.id}` : ""}${node.getAttribute("href") ? `[href="${node.getAttribute("href")}"]` : ""} ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return out;
});

test("item 10: the history and the forms speak the user's language; no code is shown for a word", async () => {
  const c = await registered("Palabras Claras");
  for (const [locale, role, office] of [["en", "officer", "Consulate of Honduras in Tapachula"], ["es", "officer", "Consulado de Honduras en Tapachula"]]) {
    const page = await signedIn("demo-officer-tap", `#/case/${c.id}`, { locale });
    await page.locator("#timeline li").nth(1).waitFor();
    const labels = await page.evaluate(`${PAGE_WASM}.then((m) => m.catalog("${locale}", "hn").labels)`);
    const timeline = await page.locator("#timeline").innerText();
    assert.ok(timeline.includes(labels.role[role]), `the role in words (${locale})`);
    assert.ok(timeline.includes(labels.form.intake_sheet), `the form's title in ${locale}`);
    assert.doesNotMatch(timeline, /\(officer|intake_sheet|, TAP\)/, "no code");
    assert.equal(await page.locator("dd#office").innerText(), office);
    const forms = await page.locator("#forms").innerText();
    assert.ok(forms.includes(labels.form.informed_consent));
    if (locale === "en") assert.doesNotMatch(forms, /Ficha de registro|Consentimiento informado/, "no Spanish title in English");
    await axe(page, `case page words (${locale})`);
    if (locale === "en") await page.screenshot({ path: join(SHOTS, "case-words-en.png"), fullPage: true });
  }
});

test("item 9: a partner's charts draw what is published; months read down the page with their gaps", async () => {
  const partner = await signedIn("demo-partner", "#/stats", { home: "stats" });
  await partner.waitForSelector("#by-month canvas");
  const charts = await partner.evaluate(() => [...document.querySelectorAll(".panel canvas")].map((c) => {
    const chart = window.Chart.getChart(c);
    return { id: c.closest(".panel").id, labels: chart.data.labels,
      datasets: chart.data.datasets.map((d) => ({ label: d.label, values: d.data.filter((v) => v > 0).length })) };
  }));
  for (const chart of charts) {
    assert.ok(chart.datasets.length > 0, `${chart.id}: something drawn`);
    for (const d of chart.datasets) assert.ok(d.values > 0, `${chart.id}: "${d.label}" in the legend has bars`);
  }
  // A panel with nothing published says so instead of drawing an empty grid.
  const panels = await partner.locator(".panel").count();
  assert.equal(charts.length + await partner.locator(".panel .nothing-drawn").count(), panels);
  // The month table: months down the rows, categories across; no wider than its panel.
  const width = await partner.evaluate(() => {
    const table = document.querySelector("#table-by-month");
    return { table: table.scrollWidth, panel: table.closest(".panel").clientWidth, head: table.querySelector("thead th").innerText };
  });
  assert.ok(width.table <= width.panel, `the month table fits its panel (${width.table} > ${width.panel})`);
  assert.equal(width.head, "Mes");
  await axe(partner, "dashboard (partner)");
  await partner.screenshot({ path: join(SHOTS, "dashboard-partner.png"), fullPage: true });

  // The directorate's months span the migrated cases' years: a gap is drawn as "…", and
  // months either side of no gap are adjacent.
  const board = await signedIn("demo-directorate", "#/stats");
  await board.waitForSelector("#by-month canvas");
  const months = await board.evaluate(() => window.Chart.getChart(document.querySelector("#by-month canvas")).data.labels);
  const next = (m) => { const [y, n] = m.split("-").map(Number); return n === 12 ? `${y + 1}-01` : `${y}-${String(n + 1).padStart(2, "0")}`; };
  assert.ok(months.includes("…"), `a gap is shown: ${months.join(" ")}`);
  months.forEach((m, i) => {
    if (i && m !== "…" && months[i - 1] !== "…") assert.equal(m, next(months[i - 1]), `${months[i - 1]} → ${m}`);
  });
  await board.screenshot({ path: join(SHOTS, "dashboard-staff.png"), fullPage: true });
});

test("item 9: on a phone the case list shows every column and every control is at least 24×24 px", async () => {
  const c = await registered("Pantalla Chica");
  const page = await signedIn("demo-officer-tap", "#/cases", { options: PHONE });
  await page.locator("#cases tbody tr").first().waitFor();
  const off = await page.locator("#cases tbody tr").first().evaluate((tr) =>
    [...tr.querySelectorAll("td")].filter((td) => td.getBoundingClientRect().right > innerWidth + 1).map((td) => td.dataset.label));
  assert.deepEqual(off, [], "no column off-screen");
  assert.deepEqual(await smallTargets(page), [], "case list");
  await axe(page, "case list (phone)");
  await page.screenshot({ path: join(SHOTS, "cases-phone.png") });
  for (const hash of ["#/intake", `#/case/${c.id}`, "#/stats", "#/verify"]) {
    await go(page, hash);
    if (hash === "#/intake") await page.selectOption("#f-category", "detention");
    assert.deepEqual(await smallTargets(page), [], hash);
  }
});

test("item 4: a correction uses the intake form's typed input, filled in with the current value", async () => {
  const c = await registered("Dato Tipado");
  const page = await signedIn("demo-officer-tap", `#/case/${c.id}`);
  const details = page.locator('#command-forms details[data-command="correct"]');
  await details.locator("summary").click();
  // A date: a date picker holding the birth date.
  await details.locator("#correct-path").selectOption("/persons/0/birth_date");
  assert.equal(await details.locator("#correct-value").getAttribute("type"), "date");
  assert.equal(await details.locator("#correct-value").inputValue(), "1994-07-21");
  // A choice of the category: its labels, the current one selected, never the raw code shown.
  await details.locator("#correct-path").selectOption("/facts/detention_kind");
  assert.equal(await details.locator("#correct-value").evaluate((e) => e.tagName), "SELECT");
  assert.equal(await details.locator("#correct-value").inputValue(), "immigration");
  const options = await details.locator("#correct-value option").allInnerTexts();
  assert.ok(!options.includes("immigration") && options.length > 2, options.join(" | "));
  // A number.
  await details.locator("#correct-path").selectOption("/facts/visits_made");
  assert.equal(await details.locator("#correct-value").getAttribute("type"), "number");
  assert.equal(await details.locator("#correct-value").inputValue(), "1");
  // A list: a box per option.
  await details.locator("#correct-path").selectOption("/flags");
  assert.ok(await details.locator("#correct-value input[type=checkbox]").count() > 3);
  await details.locator("#correct-value input[type=checkbox]").first().check();
  await axe(page, "correction form");
  await page.screenshot({ path: join(SHOTS, "case-correct-typed.png"), fullPage: true });
  // Sent as a list: the server takes it.
  const version = await page.locator("main").getAttribute("data-version");
  await details.locator("button[type=submit]").click();
  await page.waitForSelector(`main[data-version]:not([data-version="${version}"])`);
  await page.locator("#notice .ok").waitFor();
  const now = (await call(server.url, `/cases/${c.id}`, { token: server.tokens["demo-officer-tap"] })).data;
  assert.equal(now.flags.length, 1);
});

test("item 7: one search box finds a case by name, case number or document number; the list names the national; a transfer to the office comes first, accept/decline first", async () => {
  const token = server.tokens["demo-officer-tap"];
  const record = valid("Buscada Única");
  record.persons[0].documents[0].number = "0801-1987-54321";
  const made = await call(server.url, "/cases", { token, method: "POST", body: record });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  const page = await signedIn("demo-officer-tap", "#/cases");
  const urls = [];
  page.on("request", (r) => urls.push(r.url()));
  for (const text of [made.data.number.toLowerCase(), "0801 1987 54321", "buscada unica"]) {
    await page.fill("#q-text", text);
    await page.click("#filters button[type=submit]");
    // The search's answer drawn (not the list it replaces, which holds the new case too).
    await page.locator('#cases[aria-busy="false"]').waitFor({ timeout: 10_000 });
    await page.locator(`tr[data-number="${made.data.number}"]`).waitFor({ timeout: 10_000 });
    assert.match(await page.locator(`tr[data-number="${made.data.number}"] td[data-label="Nombre"]`).innerText(), /Buscada Única/);
    if (text.startsWith("tap")) assert.equal(await page.locator("#cases tbody tr").count(), 1, "a case number finds that case");
  }
  assert.ok(urls.some((u) => u.endsWith("/api/v1/cases/search")));
  assert.ok(!urls.some((u) => /1987|buscada|tap-2026/i.test(u)), "no search term in a URL");
  await axe(page, "case list searched");

  // Tapachula sends the case to Houston: Houston's list shows it first, marked; its page asks
  // for acceptance first.
  const etag = (await call(server.url, `/cases/${made.data.id}`, { token })).headers.get("etag");
  const sent = await call(server.url, `/cases/${made.data.id}/commands`, { token, method: "POST", headers: { "if-match": etag },
    body: { command: "request_transfer", to_office: "HOU" } });
  assert.equal(sent.status, 200, JSON.stringify(sent.data));
  const houston = await signedIn("demo-officer-hou", "#/cases");
  const first = houston.locator("#cases tbody tr").first();
  await first.locator(".badge.transfer").waitFor();
  assert.equal(await first.getAttribute("data-number"), made.data.number);
  await houston.screenshot({ path: join(SHOTS, "cases-transfer-in.png") });
  await go(houston, `#/case/${made.data.id}`);
  const banner = houston.locator("#transfer-in");
  await banner.waitFor();
  assert.match(await banner.innerText(), /Tapachula/);
  assert.deepEqual(await banner.locator("button").evaluateAll((bs) => bs.map((b) => b.dataset.command)), ["accept_transfer", "reject_transfer"]);
  await axe(houston, "case page, transfer to the office");
  await houston.screenshot({ path: join(SHOTS, "case-transfer-in.png"), fullPage: true });
  await banner.locator('button[data-command="accept_transfer"]').click();
  await houston.locator("#notice .ok").waitFor();
  assert.equal(await houston.locator("#transfer-in").count(), 0);
});

test("item 6: one problem per mistake, focus on it above the button; the language changes without losing the form; consent as the core rules; the office's own office only; server errors in the user's language", async () => {
  const page = await signedIn("demo-officer-tap", "#/intake");
  await page.waitForSelector("form#intake[data-ready]");
  // An officer registers in their own office only (the core's rule): it is the one offered.
  assert.deepEqual(await page.locator("#f-office option").evaluateAll((os) => os.map((o) => o.value)), ["TAP"]);
  // The consent box has no "*": a case may be registered before consent is recorded (the core warns).
  assert.equal(await page.locator("#f-consent-given-label .required").count(), 0);
  // A birth date in the future: one problem, at the birth date; the summary above the form; focus there.
  const entry = corpus("dates.json", "birth date in the future");
  await fill(page, entry.intake);
  await page.click("#intake button[type=submit]");
  await page.locator("#problems").waitFor();
  assert.deepEqual(await page.locator(".row.invalid").evaluateAll((rs) => rs.map((r) => r.dataset.path)), ["/persons/0/birth_date"]);
  assert.equal(await page.evaluate(() => document.activeElement?.id), "f-persons-0-birth_date");
  assert.ok(await page.evaluate(() => document.querySelector("#result").compareDocumentPosition(document.querySelector("form#intake")) & Node.DOCUMENT_POSITION_FOLLOWING),
    "the summary is above the form");
  await axe(page, "intake with one problem");
  await page.screenshot({ path: join(SHOTS, "intake-one-problem.png"), fullPage: true });
  // Another language: the page is drawn again in it, with what was typed.
  await page.fill("#f-persons-0-surnames", "Medio Lleno");
  await page.click("#lang");
  await page.waitForSelector("main[data-ready][data-page=intake] h1:text('Register a case')");
  assert.equal(await page.inputValue("#f-persons-0-surnames"), "Medio Lleno");
  assert.equal(await page.inputValue("#f-persons-0-birth_date"), entry.intake.persons[0].birth_date);
  assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
  await page.screenshot({ path: join(SHOTS, "intake-language-kept.png"), fullPage: true });
  await page.click("#lang");
  await page.waitForSelector("main[data-ready][data-page=intake] h1:text('Registrar un caso')");
  // Without consent: registered (the core's warning, not an error).
  const record = valid("Sin Consentimiento");
  delete record.consent;
  await page.reload();
  await page.waitForSelector("form#intake[data-ready]");
  await fill(page, record);
  await page.locator("#f-consent-given").setChecked(false);
  for (const box of await page.locator("#f-consent-scope input:checked").all()) await box.uncheck();
  await page.click("#intake button[type=submit]");
  await page.locator("#registered").waitFor({ timeout: 10_000 });
  // The server answers in the user's language: a case that is not there, in the Spanish app.
  await go(page, "#/case/01950000-0000-7000-8000-00000000dead");
  assert.match(await page.locator("main").innerText(), /No existe, o usted no puede verlo\./);
  const missing = (language) => call(server.url, "/cases/01950000-0000-7000-8000-00000000dead", {
    token: server.tokens["demo-officer-tap"], headers: language ? { "accept-language": language } : {} });
  assert.equal((await missing("en-GB,en;q=0.9")).data.message, "It does not exist, or you may not see it.");
  assert.equal((await missing("fr, es;q=0.5")).data.message, "No existe, o usted no puede verlo.");
  assert.equal((await missing()).data.code, "store.not_found");
  // A refused report's issues in the request's language too.
  const bad = corpus("dates.json", "request date in the future").intake;
  const refused = await call(server.url, "/cases", { token: server.tokens["demo-officer-tap"], method: "POST", body: bad, headers: { "accept-language": "en" } });
  assert.equal(refused.status, 422);
  assert.equal(refused.data.issues[0].message, "The date cannot be later than today.");
});
