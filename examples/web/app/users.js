// The users page for administrators (issue 28, `#/users`): the users the caller may see
// (`GET /api/v1/users`), a form that creates one and shows their single-use enrolment link once
// (`POST /users`, then `POST /users/{id}/enrolment`), and per user the changes the caller may
// make: disable and re-enable, change role and office (the directorate), a new enrolment link
// (a lost password or phone). Who manages whom is the core's rule (`accounts::may_manage`): the
// directorate everybody, a supervisor the officers of their own office, nobody themselves. The
// server enforces it; this page only leaves out what would be refused.
import { api, session } from "./api.js";
import { label, t, vocabulary } from "./i18n.js";
import { el } from "/form.js";

const ROLES = ["officer", "supervisor", "directorate", "auditor", "partner"];
const HAS_OFFICE = new Set(["officer", "supervisor"]);

/** Whether `me` may manage a user of `role` at `office` (the core's `may_manage`). */
const mayManage = (me, role, office) => me.role === "directorate"
  || (me.role === "supervisor" && role === "officer" && office === me.office);

/** The roles `me` may give, and the offices. */
const rolesFor = (me) => (me.role === "directorate" ? ROLES : ["officer"]);
const officesFor = (me) => (me.role === "directorate" ? Object.keys(vocabulary("office")).sort() : [me.office]);

/** A `<select>` of `values` (labelled by `text`), `current` chosen. */
function select(id, values, current, text, name) {
  const s = el("select", { id, name: id, "aria-label": name },
    ...values.map((v) => el("option", { value: v }, text(v))));
  s.value = current ?? values[0] ?? "";
  return s;
}

/** The message of a refused answer: the server's (in the user's language), else offline. */
const refusal = (answer) => (answer ? answer.data?.message ?? t("user_refused") : t("offline"));

/** Issues an enrolment link for `id` and shows it in `box`, once. */
async function showLink(id, box) {
  const issued = await api(`/users/${encodeURIComponent(id)}/enrolment`, { method: "POST" }).catch(() => null);
  if (!issued?.ok) return void box.replaceChildren(el("p", { role: "alert" }, refusal(issued)));
  box.replaceChildren(el("p", { role: "status" }, t("user_link_once", { login: id })),
    el("code", { id: "user-link" }, issued.data.link));
}

/** The users page. */
export async function show(slot) {
  const me = session.me;
  const title = el("h1", {}, t("users_title"));
  const listed = await api("/users");
  if (!listed.ok) {
    slot.replaceChildren(title, el("p", { className: "warning", role: "alert" }, refusal(listed)));
    return;
  }
  const message = el("p", { id: "users-message", role: "alert" });
  const linkBox = el("div", { id: "user-link-box" });
  const body = el("tbody");
  const row = (u) => {
    const tr = el("tr", { "data-id": u.id });
    const state = el("td", {}, t(`user_state_${u.state}`));
    const actions = el("td", {});
    tr.append(el("th", { scope: "row" }, u.id), el("td", {}, u.display_name),
      el("td", {}, label("role", u.role)), el("td", {}, u.office ? label("office", u.office) : "—"), state, actions);
    if (u.id === me.user_id || !mayManage(me, u.role, u.office)) return tr;
    const patch = async (change) => {
      message.textContent = "";
      const done = await api(`/users/${encodeURIComponent(u.id)}`, { method: "PATCH", body: change }).catch(() => null);
      if (!done?.ok) return void (message.textContent = refusal(done));
      const fresh = row(done.data);
      tr.replaceWith(fresh);
      fresh.querySelector("button")?.focus();
      message.textContent = t("user_saved", { login: u.id });
    };
    const toggle = el("button", { type: "button", className: u.state === "active" ? "danger" : "secondary",
      "aria-label": `${t(u.state === "active" ? "user_disable" : "user_enable")}: ${u.id}` },
    t(u.state === "active" ? "user_disable" : "user_enable"));
    toggle.onclick = () => patch({ state: u.state === "active" ? "disabled" : "active" });
    const link = el("button", { type: "button", className: "secondary", "aria-label": `${t("user_new_link")}: ${u.id}` }, t("user_new_link"));
    link.onclick = () => showLink(u.id, linkBox);
    actions.append(toggle, " ", link);
    if (me.role === "directorate") {
      const role = select(`role-${u.id}`, ROLES, u.role, (r) => label("role", r), `${t("user_role")}: ${u.id}`);
      const office = select(`office-${u.id}`, officesFor(me), u.office, (o) => label("office", o), `${t("user_office")}: ${u.id}`);
      office.disabled = !HAS_OFFICE.has(role.value);
      role.onchange = () => { office.disabled = !HAS_OFFICE.has(role.value); };
      const save = el("button", { type: "button", "aria-label": `${t("user_save")}: ${u.id}` }, t("user_save"));
      save.onclick = () => patch(HAS_OFFICE.has(role.value) ? { role: role.value, office: office.value } : { role: role.value });
      actions.append(" ", role, " ", office, " ", save);
    }
    return tr;
  };
  body.replaceChildren(...listed.data.map(row));
  const table = el("table", { id: "users" },
    el("caption", {}, t("users_list_title")),
    el("thead", {}, el("tr", {}, ...["login", "name", "role", "office", "state", "actions"]
      .map((c) => el("th", { scope: "col" }, t(`user_col_${c}`))))),
    body);
  const parts = [title];
  if (["directorate", "supervisor"].includes(me.role)) parts.push(createForm(me, (u) => body.prepend(row(u)), linkBox));
  parts.push(linkBox, message, table);
  slot.replaceChildren(...parts);
}

/** The form that creates a user (then shows their enrolment link); `added(user)` lists them. */
function createForm(me, added, linkBox) {
  const login = el("input", { id: "new-login", name: "new-login", type: "text", required: true, autocomplete: "off",
    autocapitalize: "none", spellcheck: false, pattern: "[a-z0-9][a-z0-9._\\-]{1,63}", "aria-describedby": "new-login-help" });
  const name = el("input", { id: "new-name", name: "new-name", type: "text", maxLength: 120, autocomplete: "off" });
  const role = select("new-role", rolesFor(me), "officer", (r) => label("role", r), t("user_role"));
  const office = select("new-office", officesFor(me), me.office, (o) => label("office", o), t("user_office"));
  role.onchange = () => { office.disabled = !HAS_OFFICE.has(role.value); };
  const message = el("p", { id: "new-user-message", role: "alert" });
  const button = el("button", { type: "submit" }, t("user_create"));
  const form = el("form", { id: "new-user", className: "card" },
    el("h2", {}, t("users_create_title")),
    el("label", { htmlFor: "new-login" }, t("user_login")), login,
    el("p", { className: "help", id: "new-login-help" }, t("user_login_help")),
    el("label", { htmlFor: "new-name" }, t("user_name")), name,
    el("label", { htmlFor: "new-role" }, t("user_role")), role,
    el("label", { htmlFor: "new-office" }, t("user_office")), office,
    button, message);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    message.textContent = "";
    linkBox.replaceChildren();
    const body = { login: login.value.trim(), role: role.value };
    if (name.value.trim()) body.display_name = name.value.trim();
    if (HAS_OFFICE.has(role.value)) body.office = office.value;
    button.disabled = true;
    const made = await api("/users", { method: "POST", body }).catch(() => null);
    button.disabled = false;
    if (!made?.ok) return void (message.textContent = refusal(made));
    added(made.data);
    login.value = "";
    name.value = "";
    await showLink(made.data.id, linkBox);
  });
  return form;
}
