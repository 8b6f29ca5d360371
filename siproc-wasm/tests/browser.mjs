// Headless Chromium (Debian's) driven by playwright-core, on the example page served from the
// loopback interface: shared by the browser test and the browser timing.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { chromium } from "playwright-core";

import { serve } from "../../examples/web/serve.mjs";

/** Debian's Chromium, or $CHROMIUM. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
// Without the networking flags Chromium stalls on a closed network.
export const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync", "--lang=es-HN",
];

/**
 * Launches headless Chromium with a fresh profile (each context then starts empty); the web
 * application's tests (examples/web/tests) use it too, `extra` adding flags (a fake camera).
 * Resolves to a playwright Browser.
 */
export function launch(extra = []) {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...ARGS, ...extra] });
}

/** Opens the example page; `close()` ends the browser, the profile and the server. */
export async function openPage() {
  const server = await serve(0);
  const profile = await mkdtemp(join(tmpdir(), "siproc-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: 1100, height: 1250 },
    locale: "es-HN",
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(`http://127.0.0.1:${server.address().port}/`);
  await page.waitForSelector("form[data-ready]", { timeout: 20_000 });
  const close = async () => {
    await context.close();
    await rm(profile, { recursive: true, force: true });
    await new Promise((resolve) => server.close(resolve));
  };
  return { page, errors, close };
}
