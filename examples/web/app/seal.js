// Sealing the offline queue (issue 36, point 3). A registration waiting in IndexedDB holds a
// person's name, documents and the category's facts; on a shared consulate computer the next
// user must not read them. Each queued record is encrypted with AES-GCM (256-bit key, a fresh
// 96-bit IV per record, the item's Idempotency-Key and user id as additional data, so that a
// sealed record cannot be moved to another item) by the browser's WebCrypto: no hand-written
// cryptography, no library.
//
// The key is a CryptoKey generated with `extractable: false`: no script, the page's own
// included, can read its bytes, only ask the browser to encrypt and decrypt with it. It must
// outlive a reload and be shared by the user's tabs (a record queued offline is sent after an
// offline reload, or by another tab), which sessionStorage cannot do (it holds strings, and a
// non-extractable key cannot be turned into one). So it is kept as a CryptoKey object in
// IndexedDB (structured clone keeps it non-extractable), one per user, created when that user
// first queues something, and deleted with every item of that user when they sign out (after a
// warning when unsent items remain: signout.js). Items also expire (queue.js: 72 h by default).
// What that protects and what it does not is in docs/security.md, "The offline queue".
const ALGORITHM = { name: "AES-GCM", length: 256 };
const encoder = new TextEncoder();

/** A new non-extractable AES-GCM key. */
export const newKey = () => crypto.subtle.generateKey(ALGORITHM, false, ["encrypt", "decrypt"]);

/** `value` (JSON) sealed with `key`, bound to `context` (a string): { iv, data }. */
export async function seal(key, value, context) {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = await crypto.subtle.encrypt({ name: "AES-GCM", iv, additionalData: encoder.encode(context) }, key,
    encoder.encode(JSON.stringify(value)));
  return { iv, data };
}

/** The value sealed in `sealed` with `key` and `context`; rejects if either differs or it was altered. */
export async function unseal(key, sealed, context) {
  const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv: sealed.iv, additionalData: encoder.encode(context) }, key, sealed.data);
  return JSON.parse(new TextDecoder().decode(plain));
}
