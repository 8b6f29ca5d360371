// A real browser on the example page (examples/web): the form is built from catalog(); typing a
// DNI with a department that does not exist and a birth date in the future shows both Spanish
// messages beside their fields before anything is submitted; fixing both removes them; the
// filled-in record then registers. A screenshot of the messages is kept in
// target/browser/intake-messages.png.
import assert from "node:assert/strict";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";

import siproc, { root } from "./load.mjs";
import { openPage } from "./browser.mjs";

const template = (code) => siproc.listRules().find((r) => r.code === code).es;
let browser;

before(async () => {
  browser = await openPage();
});
after(async () => {
  await browser?.close();
});

const message = (path) => browser.page.locator(`.row[data-path="${path}"] .message`);
const input = (path) => browser.page.locator(`.row[data-path="${path}"] input, .row[data-path="${path}"] select`).first();

test("the form is built from the catalog, in Spanish", async () => {
  const { page } = browser;
  assert.equal(await page.locator('label[for="f-persons-0-given_names"]').innerText(), "Nombres *");
  const offices = await page.locator("#f-office option").count();
  assert.equal(offices, siproc.catalog("es").fields.find((f) => f.path === "/office").choices.length + 1);
  await page.selectOption("#f-category", "detention");
  assert.ok(await page.locator('.row[data-path="/facts/arrest_date"]').isVisible());
  assert.equal(await page.locator('label[for="f-facts-detention_kind"]').innerText(), "Tipo de detención *");
});

test("messages appear beside the fields as the officer types, and go when fixed", async () => {
  const { page } = browser;
  await page.fill("#f-persons-0-given_names", "María José");
  await page.fill("#f-persons-0-surnames", "Núñez Güity");
  // Department 19 does not exist; the birth date is in the future.
  await page.locator("#f-persons-0-documents-0-number").pressSequentially("1901-1994-04512");
  await page.fill("#f-persons-0-birth_date", "2099-05-04");

  const dni = message("/persons/0/documents/0/number");
  const birth = message("/persons/0/birth_date");
  await assert.doesNotReject(dni.getByText(template("dni.bad_department")).waitFor({ timeout: 5000 }));
  await assert.doesNotReject(birth.getByText(template("date.in_future")).waitFor({ timeout: 5000 }));
  assert.equal(await page.locator("#result").innerText(), "", "nothing was submitted");
  const color = await dni.evaluate((e) => getComputedStyle(e).color);
  assert.equal(color, "rgb(198, 40, 40)", "messages are red");
  const dir = join(root, "target", "browser");
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, "intake-messages.png"), fullPage: true });

  await input("/persons/0/documents/0/number").fill("0801-1994-04512");
  await page.fill("#f-persons-0-birth_date", "1994-07-21");
  await page.waitForFunction(() => [...document.querySelectorAll(".message")].every((m) => m.textContent === ""), null, { timeout: 5000 });
  assert.equal(await dni.innerText(), "");
  assert.equal(await birth.innerText(), "");
});

test("the completed intake registers and lists its forms", async () => {
  const { page } = browser;
  await page.selectOption("#f-office", "TAP");
  await page.fill("#f-persons-0-nationality", "HN");
  await page.fill("#f-facts-authority", "Instituto Nacional de Migración");
  await page.fill("#f-facts-facility", "Estación Siglo XXI");
  await page.selectOption("#f-facts-detention_kind", "immigration");
  await page.fill("#f-facts-arrest_date", "2026-02-27");
  await page.check("#f-consent-given");
  await page.locator('#f-consent-scope input[value="processing"]').check();
  await page.click("button[type=submit]");
  await page.locator("#result .ok").waitFor({ timeout: 5000 });
  const text = await page.locator("#result").innerText();
  assert.match(text, /Registro válido/);
  assert.match(text, /Ficha de registro del caso/);
  assert.match(text, /Solicitud de información a la autoridad/);
  assert.deepEqual(browser.errors, []);
});
