// A person's own credentials (issue 28, ASVS 2.1.5–2.1.12, 2.2.3, 3.7.1): the account page's
// security section, where the person first confirms it is them (password and code, or a passkey:
// `POST /session/reauth`, good for five minutes) and then changes their password, their second
// factor (a new QR code, confirmed by a code of the new secret) or their recovery codes (shown
// once); their recent security events; and the password field the enrolment and change forms
// share, with a "show password" toggle and a strength meter.
//
// The meter shows the core's verdict (`POST /password/check`: length, the shipped list of common
// passwords, not the login; and an estimated strength), never a second rule kept here: what it
// says is what the server will answer.
import { api } from "./api.js";
import { t, when } from "./i18n.js";
import { el } from "/form.js";
import { passkeyAssertion, passkeysSupported } from "./passkey.js";

/** Milliseconds of typing pause before a password is checked. */
const PAUSE = 300;

/**
 * A new-password field (`id`) for the user `login` (a function: the login may be known later):
 * the input, a "show password" toggle and the strength meter. Answers `{ input, parts }`.
 */
export function passwordField(id, login) {
  const input = el("input", { id, name: id, type: "password", autocomplete: "new-password", required: true,
    minLength: 12, maxLength: 128, "aria-describedby": `${id}-strength` });
  const show = el("button", { type: "button", className: "secondary", id: `${id}-show`, "aria-pressed": "false",
    "aria-controls": id }, t("password_show"));
  show.onclick = () => {
    const shown = input.type === "password";
    input.type = shown ? "text" : "password";
    show.setAttribute("aria-pressed", String(shown));
  };
  const meter = el("meter", { id: `${id}-meter`, min: 0, max: 4, low: 2, high: 3, optimum: 4, value: 0,
    "aria-label": t("strength_label") });
  const verdict = el("span", { id: `${id}-strength`, "aria-live": "polite" });
  let timer = 0;
  let asked = 0;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(async () => {
      const mine = ++asked;
      if (!input.value) return void (verdict.textContent = "", meter.value = 0);
      const answer = await api("/password/check", { method: "POST", token: null,
        body: { password: input.value, login: login() } }).catch(() => null);
      if (mine !== asked || !answer?.ok) return;
      const { accepted, code, strength } = answer.data;
      meter.value = strength;
      verdict.textContent = accepted ? t(`strength_${strength}`) : t(`err_${code.replace(".", "_")}`);
      verdict.dataset.accepted = String(accepted);
    }, PAUSE);
  });
  const parts = [input, show, el("p", { className: "help strength" }, meter, " ", verdict)];
  return { input, parts };
}

/** The message of a refused change (`answer`: the API's, or null when offline). */
function reason(answer) {
  if (!answer) return t("offline");
  if (answer.status === 429) return t("signin_wait", { n: Number(answer.headers.get("retry-after") ?? "1") });
  const code = answer.data?.code;
  return code ? t(`err_${code.replace(".", "_")}`) : t("offline");
}

/** The recovery codes `codes` as the page shows them (once). */
const codeList = (id, codes) => el("ol", { id }, ...codes.map((c) => el("li", {}, el("code", {}, c))));

/**
 * The security section of the account page for the signed-in `me`: confirm it is you, then
 * change the password, the second factor or the recovery codes.
 */
export function credentialsSection(me) {
  const message = el("p", { id: "credentials-message", role: "status" });
  const say = (text) => { message.textContent = text; };
  const actions = el("div", { id: "credential-actions", hidden: true });
  const confirm = reauthForm(() => {
    confirm.hidden = true;
    actions.hidden = false;
    say(t("reauth_done"));
  }, say);
  // A change refused for want of a recent confirmation: ask again.
  const refused = (answer) => {
    if (answer?.data?.code === "accounts.reauth_required") {
      actions.hidden = true;
      confirm.hidden = false;
      return say(t("reauth_needed"));
    }
    say(t("change_refused", { reason: reason(answer) }));
  };
  actions.append(passwordChange(me, say, refused), secondFactorChange(say, refused), recoveryRenewal(say, refused));
  return el("section", { id: "security", "aria-labelledby": "security-title" },
    el("h2", { id: "security-title" }, t("security_title")),
    el("p", { className: "help" }, t("security_help")), confirm, actions, message);
}

/** The form that confirms it is you: password and code, or a passkey; `done()` once confirmed. */
function reauthForm(done, say) {
  const password = el("input", { id: "reauth-password", name: "reauth-password", type: "password", autocomplete: "current-password", required: true });
  const code = el("input", { id: "reauth-code", name: "reauth-code", type: "text", autocomplete: "one-time-code", required: true, "aria-describedby": "reauth-code-help" });
  const button = el("button", { type: "submit" }, t("reauth_button"));
  const passkey = el("button", { type: "button", id: "reauth-passkey", className: "secondary" }, t("reauth_passkey"));
  passkey.hidden = !passkeysSupported();
  const send = async (body) => {
    const answer = await api("/session/reauth", { method: "POST", body }).catch(() => null);
    password.value = "";
    code.value = "";
    if (answer?.ok) return done();
    say(answer?.status === 403 && answer.data?.code === "auth.reauth_failed" ? t("reauth_refused") : reason(answer));
  };
  const form = el("form", { id: "reauth", className: "card" },
    el("label", { htmlFor: "reauth-password" }, t("password")), password,
    el("label", { htmlFor: "reauth-code" }, t("code")), code,
    el("p", { className: "help", id: "reauth-code-help" }, t("code_help")),
    button, " ", passkey);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const typed = code.value.trim();
    const factor = /^\d{3}\s?\d{3}$/.test(typed) ? { code: typed } : { recovery_code: typed };
    button.disabled = true;
    await send({ password: password.value, ...factor });
    button.disabled = false;
  });
  passkey.onclick = async () => {
    passkey.disabled = true;
    const proof = await passkeyAssertion();
    passkey.disabled = false;
    if (proof.message) return say(proof.message);
    await send(proof.body);
  };
  return form;
}

