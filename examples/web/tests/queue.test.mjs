// The offline queue (examples/web/app/queue.js) in headless Chromium against a real server:
//
// - sealed (issue 36): a registration queued offline is stored encrypted — IndexedDB read raw
//   (every store, every byte) holds no name, no document number; the key is a non-extractable
//   CryptoKey; an item near its expiry is announced, an expired one is gone; signing out with
//   unsent items warns, and then deletes them and the key;
// - on a flaky line (issue 37): the connection cut during a registration's request, and then
//   after the server's answer: the registration is sent again with its Idempotency-Key until
//   an answer arrives, and the server holds exactly one case.
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";

import { harness } from "./harness.mjs";
import { call, root } from "./server.mjs";
import { fill, go, signIn, throttled, valid } from "./pages.mjs";

const SHOTS = join(root, "docs", "screenshots");

let server;
const { context } = harness(async (h) => { server = h.server; });

/**
 * Everything the origin's IndexedDB holds, read raw: each store's records with every binary
 * value as its bytes read as Latin-1 and as UTF-8, and CryptoKeys as their properties.
 */
const rawIndexedDb = () => new Promise((resolve, reject) => {
  const request = indexedDB.open("siproc");
  request.onerror = () => reject(request.error);
  request.onsuccess = () => {
    const db = request.result;
    const names = [...db.objectStoreNames];
    if (!names.length) return resolve({ text: "", keys: [], items: [] });
    const tx = db.transaction(names, "readonly");
    const out = {};
    for (const name of names) {
      const r = tx.objectStore(name).getAll();
      r.onsuccess = () => { out[name] = r.result; };
    }
    tx.oncomplete = () => {
      const bytes = (v) => new Uint8Array(v instanceof ArrayBuffer ? v : v.buffer, v.byteOffset ?? 0, v.byteLength);
      const text = JSON.stringify(out, (_, v) => {
        if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
          const b = bytes(v);
          return { latin1: String.fromCharCode(...b), utf8: new TextDecoder().decode(b) };
        }
        if (v instanceof CryptoKey) return { type: v.type, extractable: v.extractable, algorithm: v.algorithm, usages: v.usages };
        return v;
      });
      const keys = (out.keys ?? []).map((k) => ({ user: k.user, extractable: k.key.extractable, algorithm: k.key.algorithm.name }));
      db.close();
      resolve({ text, keys, items: out.pending ?? [] });
    };
  };
});

/** Registers `record` offline on `page` (the intake page): it stays pending. */
async function registerOffline(ctx, page, record) {
  await ctx.setOffline(true);
  await fill(page, record);
  await page.click("#intake button[type=submit]");
  await page.locator("#pending-saved").waitFor();
}

