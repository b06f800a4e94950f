#!/usr/bin/env bash
# The test command: lint with ruff, then the pytest suite, inside the environment made by
# tools/setup_env.sh (built first when it is absent or incomplete, so one command works from a fresh clone).
# The suite runs in parallel processes (pytest-xdist: one per core, at most 4; GERSP_TEST_WORKERS=N sets the
# number, 0 runs it in this process), each on one thread (OMP_NUM_THREADS, default 1). Extra arguments go to
# pytest, e.g.
#
#   bash tools/run_tests.sh -k sampler
#   bash tools/run_tests.sh -m 'not slow'     # without the tests of 15 s or more
#   GERSP_TEST_WORKERS=0 bash tools/run_tests.sh tests/pretrain/test_gersp.py
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_usage 0 "$@"
cd "$ROOT"
ensure_env xdist  # pytest-xdist: an environment made before it was a test requirement gets it
"$VENV/bin/python" -m ruff check .
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
"$VENV/bin/python" -m pytest --numprocesses "${GERSP_TEST_WORKERS:-auto}" --maxprocesses 4 "$@"
