// The browser tests' set-up, for a test file: a real server (server.mjs) and headless Chromium
// (siproc-wasm/tests/browser.mjs) started before its tests and stopped after them, and browser
// contexts (1100×900, es-HN) closed at the end. (app.test.mjs still has its own copy.)
import { after, before } from "node:test";

import { launch } from "../../../siproc-wasm/tests/browser.mjs";
import { startServer } from "./server.mjs";

/**
 * Registers the file's before/after hooks; `ready({ server, browser })` runs once both are up.
 * Returns { context(options) }: a new browser context, closed after the tests.
 */
export function harness(ready = async () => {}) {
  let server, browser;
  const contexts = [];
  before(async () => {
    server = await startServer();
    browser = await launch();
    await ready({ server, browser });
  });
  after(async () => {
    for (const c of contexts) await c.close().catch(() => {});
    await browser?.close();
    await server?.stop();
  });
  const context = async (options = {}) => {
    const c = await browser.newContext({ viewport: { width: 1100, height: 900 }, locale: "es-HN", ...options });
    contexts.push(c);
    return c;
  };
  return { context };
}
