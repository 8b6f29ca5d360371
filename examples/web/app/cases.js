// The live case list: the cases the user may see (the server applies the core's visibility
// rule), each with its national's name (asked with `with_names`: the server writes each case
// named to the access log, as a read), filtered by status, category, office and one search box (a name, a case number or a
// document number), cases being transferred to the user's office first and marked; the event stream (GET /events) brings
// new cases and status changes without a reload, marked "new" or "updated". Cases migrated from
// a legacy log are marked "migrated", and those still lacking follow-up items "incomplete".
import * as wasm from "/pkg/siproc_wasm.js";
import { api, follow, preload, session } from "./api.js";
import { label, locale, t, when } from "./i18n.js";
import { el } from "/form.js";


/** The badges of a migrated case (from a legacy log) and of one that still lacks items. */
const origin = (c) => [
  c.migrated ? el("span", { className: "badge migrated", title: t("migrated_help") }, t("migrated")) : "",
  c.follow_ups > 0 ? el("span", { className: "badge incomplete", title: t("incomplete_help", { n: c.follow_ups }) }, t("incomplete", { n: c.follow_ups })) : "",
];

/** A cell of the list, labelled with its column's heading (on a phone each row is a card). */
const cell = (column, ...content) => el("td", { "data-label": t(column) }, el("span", { className: "value" }, ...content));

/** The list's first request (load() with no filter), started while the module arrives. */
export const prefetch = () => preload("/cases?limit=200&with_names=true");

