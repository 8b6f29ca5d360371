// A person's own credentials (issue 28), in a real headless Chromium against a real
// siproc-server started with `--demo` (harness.mjs):
//
// - the account page asks the person to confirm it is them (a wrong password refused, then the
//   password and a recovery code) before it offers any change;
// - the new password's strength meter says what the server's rule says (a common password
//   refused, a long phrase very good), the "show password" toggle shows it; the password changes;
// - a new second factor: its QR code and key shown, confirmed with a code of the new key;
// - ten new recovery codes, shown once;
// - the account's recent security events list the changes; the next sign-in (new password, new
//   key) tells the person that a credential changed since their previous sign-in;
// - the pages are axe clean, in Spanish and English.
import assert from "node:assert/strict";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { axe, go, totp } from "./pages.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

/** A page of a new context on the sign-in page in `locale` (CSP bypassed for axe-core). */
async function signinPage(locale) {
  const page = await (await context({ bypassCSP: true })).newPage();
  await page.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
  await page.goto(`${server.url}/#/signin`);
  await page.waitForSelector("main[data-ready][data-page=signin]");
  return page;
}

/** Signs `user` in on `page` with `password` and `code`; waits for `home`. */
async function signIn(page, user, password, code, home) {
  await page.locator("#login").fill(user);
  await page.locator("#password").fill(password);
  await page.locator("#code").fill(code);
  await page.locator("#password-signin button[type=submit]").click();
  await page.waitForSelector(`main[data-ready][data-page=${home}]`);
}

/** Waits until the account page's message says something matching `pattern`. */
async function said(page, pattern) {
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector("#credentials-message")?.textContent ?? ""),
    pattern.source);
}

test("password, second factor and recovery codes change behind a re-authentication", async () => {
  const user = "demo-officer-tap";
  const { secret, codes } = server.signins[user];
  const page = await signinPage("es");
  await signIn(page, user, server.password, totp(secret), "cases");
  await go(page, "#/account");
  assert.equal(await page.locator("#credential-actions").isHidden(), true, "no change before a confirmation");
  await axe(page, "account (confirm it is you)");

  // Confirm it is you: a wrong password is refused, the right one with a recovery code opens the changes.
  await page.locator("#reauth-password").fill("no es la contraseña");
  await page.locator("#reauth-code").fill(codes[1]);
  await page.locator("#reauth button[type=submit]").click();
  await said(page, /no son correctos/);
  await page.locator("#reauth-password").fill(server.password);
  await page.locator("#reauth-code").fill(codes[1]);
  await page.locator("#reauth button[type=submit]").click();
  await page.locator("#credential-actions").waitFor({ state: "visible" });
  assert.equal(await page.locator("#reauth").isHidden(), true);

  // The strength meter is the server's rule; the toggle shows the password.
  const field = page.locator("#change-password");
  await field.fill("password1234");
  await page.waitForFunction(() => /comunes/.test(document.querySelector("#change-password-strength").textContent));
  assert.equal(await page.locator("#change-password-strength").getAttribute("data-accepted"), "false");
  assert.equal(await field.getAttribute("type"), "password");
  await page.locator("#change-password-show").click();
  assert.equal(await field.getAttribute("type"), "text");
  assert.equal(await page.locator("#change-password-show").getAttribute("aria-pressed"), "true");
  const password = "un barco de papel en el río Choluteca";
  await field.fill(password);
  await page.waitForFunction(() => /muy buena/.test(document.querySelector("#change-password-strength").textContent));
  assert.equal(await page.locator("#change-password-meter").evaluate((m) => m.value), 4);
  await page.locator("#change-password-again").fill(password);
  await axe(page, "account (changing credentials)");
  await page.locator("#password-change button[type=submit]").click();
  await said(page, /Contraseña cambiada/);

  // A new second factor: the QR code and the key, confirmed by a code of the new key.
  await page.locator("#second-factor-new").click();
  await page.locator("#second-factor-qr").waitFor();
  const src = await page.locator("#second-factor-qr").getAttribute("src");
  assert.match(src, /^data:image\/svg\+xml/);
  assert.match(decodeURIComponent(src), /<svg/);
  const newSecret = await page.locator("#second-factor-secret").innerText();
  assert.notEqual(newSecret, secret);
  const now = Date.now() / 1000;
  await page.locator("#second-factor-code").fill(totp(newSecret, now));
  await axe(page, "account (new second factor)");
  await page.locator("#second-factor-confirm button[type=submit]").click();
  await said(page, /Nueva clave activa/);

  // Ten new recovery codes, shown once.
  await page.locator("#recovery-new").click();
  await page.locator("#new-recovery-codes li").first().waitFor();
  assert.equal(await page.locator("#new-recovery-codes li").count(), 10);
  const fresh = await page.locator("#new-recovery-codes li").first().innerText();
  assert.ok(!codes.includes(fresh));

  // The account's recent activity lists the changes.
  await go(page, "#/stats");
  await go(page, "#/account");
  for (const kind of ["password_changed", "second_factor_changed", "recovery_codes_renewed", "reauthenticated", "reauth_failed"]) {
    assert.equal(await page.locator(`#activity li[data-kind=${kind}]`).count(), 1, kind);
  }

  // Signed out, then in with the new password and the new key's next code: the page says a
  // credential changed since the previous sign-in; the old password no longer works.
  await page.locator("#signout").click();
  await page.waitForSelector("main[data-ready][data-page=signin]");
  await page.locator("#login").fill(user);
  await page.locator("#password").fill(server.password);
  await page.locator("#code").fill(codes[2]);
  await page.locator("#password-signin button[type=submit]").click();
  await page.locator("#password-message:not(:empty)").waitFor();
  await signIn(page, user, password, totp(newSecret, now + 30), "cases");
  await page.locator("#credentials-changed").waitFor();
  await axe(page, "the notice of a changed credential");
  await go(page, "#/stats");
  assert.equal(await page.locator("#credentials-changed").count(), 0, "told once");
});

test("the account page's security section is axe clean in English", async () => {
  const user = "demo-supervisor-tap";
  const page = await signinPage("en");
  await signIn(page, user, server.password, server.signins[user].codes[0], "cases");
  await go(page, "#/account");
  await page.locator("#reauth").waitFor();
  assert.match(await page.locator("#security-title").innerText(), /Password, code and recovery codes/);
  await axe(page, "account (English)");
});
