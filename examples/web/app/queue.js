// Offline intake: registrations wait in IndexedDB (this browser only) until the server has
// acknowledged them. Each carries its Idempotency-Key from the moment it is queued, so a retry —
// after a lost answer, or from a second tab — never makes a second case: the server answers a
// repeated key with the first result. Sending happens under a Web Lock, so two tabs never send
// at the same time, and each item is re-read inside the lock (a tab skips what another sent).
// A BroadcastChannel tells the other tabs to redraw their "pending" list.
import { api } from "./api.js";

const DB = "siproc";
const STORE = "pending";
const LOCK = "siproc-outbox";
const channel = "BroadcastChannel" in self ? new BroadcastChannel(LOCK) : null;

function open() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE, { keyPath: "key" });
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(mode, f) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const result = f(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(result.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Every pending registration, oldest first. */
export const pending = async () =>
  ((await run("readonly", (s) => s.getAll())) ?? []).sort((a, b) => a.queued_at.localeCompare(b.queued_at));

const get = (key) => run("readonly", (s) => s.get(key));
const put = (item) => run("readwrite", (s) => s.put(item));
/** Forgets a pending registration. */
export async function remove(key) {
  await run("readwrite", (s) => s.delete(key));
  channel?.postMessage("changed");
}

/** Queues `record` (sent by the user with `user` id); returns the queued item. */
export async function enqueue(record, user) {
  const item = { key: crypto.randomUUID(), record, user, queued_at: new Date().toISOString(), state: "pending" };
  await put(item);
  channel?.postMessage("changed");
  return item;
}

/**
 * Sends one item (under the lock). Resolves to the API answer, or null when the item is gone
 * (another tab sent it). Rejects when the network fails: the item stays.
 */
async function sendOne(key) {
  const item = await get(key);
  if (!item || item.state !== "pending") return null;
  const answer = await api("/cases", { method: "POST", body: item.record, headers: { "idempotency-key": item.key } });
  if (answer.status === 201 || answer.status === 200) {
    await remove(item.key);
  } else if ([400, 403, 413, 422].includes(answer.status)) {
    await put({ ...item, state: "rejected", code: answer.data?.code ?? String(answer.status) });
    channel?.postMessage("changed");
  }
  return answer;
}

/** Sends item `key` now; see sendOne. */
export const send = (key) => navigator.locks.request(LOCK, () => sendOne(key));

/**
 * Sends every pending item of `user`, in order, stopping at the first network failure. Calls
 * `onSent(answer)` for each acknowledged one.
 */
export async function flush(user, onSent = () => {}) {
  if (!navigator.onLine) return;
  await navigator.locks.request(LOCK, async () => {
    for (const item of await pending()) {
      if (item.user !== user || item.state !== "pending") continue;
      let answer;
      try {
        answer = await sendOne(item.key);
      } catch {
        return;
      }
      if (answer?.ok) onSent(answer);
    }
  });
}

/** Calls `f` when another tab changes the queue. */
export const onChange = (f) => channel?.addEventListener("message", f);
