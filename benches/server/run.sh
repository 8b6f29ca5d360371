#!/usr/bin/env bash
# Load test of the reference server with wrk (Debian package, installed by `make bench-server`):
# register, get, command and list, with the access log on, on SQLite. Prints wrk's summaries.
#
#   benches/server/run.sh [SECONDS]     (the server binary must be built: make build-server)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-10}
bin=${SERVER_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/siproc-server}
work=$(mktemp -d)
port=${BENCH_PORT:-18080}
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT

"$bin" serve --demo --rate-limit 0 --database "sqlite://$work/bench.db" --listen "127.0.0.1:$port" \
  > "$work/out" 2> "$work/log" &
pid=$!
for _ in $(seq 100); do grep -q listening "$work/out" 2>/dev/null && break; sleep 0.1; done
token=$(awk '$3 == "directorate" { print $5 }' "$work/out")
base="http://127.0.0.1:$port/api/v1"
export TOKEN=$token INTAKE_FILE=$here/intake.json
case_id=$(curl -s -H "Authorization: Bearer $token" "$base/cases?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

echo "== register (POST /cases)"
wrk -t2 -c16 -d"${secs}s" --latency -s "$here/register.lua" "$base/cases"
echo "== get (GET /cases/{id})"
wrk -t2 -c16 -d"${secs}s" --latency -s "$here/auth.lua" "$base/cases/$case_id"
echo "== list (GET /cases?limit=50)"
wrk -t2 -c16 -d"${secs}s" --latency -s "$here/auth.lua" "$base/cases?limit=50"
echo "== command (POST /cases/{id}/commands, add_note; one case per connection)"
ids=$(curl -s -H "Authorization: Bearer $token" "$base/cases?limit=2&status=registered" | python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(sys.stdin)["items"]))')
export CASE_IDS=$ids
wrk -t2 -c2 -d"${secs}s" --latency -s "$here/command.lua" "$base/cases"
