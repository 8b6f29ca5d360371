// A real siproc-server for the browser tests: the debug build (`cargo build -p siproc-server`),
// on 127.0.0.1 with a free port, a fresh SQLite database in a temporary folder and `--demo`
// tokens, read from what it prints.
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * Starts the server (on `listen`, any free port by default; `env`: more environment variables,
 * such as options); resolves to { url, tokens: {user id → token}, signins: {user id →
 * { secret, codes }}, password, stop() }: the demo users' API tokens, and how each signs in (the
 * demo password, their second factor's secret in base32 and their recovery codes), and the
 * binary and database URL (for the shell's verbs).
 */
export async function startServer({ listen = "127.0.0.1:0", env = {} } = {}) {
  const dir = await mkdtemp(join(tmpdir(), "siproc-web-"));
  const binary = process.env.SIPROC_SERVER ?? join(root, "target", "debug", "siproc-server");
  const child = spawn(binary, ["serve", "--demo", "--database", `sqlite://${join(dir, "siproc.db")}`,
    "--listen", listen, "--rate-limit", "0"], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, RUST_LOG: "warn", ...env } });
  const tokens = {};
  const signins = {};
  let password = null;
  let log = "";
  child.stderr.on("data", (d) => { log += d; });
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`siproc-server did not start:\n${out}\n${log}`)), 60_000);
    child.on("exit", (code) => reject(new Error(`siproc-server exited (${code}):\n${out}\n${log}`)));
    child.stdout.on("data", (d) => {
      out += d;
      for (const m of out.matchAll(/^demo token\s+\S+\s+(\S+)\s+(\S+)$/gm)) tokens[m[1]] = m[2];
      for (const m of out.matchAll(/^demo signin\s+\S+\s+(\S+)\s+(\S+)\s+(.+)$/gm)) signins[m[1]] = { secret: m[2], codes: m[3].trim().split(/\s+/) };
      password ??= out.match(/^demo sign-in: login, password "([^"]+)"/m)?.[1] ?? null;
      const listening = out.match(/listening on (http:\/\/[\d.]+:\d+)\//);
      if (listening) {
        clearTimeout(timer);
        resolve(listening[1]);
      }
    });
  });
  const stop = async () => {
    child.kill("SIGTERM");
    await new Promise((r) => (child.exitCode !== null ? r() : child.on("exit", r)));
    await rm(dir, { recursive: true, force: true });
  };
  const database = `sqlite://${join(dir, "siproc.db")}`;
  return { url, tokens, signins, password, binary, database, stop, log: () => log };
}

/** Calls the API as `token` from Node. */
export async function call(url, path, { token, method = "GET", body, headers = {} } = {}) {
  const response = await fetch(`${url}/api/v1${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { "content-type": "application/json" } : {}), ...headers },
    body: body ? JSON.stringify(body) : undefined,
  });
  const type = response.headers.get("content-type") ?? "";
  return { status: response.status, headers: response.headers, data: type.includes("json") ? await response.json() : Buffer.from(await response.arrayBuffer()) };
}
