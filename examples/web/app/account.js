// The person's own account (issue 28): the enrolment page a single-use link opens
// (`#/enrol/<link>`: the second factor's QR code, the password with its strength meter, the first
// code, then the recovery codes shown once) and the account page (`#/account`: passkeys, the
// password, second factor and recovery codes behind a re-authentication (credentials.js), open
// sessions, sign out everywhere, API tokens, recent security events). The
// link's secret stays in the address's fragment, which the browser never sends to a server; it
// goes to the API in a request body only, and leaves the address once used.
import { api, session } from "./api.js";
import { t, when } from "./i18n.js";
import { el } from "/form.js";
import { activitySection, credentialsSection, passwordField } from "./credentials.js";
import { passkeyList } from "./passkey.js";
import { tokenList } from "./tokens.js";

/** The enrolment page of the link `link`. */
export async function enrol(slot, link) {
  const title = el("h1", {}, t("enrol_title"));
  const answer = link ? await api("/enrolment/lookup", { method: "POST", token: null, body: { link } }) : null;
  if (!answer?.ok) {
    slot.replaceChildren(title, el("p", { className: "warning", id: "enrol-unknown", role: "alert" }, t("enrol_unknown")));
    return;
  }
  const offer = answer.data;
  const qr = el("img", { id: "enrol-qr", alt: t("enrol_qr_alt"), width: 200, height: 200,
    src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(offer.otpauth_qr_svg)}` });
  const field = (id, type, autocomplete, extra = {}) => el("input", { id, name: id, type, autocomplete, required: true, ...extra });
  const { input: password, parts: passwordParts } = passwordField("new-password", () => offer.login);
  const again = field("new-password-again", "password", "new-password", { minLength: 12, maxLength: 128 });
  const code = field("enrol-code", "text", "one-time-code", { inputMode: "numeric" });
  const message = el("p", { id: "enrol-message", role: "alert" });
  const button = el("button", { type: "submit" }, t("enrol_button"));
  const form = el("form", { id: "enrol", className: "card" },
    el("p", {}, t("enrol_step_password")),
    el("label", { htmlFor: "new-password" }, t("password")), ...passwordParts,
    el("label", { htmlFor: "new-password-again" }, t("enrol_password_again")), again,
    el("label", { htmlFor: "enrol-code" }, t("code")), code,
    button, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (password.value !== again.value) {
      message.textContent = t("enrol_mismatch");
      return;
    }
    button.disabled = true;
    const done = await api("/enrolment", { method: "POST", token: null, body: { link, password: password.value, code: code.value.trim() } }).catch(() => null);
    button.disabled = false;
    if (!done?.ok) {
      const reason = done?.data?.code ? t(`err_${done.data.code.replace(".", "_")}`) : t("offline");
      message.textContent = done?.status === 404 ? t("enrol_unknown") : t("enrol_refused", { reason });
      return;
    }
    // The link is used: it leaves the address (without a navigation, which would redraw).
    history.replaceState(null, "", "#/enrol");
    slot.replaceChildren(title,
      el("p", { id: "enrol-done", role: "status" }, t("enrol_done")),
      el("ol", { id: "recovery-codes" }, ...done.data.recovery_codes.map((c) => el("li", {}, el("code", {}, c)))),
      el("p", {}, el("a", { href: "#/signin", id: "enrol-signin" }, t("enrol_to_signin"))));
  });
  slot.replaceChildren(title,
    el("p", { id: "enrol-for" }, t("enrol_for", { name: offer.display_name, login: offer.login })),
    el("section", { className: "card", "aria-labelledby": "enrol-app" },
      el("p", { id: "enrol-app" }, t("enrol_step_app")), qr,
      el("p", {}, `${t("enrol_secret")}: `, el("code", { id: "enrol-secret" }, offer.totp_secret))),
    form);
}

/**
 * The account page: the passkeys (passkey.js), the password, second factor and recovery codes
 * (credentials.js), the open sessions and sign out everywhere, the API tokens (tokens.js), the
 * recent security events.
 */
export async function account(slot) {
  const [answer, passkeys, tokens, activity] = await Promise.all([api("/sessions"), passkeyList(), tokenList(), activitySection()]);
  const row = (s) => {
    const text = t("session_row", { created: when(s.created_at), method: t(`session_method_${s.method}`), seen: when(s.last_seen_at) });
    if (s.id === answer.data.current) return el("li", {}, text, el("strong", {}, ` (${t("session_this")})`));
    // Another browser's session: ended here, at once, wherever it is.
    const end = el("button", { type: "button", className: "secondary", "aria-label": `${t("session_end")}: ${text}` }, t("session_end"));
    const item = el("li", {}, text, " ", end);
    end.onclick = async () => {
      const done = await api(`/sessions/${encodeURIComponent(s.id)}`, { method: "DELETE" }).catch(() => null);
      if (done?.ok || done?.status === 404) item.remove();
    };
    return item;
  };
  const list = el("ul", { id: "sessions" }, ...(answer.ok ? answer.data.sessions : []).map(row));
  const everywhere = el("button", { type: "button", id: "signout-everywhere", className: "danger" }, t("signout_everywhere"));
  everywhere.onclick = async () => {
    const done = await api("/sessions", { method: "DELETE" }).catch(() => null);
    if (!done?.ok && done?.status !== 401) return;
    session.clear();
    location.hash = "#/signin";
  };
  slot.replaceChildren(el("h1", {}, t("account_title")), passkeys, credentialsSection(session.me),
    el("h2", {}, t("sessions_title")), list,
    el("p", { className: "help", id: "signout-everywhere-help" }, t("signout_everywhere_help")), everywhere, tokens, activity);
  everywhere.setAttribute("aria-describedby", "signout-everywhere-help");
}