export async function show(view) {
  const me = session.me;
  const view_ = wasm.catalog(locale, "hn");
  const choices = (path) => view_.fields.find((f) => f.path === path)?.choices ?? [];
  const categories = new Map(choices("/category").map((c) => [c.code, c.label]));
  const select = (id, label, options) => [el("label", { htmlFor: id }, label),
    el("select", { id }, el("option", { value: "" }, t("all")), ...options.map(([v, text]) => el("option", { value: v }, text)))];
  const filters = el("form", { id: "filters", className: "filters" },
    el("div", {}, ...select("q-status", t("filter_status"), Object.entries(view_.labels.status))),
    el("div", {}, ...select("q-category", t("filter_category"), [...categories])),
    me.sees_all_offices ? el("div", {}, ...select("q-office", t("filter_office"), choices("/office").map((o) => [o.code, o.label]))) : "",
    el("div", { className: "search" }, el("label", { htmlFor: "q-text" }, t("filter_text")),
      el("input", { id: "q-text", type: "search", autocomplete: "off", "aria-describedby": "q-text-help" }),
      el("span", { className: "help", id: "q-text-help" }, t("filter_text_help"))),
    el("button", { type: "submit" }, t("apply")));
  const live = el("p", { id: "live", className: "help", role: "status" }, t("live_off"));
  const body = el("tbody");
  const table = el("table", { id: "cases" },
    el("thead", {}, el("tr", {}, ...["col_number", "col_name", "col_office", "col_category", "col_status", "col_updated"].map((k) => el("th", { scope: "col" }, t(k))))),
    body);
  // Supervisors (their office's cases) and the directorate see each break-the-glass grant at
  // once, and may end it.
  const grants = el("section", { id: "grants", hidden: true });
  async function loadGrants() {
    if (!["supervisor", "directorate"].includes(me.role)) return;
    const answer = await api("/grants");
    const items = answer.ok ? answer.data.items : [];
    grants.hidden = items.length === 0;
    grants.replaceChildren(el("h2", {}, t("grants_title")), el("ul", {}, ...items.map((g) => {
      const end = el("button", { type: "button", className: "end-grant" }, t("grant_end"));
      end.addEventListener("click", async () => { await api(`/grants/${g.id}/end`, { method: "POST" }); loadGrants(); });
      const reason = `${label("access_reason", g.reason_code)} — ${g.reason}`;
      const li = el("li", {}, t("grant_line", { user: g.user_id, case: g.case_id, until: when(g.expires_at), reason }), " ", end);
      li.dataset.id = String(g.id);
      return li;
    })));
  }
  view.replaceChildren(el("h1", {}, t("cases_title")), grants, filters, live, el("div", { className: "scroll" }, table));
  /** case id → "new" | "changed", for the rows the stream brought. */
  const marks = new Map();

  // On a flaky line answers can arrive out of order: only the latest load draws (seq).
  let seq = 0;
  // The table is aria-busy while a load is on its way (screen readers wait; so can tests).
  async function load() {
    const mine = ++seq;
    table.setAttribute("aria-busy", "true");
    const filters_ = {};
    for (const [key, id] of [["status", "q-status"], ["category", "q-category"], ["office", "q-office"], ["q", "q-text"]]) {
      const value = document.getElementById(id)?.value.trim();
      if (value) filters_[key] = value;
    }
    // The search box's text (a name, a case number or a document number: the core tells which)
    // is searched with POST /cases/search: in the body, never in a URL (proxies and server logs
    // keep URLs), and the server writes the search to its audit log. The other filters are the
    // list's query.
    let answer;
    try {
      answer = filters_.q
        ? await api("/cases/search", { method: "POST", body: { ...filters_, limit: 200, with_names: true } })
        : await api(`/cases?${new URLSearchParams({ ...filters_, limit: "200", with_names: "true" })}`);
    } finally {
      if (mine === seq) table.setAttribute("aria-busy", "false");
    }
    if (mine !== seq) return;
    if (!answer.ok) {
      body.replaceChildren(el("tr", {}, el("td", { colSpan: 6 }, t("error", { status: answer.status, message: answer.data?.message ?? "" }))));
      return;
    }
    // Cases on their way to the user's office (a transfer it has not yet accepted: the only
    // other office's cases an office sees) come first, marked.
    const incoming = (c) => !me.sees_all_offices && c.office !== me.office;
    const items = [...answer.data.items].sort((a, b) => incoming(b) - incoming(a) || b.updated_at.localeCompare(a.updated_at));
    body.replaceChildren(...(items.length ? items.map((c) => {
      const mark = marks.get(c.id);
      const row = el("tr", { className: mark ?? "" },
        cell("col_number", el("a", { href: `#/case/${c.id}` }, c.number), mark ? el("span", { className: `badge ${mark}` }, " ", t(mark)) : "",
          incoming(c) ? el("span", { className: "badge transfer", title: t("transfer_in_help") }, t("transfer_in")) : "",
          ...origin(c)),
        cell("col_name", c.name ?? "—"), cell("col_office", c.office), cell("col_category", categories.get(c.category) ?? c.category),
        cell("col_status", label("status", c.status)), cell("col_updated", when(c.updated_at)));
      row.dataset.id = c.id;
      row.dataset.number = c.number;
      return row;
    }) : [el("tr", {}, el("td", { colSpan: 6 }, t("no_cases")))]));
  }

  let timer = null;
  const stop = follow((entry) => {
    if (entry.reason_code !== undefined) { loadGrants(); return; }
    if (entry.type === "case_opened") marks.set(entry.case_id, "new");
    else if (entry.type === "status_changed" && marks.get(entry.case_id) !== "new") marks.set(entry.case_id, "changed");
    else return;
    clearTimeout(timer);
    timer = setTimeout(() => load().catch(() => {}), 50);
  }, (up) => {
    // Back after a drop: the list is read again (what the stream replays after Last-Event-ID
    // redraws the same rows; nothing is added twice, the table is redrawn whole).
    if (up && live.dataset.up === "false") load().catch(() => {});
    live.textContent = up ? t("live") : t("live_off");
    live.dataset.up = String(up);
  });
  filters.addEventListener("submit", (event) => { event.preventDefault(); load(); });
  await Promise.all([load(), loadGrants()]);
  return () => { stop(); clearTimeout(timer); };
}
