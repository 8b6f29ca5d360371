// The case page: the case, its history as a timeline (who, when, what), the commands the user
// may run here (from the workflow table, GET /workflow; sent with If-Match; a 409 says the case
// changed and reloads it), the forms as PDF downloads and the chain's verification result.
import * as wasm from "/pkg/siproc_wasm.js";
import { api, session } from "./api.js";
import { locale, t, when } from "./i18n.js";
import { el } from "/form.js";
import { controls } from "./commands.js";

let rules = null;
/** A sealed value as text: the server sends it only to those who may see the case. */
const plain = (v) => (typeof v === "string" ? v : typeof v?.value === "string" ? v.value : "");

/** Where a migrated case came from and the follow-up items it still lacks, in words. */
function legacyBanner(c, catalog) {
  const { source, row, follow_ups: items = [] } = c.legacy;
  const facts = catalog.categories.find((x) => x.code === c.category)?.facts ?? [];
  const what = (item) => facts.find((f) => f.path === item.path)?.label
    ?? (item.path.startsWith("/persons") ? t("follow.persons") : item.path === "/consent" ? t("follow.consent") : item.path);
  return el("section", { id: "legacy", className: `legacy ${items.length ? "incomplete" : "complete"}`, "aria-label": t("migrated_help") },
    el("p", {}, el("span", { className: "badge migrated" }, t("migrated")), " ", t("legacy_banner", { source, row })),
    items.length
      ? el("div", {}, el("p", {}, t("legacy_missing", { n: items.length })),
        el("ul", { id: "follow-ups" }, ...items.map((item) => el("li", { "data-code": item.code, "data-path": item.path }, what(item), " ", el("code", {}, item.code)))))
      : el("p", { className: "ok" }, t("legacy_complete")));
}

export async function show(view, id) {
  rules ??= (await api("/workflow")).data ?? [];
  const me = session.me;
  const catalog = wasm.catalog(locale, "hn");
  const labels = (path) => new Map((catalog.fields.find((f) => f.path === path)?.choices ?? []).map((c) => [c.code, c.label]));
  const categories = labels("/category");
  const partners = labels("/referrals/*/partner");
  const services = labels("/services/*/kind");
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

    const legacy = c.legacy ? legacyBanner(c, catalog) : "";

    const chain = verifyA.data?.ok
      ? el("p", { className: "ok", id: "chain" }, `✔ ${t("chain_ok", { n: verifyA.data.version })}`)
      : el("p", { className: "errors", id: "chain", role: "alert" }, `✘ ${t("chain_bad", { code: verifyA.data?.code, seq: verifyA.data?.seq })}`);

    const mine = rules.filter((r) => r.from.includes(c.status) && r.roles.includes(me.role));
    const { buttons, forms: commandForms, any } = controls(c, rules, me, catalog, run);
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
    if (!any && !noteRule) buttons.append(el("p", { className: "help" }, t("no_commands")));

    async function run(command) {
      const answer = await api(`/cases/${id}/commands`, { method: "POST", body: command, headers: { "if-match": version } });
      if (answer.status === 409) {
        await load();
        notice.replaceChildren(el("p", { className: "warning", role: "alert", id: "conflict" }, t("conflict", { current: answer.data?.current })));
      } else if (!answer.ok) {
        const issues = (answer.data?.issues ?? []).map((i) => el("li", { "data-code": i.code }, t("issues_at", { path: i.path, message: i.message })));
        notice.replaceChildren(el("div", { className: "errors", role: "alert", id: "refused" },
          el("p", {}, t("refused", { message: answer.data?.message ?? "", code: answer.data?.code ?? answer.status })),
          issues.length ? el("ul", {}, ...issues) : ""));
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
        : e.kind.type === "facts_corrected" ? `: ${data.path}`
        : e.kind.type === "transfer_requested" ? ` → ${data.to_office ?? ""}`
        : e.kind.type === "referral_requested" ? ` → ${partners.get(data.partner) ?? data.partner}`
        : e.kind.type === "service_given" ? `: ${services.get(data.kind) ?? data.kind}`
        : e.kind.type === "closure_requested" || e.kind.type === "closed" ? `: ${plain(data.outcome)}` : "";
      return el("li", {}, el("time", { dateTime: e.at }, when(e.at)), " ",
        el("strong", {}, `#${e.seq} ${what}`), detail, el("span", { className: "who" }, ` — ${e.actor.user_id} (${e.actor.role}, ${e.actor.office})`));
    }));

    view.replaceChildren(el("h1", {}, t("case_title", { number: c.number })), notice, legacy, facts, chain,
      el("h2", {}, t("commands")), buttons, commandForms, noteForm,
      el("h2", {}, t("forms")), forms,
      el("h2", {}, t("history")), timeline);
    view.dataset.version = String(c.version);
  }
  await load();
}
