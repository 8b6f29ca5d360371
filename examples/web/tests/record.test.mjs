// The case page shows the whole case (issue 33, item 1), in a real headless Chromium against a
// real siproc-server (harness.mjs): every person with their documents, contacts and locations,
// the consent, the category's facts, the referrals, the services, grouped and labelled as the
// intake form is, in Spanish and in English (choices by their labels, never their codes); and a
// case whose personal data was erased shows its values marked "erased".
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { PAGE_WASM, SHOTS, axe, go, signIn, valid } from "./pages.mjs";
import { call } from "./server.mjs";

let server;
const { context } = harness(async (up) => { server = up.server; });

/** A page of a new context in `locale`, signed in as demo user `user`, on `hash`. */
async function signedIn(user, hash, locale = "es") {
  const ctx = await context({ bypassCSP: true });
  await ctx.addInitScript((l) => localStorage.setItem("siproc.locale", l), locale);
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens[user]);
  await go(page, hash);
  return page;
}

/** The text the record shows at `path`. */
const at = (page, path) => page.locator(`#record dd[data-path="${path}"]`).innerText();

/** A Tapachula case with a relative, a referral and a service: returns its id. */
async function registerWhole() {
  const record = valid("Whole Record");
  record.persons.push({ role: "relative", relationship: "parent", given_names: "Ana", surnames: "Record Madre",
    contacts: [{ kind: "phone", value: "+504 9988-7766" }] });
  const made = await call(server.url, "/cases", { token: server.tokens["demo-officer-tap"], method: "POST", body: record });
  assert.equal(made.status, 201, JSON.stringify(made.data));
  const refer = await call(server.url, `/cases/${made.data.id}/commands`, {
    token: server.tokens["demo-officer-tap"], method: "POST", headers: { "if-match": made.headers.get("etag") },
    body: { command: "refer", partner: "iom", reason: "Apoyo al retorno" } });
  assert.equal(refer.status, 200, JSON.stringify(refer.data));
  return { id: made.data.id, record };
}

test("the case page shows the whole record, grouped as the intake form, in Spanish and English", async () => {
  const { id, record } = await registerWhole();
  for (const locale of ["es", "en"]) {
    const page = await signedIn("demo-officer-tap", `#/case/${id}`, locale);
    await page.locator("#record").waitFor();
    const view = await page.evaluate(`${PAGE_WASM}.then((m) => m.catalog("${locale}", "hn"))`);
    const field = (path) => view.fields.find((f) => f.path === path);
    const fact = (key) => view.categories.find((c) => c.code === "detention").facts.find((f) => f.path === `/facts/${key}`);
    // The groups, titled as the intake form's sections.
    const titles = await page.locator("#record h3").allInnerTexts();
    assert.equal(titles.length, 7, titles.join(" | "));
    // The national: names, birth date, sex by its label, document, contact, location.
    assert.equal(await at(page, "/persons/0/surnames"), "Whole Record");
    assert.equal(await at(page, "/persons/0/given_names"), record.persons[0].given_names);
    assert.equal(await at(page, "/persons/0/sex"), field("/persons/*/sex").choices.find((c) => c.code === "female").label);
    assert.equal(await at(page, "/persons/0/documents/0/number"), record.persons[0].documents[0].number);
    // The phone as the core stored it (E.164).
    assert.equal(await at(page, "/persons/0/contacts/0/value"), record.persons[0].contacts[0].value.replace(/[ -]/g, ""));
    assert.match(await at(page, "/persons/0/locations/0"), /Tapachula/);
    assert.match(await page.locator("#record-person-0 dl").innerText(), new RegExp(field("/persons/*/birth_date").label));
    // The relative, with her relationship in words.
    assert.equal(await at(page, "/persons/1/surnames"), "Record Madre");
    assert.equal(await at(page, "/persons/1/relationship"), view.labels.relationship.parent);
    // The category's facts by their labels; a choice by its label, not its code.
    assert.equal(await at(page, "/facts/facility"), record.facts.facility);
    assert.equal(await at(page, "/facts/detention_kind"), fact("detention_kind").choices.find((c) => c.code === "immigration").label);
    assert.notEqual(await at(page, "/facts/detention_kind"), "immigration");
    assert.match(await page.locator("#record-facts").innerText(), new RegExp(fact("arrest_date").label));
    // Consent: who gave it, its scopes in words.
    assert.match(await at(page, "/consent/given_by"), /Whole Record/);
    assert.equal(await at(page, "/consent/scope"), record.consent.scope.map((s) => view.labels.consent_scope[s]).join(", "));
    // The referral and the service.
    assert.ok((await page.locator('#record-referrals li[data-path="/referrals/0"]').innerText()).includes(view.labels.partner.iom));
    assert.ok((await page.locator('#record-services li[data-path="/services/0"]').innerText()).includes(view.labels.service.consular_visit));
    assert.equal(await page.locator("#record .badge.erased").count(), 0);
    await axe(page, `case record (${locale})`);
    await page.screenshot({ path: join(SHOTS, `case-record-${locale}.png`), fullPage: true });
  }
});

test("a case whose personal data was erased shows its values marked erased", async () => {
  const board = server.tokens["demo-directorate"];
  // A Tapachula case, closed by its supervisor.
  const supervisor = server.tokens["demo-supervisor-tap"];
  const made = await call(server.url, "/cases", { token: supervisor, method: "POST", body: valid("Para Borrar") });
  assert.equal(made.status, 201);
  const closed = made.data;
  for (const command of [{ command: "change_status", to: "in_progress" }, { command: "change_status", to: "resolved" },
    { command: "close", outcome: "Liberado" }]) {
    const etag = (await call(server.url, `/cases/${closed.id}`, { token: supervisor })).headers.get("etag");
    const done = await call(server.url, `/cases/${closed.id}/commands`, { token: supervisor, method: "POST", headers: { "if-match": etag }, body: command });
    assert.equal(done.status, 200, JSON.stringify(done.data));
  }
  const now = await call(server.url, `/cases/${closed.id}`, { token: board });
  const erased = await call(server.url, `/cases/${closed.id}/erase`, {
    token: board, method: "POST", headers: { "if-match": now.headers.get("etag") }, body: { reason: "Expediente 2026/041" } });
  assert.equal(erased.status, 200, JSON.stringify(erased.data));
  const page = await signedIn("demo-directorate", `#/case/${closed.id}`);
  await page.locator("#record").waitFor();
  assert.match(await at(page, "/persons/0/surnames"), /borrado/);
  assert.match(await at(page, "/persons/0/given_names"), /borrado/);
  assert.ok(await page.locator("#record .badge.erased").count() >= 2);
  // What is not personal stays: the office, the category, the status.
  assert.doesNotMatch(await at(page, "/category"), /borrado/);
  await axe(page, "erased case record");
  await page.screenshot({ path: join(SHOTS, "case-record-erased.png"), fullPage: true });
});
