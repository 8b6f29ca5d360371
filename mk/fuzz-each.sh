#!/usr/bin/env bash
# Runs fuzz targets already built by cargo-fuzz, each for SECONDS, JOBS of them at a time (one
# libFuzzer process each), from its working corpus (fuzz/corpus/<target>) and its committed
# seeds (fuzz/seeds/<target>). libFuzzer's output goes to fuzz/logs/<target>.log and each
# target's final figures are printed. A crash, a hang (FUZZ_TIMEOUT seconds an input) or a
# leak fails the run: the log's end is printed and the input is in fuzz/artifacts/<target>/.
#
#   mk/fuzz-each.sh BIN_DIR SECONDS JOBS TARGET...
#
# BIN_DIR is where the build left the binaries (fuzz/target/<host>/debug or …/release).
# FUZZ_ARGS adds libFuzzer options.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bins=$1 secs=$2 jobs=$3
shift 3
fuzz=$root/fuzz
mkdir -p "$fuzz/logs"

one() {
  local t=$1 log=$fuzz/logs/$1.log
  mkdir -p "$fuzz/corpus/$t" "$fuzz/seeds/$t" "$fuzz/artifacts/$t"
  # shellcheck disable=SC2086 # FUZZ_ARGS is a list of options
  if ! "$bins/$t" -artifact_prefix="$fuzz/artifacts/$t/" -max_total_time="$secs" \
      -timeout="${FUZZ_TIMEOUT:-30}" -print_final_stats=1 ${FUZZ_ARGS:-} \
      "$fuzz/corpus/$t" "$fuzz/seeds/$t" >"$log" 2>&1; then
    tail -n 60 "$log"
    echo "fuzz $t FAILED: the input is in fuzz/artifacts/$t/"
    return 1
  fi
  echo "fuzz $t ($secs s): $(grep -E '^stat::number_of_executed_units' "$log" | tail -1)," \
    "$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9]+[a-zA-Z]*' "$log" | tail -1)"
}

for t in "$@"; do
  [ -x "$bins/$t" ] || { echo "fuzz target $t is not built in $bins"; exit 1; }
done
export -f one
export bins secs fuzz
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'one {}'
