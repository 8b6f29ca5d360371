// The TypeScript declarations checked against what the functions really return: real outputs
// (every corpus case's report, MRZ reports with and without fields, every pack's catalog in both
// locales, intake forms, the rule catalogue) are written as typed constants of a TypeScript file
// and `tsc --strict` checks it. The result types are declared from siproc-core's Rust types
// (tsify); an object literal with a property the declaration lacks, or without one it requires,
// fails here.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import siproc, { root } from "./load.mjs";

const crate = join(root, "siproc-wasm");
const out = join(root, "target", "ts-outputs");

/** A registered case with consent and a pending referral, as the server returns it. */
export const CASE = {
  id: "01950000-0000-7000-8000-000000000001", number: "TAP-2026-000001", office: "TAP",
  category: "detention", flags: [], priority: "normal", status: "in_progress", opened_on: "2026-03-01",
  persons: [{ role: "national", given_names: "Ana", surnames: "Pérez", sex: "female", birth_date: "1990-01-01", nationality: "HN" }],
  consent: { given: true, given_by: 0, recorded_on: "2026-03-01", scope: ["processing", "share_with_partners"] },
  facts: {}, notes: [], services: [], attachments: [], forms: [],
  referrals: [{ id: "01950000-0000-7000-8000-000000000101", partner: "iom", status: "pending" }],
  version: 3, created_at: "2026-03-01T14:00:00Z", updated_at: "2026-03-01T14:00:00Z", head: "00",
};

/** Real outputs, each with the declared type it must satisfy. */
function outputs() {
  const typed = [];
  const corpus = join(root, "tests", "conformance");
  for (const file of readdirSync(corpus, { recursive: true }).filter((f) => f.endsWith(".json")).sort()) {
    for (const c of JSON.parse(readFileSync(join(corpus, file), "utf8")).cases) {
      if (c.misuse !== undefined) continue;
      const options = { locale: c.locale ?? "es", catalog: c.catalog ?? "hn" };
      if (c.intake !== undefined) typed.push(["Report", siproc.validate(c.intake, options)]);
      if (c.json !== undefined) typed.push(["Report", siproc.validateJson(c.json, options)]);
      if (c.check_document) {
        typed.push(["Report", siproc.checkDocument(c.check_document.kind, c.check_document.value, options)]);
      }
      if (c.parse_mrz) typed.push(["MrzReport", siproc.parseMrz(c.parse_mrz, options)]);
      if (c.intake !== undefined) typed.push(["Form[]", siproc.intakeForms(c.intake, options)]);
    }
  }
  for (const pack of ["hn", "gt", "sv", "mx"]) {
    for (const locale of ["es", "en"]) typed.push(["CatalogView", siproc.catalog(locale, pack)]);
  }
  typed.push(["Rule[]", siproc.listRules()]);
  for (const role of ["officer", "supervisor", "auditor"]) {
    typed.push(["AvailableCommand[]", siproc.availableCommands(CASE, { user_id: "u1", role, office: "TAP" })]);
  }
  typed.push(["Report", siproc.validateField("/persons/0/birth_date", "2099-01-01", {}, { locale: "en" })]);
  typed.push(["Report[]", siproc.validateMany([{}, { office: "TAP" }])]);
  return typed;
}

test("real outputs satisfy the generated TypeScript declarations (tsc --strict)", () => {
  const typed = outputs();
  const kinds = new Set(typed.map(([t]) => t));
  for (const t of ["Report", "MrzReport", "CatalogView", "Form[]", "Rule[]", "AvailableCommand[]"]) assert.ok(kinds.has(t), t);
  assert.ok(typed.some(([t, v]) => t === "AvailableCommand[]" && v.some((a) => a.params.some((p) => p.choices))), "choices");
  assert.ok(typed.some(([t, v]) => t === "MrzReport" && v.mrz !== undefined), "an MRZ with its fields");
  mkdirSync(out, { recursive: true });
  const pkg = join(crate, "pkg", "web", "siproc_wasm.js");
  const lines = [
    `import type { AvailableCommand, CatalogView, Form, MrzReport, Report, Rule } from ${JSON.stringify(pkg)};`,
    ...typed.map(([t, v], i) => `export const output${i}: ${t} = ${JSON.stringify(v)};`),
  ];
  writeFileSync(join(out, "outputs.ts"), lines.join("\n") + "\n");
  writeFileSync(
    join(out, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2022",
        module: "es2022",
        moduleResolution: "bundler",
        strict: true,
        exactOptionalPropertyTypes: true,
        noEmit: true,
        skipLibCheck: false,
        lib: ["es2022", "dom"],
      },
      files: ["outputs.ts"],
    }),
  );
  try {
    execFileSync(join(crate, "node_modules", ".bin", "tsc"), ["-p", join(out, "tsconfig.json")], {
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (e) {
    assert.fail(`tsc refused real outputs:\n${e.stdout}${e.stderr}`);
  }
});
