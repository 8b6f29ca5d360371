// What a usability test of the web application found (issue 33), each in a real headless
// Chromium against a real siproc-server (harness.mjs):
//
// - one filled intake form is one registration: a double click registers once, the form clears
//   after success, and its Idempotency-Key is the form's, not the click's.
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
  await page.goto(`${server.url}/#/signin`);
  await signIn(page, server.tokens[user], home);
  if (hash && hash !== `#/${home}`) await go(page, hash);
  return page;
}

/** How many cases the office's officer finds under `name`. */
const found = async (name) => (await call(server.url, "/cases/search", {
  token: server.tokens["demo-officer-tap"], method: "POST", body: { name } })).data.items.length;

test("a double click registers once; the form clears; a click on the cleared form registers nothing", async () => {
  const page = await signedIn("demo-officer-tap", "#/intake");
  await page.waitForSelector("form#intake[data-ready]");
  await fill(page, valid("Doble Clic"));
  await page.dblclick("#intake button[type=submit]");
  await page.locator("#registered").waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("#f-persons-0-surnames").inputValue(), "", "the form is cleared");
  assert.match(await page.locator("#registered").innerText(), /TAP-\d{4}-\d+/);
  await page.click("#intake button[type=submit]");
  await page.waitForTimeout(1000);
  assert.equal(await found("Doble Clic"), 1, "one case");
  // The next filled form is the next registration.
  await fill(page, valid("Doble Clic"));
  await page.click("#intake button[type=submit]");
  await page.locator("#registered").waitFor({ timeout: 10_000 });
  assert.equal(await found("Doble Clic"), 2);
});
