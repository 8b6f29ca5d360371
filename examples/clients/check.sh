#!/usr/bin/env bash
# The API contract as an integrator meets it, with third-party tools (pinned in package.json):
# starts the debug server on an in-memory database with demo data, fetches the served OpenAPI
# document, lints it with Redocly CLI (recommended rules; the warnings left are justified in
# .redocly.lint-ignore.yaml) and Spectral (spectral:oas, no warning), generates TypeScript
# types with openapi-typescript and runs ts/flow.ts against the server after `tsc --strict`,
# and generates a Python client with openapi-python-client and runs python/flow.py against the
# server after `mypy --strict`.
#
#   examples/clients/check.sh   (the debug server binary must be built; `npm ci` done here,
#                                python/.venv made from python/requirements.txt)
#
# The Python client is generated into a temporary folder; regenerate it by hand with
#   python/.venv/bin/openapi-python-client generate --meta none \
#     --url http://127.0.0.1:8080/api/v1/openapi.json \
#     --config python/openapi-python-client.yaml --output-path siproc_client
#
# The generated types land in ts/api.d.ts (not committed); regenerate them by hand with
#   node_modules/.bin/openapi-typescript http://127.0.0.1:8080/api/v1/openapi.json \
#     --default-non-nullable false -o ts/api.d.ts
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${SERVER_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/siproc-server}
port=${CONTRACT_PORT:-18182}
tools=$here/node_modules/.bin
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" serve --demo --rate-limit 0 --database memory: --listen "127.0.0.1:$port" > "$work/out" 2> "$work/log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
token() { awk -v r="$1" '$3 == r { print $5; exit }' "$work/out"; }
api="http://127.0.0.1:$port/api/v1"
curl -fsS "$api/openapi.json" > "$work/openapi.json"

echo "== redocly lint"
cp "$here/redocly.yaml" "$here/.redocly.lint-ignore.yaml" "$work/"
(cd "$work" && "$tools/redocly" lint --config redocly.yaml openapi.json) > "$work/redocly" 2>&1 || { cat "$work/redocly"; exit 1; }
if grep -Eq "You have [0-9]+ warning" "$work/redocly"; then cat "$work/redocly"; exit 1; fi
tail -n 3 "$work/redocly"

echo "== spectral lint"
"$tools/spectral" lint --ruleset "$here/.spectral.yaml" --fail-severity=warn "$work/openapi.json"

echo "== openapi-typescript + tsc --strict + the flow"
"$tools/openapi-typescript" "$work/openapi.json" --default-non-nullable false -o "$here/ts/api.d.ts"
rm -rf "$here/ts/out"
"$tools/tsc" -p "$here/ts"
SIPROC_URL=$api SIPROC_OFFICER=$(token officer) SIPROC_AUDITOR=$(token auditor) node "$here/ts/out/flow.js"

echo "== openapi-python-client + mypy --strict + the flow"
py=$here/python/.venv/bin
mkdir "$work/py"
(cd "$work/py" && "$py/openapi-python-client" generate --path "$work/openapi.json" --meta none \
  --config "$here/python/openapi-python-client.yaml" --output-path siproc_client) > "$work/generate" 2>&1 \
  || { cat "$work/generate"; exit 1; }
if grep -q "WARNING\|Unable to" "$work/generate"; then cat "$work/generate"; exit 1; fi
cp "$here/python/flow.py" "$here/python/mypy.ini" "$work/py/"
(cd "$work/py" && "$py/mypy" --config-file mypy.ini flow.py siproc_client)
(cd "$work/py" && SIPROC_URL=$api SIPROC_OFFICER=$(token officer) SIPROC_AUDITOR=$(token auditor) \
  SIPROC_INTAKES=$root/examples/server/demo/intakes.json "$py/python" flow.py)

if grep -q '"level":"ERROR"' "$work/log"; then
  echo "the server logged errors:"; grep '"level":"ERROR"' "$work/log" | head; exit 1
fi
