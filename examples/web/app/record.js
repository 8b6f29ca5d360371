// The whole record of a case, as the case page shows it (issue 33): the case, each person with
// their documents, contacts and locations, the consent, the category's facts, the referrals,
// the services and the notes, grouped and labelled as the intake form is (the catalog's field
// labels, the core's vocabularies), in the user's language. A value the case's erasure removed
// (`erased`, JSON Pointers into the case) is marked "erased" rather than shown empty.
import { day, label, t } from "./i18n.js";
import { el } from "/form.js";

/** Whether the value at `path` was erased (the path or a parent of it is in `erased`). */
const erasedAt = (erased, path) => erased.some((p) => path === p || path.startsWith(`${p}/`));

/**
 * The record's sections for case `c`, with `catalog` (siproc-wasm's catalog view in the user's
 * locale) for the labels: an element with one `<section>` per group.
 */
export function record(c, catalog) {
  const erased = c.erased ?? [];
  const fields = new Map(catalog.fields.map((f) => [f.path, f]));
  const category = catalog.categories.find((x) => x.code === c.category);
  const facts = new Map((category?.facts ?? []).map((f) => [f.path, f]));
  const words = new Map([["/persons/*/role", "person_role"], ["/persons/*/relationship", "relationship"],
    ["/persons/*/sex", "sex"], ["/persons/*/contacts/*/kind", "contact_kind"], ["/persons/*/locations/*/kind", "location_kind"],
    ["/persons/*/documents/*/kind", "document_kind"], ["/flags", "flag"], ["/services/*/kind", "service"],
    ["/referrals/*/partner", "partner"], ["/priority", "priority"], ["/consent/scope", "consent_scope"]]);

  /** `value` of field `field` (a catalog field) in words. */
  function inWords(field, template, value) {
    if (value === undefined || value === null || value === "" || (Array.isArray(value) && !value.length)) return null;
    if (Array.isArray(value)) return value.map((v) => inWords(field, template, v)).join(", ");
    const vocabulary = words.get(template);
    if (vocabulary) return label(vocabulary, value);
    if (field?.type === "choice") return field.choices.find((x) => x.code === value)?.label ?? String(value);
    if (field?.type === "boolean" || typeof value === "boolean") return value ? t("yes") : t("no");
    if (field?.type === "date") return day(value);
    return String(value);
  }

  /** One labelled value: a <dt>/<dd> pair, the <dd> with `data-path` (for the tests). */
  function item(path, name, value, field, template = path) {
    const dd = el("dd", { "data-path": path });
    if (erasedAt(erased, path)) dd.append(el("span", { className: "badge erased", title: t("erased_help") }, t("erased")));
    else {
      const text = inWords(field, template, value);
      if (text === null) {
        dd.append(el("span", { className: "none" }, "—"));
        dd.dataset.empty = "true";
      } else dd.append(text);
    }
    return [el("dt", {}, name), dd];
  }
  /** A field of the catalog, by its pattern (`/persons/*\/surnames`), at concrete `path`. */
  const field = (template, path, value) => item(path, fields.get(template)?.label ?? template, value, fields.get(template), template);
  const group = (id, title, ...children) => el("section", { className: "record-group", id, "aria-labelledby": `${id}-title` },
    el("h3", { id: `${id}-title` }, title), ...children);
  const list = (...pairs) => el("dl", { className: "facts" }, ...pairs.flat());

  const caseGroup = group("record-case", t("form.case"), list(
    field("/office", "/office", label("office", c.office)),
    field("/category", "/category", label("category", c.category)),
    item("/status", t("col_status"), label("status", c.status)),
    field("/priority", "/priority", c.priority),
    field("/opened_on", "/opened_on", c.opened_on),
    field("/flags", "/flags", c.flags),
    c.transfer ? item("/transfer", t("transfer"), `${label("office", c.transfer.from_office)} → ${label("office", c.transfer.to_office)} (${label("transfer_status", c.transfer.status)})`) : [],
    c.outcome ? item("/outcome", t("arg.outcome"), c.outcome) : []));

  const persons = (c.persons ?? []).map((p, i) => {
    const at = `/persons/${i}`;
    const gone = erasedAt(erased, at);
    const name = `${p.given_names ?? ""} ${p.surnames ?? ""}`.trim();
    const rows = [
      field("/persons/*/role", `${at}/role`, p.role),
      p.relationship ? field("/persons/*/relationship", `${at}/relationship`, p.relationship) : [],
      ...["given_names", "surnames", "birth_date", "sex", "nationality"].map((k) => field(`/persons/*/${k}`, `${at}/${k}`, p[k])),
      ...(p.documents ?? []).map((d, j) => item(`${at}/documents/${j}/number`, label("document_kind", d.kind), d.number, null)),
      ...(p.contacts ?? []).map((x, j) => item(`${at}/contacts/${j}/value`, label("contact_kind", x.kind), x.country ? `${x.value} (${x.country})` : x.value, null)),
      ...(p.locations ?? []).map((x, j) => item(`${at}/locations/${j}`, label("location_kind", x.kind), [x.place, x.country].filter(Boolean).join(", "), null)),
    ];
    // An erased person is numbered, not named (even their role is a placeholder now).
    const title = gone ? t("person_n", { n: i + 1 }) : `${label("person_role", p.role)}${name ? `: ${name}` : ""}`;
    return group(`record-person-${i}`, title, list(...rows));
  });

  const consent = c.consent;
  const consentGroup = group("record-consent", t("form.consent"), consent
    ? list(field("/consent/given", "/consent/given", consent.given),
      item("/consent/given_by", fields.get("/consent/given_by")?.label ?? "", (() => {
        const p = c.persons?.[consent.given_by];
        return erasedAt(erased, `/persons/${consent.given_by}`) || !p ? `#${consent.given_by + 1}` : `${p.given_names ?? ""} ${p.surnames ?? ""}`.trim();
      })(), null),
      field("/consent/recorded_on", "/consent/recorded_on", consent.recorded_on),
      field("/consent/scope", "/consent/scope", consent.scope))
    : el("p", { className: "warning", id: "record-no-consent" }, t("no_consent")));

  const factRows = [...facts.values()].map((f) => item(f.path, f.label, c.facts?.[f.path.slice("/facts/".length)], f));
  // A fact the pack no longer lists (a migrated or older case) is still shown, by its key.
  for (const [key, value] of Object.entries(c.facts ?? {})) {
    if (!facts.has(`/facts/${key}`)) factRows.push(item(`/facts/${key}`, key, value, null));
  }
  const factsGroup = group("record-facts", `${t("form.facts")}: ${label("category", c.category)}`,
    factRows.length ? list(...factRows) : el("p", { className: "help" }, "—"));

  const referrals = group("record-referrals", t("referrals"), (c.referrals ?? []).length
    ? el("ul", {}, ...c.referrals.map((r, i) => el("li", { "data-path": `/referrals/${i}` },
      el("strong", {}, label("partner", r.partner)), ` · ${label("referral_status", r.status)}`,
      r.reason ? ` · ${erasedAt(erased, `/referrals/${i}/reason`) ? t("erased") : r.reason}` : "")))
    : el("p", { className: "help" }, t("none")));
  const services = group("record-services", t("services"), (c.services ?? []).length
    ? el("ul", {}, ...c.services.map((s, i) => el("li", { "data-path": `/services/${i}` },
      el("strong", {}, label("service", s.kind)), ` · ${day(s.given_on)}`,
      s.description ? ` · ${erasedAt(erased, `/services/${i}/description`) ? t("erased") : s.description}` : "")))
    : el("p", { className: "help" }, t("none")));
  const notes = (c.notes ?? []).length
    ? group("record-notes", t("notes"), el("ul", {}, ...c.notes.map((n, i) => el("li", { "data-path": `/notes/${i}` },
      n.written_on ? `${day(n.written_on)} · ` : "",
      erasedAt(erased, `/notes/${i}`) || erasedAt(erased, `/notes/${i}/text`) ? el("span", { className: "badge erased" }, t("erased")) : n.text))))
    : "";
  const followUps = c.legacy?.follow_ups?.length
    ? group("record-follow-ups", t("follow_ups"), el("ul", {}, ...c.legacy.follow_ups.map((f) =>
      el("li", { "data-code": f.code }, facts.get(f.path)?.label ?? (f.path.startsWith("/persons") ? t("follow.persons") : f.path === "/consent" ? t("follow.consent") : f.path)))))
    : "";

  return el("div", { className: "record", id: "record" }, caseGroup, ...persons, consentGroup, factsGroup, referrals, services, followUps, notes);
}
