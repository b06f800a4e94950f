#!/usr/bin/env bash
# The test command: lint with ruff, then the pytest suite, inside the environment made by
# tools/setup_env.sh (built first when it is absent or incomplete, so one command works from a fresh clone).
# Extra arguments go to pytest, e.g.
#
#   bash tools/run_tests.sh -k sampler
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_usage 0 "$@"
cd "$ROOT"
ensure_env
"$VENV/bin/python" -m ruff check .
"$VENV/bin/python" -m pytest "$@"
