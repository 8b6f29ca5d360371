// API tokens on the account page (issue 28), in a real headless Chromium against a real
// siproc-server (harness.mjs): a person signed in makes a token for a program (a name, the
// scopes, a lifetime), sees its secret once, and the program uses it (within its scopes only);
// the list shows it without any secret; revoked from the page, it stops at its next request.
// The page is axe clean in Spanish and English.
import assert from "node:assert/strict";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { axe, go, totp } from "./pages.mjs";
import { call } from "./server.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

/** A page signed in as `user` (password and code) in `locale`, on the account page. */
async function accountPage(user, locale) {
  const page = await (await context({ bypassCSP: true })).newPage();
  await page.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
  await page.goto(`${server.url}/#/signin`);
  await page.waitForSelector("main[data-ready][data-page=signin]");
  await page.locator("#login").fill(user);
  await page.locator("#password").fill(server.password);
  await page.locator("#code").fill(totp(server.signins[user].secret));
  await page.locator("#password-signin button[type=submit]").click();
  await page.waitForSelector("main[data-ready][data-page=cases]");
  await go(page, "#/account");
  await page.locator("#token-create").waitFor();
  return page;
}

test("a token made on the account page works within its scopes, is listed without its secret, and is revoked", async () => {
  const page = await accountPage("demo-officer-tap", "es");
  await axe(page, "account with tokens");
  const before = await page.locator("#tokens li").count();
  await page.locator("#token-name").fill("sincronización cancillería");
  // Reading cases only: the write scopes unticked (the reads are ticked by default).
  for (const scope of ["stats-read", "logs-read", "archive-read", "users-read", "tokens-read"]) {
    await page.locator(`#token-scope-${scope}`).uncheck();
  }
  await page.selectOption("#token-lifetime", "7");
  await page.locator("#token-create button[type=submit]").click();
  await page.locator("#token-secret").waitFor();
  const secret = await page.locator("#token-secret").innerText();
  assert.match(secret, /^sps_[0-9a-f]{64}$/);
  assert.equal(await page.locator("#tokens li").count(), before + 1);
  const listed = await page.locator("#tokens li").first().innerText();
  assert.match(listed, /sincronización cancillería \(cases:read\)/);
  assert.equal(listed.includes(secret), false);
  await axe(page, "account with a new token's secret");
  // The program reads cases, and may not write one or read the statistics.
  assert.equal((await call(server.url, "/cases", { token: secret })).status, 200);
  assert.equal((await call(server.url, "/stats", { token: secret })).status, 403);
  // Listed again from the server: no secret anywhere on the page.
  await go(page, "#/cases");
  await go(page, "#/account");
  await page.locator("#tokens li").first().waitFor();
  assert.equal((await page.content()).includes(secret), false);
  const tokens = await page.evaluate(async () => (await (await fetch("/api/v1/tokens")).json()));
  const made = tokens.find((t) => t.name === "sincronización cancillería");
  assert.deepEqual(made.scopes, ["cases:read"]);
  const days = (new Date(made.expires_at) - new Date(made.created_at)) / 86_400_000;
  assert.ok(Math.abs(days - 7) < 0.01, `${days} days`);
  // Revoked from the page: it stops at its next request.
  await page.locator(`#tokens li[data-id="${made.id}"] button`).click();
  await page.locator(`#tokens li[data-id="${made.id}"]:not(:has(button))`).waitFor();
  assert.equal((await call(server.url, "/cases", { token: secret })).status, 401);
});

test("the tokens' section is axe clean in English and refuses a token without a scope", async () => {
  const page = await accountPage("demo-supervisor-tap", "en");
  await axe(page, "account with tokens (English)");
  await page.locator("#token-name").fill("nothing");
  for (const box of await page.locator("#token-scopes input").all()) await box.uncheck();
  await page.locator("#token-create button[type=submit]").click();
  await page.locator("#tokens-message:not(:empty)").waitFor();
  assert.match(await page.locator("#tokens-message").innerText(), /at least one scope/);
});
