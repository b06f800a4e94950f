#!/usr/bin/env bash
# The test command: lint with ruff, then the pytest suite, inside the environment made by
# tools/setup_env.sh (built first when it is absent or incomplete, so one command works from a fresh clone).
# Extra arguments go to pytest, e.g.
#
#   bash tools/run_tests.sh -k sampler
set -euo pipefail
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 0
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${GERSP_VENV:-$ROOT/.venv}"
cd "$ROOT"
if ! "$VENV/bin/python" -c 'import mmcv._ext, gersp_mm' >/dev/null 2>&1; then
  echo "[run_tests] no working environment at $VENV: building it with tools/setup_env.sh first"
  bash "$ROOT/tools/setup_env.sh"
fi
"$VENV/bin/python" -m ruff check .
"$VENV/bin/python" -m pytest "$@"
