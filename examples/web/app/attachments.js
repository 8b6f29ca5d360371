// The case page's files (issue 30): the case's attachments, each with its media type, size,
// description, "signed copy of <form>" for a scan filed back by its QR code, a download button
// and, for an image, its thumbnail — rendered by the server (GET …/thumbnail, a small JPEG
// without metadata), fetched with the session like every API call and shown from a blob: URL,
// never from an address carrying a token. Below the list, "Attach a file": a file (on a phone
// the camera opens: `capture`) and a description, sent as multipart with If-Match of the case's
// version. The file's own name stays in this page (it may carry personal data): the part is sent
// as "file". Refusals are in words (i18n.js `refusal`); the server keeps the rules (allowed
// types, size, metadata stripped, a form's QR code of another case refused).
import { api, session } from "./api.js";
import { label, locale, refusal, t, when } from "./i18n.js";
import { el } from "/form.js";

/** What the file input offers: PDFs and images (the server holds them to its own list). */
const ACCEPT = "application/pdf,image/*";

/** The short name of an allowed media type, and the extension of a downloaded file. */
const TYPES = {
  "application/pdf": ["PDF", "pdf"], "image/jpeg": ["JPEG", "jpg"], "image/png": ["PNG", "png"], "image/webp": ["WebP", "webp"],
};

/** A size in bytes in the locale's words (1 KB = 1024 B). */
function size(bytes) {
  const format = (n) => n.toLocaleString(locale === "es" ? "es-HN" : "en-GB", { maximumFractionDigits: 1 });
  if (bytes < 1024) return t("size_b", { n: format(bytes) });
  if (bytes < 1024 * 1024) return t("size_kb", { n: format(bytes / 1024) });
  return t("size_mb", { n: format(bytes / (1024 * 1024)) });
}

/** The workflow's table (GET /workflow, the core's), read once per page load. */
let table = null;
/**
 * Whether the user may attach files to `c` now, by the workflow's `add_attachment` rule (role and
 * status). A hint for showing the form only: the server checks everything (the office too).
 */
async function mayAttach(c) {
  table ??= api("/workflow").then((a) => (a.ok ? a.data : Promise.reject(new Error(String(a.status)))));
  const rules = await table.catch(() => { table = null; return []; });
  const rule = rules.find((r) => r.command === "add_attachment");
  return Boolean(rule && rule.roles.includes(session.me?.role) && rule.from.includes(c.status));
}

/** Fills `img` with the thumbnail of attachment `a` of case `id` (nothing if it cannot be had). */
async function thumbnail(img, id, a) {
  const answer = await api(`/cases/${id}/attachments/${a.sha256}/thumbnail`, { raw: true }).catch(() => null);
  if (!answer?.ok) return img.replaceWith(el("span", { className: "thumb none", "aria-hidden": "true" }, TYPES[a.media_type]?.[0] ?? "—"));
  const url = URL.createObjectURL(await answer.response.blob());
  // Once drawn, the image needs its blob no more.
  img.addEventListener("load", () => URL.revokeObjectURL(url), { once: true });
  img.addEventListener("error", () => URL.revokeObjectURL(url), { once: true });
  img.src = url;
}

