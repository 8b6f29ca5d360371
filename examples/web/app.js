// The example intake page: it builds its form from catalog(), checks each field as the officer
// types with validateField(), and validates the whole record with validate() on submit. Every
// verdict and message comes from siproc-wasm (the same rules as the server); this file only lays
// out the form and reads it into a record in the wire format.
import init, { catalog, intakeForms, validate, validateField } from "./pkg/siproc_wasm.js";

const LOCALE = "es";
const OPTIONS = { locale: LOCALE, catalog: "hn" };

// Which common fields the page shows, in which section (paths as in catalog().fields).
const SECTIONS = [
  ["Caso", ["/office", "/category", "/opened_on", "/flags"]],
  ["Persona connacional", [
    "/persons/*/given_names", "/persons/*/surnames", "/persons/*/birth_date", "/persons/*/sex",
    "/persons/*/nationality", "/persons/*/documents/*/kind", "/persons/*/documents/*/number",
    "/persons/*/contacts/*/value",
  ]],
  ["Consentimiento", ["/consent/given", "/consent/recorded_on", "/consent/scope"]],
];
// Fields the page words differently from the catalog: it offers one optional phone number.
const OVERRIDES = { "/persons/*/contacts/*/value": { label: "Teléfono", required: false } };

await init();
const view = catalog(LOCALE, "hn");
const form = document.getElementById("intake");
const result = document.getElementById("result");
/** Concrete path (`/persons/0/birth_date`) → { field, input(s), row, message, read() }. */
const rows = new Map();
const touched = new Set();

const el = (tag, props = {}, ...children) => {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
};
const concrete = (path) => path.replaceAll("*", "0");
const today = () => new Date().toISOString().slice(0, 10);

function addRow(parent, field) {
  const path = concrete(field.path);
  const id = "f" + path.replaceAll("/", "-");
  const message = el("span", { className: "message", id: id + "-message" });
  let control, read;
  if (field.type === "choice" && field.multiple) {
    const boxes = field.choices.map((c) => el("input", { type: "checkbox", value: c.code, name: id }));
    control = el("div", { className: "choices", id }, ...boxes.map((b, i) => el("label", {}, b, " ", field.choices[i].label)));
    read = () => boxes.filter((b) => b.checked).map((b) => b.value);
  } else if (field.type === "choice") {
    control = el("select", { id }, el("option", { value: "" }, "— Seleccione —"),
      ...field.choices.map((c) => el("option", { value: c.code }, c.label)));
    read = () => control.value || undefined;
  } else if (field.type === "boolean") {
    control = el("input", { type: "checkbox", id });
    read = () => control.checked;
  } else {
    const type = { date: "date", count: "number" }[field.type] ?? "text";
    control = el("input", { type, id, autocomplete: "off" });
    if (field.max_chars) control.maxLength = field.max_chars;
    if (field.type === "country") control.placeholder = "Código ISO, p. ej. HN";
    read = () => {
      if (control.value === "") return undefined;
      return field.type === "count" ? Number(control.value) : control.value;
    };
  }
  control.setAttribute("aria-describedby", message.id);
  const row = el("div", { className: "row" },
    el("label", { htmlFor: id }, field.label, field.required ? el("span", { className: "required" }, " *") : ""),
    control, message);
  row.dataset.path = path;
  parent.append(row);
  rows.set(path, { field, control, row, message, read });
  control.addEventListener("input", () => changed(path));
  control.addEventListener("change", () => changed(path));
  return control;
}

for (const [title, paths] of SECTIONS) {
  const set = el("fieldset", {}, el("legend", {}, title));
  for (const p of paths) {
    const field = view.fields.find((f) => f.path === p);
    if (field) addRow(set, { ...field, ...OVERRIDES[p] });
  }
  form.append(set);
}
const facts = el("fieldset", { id: "facts" }, el("legend", {}, "Datos de la categoría"));
form.append(facts, el("button", { type: "submit" }, "Registrar caso"));
document.getElementById("loading").remove();

// Sensible defaults: the request and the consent are usually recorded today; the national's
// documents are Honduran.
rows.get("/opened_on").control.value = today();
rows.get("/consent/recorded_on").control.value = today();
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

/** Puts `value` at JSON Pointer `path` in `record`, creating objects and lists on the way. */
function put(record, path, value) {
  const keys = path.slice(1).split("/");
  let node = record;
  keys.forEach((key, i) => {
    if (i === keys.length - 1) node[key] = value;
    else node = node[key] ??= /^\d+$/.test(keys[i + 1]) ? [] : {};
  });
}

/** The record the form holds, in the wire format. */
function record() {
  const r = { persons: [{ role: "national" }], consent: { given_by: 0 } };
  for (const [path, { read }] of rows) {
    const value = read();
    if (value !== undefined) put(r, path, value);
  }
  const person = r.persons[0];
  if (person.documents && person.documents[0].number === undefined) delete person.documents;
  if (person.contacts) person.contacts[0].kind = "phone";
  return r;
}

function show(path, issues) {
  const target = rows.get(path);
  if (!target) return;
  target.message.replaceChildren(...issues.map((i, n) =>
    el("span", { className: i.severity === "warning" ? "warning" : "" }, (n ? " " : "") + i.message)));
  target.message.className = issues.some((i) => i.severity === "warning") && !issues.some((i) => i.severity === "error")
    ? "message warning" : "message";
  target.row.classList.toggle("invalid", issues.some((i) => i.severity === "error"));
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
    const report = validateField(p, value, current, OPTIONS);
    show(p, report.issues);
  }
  result.replaceChildren();
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const current = record();
  const report = validate(current, OPTIONS);
  const byRow = new Map();
  const unplaced = [];
  for (const issue of report.issues) {
    // An issue belongs to the row at its path, or to the nearest row above it.
    let p = issue.path;
    while (p && !rows.has(p)) p = p.slice(0, p.lastIndexOf("/"));
    if (p) byRow.set(p, [...(byRow.get(p) ?? []), issue]);
    else unplaced.push(issue);
  }
  for (const p of rows.keys()) {
    touched.add(p);
    show(p, byRow.get(p) ?? []);
  }
  if (report.ok) {
    const forms = intakeForms(current, OPTIONS);
    result.replaceChildren(el("p", { className: "ok" }, "Registro válido. Formularios a imprimir:"),
      el("ul", {}, ...forms.map((f) => el("li", {}, f.title))));
  } else {
    const n = report.issues.filter((i) => i.severity === "error").length;
    result.replaceChildren(el("p", { className: "errors" }, `El registro tiene ${n} ${n === 1 ? "problema" : "problemas"}.`),
      el("ul", {}, ...unplaced.map((i) => el("li", {}, i.message))));
  }
});
form.dataset.ready = "true";