test("the offline queue is sealed: no name in IndexedDB, expiry announced then applied, sign-out warns and deletes items and key", async () => {
  const ctx = await context();
  const page = await ctx.newPage();
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens["demo-officer-tap"]);
  await go(page, "#/intake");
  // Reloads below are offline: the service worker must hold the shell and control the page.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await page.reload();
  await page.waitForSelector("form#intake[data-ready]");
  assert.ok(await page.evaluate(() => Boolean(navigator.serviceWorker.controller)));
  const record = valid("Sellado Zúñiga");
  record.persons[0].given_names = "Maricela";
  await registerOffline(ctx, page, record);
  assert.match(await page.locator("#pending li.pending").innerText(), /Maricela Sellado Zúñiga/, "the page shows it, decrypted");

  const raw = await page.evaluate(rawIndexedDb);
  assert.equal(raw.items.length, 1);
  const dni = record.persons[0].documents[0].number;
  for (const secret of ["Maricela", "Sellado", "Zúñiga", "Zuniga", dni, dni.replaceAll("-", "")]) {
    assert.ok(!raw.text.includes(secret), `IndexedDB holds no «${secret}»`);
  }
  assert.equal(raw.items[0].record, undefined, "no record in clear");
  assert.ok(raw.items[0].sealed?.data, "a sealed record");
  assert.deepEqual(raw.keys, [{ user: "demo-officer-tap", extractable: false, algorithm: "AES-GCM" }]);
  // The page's own code cannot export it either.
  const exported = await page.evaluate(() => new Promise((resolve) => {
    const r = indexedDB.open("siproc");
    r.onsuccess = () => {
      const g = r.result.transaction("keys").objectStore("keys").get("demo-officer-tap");
      g.onsuccess = () => crypto.subtle.exportKey("raw", g.result.key).then(() => resolve("exported"), (e) => resolve(e.name));
    };
  }));
  assert.equal(exported, "InvalidAccessError");

  // Expiry: 72 h after queueing, announced in the last 12.
  const queued = Date.parse(raw.items[0].queued_at);
  assert.equal(Date.parse(raw.items[0].expires_at) - queued, 72 * 3_600_000);
  await ctx.clock.setFixedTime(new Date(queued + 65 * 3_600_000));
  await page.reload();
  await page.waitForSelector("form#intake[data-ready]");
  await page.locator("#pending li.expiring .expiry").waitFor();
  assert.match(await page.locator("#pending li.expiring").innerText(), /se borrará de este equipo/);
  await page.screenshot({ path: join(SHOTS, "intake-pending-expiring.png"), fullPage: true });
  await ctx.clock.setFixedTime(new Date(queued + 73 * 3_600_000));
  await page.reload();
  await page.waitForSelector("form#intake[data-ready]");
  assert.equal(await page.locator("#pending li").count(), 0, "expired: gone from the page");
  assert.equal((await page.evaluate(rawIndexedDb)).items.length, 0, "and from IndexedDB");

  // Sign-out with an unsent item: warned; staying keeps it; going deletes it and the key.
  await registerOffline(ctx, page, valid("Salida Paz"));
  await page.click("#signout");
  const dialog = page.locator("dialog#signout-warning[open]");
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /1 registro\(s\) de este equipo aún no llegaron al servidor/);
  await page.screenshot({ path: join(SHOTS, "signout-warning.png") });
  await page.click("#signout-stay");
  assert.equal(await page.locator("main").getAttribute("data-page"), "intake", "still signed in");
  assert.equal((await page.evaluate(rawIndexedDb)).items.length, 1, "the item is kept");
  await page.click("#signout");
  await page.click("#signout-delete");
  await page.waitForSelector("main[data-ready][data-page=signin]");
  const after = await page.evaluate(rawIndexedDb);
  assert.equal(after.items.length, 0, "no item left");
  assert.deepEqual(after.keys, [], "no key left");
  assert.ok(!after.text.includes("Salida"));
  await ctx.setOffline(false);
});

test("a registration whose connection is cut during its request, then after its answer, reaches the server exactly once", async () => {
  // No service worker: page.route sees every request.
  const ctx = await context({ serviceWorkers: "block" });
  const { page } = await throttled(ctx, "fast 3G");
  await page.goto(`${server.url}/?dev-token#/signin`);
  await signIn(page, server.tokens["demo-officer-tap"]);
  await go(page, "#/intake");
  await page.waitForSelector("form#intake[data-ready]");
  const token = server.tokens["demo-officer-tap"];
  const count = async () => (await call(server.url, "/cases?limit=500", { token })).data.items.length;
  const before = await count();
  const keys = [];
  await page.route("**/api/v1/cases", async (route) => {
    if (route.request().method() !== "POST") return route.continue();
    keys.push(route.request().headers()["idempotency-key"]);
    if (keys.length === 1) return route.abort("connectionreset"); // cut during the request: the server saw nothing
    if (keys.length === 2) {
      await route.fetch(); // the server registers it …
      return route.abort("connectionreset"); // … and the answer is lost
    }
    return route.continue();
  });
  await fill(page, valid("Cortada Mejía"));
  await page.click("#intake button[type=submit]");
  await page.locator("#pending-saved").waitFor();
  assert.equal(await count(), before, "the first request never arrived");
  // The queue tries again by itself (backoff.js), with the same Idempotency-Key.
  await page.locator("#pending li").waitFor({ state: "detached", timeout: 30_000 });
  assert.equal(keys.length, 3, "sent three times");
  assert.equal(new Set(keys).size, 1, "with one Idempotency-Key");
  assert.equal(await count(), before + 1, "exactly one case");
});