/** Downloads attachment `a` of case `c` (as the session); `failed(answer)` when refused. */
async function download(c, a, failed) {
  const answer = await api(`/cases/${c.id}/attachments/${a.sha256}`, { raw: true }).catch(() => null);
  if (!answer?.ok) return failed(answer);
  const url = URL.createObjectURL(await answer.response.blob());
  const link = el("a", { href: url, download: `${c.number}-${a.sha256.slice(0, 8)}.${TYPES[a.media_type]?.[1] ?? "bin"}` });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** One attachment's row. */
function row(c, a, status) {
  const kind = TYPES[a.media_type]?.[0] ?? a.media_type;
  const picture = a.media_type.startsWith("image/")
    ? el("img", { className: "thumb", alt: t("thumbnail_of", { what: a.description || kind }), width: 96, height: 96, decoding: "async" })
    : el("span", { className: "thumb none", "aria-hidden": "true" }, kind);
  // A thumbnail that cannot be had leaves the empty frame (its alt text says what it is).
  if (picture.tagName === "IMG") thumbnail(picture, c.id, a).catch(() => {});
  // The printing of a form this file is the signed copy of (the case's forms say which file).
  const signs = (c.forms ?? []).find((f) => f.signed_copy?.sha256 === a.sha256);
  const button = el("button", { type: "button", className: "small", "data-download": a.sha256,
    "aria-label": `${t("download_file")}: ${a.description || kind}` }, t("download_file"));
  button.addEventListener("click", () => download(c, a, (answer) => status.replaceChildren(
    el("p", { className: "errors", role: "alert" }, answer ? refusal(answer) : t("offline_page")))));
  return el("li", { "data-sha256": a.sha256, "data-type": a.media_type },
    picture,
    el("div", { className: "about" },
      el("p", { className: "what" }, a.description || el("span", { className: "help" }, t("no_description"))),
      el("p", { className: "meta" }, `${kind} · ${size(a.size)}`,
        signs ? el("span", { className: "signed ok", "data-form": signs.form },
          ` · ${t("signed_copy_of", { form: label("form", signs.form), at: when(signs.signed_copy.received_at, c.office) })}`) : ""),
      button));
}

/**
 * The form that attaches a file to `c` at `version`. `settle(answer, why)` takes the server's
 * answer (reloads the case; a 409 says it changed); `status` is where the outcome is said.
 */
function attachForm(c, version, settle, status) {
  const file = el("input", { type: "file", id: "attach-file", accept: ACCEPT, required: true });
  // On a phone, the camera opens (the back one): a paper photographed as it is handed over.
  file.setAttribute("capture", "environment");
  const description = el("input", { type: "text", id: "attach-description", maxLength: 300, autocomplete: "off",
    "aria-describedby": "attach-help" });
  const send = el("button", { type: "submit" }, t("attach_button"));
  const form = el("form", { id: "attach-form", className: "attach card" },
    el("label", { htmlFor: "attach-file" }, t("attach_file")), file,
    el("label", { htmlFor: "attach-description" }, t("attach_description")), description,
    el("p", { className: "help", id: "attach-help" }, t("attach_help")),
    el("div", {}, send));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = file.files?.[0];
    if (!chosen) return file.focus();
    const body = new FormData();
    body.append("description", description.value.trim());
    body.append("file", chosen, "file");
    send.disabled = true;
    status.replaceChildren(el("p", { role: "status" }, t("attach_sending")));
    const answer = await api(`/cases/${c.id}/attachments`, { method: "POST", body, headers: { "if-match": version } }).catch(() => null);
    send.disabled = false;
    if (!answer) return status.replaceChildren(el("p", { className: "errors", role: "alert" }, t("offline_page")));
    await settle(answer, answer.ok
      ? t(answer.status === 201 ? (answer.data?.signs ? "attach_signed" : "attach_done") : "attach_already",
        { form: answer.data?.signs ? label("form", answer.data.signs.form) : "" })
      : t("attach_refused", { why: refusal(answer) }));
  });
  return form;
}

/**
 * The case's files and, if the user may add one, the form to attach a file: a section for the
 * case page. `settle(answer, words)` sends the upload's answer back to the page.
 */
export async function attachments(c, version, settle, status) {
  const items = c.attachments ?? [];
  const list = items.length
    ? el("ul", { id: "attachments", className: "attachments" }, ...items.map((a) => row(c, a, status)))
    : el("p", { id: "attachments", className: "help" }, t("no_attachments"));
  const form = (await mayAttach(c)) ? attachForm(c, version, settle, status) : "";
  return el("section", { id: "files", "aria-labelledby": "files-title" },
    el("h2", { id: "files-title" }, t("attachments_title")), status, list, form);
}
