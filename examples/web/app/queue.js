// Offline intake: registrations wait in IndexedDB (this browser only) until the server has
// acknowledged them. Each carries its Idempotency-Key from the moment it is queued, so a retry —
// after a lost answer, or from a second tab — never makes a second case: the server answers a
// repeated key with the first result. Sending happens under a Web Lock, so two tabs never send
// at the same time, and each item is re-read inside the lock (a tab skips what another sent).
// A BroadcastChannel tells the other tabs to redraw their "pending" list.
//
// On a flaky line (issue 37) a send that fails — no answer, or a 5xx, 401, 408 or 429 — leaves
// the item pending and tries again with a growing wait (backoff.js), and at once when the
// browser comes back online.
//
// Sealed (issue 36): the record is stored encrypted with the user's non-extractable key
// (seal.js); what stays in clear is the item's key (a random UUID), the user id, the times, its
// state and, for a refused one, the server's error code. Items expire EXPIRY_HOURS after they
// were queued (unsent registrations do not stay on a shared computer for ever); for the last
// WARN_HOURS they are marked `expiring` and the intake page says so. Signing out deletes the
// user's items and key (forget()).
import { api, session } from "./api.js";
import { backoff } from "./backoff.js";
import { newKey, seal, unseal } from "./seal.js";

/** How long a queued registration is kept, in hours. */
export const EXPIRY_HOURS = 72;
/** How long before it expires the intake page warns, in hours. */
export const WARN_HOURS = 12;
const HOUR = 3_600_000;

