// What a page needs before it can render, and what the user sees when it cannot (issue 37).
//
// On a slow line the WebAssembly module (the core's rules and labels) arrives seconds after the
// pages' scripts; on a flaky one a script or the module may not arrive at all. Each route says
// what it uses (`needs`); the shell waits for exactly that, showing "loading" meanwhile, so the
// sign-in and verification pages are usable before the module has arrived. When a page cannot
// render — the module, a script or an API answer did not arrive — the page says so in
// the user's language with what to do, and a "Retry" button; it retries by itself when the
// browser comes back online. The raw error goes to the console, never to the page.
import init from "/pkg/siproc_wasm.js";
import { t } from "./i18n.js";
import { el } from "/form.js";

let wasmReady = null;
/**
 * The core's WebAssembly module, initialised: started once (main.js starts it at load so that it
 * downloads while the user signs in), started again after a failure.
 */
export function wasm() {
  wasmReady ??= init().catch((error) => {
    wasmReady = null;
    throw error;
  });
  return wasmReady;
}

/** Whether the module is already initialised (no wait, no "loading" message). */
let wasmDone = false;
export const wasmLoaded = () => wasmDone;
const track = () => wasm().then(() => { wasmDone = true; }, () => {});

/**
 * What went wrong, in the words the page shows: "network" (the connection dropped or is too
 * slow: a script, the module or an API call did not arrive) or "page" (anything else: a fault in
 * the page). The server's error answers are shown by the pages themselves, where they occur.
 */
export function kind(error) {
  if (!navigator.onLine) return "network";
  const text = `${error?.name ?? ""} ${error?.message ?? ""}`;
  // fetch()'s and import()'s failures, and WebAssembly's on a truncated module.
  if (/Failed to fetch|NetworkError|network|dynamically imported module|module script|Load failed|CompileError|ERR_/i.test(text)) return "network";
  return "page";
}

/** Whether retrying needs a fresh page: a failed import() stays failed in the module map. */
const needsReload = (error) => /dynamically imported module|module script/i.test(String(error?.message ?? ""));

/**
 * Shows in `view` that the page could not be rendered: the translated reason, what to do, and a
 * retry button that calls `retry()` (or reloads the page when a script failed to load).
 * Returns a function that removes the automatic retry at `online`.
 */
export function failure(view, error, retry) {
  console.error(error);
  const why = kind(error);
  const again = () => {
    removeEventListener("online", again);
    if (needsReload(error)) location.reload();
    else retry();
  };
  const button = el("button", { type: "button", id: "retry", onclick: again }, t("retry"));
  view.replaceChildren(el("section", { id: "load-failed", className: "card failure", role: "alert", "data-kind": why },
    el("h1", {}, t(`load_${why}_title`)),
    el("p", {}, t(`load_${why}`)),
    el("div", { className: "buttons" }, button)));
  addEventListener("online", again);
  return () => removeEventListener("online", again);
}

/**
 * Waits for what page `needs` names ("wasm"), showing a "loading" line in `view` when it is not
 * there yet.
 */
export async function ready(view, needs = []) {
  if (needs.includes("wasm") && !wasmDone) {
    view.replaceChildren(el("p", { id: "loading", role: "status" }, t("loading_rules")));
    await wasm();
    wasmDone = true;
  }
}

track();
