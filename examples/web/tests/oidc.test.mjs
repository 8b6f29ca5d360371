// Signing in with the ministry's identity provider (issue 28), in a real headless Chromium, against
// a real OpenID provider (`oidc-provider`, certified; oidc-provider.mjs) and a real siproc-server
// configured with it (`SIPROC_OIDC_*`, the redirect URI from `SIPROC_PUBLIC_ORIGIN`). The provider
// is named `localhost` and siproc `127.0.0.1`: two sites, as in a ministry, so the browser applies
// the cross-site cookie rules a real sign-in meets.
//
// - The sign-in page offers "sign in with the ministry" (axe clean in Spanish and English); a
//   person the provider vouches for, whose `preferred_username` is a siproc user, goes through the
//   provider's login and consent pages and lands signed in: the same HttpOnly session cookie and
//   CSRF token as a password sign-in (a write, signing out, works), audited with method `oidc`;
//   signing out goes on to sign out at the provider (RP-initiated logout), whose next sign-in
//   asks for a login again.
// - Refused, each landing on the sign-in page with the same message and audited with the reason:
//   a person whose claim names no siproc user, a disabled user, a `state` tampered with, a
//   callback replayed, and a callback in a browser without the sign-in's cookie.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";

import { launch } from "../../../siproc-wasm/tests/browser.mjs";
import { axe } from "./pages.mjs";
import { ACCOUNTS, CLIENT, freePort, startProvider } from "./oidc-provider.mjs";
import { call, startServer } from "./server.mjs";

let server, provider, browser;
const contexts = [];

before(async () => {
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  provider = await startProvider({ redirectUri: `${origin}/api/v1/session/oidc/callback` });
  server = await startServer({
    listen: `127.0.0.1:${port}`,
    env: {
      SIPROC_PUBLIC_ORIGIN: origin,
      SIPROC_OIDC_ISSUER: provider.issuer,
      SIPROC_OIDC_CLIENT_ID: CLIENT.id,
      SIPROC_OIDC_CLIENT_SECRET: CLIENT.secret,
    },
  });
  browser = await launch();
});

after(async () => {
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  await provider?.close();
});

/** A page of a new browser context (bypassing the pages' CSP so that axe-core may be added). */
async function newPage(locale = "es") {
  const context = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "es-HN", bypassCSP: true });
  contexts.push(context);
  const page = await context.newPage();
  await page.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
  return page;
}

/** Opens the sign-in page on `page`. */
async function signinPage(page) {
  await page.goto(`${server.url}/#/signin`);
  await page.waitForSelector("main[data-ready][data-page=signin] #oidc-button");
}

/**
 * Clicks "sign in with the ministry" and, at the provider, signs in as `login` and consents.
 * When this client must first wait after earlier refusals (siproc answers `#/oidc/wait-N`),
 * waits and tries again.
 */
async function throughProvider(page, login) {
  for (;;) {
    await page.locator("#oidc-button").click();
    await page.waitForURL((url) => url.host !== new URL(server.url).host || url.hash.startsWith("#/oidc/wait-"));
    const wait = /#\/oidc\/wait-(\d+)/.exec(page.url());
    if (!wait) break;
    await sleep(Number(wait[1]) * 1000 + 200);
    await signinPage(page);
  }
  await page.locator("input[name=login]").fill(login);
  await page.locator("input[name=password]").fill("cualquier contraseña");
  await page.locator("button.login-submit").click();
  // The consent page ("Continue").
  await page.locator("button[autofocus]").click();
}

/** The newest audit entries of `kind` (as the directorate reads them). */
async function audit(kind) {
  const answer = await call(server.url, `/audit?kind=${kind}&limit=20`, { token: server.tokens["demo-directorate"] });
  assert.equal(answer.status, 200);
  return answer.data.items;
}

/** Asserts `page` is back on the sign-in page with the provider's refusal. */
async function refused(page) {
  await page.waitForSelector("main[data-ready][data-page=oidc] #oidc-message:not(:empty)");
  assert.equal(await page.evaluate(() => location.hash), "#/oidc/refused");
  assert.equal(await page.evaluate(async () => (await fetch("/api/v1/me")).status), 401);
}

