// Loads the web build of the package in Node (the same files a browser gets).
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import * as siproc from "../pkg/web/siproc_wasm.js";

const here = dirname(fileURLToPath(import.meta.url));
export const root = join(here, "..", "..");
export const wasmPath = join(here, "..", "pkg", "web", "siproc_wasm_bg.wasm");
/** The module's raw exports (its `memory`, to watch its size). */
export const raw = siproc.initSync({ module: readFileSync(wasmPath) });
export default siproc;
