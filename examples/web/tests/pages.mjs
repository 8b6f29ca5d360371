// What the browser tests do on the web application's pages, shared by app.test.mjs,
// network.test.mjs, queue.test.mjs and bench.mjs: records from the conformance corpus, filling
// the intake form, moving between pages, signing in (and the authenticator's codes),
// slow-network emulation, the axe-core check and where screenshots go.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";

import { root } from "./server.mjs";

/** Where the tests' screenshots go (docs/screenshots). */
export const SHOTS = join(root, "docs", "screenshots");
mkdirSync(SHOTS, { recursive: true });
const AXE = readFileSync(join(root, "examples", "web", "node_modules", "axe-core", "axe.min.js"), "utf8");

/** Asserts that axe-core finds no serious or critical violation on `page` (named `name`). */
export async function axe(page, name) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => ["serious", "critical"].includes(v.impact));
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`), [], `axe on ${name}`);
}

/** A case of the conformance corpus's intake file `file`. */
export const corpus = (file, name) => JSON.parse(readFileSync(join(root, "tests", "conformance", "intake", file), "utf8"))
  .cases.find((c) => c.name === name);

/**
 * A valid intake of a national with `surnames`, at `office`. Each surname has its own DNI (the
 * registration's sequence from the surnames), so that two nationals of the tests are not
 * possible duplicates of each other (the intake warns of those, issue 33) unless a test makes
 * them so.
 */
export const valid = (surnames, office = "TAP") => {
  const r = structuredClone(corpus("documents_in_intake.json", "DNI with a bad department").intake);
  r.office = office;
  r.persons[0].surnames = surnames;
  const sequence = [...surnames].reduce((h, c) => (h * 31 + c.codePointAt(0)) % 99_991, 7) + 1;
  r.persons[0].documents[0].number = `0801-1994-${String(sequence).padStart(5, "0")}`;
  return r;
};

/** Fills the intake form from a wire-format record (every value that has a field). */
export async function fill(page, record) {
  const get = (path) => path.slice(1).split("/").reduce((n, k) => n?.[k], record);
  if (record.category) {
    await page.selectOption("#f-category", record.category);
  }
  const rows = await page.locator(".row[data-path]").evaluateAll((rs) => rs.map((r) => r.dataset.path));
  for (const path of rows) {
    const value = get(path);
    if (value === undefined || path === "/category") continue;
    const id = "#f" + path.replaceAll("/", "-");
    const tag = await page.locator(id).evaluate((e) => (e.tagName === "INPUT" ? e.type : e.tagName));
    if (tag === "SELECT") await page.selectOption(id, String(value));
    else if (tag === "checkbox") await page.locator(id).setChecked(Boolean(value));
    else if (tag === "DIV") for (const v of value) await page.locator(`${id} input[value="${v}"]`).check();
    else await page.locator(id).fill(String(value));
  }
}

/** Moves `page` to `hash` and waits until that page is drawn. */
export async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
  const name = hash.replace(/^#\//, "").split("/")[0];
  await page.waitForSelector(`main[data-ready][data-page="${name}"]`);
}

/** Signs in on the sign-in page `page` shows with `token`; waits for the `home` page. */
export async function signIn(page, token, home = "cases") {
  await page.waitForSelector("main[data-ready][data-page=signin]");
  await page.locator("#token").fill(token);
  await page.locator("#signin button[type=submit]").click();
  await page.waitForSelector(`main[data-ready][data-page=${home}]`);
}

/**
 * An expression for page.evaluate: a promise of the page's own siproc-wasm module (the one
 * main.js initialised). The server names it by content (`/pkg/siproc_wasm.<hash>.js`), and
 * importing the plain address would load a second, uninitialised copy.
 */
export const PAGE_WASM = `import(document.querySelector('link[rel=modulepreload][href*="/pkg/siproc_wasm"]').href)`;

/**
 * The network profiles of issue 37, as Chromium's DevTools protocol takes them
 * (Network.emulateNetworkConditions: latency in ms, throughput in bytes per second).
 */
export const PROFILES = {
  "fast 3G": { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 },
  "slow 3G": { offline: false, latency: 400, downloadThroughput: 400_000 / 8, uploadThroughput: 400_000 / 8 },
  offline: { offline: true, latency: 0, downloadThroughput: -1, uploadThroughput: -1 },
};

/**
 * A new page of `ctx` on network `profile` (a key of PROFILES); `net(profile)` switches it (to
 * "offline" to cut the connection), `responses` lists what the page received (CDP's
 * Network.responseReceived: url, status, fromServiceWorker, fromDiskCache, …).
 */
export async function throttled(ctx, profile) {
  const page = await ctx.newPage();
  const cdp = await ctx.newCDPSession(page);
  await cdp.send("Network.enable");
  const responses = [];
  const requests = [];
  cdp.on("Network.responseReceived", (e) => responses.push({ url: e.response.url, status: e.response.status,
    fromServiceWorker: e.response.fromServiceWorker, fromDiskCache: e.response.fromDiskCache, type: e.type }));
  cdp.on("Network.requestWillBeSent", (e) => requests.push(e.request.url));
  const net = (p) => cdp.send("Network.emulateNetworkConditions", PROFILES[p]);
  await net(profile);
  return { page, cdp, net, responses, requests };
}

/**
 * A TCP relay in front of the server at `url` whose line can be cut, as a consulate's drops:
 * `cut()` resets every open connection (a response in the middle of its body, the event
 * stream) and refuses new ones until `restore()`. CDP's offline emulation fails new requests
 * but lets those already under way finish, so it cannot cut a page load in its middle.
 */
export async function relay(url) {
  const { hostname, port } = new URL(url);
  const open = new Set();
  let refusing = false;
  const server = createServer((client) => {
    if (refusing) return client.resetAndDestroy();
    const upstream = connect(Number(port), hostname);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    cut() {
      refusing = true;
      for (const socket of open) socket.resetAndDestroy?.() ?? socket.destroy();
      open.clear();
    },
    restore() { refusing = false; },
    close: () => new Promise((resolve) => { for (const s of open) s.destroy(); server.close(resolve); }),
  };
}

/** The bytes of an unpadded base32 (RFC 4648) text. */
function base32(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = "";
  for (const c of text.replace(/=+$/, "")) bits += alphabet.indexOf(c).toString(2).padStart(5, "0");
  return Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
}

/** The RFC 6238 code (HMAC-SHA-1, 6 digits, 30 s) of `secret` (base32) at `seconds`, as an
 * authenticator application shows it. */
export function totp(secret, seconds = Date.now() / 1000) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(seconds / 30)));
  const mac = createHmac("sha1", base32(secret)).update(counter).digest();
  const at = mac[mac.length - 1] & 0xf;
  return String((mac.readUInt32BE(at) & 0x7fffffff) % 1_000_000).padStart(6, "0");
}
