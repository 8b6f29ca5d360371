#!/usr/bin/env bash
# Builds the Debian package of siproc-server with cargo-deb, installs it on this machine with
# dpkg, runs the installed binary (`--version`, `config check` of the installed configuration),
# checks the files it installed, and removes it (`dpkg -r`, then `--purge` for the conffiles).
#
#   deploy/test-deb.sh                  (make test-deb; needs root and cargo-deb)
#   DEB_PROFILE=dev deploy/test-deb.sh  the same from the debug build the tests already made
#                                       (target/debug/siproc-server, not built again: cargo-deb's
#                                       own build would use other features and rebuild a third
#                                       of it; a quick check of the packaging, not for shipping)
#
# The release build is cargo's: reused when it is up to date (`make build-server` makes the
# same one). A siproc-server package already installed here is left alone: the test refuses.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PKG=siproc-server
export CARGO_INCREMENTAL=0

if dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "installed"; then
  echo "test-deb: $PKG is already installed on this machine; not touching it" >&2
  exit 1
fi

OUT="$ROOT/target/debian"
rm -f "$OUT"/${PKG}_*.deb
PROFILE=${DEB_PROFILE:-release}
if [ "$PROFILE" = dev ]; then
  [ -x "$ROOT/target/debug/$PKG" ] || { echo "test-deb: no target/debug/$PKG (make build-server-debug)" >&2; exit 1; }
  cargo deb -p "$PKG" --profile dev --no-build --output "$OUT" >/dev/null
else
  cargo deb -p "$PKG" --profile "$PROFILE" --output "$OUT" >/dev/null
fi
DEB=$(ls "$OUT"/${PKG}_*.deb)
echo "test-deb: built $(basename "$DEB") ($(du -k "$DEB" | cut -f1) KiB)"

removed=0
cleanup() {
  if [ "$removed" = 0 ]; then dpkg --purge "$PKG" >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT

dpkg -i "$DEB" >/dev/null
# What the package holds, and that the configuration is a conffile.
for f in /usr/bin/siproc-server /etc/siproc/siproc.toml /etc/default/siproc \
         /lib/systemd/system/siproc.service /usr/share/doc/siproc-server/operations.md; do
  dpkg -S "$f" >/dev/null 2>&1 || [ -e "$f" ] || { echo "test-deb: $f missing" >&2; exit 1; }
done
dpkg-query -W -f='${Conffiles}\n' "$PKG" | grep -q /etc/siproc/siproc.toml

version=$(env -i PATH=/usr/bin:/bin siproc-server --version)
expected="siproc-server $(cargo metadata --no-deps --format-version 1 \
  | python3 -c 'import json,sys; print(next(p["version"] for p in json.load(sys.stdin)["packages"] if p["name"]=="siproc-server"))')"
[ "$version" = "$expected" ] || { echo "test-deb: --version says '$version', not '$expected'" >&2; exit 1; }
echo "test-deb: $version"
env -i PATH=/usr/bin:/bin siproc-server config check /etc/siproc/siproc.toml
# The installed configuration, with the environment the unit gives it, serves (briefly, on a
# free port and a temporary database) and stops on SIGTERM.
tmp=$(mktemp -d)
env -i PATH=/usr/bin:/bin SIPROC_LISTEN=127.0.0.1:0 SIPROC_DATABASE="sqlite://$tmp/siproc.db" \
  siproc-server serve --config /etc/siproc/siproc.toml >"$tmp/out" 2>"$tmp/log" &
pid=$!
for _ in $(seq 1 200); do grep -q "listening on" "$tmp/out" && break; sleep 0.05; done
base=$(sed -n 's/.*listening on \([^ ]*\).*/\1/p' "$tmp/out")
[ -n "$base" ] || { echo "test-deb: the installed server did not start" >&2; cat "$tmp/log" >&2; exit 1; }
python3 -c "import urllib.request,sys; r=urllib.request.urlopen(sys.argv[1]+'/ready'); sys.exit(r.status!=200)" "$base"
kill -TERM "$pid"; wait "$pid"
rm -rf "$tmp"
echo "test-deb: the installed server served $base and stopped on SIGTERM"

dpkg -r "$PKG" >/dev/null
removed=1
[ ! -e /usr/bin/siproc-server ] || { echo "test-deb: dpkg -r left the binary" >&2; exit 1; }
dpkg --purge "$PKG" >/dev/null
[ ! -e /etc/siproc/siproc.toml ] || { echo "test-deb: --purge left the configuration" >&2; exit 1; }
echo "test-deb: installed, ran and removed $(basename "$DEB")"
