// The statistics dashboard (GET /stats, issue 14): cases per month by category, open cases by
// office, time to resolution and targets met or breached, each as a chart and, beneath it, the
// table it was drawn from. Staff get the full tables of the cases they may see; a partner
// organisation picks one of the published releases (GET /stats/releases: closed months and
// quarters, perturbed, issue 36), whose suppressed cells are shown as
// suppressed (marked, never a number) in the tables and left out of the charts, whose
// captions say how many were.
//
// The charts are drawn by Chart.js 4 (npm `chart.js`, pinned in examples/web/package.json and
// served by siproc-server at /vendor/chart.umd.min.js): a library made for charts, with stacked
// and grouped bars, legends and tooltips on a canvas, no dependencies, and a UMD build that
// loads as one script under the pages' content security policy. uPlot is smaller but made for
// time series; category bar charts are what this page needs. The script is loaded only when the
// dashboard opens, so the intake page's first load does not carry it.
import * as wasm from "/pkg/siproc_wasm.js";
import { api, session } from "./api.js";
import { locale, t } from "./i18n.js";
import { el } from "/form.js";
import { vendor } from "./vendor.js";

const COLOURS = ["#0b3c6d", "#c0504d", "#2e7d32", "#8a4b00", "#6a1b9a", "#00838f", "#ad1457", "#546e7a", "#9e9d24", "#4e342e"];
/** Which cell of `table` this is: its `dimension=value` pairs (`total` for the grand total). */
const cellKey = (table, cell) => table.dimensions.filter((d) => d in cell).map((d) => `${d}=${cell[d]}`).join("&") || "total";

/** The value `key` of `cell` of `table` as the page shows it: a number, or the suppressed mark. */
function shown(table, cell, key = "count") {
  const props = { "data-cell": cell ? cellKey(table, cell) : "" };
  if (key !== "count") props["data-field"] = key;
  if (cell?.suppressed || cell?.count === null) {
    return el("td", { ...props, className: "suppressed", "data-suppressed": "true", title: t("suppressed_help") }, t("suppressed"));
  }
  const value = cell?.[key];
  return el("td", { ...props, className: "num" }, value === undefined || value === null ? "—" : String(value));
}

/** A partner's statistics: the published releases (issue 36), one picked. */
async function published(pick) {
  const list = await api("/stats/releases");
  if (!list.ok) return { answer: list };
  // By default the newest quarter (a quarter's counts are larger: fewer are suppressed).
  const chosen = list.data.find((r) => `${r.id}@${r.version}` === pick)
    ?? list.data.find((r) => r.kind === "quarter") ?? list.data[0];
  if (!chosen) return { answer: { ok: false, status: 404, data: { message: t("no_releases") } } };
  const answer = await api(`/stats/releases/${encodeURIComponent(chosen.id)}?version=${chosen.version}`);
  return { answer: answer.ok ? { ok: true, data: answer.data.release } : answer, list: list.data, chosen };
}