/** The change-password form. */
function passwordChange(me, say, refused) {
  const { input, parts } = passwordField("change-password", () => me.user_id);
  const again = el("input", { id: "change-password-again", name: "change-password-again", type: "password", autocomplete: "new-password", required: true, minLength: 12, maxLength: 128 });
  const button = el("button", { type: "submit" }, t("password_change_button"));
  const form = el("form", { id: "password-change", className: "card" },
    el("h3", {}, t("password_change_title")),
    el("label", { htmlFor: "change-password" }, t("password_new")), ...parts,
    el("label", { htmlFor: "change-password-again" }, t("enrol_password_again")), again, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (input.value !== again.value) return say(t("enrol_mismatch"));
    button.disabled = true;
    const answer = await api("/account/password", { method: "PUT", body: { password: input.value } }).catch(() => null);
    button.disabled = false;
    if (!answer?.ok) return refused(answer);
    input.value = "";
    again.value = "";
    say(t("password_changed"));
  });
  return form;
}

/** A new second factor: the offer's QR code and key, then a code of the new secret confirms it. */
function secondFactorChange(say, refused) {
  const start = el("button", { type: "button", id: "second-factor-new" }, t("second_factor_button"));
  const slot = el("div", { id: "second-factor-offer" });
  start.onclick = async () => {
    start.disabled = true;
    const offer = await api("/account/second-factor/offer", { method: "POST" }).catch(() => null);
    start.disabled = false;
    if (!offer?.ok) return refused(offer);
    const code = el("input", { id: "second-factor-code", name: "second-factor-code", type: "text", autocomplete: "one-time-code", inputMode: "numeric", required: true });
    const confirm = el("button", { type: "submit" }, t("second_factor_confirm"));
    const form = el("form", { id: "second-factor-confirm" },
      el("label", { htmlFor: "second-factor-code" }, t("code")), code, confirm);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      confirm.disabled = true;
      const done = await api("/account/second-factor", { method: "PUT", body: { offer: offer.data.offer, code: code.value.trim() } }).catch(() => null);
      confirm.disabled = false;
      if (!done?.ok) return refused(done);
      slot.replaceChildren();
      say(t("second_factor_changed"));
    });
    slot.replaceChildren(
      el("p", {}, t("second_factor_step")),
      el("img", { id: "second-factor-qr", alt: t("enrol_qr_alt"), width: 200, height: 200,
        src: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(offer.data.otpauth_qr_svg)}` }),
      el("p", {}, `${t("enrol_secret")}: `, el("code", { id: "second-factor-secret" }, offer.data.totp_secret)),
      form);
    code.focus();
  };
  return el("section", { className: "card", "aria-labelledby": "second-factor-title" },
    el("h3", { id: "second-factor-title" }, t("second_factor_title")),
    el("p", { className: "help" }, t("second_factor_help")), start, slot);
}

/** Ten new recovery codes, shown once. */
function recoveryRenewal(say, refused) {
  const start = el("button", { type: "button", id: "recovery-new" }, t("recovery_button"));
  const slot = el("div", { id: "recovery-new-codes" });
  start.onclick = async () => {
    start.disabled = true;
    const answer = await api("/account/recovery-codes", { method: "POST" }).catch(() => null);
    start.disabled = false;
    if (!answer?.ok) return refused(answer);
    slot.replaceChildren(el("p", { role: "status" }, t("recovery_done")), codeList("new-recovery-codes", answer.data.recovery_codes));
    say("");
  };
  return el("section", { className: "card", "aria-labelledby": "recovery-title" },
    el("h3", { id: "recovery-title" }, t("recovery_title")),
    el("p", { className: "help" }, t("recovery_help")), start, slot);
}

/** The person's recent security events (`GET /account/activity`), newest first. */
export async function activitySection() {
  const answer = await api("/account/activity").catch(() => null);
  const row = (e) => {
    const how = e.event.method ? ` (${t(`session_method_${e.event.method}`)})` : "";
    return el("li", { "data-kind": e.event.kind }, t("activity_row", { at: when(e.at), what: t(`activity_${e.event.kind}`) + how }));
  };
  const items = answer?.ok ? answer.data.items : [];
  return el("section", { "aria-labelledby": "activity-title" },
    el("h2", { id: "activity-title" }, t("activity_title")),
    el("p", { className: "help" }, t("activity_help")),
    items.length ? el("ul", { id: "activity" }, ...items.map(row)) : el("p", { id: "activity" }, t("activity_none")));
}
