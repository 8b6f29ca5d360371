// The case page: the case, its history as a timeline (who, when, what), the commands the user
// may run here (from the workflow table, GET /workflow; sent with If-Match; a 409 says the case
// changed and reloads it), the forms as PDF downloads and the chain's verification result.
import * as wasm from "/pkg/siproc_wasm.js";
import { api, session } from "./api.js";
import { locale, t, when } from "./i18n.js";
import { el } from "/form.js";

let rules = null;
/** A sealed value as text: the server sends it only to those who may see the case. */
const plain = (v) => (typeof v === "string" ? v : typeof v?.value === "string" ? v.value : "");
// Commands the page can offer with a button and, at most, a note; others need their own forms.
// Each with what the case must show for the button to appear (the server still decides).
const SIMPLE = {
  approve_closure: (c) => c.closure_requested && !c.closure_approved,
  accept_transfer: (c) => c.transfer?.status === "pending",
  reject_transfer: (c) => c.transfer?.status === "pending",
  reopen: () => true,
  archive: () => true,
};

export async function show(view, id) {
  rules ??= (await api("/workflow")).data ?? [];
  const me = session.me;
  const catalog = wasm.catalog(locale, "hn");
  const categories = new Map((catalog.fields.find((f) => f.path === "/category")?.choices ?? []).map((c) => [c.code, c.label]));
  const notice = el("div", { id: "notice", "aria-live": "assertive" });

  async function load() {
    const [caseA, historyA, verifyA, formsA] = await Promise.all([
      api(`/cases/${id}`), api(`/cases/${id}/history?limit=1000`), api(`/cases/${id}/verify`), api(`/cases/${id}/forms`),
    ]);
    if (!caseA.ok) {
      view.replaceChildren(el("p", { className: "errors", role: "alert" }, t("error", { status: caseA.status, message: caseA.data?.message ?? "" })));
      return;
    }
    const c = caseA.data;
    const version = caseA.headers.get("etag") ?? `"${c.version}"`;
    const person = (p) => `${p.given_names ?? ""} ${p.surnames ?? ""}`.trim();
    const facts = el("dl", { className: "facts" },
      ...[[t("col_office"), c.office], [t("col_category"), categories.get(c.category) ?? c.category],
        [t("col_status"), t(`status.${c.status}`)], [t("col_updated"), when(c.updated_at)],
        [t("persons"), (c.persons ?? []).map(person).join(", ")]]
        .flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]));
    facts.querySelectorAll("dd")[2].id = "status";

    const chain = verifyA.data?.ok
      ? el("p", { className: "ok", id: "chain" }, `✔ ${t("chain_ok", { n: verifyA.data.version })}`)
      : el("p", { className: "errors", id: "chain", role: "alert" }, `✘ ${t("chain_bad", { code: verifyA.data?.code, seq: verifyA.data?.seq })}`);

    const buttons = el("div", { className: "commands", id: "commands" });
    const mine = rules.filter((r) => r.from.includes(c.status) && r.roles.includes(me.role));
    for (const r of mine) {
      if (r.command === "change_status" && r.to) {
        buttons.append(el("button", { type: "button", className: "command", onclick: () => run({ command: "change_status", to: r.to }), "data-command": `to-${r.to}` },
          t("to_status", { status: t(`status.${r.to}`) })));
      } else if (SIMPLE[r.command]?.(c)) {
        buttons.append(el("button", { type: "button", className: "command", onclick: () => run({ command: r.command }), "data-command": r.command },
          t(`command.${r.command}`)));
      }
    }
    const noteRule = mine.find((r) => r.command === "add_note");
    let noteForm = "";
    if (noteRule) {
      const text = el("textarea", { id: "note", rows: 2, maxLength: 4000 });
      noteForm = el("form", { id: "note-form", className: "note" }, el("label", { htmlFor: "note" }, t("note_text")), text,
        el("button", { type: "submit" }, t("add_note")));
      noteForm.addEventListener("submit", (event) => {
        event.preventDefault();
        if (text.value.trim()) run({ command: "add_note", text: text.value.trim() });
      });
    }
    if (!buttons.children.length && !noteRule) buttons.append(el("p", { className: "help" }, t("no_commands")));

    async function run(command) {
      const answer = await api(`/cases/${id}/commands`, { method: "POST", body: command, headers: { "if-match": version } });
      if (answer.status === 409) {
        await load();
        notice.replaceChildren(el("p", { className: "warning", role: "alert", id: "conflict" }, t("conflict", { current: answer.data?.current })));
      } else if (!answer.ok) {
        notice.replaceChildren(el("p", { className: "errors", role: "alert" }, t("refused", { message: answer.data?.message ?? "", code: answer.data?.code ?? answer.status })));
      } else {
        await load();
        notice.replaceChildren(el("p", { className: "ok", role: "status" }, t("done")));
      }
    }

    const forms = el("ul", { id: "forms" }, ...(formsA.data?.items ?? []).map((f) => {
      const button = el("button", { type: "button", className: "small", "data-form": f.form }, t("download"));
      button.addEventListener("click", async () => {
        const answer = await api(`/cases/${id}/forms/${f.form}.pdf`, { raw: true });
        if (!answer.ok) return notice.replaceChildren(el("p", { className: "errors", role: "alert" }, t("error", { status: answer.status, message: "" })));
        const url = URL.createObjectURL(await answer.response.blob());
        const a = el("a", { href: url, download: `${c.number}-${f.form}.pdf` });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 10_000);
        await load();
      });
      return el("li", {}, `${f.title} (${f.generated ? t("generated") : t("not_generated")}) `, button);
    }));

    const timeline = el("ol", { className: "timeline", id: "timeline" }, ...(historyA.data?.items ?? []).map((e) => {
      const what = t(`event.${e.kind.type}`) === `event.${e.kind.type}` ? e.kind.type : t(`event.${e.kind.type}`);
      const data = e.kind.data ?? {};
      const detail = e.kind.type === "status_changed" ? ` → ${t(`status.${data.to}`)}`
        : e.kind.type === "note_added" ? `: ${plain(data.text)}`
        : e.kind.type === "form_generated" ? `: ${data.form}`
        : e.kind.type === "facts_corrected" ? `: ${data.path}` : "";
      return el("li", {}, el("time", { dateTime: e.at }, when(e.at)), " ",
        el("strong", {}, `#${e.seq} ${what}`), detail, el("span", { className: "who" }, ` — ${e.actor.user_id} (${e.actor.role}, ${e.actor.office})`));
    }));

    view.replaceChildren(el("h1", {}, t("case_title", { number: c.number })), notice, facts, chain,
      el("h2", {}, t("commands")), buttons, noteForm,
      el("h2", {}, t("forms")), forms,
      el("h2", {}, t("history")), timeline);
    view.dataset.version = String(c.version);
  }
  await load();
}
