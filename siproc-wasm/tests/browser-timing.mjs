// One validation in a real browser (`make bench-wasm`): the example page in headless Chromium
// imports the web build, and the page times validate(), validateField() and checkDocument() with
// performance.now() over many calls. Prints microseconds per call; benches/README.md has them.
import { readFileSync } from "node:fs";
import { join } from "node:path";

import { root } from "./load.mjs";
import { openPage } from "./browser.mjs";

const records = JSON.parse(readFileSync(join(root, "tests/conformance/intake/valid.json"), "utf8")).cases.map((c) => c.intake);
const { page, close } = await openPage();
try {
  const figures = await page.evaluate(async (records) => {
    const m = await import("/pkg/siproc_wasm.js");
    const time = (f, n) => {
      for (let i = 0; i < 500; i++) f(i);
      const samples = [];
      for (let round = 0; round < 7; round++) {
        const start = performance.now();
        for (let i = 0; i < n; i++) f(i);
        samples.push(((performance.now() - start) * 1000) / n);
      }
      samples.sort((a, b) => a - b);
      return { median: samples[3], best: samples[0] };
    };
    const options = { locale: "es" };
    return {
      userAgent: navigator.userAgent,
      "validate, detention intake (1 person, 1 phone)": time(() => m.validate(records[0], options), 5000),
      "validate, the six typical intakes in turn": time((i) => m.validate(records[i % records.length], options), 6000),
      "validateField, DNI number of the detention intake": time(() => m.validateField("/persons/0/documents/0/number", "1901-1994-04512", records[0], options), 5000),
      "checkDocument hn_dni": time(() => m.checkDocument("hn_dni", "0801-1994-04512", options), 20000),
    };
  }, records);
  console.log(figures.userAgent);
  console.log("| in Chromium | median µs / call | best µs / call |");
  console.log("|---|---:|---:|");
  for (const [what, t] of Object.entries(figures)) {
    if (typeof t === "object") console.log(`| ${what} | ${t.median.toFixed(1)} | ${t.best.toFixed(1)} |`);
  }
} finally {
  await close();
}
