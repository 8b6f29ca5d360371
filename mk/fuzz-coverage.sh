#!/usr/bin/env bash
# Line coverage over siproc's own sources (siproc-core and the server) of fuzz target $1, from
# the profile `cargo fuzz coverage $1` left in fuzz/coverage/$1/: llvm-cov's report, its last
# line the total. Given several targets, the union: their profiles merged, every target's
# binary read. Called by `make fuzz-coverage` (mk/fuzz.mk).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
sysroot=$(rustc +nightly --print sysroot)
host=$(rustc +nightly -vV | sed -n 's/^host: //p')
tools=$sysroot/lib/rustlib/$host/bin

# `make fuzz-coverage` builds unoptimised (`-D`): cargo-fuzz leaves the binary under debug/ of
# a `coverage` directory in the repository's target directory (older cargo-fuzz: fuzz's own).
binary_of() {
  local dir candidate
  for dir in "$root/target" "$root/fuzz/target"; do
    candidate=$dir/$host/coverage/$host/debug/$1
    if [ -x "$candidate" ]; then echo "$candidate"; return; fi
  done
  echo "no coverage build of $1 (run \`cargo fuzz coverage -D $1\`)" >&2
  exit 1
}

objects=()
profiles=()
for target in "$@"; do
  objects+=("$(binary_of "$target")")
  profiles+=("$root/fuzz/coverage/$target/coverage.profdata")
done
profile=${profiles[0]}
if [ $# -gt 1 ]; then
  profile=$root/fuzz/coverage/all.profdata
  "$tools/llvm-profdata" merge -sparse "${profiles[@]}" -o "$profile"
fi
# The first binary, then `-object` for each other one.
others=()
for object in "${objects[@]:1}"; do others+=(-object "$object"); done
"$tools/llvm-cov" report "${objects[0]}" "${others[@]}" -instr-profile="$profile" \
  -ignore-filename-regex='(\.cargo/registry|rustc/|/fuzz/|/library/|/target/)' \
  | awk 'NR > 2 && !/^-+$/'
