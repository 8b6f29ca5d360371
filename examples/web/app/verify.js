// "Verify a paper form", without signing in: the code printed on the form is sent to
// POST /form-checks, which answers whether a form with that code was generated — which form,
// case number, office and when — and never a person's data.
import { api } from "./api.js";
import { locale, t, when } from "./i18n.js";
import { el } from "/form.js";

export async function show(view) {
  const input = el("input", { id: "code", type: "text", autocomplete: "off", spellcheck: false,
    placeholder: "XXXX-XXXX-XXXX", inputMode: "text", "aria-describedby": "code-help" });
  const result = el("section", { id: "verdict", "aria-live": "polite" });
  const form = el("form", { id: "verify", className: "card" },
    el("label", { htmlFor: "code" }, t("code")), input,
    el("p", { className: "help", id: "code-help" }, t("verify_help")),
    el("button", { type: "submit" }, t("verify_button")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const answer = await api("/form-checks", { method: "POST", body: { code: input.value }, token: null }).catch(() => null);
    if (!answer) return result.replaceChildren(el("p", { className: "errors" }, t("offline_page")));
    result.dataset.status = String(answer.status);
    if (answer.status === 429) return result.replaceChildren(el("p", { className: "errors", role: "alert" }, t("too_many")));
    if (answer.status === 422) return result.replaceChildren(el("p", { className: "errors", role: "alert" }, t("bad_code")));
    if (!answer.ok) return result.replaceChildren(el("p", { className: "errors", role: "alert" }, t("error", { status: answer.status, message: answer.data?.message ?? "" })));
    const { genuine, code, forms } = answer.data;
    result.dataset.genuine = String(genuine);
    result.replaceChildren(genuine
      ? el("div", { className: "verdict ok" }, el("p", { className: "ok" }, `✔ ${t("genuine")} · ${code}`),
        el("ul", {}, ...forms.map((f) => el("li", {}, t("form_line", {
          title: locale === "en" ? f.title_en : f.title_es, number: f.case_number, office: f.office_name, at: when(f.generated_at),
        })))))
      : el("div", { className: "verdict bad" }, el("p", { className: "errors", role: "alert" }, `✘ ${t("not_genuine")}`)));
  });
  view.replaceChildren(el("h1", {}, t("verify_title")), form, result);
}
