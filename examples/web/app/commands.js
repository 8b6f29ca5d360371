// The case page's actions: a control for every command the server says the user may run on
// this case now (`available_commands` of GET /cases/{id}: the core's workflow::available, on the
// checks the workflow runs), with the values each parameter may take. Commands without
// arguments are buttons; the others are small forms whose fields are the core's Command shapes
// (`{"command": "request_transfer", "to_office": …}`, siproc-core/src/workflow/mod.rs). Every
// label is the core's (label()); the server still decides. `record_form` is not offered here: a
// form is recorded by downloading its PDF (the forms list below the actions), and `add_note` is
// the case page's note box.
import { label, localToday, t } from "./i18n.js";
import { el } from "/form.js";

/** Commands offered as one button each (no argument). */
const BUTTONS = ["approve_closure", "accept_transfer", "reject_transfer", "archive"];
/** The referral commands: one button per referral they may act on. */
const REFERRAL = ["accept_referral", "reject_referral", "complete_referral"];


/** The value at JSON Pointer `path` of `value`. */
const at = (value, path) => path.slice(1).split("/").reduce((node, key) => node?.[key], value);

/** A labelled control: [label, control] for a form's grid. */
function field(id, caption, control) {
  control.id = id;
  return el("div", { className: "field" }, el("label", { htmlFor: id }, caption), control);
}

const select = (options, props = {}) => el("select", props, ...options.map(([value, text]) => el("option", { value }, text)));

/**
 * The controls for case `c` (as GET /cases/{id} answers it): buttons and forms for its
 * `available_commands`. `catalog` is siproc-wasm's catalog view; `run(command)` sends a command.
 */
