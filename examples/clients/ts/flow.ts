// A typed flow through the API with the types openapi-typescript generates from the served
// document (api.d.ts) and openapi-fetch, checked by `tsc --strict` and run against a real
// server by examples/clients/check.sh. No `any`, no casts: if the document's types were
// wrong or loose, this file would not compile or its checks would fail.
//
// Environment: SIPROC_URL (…/api/v1), SIPROC_OFFICER and SIPROC_AUDITOR (tokens).

import createClient from "openapi-fetch";
import { randomUUID } from "node:crypto";
import type { components, paths } from "./api.js";

type Intake = components["schemas"]["Intake"];
type ErrorBody = components["schemas"]["ErrorBody"];

function env(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`${name} is not set`);
  }
  return value;
}

function check(ok: boolean, what: string): void {
  if (!ok) {
    throw new Error(`failed: ${what}`);
  }
}

function fail(what: string, error: ErrorBody | undefined): never {
  throw new Error(`${what}: ${error === undefined ? "no body" : error.code}`);
}

const client = createClient<paths>({ baseUrl: env("SIPROC_URL") });
const officer = { Authorization: `Bearer ${env("SIPROC_OFFICER")}` };
const auditor = { Authorization: `Bearer ${env("SIPROC_AUDITOR")}` };

// Lists, paged: the second page starts after the first.
const first = await client.GET("/cases", { params: { query: { limit: 2 } }, headers: officer });
if (first.data === undefined) fail("list", first.error);
check(first.data.items.length === 2, "a first page of two");
const cursor = first.data.next;
if (cursor === null || cursor === undefined) throw new Error("a next page");
const second = await client.GET("/cases", {
  params: { query: { limit: 2, cursor } },
  headers: officer,
});
if (second.data === undefined) fail("second page", second.error);
const seen = new Set(first.data.items.map((s) => s.id));
check(second.data.items.every((s) => !seen.has(s.id)), "pages do not overlap");

// Register with an Idempotency-Key, twice: one case.
const intake: Intake = {
  office: "TAP",
  category: "detention",
  opened_on: "2026-03-02",
  persons: [
    {
      role: "national",
      given_names: "Ana Lucía",
      surnames: "Reyes Paz",
      birth_date: "1990-05-14",
      sex: "female",
      nationality: "HN",
      documents: [{ kind: "hn_dni", number: "0801-1990-04512" }],
      contacts: [{ kind: "phone", value: "+504 9876-5432" }],
      locations: [{ kind: "current", country: "MX", place: "Tapachula, Chiapas" }],
    },
  ],
  consent: { given: true, given_by: 0, recorded_on: "2026-03-02", scope: ["processing"] },
  facts: {
    authority: "Instituto Nacional de Migración",
    facility: "Estación Migratoria Siglo XXI",
    detention_kind: "immigration",
    arrest_date: "2026-02-27",
  },
};
const key = randomUUID();
const registered = await client.POST("/cases", {
  body: intake,
  params: { header: { "Idempotency-Key": key } },
  headers: officer,
});
if (registered.data === undefined) fail("register", registered.error);
check(registered.response.status === 201, "201 Created");
const again = await client.POST("/cases", {
  body: intake,
  params: { header: { "Idempotency-Key": key } },
  headers: officer,
});
if (again.data === undefined) fail("register again", again.error);
check(again.data.id === registered.data.id, "the same key answers the same case");
const id = registered.data.id;

// Read it.
const read = await client.GET("/cases/{id}", { params: { path: { id } }, headers: officer });
if (read.data === undefined) fail("read", read.error);
check(read.data.number === registered.data.number, "the case reads back");
const etag = read.response.headers.get("ETag");
if (etag === null) throw new Error("an ETag");

// A command with If-Match, then the same If-Match again: 409 with `current`.
const noted = await client.POST("/cases/{id}/commands", {
  params: { path: { id }, header: { "If-Match": etag } },
  body: { command: "add_note", text: "Llamada con la familia." },
  headers: officer,
});
if (noted.data === undefined) fail("command", noted.error);
check(noted.data.version === read.data.version + 1, "the command adds one event");
const stale = await client.POST("/cases/{id}/commands", {
  params: { path: { id }, header: { "If-Match": etag } },
  body: { command: "add_note", text: "Otra nota." },
  headers: officer,
});
check(stale.response.status === 409, "a stale If-Match is 409");
check(stale.error?.code === "store.conflict", "409 says store.conflict");
check(stale.error?.current === noted.data.version, "409 carries the current version");

// An invalid intake: 422 with the validation issues.
const invalid = await client.POST("/cases", {
  body: { ...intake, opened_on: "2999-01-01" },
  headers: officer,
});
check(invalid.response.status === 422, "an invalid intake is 422");
const issues = invalid.error?.issues ?? [];
check(issues.length > 0, "422 carries issues");
check(
  issues.every((i) => i.path.startsWith("/") && (i.severity === "error" || i.severity === "warning")),
  "issues have paths and severities",
);

// History, paged by sequence number.
const history = await client.GET("/cases/{id}/history", {
  params: { path: { id }, query: { limit: 1 } },
  headers: officer,
});
if (history.data === undefined) fail("history", history.error);
check(history.data.items[0]?.kind.type === "case_opened", "the history starts with case_opened");
check(history.data.next === 1, "the next page is after event 1");

// Verify.
const verdict = await client.GET("/cases/{id}/verify", { params: { path: { id } }, headers: officer });
if (verdict.data === undefined) fail("verify", verdict.error);
check(verdict.data.ok, "the chain is sound");

// A form as a PDF.
const forms = await client.GET("/cases/{id}/forms", { params: { path: { id } }, headers: officer });
if (forms.data === undefined) fail("forms", forms.error);
const form = forms.data.items[0];
if (form === undefined) throw new Error("a required form");
const pdf = await client.GET("/cases/{id}/forms/{file}", {
  params: { path: { id, file: `${form.form}.pdf` } },
  headers: officer,
  parseAs: "arrayBuffer",
});
if (pdf.data === undefined) fail("pdf", pdf.error);
check(new TextDecoder().decode(pdf.data.slice(0, 4)) === "%PDF", "a PDF");

// The access log, as an auditor: the officer's reads are there.
const log = await client.GET("/access-log", {
  params: { query: { case: id, limit: 50 } },
  headers: auditor,
});
if (log.data === undefined) fail("access log", log.error);
check(log.data.items.some((e) => e.what === "case" && e.role === "officer"), "the read is logged");

console.log("typescript flow: ok");
