// Writes pkg/<target>/package.json for the package wasm-bindgen generated (`make build-wasm`):
// node scripts/package-json.mjs web|bundler
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const crate = join(dirname(fileURLToPath(import.meta.url)), "..");
const target = process.argv[2];
if (target !== "web" && target !== "bundler") {
  throw new Error("usage: package-json.mjs web|bundler");
}
const workspace = readFileSync(join(crate, "..", "Cargo.toml"), "utf8");
const version = /\[workspace\.package\][^[]*?\nversion = "([^"]+)"/.exec(workspace)?.[1];
if (!version) throw new Error("no version in the workspace Cargo.toml");
const files = ["siproc_wasm_bg.wasm", "siproc_wasm.js", "siproc_wasm.d.ts", "siproc_wasm_bg.wasm.d.ts"];
if (target === "bundler") files.push("siproc_wasm_bg.js");
const pkg = {
  name: "siproc-wasm",
  version,
  description:
    "siproc's validation in the browser: consular protection intakes, identity documents (DNI, CURP, DUI, DPI, MRZ), the same verdicts and messages as the server.",
  license: "Apache-2.0 OR MIT",
  type: "module",
  main: "siproc_wasm.js",
  module: "siproc_wasm.js",
  types: "siproc_wasm.d.ts",
  files,
  // The web build runs nothing on import; the bundler build instantiates the module on import.
  sideEffects: target === "bundler" ? ["./siproc_wasm.js", "./snippets/*"] : false,
};
writeFileSync(join(crate, "pkg", target, "package.json"), JSON.stringify(pkg, null, 2) + "\n");
