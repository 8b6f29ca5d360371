// No input traps the module: every export is called many thousands of times with random and
// hostile values (fast-check), and each call either answers with plain data or throws an Error
// with a documented code, never a WebAssembly.RuntimeError. Afterwards a valid call still answers
// and the module's memory has not run away.
//
// SIPROC_FUZZ_CALLS sets how many calls in all (20,000 in `make test-wasm`, a million in
// `make soak-wasm`), SIPROC_FUZZ_SEED the seed; SIPROC_FUZZ_FIGURES names a JSON file the
// figures (calls, seconds, memory before and after) are written to (docs/fuzzing.md).
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";

import fc from "fast-check";

import siproc, { raw, root } from "./load.mjs";

// Before any call: the module's memory as it was instantiated.
const memoryBefore = raw.memory.buffer.byteLength;
const started = process.hrtime.bigint();

const CALLS = Number(process.env.SIPROC_FUZZ_CALLS ?? 20_000);
// Calls a run of every test below makes together: validate, validateJson, validateMany (a
// third of the runs), validateField, the contacts, checkDocument, parseMrz, catalog and
// intakeForms (two), availableCommands, and any export with any arguments.
const CALLS_PER_RUN = 1 + 1 + 1 / 3 + 1 + 1 + 1 + 1 + 2 + 1 + 1;
const RUNS = Math.ceil(CALLS / CALLS_PER_RUN);
const CODES = new Set([
  "siproc.bad_argument",
  "siproc.unknown_locale",
  "siproc.unknown_catalog",
  "siproc.too_large",
]);
const RULES = new Set(siproc.listRules().map((r) => r.code));
const valid = JSON.parse(readFileSync(join(root, "tests", "conformance", "intake", "valid.json"), "utf8"))
  .cases.map((c) => c.intake);

const isPlain = (v) => v !== null && typeof v === "object" && Object.getPrototypeOf(v) === Object.prototype;

function checkReport(report) {
  assert.ok(isPlain(report), "a report is a plain object");
  assert.equal(typeof report.ok, "boolean");
  assert.ok(Array.isArray(report.issues));
  for (const issue of report.issues) {
    assert.ok(isPlain(issue));
    assert.ok(RULES.has(issue.code), `${issue.code} is catalogued`);
    assert.equal(typeof issue.path, "string");
    assert.ok(issue.severity === "error" || issue.severity === "warning");
    assert.equal(typeof issue.message, "string");
  }
  assert.equal(report.ok, !report.issues.some((i) => i.severity === "error"));
}

/** How many calls answered and threw, by test: a test whose calls all threw proves little. */
const tally = { answered: 0, threw: 0 };

/** Calls `f`; it must return (and pass `check`) or throw a coded Error. */
function answers(f, check) {
  let result;
  try {
    result = f();
  } catch (error) {
    tally.threw++;
    assert.ok(!(error instanceof WebAssembly.RuntimeError), `the module trapped: ${error}`);
    assert.ok(error instanceof Error, `threw a non-Error: ${String(error)}`);
    assert.ok(CODES.has(error.code), `undocumented error: ${error.message}`);
    assert.ok(error.message.startsWith(`${error.code}: `), `the message starts with the code: ${error.message}`);
    return "threw";
  }
  tally.answered++;
  check(result);
  return "answered";
}

// Hostile values, beside fast-check's `anything`.
function hostile() {
  const cycle = {};
  cycle.self = cycle;
  const revoked = Proxy.revocable({}, {});
  revoked.revoke();
  const deepArray = [];
  let a = deepArray;
  for (let i = 0; i < 100_000; i++) a = a[0] = [];
  const deepObject = {};
  let o = deepObject;
  for (let i = 0; i < 100_000; i++) o = o.a = {};
  const sparse = [];
  sparse.length = 2 ** 32 - 1;
  const getter = Object.defineProperty({}, "office", { enumerable: true, get() { throw new Error("boom"); } });
  const arrayGetter = Object.defineProperty([], 0, { get() { throw new Error("boom"); } });
  const throwingProxy = new Proxy({}, { get() { throw new Error("trap"); }, ownKeys() { throw new Error("trap"); } });
  const arrayProxy = new Proxy([], { get() { throw new Error("trap"); } });
  return [
    undefined, null, 0, -0, NaN, Infinity, 1e308, -1, 2 ** 53 + 1, 10n, Symbol("s"), () => 1, "",
    "\uD800", "x".repeat(9_000_000), "a\u0000b", [], {}, cycle, revoked.proxy, deepArray, deepObject, sparse,
    getter, arrayGetter, throwingProxy, arrayProxy, new Map([["office", "TAP"]]), new Date(), /re/,
    new Uint8Array(8), Object.create(null), { toJSON() { return undefined; } }, { toJSON() { throw new Error("x"); } },
    { __proto__: { office: "TAP" } }, JSON.parse('{"__proto__": {"x": 1}}'), { constructor: 1 },
    { opened_on: "2026-02-30" }, { opened_on: "2026-03-02", persons: Array(60).fill({ role: "national" }) },
    { facts: { a: "x".repeat(3_000_000) } }, new Array(200_000).fill("x"), ["P<HND", 5], ["x".repeat(100)],
  ];
}