export function controls(c, catalog, run) {
  const offered = new Map((c.available_commands ?? []).map((a) => [a.command, a]));
  /** The values parameter `name` of `command` may take now. */
  const choices = (command, name) => offered.get(command)?.params.find((p) => p.name === name)?.choices ?? [];
  const buttons = el("div", { className: "commands", id: "commands" });
  const forms = el("div", { className: "command-forms", id: "command-forms" });

  for (const to of choices("change_status", "to")) {
    buttons.append(el("button", { type: "button", className: "command", onclick: () => run({ command: "change_status", to }), "data-command": `to-${to}` },
      t("to_status", { status: label("status", to) })));
  }
  for (const command of BUTTONS.filter((b) => offered.has(b))) {
    buttons.append(el("button", { type: "button", className: "command", onclick: () => run({ command }), "data-command": command }, label("command", command)));
  }
  for (const command of REFERRAL) {
    for (const id of choices(command, "referral_id")) {
      const referral = c.referrals.find((r) => r.id === id);
      const partner = label("partner", referral?.partner);
      buttons.append(el("button", { type: "button", className: "command", "data-command": command, "data-referral": id,
        onclick: () => run({ command, referral_id: id }) }, t("by_partner", { command: label("command", command), partner })));
    }
  }

  /** A collapsible form for `command`: its fields, and `build()` making the command's body. */
  const form = (command, fields, build) => {
    if (!offered.has(command)) return;
    const body = el("form", { className: "command-form", "data-command": command }, ...fields,
      el("button", { type: "submit" }, label("command", command)));
    body.addEventListener("submit", (event) => {
      event.preventDefault();
      const built = build();
      if (built) run({ command, ...built });
    });
    forms.append(el("details", { "data-command": command }, el("summary", {}, label("command", command)), body));
  };
  const id = (command, name) => `${command}-${name}`;
  const text = (props = {}) => el("input", { type: "text", autocomplete: "off", maxLength: 2000, ...props });
  const optional = (value) => (value.trim() ? value.trim() : undefined);

  const office = select(choices("request_transfer", "to_office").map((o) => [o, label("office", o)]));
  form("request_transfer", [field(id("request_transfer", "to_office"), t("arg.to_office"), office)],
    () => ({ to_office: office.value }));

  const partner = select(choices("refer", "partner").map((p) => [p, label("partner", p)]));
  const reason = text();
  form("refer", [field(id("refer", "partner"), t("arg.partner"), partner), field(id("refer", "reason"), t("arg.reason"), reason)],
    () => ({ partner: partner.value, reason: optional(reason.value) }));

  const kind = select(choices("record_service", "kind").map((s) => [s, label("service", s)]));
  const givenOn = el("input", { type: "date", value: localToday(c.office), required: true });
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

  const person = (i) => c.persons?.[i];
  const givenBy = select(choices("record_consent", "consent/given_by").map((i) =>
    [String(i), `${person(i)?.given_names ?? ""} ${person(i)?.surnames ?? ""}`.trim() || `#${i + 1}`]));
  const recordedOn = el("input", { type: "date", value: localToday(c.office), required: true });
  const given = el("input", { type: "checkbox", checked: true });
  const scopes = choices("record_consent", "consent/scope").map((s) =>
    el("label", {}, el("input", { type: "checkbox", value: s, checked: s === "processing" }), ` ${label("consent_scope", s)}`));
  form("record_consent", [field(id("record_consent", "given"), t("arg.given"), given),
    field(id("record_consent", "given_by"), t("arg.given_by"), givenBy),
    field(id("record_consent", "recorded_on"), t("arg.recorded_on"), recordedOn),
    el("fieldset", { className: "choices" }, el("legend", {}, t("arg.scope")), ...scopes)],
  () => ({ consent: { given: given.checked, given_by: Number(givenBy.value), recorded_on: recordedOn.value,
    scope: scopes.map((l) => l.querySelector("input")).filter((i) => i.checked).map((i) => i.value) } }));
  form("withdraw_consent", [el("p", { className: "help" }, t("withdraw_help"))], () => ({ scope: [] }));

  // Corrections (issue 33): the national's common fields, the case's and the category's facts,
  // each with the intake form's label and its typed control (a date picker, a number, the
  // choices by their labels, a box per option of a list), filled in with the current value.
  const category = catalog.categories.find((x) => x.code === c.category);
  const common = (pattern, path) => {
    const f = catalog.fields.find((x) => x.path === pattern);
    return f && { ...f, path };
  };
  const correctable = [
    ...["given_names", "surnames", "birth_date", "sex", "nationality"].map((k) => common(`/persons/*/${k}`, `/persons/0/${k}`)),
    common("/opened_on", "/opened_on"),
    common("/flags", "/flags"),
    ...(category?.facts ?? []),
  ].filter((f) => f?.label);
  const path = select(correctable.map((f) => [f.path, f.label]));
  const slot = el("div", { className: "field" });
  let read = () => null;
  const input = () => {
    const f = correctable.find((x) => x.path === path.value);
    const now = at(c, f.path);
    let control;
    if (f.type === "choice" && f.multiple) {
      const boxes = f.choices.map((x) => el("input", { type: "checkbox", value: x.code, checked: (now ?? []).includes(x.code) }));
      control = el("fieldset", { className: "choices" }, el("legend", {}, t("arg.value")),
        ...boxes.map((b, i) => el("label", {}, b, ` ${f.choices[i].label}`)));
      read = () => boxes.filter((b) => b.checked).map((b) => b.value);
      slot.replaceChildren(control);
      control.id = "correct-value";
      return;
    }
    if (f.type === "choice") {
      control = select([["", "—"], ...f.choices.map((x) => [x.code, x.label])]);
      control.value = now ?? "";
      read = () => control.value || null;
    } else if (f.type === "boolean") {
      control = el("input", { type: "checkbox", checked: now === true });
      read = () => control.checked;
    } else {
      const type = { date: "date", count: "number" }[f.type] ?? "text";
      control = el("input", { type, value: now ?? "", autocomplete: "off" });
      if (f.type === "count") control.min = "0";
      if (f.max_chars) control.maxLength = f.max_chars;
      if (f.type === "country") control.placeholder = t("form.country");
      read = () => (control.value === "" ? null : f.type === "count" ? Number(control.value) : control.value);
    }
    control.id = "correct-value";
    control.dataset.type = f.type;
    slot.replaceChildren(el("label", { htmlFor: "correct-value" }, t("arg.value")), control);
  };
  if (correctable.length) {
    path.addEventListener("change", input);
    input();
    form("correct", [field("correct-path", t("arg.path"), path), slot], () => ({ path: path.value, value: read() }));
  }

  return { buttons, forms, any: buttons.children.length + forms.children.length > 0 };
}
