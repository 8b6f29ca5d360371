#!/usr/bin/env bash
# Issue 34's PostgreSQL scale-out: two reference servers (two processes) on one PostgreSQL
# database, wrk's 16 connections spread over both (spread.lua: one wrk thread, 8 connections,
# per server) for register, get and the mixed load (80 % reads, 20 % registrations); then the
# case numbers of the office are checked gap-free. Prints the machine's load and wrk's summaries.
#
#   mk/with-pg.sh benches/server/scale.sh [SECONDS]
#
# The servers listen on 127.0.0.1, ports BENCH_PORT and BENCH_PORT+1 (default 18300, 18301);
# the first is started with --demo (its directorate token serves both: the tokens are in the
# database). The server binary must be built (make build-server).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-10}
bin=${SERVER_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/siproc-server}
work=$(mktemp -d)
port=${BENCH_PORT:-18300}
second=$((port + 1))
# shellcheck source=lib.sh
. "$here/lib.sh"
trap 'stop_servers; rm -rf "$work"' EXIT
database=${SIPROC_TEST_POSTGRES_URL:?run under mk/with-pg.sh}

echo "== postgres, two servers on one database, $(nproc) cores; load before: $(load)"
start_siproc "$bin" "$database" "$port"
# The demo's cases take a while on a loaded machine: wait up to two minutes for the first server.
for _ in $(seq 1200); do grep -q listening "$work/siproc.out" 2>/dev/null && break; sleep 0.1; done
TOKEN=$(awk '$2 == "token" && $3 == "directorate" { print $5 }' "$work/siproc.out")
export TOKEN
grep -q listening "$work/siproc.out" || { echo "the first server did not start:"; tail -5 "$work/siproc.log"; exit 1; }
"$bin" serve --rate-limit 0 --database "$database" --listen "127.0.0.1:$second" \
  > "$work/second.out" 2> "$work/second.log" &
pids+=($!)
for _ in $(seq 600); do grep -q listening "$work/second.out" 2>/dev/null && break; sleep 0.1; done
grep -q listening "$work/second.out" || { echo "the second server did not start:"; tail -5 "$work/second.log"; exit 1; }
export INTAKE_FILE=$here/intake.json PORTS="$port $second"
CASE_ID=$(first_case)
export CASE_ID

spread() {
  local name=$1 script=$2 url=$3
  STEP_SCRIPT=$script step "$name" 16 "$secs" "$here/spread.lua" "$url"
}
echo "== register (POST /cases), 8 connections to each server"
spread register "$here/register.lua" "$BASE/cases"
echo "== get (GET /cases/{id}), 8 connections to each server"
spread get "$here/auth.lua" "$BASE/cases/$CASE_ID"
echo "== mixed (80 % GET /cases/{id}, 20 % POST /cases), 8 connections to each server"
spread mixed "$here/mixed.lua" "$BASE/cases"
echo "== load after: $(load)"

# Every office's numbers of the year run 1..n without a gap or a repeat.
psql_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)/psql
"$psql_bin" "$database" -At -c "
  SELECT office, count(*), max(split_part(number, '-', 3)::int),
         count(DISTINCT number) = count(*)
  FROM cases WHERE number LIKE '%-' || extract(year FROM now())::text || '-%'
  GROUP BY office ORDER BY office" |
  while IFS='|' read -r office n highest distinct; do
    if [ "$n" = "$highest" ] && [ "$distinct" = t ]; then verdict="gap-free"; else verdict="NOT gap-free"; fi
    echo "numbers of $office this year: $n cases, highest $highest: $verdict"
  done
