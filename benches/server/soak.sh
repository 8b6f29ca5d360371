#!/usr/bin/env bash
# The server's load soak (issue 31): the reference server on SQLite under the mixed load (80 %
# case reads, 20 % registrations, with the access log on) from 64 connections for SECONDS (600
# by default), while every INTERVAL seconds (60) the directorate publishes a statistics release
# (`POST /stats/releases`, last month, a new version each time) and exports every case (an
# export request, approved by a second directorate user, the archive downloaded whole). Prints,
# at each interval, the server's resident memory (and its anonymous part) and how long the release and the export took,
# then wrk's summary (latency percentiles; any non-2xx answer or socket error is listed there)
# and the load average. Fails when a release or an export is refused or wrk saw an error.
#
#   benches/server/soak.sh [SECONDS] [INTERVAL]     (make soak-server; figures in benches/README.md)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
secs=${1:-600}
interval=${2:-60}
bin=${SERVER_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/siproc-server}
work=$(mktemp -d)
port=${BENCH_PORT:-18090}
# shellcheck source=lib.sh
. "$here/lib.sh"
trap 'stop_servers; rm -rf "$work"' EXIT

database="sqlite://$work/soak.db"
echo "== soak: SQLite, 64 connections, ${secs} s; $(nproc) cores; load before: $(load)"
start_siproc "$bin" "$database" "$port"
server=${pids[0]}
second=$("$bin" token create --user soak-directorate-2 --role directorate --office DGPHM \
  --database "$database" 2>/dev/null)
export INTAKE_FILE=$here/intake.json
CASE_ID=$(first_case)
export CASE_ID
period=$(date -u -d "$(date -u +%Y-%m-01) -1 day" +%Y-%m)

# ms_since START_NS: milliseconds since START_NS.
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
# rss: the server's resident memory in MiB.
rss() { awk '/VmRSS/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status"; }
# anon: the part of it that is the process's own memory (heap, SQLite's page caches), in MiB;
# the rest is mapped files (the binary, libraries), which the kernel may take back.
anon() { awk '/RssAnon/ { printf "%.1f", $2 / 1024 }' "/proc/$server/status"; }
# call TOKEN METHOD PATH [BODY]: the answer's body; fails on a status of 400 or more.
call() {
  curl -sS --fail-with-body -X "$2" -H "Authorization: Bearer $1" \
    ${4:+-H "content-type: application/json" -d "$4"} "$BASE$3"
}

wrk -t2 -c64 -d"${secs}s" --latency -s "$here/mixed.lua" "$BASE/cases" > "$work/soak.wrk" &
load_pid=$!
started=$(date +%s)
echo "t (s)  RSS (MiB)  anonymous (MiB)  release (ms)  export (ms, bytes)"
while kill -0 "$load_pid" 2>/dev/null; do
  t=$(( $(date +%s) - started ))
  s=$(date +%s%N)
  call "$TOKEN" POST /stats/releases "{\"period\": \"$period\"}" > /dev/null
  release=$(ms_since "$s")
  s=$(date +%s%N)
  request=$(call "$TOKEN" POST /archive/requests | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  call "$second" POST "/archive/requests/$request/approve" > /dev/null
  bytes=$(call "$TOKEN" GET "/archive?request=$request" | wc -c)
  export_ms=$(ms_since "$s")
  echo "$t  $(rss)  $(anon)  $release  $export_ms, $bytes"
  for _ in $(seq "$interval"); do kill -0 "$load_pid" 2>/dev/null || break; sleep 1; done
done
wait "$load_pid"
echo "== final RSS: $(rss) MiB ($(anon) MiB anonymous); load after: $(load)"
cat "$work/soak.wrk"
if grep -qE "Non-2xx|Socket errors|other statuses [1-9]" "$work/soak.wrk"; then
  echo "the load saw errors"; exit 1
fi
