#!/usr/bin/env bash
# Distributed evaluation with torchrun.
#
#   tools/dist_test.sh CONFIG CHECKPOINT GPUS [test.py options...]
#
# e.g. tools/dist_test.sh configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py \
#        work_dirs/faster-rcnn_r50-gersp_fpn_2x_dior/epoch_24.pth 8
# Multi-node: NNODES, NODE_RANK, MASTER_ADDR and PORT as for tools/dist_train.sh.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_usage 3 "$@"
CONFIG=$1 CHECKPOINT=$2 GPUS=$3
shift 3
run_torchrun "$GPUS" "$ROOT/tools/test.py" "$CONFIG" "$CHECKPOINT" --launcher pytorch "$@"
