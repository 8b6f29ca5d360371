// The users page for administrators (issue 28), in a real headless Chromium against a real
// siproc-server (harness.mjs): the directorate creates a user and is shown their single-use
// enrolment link once, disables and re-enables them, changes their role; the link enrols them.
// A supervisor sees only their office's users and is offered changes to its officers only (an
// officer to create, at their own office). The page is axe clean in Spanish and English.
import assert from "node:assert/strict";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { axe, go, totp } from "./pages.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

/** A page signed in as `user` (password and a recovery code) in `locale`, on the users page. */
async function usersPage(user, locale, code = 0) {
  const page = await (await context({ bypassCSP: true })).newPage();
  await page.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
  await page.goto(`${server.url}/#/signin`);
  await page.waitForSelector("main[data-ready][data-page=signin]");
  await page.locator("#login").fill(user);
  await page.locator("#password").fill(server.password);
  await page.locator("#code").fill(server.signins[user].codes[code]);
  await page.locator("#password-signin button[type=submit]").click();
  await page.waitForFunction(() => document.querySelector("main[data-ready]")?.dataset.page !== "signin");
  await page.locator('nav a[href="#/users"]').click();
  await page.waitForSelector("main[data-ready][data-page=users] #users");
  return page;
}

const row = (page, login) => page.locator(`#users tr[data-id="${login}"]`);

test("the directorate creates a user, sees the link once, disables, re-enables and changes them", async () => {
  const page = await usersPage("demo-directorate", "es");
  await axe(page, "users (directorate)");
  await page.locator("#new-login").fill("ana.nueva");
  await page.locator("#new-name").fill("Ana Nueva");
  await page.selectOption("#new-role", "officer");
  await page.selectOption("#new-office", "TAP");
  await page.locator("#new-user button[type=submit]").click();
  await page.locator("#user-link").waitFor();
  const link = await page.locator("#user-link").innerText();
  assert.match(link, /^http:\/\/127\.0\.0\.1:\d+\/#\/enrol\/[0-9a-f]{64}$/);
  await row(page, "ana.nueva").waitFor();
  await axe(page, "users with a new user's link");
  // Disabled, then re-enabled.
  await row(page, "ana.nueva").locator("button.danger").click();
  await page.waitForFunction(() => document.querySelector('#users tr[data-id="ana.nueva"]')?.textContent.includes("desactivado"));
  await row(page, "ana.nueva").locator("button", { hasText: "Reactivar" }).click();
  await page.waitForFunction(() => document.querySelector('#users tr[data-id="ana.nueva"] button.danger'));
  // Made an auditor: the office goes.
  await page.selectOption("#role-ana\\.nueva", "auditor");
  assert.equal(await page.locator("#office-ana\\.nueva").isDisabled(), true);
  await row(page, "ana.nueva").locator("button", { hasText: "Guardar" }).click();
  await page.waitForFunction(() => document.querySelector('#users tr[data-id="ana.nueva"] td:nth-of-type(3)')?.textContent === "—");
  // Nobody changes themselves: no controls on the directorate's own row.
  assert.equal(await row(page, "demo-directorate").locator("button").count(), 0);
  // The link enrols the new user (shown once: it is in no list).
  const fresh = await (await context({ bypassCSP: true })).newPage();
  await fresh.goto(link);
  await fresh.waitForSelector("main[data-ready][data-page=enrol] #enrol-qr");
  assert.match(await fresh.locator("#enrol-for").innerText(), /Ana Nueva \(ana\.nueva\)/);
});

test("a supervisor sees their office and changes only its officers", async () => {
  const page = await usersPage("demo-supervisor-tap", "en");
  await axe(page, "users (supervisor, English)");
  const logins = await page.locator("#users tbody tr").evaluateAll((rs) => rs.map((r) => r.dataset.id));
  assert.ok(logins.includes("demo-officer-tap"));
  assert.ok(!logins.includes("demo-officer-hou"), "another office's officer is not listed");
  // Their office's officer: disable and a new link, no role or office to change.
  assert.ok(await row(page, "demo-officer-tap").locator("button.danger").count() === 1);
  assert.equal(await row(page, "demo-officer-tap").locator("select").count(), 0);
  // Themselves: nothing.
  assert.equal(await row(page, "demo-supervisor-tap").locator("button").count(), 0);
  // Creating: an officer, at their own office only.
  assert.deepEqual(await page.locator("#new-role option").evaluateAll((os) => os.map((o) => o.value)), ["officer"]);
  assert.deepEqual(await page.locator("#new-office option").evaluateAll((os) => os.map((o) => o.value)), ["TAP"]);
  await page.locator("#new-login").fill("oficial.tap2");
  await page.locator("#new-user button[type=submit]").click();
  await page.locator("#user-link").waitFor();
  await row(page, "oficial.tap2").waitFor();
  // A new link for an officer who lost their phone.
  await row(page, "demo-officer-tap").locator("button.secondary").click();
  await page.waitForFunction(() => document.querySelector("#user-link-box")?.textContent.includes("demo-officer-tap"));
  await axe(page, "users (supervisor) with a link");
});
