# The preamble shared by the shell tools in tools/, sourced right after `set -euo pipefail`:
#
#   source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
#
# It sets ROOT (the repository root, wherever the tool is called from) and VENV (the environment that
# tools/setup_env.sh builds: $GERSP_VENV, default .venv) and defines the functions below. A tool's usage is
# the comment block at its top, under the shebang line.

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${GERSP_VENV:-$ROOT/.venv}"

# print_usage: the calling tool's top comment block, without the leading '# '.
print_usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"
}

# parse_usage MIN_ARGS "$@": print the usage and exit 0 on -h/--help, to stderr and exit 2 on fewer than
# MIN_ARGS arguments.
parse_usage() {
  local min_args=$1
  shift
  if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
    print_usage
    exit 0
  fi
  if [ $# -lt "$min_args" ]; then
    print_usage >&2
    exit 2
  fi
}

# ensure_env [MODULES]: build the environment with tools/setup_env.sh when it is absent or incomplete (its
# python cannot import mmcv's compiled ops and gersp_mm, or the comma-separated MODULES the tool needs too).
ensure_env() {
  if ! "$VENV/bin/python" -c "import mmcv._ext, gersp_mm${1:+, $1}" >/dev/null 2>&1; then
    echo "[$(basename "$0" .sh)] no working environment at $VENV: building it with tools/setup_env.sh first"
    bash "$ROOT/tools/setup_env.sh"
  fi
}

# run_torchrun GPUS COMMAND...: exec `torchrun` with GPUS processes on this node of NNODES (NODE_RANK,
# MASTER_ADDR, PORT), each running the python script COMMAND with the repository on PYTHONPATH.
run_torchrun() {
  local gpus=$1
  shift
  PYTHONPATH="$ROOT:${PYTHONPATH:-}" exec "${PYTHON:-python}" -m torch.distributed.run \
    --nnodes="${NNODES:-1}" --node_rank="${NODE_RANK:-0}" --master_addr="${MASTER_ADDR:-127.0.0.1}" \
    --nproc_per_node="$gpus" --master_port="${PORT:-29500}" "$@"
}

# run_srun PARTITION JOB_NAME COMMAND...: exec `srun` with one task per GPU (GPUS, GPUS_PER_NODE,
# CPUS_PER_TASK, SRUN_ARGS), each running the python script COMMAND with the repository on PYTHONPATH.
run_srun() {
  local partition=$1 job_name=$2
  shift 2
  local gpus=${GPUS:-8}
  local gpus_per_node=${GPUS_PER_NODE:-$(( gpus < 8 ? gpus : 8 ))}
  # SRUN_ARGS stays unquoted: it holds several srun options.
  # shellcheck disable=SC2086
  PYTHONPATH="$ROOT:${PYTHONPATH:-}" exec srun -p "$partition" --job-name="$job_name" \
    --gres=gpu:"$gpus_per_node" --ntasks="$gpus" --ntasks-per-node="$gpus_per_node" \
    --cpus-per-task="${CPUS_PER_TASK:-5}" --kill-on-bad-exit=1 ${SRUN_ARGS:-} \
    "${PYTHON:-python}" -u "$@"
}
