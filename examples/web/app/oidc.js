// Signing in with the ministry's identity provider (OpenID Connect, issue 28). The sign-in page
// shows "sign in with the ministry" only when the server says a provider is configured
// (`GET /session/oidc/status`); the button is a plain link to `/api/v1/session/oidc`, which sends
// the browser to the provider. The server brings it back to `#/oidc/<how>`: `done` (the session
// cookie is set, like a password sign-in's: this page takes the CSRF token from its readable
// cookie and asks who signed in), or `refused`, `wait-SECONDS`, `unavailable`, shown on the
// sign-in page. No code, token or claim ever reaches this page.
import { api, session } from "./api.js";
import { t } from "./i18n.js";
import { el } from "/form.js";

/** Whether the server offers sign-in with the provider (false when it cannot say). */
async function offered() {
  const answer = await api("/session/oidc/status", { token: null }).catch(() => null);
  return Boolean(answer?.ok && answer.data?.configured);
}

/**
 * The "sign in with the ministry" part of the sign-in page, or null when no provider is
 * configured; `how` is the outcome of the last try (`refused`, `wait-N`, `unavailable`), if any.
 */
export async function signinOption(how) {
  if (!(await offered())) return null;
  const said = outcome(how);
  const message = el("p", { id: "oidc-message", role: "alert", className: said ? "warning" : "" }, said);
  return el("section", { id: "oidc-signin", className: "card", "aria-labelledby": "oidc-or" },
    el("p", { id: "oidc-or" }, t("oidc_or")),
    el("a", { href: "/api/v1/session/oidc", className: "provider", id: "oidc-button" }, t("oidc_button")),
    message);
}

/** What to tell about a try that did not sign in. */
function outcome(how = "") {
  const wait = /^wait-(\d+)$/.exec(how);
  if (wait) return t("signin_wait", { n: Number(wait[1]) });
  if (how === "refused") return t("oidc_refused");
  if (how === "unavailable") return t("oidc_unavailable");
  return "";
}

/** The CSRF token of the session the server just set (its readable cookie), or null. */
function csrfCookie() {
  const pairs = document.cookie.split(";").map((c) => c.trim().split("="));
  const found = pairs.find(([name]) => name === "__Host-siproc_csrf") ?? pairs.find(([name]) => name === "siproc_csrf");
  return found?.[1] || null;
}

/**
 * The page the provider's sign-in comes back to (`#/oidc/<how>`). Signed in: keeps the CSRF
 * token and who it is, and resolves to them; otherwise resolves to null (the caller shows the
 * sign-in page with `how`).
 */
export async function landing(how, slot) {
  if (how !== "done") return null;
  slot.replaceChildren(el("p", { role: "status" }, t("oidc_signing_in")));
  const csrf = csrfCookie();
  const me = csrf ? await api("/me", { token: null }).catch(() => null) : null;
  if (!me?.ok) return null;
  session.saveSession(csrf, me.data);
  return me.data;
}
