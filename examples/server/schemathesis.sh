#!/usr/bin/env bash
# Checks the API against its own OpenAPI document with schemathesis: starts the debug server
# on an in-memory database with demo data, then lets schemathesis generate requests for every
# route (as the directorate and as an officer) and fails on any 5xx, and on any answer whose
# status, content type, headers or body the document does not describe (response-schema
# conformance: every typed body is checked against its schema).
#
#   examples/server/schemathesis.sh VENV_DIR   (the debug server binary must be built)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
venv=$1
bin=${SERVER_BIN:-${CARGO_TARGET_DIR:-$root/target}/debug/siproc-server}
port=${SCHEMATHESIS_PORT:-18181}
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
"$bin" serve --demo --rate-limit 0 --database memory: --listen "127.0.0.1:$port" > "$work/out" 2> "$work/log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
for role in directorate officer; do
  token=$(awk -v r="$role" '$3 == r { print $5; exit }' "$work/out")
  # One of the role's demo cases, so that the case operations answer with real cases (and
  # their bodies are checked against the document) rather than 404s.
  case_id=$(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/cases?limit=1" \
    | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["items"][0]["id"])')
  printf '[parameters]\n"path.id" = "%s"\n' "$case_id" > "$work/$role.toml"
  echo "== schemathesis as $role (case $case_id)"
  "$venv/bin/schemathesis" --config-file "$work/$role.toml" run "http://127.0.0.1:$port/api/v1/openapi.json" \
    --url "http://127.0.0.1:$port/api/v1" \
    -H "Authorization: Bearer $token" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance \
    --max-examples "${SCHEMATHESIS_EXAMPLES:-20}" --workers 1 \
    --suppress-health-check all
done
if grep -q '"level":"ERROR"' "$work/log"; then
  echo "the server logged errors:"; grep '"level":"ERROR"' "$work/log" | head; exit 1
fi
