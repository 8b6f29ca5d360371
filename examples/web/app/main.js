// The web application's shell: the header (navigation, language, connection, sign-out), the
// routes (`#/signin`, `#/enrol/<link>`, `#/oidc/<how>`, `#/account`, `#/intake`, `#/cases`,
// `#/case/<id>`, `#/stats`, `#/users`, `#/verify[/<code>]`, `#/signed`), the service worker
// and the sending of pending registrations whenever the connection returns.
import { api, forgetEarly, onUnauthorized, session } from "./api.js";
import { label, locale, t, toggleLocale, useOffice, when } from "./i18n.js";
import { el } from "/form.js";
import * as queue from "./queue.js";
import { failure, ready, wasmLoaded } from "./load.js";
import { confirmSignOut } from "./signout.js";
import { passkeySignIn } from "./passkey.js";

const view = document.getElementById("view");
let leave = () => {};

function chrome() {
  document.documentElement.lang = locale;
  document.title = `${t("brand")}`;
  document.getElementById("skip").textContent = t("skip");
  document.getElementById("brand").textContent = t("brand");
  const lang = document.getElementById("lang");
  lang.textContent = t("other_language");
  lang.lang = locale === "es" ? "en" : "es";
  lang.onclick = toggleLocale;
  const out = document.getElementById("signout");
  out.textContent = t("signout");
  out.hidden = !session.signedIn;
  out.onclick = async () => {
    // Unsent registrations are sealed with a key of this sign-in: signing out warns, then
    // deletes them and the key (signout.js).
    if (!(await confirmSignOut(session.me?.user_id))) return;
    // The session ends on the server (every process), not only in this tab; one opened at the
    // ministry's identity provider is then ended there too (RP-initiated logout), so that the
    // next person at this computer is not signed in by the provider as this one.
    let atProvider = false;
    if (session.csrf) {
      const open = await api("/sessions").catch(() => null);
      atProvider = open?.data?.sessions?.find((s) => s.id === open.data.current)?.method === "oidc";
      await api("/session", { method: "DELETE" }).catch(() => null);
    }
    session.clear();
    if (atProvider) return location.assign("/api/v1/session/oidc/logout");
    location.hash = "#/signin"; chrome();
  };
  const me = session.me;
  const links = [["#/verify", t("nav_verify")]];
  if (me) links.unshift(["#/stats", t("nav_stats")]);
  if (me && session.csrf) links.push(["#/account", t("nav_account")]);
  if (me && ["directorate", "supervisor", "auditor"].includes(me.role)) links.push(["#/users", t("nav_users")]);
  if (me?.sees_cases) links.unshift(["#/cases", t("nav_cases")]);
  if (me && ["officer", "supervisor", "directorate"].includes(me.role)) links.unshift(["#/intake", t("nav_intake")], ["#/signed", t("nav_signed")]);
  if (!me) links.unshift(["#/signin", t("nav_signin")]);
  const nav = document.getElementById("nav");
  nav.setAttribute("aria-label", t("nav"));
  nav.replaceChildren(el("ul", {}, ...links.map(([href, text]) => {
    const a = el("a", { href }, text);
    if (location.hash.startsWith(href)) a.setAttribute("aria-current", "page");
    return el("li", {}, a);
  })));
  const net = document.getElementById("net");
  net.textContent = navigator.onLine ? t("online") : t("offline");
  net.className = navigator.onLine ? "online" : "offline";
}

/**
 * The sign-in page's address that comes back to `hash` after signing in (`#/signin/<hash>`,
 * the hash encoded as one path segment).
 */
const signinFor = (hash) => (/^#\/(signin)?($|\/)/.test(hash) || !hash ? "#/signin" : `#/signin/${encodeURIComponent(hash)}`);
/** Where the sign-in page `#/signin/<back>` returns to: a page of this application, or none. */
function backTo(back) {
  try {
    const hash = decodeURIComponent(back ?? "");
    return /^#\/[\w-]+(\/[\w-]*)*$/.test(hash) && !hash.startsWith("#/signin") ? hash : null;
  } catch {
    return null;
  }
}

/** Whether the last sign-out was the server's (the token expired or was revoked). */
let expired = false;
// A 401 to the session's token: the session is over; the sign-in page comes back here.
onUnauthorized(() => {
  if (!session.signedIn) return;
  session.clear();
  expired = true;
  location.hash = signinFor(location.hash);
});

/** Whether this tab may sign in with a pasted API token (development: the address has `?dev-token`). */
const DEV_TOKEN = new URLSearchParams(location.search).has("dev-token");

/** The development form: an API token pasted (only with `?dev-token`). */
function tokenForm(back) {
  const input = el("input", { id: "token", type: "password", autocomplete: "off", required: true });
  const message = el("p", { id: "signin-message", role: "alert" });
  const form = el("form", { id: "signin", className: "card" },
    el("label", { htmlFor: "token" }, t("token")), input,
    el("p", { className: "help" }, t("signin_help")),
    el("button", { type: "submit" }, t("signin_button")), message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const token = input.value.trim();
    const answer = await api("/me", { token }).catch(() => null);
    if (!answer?.ok) {
      message.textContent = t("signin_bad");
      return;
    }
    session.save(token, answer.data);
    expired = false;
    location.hash = backTo(back) ?? home(answer.data);
  });
  return form;
}

