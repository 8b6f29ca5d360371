#!/usr/bin/env bash
# siproc vs ReportLab: the same intake sheet (case.json), same DejaVu fonts, one core each.
#
#   benches/forms_vs_reportlab/run.sh [seconds]
#
# Needs a Rust toolchain, python3 and taskset (util-linux). ReportLab goes into .venv/ at the
# repository root (gitignored). Each line printed is one JSON result; see benches/README.md.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
seconds="${1:-5}"
cd "$root"
if [ ! -x .venv/bin/python ]; then
    python3 -m venv .venv
fi
.venv/bin/python -c 'import reportlab' 2>/dev/null || .venv/bin/pip install --quiet reportlab
cargo build --quiet --release -p siproc-benches --example forms_vs_reportlab
echo "# $(date -u +%FT%TZ) $(uname -m), $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c 0 target/release/examples/forms_vs_reportlab "$seconds"
taskset -c 0 .venv/bin/python "$here/reportlab_intake.py" "$seconds"
SIPROC_RL_NO_QR=1 taskset -c 0 .venv/bin/python "$here/reportlab_intake.py" "$seconds"
taskset -c 0 target/release/examples/forms_vs_reportlab "$seconds"