// fast-check inspects the values it generates, which revoked and throwing proxies do not allow:
// it generates markers, and each property swaps them for the hostile values before calling.
const HOSTILE = hostile();
class Hostile {
  constructor(i) { this.i = i; }
}
const resolve = (v) => (v instanceof Hostile ? HOSTILE[v.i] : Array.isArray(v) ? v.map(resolve) : v);

const anything = fc.oneof(
  { weight: 3, arbitrary: fc.anything({ withBigInt: true, withDate: true, withMap: true, withSet: true, withTypedArray: true, withSparseArray: true, withNullPrototype: true, withObjectString: true, withBoxedValues: true }) },
  { weight: 1, arbitrary: fc.nat(HOSTILE.length - 1).map((i) => new Hostile(i)) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 200 }) },
);
const options = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(undefined, { locale: "es" }, { locale: "en-US", catalog: "gt" }) },
  { weight: 2, arbitrary: fc.record({ locale: fc.constantFrom("es", "en", "es-HN", "fr", 7, null), catalog: fc.constantFrom("hn", "gt", "sv", "mx", "xx", undefined) }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anything },
);

/** `record` with the subtree at slot `pick` (of every key, depth first) set to `replacement`. */
function replaceSubtree(record, pick, replacement) {
  const slots = [];
  (function walk(node) {
    if (node && typeof node === "object") {
      for (const k of Object.keys(node)) {
        slots.push([node, k]);
        walk(node[k]);
      }
    }
  })(record);
  const [parent, key] = slots[pick % slots.length];
  parent[key] = resolve(replacement);
  return record;
}

/** A valid intake with one subtree replaced by a random value. */
const mutated = fc
  .tuple(fc.nat(valid.length - 1), fc.nat(), anything)
  .map(([i, pick, replacement]) => {
    const record = structuredClone(valid[i]);
    return replaceSubtree(record, pick, replacement);
  });

const documentKinds = fc.constantFrom("hn_dni", "hn_passport", "mx_curp", "sv_dui", "gt_dpi", "mrz_td3", "mx_clave_elector", "xx", "", "HN_DNI");
const documentValues = fc.oneof(
  fc.string({ maxLength: 100 }),
  fc.stringMatching(/^[0-9A-Z<\- .]{0,100}$/),
  fc.string({ unit: "binary", maxLength: 100 }),
  anything,
);

/** A case as the server returns it, with consent and a pending referral. */
const CASE = {
  id: "01950000-0000-7000-8000-000000000001", number: "TAP-2026-000001", office: "TAP",
  category: "detention", flags: [], priority: "normal", status: "in_progress", opened_on: "2026-03-01",
  persons: [{ role: "national", given_names: "Ana", surnames: "Pérez", sex: "female", birth_date: "1990-01-01", nationality: "HN" }],
  consent: { given: true, given_by: 0, recorded_on: "2026-03-01", scope: ["processing", "share_with_partners"] },
  facts: {}, notes: [], services: [], attachments: [], forms: [],
  referrals: [{ id: "01950000-0000-7000-8000-000000000101", partner: "iom", status: "pending" }],
  transfer: { to_office: "MEX", status: "pending" }, closure_requested: false, closure_approved: false,
  version: 3, created_at: "2026-03-01T14:00:00Z", updated_at: "2026-03-01T14:00:00Z", head: "00",
};
const STATUSES = ["registered", "in_progress", "awaiting_authority", "resolved", "closed", "archived"];

/** The case above in some status, with one subtree replaced by a random value (or not). */
const cases = fc
  .tuple(fc.constantFrom(...STATUSES), fc.boolean(), fc.nat(), anything)
  .map(([status, keep, pick, replacement]) => {
    const record = structuredClone(CASE);
    record.status = status;
    if (keep) return record;
    return replaceSubtree(record, pick, replacement);
  });
const actors = fc.oneof(
  { weight: 3, arbitrary: fc.record({
    user_id: fc.constantFrom("u1", "", "x".repeat(70_000)),
    role: fc.constantFrom("officer", "supervisor", "directorate", "partner", "auditor", "admin", "", "Officer"),
    office: fc.constantFrom("TAP", "MEX", "DGPHM", "", "tap"),
  }) },
  { weight: 1, arbitrary: fc.record({ user_id: anything, role: anything, office: anything }, { requiredKeys: [] }) },
  { weight: 1, arbitrary: anything },
);

