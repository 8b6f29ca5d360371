# Shared by run.sh and side_by_side.sh (sourced): starting the reference server and the peer, and
# one wrk step. The caller sets `here` (this directory), `work` (a temporary directory it removes)
# and an EXIT trap that calls stop_servers.

pids=()

# Stops the servers this script started (by their process ids).
stop_servers() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  pids=()
}

# The 1-, 5- and 15-minute load averages.
load() { cut -d' ' -f1-3 /proc/loadavg; }

# start_siproc BIN DATABASE PORT: `serve --demo` without rate limits; sets TOKEN (the
# directorate's demo token) and BASE.
start_siproc() {
  local bin=$1 database=$2 port=$3
  "$bin" serve --demo --rate-limit 0 --database "$database" --listen "127.0.0.1:$port" \
    > "$work/siproc.out" 2> "$work/siproc.log" &
  pids+=($!)
  for _ in $(seq 300); do grep -q listening "$work/siproc.out" 2>/dev/null && break; sleep 0.1; done
  TOKEN=$(awk '$2 == "token" && $3 == "directorate" { print $5 }' "$work/siproc.out")
  BASE="http://127.0.0.1:$port/api/v1"
  export TOKEN
}

# start_peer VENV DATABASE PORT WORKERS: the FastAPI peer (peer/app.py) under uvicorn; sets
# TOKEN and BASE.
start_peer() {
  local venv=$1 database=$2 port=$3 workers=$4
  TOKEN=peer-bench-$RANDOM$RANDOM
  "$venv/bin/python" "$here/peer/app.py" init "$database" "$TOKEN"
  (cd "$here/peer" && PEER_DB=$database exec "$venv/bin/uvicorn" app:app --workers "$workers" \
    --no-access-log --log-level warning --host 127.0.0.1 --port "$port") \
    > "$work/peer.out" 2>&1 &
  pids+=($!)
  BASE="http://127.0.0.1:$port/api/v1"
  for _ in $(seq 300); do
    curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/cases?limit=1" && break
    sleep 0.1
  done
  export TOKEN
}

# The id of the first case the server lists.
first_case() {
  curl -s -H "Authorization: Bearer $TOKEN" "$BASE/cases?limit=1" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])'
}

# step NAME CONNECTIONS SECONDS SCRIPT URL: one wrk run, its output kept in $work/NAME.wrk and
# printed.
step() {
  local name=$1 conns=$2 secs=$3 script=$4 url=$5
  wrk -t2 -c"$conns" -d"${secs}s" --latency -s "$script" "$url" | tee "$work/$name.wrk"
}
