// The case page's actions: a control for every command of the workflow's table (GET /workflow,
// the core's RULES) that the user's role may run in the case's status. Commands without
// arguments are buttons; the others are small forms whose fields are the core's Command shapes
// (`{"command": "request_transfer", "to_office": …}`, siproc-core/src/workflow.rs). Choices
// (offices, partners, services, correctable fields) come from the catalog view of
// siproc-wasm; the server still decides. `record_form` is not offered here: a form is recorded
// by downloading its PDF (the forms list below the actions).
import { t } from "./i18n.js";
import { el } from "/form.js";

/** What the case must show for a command's control to appear (the server still decides). */
const WHEN = {
  approve_closure: (c) => c.closure_requested && !c.closure_approved,
  accept_transfer: (c) => c.transfer?.status === "pending",
  reject_transfer: (c) => c.transfer?.status === "pending",
  request_transfer: (c) => c.transfer?.status !== "pending",
  request_closure: (c) => !c.closure_requested,
  withdraw_consent: (c) => Boolean(c.consent?.given),
  accept_referral: (c) => c.referrals?.some((r) => r.status === "pending"),
  reject_referral: (c) => c.referrals?.some((r) => r.status === "pending"),
  complete_referral: (c) => c.referrals?.some((r) => r.status === "accepted"),
};
/** Commands offered as one button each (no argument). */
const BUTTONS = ["approve_closure", "accept_transfer", "reject_transfer", "archive"];
/** The referral commands: one button per referral in the status they act on. */
const REFERRAL = { accept_referral: "pending", reject_referral: "pending", complete_referral: "accepted" };
const SCOPES = ["processing", "share_with_partners", "share_with_authorities", "contact_family"];
const today = () => new Date().toISOString().slice(0, 10);

/** The value at JSON Pointer `path` of `value`. */
const at = (value, path) => path.slice(1).split("/").reduce((node, key) => node?.[key], value);

/** A labelled control: [label, control] for a form's grid. */
function field(id, label, control) {
  control.id = id;
  return el("div", { className: "field" }, el("label", { htmlFor: id }, label), control);
}

const select = (options, props = {}) => el("select", props, ...options.map(([value, text]) => el("option", { value }, text)));

/**
 * The controls for case `c`: buttons and forms for the commands of `rules` that `me` may run in
 * the case's status. `catalog` is siproc-wasm's catalog view; `run(command)` sends a command.
 */
