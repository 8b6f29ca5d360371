#!/usr/bin/env bash
# Runs a command with a private PostgreSQL server, then stops the server (also on failure).
#
#   mk/with-pg.sh cargo test ...
#
# The cluster lives in target/pg (made by initdb on first use), owned by the user `postgres`
# when run as root (PostgreSQL refuses to run as root), listening on 127.0.0.1 and a private
# socket directory on a private port (SIPROC_PG_PORT, default 55432). Each run starts from a
# fresh database `siproc_test`; its URL is exported as SIPROC_TEST_POSTGRES_URL.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
dir=${SIPROC_PG_DIR:-$root/target/pg}
port=${SIPROC_PG_PORT:-55432}
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "PostgreSQL is not installed (make setup-pg installs it)"; exit 1; }

if [ "$(id -u)" = 0 ]; then
  as_pg() { runuser -u postgres -- "$@"; }
  owner=postgres
else
  as_pg() { "$@"; }
  owner=$(id -un)
fi

mkdir -p "$dir/sock"
chown -R "$owner" "$dir"
chmod 700 "$dir"
if [ ! -f "$dir/data/PG_VERSION" ]; then
  rm -rf "$dir/data"
  as_pg "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
fi
# A server left running by an interrupted run is stopped first.
as_pg "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1 && as_pg "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null

stop() { as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; }
trap stop EXIT
as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
  -o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c max_connections=400 -c synchronous_commit=on -c fsync=on" \
  start >/dev/null
as_pg "$bin/psql" -q -h "$dir/sock" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
  -c "DROP DATABASE IF EXISTS siproc_test" -c "CREATE DATABASE siproc_test" >/dev/null

export SIPROC_TEST_POSTGRES_URL="postgresql://postgres@127.0.0.1:$port/siproc_test"
"$@"
