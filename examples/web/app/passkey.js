// Passkeys (issue 28): the sign-in page's first choice (a button: the browser offers the person
// their passkeys for this site, no login typed) and the account page's list (add one, named;
// remove one). The ceremonies are the server's (routes/passkeys.rs, over webauthn-rs): it makes
// each challenge and keeps its state; this page only carries the options to
// `navigator.credentials` and the browser's answer back, as WebAuthn's JSON (base64url).
import { api } from "./api.js";
import { t, when } from "./i18n.js";
import { el } from "/form.js";

/** Whether this browser can use passkeys at all. */
const supported = () => typeof window.PublicKeyCredential === "function" && !!navigator.credentials;

/** Binary values of WebAuthn's JSON (base64url) as bytes, and back. */
const bytes = (text) => Uint8Array.from(atob(text.replace(/-/g, "+").replace(/_/g, "/").padEnd(Math.ceil(text.length / 4) * 4, "=")), (c) => c.charCodeAt(0));
const text = (buffer) => btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

/** The creation options of the server's JSON, as `navigator.credentials.create` takes them. */
function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return { ...json, challenge: bytes(json.challenge), user: { ...json.user, id: bytes(json.user.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map((c) => ({ ...c, id: bytes(c.id) })) };
}

/** The request options of the server's JSON, as `navigator.credentials.get` takes them. */
function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return { ...json, challenge: bytes(json.challenge), allowCredentials: (json.allowCredentials ?? []).map((c) => ({ ...c, id: bytes(c.id) })) };
}

/** A credential as WebAuthn's JSON (what the server reads). */
function credentialJson(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = r.attestationObject
    ? { attestationObject: text(r.attestationObject), clientDataJSON: text(r.clientDataJSON), transports: r.getTransports?.() ?? [] }
    : { authenticatorData: text(r.authenticatorData), clientDataJSON: text(r.clientDataJSON), signature: text(r.signature),
        userHandle: r.userHandle ? text(r.userHandle) : null };
  return { id: credential.id, rawId: text(credential.rawId), type: credential.type, response,
    clientExtensionResults: credential.getClientExtensionResults?.() ?? {} };
}

/** The message for a refused answer (`answer`: the API's, or null when offline). */
function refusal(answer) {
  if (!answer) return t("offline");
  if (answer.status === 429) return t("signin_wait", { n: Number(answer.headers.get("retry-after") ?? "1") });
  if (answer.data?.code === "passkeys.unavailable") return t("passkey_unavailable");
  return t("passkey_refused");
}

/** Whether this browser can use passkeys (the account page hides what needs one). */
export const passkeysSupported = supported;

/**
 * A passkey sign-in ceremony, begun on the server and answered by the browser's authenticator:
 * `{ body }` (the ceremony and the credential, what `POST /session/passkey` and
 * `POST /session/reauth` read), or `{ message }` saying why not.
 */
export async function passkeyAssertion() {
  const begun = await api("/session/passkey/options", { method: "POST", token: null }).catch(() => null);
  if (!begun?.ok) return { message: refusal(begun) };
  const credential = await navigator.credentials.get({ publicKey: requestOptions(begun.data.options.publicKey) }).catch(() => null);
  if (!credential) return { message: t("passkey_cancelled") };
  return { body: { ceremony: begun.data.ceremony, credential: credentialJson(credential) } };
}

/**
 * The sign-in page's passkey button: on success, `signedIn(answer)` with the session's answer
 * (as `POST /session` gives it).
 */
export function passkeySignIn(signedIn) {
  const message = el("p", { id: "passkey-message", role: "alert" });
  const button = el("button", { type: "button", id: "passkey-signin" }, t("passkey_signin"));
  button.onclick = async () => {
    message.textContent = "";
    button.disabled = true;
    try {
      const proof = await passkeyAssertion();
      if (proof.message) return void (message.textContent = proof.message);
      const answer = await api("/session/passkey", { method: "POST", token: null, body: proof.body }).catch(() => null);
      if (!answer?.ok) return void (message.textContent = answer?.status === 401 ? t("passkey_refused") : refusal(answer));
      signedIn(answer);
    } finally {
      button.disabled = false;
    }
  };
  const section = el("section", { id: "passkey", className: "card", "aria-labelledby": "passkey-title" },
    el("h2", { id: "passkey-title" }, t("passkey_title")),
    el("p", { className: "help", id: "passkey-help" }, t(supported() ? "passkey_help" : "passkey_unsupported")),
    button, message);
  button.setAttribute("aria-describedby", "passkey-help");
  button.disabled = !supported();
  return section;
}

/** The account page's passkeys: the list (each removable) and a form that adds one. */
export async function passkeyList() {
  const list = el("ul", { id: "passkeys" });
  const message = el("p", { id: "passkeys-message", role: "alert" });
  const row = (p) => {
    const used = p.last_used_at ? t("passkey_used", { at: when(p.last_used_at) }) : t("passkey_unused");
    const label = t("passkey_row", { name: p.name, created: when(p.created_at), used });
    const remove = el("button", { type: "button", className: "secondary", "aria-label": `${t("passkey_remove")}: ${p.name}` }, t("passkey_remove"));
    const item = el("li", { "data-id": p.id }, label, " ", remove);
    remove.onclick = async () => {
      const done = await api(`/passkeys/${encodeURIComponent(p.id)}`, { method: "DELETE" }).catch(() => null);
      if (done?.ok || done?.status === 404) item.remove();
      else message.textContent = refusal(done);
    };
    return item;
  };
  const listed = await api("/passkeys").catch(() => null);
  list.replaceChildren(...(listed?.ok ? listed.data : []).map(row));
  const name = el("input", { id: "passkey-name", name: "passkey-name", type: "text", required: true, maxLength: 60, autocomplete: "off" });
  const add = el("button", { type: "submit" }, t("passkey_add"));
  const form = el("form", { id: "passkey-add" },
    el("label", { htmlFor: "passkey-name" }, t("passkey_name")), name, add);
  add.disabled = !supported();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    add.disabled = true;
    try {
      const begun = await api("/passkeys/options", { method: "POST" }).catch(() => null);
      if (!begun?.ok) return void (message.textContent = refusal(begun));
      const credential = await navigator.credentials.create({ publicKey: creationOptions(begun.data.options.publicKey) }).catch(() => null);
      if (!credential) return void (message.textContent = t("passkey_cancelled"));
      const done = await api("/passkeys", { method: "POST",
        body: { ceremony: begun.data.ceremony, name: name.value.trim(), credential: credentialJson(credential) } }).catch(() => null);
      if (!done?.ok) return void (message.textContent = refusal(done));
      list.append(row(done.data));
      name.value = "";
      message.textContent = t("passkey_added");
    } finally {
      add.disabled = false;
    }
  });
  return el("section", { "aria-labelledby": "passkeys-title" },
    el("h2", { id: "passkeys-title" }, t("passkeys_title")),
    el("p", { className: "help" }, t(supported() ? "passkeys_help" : "passkey_unsupported")),
    list, form, message);
}