export function controls(c, rules, me, catalog, run) {
  const mine = rules.filter((r) => r.from.includes(c.status) && r.roles.includes(me.role));
  const allowed = new Set(mine.map((r) => r.command).filter((command) => WHEN[command]?.(c) ?? true));
  const choices = (path) => catalog.fields.find((f) => f.path === path)?.choices ?? [];
  const buttons = el("div", { className: "commands", id: "commands" });
  const forms = el("div", { className: "command-forms", id: "command-forms" });

  for (const r of mine) {
    if (r.command === "change_status" && r.to) {
      buttons.append(el("button", { type: "button", className: "command", onclick: () => run({ command: "change_status", to: r.to }), "data-command": `to-${r.to}` },
        t("to_status", { status: t(`status.${r.to}`) })));
    }
  }
  for (const command of BUTTONS.filter((b) => allowed.has(b))) {
    buttons.append(el("button", { type: "button", className: "command", onclick: () => run({ command }), "data-command": command }, t(`command.${command}`)));
  }
  for (const [command, status] of Object.entries(REFERRAL).filter(([k]) => allowed.has(k))) {
    for (const referral of c.referrals.filter((x) => x.status === status)) {
      const partner = choices("/referrals/*/partner").find((p) => p.code === referral.partner)?.label ?? referral.partner;
      buttons.append(el("button", { type: "button", className: "command", "data-command": command, "data-referral": referral.id,
        onclick: () => run({ command, referral_id: referral.id }) }, t(`command.${command}`, { partner })));
    }
  }

  /** A collapsible form for `command`: its fields, and `build()` making the command's body. */
  const form = (command, fields, build) => {
    if (!allowed.has(command)) return;
    const body = el("form", { className: "command-form", "data-command": command }, ...fields,
      el("button", { type: "submit" }, t(`command.${command}`)));
    body.addEventListener("submit", (event) => {
      event.preventDefault();
      const built = build();
      if (built) run({ command, ...built });
    });
    forms.append(el("details", { "data-command": command }, el("summary", {}, t(`command.${command}`)), body));
  };
  const id = (command, name) => `${command}-${name}`;
  const text = (props = {}) => el("input", { type: "text", autocomplete: "off", maxLength: 2000, ...props });
  const optional = (value) => (value.trim() ? value.trim() : undefined);

  const offices = choices("/office").filter((o) => o.code !== c.office).map((o) => [o.code, o.label]);
  const office = select(offices);
  form("request_transfer", [field(id("request_transfer", "to_office"), t("arg.to_office"), office)],
    () => ({ to_office: office.value }));

  const partner = select(choices("/referrals/*/partner").map((p) => [p.code, p.label]));
  const reason = text();
  form("refer", [field(id("refer", "partner"), t("arg.partner"), partner), field(id("refer", "reason"), t("arg.reason"), reason)],
    () => ({ partner: partner.value, reason: optional(reason.value) }));

  const kind = select(choices("/services/*/kind").map((s) => [s.code, s.label]));
  const givenOn = el("input", { type: "date", value: today(), required: true });
  const description = text();
  form("record_service", [field(id("record_service", "kind"), t("arg.service"), kind),
    field(id("record_service", "given_on"), t("arg.given_on"), givenOn),
    field(id("record_service", "description"), t("arg.description"), description)],
  () => ({ kind: kind.value, given_on: givenOn.value, description: optional(description.value) }));

  const outcome = text({ required: true });
  form("request_closure", [field(id("request_closure", "outcome"), t("arg.outcome"), outcome)], () => ({ outcome: outcome.value.trim() }));
  const closing = text({ value: c.outcome ?? "" });
  form("close", [field(id("close", "outcome"), t("arg.outcome"), closing)], () => ({ outcome: optional(closing.value) }));
  const why = text();
  form("reopen", [field(id("reopen", "reason"), t("arg.reason"), why)], () => ({ reason: optional(why.value) }));

  const givenBy = select((c.persons ?? []).map((p, i) => [String(i), `${p.given_names ?? ""} ${p.surnames ?? ""}`.trim() || `#${i + 1}`]));
  const recordedOn = el("input", { type: "date", value: today(), required: true });
  const given = el("input", { type: "checkbox", checked: true });
  const scopes = SCOPES.map((s) => el("label", {}, el("input", { type: "checkbox", value: s, checked: s === "processing" }), ` ${t(`scope.${s}`)}`));
  form("record_consent", [field(id("record_consent", "given"), t("arg.given"), given),
    field(id("record_consent", "given_by"), t("arg.given_by"), givenBy),
    field(id("record_consent", "recorded_on"), t("arg.recorded_on"), recordedOn),
    el("fieldset", { className: "choices" }, el("legend", {}, t("arg.scope")), ...scopes)],
  () => ({ consent: { given: given.checked, given_by: Number(givenBy.value), recorded_on: recordedOn.value,
    scope: scopes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value) } }));
  form("withdraw_consent", [el("p", { className: "help" }, t("withdraw_help"))], () => ({ scope: [] }));

  // Corrections: the national's common fields and the category's facts, typed as the catalog says.
  const category = catalog.categories.find((x) => x.code === c.category);
  const correctable = [
    ...["given_names", "surnames", "birth_date", "sex", "nationality"].map((k) => {
      const f = catalog.fields.find((x) => x.path === `/persons/*/${k}`);
      return f && { ...f, path: `/persons/0/${k}` };
    }).filter(Boolean),
    { ...catalog.fields.find((x) => x.path === "/opened_on"), path: "/opened_on" },
    ...(category?.facts ?? []),
  ].filter((f) => f.label);
  const path = select(correctable.map((f) => [f.path, f.label]));
  const slot = el("div", { className: "field" });
  let read = () => null;
  const input = () => {
    const f = correctable.find((x) => x.path === path.value);
    const now = at(c, f.path);
    let control;
    if (f.kind === "choice") {
      control = select([["", "—"], ...f.choices.map((x) => [x.code, x.label])]);
      control.value = now ?? "";
      read = () => control.value || null;
    } else if (f.kind === "boolean") {
      control = el("input", { type: "checkbox", checked: now === true });
      read = () => control.checked;
    } else {
      control = el("input", { type: f.kind === "date" ? "date" : f.kind === "count" ? "number" : "text", value: now ?? "", autocomplete: "off" });
      if (f.kind === "count") control.min = "0";
      read = () => (control.value === "" ? null : f.kind === "count" ? Number(control.value) : control.value);
    }
    control.id = "correct-value";
    slot.replaceChildren(el("label", { htmlFor: "correct-value" }, t("arg.value")), control);
  };
  if (correctable.length) {
    path.addEventListener("change", input);
    input();
    form("correct", [field("correct-path", t("arg.path"), path), slot], () => ({ path: path.value, value: read() }));
  }

  return { buttons, forms, any: buttons.children.length + forms.children.length > 0 };
}
