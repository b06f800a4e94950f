#!/usr/bin/env bash
# The main job in one command from a fresh clone: builds the environment with tools/setup_env.sh when it is
# absent (or incomplete), then runs tools/demo.py in it. Extra arguments go to the demo.
#
#   bash tools/run_demo.sh                 # the full demo, about 12 minutes on 2 CPU cores
#   bash tools/run_demo.sh --quick         # every step on tiny data, about a minute
#   bash tools/run_demo.sh --seeds 0 1 2   # three repetitions: mean +- std
set -euo pipefail
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 0
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${GERSP_VENV:-$ROOT/.venv}"
cd "$ROOT"
if ! "$VENV/bin/python" -c 'import mmcv._ext, gersp_mm' >/dev/null 2>&1; then
  echo "[run_demo] no working environment at $VENV: building it with tools/setup_env.sh first"
  bash "$ROOT/tools/setup_env.sh"
fi
exec "$VENV/bin/python" tools/demo.py "$@"