/** The sign-in form: login, password, and the authenticator's code or a recovery code. */
function passwordForm(back) {
  const field = (id, type, autocomplete, extra = {}) => el("input", { id, name: id, type, autocomplete, required: true, ...extra });
  const login = field("login", "text", "username", { autocapitalize: "none", spellcheck: false });
  const password = field("password", "password", "current-password");
  const code = field("code", "text", "one-time-code", { "aria-describedby": "code-help" });
  const message = el("p", { id: "password-message", role: "alert" });
  const button = el("button", { type: "submit" }, t("signin_button"));
  const form = el("form", { id: "password-signin", className: "card" },
    el("label", { htmlFor: "login" }, t("login")), login,
    el("label", { htmlFor: "password" }, t("password")), password,
    el("label", { htmlFor: "code" }, t("code")), code,
    el("p", { className: "help", id: "code-help" }, t("code_help")),
    button, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    const typed = code.value.trim();
    // Six digits are the authenticator's code; anything else is a recovery code.
    const factor = /^\d{3}\s?\d{3}$/.test(typed) ? { code: typed } : { recovery_code: typed };
    button.disabled = true;
    const answer = await api("/session", { method: "POST", token: null, body: { login: login.value.trim(), password: password.value, ...factor } }).catch(() => null);
    button.disabled = false;
    if (!answer?.ok) {
      const wait = answer?.status === 429 ? Number(answer.headers.get("retry-after") ?? "1") : 0;
      message.textContent = !answer ? t("offline") : wait ? t("signin_wait", { n: wait }) : t("signin_refused");
      password.value = "";
      code.value = "";
      return;
    }
    signedIn(back, answer);
  });
  return form;
}

/**
 * When a credential of the account changed since the person's previous sign-in, as the sign-in
 * answered it (ASVS 2.2.3: no e-mail exists, so the next page tells them, once).
 */
let changedAt = null;

/** Signed in (a password's or a passkey's answer): the session kept, then where to go. */
function signedIn(back, answer) {
  changedAt = answer.data.credentials_changed_at ?? null;
  session.saveSession(answer.data.csrf_token, answer.data.me);
  expired = false;
  location.hash = backTo(back) ?? home(answer.data.me);
}

function signinPage(back, view) {
  const form = passwordForm(back);
  // Passkeys first (passkey.js), then the password and its code.
  view.replaceChildren(el("h1", {}, t("signin_title")), passkeySignIn((answer) => signedIn(back, answer)), form);
  if (DEV_TOKEN) view.append(el("h2", {}, t("token_title")), tokenForm(back));
  if (expired) form.before(el("p", { className: "warning", id: "session-ended", role: "alert" }, t("session_ended")));
  else if (backTo(back)) form.before(el("p", { className: "help", id: "need-signin" }, t("need_signin")));
  const me = session.me;
  if (me) form.before(el("p", { className: "help" }, t("signed_in_as", { user: me.user_id, role: label("role", me.role), office: me.office })));
}

/**
 * The sign-in page, with "sign in with the ministry" below the password form when the server
 * offers it (oidc.js); `how`: the outcome of a try with the provider that did not sign in.
 */
async function signinWithProvider(back, view, how) {
  signinPage(back, view);
  const option = await import("./oidc.js").then((m) => m.signinOption(how)).catch(() => null);
  if (option) view.querySelector("#password-signin")?.after(option);
}

/** Where the provider's sign-in comes back to (`#/oidc/<how>`): signed in, or the sign-in page. */
async function providerLanding(how, view) {
  const me = await import("./oidc.js").then((m) => m.landing(how, view)).catch(() => null);
  if (!me) return signinWithProvider(null, view, how);
  expired = false;
  location.hash = home(me);
}

/** Where a user lands: the case list, or the statistics for those who see no case. */
const home = (me) => (me?.sees_cases ? "#/cases" : "#/stats");

