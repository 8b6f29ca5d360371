// The case page: the case's summary and its whole record (record.js), its history as a timeline (who, when, what), the commands the user
// may run on it now (the case's `available_commands`, from the core; sent with If-Match; a 409
// says the case changed and reloads it), the forms as PDF downloads and the chain's verification
// result, and the case's files (attachments.js: the list with thumbnails, and attaching one).
// Every status, priority, consent scope, role, event and form title is the core's label
// (label()): the words the PDF forms print.
import * as wasm from "/pkg/siproc_wasm.js";
import { api, preload, session } from "./api.js";
import { label, locale, t, when } from "./i18n.js";
import { el } from "/form.js";
import { controls } from "./commands.js";
import { record } from "./record.js";
import { attachments } from "./attachments.js";

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

/** The case page's reads, started while the module arrives (load() asks for the same). */
const reads = (id) => [`/cases/${id}`, `/cases/${id}/history?limit=1000`, `/cases/${id}/verify`, `/cases/${id}/forms`];
// The workflow's table too: whether the user may attach files (attachments.js) is read from it.
export const prefetch = (id) => [...reads(id), "/workflow"].forEach(preload);

export async function show(view, id) {
  const catalog = wasm.catalog(locale, "hn");
  const notice = el("div", { id: "notice", "aria-live": "assertive" });
  const filesStatus = el("div", { id: "files-status", tabIndex: -1 });

  async function load() {
    const [caseA, historyA, verifyA, formsA] = await Promise.all(reads(id).map((path) => api(path)));
    if (!caseA.ok) {
      view.replaceChildren(el("p", { className: "errors", role: "alert" }, t("error", { status: caseA.status, message: caseA.data?.message ?? "" })));
      return;
    }
    const c = caseA.data;
    const version = caseA.headers.get("etag") ?? `"${c.version}"`;
    const person = (p) => `${p.given_names ?? ""} ${p.surnames ?? ""}`.trim();
    // The consent's scopes as the consent form prints them: the core's labels, joined by ", ".
    const consent = c.consent?.given ? (c.consent.scope ?? []).map((s) => label("consent_scope", s)).join(", ") : t("no_consent");
    const facts = el("dl", { className: "facts" },
      ...[["office", t("col_office"), label("office", c.office)], ["category", t("col_category"), label("category", c.category)],
        ["status", t("col_status"), label("status", c.status)], ["priority", t("col_priority"), label("priority", c.priority)],
        ["consent", t("col_consent"), consent], ["updated", t("col_updated"), when(c.updated_at)],
        ["persons", t("persons"), (c.persons ?? []).map((p, i) => ((c.erased ?? []).includes(`/persons/${i}`) ? t("erased") : person(p))).join(", ")]]
        .flatMap(([id, k, v]) => [el("dt", {}, k), el("dd", { id }, v)]));

    const legacy = c.legacy ? legacyBanner(c, catalog) : "";

    const chain = verifyA.data?.ok
      ? el("p", { className: "ok", id: "chain" }, `✔ ${t("chain_ok", { n: verifyA.data.version })}`)
      : el("p", { className: "errors", id: "chain", role: "alert" }, `✘ ${t("chain_bad", { code: verifyA.data?.code, seq: verifyA.data?.seq })}`);

    const { buttons, forms: commandForms, any } = controls(c, catalog, run);
    const noting = (c.available_commands ?? []).some((a) => a.command === "add_note");
    let noteForm = "";
    if (noting) {
      const text = el("textarea", { id: "note", rows: 2, maxLength: 4000 });
      noteForm = el("form", { id: "note-form", className: "note" }, el("label", { htmlFor: "note" }, t("note_text")), text,
        el("button", { type: "submit" }, label("command", "add_note")));
      noteForm.addEventListener("submit", (event) => {
        event.preventDefault();
        if (text.value.trim()) run({ command: "add_note", text: text.value.trim() });
      });
    }
    if (!any && !noting) buttons.append(el("p", { className: "help" }, t("no_commands")));
    // A case on its way to the user's office: accepting or declining it comes first, above the
    // case (what else the office may do waits for the acceptance).
    const incoming = c.transfer?.status === "pending" && c.transfer.to_office === session.me?.office;
    const transfer = incoming
      ? el("section", { className: "transfer-in", id: "transfer-in", role: "region", "aria-label": label("event", "transfer_requested") },
        el("p", {}, t("transfer_in_banner", { office: label("office", c.transfer.from_office) })),
        el("div", { className: "commands" }, ...[...buttons.querySelectorAll('[data-command="accept_transfer"], [data-command="reject_transfer"]')]))
      : "";

    /**
     * Takes the answer to a write of the case: a 409 (the case changed) reloads it and says so,
     * a refusal is shown as `refused(answer)` draws it, a success reloads the case and says
     * `done`; in `where` (the page's notice, or the files' own).
     */
    async function settle(answer, { where = notice, refused, done = t("done") }) {
      if (where === notice) filesStatus.replaceChildren();
      if (answer.status === 409) {
        await load();
        where.replaceChildren(el("p", { className: "warning", role: "alert", ...(where === notice ? { id: "conflict" } : {}) },
          t("conflict", { current: answer.data?.current })));
      } else if (!answer.ok) {
        where.replaceChildren(refused(answer));
      } else {
        await load();
        where.replaceChildren(el("p", { className: "ok", role: "status" }, done));
      }
    }

    async function run(command) {
      const answer = await api(`/cases/${id}/commands`, { method: "POST", body: command, headers: { "if-match": version } });
      await settle(answer, { refused: () => {
        const issues = (answer.data?.issues ?? []).map((i) => el("li", { "data-code": i.code }, t("issues_at", { path: i.path, message: i.message })));
        return el("div", { className: "errors", role: "alert", id: "refused" },
          el("p", {}, t("refused", { message: answer.data?.message ?? "", code: answer.data?.code ?? answer.status })),
          issues.length ? el("ul", {}, ...issues) : "");
      } });
    }

    // The case's files: their outcome is said beside them (the page's notice is far above on a
    // phone), and the focus goes there once the page is drawn again.
    const files = await attachments(c, version, async (answer, words) => {
      await settle(answer, { where: filesStatus, done: words,
        refused: () => el("p", { className: "errors", role: "alert", id: "attach-refused", "data-code": answer.data?.code ?? "" }, words) });
      filesStatus.focus();
    }, filesStatus);

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
      // The signed paper copy filed back (recognised by its QR code), of its latest printing.
      const signed = (c.forms ?? []).filter((g) => g.form === f.form && g.signed_copy).at(-1)?.signed_copy;
      const received = signed
        ? el("span", { className: "signed ok", "data-signed": signed.received_at }, t("signed_copy_received", { at: when(signed.received_at, c.office) }), " ")
        : "";
      return el("li", { "data-form": f.form }, `${label("form", f.form)} (${f.generated ? t("generated") : t("not_generated")}) `, received, button);
    }));

    /** A corrected value's place in words: the intake form's label of the field (`/persons/0/surnames` → "Apellidos"). */
    const fieldLabel = (path = "") => {
      const pattern = path.replace(/\/\d+(?=\/|$)/g, "/*");
      const facts = catalog.categories.find((x) => x.code === c.category)?.facts ?? [];
      return [...catalog.fields, ...facts].find((f) => f.path === pattern || f.path === path)?.label ?? path;
    };
    const timeline = el("ol", { className: "timeline", id: "timeline" }, ...(historyA.data?.items ?? []).map((e) => {
      const what = label("event", e.kind.type);
      const data = e.kind.data ?? {};
      const detail = e.kind.type === "status_changed" ? ` → ${label("status", data.to)}`
        : e.kind.type === "note_added" ? `: ${plain(data.text)}`
        : e.kind.type === "form_generated" ? `: ${label("form", data.form)}`
        : e.kind.type === "facts_corrected" ? `: ${fieldLabel(data.path)}`
        : e.kind.type === "transfer_requested" ? ` → ${label("office", data.to_office)}`
        : e.kind.type === "referral_requested" ? ` → ${label("partner", data.partner)}`
        : e.kind.type === "service_given" ? `: ${label("service", data.kind)}`
        : e.kind.type === "closure_requested" || e.kind.type === "closed" ? `: ${plain(data.outcome)}` : "";
      return el("li", {}, el("time", { dateTime: e.at }, when(e.at)), " ",
        el("strong", {}, `#${e.seq} ${what}`), detail,
        el("span", { className: "who" }, ` — ${e.actor.user_id} (${[label("role", e.actor.role), e.actor.office && label("office", e.actor.office)].filter(Boolean).join(", ")})`));
    }));

    view.replaceChildren(el("h1", {}, t("case_title", { number: c.number })), notice, transfer, legacy, facts, chain,
      el("h2", {}, t("record")), record(c, catalog),
      el("h2", {}, t("commands")), buttons, commandForms, noteForm,
      el("h2", {}, t("forms")), forms, files,
      el("h2", {}, t("history")), timeline);
    // On the page's main (not when the user has moved on).
    const main = view.closest("main");
    if (main) main.dataset.version = String(c.version);
  }
  await load();
}