test("the ministry's sign-in lands signed in with the same session as a password", async () => {
  const page = await newPage();
  await signinPage(page);
  await axe(page, "sign-in with the ministry");
  const english = await newPage("en");
  await signinPage(english);
  assert.match(await english.locator("#oidc-button").innerText(), /Sign in with the ministry/);
  await axe(english, "sign-in with the ministry (English)");
  await throughProvider(page, "ana.ministerio");
  await page.waitForSelector("main[data-ready][data-page=cases]");
  const cookies = await page.context().cookies(server.url);
  const session = cookies.find((c) => c.name === "siproc_session");
  assert.ok(session?.httpOnly, "the session cookie is HttpOnly");
  assert.equal(session.sameSite, "Strict");
  assert.equal(cookies.some((c) => c.name === "siproc_oidc"), false, "the sign-in's cookie is gone");
  const me = await page.evaluate(async () => (await (await fetch("/api/v1/me")).json()).user_id);
  assert.equal(me, ACCOUNTS["ana.ministerio"].preferred_username);
  const sessions = await page.evaluate(async () => (await (await fetch("/api/v1/sessions")).json()).sessions);
  assert.deepEqual(sessions.map((s) => s.method), ["oidc"]);
  const [signedIn] = await audit("signed_in");
  assert.equal(signedIn.user_id, "demo-officer-tap");
  assert.equal(signedIn.event.method, "oidc");
  // No code, token or state in the address the person is left at.
  assert.equal(new URL(page.url()).search, "");
  // Signing out is a write with the CSRF token the page took from its cookie; a session of the
  // provider's then goes on to sign out there too (RP-initiated logout), and the provider sends
  // the browser back to siproc's sign-in page.
  await page.locator("#signout").click();
  await page.waitForURL((url) => url.host !== new URL(server.url).host);
  assert.match(page.url(), /client_id=siproc/);
  await page.locator("button[name=logout][value=yes]").click();
  await page.waitForURL((url) => url.host === new URL(server.url).host);
  await page.waitForSelector("main[data-ready][data-page=signin]");
  assert.equal(await page.evaluate(async () => (await fetch("/api/v1/me")).status), 401);
  // Signed out at the provider: the next "sign in with the ministry" asks for a login again
  // instead of signing the previous person straight back in.
  await page.locator("#oidc-button").click();
  await page.waitForSelector("input[name=login]");
});

test("a person whose claim names no siproc user, and a disabled user, are refused", async () => {
  const nobody = await newPage("en");
  await signinPage(nobody);
  await throughProvider(nobody, "sin.cuenta");
  await refused(nobody);
  assert.match(await nobody.locator("#oidc-message").innerText(), /no access to SIPROC/);
  await axe(nobody, "sign-in with the ministry refused (English)");
  const disabled = await call(server.url, "/users/demo-officer-hou", {
    token: server.tokens["demo-directorate"], method: "PATCH", body: { state: "disabled" } });
  assert.equal(disabled.status, 200);
  const page = await newPage();
  await signinPage(page);
  await throughProvider(page, "luis.ministerio");
  await refused(page);
  await axe(page, "sign-in with the ministry refused");
  const failures = (await audit("sign_in_failed")).filter((e) => e.event.method === "oidc");
  const reasons = failures.map((e) => e.event.reason);
  assert.ok(reasons.includes("unknown_login") && reasons.includes("disabled"), reasons.join());
  assert.equal(failures.find((e) => e.event.reason === "disabled").user_id, "demo-officer-hou");
  // Nothing the provider sent is in the audit log: no claim value, no code.
  const text = JSON.stringify(failures);
  assert.equal(text.includes("nadie-en-siproc") || text.includes("code"), false, text);
});

test("a tampered state, a replayed callback and a callback without the sign-in's cookie are refused", async () => {
  const page = await newPage();
  await signinPage(page);
  // The provider's answer is held at the callback, unopened (through the DevTools protocol's
  // Fetch domain: the callback comes at the end of the provider's redirects, which Playwright's
  // own routing does not see).
  const cdp = await page.context().newCDPSession(page);
  let callback = null;
  cdp.on("Fetch.requestPaused", ({ requestId, request }) => {
    callback = request.url;
    cdp.send("Fetch.fulfillRequest", { requestId, responseCode: 200, body: Buffer.from("held").toString("base64") });
  });
  await cdp.send("Fetch.enable", { patterns: [{ urlPattern: "*/api/v1/session/oidc/callback?*" }] });
  await throughProvider(page, "ana.ministerio");
  await page.waitForFunction(() => document.body?.innerText === "held");
  await cdp.send("Fetch.disable");
  const url = new URL(callback);
  assert.ok(url.searchParams.get("code") && url.searchParams.get("state"));
  // Another state than the one issued (its last character changed): nothing to finish.
  const tampered = new URL(url);
  const state = url.searchParams.get("state");
  tampered.searchParams.set("state", state.slice(0, -1) + (state.endsWith("A") ? "B" : "A"));
  await page.goto(tampered.href);
  await refused(page);
  // The real callback, in another browser (without the sign-in's cookie): refused, and used up.
  const elsewhere = await newPage();
  await elsewhere.goto(url.href);
  await refused(elsewhere);
  // The same callback again, now in the browser that began it: already used.
  await page.goto(url.href);
  await refused(page);
  const reasons = (await audit("sign_in_failed")).filter((e) => e.event.method === "oidc").map((e) => e.event.reason);
  assert.ok(reasons.filter((r) => r === "bad_state").length >= 3, reasons.join());
});

test("without a provider configured the sign-in page has no ministry button", async () => {
  const plain = await startServer();
  try {
    const status = await call(plain.url, "/session/oidc/status");
    assert.deepEqual(status.data, { configured: false });
    assert.equal((await call(plain.url, "/session/oidc")).status, 404);
    const page = await newPage();
    await page.goto(`${plain.url}/#/signin`);
    await page.waitForSelector("main[data-ready][data-page=signin] #password-signin");
    assert.equal(await page.locator("#oidc-button").count(), 0);
  } finally {
    await plain.stop();
  }
});