const DB = "siproc";
const STORE = "pending";
const KEYS = "keys";
const LOCK = "siproc-outbox";
const channel = "BroadcastChannel" in self ? new BroadcastChannel(LOCK) : null;

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 2);
    request.onupgradeneeded = () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE, { keyPath: "key" });
      if (!db.objectStoreNames.contains(KEYS)) db.createObjectStore(KEYS, { keyPath: "user" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, f, store = STORE) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(store, mode);
      const result = f(tx.objectStore(store));
      tx.oncomplete = () => resolve(result?.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Tells this tab and the others that the queue changed. */
function changed() {
  channel?.postMessage("changed");
  dispatchEvent(new Event("siproc:queue"));
}

/** The user's key; a new one when `create` and there is none (under a lock: one per user). */
async function keyOf(user, create) {
  const stored = await run("readonly", (s) => s.get(user), KEYS);
  if (stored || !create) return stored?.key ?? null;
  return navigator.locks.request(`${LOCK}-key`, async () => {
    const again = await run("readonly", (s) => s.get(user), KEYS);
    if (again) return again.key;
    const key = await newKey();
    await run("readwrite", (s) => s.put({ user, key, created_at: new Date().toISOString() }), KEYS);
    return key;
  });
}

/** What a sealed record is bound to. */
const context = (item) => `${item.key}|${item.user}`;
const expiresAt = (item) => Date.parse(item.expires_at ?? "") || Date.parse(item.queued_at) + EXPIRY_HOURS * HOUR;

const all = async () => (await run("readonly", (s) => s.getAll())) ?? [];
const get = (key) => run("readonly", (s) => s.get(key));
const put = (item) => run("readwrite", (s) => s.put(item));

/**
 * The stored item `item` opened: its record decrypted (an item stored in clear by an earlier
 * version is sealed now). Null when it expired or cannot be opened (its key is gone): then it is
 * deleted, as it can never be sent.
 */
async function opened(item, now = Date.now()) {
  if (expiresAt(item) <= now) {
    await run("readwrite", (s) => s.delete(item.key));
    return null;
  }
  if (item.record && !item.sealed) {
    const { record, ...rest } = item;
    const sealedItem = { ...rest, expires_at: new Date(expiresAt(item)).toISOString(), sealed: await seal(await keyOf(item.user, true), record, context(item)) };
    await put(sealedItem);
    return { ...sealedItem, record, expiring: expiresAt(item) - now <= WARN_HOURS * HOUR };
  }
  try {
    const key = await keyOf(item.user, false);
    const record = await unseal(key, item.sealed, context(item));
    return { ...item, record, expiring: expiresAt(item) - now <= WARN_HOURS * HOUR };
  } catch {
    await run("readwrite", (s) => s.delete(item.key));
    return null;
  }
}

/**
 * The pending (and refused) registrations of `user`, oldest first, opened: each with its
 * `record` and `expiring` (within WARN_HOURS of `expires_at`). Expired items are deleted.
 */
export async function pending(user) {
  const mine = (await all()).filter((i) => i.user === user).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
  const out = [];
  for (const item of mine) {
    const open_ = await opened(item);
    if (open_) out.push(open_);
  }
  if (out.length !== mine.length) changed();
  return out;
}

/** Forgets a pending registration. */
export async function remove(key) {
  await run("readwrite", (s) => s.delete(key));
  changed();
}

/** Deletes every item of `user` and their key (signing out). */
export async function forget(user) {
  const keys = (await all()).filter((i) => i.user === user).map((i) => i.key);
  await run("readwrite", (s) => keys.forEach((k) => s.delete(k)));
  await run("readwrite", (s) => s.delete(user), KEYS);
  changed();
}

/**
 * Queues `record` (sent by the user with `user` id), sealed, under Idempotency-Key `key` (the
 * filled form's: queuing the same key again replaces the item); returns the queued item (opened).
 */
export async function enqueue(record, user, key = crypto.randomUUID()) {
  const now = new Date();
  const item = { key, user, queued_at: now.toISOString(),
    expires_at: new Date(now.getTime() + EXPIRY_HOURS * HOUR).toISOString(), state: "pending" };
  await put({ ...item, sealed: await seal(await keyOf(user, true), record, context(item)) });
  changed();
  return { ...item, record };
}

/** The statuses after which an item stays pending and is sent again later. */
export const kept = (status) => status >= 500 || [401, 408, 429].includes(status);

const retry = backoff();
let waiting = null;
/** Sends `user`'s items again after the next backoff wait (once, however many failures). */
function later(user) {
  if (waiting) return;
  waiting = retry.wait().then(() => {
    waiting = null;
    return flush(user);
  });
}

/**
 * Sends one item (under the lock); `queued` when it is sent from the queue, not as the user
 * submitted it (the session's log says so). Resolves to the API answer, or null when the item is gone
 * (another tab sent it). Rejects when the network fails: the item stays, and is retried later.
 */
async function sendOne(key, queued = false) {
  const stored = await get(key);
  if (!stored || stored.state !== "pending") return null;
  const item = await opened(stored);
  if (!item) return null;
  let answer;
  try {
    answer = await api("/cases", { method: "POST", body: item.record, headers: { "idempotency-key": item.key } });
  } catch (error) {
    later(item.user);
    throw error;
  }
  if (answer.status === 201 || answer.status === 200) {
    retry.reset();
    // The session's log keeps what was sent and its number (the intake page lists it).
    const person = item.record.persons?.[0] ?? {};
    session.logRegistered({ id: answer.data?.id, number: answer.data?.number, at: new Date().toISOString(),
      name: `${person.given_names ?? ""} ${person.surnames ?? ""}`.trim(), ...(queued ? { queued_at: item.queued_at } : {}) });
    await remove(item.key);
  } else if ([400, 403, 413, 422].includes(answer.status)) {
    await put({ ...stored, state: "rejected", code: answer.data?.code ?? String(answer.status) });
    changed();
  } else if (kept(answer.status)) {
    later(item.user);
  }
  return answer;
}

/** Sends item `key` now; see sendOne. */
export const send = (key) => navigator.locks.request(LOCK, () => sendOne(key));

/**
 * Sends every pending item of `user`, in order, stopping at the first network failure (and
 * trying again later). Calls `onSent(answer)` for each acknowledged one.
 */
export async function flush(user, onSent = () => {}) {
  if (!navigator.onLine || !user) return;
  await navigator.locks.request(LOCK, async () => {
    const items = (await all()).sort((a, b) => a.queued_at.localeCompare(b.queued_at));
    for (const item of items) {
      if (item.user !== user || item.state !== "pending") continue;
      let answer;
      try {
        answer = await sendOne(item.key, true);
      } catch {
        return;
      }
      if (answer?.ok) onSent(answer);
      else if (answer && kept(answer.status)) return;
    }
  });
}

/** Calls `f` when another tab changes the queue. */
export const onChange = (f) => channel?.addEventListener("message", f);
