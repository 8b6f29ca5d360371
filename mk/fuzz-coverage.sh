#!/usr/bin/env bash
# Line coverage of fuzz target $1 over siproc's own sources (siproc-core and the server), from
# the profile `cargo fuzz coverage $1` left in fuzz/coverage/$1/: llvm-cov's report, its last
# line the total. Called by `make fuzz-coverage` (mk/fuzz.mk).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
target=$1
sysroot=$(rustc +nightly --print sysroot)
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
llvm_cov=$sysroot/lib/rustlib/$host/bin/llvm-cov
binary=$root/fuzz/target/$host/coverage/$host/release/$target
"$llvm_cov" report "$binary" -instr-profile="$root/fuzz/coverage/$target/coverage.profdata" \
  -ignore-filename-regex='(\.cargo/registry|rustc/|/fuzz/|/library/)' \
  | awk 'NR > 2 && !/^-+$/'
