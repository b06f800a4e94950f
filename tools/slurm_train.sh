#!/usr/bin/env bash
# Training on a SLURM cluster (one task per GPU).
#
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#     tools/slurm_train.sh PARTITION JOB_NAME CONFIG WORK_DIR [train.py options...]
#
# e.g. GPUS=16 tools/slurm_train.sh gpu gersp configs/pretrain/gersp_r50.py work_dirs/gersp_r50
#
# Preemption and time limits: on SIGTERM, training saves iter_<N>.pth after the iteration in progress and exits
# with status 143; rerun with --resume to continue (docs/faults.md). SLURM sends SIGTERM at preemption or the
# time limit and SIGKILL KillWait seconds later; to get it 120 s before the time limit:
#   SRUN_ARGS="--signal=TERM@120" tools/slurm_train.sh ...
# (in an sbatch script: #SBATCH --signal=TERM@120, not B:TERM, which signals only the batch shell).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_usage 4 "$@"
PARTITION=$1 JOB_NAME=$2 CONFIG=$3 WORK_DIR=$4
shift 4
run_srun "$PARTITION" "$JOB_NAME" "$ROOT/tools/train.py" "$CONFIG" --work-dir="$WORK_DIR" --launcher slurm "$@"
