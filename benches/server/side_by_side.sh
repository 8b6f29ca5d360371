#!/usr/bin/env bash
# The reference server against the FastAPI + pydantic v2 + SQLite peer (peer/app.py, its pinned
# requirements in peer/requirements.txt), on SQLite, alternating: each round runs both, one after
# the other, the first of the pair swapped every round, each on a fresh database. Each run:
# register, get (the access-log row durable before the answer), list (50 a page) and the mixed
# load (80 % reads, 20 % registrations), 16 connections, SECONDS each. Prints the load average
# before each run and, at the end, every round's figures and the median ratios.
#
#   benches/server/side_by_side.sh [ROUNDS] [SECONDS]     (defaults 3 and 5)
#
# The release server must be built (make build-server); the peer's virtualenv is made under
# target/ on first use. PEER_WORKERS uvicorn worker processes (default: one a core).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
rounds=${1:-3}
secs=${2:-5}
target=${CARGO_TARGET_DIR:-$root/target}
bin=${SERVER_BIN:-$target/release/siproc-server}
venv=$target/peer-venv
workers=${PEER_WORKERS:-$(nproc)}
work=$(mktemp -d)
# shellcheck source=lib.sh
. "$here/lib.sh"
trap 'stop_servers; rm -rf "$work"' EXIT

stamp=$venv/.requirements-$(sha256sum "$here/peer/requirements.txt" | cut -c1-16)
if [ ! -e "$stamp" ]; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/peer/requirements.txt"
  touch "$stamp"
fi
export INTAKE_FILE=$here/intake.json
results=$work/results.tsv

# run ROUND SERVER: one server on a fresh database, every step, its figures added to results.
run() {
  local round=$1 server=$2 db=$work/$2-$1.db
  echo "== round $round, $server; load before: $(load)"
  case $server in
    siproc) start_siproc "$bin" "sqlite://$db" 18180 ;;
    peer) start_peer "$venv" "$db" 18181 "$workers" ;;
  esac
  # One registration first: the peer starts empty (the reference server has its demo cases).
  curl -s -o /dev/null -X POST -H "Authorization: Bearer $TOKEN" \
    -H "Content-Type: application/json" --data-binary "@$INTAKE_FILE" "$BASE/cases"
  CASE_ID=$(first_case)
  export CASE_ID
  step register 16 "$secs" "$here/register.lua" "$BASE/cases" > /dev/null
  step get 16 "$secs" "$here/auth.lua" "$BASE/cases/$CASE_ID" > /dev/null
  step list 16 "$secs" "$here/auth.lua" "$BASE/cases?limit=50" > /dev/null
  step mixed 16 "$secs" "$here/mixed.lua" "$BASE/cases" > /dev/null
  stop_servers
  python3 - "$work" "$round" "$server" "$(load)" >> "$results" <<'PY'
import re, sys
work, round_, server, load = sys.argv[1:]
for name in ("register", "get", "list", "mixed"):
    text = open(f"{work}/{name}.wrk").read()
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", text)
    ms = float(p99.group(1)) * {"us": 1e-3, "ms": 1.0, "s": 1e3}[p99.group(2)]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    mixed = re.search(r"reads \d+ \(([\d.]+)/s\), registrations \d+ \(([\d.]+)/s\)", text)
    extra = f"{mixed.group(1)} reads/s + {mixed.group(2)} registrations/s" if mixed else ""
    print(f"{round_}\t{server}\t{name}\t{rate:.0f}\t{ms:.1f}\t{errors.group(1) if errors else 0}\t{load}\t{extra}")
PY
  tail -4 "$results"
}

for round in $(seq "$rounds"); do
  if [ $((round % 2)) -eq 1 ]; then order="siproc peer"; else order="peer siproc"; fi
  for server in $order; do run "$round" "$server"; done
done

echo "== every run (round, server, route, requests/s, p99 ms, non-2xx, load after, mixed split)"
cat "$results"
echo "== medians over $rounds rounds"
python3 - "$results" <<'PY'
import statistics, sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
print(f"{'route':<10}{'siproc/s':>10}{'p99 ms':>8}{'peer/s':>10}{'p99 ms':>8}{'ratio':>8}")
for name in ("register", "get", "list", "mixed"):
    med = {}
    for server in ("siproc", "peer"):
        picked = [r for r in rows if r[1] == server and r[2] == name]
        med[server] = (statistics.median(float(r[3]) for r in picked),
                       statistics.median(float(r[4]) for r in picked))
    (s, sp), (p, pp) = med["siproc"], med["peer"]
    print(f"{name:<10}{s:>10.0f}{sp:>8.1f}{p:>10.0f}{pp:>8.1f}{s / p:>7.1f}x")
PY
echo "== load after: $(load)"
