// The intake form, built from catalog() and checked field by field with validateField(): shared
// by the example page (app.js) and the web application's intake page (app/intake.js). Every
// verdict and message comes from siproc-wasm (the same rules as the server); this module only
// lays out the form and reads it into a record in the wire format. Its own words are in
// app/i18n.js with the rest of the pages' text.
import { localToday, t } from "./app/i18n.js";

// Which common fields the form shows, in which section (paths as in catalog().fields).
const SECTIONS = [
  ["case", ["/office", "/category", "/opened_on", "/flags"]],
  ["person", [
    "/persons/*/given_names", "/persons/*/surnames", "/persons/*/birth_date", "/persons/*/sex",
    "/persons/*/nationality", "/persons/*/documents/*/kind", "/persons/*/documents/*/number",
    "/persons/*/contacts/*/value",
  ]],
  ["consent", ["/consent/given", "/consent/recorded_on", "/consent/scope"]],
];

/** `document.createElement` with properties and children. */
export const el = (tag, props = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key.includes("-")) node.setAttribute(key, value);
    else node[key] = value;
  }
  node.append(...children);
  return node;
};
const concrete = (path) => path.replaceAll("*", "0");

/** Puts `value` at JSON Pointer `path` in `record`, creating objects and lists on the way. */
function put(record, path, value) {
  const keys = path.slice(1).split("/");
  let node = record;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value;
    else node = node[key] ??= /^\d+$/.test(keys[i + 1]) ? [] : {};
  });
}

/**
 * Builds the intake form inside `form` (a <form>), before its `before` child if given.
 * `wasm` holds catalog() and validateField(); `locale` is "es" or "en". Returns
 * { rows, record(), show(path, issues), place(issues) → unplaced issues, changed(path) }.
 */
