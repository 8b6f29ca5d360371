// API tokens on the account page (issue 28): the person's own tokens for programs (the
// chancellery's software, scripts), listed without their secrets; a new one named, with scopes
// and a lifetime, its secret shown this once; revoking one. The rules are the server's
// (`/api/v1/tokens`: a token never grants more than its owner's role and office).
import { api } from "./api.js";
import { t, when } from "./i18n.js";
import { el } from "/form.js";

/** The scopes offered, in the order shown (`metrics:read` is for monitoring, not offered). */
const SCOPES = ["cases:read", "cases:write", "stats:read", "logs:read", "archive:read", "archive:write",
  "users:read", "users:write", "tokens:read", "tokens:write"];
/** The lifetimes offered, in days (the server's default first). */
const LIFETIMES = [90, 30, 7, 366];

/** The account page's section of API tokens. */
export async function tokenList() {
  const list = el("ul", { id: "tokens" });
  const message = el("p", { id: "tokens-message", role: "alert" });
  const secret = el("div", { id: "token-secret-box" });
  const row = (token) => {
    const state = token.revoked_at ? t("token_revoked", { at: when(token.revoked_at) })
      : new Date(token.expires_at) < new Date() ? t("token_expired", { at: when(token.expires_at) })
        : t("token_expires", { at: when(token.expires_at) });
    const label = t("token_row", { name: token.name, scopes: token.scopes.join(", "), state });
    const item = el("li", { "data-id": token.id }, label);
    if (!token.revoked_at) {
      const revoke = el("button", { type: "button", className: "secondary", "aria-label": `${t("token_revoke")}: ${token.name}` }, t("token_revoke"));
      revoke.onclick = async () => {
        const done = await api(`/tokens/${encodeURIComponent(token.id)}`, { method: "DELETE" }).catch(() => null);
        if (!done?.ok) return void (message.textContent = done ? t("token_refused") : t("offline"));
        item.replaceWith(row({ ...token, revoked_at: new Date().toISOString() }));
      };
      item.append(" ", revoke);
    }
    return item;
  };
  const listed = await api("/tokens").catch(() => null);
  list.replaceChildren(...(listed?.ok ? listed.data : []).map(row));
  const name = el("input", { id: "token-name", name: "token-name", type: "text", required: true, maxLength: 80, autocomplete: "off" });
  const lifetime = el("select", { id: "token-lifetime", name: "token-lifetime" },
    ...LIFETIMES.map((d) => el("option", { value: String(d) }, t("token_days", { n: d }))));
  const scopes = el("fieldset", { id: "token-scopes" }, el("legend", {}, t("token_scopes")),
    ...SCOPES.map((s) => {
      const id = `token-scope-${s.replace(":", "-")}`;
      return el("div", {}, el("input", { type: "checkbox", id, value: s, checked: s.endsWith(":read") }), " ",
        el("label", { htmlFor: id }, s));
    }));
  const create = el("button", { type: "submit" }, t("token_create"));
  const form = el("form", { id: "token-create" },
    el("label", { htmlFor: "token-name" }, t("token_name")), name,
    el("label", { htmlFor: "token-lifetime" }, t("token_lifetime")), lifetime,
    scopes, create);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    secret.replaceChildren();
    const chosen = [...scopes.querySelectorAll("input:checked")].map((i) => i.value);
    if (!chosen.length) return void (message.textContent = t("token_no_scope"));
    create.disabled = true;
    const done = await api("/tokens", { method: "POST",
      body: { name: name.value.trim(), scopes: chosen, expires_in_days: Number(lifetime.value) } }).catch(() => null);
    create.disabled = false;
    if (!done?.ok) return void (message.textContent = done ? t("token_refused") : t("offline"));
    list.prepend(row(done.data.token));
    name.value = "";
    // The secret, this once: the server keeps only its hash.
    secret.replaceChildren(el("p", { role: "status" }, t("token_secret_once")),
      el("code", { id: "token-secret" }, done.data.secret));
  });
  return el("section", { "aria-labelledby": "tokens-title" },
    el("h2", { id: "tokens-title" }, t("tokens_title")),
    el("p", { className: "help" }, t("tokens_help")),
    list, form, secret, message);
}