function checkAvailable(offered) {
  assert.ok(Array.isArray(offered));
  for (const c of offered) {
    assert.ok(isPlain(c) && typeof c.command === "string" && Array.isArray(c.params));
    for (const p of c.params) {
      assert.ok(isPlain(p) && typeof p.name === "string" && typeof p.required === "boolean");
      assert.ok(p.choices === undefined || (Array.isArray(p.choices) && p.choices.every((x) => typeof x === "string")));
    }
  }
}

/** Plain data all the way down: what every export answers. */
function checkPlain(value, depth = 0) {
  assert.ok(depth < 64, "nested too deep");
  if (value === null || ["string", "boolean"].includes(typeof value)) return;
  if (typeof value === "number") return assert.ok(Number.isFinite(value));
  if (Array.isArray(value)) return value.forEach((v) => checkPlain(v, depth + 1));
  assert.ok(isPlain(value), `not plain data: ${Object.prototype.toString.call(value)}`);
  for (const v of Object.values(value)) checkPlain(v, depth + 1);
}

/** The shape each export answers in: the list of exports must be exactly these names. */
const SHAPES = {
  validate: checkReport,
  validateJson: checkReport,
  validateMany: (reports) => { assert.ok(Array.isArray(reports)); reports.forEach(checkReport); },
  validateField: checkReport,
  checkDocument: checkReport,
  parseMrz: (report) => { checkReport(report); assert.equal(report.ok, report.mrz !== undefined); },
  catalog: (view) => assert.ok(isPlain(view) && Array.isArray(view.fields) && Array.isArray(view.categories)),
  intakeForms: (forms) => assert.ok(Array.isArray(forms) && forms.every((f) => isPlain(f) && typeof f.title === "string")),
  availableCommands: checkAvailable,
  listRules: (rules) => assert.ok(Array.isArray(rules) && rules.length === RULES.size),
};
// The package's own functions (initSync and the default init load the module: not fuzzed).
const EXPORTS = Object.keys(siproc).filter((k) => typeof siproc[k] === "function" && k !== "default" && k !== "initSync").sort();

const params = { numRuns: RUNS, seed: Number(process.env.SIPROC_FUZZ_SEED ?? 20260302) };

test("validate answers any record and any options", () => {
  fc.assert(fc.property(fc.oneof(anything, mutated), options, (r, o) => {
    answers(() => siproc.validate(resolve(r), resolve(o)), checkReport);
  }), params);
});

test("validateJson answers any text", () => {
  fc.assert(fc.property(
    fc.oneof(fc.string({ unit: "binary", maxLength: 300 }), fc.json(), mutated.map((r) => { try { return JSON.stringify(r) ?? ""; } catch { return "{"; } }), anything),
    options,
    (t, o) => { answers(() => siproc.validateJson(resolve(t), resolve(o)), checkReport); },
  ), params);
});

test("validateMany answers any list", () => {
  fc.assert(fc.property(fc.oneof(fc.array(fc.oneof(mutated, anything), { maxLength: 8 }), anything), options, (l, o) => {
    answers(() => siproc.validateMany(resolve(l), resolve(o)), (reports) => {
      assert.ok(Array.isArray(reports));
      reports.forEach(checkReport);
    });
  }), { ...params, numRuns: Math.ceil(RUNS / 3) });
});

test("validateField answers any path, value and record", () => {
  const paths = fc.oneof(
    fc.constantFrom("", "/", "/office", "/persons/0/birth_date", "/persons/0/documents/0/number", "/persons/9/x",
      "/facts/arrest_date", "/persons/-1", "/a~1b/~0", "/facts/" + "a/".repeat(5000), "no-slash"),
    fc.string({ maxLength: 60 }),
    anything,
  );
  fc.assert(fc.property(paths, anything, fc.oneof(mutated, anything), options, (p, v, r, o) => {
    answers(() => siproc.validateField(resolve(p), resolve(v), resolve(r), resolve(o)), checkReport);
  }), params);
});

test("phone numbers and e-mail addresses: any text, any country", () => {
  // libphonenumber's patterns run on regex-lite in the package; the e-mail check is siproc's own.
  const piece = fc.oneof(
    fc.stringMatching(/^[0-9]{1,4}$/),
    fc.constantFrom("+", "00", " ", "-", "(", ")", ".", "/", " ext. ", ";ext=", " anexo ", "@", "[", "]", ":", "ñ", "☺"),
    fc.stringMatching(/^[٠-٩０-９]{1,3}$/),
    fc.string({ unit: "grapheme", maxLength: 3 }),
  );
  const text = fc.oneof(fc.array(piece, { maxLength: 14 }).map((p) => p.join("")), fc.string({ unit: "binary", maxLength: 80 }));
  const country = fc.constantFrom(undefined, "HN", "US", "MX", "ZZ", "hn", "", "HND");
  fc.assert(fc.property(fc.constantFrom("phone", "email"), text, country, (kind, value, country) => {
    const record = structuredClone(valid[0]);
    record.persons[0].contacts = [{ kind, value, ...(country === undefined ? {} : { country }) }];
    answers(() => siproc.validate(record), (report) => {
      checkReport(report);
      const codes = report.issues.filter((i) => i.path === "/persons/0/contacts/0/value").map((i) => i.code);
      assert.ok(codes.every((c) => ["phone.invalid", "email.invalid", "text.empty", "text.too_long"].includes(c)), codes.join());
    });
  }), params);
});