export function buildIntakeForm({ wasm, form, locale = "es", catalog = "hn", onChange = () => {} }) {
  const word = (key) => t(`form.${key}`, {}, locale);
  const options = { locale, catalog };
  const view = wasm.catalog(locale, catalog);
  // The consent's box carries no "*": a case may be registered before consent is recorded (the
  // core warns, consent.missing); once it is, its date is required.
  const overrides = { "/persons/*/contacts/*/value": { label: word("phone"), required: false }, "/consent/given": { required: false } };
  /** Concrete path (`/persons/0/birth_date`) → { field, control, row, message, read() }. */
  const rows = new Map();
  const touched = new Set();

  function addRow(parent, field) {
    const path = concrete(field.path);
    const id = "f" + path.replaceAll("/", "-");
    const message = el("span", { className: "message", id: id + "-message" });
    let control, read;
    if (field.type === "choice" && field.multiple) {
      const boxes = field.choices.map((c) => el("input", { type: "checkbox", value: c.code, name: id }));
      control = el("div", { className: "choices", id, role: "group" },
        ...boxes.map((b, i) => el("label", {}, b, " ", field.choices[i].label)));
      read = () => boxes.filter((b) => b.checked).map((b) => b.value);
    } else if (field.type === "choice") {
      control = el("select", { id }, el("option", { value: "" }, word("choose")),
        ...field.choices.map((c) => el("option", { value: c.code }, c.label)));
      read = () => control.value || undefined;
    } else if (field.type === "boolean") {
      control = el("input", { type: "checkbox", id });
      read = () => control.checked;
    } else {
      const type = { date: "date", count: "number" }[field.type] ?? "text";
      control = el("input", { type, id, autocomplete: "off" });
      if (field.max_chars) control.maxLength = field.max_chars;
      if (field.type === "country") control.placeholder = word("country");
      read = () => {
        if (control.value === "") return undefined;
        return field.type === "count" ? Number(control.value) : control.value;
      };
    }
    control.setAttribute("aria-describedby", message.id);
    const label = el("label", { htmlFor: id, id: id + "-label" }, field.label,
      field.required ? el("span", { className: "required" }, " *") : "");
    if (control.tagName === "DIV") control.setAttribute("aria-labelledby", label.id);
    const row = el("div", { className: "row" }, label, control, message);
    row.dataset.path = path;
    parent.append(row);
    rows.set(path, { field, control, row, message, read });
    control.addEventListener("input", () => changed(path));
    control.addEventListener("change", () => changed(path));
    return control;
  }

  for (const [title, paths] of SECTIONS) {
    const set = el("fieldset", {}, el("legend", {}, word(title)));
    if (title === "consent") set.append(el("p", { className: "help" }, word("consent_help")));
    for (const p of paths) {
      const field = view.fields.find((f) => f.path === p);
      if (field) addRow(set, { ...field, ...overrides[p] });
    }
    form.append(set);
  }
  const facts = el("fieldset", { id: "facts" }, el("legend", {}, word("facts")));
  form.append(facts, el("button", { type: "submit" }, word("submit")));

  // Sensible defaults: the request and the consent are usually recorded today; the national's
  // documents are Honduran.
  // Today is the office's local date (its time zone in the pack), not the UTC date; when the
  // office changes, the dates still at the former office's today follow.
  const dated = ["/opened_on", "/consent/recorded_on"].map((p) => rows.get(p).control);
  let today = localToday(rows.get("/office").read());
  for (const control of dated) control.value = today;
  rows.get("/office").control.addEventListener("change", () => {
    const now = localToday(rows.get("/office").read());
    for (const control of dated) if (control.value === today) control.value = now;
    today = now;
  });
  rows.get("/persons/0/documents/0/kind").control.value = view.fields
    .find((f) => f.path === "/persons/*/documents/*/kind").choices[0].code;

  function showFacts() {
    for (const path of [...rows.keys()].filter((p) => p.startsWith("/facts/"))) {
      rows.delete(path);
      touched.delete(path);
    }
    facts.querySelectorAll(".row").forEach((r) => r.remove());
    const category = view.categories.find((c) => c.code === rows.get("/category").read());
    facts.hidden = !category;
    if (category) category.facts.forEach((f) => addRow(facts, f));
  }
  rows.get("/category").control.addEventListener("change", showFacts);
  showFacts();

  /** The record the form holds, in the wire format. */
  function record() {
    const r = { persons: [{ role: "national" }], consent: { given_by: 0 } };
    for (const [path, { read }] of rows) {
      const value = read();
      if (value !== undefined) put(r, path, value);
    }
    // An unticked consent with no scope is consent not recorded yet (the core warns:
    // consent.missing), not consent refused.
    if (!r.consent.given && !r.consent.scope?.length) delete r.consent;
    const person = r.persons[0];
    if (person.documents && person.documents[0].number === undefined) delete person.documents;
    if (person.contacts) person.contacts[0].kind = "phone";
    return r;
  }

  function show(path, issues) {
    const target = rows.get(path);
    if (!target) return;
    target.message.replaceChildren(...issues.map((i, n) =>
      el("span", { className: i.severity === "warning" ? "warning" : "", title: i.code }, (n ? " " : "") + i.message)));
    target.message.className = issues.some((i) => i.severity === "warning") && !issues.some((i) => i.severity === "error")
      ? "message warning" : "message";
    target.message.dataset.codes = issues.map((i) => i.code).join(" ");
    const invalid = issues.some((i) => (i.severity ?? "error") === "error");
    target.row.classList.toggle("invalid", invalid);
    target.control.setAttribute("aria-invalid", String(invalid));
  }

  /** Checks every field the officer has touched (one field's value can change another's verdict). */
  function changed(path) {
    touched.add(path);
    const current = record();
    for (const p of touched) {
      const { field, read } = rows.get(p) ?? {};
      if (!field) continue;
      let value = read();
      // An empty optional select holds nothing to check; other empty fields are checked as "".
      if (value === undefined && field.type === "choice" && !field.required) {
        show(p, []);
        continue;
      }
      if (value === undefined) value = "";
      show(p, wasm.validateField(p, value, current, options).issues);
    }
    onChange();
  }

  /** Shows `issues` at their rows (or the nearest row above); returns those with no row. */
  function place(issues) {
    const byRow = new Map();
    const unplaced = [];
    for (const issue of issues) {
      let p = issue.path ?? "";
      while (p && !rows.has(p)) p = p.slice(0, p.lastIndexOf("/"));
      if (p) byRow.set(p, [...(byRow.get(p) ?? []), issue]);
      else unplaced.push(issue);
    }
    for (const p of rows.keys()) {
      touched.add(p);
      show(p, byRow.get(p) ?? []);
    }
    return unplaced;
  }

  /** Fills the form from `r` (a record as record() made it): the page drawn again keeps it. */
  function load(r) {
    const get = (path) => path.slice(1).split("/").reduce((n, k) => n?.[k], r);
    const fill = (path) => {
      const { field, control } = rows.get(path) ?? {};
      const value = get(path);
      if (!field || value === undefined) return;
      if (field.type === "choice" && field.multiple) control.querySelectorAll("input").forEach((b) => { b.checked = value.includes(b.value); });
      else if (field.type === "boolean") control.checked = Boolean(value);
      else control.value = String(value);
    };
    fill("/category");
    showFacts();
    for (const path of rows.keys()) if (path !== "/category") fill(path);
  }

  return { rows, view, options, record, show, place, changed, load };
}
