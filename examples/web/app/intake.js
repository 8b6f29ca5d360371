// The intake page: the catalog's form (form.js) validated as the officer types; on submit the
// record is validated whole, queued with its Idempotency-Key and sent. A 422 puts the server's
// issues at their fields; success shows the case number and its forms; with no connection the
// record stays pending (queue.js) and is listed here until the server acknowledges it.
//
// One filled form is one registration (issue 33): its Idempotency-Key is made with the form, not
// per click, and a click while a submission is under way does nothing; once the record is
// registered or queued the form is cleared, with a new key, so that a second click can never
// register the same person again.
import * as wasm from "/pkg/siproc_wasm.js";
import { api, session } from "./api.js";
import { locale, t, when } from "./i18n.js";
import { buildIntakeForm, el } from "/form.js";
import * as queue from "./queue.js";

/** What the form held when the language changed (in this page's memory only). */
let draft = null;

export async function show(view) {
  const result = el("section", { id: "result", "aria-live": "polite" });
  const pendingList = el("section", { id: "pending", "aria-live": "polite" });
  const sentList = el("section", { id: "sent", "aria-live": "polite" });
  let form = el("form", { id: "intake", noValidate: true });
  // The result (the case number, or the problems found) above the form: seen without scrolling,
  // next to where focus goes.
  view.replaceChildren(el("h1", {}, t("intake_title")), el("p", { className: "help" }, t("intake_help")),
    pendingList, result, form, sentList);
  const me = session.me;
  /** The form on the page, and the Idempotency-Key of what it holds. */
  let intake, key;

  /** Replaces the form by an empty one (defaults filled in) with a new key. */
  function blank() {
    const fresh = el("form", { id: "intake", noValidate: true });
    form.replaceWith(fresh);
    form = fresh;
    intake = buildIntakeForm({ wasm, form, locale, onChange: () => result.replaceChildren() });
    key = crypto.randomUUID();
    const office = intake.rows.get("/office");
    if (me?.office && [...office.control.options].some((o) => o.value === me.office)) office.control.value = me.office;
    // An office's staff open cases in their own office only (the core's rule, workflow::open):
    // the others are not offered.
    if (me && !me.sees_all_offices) {
      for (const option of [...office.control.options]) if (option.value !== me.office) option.remove();
    }
    form.addEventListener("submit", submit);
    form.dataset.ready = "true";
  }

  /**
   * The session's registrations (api.js's log): who, the case number as a link, when; those sent
   * from the offline queue say so (issue 33: they used to vanish from the pending list unseen).
   */
  function drawSent() {
    const done = session.registered;
    if (!done.length) return sentList.replaceChildren();
    sentList.replaceChildren(el("h2", {}, t("sent_title")), el("ul", {}, ...done.map((entry) => {
      const li = el("li", { className: "sent" }, el("strong", {}, entry.name || "—"), " · ",
        el("a", { href: `#/case/${entry.id}` }, entry.number), " · ", when(entry.at));
      if (entry.queued_at) li.append(" · ", el("span", { className: "badge" }, t("sent_from_queue", { at: when(entry.queued_at) })));
      li.dataset.number = entry.number;
      return li;
    })));
  }

  /** The key of the registration this page last left in the queue, until it is sent. */
  let waiting = null;
  async function drawPending() {
    drawSent();
    const items = await queue.pending(me.user_id);
    // What this page queued has been sent: the "pending" notice gives way to its number.
    const sent = session.registered.find((e) => e.queued_at);
    if (waiting && !items.some((i) => i.key === waiting) && result.querySelector("#pending-saved") && sent) {
      waiting = null;
      result.replaceChildren(el("p", { className: "ok", id: "pending-sent" }, t("sent_pending", { number: sent.number }), " ",
        el("a", { href: `#/case/${sent.id}` }, t("open_case"))));
    }
    if (!items.length) return pendingList.replaceChildren();
    pendingList.replaceChildren(el("h2", {}, t("pending_title")), el("ul", {}, ...items.map((item) => {
      const person = item.record.persons?.[0] ?? {};
      const li = el("li", { className: `pending ${item.state}` },
        el("strong", {}, `${person.given_names ?? ""} ${person.surnames ?? ""}`.trim() || "—"), " · ",
        item.state === "pending" ? t("pending_item", { at: when(item.queued_at) }) : t("pending_rejected", { code: item.code }));
      li.dataset.key = item.key;
      // Queued items are deleted when they expire (queue.js): the last hours are announced.
      if (item.expiring) {
        li.classList.add("expiring");
        li.append(" · ", el("span", { className: "warning expiry", role: "alert" }, t("pending_expiring", { at: when(item.expires_at) })));
      }
      if (item.state !== "pending") {
        li.append(" ", el("button", { type: "button", className: "small", onclick: () => queue.remove(item.key).then(drawPending) }, t("discard")));
      }
      return li;
    })));
  }

  function success(summary, record) {
    const forms = wasm.intakeForms(record, intake.options);
    result.replaceChildren(
      el("p", { className: "ok", id: "registered" }, t("registered", { number: summary.number })),
      el("p", {}, t("forms_to_print")),
      el("ul", {}, ...forms.map((f) => el("li", {}, f.title))),
      el("p", {}, el("a", { href: `#/case/${summary.id}`, id: "open-case" }, t("open_case"))));
  }

  /** The key of the filled form whose possible duplicates were shown (pressed again: registered). */
  let warned = null;

  /** Whether a submission is under way (a second click then does nothing). */
  let busy = false;
  async function submit(event) {
    event.preventDefault();
    if (busy) return;
    busy = true;
    const button = form.querySelector("button[type=submit]");
    button.setAttribute("aria-disabled", "true");
    try {
      await register();
    } finally {
      busy = false;
      button.removeAttribute("aria-disabled");
    }
  }

  /** Moves focus to the first field with an error (or to the summary when none has a field). */
  function focusFirstProblem() {
    const row = form.querySelector(".row.invalid");
    const target = row?.querySelector("input, select") ?? result.querySelector("#problems");
    if (target === result.querySelector("#problems")) target.tabIndex = -1;
    target?.focus();
  }

  async function register() {
    const record = intake.record();
    const report = wasm.validate(record, intake.options);
    const unplaced = intake.place(report.issues);
    if (!report.ok) {
      const n = report.issues.filter((i) => i.severity === "error").length;
      result.replaceChildren(el("p", { className: "errors", role: "alert", id: "problems" }, t("problems", { n })),
        el("ul", {}, ...unplaced.map((i) => el("li", {}, i.message))));
      focusFirstProblem();
      return;
    }
    // Likely duplicates among the cases the user may see (the core's detection on the server),
    // once per filled form: a second press registers it anyway.
    if (navigator.onLine && warned !== key) {
      const found = await api("/cases/duplicates", { method: "POST", body: record }).catch(() => null);
      const items = found?.ok ? found.data.items : [];
      if (items.length) {
        warned = key;
        const anyway = el("button", { type: "button", id: "register-anyway", className: "secondary" }, t("register_anyway"));
        anyway.addEventListener("click", () => form.requestSubmit());
        result.replaceChildren(el("div", { className: "warning duplicates", id: "duplicates", role: "alert" },
          el("p", {}, t("duplicates_found")),
          el("ul", {}, ...items.map((d) => el("li", { "data-number": d.number }, t("duplicate_of"), " ",
            el("a", { href: `#/case/${d.id}` }, d.number), ` (${d.reasons.map((r) => t(`reason.${r}`)).join(", ")})`))),
          anyway));
        anyway.focus();
        return;
      }
    }
    // The form's key: sending the same filled form again answers the first result.
    const item = await queue.enqueue(record, me.user_id, key);
    let answer = null;
    try {
      if (navigator.onLine) answer = await queue.send(item.key);
    } catch {
      answer = null;
    }
    // Registered, or kept in the queue to be sent: the form is done with.
    if (answer?.ok || !answer || queue.kept(answer.status)) blank();
    if (answer?.ok) success(answer.data, record);
    else if (answer?.status === 422) {
      await queue.remove(item.key);
      const left = intake.place(answer.data.issues ?? []);
      result.replaceChildren(el("p", { className: "errors", role: "alert", id: "problems" }, t("problems", { n: (answer.data.issues ?? []).length || 1 })),
        el("ul", {}, ...left.map((i) => el("li", {}, `${i.message} (${i.code})`))));
      focusFirstProblem();
    } else if (answer && queue.kept(answer.status)) {
      // The server could not take it now (5xx, 401, 408, 429): it stays queued and is sent again.
      result.replaceChildren(el("p", { className: "warning", id: "pending-saved" }, t("pending_kept", { status: answer.status })));
      waiting = item.key;
    } else if (answer) {
      await queue.remove(item.key);
      result.replaceChildren(el("p", { className: "errors", role: "alert" }, t("error", { status: answer.status, message: answer.data?.message ?? "" })));
    } else {
      result.replaceChildren(el("p", { className: "warning", id: "pending-saved" }, t("pending_saved")));
      waiting = item.key;
    }
    drawPending();
  }

  blank();
  // Drawn again in the other language (main.js, on "siproc:locale"): what was typed stays, with
  // the same key (it is the same registration).
  if (draft?.user === me.user_id) {
    intake.load(draft.record);
    key = draft.key;
  }
  draft = null;
  const shownIn = locale;
  const redraw = () => drawPending();
  addEventListener("siproc:queue", redraw);
  await drawPending();
  return () => {
    removeEventListener("siproc:queue", redraw);
    // Left because the language changed: the form comes back filled.
    if (locale !== shownIn) draft = { user: me.user_id, record: intake.record(), key };
  };
}
