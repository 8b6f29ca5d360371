// Passkeys (issue 28) in a real headless Chromium against a real siproc-server (harness.mjs),
// with the DevTools protocol's virtual authenticator (`WebAuthn.addVirtualAuthenticator`: CTAP2,
// internal, resident keys, user verification) standing in for a phone or a laptop's:
//
// - a person signed in with password and code adds a passkey from the account page, signs out,
//   and signs in with the passkey's button alone (no login typed); the session says "passkey";
// - the account page lists the passkeys and removes one, which then signs in no more;
// - the response the browser sent, replayed by another client, is refused (its ceremony was used);
// - the next sign-in says a credential (the passkey) was added since the previous one, and the
//   passkey confirms it is the person on the account page before a credential changes;
// - the pages are axe clean in Spanish and English.
//
// The server listens on 127.0.0.1, but WebAuthn has no relying party for an IP address: without
// a configured public origin the server's relying party is `localhost` at the same port
// (startup.rs `passkey_origin`), so these pages are opened at http://localhost:PORT.
import assert from "node:assert/strict";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { axe, go, totp } from "./pages.mjs";

let server, origin;
const { context } = harness(async (up) => {
  server = up.server;
  origin = server.url.replace("127.0.0.1", "localhost");
});

/** A page with a virtual authenticator, on the sign-in page in `locale`. */
async function pageWithAuthenticator(locale) {
  const page = await (await context({ bypassCSP: true })).newPage();
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true },
  });
  await page.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
  await page.goto(`${origin}/#/signin`);
  await page.waitForSelector("main[data-ready][data-page=signin]");
  return { page, cdp, authenticatorId };
}

/** Signs `user` in with the demo password and a recovery code `n`. */
async function passwordSignIn(page, user) {
  await page.locator("#login").fill(user);
  await page.locator("#password").fill(server.password);
  await page.locator("#code").fill(totp(server.signins[user].secret));
  await page.locator("#password-signin button[type=submit]").click();
  await page.waitForSelector("main[data-ready][data-page=cases]");
}

/** Adds a passkey named `name` from the account page. */
async function addPasskey(page, name) {
  const before = await page.locator("#passkeys li").count();
  await page.locator("#passkey-name").fill(name);
  await page.locator("#passkey-add button[type=submit]").click();
  await page.waitForFunction((n) => document.querySelectorAll("#passkeys li").length === n, before + 1);
  assert.match(await page.locator("#passkeys").innerText(), new RegExp(name));
}

/** Signs out with the header's button. */
async function signOut(page) {
  await page.locator("#signout").click();
  await page.waitForSelector("main[data-ready][data-page=signin]");
}

test("a passkey added on the account page signs in with the button alone, once per ceremony", async () => {
  const { page, cdp, authenticatorId } = await pageWithAuthenticator("es");
  await axe(page, "sign-in with the passkey button");
  await passwordSignIn(page, "demo-officer-tap");
  await go(page, "#/account");
  await page.locator("#passkey-add").waitFor();
  await axe(page, "account with passkeys");
  await addPasskey(page, "computadora del consulado");
  // The authenticator keeps a discoverable credential for this site, with its user handle.
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId });
  assert.equal(credentials.length, 1);
  assert.equal(credentials[0].isResidentCredential, true);
  assert.equal(credentials[0].rpId, "localhost");
  await signOut(page);
  // The browser's answer is kept to replay it below, as a thief of it would.
  let sent = null;
  await page.route("**/api/v1/session/passkey", async (route) => {
    sent = route.request().postData();
    await route.continue();
  });
  await page.locator("#passkey-signin").click();
  await page.waitForSelector("main[data-ready][data-page=cases]");
  // A passkey was added since the previous sign-in: the page says so.
  await page.locator("#credentials-changed").waitFor();
  const sessions = await page.evaluate(async () => (await (await fetch("/api/v1/sessions")).json()).sessions);
  assert.equal(sessions[0].method, "passkey");
  // The same response again, from another client: its ceremony was used.
  assert.ok(sent);
  const replayed = await fetch(`${origin}/api/v1/session/passkey`, { method: "POST",
    headers: { "content-type": "application/json" }, body: sent });
  assert.equal(replayed.status, 401);
  assert.equal((await replayed.json()).code, "auth.signin_failed");
  // And with a fresh ceremony: the challenge is not the one signed.
  const fresh = await (await fetch(`${origin}/api/v1/session/passkey/options`, { method: "POST" })).json();
  const forged = await fetch(`${origin}/api/v1/session/passkey`, { method: "POST",
    headers: { "content-type": "application/json" }, body: JSON.stringify({ ...JSON.parse(sent), ceremony: fresh.ceremony }) });
  assert.equal(forged.status, 401);
  // The passkey also confirms it is the person before a credential changes.
  await go(page, "#/account");
  await page.locator("#reauth-passkey").click();
  await page.locator("#credential-actions").waitFor({ state: "visible" });
});

test("the account page lists passkeys and removes one, which then signs in no more", async () => {
  const { page, cdp, authenticatorId } = await pageWithAuthenticator("en");
  await axe(page, "sign-in with the passkey button (English)");
  await passwordSignIn(page, "demo-supervisor-tap");
  await go(page, "#/account");
  await page.locator("#passkey-add").waitFor();
  await addPasskey(page, "office laptop");
  // The same authenticator is not registered twice (the options exclude it): a second one,
  // another device, adds the second passkey.
  await cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId });
  const { authenticatorId: second } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true },
  });
  await addPasskey(page, "spare phone");
  await axe(page, "account with two passkeys (English)");
  // Drawn again from the server: both listed.
  await go(page, "#/cases");
  await go(page, "#/account");
  await page.waitForFunction(() => document.querySelectorAll("#passkeys li").length === 2);
  // Removed on the server, both; the second device still holds its credential and offers it.
  for (let n = 2; n > 0; n--) {
    await page.locator("#passkeys li button").first().click();
    await page.waitForFunction((left) => document.querySelectorAll("#passkeys li").length === left, n - 1);
  }
  const { credentials } = await cdp.send("WebAuthn.getCredentials", { authenticatorId: second });
  assert.equal(credentials.length, 1);
  await signOut(page);
  await page.locator("#passkey-signin").click();
  await page.locator("#passkey-message:not(:empty)").waitFor();
  assert.match(await page.locator("#passkey-message").innerText(), /not accepted/);
  assert.equal(await page.evaluate(() => location.hash.startsWith("#/signin")), true);
});
