// siproc-wasm's validate beside Ajv, in Node, on the same 100,000 records (`make bench-wasm`).
//
// The records are the typical intakes of the conformance corpus (tests/conformance/intake/valid.json)
// with their national's names varied, as in benches/src/lib.rs. Ajv is compiled from the published
// JSON Schema of an intake (siproc-core/schema/intake.schema.json) with ajv-formats and a custom
// keyword that applies siproc's identity-document rules (written here in JavaScript, Ajv's side).
// siproc is measured through each way a record can cross into WebAssembly.
//
// Prints a Markdown table; figures go to benches/README.md ("WebAssembly").
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

import { checkDocument } from "./documents.mjs";

const require = createRequire(import.meta.url);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
// The nodejs build of the package, with the bench-only export validateWalk (make bench-wasm).
const siproc = require("./pkg/siproc_wasm.js");

const N = Number(process.env.SIPROC_BENCH_N ?? 100_000);
const GIVEN = ["María José", "José Ángel", "Ana Lucía", "Wilmer", "Dayana", "Kevin Alexander", "Rosa Elvira", "Juan Carlos"];
const SURNAMES = ["Núñez Güity", "Peña Zúniga", "López", "Hernández O'Neil", "Maradiaga", "Ramírez", "Castro", "Mejía Andino"];
const typical = JSON.parse(readFileSync(join(root, "tests/conformance/intake/valid.json"), "utf8")).cases.map((c) => c.intake);
const records = Array.from({ length: N }, (_, i) => {
  const r = structuredClone(typical[i % typical.length]);
  r.persons[0].given_names = GIVEN[i % 8];
  r.persons[0].surnames = SURNAMES[Math.floor(i / 8) % 8];
  return r;
});
const texts = records.map((r) => JSON.stringify(r));

// Ajv, compiled from the published schema; the document keyword sits on IdentityDocument.
const schema = JSON.parse(readFileSync(join(root, "siproc-core/schema/intake.schema.json"), "utf8"));
const withDocuments = structuredClone(schema);
withDocuments.$defs.IdentityDocument.siprocDocument = true;
function ajv({ formats, documents }) {
  const a = new Ajv2020({ allErrors: true, strict: false, validateFormats: formats });
  if (formats) {
    addFormats(a);
    // schemars' integer formats.
    const natural = { type: "number", validate: (n) => Number.isInteger(n) && n >= 0 };
    a.addFormat("uint", natural);
    a.addFormat("uint64", natural);
  }
  if (documents) {
    a.addKeyword({
      keyword: "siprocDocument",
      type: "object",
      errors: false,
      validate: (_, doc) => typeof doc.kind === "string" && typeof doc.number === "string" && checkDocument(doc.kind, doc.number),
    });
  }
  return a.compile(documents ? withDocuments : schema);
}

// The document keyword must agree with siproc on the document corpus: valid or not, case by case.
let agree = 0;
let cases = 0;
for (const name of ["hn_dni", "hn_passport", "mx_curp", "sv_dui", "gt_dpi", "mrz_td3"]) {
  const doc = JSON.parse(readFileSync(join(root, "tests/conformance/documents", `${name}.json`), "utf8"));
  for (const c of doc.cases.filter((c) => c.check_document)) {
    cases++;
    if (checkDocument(c.check_document.kind, c.check_document.value) === (c.expected.length === 0)) agree++;
  }
}

/** Runs `f` over every record, best of `rounds`; returns records per second. */
function rate(f, rounds = 3) {
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    let ok = 0;
    for (let i = 0; i < N; i++) if (f(i)) ok++;
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (ok !== N) throw new Error(`${ok} of ${N} records valid`);
    best = Math.min(best, seconds);
  }
  return N / best;
}

function batchRate(size) {
  let best = Infinity;
  for (let r = 0; r < 3; r++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < N; i += size) {
      const reports = siproc.validateMany(records.slice(i, i + size), { locale: "es" });
      if (!reports.every((x) => x.ok)) throw new Error("a record is not valid");
    }
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e9);
  }
  return N / best;
}

const plain = ajv({ formats: false, documents: false });
const formats = ajv({ formats: true, documents: false });
const full = ajv({ formats: true, documents: true });
const options = { locale: "es" };
const rows = [
  ["Ajv, schema only", rate((i) => plain(records[i]))],
  ["Ajv + ajv-formats", rate((i) => formats(records[i]))],
  ["Ajv + formats + document keyword", rate((i) => full(records[i]))],
  ["Ajv + formats + documents, from JSON text (JSON.parse first)", rate((i) => full(JSON.parse(texts[i])))],
  ["JSON.stringify alone (the crossing of validate)", rate((i) => JSON.stringify(records[i]).length > 0)],
  ["siproc validate(object)", rate((i) => siproc.validate(records[i], options).ok)],
  ["siproc validateJson(text)", rate((i) => siproc.validateJson(texts[i], options).ok)],
  ["siproc validateWalk(object): serde-wasm-bindgen, no text", rate((i) => siproc.validateWalk(records[i]).ok)],
  ["siproc validateMany, 100 records a call", batchRate(100)],
  ["siproc validateMany, 1,000 records a call", batchRate(1000)],
];

console.log(`Node ${process.version}, ${N} records; document keyword agrees with siproc on ${agree} of ${cases} document cases\n`);
console.log("| what | records / s | µs / record |");
console.log("|---|---:|---:|");
for (const [what, r] of rows) {
  console.log(`| ${what} | ${Math.round(r).toLocaleString("en")} | ${(1e6 / r).toFixed(2)} |`);
}
