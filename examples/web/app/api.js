// The API under /api/v1 and the live event stream, as the signed-in person: their session is an
// HttpOnly cookie the browser sends by itself (POST /session set it; no script can read it), and
// writes carry the session's CSRF token (`X-CSRF-Token`). For development, an API token pasted
// on the sign-in page (`?dev-token`) is sent as a bearer token instead. The CSRF token or the
// development token lives in sessionStorage (this tab, until it closes): never in a URL, never
// in localStorage.
import { backoff } from "./backoff.js";
import { locale } from "./i18n.js";

const BASE = "/api/v1";
const KEY = "siproc.token";
const CSRF = "siproc.csrf";

/** The names of the session's registrations, by case id: in this page's memory only. */
const names = new Map();

/** The session: the CSRF token of a signed-in session (or a development token), and who it is. */
export const session = {
  /** A development API token (sign-in page with `?dev-token`), or null. */
  get token() { return sessionStorage.getItem(KEY); },
  /** The CSRF token of the session cookie, or null. */
  get csrf() { return sessionStorage.getItem(CSRF); },
  /** Whether someone is signed in in this tab. */
  get signedIn() { return Boolean(this.token || this.csrf); },
  get me() { return JSON.parse(sessionStorage.getItem(KEY + ".me") ?? "null"); },
  /** Signed in with a development API token. */
  save(token, me) {
    sessionStorage.setItem(KEY, token);
    sessionStorage.setItem(KEY + ".me", JSON.stringify(me));
  },
  /** Signed in with a password (the session cookie is set; `csrf` is its CSRF token). */
  saveSession(csrf, me) {
    sessionStorage.setItem(CSRF, csrf);
    sessionStorage.setItem(KEY + ".me", JSON.stringify(me));
  },
  clear() {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(CSRF);
    sessionStorage.removeItem(KEY + ".me");
    sessionStorage.removeItem(KEY + ".registered");
    names.clear();
  },
  /**
   * The registrations this tab's session made, newest first: { id, number, name, at, queued_at }
   * (`queued_at` for one sent from the offline queue). Kept with the token, in this tab only,
   * and gone with it; the person's name is kept in memory only (personal data is not written
   * to the browser's storage in clear: the queue seals it), so after a reload it is absent.
   */
  get registered() {
    return JSON.parse(sessionStorage.getItem(KEY + ".registered") ?? "[]").map((e) => ({ ...e, name: names.get(e.id) }));
  },
  /** Adds a registration to the session's log (once per case). */
  logRegistered({ name, ...entry }) {
    if (name) names.set(entry.id, name);
    const rest = this.registered.filter((e) => e.id !== entry.id).map(({ name: _, ...e }) => e);
    sessionStorage.setItem(KEY + ".registered", JSON.stringify([entry, ...rest].slice(0, 200)));
  },
};

/**
 * What happens when the server answers 401 to the session's own token (it expired or was
 * revoked): main.js sets it (back to the sign-in page, with the place to come back to).
 */
let unauthorized = () => {};
/** Sets what a 401 to the session's token does. */
export const onUnauthorized = (f) => { unauthorized = f; };

/** GETs started early (preload), by path: { at, answer }. */
const early = new Map();
/** How long an early answer may wait for the page that asked for it. */
const EARLY_MS = 30_000;

/**
 * Starts `GET path` now, for a page whose script has arrived but which still waits for the
 * WebAssembly module (main.js calls the page's `prefetch`): on a slow line the request then
 * overlaps the module's download. The page's own `api(path)` takes the answer, once, while it is
 * drawn (within 30 s); what it did not take is forgotten then.
 */
export function preload(path) {
  const started = early.get(path);
  if (started && Date.now() - started.at < EARLY_MS) return;
  const entry = { at: Date.now(), answer: api(path) };
  // A request that failed is forgotten: the page asks again itself.
  entry.answer.catch(() => { if (early.get(path) === entry) early.delete(path); });
  early.set(path, entry);
}

/** Forgets the early answers no page took (main.js, once a page is drawn): never served stale. */
export const forgetEarly = () => early.clear();

/**
 * Calls the API. Resolves to { status, ok, data, headers } for every HTTP answer; rejects only
 * when the network fails (offline).
 */
export async function api(path, { method = "GET", body, headers = {}, token = session.token, raw = false } = {}) {
  const started = early.get(path);
  if (started && method === "GET" && !raw && token === session.token && body === undefined && !Object.keys(headers).length) {
    early.delete(path);
    if (Date.now() - started.at < EARLY_MS) return started.answer;
  }
  // The server answers its errors in the user's language (issue 33), not the browser's.
  const init = { method, headers: { "accept-language": locale, ...headers }, cache: "no-store" };
  if (token) init.headers.authorization = `Bearer ${token}`;
  else if (session.csrf && method !== "GET" && method !== "HEAD") init.headers["x-csrf-token"] = session.csrf;
  if (body instanceof FormData) {
    // A multipart form (a file and its fields): the browser writes its Content-Type.
    init.body = body;
  } else if (body instanceof Blob) {
    // A file, sent as it is with its own type (the server sniffs it and holds it to its list).
    if (body.type) init.headers["content-type"] = body.type;
    init.body = body;
  } else if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const response = await fetch(BASE + path, init);
  const ours = token ? token === session.token : Boolean(session.csrf) && path !== "/session";
  if (response.status === 401 && ours) unauthorized();
  if (raw) return { status: response.status, ok: response.ok, response, headers: response.headers };
  const type = response.headers.get("content-type") ?? "";
  const data = type.includes("json") ? await response.json() : null;
  return { status: response.status, ok: response.ok, data, headers: response.headers };
}

/**
 * Follows GET /events (Server-Sent Events, read with fetch so that the token goes in a header),
 * calling `onEntry` with each entry; reconnects with Last-Event-ID after a drop, waiting longer
 * after each failed attempt (backoff.js: 1 s doubling to 30 s, at once when the browser is back
 * online). `onState(true|false)` says whether the stream is up. A 401 or 403 stops it for good
 * (retrying cannot help: the token is no longer valid, or may not follow the stream); a 401 to
 * the session's token also ends the session (onUnauthorized). Returns a function that stops it.
 */
export function follow(onEntry, onState = () => {}) {
  const stop = new AbortController();
  const retry = backoff();
  let last = null;
  (async () => {
    while (!stop.signal.aborted) {
      try {
        const token = session.token;
        const headers = { accept: "text/event-stream" };
        if (token) headers.authorization = `Bearer ${token}`;
        if (last) headers["last-event-id"] = last;
        const response = await fetch(BASE + "/events", { headers, signal: stop.signal, cache: "no-store" });
        if (response.status === 401 || response.status === 403) {
          stop.abort();
          onState(false);
          if (response.status === 401 && session.signedIn && token === session.token) unauthorized();
          return;
        }
        if (!response.ok || !response.body) throw new Error(`events: ${response.status}`);
        onState(true);
        retry.reset();
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            let data = "";
            for (const line of block.split("\n")) {
              if (line.startsWith("id:")) last = line.slice(3).trim();
              else if (line.startsWith("data:")) data += line.slice(5).trim();
            }
            if (data) onEntry(JSON.parse(data));
          }
        }
      } catch {
        // Offline or dropped: wait and reconnect.
      }
      onState(false);
      if (!stop.signal.aborted) await retry.wait(stop.signal);
    }
  })();
  return () => stop.abort();
}
