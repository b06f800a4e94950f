#!/usr/bin/env bash
# Distributed training with PyTorch DDP through torchrun.
#
#   tools/dist_train.sh CONFIG GPUS [train.py options...]
#
# One node with 8 GPUs:       tools/dist_train.sh configs/pretrain/gersp_r50.py 8
# Two nodes with 8 GPUs each (run on every node; NODE_RANK=0 on the master):
#   NNODES=2 NODE_RANK=0 MASTER_ADDR=10.0.0.1 PORT=29500 tools/dist_train.sh configs/pretrain/gersp_r50.py 8
# Without GPUs, GPUS is the number of CPU processes (gloo backend).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_usage 2 "$@"
CONFIG=$1 GPUS=$2
shift 2
run_torchrun "$GPUS" "$ROOT/tools/train.py" "$CONFIG" --launcher pytorch "$@"
