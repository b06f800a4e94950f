#!/usr/bin/env bash
# The test command: lint with ruff, then the pytest suite, inside the environment made by
# tools/setup_env.sh. Extra arguments go to pytest (e.g. `bash tools/run_tests.sh -k sampler`).
set -euo pipefail
if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
  exit 0
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="${GERSP_VENV:-$ROOT/.venv}"
cd "$ROOT"
"$VENV/bin/python" -m ruff check .
"$VENV/bin/python" -m pytest "$@"