/** The pages: each draws into `slot`, its navigation's own element in the page's main. */
const ROUTES = {
  signin: async (back, slot) => signinWithProvider(back, slot),
  oidc: async (how, slot) => providerLanding(how, slot),
  enrol: async (link, slot) => (await import("./account.js")).enrol(slot, link),
  account: async (_, slot) => (await import("./account.js")).account(slot),
  intake: async (_, slot) => (await import("./intake.js")).show(slot),
  cases: async (_, slot) => (await import("./cases.js")).show(slot),
  case: async (id, slot) => (await import("./casepage.js")).show(slot, id),
  verify: async (code, slot) => (await import("./verify.js")).show(slot, code),
  signed: async (_, slot) => (await import("./signed.js")).show(slot),
  stats: async (_, slot) => (await import("./dashboard.js")).show(slot),
  users: async (_, slot) => (await import("./users.js")).show(slot),
};
/**
 * What each page uses besides its script (load.js waits for it): the core's module for the
 * catalog, validation and labels. Sign-in (labels only for who is signed in) and verification do
 * not wait for it.
 */
const NEEDS = { intake: ["wasm"], cases: ["wasm"], case: ["wasm"], stats: ["wasm"], signin: ["wasm"], users: ["wasm"], signed: ["wasm"] };
const PUBLIC = new Set(["signin", "verify", "enrol", "oidc"]);
/**
 * The pages' scripts, asked for while the module is still arriving (the same addresses as in
 * ROUTES, so the same module instances): on a slow line the two downloads overlap instead of
 * following each other.
 */
const SCRIPTS = { intake: "./intake.js", cases: "./cases.js", case: "./casepage.js", stats: "./dashboard.js" };

/** Which navigation is current: on a slow line the user may move on before a page is drawn. */
let generation = 0;

async function route() {
  const mine = ++generation;
  leave();
  leave = () => {};
  const [name, arg] = location.hash.replace(/^#\/?/, "").split("/");
  const page = ROUTES[name] ? name : session.signedIn ? home(session.me).slice(2) : "signin";
  if (!PUBLIC.has(page) && !session.signedIn) {
    location.hash = signinFor(location.hash);
    return;
  }
  chrome();
  // Each navigation draws into its own element: a page the user has already left (two menu
  // entries clicked in quick succession) keeps writing into its element, which is no longer on
  // the page, and never into the current one.
  const slot = el("div", { className: "page" });
  view.replaceChildren(slot);
  delete view.dataset.version;
  delete view.dataset.release;
  try {
    // A failure shows below, from ROUTES; while the module arrives, a page's `prefetch` starts
    // its first requests.
    if (SCRIPTS[page] && !wasmLoaded()) import(SCRIPTS[page]).then((m) => { if (mine === generation && !wasmLoaded()) m.prefetch?.(arg); }).catch(() => {});
    await ready(slot, page === "signin" && !session.me ? [] : NEEDS[page]);
    if (mine !== generation) return;
    // Dates and times in the user's office's time zone (once the module, which knows it, is in).
    if (session.me) useOffice(session.me.office);
    const done = (await ROUTES[page](arg, slot)) ?? (() => {});
    if (mine !== generation) return done();
    leave = done;
  } catch (e) {
    if (mine !== generation) return;
    // A translated, actionable message with a retry, never the raw error (load.js).
    leave = failure(slot, e, () => { delete view.dataset.ready; route(); });
  }
  forgetEarly();
  if (changedAt && session.signedIn) {
    slot.prepend(el("p", { className: "warning", id: "credentials-changed", role: "alert" },
      t("credentials_changed", { at: when(changedAt) }), " ", el("a", { href: "#/account" }, t("credentials_changed_link"))));
    changedAt = null;
  }
  view.dataset.page = page;
  view.dataset.ready = "true";
}

function flush() {
  const me = session.me;
  if (me) queue.flush(me.user_id).then(() => dispatchEvent(new Event("siproc:queue")));
}
addEventListener("hashchange", () => { delete view.dataset.ready; route(); });
// Another language: the header and the page drawn again in it (the intake page keeps what was
// typed: intake.js).
addEventListener("siproc:locale", () => { delete view.dataset.ready; route(); });
addEventListener("online", () => { chrome(); flush(); });
addEventListener("offline", chrome);
queue.onChange(() => dispatchEvent(new Event("siproc:queue")));
await route();
flush();
// The service worker is registered once the first page is up, so that its pre-caching does not
// compete with that page for a slow line (and mostly finds the files in the HTTP cache).
if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js").catch(() => {});
