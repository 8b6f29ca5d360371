// The WebAssembly side of the conformance corpus: every case of every file under
// tests/conformance/ through the package's exports must give exactly the issues the Rust core
// gives (the expected ones), with messages rendered from the rule catalogue of listRules().
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import siproc, { root } from "./load.mjs";

const corpusDir = join(root, "tests", "conformance");
const files = readdirSync(corpusDir, { recursive: true })
  .filter((f) => f.endsWith(".json"))
  .sort();
const rules = new Map(siproc.listRules().map((r) => [r.code, r]));

/** Issues as sorted `code path severity` lines: a multiset compared exactly. */
const comparable = (issues) => issues.map((i) => `${i.code} ${JSON.stringify(i.path)} ${i.severity}`).sort();

function run(c) {
  const options = { locale: c.locale ?? "es", catalog: c.catalog ?? "hn" };
  if (c.intake !== undefined) return { report: siproc.validate(c.intake, options) };
  if (c.json !== undefined) return { report: siproc.validateJson(c.json, options) };
  if (c.check_document) {
    return { report: siproc.checkDocument(c.check_document.kind, c.check_document.value, options) };
  }
  if (c.parse_mrz) {
    const report = siproc.parseMrz(c.parse_mrz, options);
    return { report, fields: report.mrz };
  }
  throw new Error(`case ${c.name} has no input`);
}

test("the corpus is all there", () => {
  assert.ok(files.length >= 16, `${files.length} files`);
  const cases = files.flatMap((f) => JSON.parse(readFileSync(join(corpusDir, f), "utf8")).cases);
  assert.ok(cases.length > 150, `${cases.length} cases`);
});

for (const file of files) {
  const doc = JSON.parse(readFileSync(join(corpusDir, file), "utf8"));
  test(file, () => {
    const failures = [];
    for (const c of doc.cases) {
      if (c.misuse !== undefined) {
        // Misuse is refused with a thrown Error whose code is the core's.
        assert.throws(() => run(c), (error) => error instanceof Error && error.code === c.misuse, c.name);
        continue;
      }
      const { report, fields } = run(c);
      const got = comparable(report.issues);
      const want = comparable(c.expected);
      if (JSON.stringify(got) !== JSON.stringify(want)) {
        failures.push(`${c.name}:\n  expected ${JSON.stringify(want)}\n  got      ${JSON.stringify(got)}`);
        continue;
      }
      const ok = !c.expected.some((e) => e.severity === "error");
      if (report.ok !== ok) failures.push(`${c.name}: ok is ${report.ok}`);
      for (const [k, v] of Object.entries(c.fields ?? {})) {
        if (fields?.[k] !== v) failures.push(`${c.name}: field ${k}: expected ${v}, got ${fields?.[k]}`);
      }
      for (const issue of report.issues) {
        const rule = rules.get(issue.code);
        if (!rule) {
          failures.push(`${c.name}: ${issue.code} is not in listRules()`);
          continue;
        }
        const template = (c.locale ?? "es").startsWith("en") ? rule.en : rule.es;
        if (!template.includes("{") && issue.message !== template) {
          failures.push(`${c.name}: the message of ${issue.code} differs from its template`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });
}
