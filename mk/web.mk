# The web application served by siproc-server at / (examples/web/app, issue 13) and its tests
# in a real headless Chromium against a real server.
#
#   make build-web   the WebAssembly package (make build-wasm), its pre-compressed .gz for
#                    the server, and the debug server
#   make test-web    the browser tests (examples/web/tests): live list, corpus codes in es and
#                    en, offline intake, 409, form verification, the statistics dashboard (staff
#                    and partner), case-page command forms, migrated cases, the server's 422 at
#                    the fields (browser clock ahead), QR scanning with Chromium's fake camera
#                    (pdftoppm and zbarimg from poppler-utils and zbar-tools), axe-core,
#                    screenshots into docs/screenshots/; on emulated fast and slow 3G
#                    (network.test.mjs: first and repeat visits, the line cut mid-load, the
#                    event stream's backoff) and the sealed offline queue on a flaky line
#                    (queue.test.mjs)
#   make bench-web   load times and bytes per page on fast 3G (first and repeat visit) and
#                    validation-feedback time (benches/README.md)
#
# Set-up is idempotent: playwright-core and Chromium's flags are siproc-wasm's (make
# setup-wasm); `npm ci` here adds axe-core, and the browser libraries the server serves under
# /vendor/ (Chart.js, jsQR), at the versions package-lock.json pins.

.PHONY: setup-web compress-wasm build-web test-web bench-web

TESTS += test-web
WEB_DIR := $(ROOT)/examples/web
NPM_DIRS += $(WEB_DIR)

setup-web: setup-wasm

# The server sends this .gz to browsers that accept gzip (compressing 1 MB on the fly per
# request would be slow); `make run` makes it too.
compress-wasm: build-wasm
	gzip -9 -k -f $(WASM_PKG)/web/siproc_wasm_bg.wasm

build-web: setup-web compress-wasm build-server-debug

test-web: build-web
	cd $(WEB_DIR) && node --test --test-concurrency=1 tests/

bench-web: build-web
	cd $(WEB_DIR) && node tests/bench.mjs
