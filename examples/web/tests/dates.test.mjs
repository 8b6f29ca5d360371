// Dates are the office's (issue 33, item 3), in a real headless Chromium against a real
// siproc-server (harness.mjs), with the browser's clock at 01:30 UTC on 3 March 2026 — 19:30 on
// 2 March in Tapachula — and the browser itself in UTC:
//
// - the intake's default request and consent dates are 2 March (the office's date), and follow
//   the office the directorate picks (in Madrid it is already 3 March);
// - the case page's times are the office's local times, and a command form's default date too;
// - a PDF form prints its generation time in the office's time zone.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { SHOTS, axe, go, signIn, valid } from "./pages.mjs";
import { call } from "./server.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

/** 19:30 on 2 March 2026 in Tapachula (America/Mexico_City, UTC−6). */
const EVENING = new Date("2026-03-03T01:30:00Z");

/** A page in UTC at EVENING, signed in as demo user `user`, on `hash`. */
async function signedIn(user, hash, home = "cases") {
  const ctx = await context({ bypassCSP: true, timezoneId: "UTC" });
  await ctx.clock.setFixedTime(EVENING);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens[user], home);
  if (hash) await go(page, hash);
  return page;
}

/** `iso` as a page shows it in `timeZone`. */
const shown = (iso, timeZone) => new Date(iso).toLocaleString("es-HN", { dateStyle: "medium", timeStyle: "short", timeZone });

test("the intake's default dates are the office's date, not the UTC date", async () => {
  const page = await signedIn("demo-officer-tap", "#/intake");
  await page.waitForSelector("form#intake[data-ready]");
  assert.equal(await page.evaluate(() => new Date().toISOString().slice(0, 10)), "2026-03-03", "the UTC date is tomorrow's");
  assert.equal(await page.inputValue("#f-opened_on"), "2026-03-02");
  assert.equal(await page.inputValue("#f-consent-recorded_on"), "2026-03-02");
  await axe(page, "intake at 19:30 in Tapachula");
  await page.screenshot({ path: join(SHOTS, "intake-local-date.png"), fullPage: true });

  // The directorate (no office of its own: the browser's date until an office is chosen)
  // registering for Tapachula, then for Madrid, where it is 02:30 on 3 March.
  const board = await signedIn("demo-directorate", "#/intake");
  await board.waitForSelector("form#intake[data-ready]");
  await board.selectOption("#f-office", "TAP");
  assert.equal(await board.inputValue("#f-opened_on"), "2026-03-02");
  await board.selectOption("#f-office", "MAD");
  assert.equal(await board.inputValue("#f-opened_on"), "2026-03-03");
  assert.equal(await board.inputValue("#f-consent-recorded_on"), "2026-03-03");
  // A date the user typed stays.
  await board.fill("#f-opened_on", "2026-02-27");
  await board.selectOption("#f-office", "TAP");
  assert.equal(await board.inputValue("#f-opened_on"), "2026-02-27");
  assert.equal(await board.inputValue("#f-consent-recorded_on"), "2026-03-02");
});

test("the case page shows the office's local times and dates; the PDF prints the office's time", async () => {
  const token = server.tokens["demo-officer-tap"];
  const made = await call(server.url, "/cases", { token, method: "POST", body: valid("Hora Local") });
  assert.equal(made.status, 201);
  const id = made.data.id;
  const pdf = await call(server.url, `/cases/${id}/forms/intake_sheet.pdf`, { token });
  assert.equal(pdf.status, 200);
  const events = (await call(server.url, `/cases/${id}/history`, { token })).data.items;

  const page = await signedIn("demo-officer-tap", `#/case/${id}`);
  await page.locator("#timeline li").nth(1).waitFor();
  const times = await page.locator("#timeline time").allInnerTexts();
  assert.deepEqual(times, events.map((e) => shown(e.at, "America/Mexico_City")), "times at the office, not in UTC");
  // The service form's default date is the office's today.
  await page.locator('details[data-command="record_service"] summary').click();
  assert.equal(await page.locator('form[data-command="record_service"] input[type=date]').inputValue(), "2026-03-02");

  // The PDF's footer: the generation time in the office's time zone (dd/mm/yyyy HH:MM and the zone).
  const generated = events.find((e) => e.kind.type === "form_generated").at;
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", { timeZone: "America/Mexico_City", year: "numeric",
    month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(new Date(generated))
    .map((p) => [p.type, p.value]));
  const dir = mkdtempSync(join(tmpdir(), "siproc-dates-"));
  try {
    writeFileSync(join(dir, "form.pdf"), pdf.data);
    const text = spawnSync("pdftotext", ["-enc", "UTF-8", join(dir, "form.pdf"), "-"], { encoding: "utf8" }).stdout.split(/\s+/).join(" ");
    assert.ok(text.includes(`${parts.day}/${parts.month}/${parts.year} ${parts.hour}:${parts.minute} CST`), text.slice(-400));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await page.screenshot({ path: join(SHOTS, "case-local-times.png"), fullPage: true });
});
