// The example intake page: the form from form.js, validated as the officer types; on submit the
// whole record is checked with validate() and the forms to print are listed. Every verdict and
// message comes from siproc-wasm (the same rules as the server).
import init, * as wasm from "./pkg/siproc_wasm.js";
import { buildIntakeForm, el } from "./form.js";
import { t } from "./app/i18n.js";

await init();
const form = document.getElementById("intake");
const result = document.getElementById("result");
const intake = buildIntakeForm({ wasm, form, locale: "es", onChange: () => result.replaceChildren() });
document.getElementById("loading").remove();

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const current = intake.record();
  const report = wasm.validate(current, intake.options);
  const unplaced = intake.place(report.issues);
  if (report.ok) {
    const forms = wasm.intakeForms(current, intake.options);
    result.replaceChildren(el("p", { className: "ok" }, t("example.valid", {}, "es")),
      el("ul", {}, ...forms.map((f) => el("li", {}, f.title))));
  } else {
    const n = report.issues.filter((i) => i.severity === "error").length;
    result.replaceChildren(el("p", { className: "errors" }, t("example.problems", { n }, "es")),
      el("ul", {}, ...unplaced.map((i) => el("li", {}, i.message))));
  }
});
form.dataset.ready = "true";