test("checkDocument answers any kind and value", () => {
  fc.assert(fc.property(documentKinds, documentValues, options, (k, v, o) => {
    answers(() => siproc.checkDocument(k, resolve(v), resolve(o)), (report) => {
      checkReport(report);
      assert.ok(report.issues.every((i) => i.path === ""));
    });
  }), params);
});

test("parseMrz answers any lines", () => {
  const line = fc.oneof(fc.stringMatching(/^[0-9A-Z<]{44}$/), fc.string({ maxLength: 60 }), anything);
  fc.assert(fc.property(fc.oneof(fc.array(line, { maxLength: 4 }), anything), options, (l, o) => {
    answers(() => siproc.parseMrz(resolve(l), resolve(o)), (report) => {
      checkReport(report);
      assert.equal(report.ok, report.mrz !== undefined);
    });
  }), params);
});

test("catalog, intakeForms and listRules answer anything", () => {
  fc.assert(fc.property(anything, anything, options, (a, b, o) => {
    answers(() => siproc.catalog(resolve(a), resolve(b)), (view) => {
      assert.ok(isPlain(view) && Array.isArray(view.fields) && Array.isArray(view.categories));
    });
    answers(() => siproc.intakeForms(resolve(a), resolve(o)), (forms) => {
      assert.ok(Array.isArray(forms) && forms.every((f) => isPlain(f) && typeof f.title === "string"));
    });
  }), params);
  assert.ok(siproc.listRules().length > 50);
});

test("availableCommands answers any case and any actor", () => {
  fc.assert(fc.property(fc.oneof({ weight: 4, arbitrary: cases }, { weight: 1, arbitrary: anything }), actors, options, (c, a, o) => {
    answers(() => siproc.availableCommands(resolve(c), resolve(a), resolve(o)), checkAvailable);
  }), params);
});

test("every export is fuzzed, and answers any arguments of any JS type", () => {
  assert.deepEqual(EXPORTS, Object.keys(SHAPES).sort(), "a new export needs its shape here and its own property above");
  const argument = fc.oneof(anything, mutated, cases, actors, options);
  fc.assert(fc.property(fc.constantFrom(...EXPORTS), fc.array(argument, { maxLength: 5 }), (name, args) => {
    answers(() => siproc[name](...args.map(resolve)), (result) => {
      checkPlain(result);
      SHAPES[name](result);
    });
  }), params);
});

test("most calls answered with a report rather than throwing", () => {
  assert.ok(tally.answered > (tally.answered + tally.threw) / 3, JSON.stringify(tally));
  assert.ok(tally.answered + tally.threw >= CALLS, JSON.stringify(tally));
});

test("after all that, the module still answers and its memory is bounded", () => {
  for (const record of valid) {
    const report = siproc.validate(record, { locale: "es" });
    assert.deepEqual(report, { ok: true, issues: [] });
  }
  const bad = structuredClone(valid[0]);
  bad.persons[0].documents = [{ kind: "hn_dni", number: "1901-1990-12345" }];
  bad.persons[0].birth_date = "1990-01-01";
  assert.deepEqual(siproc.validate(bad).issues.map((i) => i.code), ["dni.bad_department"]);
  const memoryAfter = raw.memory.buffer.byteLength;
  const figures = {
    calls: tally.answered + tally.threw, answered: tally.answered, threw: tally.threw,
    seconds: Number((process.hrtime.bigint() - started) / 1_000_000n) / 1000,
    memory_before_bytes: memoryBefore, memory_after_bytes: memoryAfter, seed: params.seed,
  };
  const mib = (bytes) => (bytes / 2 ** 20).toFixed(1);
  console.log(`wasm fuzz: ${figures.calls} calls (${figures.answered} answered, ${figures.threw} threw) ` +
    `in ${figures.seconds} s; memory ${mib(memoryBefore)} MiB before, ${mib(memoryAfter)} MiB after`);
  if (process.env.SIPROC_FUZZ_FIGURES) writeFileSync(process.env.SIPROC_FUZZ_FIGURES, JSON.stringify(figures, null, 2) + "\n");
  assert.ok(memoryAfter < 512 * 2 ** 20, `the module's memory grew to ${mib(memoryAfter)} MiB`);
});
