#!/usr/bin/env bash
# The main job in one command from a fresh clone: builds the environment with tools/setup_env.sh when it is
# absent (or incomplete), then runs tools/demo.py in it. Extra arguments go to the demo.
#
#   bash tools/run_demo.sh                 # the full demo, about 12 minutes on 2 CPU cores
#   bash tools/run_demo.sh --quick         # every step on tiny data, about a minute
#   bash tools/run_demo.sh --seeds 0 1 2   # three repetitions: mean +- std
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_usage 0 "$@"
cd "$ROOT"
ensure_env
exec "$VENV/bin/python" tools/demo.py "$@"