/** Whether month `b` (`2026-03`) follows month `a` directly. */
function nextMonth(a, b) {
  const [y, m] = a.split("-").map(Number);
  return b === (m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, "0")}`);
}

export async function show(view, pick) {
  const me = session.me;
  const partner = me?.role === "partner";
  const { answer, list, chosen } = partner ? await published(pick) : { answer: await api("/stats") };
  if (!answer.ok) {
    view.replaceChildren(el("p", { className: "errors", role: "alert" }, t("error", { status: answer.status, message: answer.data?.message ?? "" })));
    return;
  }
  const data = answer.data;
  const release = typeof data.k === "number";
  const catalog = wasm.catalog(locale, "hn");
  const labelsOf = (path) => new Map((catalog.fields.find((f) => f.path === path)?.choices ?? []).map((c) => [c.code, c.label]));
  const names = { category: labelsOf("/category"), office: labelsOf("/office") };
  /** On a chart's axis, offices by their code (their names are in the table beneath). */
  const axis = (dimension, value) => (dimension === "office" ? value : label(dimension, value));
  const label = (dimension, value) => names[dimension]?.get(value)
    ?? (["first_contact_sla", "resolution_sla"].includes(dimension) ? t(`sla.${value}`) : value);
  const tables = new Map(data.tables.map((table) => [table.name, table]));
  const Chart = await vendor("chart.umd.min.js", "Chart");
  const charts = [];

  /** Rows × columns of a two-dimensional table (values in the order the cells give them). */
  function grid(table) {
    const [rows, cols] = table.dimensions;
    const rowValues = [...new Set(table.cells.map((c) => c[rows]))];
    const colValues = [...new Set(table.cells.map((c) => c[cols]))];
    const at = new Map(table.cells.map((c) => [`${c[rows]}\u0000${c[cols]}`, c]));
    const margin = (dimension, value) => table.totals.find((m) => m[dimension] === value && Object.keys(m).filter((k) => table.dimensions.includes(k)).length === 1);
    return { rows, cols, rowValues, colValues, cell: (r, c) => at.get(`${r}\u0000${c}`), margin,
      total: table.totals.find((m) => !table.dimensions.some((d) => d in m)) };
  }

  /**
   * The table a chart was drawn from, suppressed cells marked. `transpose` puts the second
   * dimension down the rows (months: a long list reads down a phone, not across it).
   */
  function dataTable(id, table, caption, { transpose = false } = {}) {
    const g0 = grid(table);
    const g = transpose
      ? { ...g0, rows: g0.cols, cols: g0.rows, rowValues: g0.colValues, colValues: g0.rowValues, cell: (r, c) => g0.cell(c, r) }
      : g0;
    const head = el("tr", {}, el("th", { scope: "col" }, t(`dim.${g.rows}`)),
      ...g.colValues.map((c) => el("th", { scope: "col" }, label(g.cols, c))), el("th", { scope: "col" }, t("total")));
    const body = g.rowValues.map((r) => el("tr", {}, el("th", { scope: "row" }, label(g.rows, r)),
      ...g.colValues.map((c) => shown(table, g.cell(r, c))), shown(table, g.margin(g.rows, r))));
    const foot = el("tr", { className: "totals" }, el("th", { scope: "row" }, t("total")),
      ...g.colValues.map((c) => shown(table, g.margin(g.cols, c))), shown(table, g.total));
    return el("div", { className: "scroll", tabIndex: 0, role: "region", "aria-label": caption }, el("table", { id, className: "stats" }, el("caption", {}, caption),
      el("thead", {}, head), el("tbody", {}, ...body, foot)));
  }

  /** A chart panel: heading, canvas (with a text alternative), the suppression note, the table. */
  function panel(id, title, config, table, tableNode) {
    const canvas = el("canvas", { role: "img", "aria-label": t("chart_alt", { title }) });
    const suppressed = [...table.cells, ...table.totals].filter((c) => c.suppressed).length;
    const note = release
      ? el("p", { className: "help suppression", "data-suppressed-cells": String(suppressed) }, t("suppressed_note", { n: suppressed, k: data.k }))
      : "";
    // Nothing published to draw (every cell suppressed): the note says so, no empty grid.
    const empty = !config.data.datasets.length;
    const section = el("section", { className: "panel", id, "aria-labelledby": `${id}-title` },
      el("h2", { id: `${id}-title` }, title),
      empty ? el("p", { className: "help nothing-drawn" }, t("nothing_drawn")) : el("div", { className: "chart" }, canvas), note, tableNode);
    if (!empty) charts.push(() => new Chart(canvas, {
      ...config,
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: { legend: { position: "bottom" } },
        ...config.options,
      },
    }));
    return section;
  }

  /**
   * The datasets worth drawing: those with at least one published count above 0 (a release's
   * category whose every cell is suppressed or 0 would be a legend entry with nothing drawn);
   * when none is left, those of `fallback()` (the published totals) instead.
   */
  const drawn = (datasets, fallback) => {
    const some = datasets.filter((d) => d.data.some((v) => v > 0));
    return some.length ? some : fallback().filter((d) => d.data.some((v) => v > 0));
  };

  /** Bars from a two-dimensional table: one dataset per column value; suppressed cells are gaps. */
  function bars(table, { stacked = true, horizontal = false, only } = {}) {
    const g = grid(table);
    const cols = only ? g.colValues.filter((c) => only.includes(c)) : g.colValues;
    return {
      type: "bar",
      data: {
        labels: g.rowValues.map((r) => axis(g.rows, r)),
        datasets: drawn(cols.map((c, i) => ({
          label: label(g.cols, c), backgroundColor: COLOURS[i % COLOURS.length],
          data: g.rowValues.map((r) => g.cell(r, c)?.count ?? null),
        })), () => [{ label: t("total"), backgroundColor: COLOURS[0], data: g.rowValues.map((r) => g.margin(g.rows, r)?.count ?? null) }]),
      },
      options: { indexAxis: horizontal ? "y" : "x", scales: { x: { stacked }, y: { stacked, beginAtZero: true } } },
    };
  }

  const sections = [];
  const byMonth = tables.get("cases_by_category_month");
  if (byMonth) {
    // Months along the axis, one stacked dataset per category, and the published month totals.
    const g = grid(byMonth);
    // The months in order, with a "…" where months without cases were left out (2021-03 … 2026-03
    // is not two adjacent months).
    const months = [...g.colValues].sort();
    const axisMonths = months.flatMap((m, i) => (i && !nextMonth(months[i - 1], m) ? [null, m] : [m]));
    const config = {
      type: "bar",
      data: {
        labels: axisMonths.map((m) => m ?? "…"),
        datasets: [
          ...drawn(g.rowValues.map((r, i) => ({
            label: label("category", r), backgroundColor: COLOURS[i % COLOURS.length], stack: "cases",
            data: axisMonths.map((m) => (m ? g.cell(r, m)?.count ?? null : null)),
          })), () => []),
          // The month totals' line, unless every one of them is suppressed (a legend entry with
          // nothing drawn).
          ...drawn([{ type: "line", label: t("total"), borderColor: "#1d2530", backgroundColor: "#1d2530", spanGaps: false,
            data: axisMonths.map((m) => (m ? g.margin("month", m)?.count ?? null : null)) }], () => []),
        ],
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    };
    sections.push(panel("by-month", t("chart_by_month"), config, byMonth, dataTable("table-by-month", byMonth, t("chart_by_month"), { transpose: true })));
  }
  const open = tables.get("open_cases_by_office_aging");
  if (open) {
    sections.push(panel("open-by-office", t("chart_open_by_office"), bars(open, { horizontal: true }), open,
      dataTable("table-open-by-office", open, t("chart_open_by_office"))));
  }
  const resolution = tables.get("days_to_resolution_by_category");
  if (resolution) {
    const dimension = resolution.dimensions[0];
    const config = {
      type: "bar",
      data: {
        labels: resolution.cells.map((c) => label(dimension, c[dimension])),
        datasets: drawn([["median", COLOURS[0]], ["p90", COLOURS[1]]].map(([key, colour]) => ({
          label: t(`duration.${key}`), backgroundColor: colour, data: resolution.cells.map((c) => (c.suppressed ? null : c[key] ?? null)),
        })), () => [{ label: t("resolved_cases"), backgroundColor: COLOURS[2],
          data: resolution.cells.map((c) => (c.suppressed ? null : c.count ?? null)) }]),
      },
      options: { scales: { y: { beginAtZero: true, title: { display: true, text: t("days") } } } },
    };
    const rows = resolution.cells.map((c) => el("tr", {}, el("th", { scope: "row" }, label(dimension, c[dimension])),
      shown(resolution, c), shown(resolution, c, "median"), shown(resolution, c, "p90")));
    const table = el("div", { className: "scroll", tabIndex: 0, role: "region", "aria-label": t("chart_resolution") }, el("table", { id: "table-resolution", className: "stats" },
      el("caption", {}, t("chart_resolution")),
      el("thead", {}, el("tr", {}, ...[t(`dim.${dimension}`), t("resolved_cases"), t("duration.median"), t("duration.p90")].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, ...rows)));
    sections.push(panel("resolution", t("chart_resolution"), config, resolution, table));
  }
  const sla = tables.get("resolution_sla_by_category");
  if (sla) {
    sections.push(panel("sla", t("chart_sla"), bars(sla, { only: ["met", "breached", "pending"] }), sla,
      dataTable("table-sla", sla, t("chart_sla"))));
  }

  const intro = release
    ? el("p", { className: "help", id: "release-note" }, t("release_note", { k: data.k }))
    : el("p", { className: "help", id: "release-note" }, me?.sees_all_offices ? t("full_note_all") : t("full_note_office", { office: me?.office ?? "" }));
  const picker = list
    ? el("label", {}, t("release_pick"), " ", el("select", {
      id: "release-pick",
      onchange: (e) => show(view, e.target.value),
    }, ...list.map((r) => el("option", { value: `${r.id}@${r.version}`, selected: r === chosen }, `${r.id} (v${r.version})`))))
    : null;
  view.replaceChildren(el("h1", {}, t("stats_title")), ...(picker ? [picker] : []), intro, el("div", { className: "dashboard" }, ...sections));
  const main = view.closest("main");
  if (main) main.dataset.release = String(release);
  for (const draw of charts) draw();
}
