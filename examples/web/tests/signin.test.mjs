// People signing in (issue 28), each in a real headless Chromium against a real siproc-server
// started with `--demo` (harness.mjs), whose demo users are enrolled with the demo password, a
// second-factor secret and recovery codes it prints:
//
// - password and the authenticator's current code (computed here from the printed secret, RFC
//   6238) sign in; the session is an HttpOnly cookie no script can read; the account page lists
//   the sessions, ends another browser's, and signs out everywhere;
// - a recovery code signs in once;
// - a user disabled by the directorate while signed in is sent back to the sign-in page at their
//   next request, which says the session ended;
// - the sign-in, account and enrolment pages are axe clean, in Spanish and English.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { axe, go, totp } from "./pages.mjs";
import { call } from "./server.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

/**
 * A page of a new context on the sign-in page (`locale`: the application's language; the
 * context bypasses the pages' CSP so that axe-core may be added).
 */
async function signinPage(locale = "es") {
  const page = await (await context({ bypassCSP: true })).newPage();
  await page.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
  await page.goto(`${server.url}/#/signin`);
  await page.waitForSelector("main[data-ready][data-page=signin]");
  return page;
}

/** Signs `user` in on `page` with the demo password and `code`; waits for `home`. */
async function signIn(page, user, code, home = "cases") {
  await page.locator("#login").fill(user);
  await page.locator("#password").fill(server.password);
  await page.locator("#code").fill(code);
  await page.locator("#password-signin button[type=submit]").click();
  await page.waitForSelector(`main[data-ready][data-page=${home}]`);
}

test("password and code sign in; the cookie is HttpOnly; the account page signs out everywhere", async () => {
  const page = await signinPage();
  assert.equal(await page.locator("#token").count(), 0, "no token form without ?dev-token");
  await axe(page, "sign-in");
  // A wrong code: the same refusal as any other, on the page.
  await page.locator("#login").fill("demo-officer-tap");
  await page.locator("#password").fill(server.password);
  await page.locator("#code").fill("000000");
  await page.locator("#password-signin button[type=submit]").click();
  await page.locator("#password-message:not(:empty)").waitFor();
  await signIn(page, "demo-officer-tap", totp(server.signins["demo-officer-tap"].secret));
  const cookies = await page.context().cookies();
  const session = cookies.find((c) => c.name === "siproc_session");
  assert.ok(session?.httpOnly, "the session cookie is HttpOnly");
  assert.equal(session.sameSite, "Strict");
  assert.equal(await page.evaluate(() => document.cookie.includes("siproc_session")), false);
  const stored = await page.evaluate(() => Object.values(sessionStorage).concat(Object.values(localStorage)));
  assert.equal(stored.some((v) => v.includes(session.value)), false, "the session's secret is in no storage");
  // A second browser signed in as the same person (a recovery code), ended from the first.
  const elsewhere = await signinPage();
  await signIn(elsewhere, "demo-officer-tap", server.signins["demo-officer-tap"].codes[0]);
  await go(page, "#/account");
  assert.equal(await page.locator("#sessions li").count(), 2);
  await axe(page, "account");
  await page.locator("#sessions li button").click();
  await page.waitForFunction(() => document.querySelectorAll("#sessions li").length === 1);
  assert.equal(await elsewhere.evaluate(async () => (await fetch("/api/v1/me")).status), 401);
  await page.locator("#signout-everywhere").click();
  await page.waitForSelector("main[data-ready][data-page=signin]");
  // The cookie no longer opens anything.
  const me = await page.evaluate(async () => (await fetch("/api/v1/me")).status);
  assert.equal(me, 401);
});

test("a recovery code signs in once", async () => {
  const { codes } = server.signins["demo-supervisor-tap"];
  const page = await signinPage("en");
  await axe(page, "sign-in (English)");
  await signIn(page, "demo-supervisor-tap", codes[0]);
  await page.locator("#signout").click();
  await page.waitForSelector("main[data-ready][data-page=signin]");
  await page.locator("#login").fill("demo-supervisor-tap");
  await page.locator("#password").fill(server.password);
  await page.locator("#code").fill(codes[0]);
  await page.locator("#password-signin button[type=submit]").click();
  await page.locator("#password-message:not(:empty)").waitFor();
  assert.match(await page.locator("#password-message").innerText(), /not right/);
});

test("a disabled user's open session is refused at its next request", async () => {
  const page = await signinPage();
  await signIn(page, "demo-officer-hou", server.signins["demo-officer-hou"].codes[0]);
  const disabled = await call(server.url, "/users/demo-officer-hou", {
    token: server.tokens["demo-directorate"], method: "PATCH", body: { state: "disabled" } });
  assert.equal(disabled.status, 200);
  await page.evaluate(() => { location.hash = "#/stats"; });
  await page.locator("#session-ended").waitFor({ timeout: 15_000 });
  assert.equal(await page.evaluate(() => location.hash.startsWith("#/signin")), true);
});

test("a new user enrols through the link `user create` prints, then signs in", async () => {
  const printed = execFileSync(server.binary, ["user", "create", "--login", "nueva.oficial", "--role", "officer",
    "--office", "TAP", "--name", "Nueva Oficial", "--origin", server.url, "--database", server.database], { encoding: "utf8" });
  const link = printed.match(/(http:\S+#\/enrol\/\S+)/)[1];
  const page = await (await context({ bypassCSP: true })).newPage();
  await page.goto(link);
  await page.waitForSelector("main[data-ready][data-page=enrol] #enrol-qr");
  await axe(page, "enrolment");
  const secret = await page.locator("#enrol-secret").innerText();
  const password = "un mar de nubes sobre Tegucigalpa";
  await page.locator("#new-password").fill(password);
  await page.locator("#new-password-again").fill(password);
  const now = Date.now() / 1000;
  await page.locator("#enrol-code").fill(totp(secret, now));
  await page.locator("#enrol button[type=submit]").click();
  await page.locator("#recovery-codes li").first().waitFor();
  assert.equal(await page.locator("#recovery-codes li").count(), 10);
  assert.equal(await page.evaluate(() => location.hash), "#/enrol", "the used link left the address");
  await axe(page, "enrolment done");
  await page.locator("#enrol-signin").click();
  await page.waitForSelector("main[data-ready][data-page=signin]");
  await page.locator("#login").fill("nueva.oficial");
  await page.locator("#password").fill(password);
  // The enrolment used this step's code: the next step's.
  await page.locator("#code").fill(totp(secret, now + 30));
  await page.locator("#password-signin button[type=submit]").click();
  await page.waitForSelector("main[data-ready][data-page=cases]");
});

test("the enrolment page of an unknown link says so, and is axe clean", async () => {
  for (const locale of ["es", "en"]) {
    const page = await signinPage(locale);
    await go(page, "#/enrol/not-a-link");
    await page.locator("#enrol-unknown").waitFor();
    await axe(page, `enrolment (${locale})`);
  }
});
