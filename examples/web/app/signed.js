// The signed forms page (`#/signed`): a pile of scanned or photographed signed forms, dropped on
// the page or chosen, each sent on its own to POST /forms/signed-copies. The server reads the QR
// code printed on the form, finds the case and the printing of the form it names, and files the
// scan as that form's signed copy; each file's row says the case and the form it went to (a link
// to the case), or why it was refused, in words. Files go one after the other, so a pile of
// fifty does not hold fifty uploads open at once; the file's name stays in this page (it may
// carry personal data): it is never sent.
import { api } from "./api.js";
import { label, refusal, t } from "./i18n.js";
import { el } from "/form.js";

/** The media types the server takes (the attachments' allow-list). */
const ACCEPT = "application/pdf,image/jpeg,image/png,image/webp";

/** One file's row: its name, then what became of it. */
function row(file) {
  const state = el("span", { className: "state" }, t("signed_sending"));
  const li = el("li", { "data-state": "sending" }, el("strong", {}, file.name || t("signed_unnamed")), " — ", state);
  return { li, state };
}

/** Sends `file`; fills its row with the answer. */
async function send(file, { li, state }) {
  const answer = await api("/forms/signed-copies", { method: "POST", body: file }).catch(() => null);
  if (!answer) {
    li.dataset.state = "refused";
    return state.replaceChildren(el("span", { className: "errors" }, t("offline_page")));
  }
  if (answer.ok) {
    const d = answer.data;
    li.dataset.state = "filed";
    li.dataset.case = d.case_id;
    li.dataset.code = d.code;
    return state.replaceChildren(el("span", { className: "ok", role: "status" },
      `✔ ${t(d.added ? "signed_filed" : "signed_already", { form: label("form", d.form) })} `,
      el("a", { href: `#/case/${d.case_id}` }, t("signed_case", { number: d.case_number }))));
  }
  const code = answer.data?.code ?? String(answer.status);
  li.dataset.state = "refused";
  li.dataset.code = code;
  state.replaceChildren(el("span", { className: "errors" }, `✘ ${refusal(answer)}`));
}

/** Draws the page into `view`. */
export function show(view) {
  const list = el("ol", { id: "filed", className: "filed", "aria-live": "polite" });
  const summary = el("p", { id: "filed-summary", role: "status" });
  let queue = Promise.resolve();
  const counts = { filed: 0, refused: 0 };
  const take = (files) => {
    for (const file of files) {
      const r = row(file);
      list.append(r.li);
      queue = queue.then(() => send(file, r)).then(() => {
        counts[r.li.dataset.state === "filed" ? "filed" : "refused"] += 1;
        summary.textContent = t("signed_summary", counts);
      });
    }
  };
  const input = el("input", { type: "file", id: "signed-files", multiple: true, accept: ACCEPT });
  input.addEventListener("change", () => { take([...input.files]); input.value = ""; });
  const zone = el("div", { className: "dropzone", id: "dropzone" },
    el("p", {}, t("signed_drop")),
    el("label", { htmlFor: "signed-files" }, t("signed_choose")), " ", input);
  zone.addEventListener("dragover", (event) => { event.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    take([...(event.dataTransfer?.files ?? [])]);
  });
  view.replaceChildren(el("h1", {}, t("signed_title")), el("p", {}, t("signed_help")), zone, summary, list);
}
