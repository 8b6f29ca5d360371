// A tiny static server for the example intake page, on the loopback interface only:
//
//   make build-wasm && node examples/web/serve.mjs      # then open http://127.0.0.1:8080/
//
// It serves this folder, and the web build of the package (siproc-wasm/pkg/web) under /pkg/.
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { dirname, extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const roots = { "/pkg/": join(here, "..", "..", "siproc-wasm", "pkg", "web"), "/": here };
const types = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".png": "image/png",
};

/** Starts the server on 127.0.0.1:`port` (0 for any free port); resolves to the server. */
export function serve(port = 8080) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://localhost").pathname);
    const prefix = path.startsWith("/pkg/") ? "/pkg/" : "/";
    const root = roots[prefix];
    const file = normalize(join(root, path.slice(prefix.length) || "index.html"));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": types[extname(file)] ?? "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const server = await serve(Number(process.env.PORT ?? 8080));
  console.log(`http://127.0.0.1:${server.address().port}/`);
}
