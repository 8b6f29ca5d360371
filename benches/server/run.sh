#!/usr/bin/env bash
# Load test of the reference server with wrk (Debian package, installed by `make bench-server`):
# register, get, list, command and the mixed load (80 % reads, 20 % registrations), with the
# access log on, on SQLite or PostgreSQL. Prints the machine's load and wrk's summaries.
#
#   benches/server/run.sh [sqlite|postgres] [SECONDS]
#
# The server binary must be built (make build-server). `postgres` uses the database in
# SIPROC_TEST_POSTGRES_URL (mk/with-pg.sh sets it: `mk/with-pg.sh benches/server/run.sh postgres`).
# benches/server/side_by_side.sh runs the same routes against the FastAPI peer.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
backend=${1:-sqlite}
secs=${2:-10}
bin=${SERVER_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/siproc-server}
work=$(mktemp -d)
port=${BENCH_PORT:-18080}
# shellcheck source=lib.sh
. "$here/lib.sh"
trap 'stop_servers; rm -rf "$work"' EXIT

case $backend in
  sqlite) database="sqlite://$work/bench.db" ;;
  postgres) database=${SIPROC_TEST_POSTGRES_URL:?run under mk/with-pg.sh} ;;
  *) echo "usage: $0 [sqlite|postgres] [SECONDS]"; exit 2 ;;
esac
echo "== $backend, $(nproc) cores; load before: $(load)"
start_siproc "$bin" "$database" "$port"
export INTAKE_FILE=$here/intake.json
CASE_ID=$(first_case)
export CASE_ID

echo "== register (POST /cases)"
step register 16 "$secs" "$here/register.lua" "$BASE/cases"
echo "== get (GET /cases/{id})"
step get 16 "$secs" "$here/auth.lua" "$BASE/cases/$CASE_ID"
echo "== list (GET /cases?limit=50)"
step list 16 "$secs" "$here/auth.lua" "$BASE/cases?limit=50"
echo "== mixed (80 % GET /cases/{id}, 20 % POST /cases; 16 connections)"
step mixed 16 "$secs" "$here/mixed.lua" "$BASE/cases"
echo "== command (POST /cases/{id}/commands, add_note; one case per connection)"
ids=$(curl -s -H "Authorization: Bearer $TOKEN" "$BASE/cases?limit=2&status=registered" | python3 -c 'import json,sys; print(" ".join(i["id"] for i in json.load(sys.stdin)["items"]))')
export CASE_IDS=$ids
step command 2 "$secs" "$here/command.lua" "$BASE/cases"
echo "== load after: $(load)"
