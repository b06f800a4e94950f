#!/usr/bin/env bash
# Evaluation on a SLURM cluster (one task per GPU).
#
#   [GPUS=8] [GPUS_PER_NODE=8] [CPUS_PER_TASK=5] [SRUN_ARGS=...] \
#     tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [test.py options...]
#
# e.g. GPUS=8 tools/slurm_test.sh gpu frcnn-test configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py \
#        work_dirs/faster-rcnn_r50-gersp_fpn_2x_dior/epoch_24.pth --out dets.pkl
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_usage 4 "$@"
PARTITION=$1 JOB_NAME=$2 CONFIG=$3 CHECKPOINT=$4
shift 4
run_srun "$PARTITION" "$JOB_NAME" "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher slurm "$@"
