#!/usr/bin/env bash
# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
# The GPU check: one command on a machine with one NVIDIA GPU, from the repository root, sized to end within
# 8 minutes on an H100 (16 cores) with its set-up. It suits a machine without OpenMMLab packages and without a
# package index (Python 3.12, torch, nvcc): the wheels of benchmarks/gpu_wheels.sh, carried in .whl, are
# installed first. Every step runs even when an earlier one failed; the exit status is 1 if any failed.
#   0. set-up: the carried wheels into /tmp/gpu_check_site; mmcv's compiled ops built from the carried sdist
#      with this machine's nvcc for its GPU, in the background (tools/setup_env.sh's plan: an nvcc of torch's
#      CUDA major version), for at most GPU_CHECK_OPS_BUILD_S seconds (default 300) from the start
#   1. correctness: benchmarks/gpu_check.py (fp32 step vs CPU, AMP float16/bfloat16, GPU augmentation)
#   2. the real tools: tools/dist_train.sh with 1 GPU on the tiny GPU-path config with --amp, killed
#      (SIGKILL) after its first checkpoint, then --resume to the end
#   3. mmcv's ops and detectors (Faster R-CNN, Oriented R-CNN): gpu_check.py --checks mmcv_ops, if built in time
#   4. throughput: benchmarks/gpu_throughput.py (the command of benchmarks/README.md, 8 workers)
# With --cpu, the CPU mode the tests run: steps 1 and 3 with --tiny on the CPU in one process, step 3 with the
# environment's mmcv (CPU kernels), step 2 on one CPU process; no build, no step 4 (tested on its own).
#
# Usage: bash benchmarks/gpu_check.sh [--cpu] [OUT_DIR]     (OUT_DIR: default $OUT, else work_dirs/gpu_check)
# Example, on the GPU machine (with the device tool: carry=['.whl'], timeout_s=540):
#   bash benchmarks/gpu_wheels.sh .whl     # here, once
#   bash benchmarks/gpu_check.sh           # there
set -uo pipefail

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '3,22p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
DEVICE=cuda
if [ "${1:-}" = "--cpu" ]; then DEVICE=cpu; shift; fi
OUT_DIR="$(mkdir -p "${1:-${OUT:-$ROOT/work_dirs/gpu_check}}" && cd "${1:-${OUT:-$ROOT/work_dirs/gpu_check}}" && pwd)"
PY="${PYTHON:-python3}"
OPS_BUILD_S="${GPU_CHECK_OPS_BUILD_S:-300}"
T0=$(date +%s)
FAILED=()
step() { echo; echo "[gpu_check] ==> $1 (at $(( $(date +%s) - T0 )) s)"; }
record() {  # record NAME EXIT_STATUS
  if [ "$2" = 0 ]; then echo "[gpu_check] $1: ok"; else echo "[gpu_check] $1: FAILED (exit $2)"; FAILED+=("$1"); fi
}

kill_tree() {  # SIGKILL a process and all its descendants (torchrun starts its workers in their own session)
  local pids=("$1") index=0 child
  while [ "$index" -lt "${#pids[@]}" ]; do
    for child in $(pgrep -P "${pids[$index]}"); do pids+=("$child"); done
    index=$(( index + 1 ))
  done
  kill -KILL "${pids[@]}" 2>/dev/null
  for _ in $(seq 50); do  # until they are gone (a zombie whose parent does not reap it stays: 5 s at most)
    ps -o stat= -p "${pids[@]}" 2>/dev/null | grep -qv '^Z' || break
    sleep 0.1
  done
}

step "0 set-up"
if [ -d .whl ] && ! "$PY" -c "import mmengine, mmpretrain" >/dev/null 2>&1; then
  wheels=(.whl/*.whl)
  if [ -d .whl/detector ]; then wheels+=(.whl/detector/*.whl); fi
  "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/gpu_check_site \
    "${wheels[@]}" || record "install the carried wheels" $?
  export PYTHONPATH="/tmp/gpu_check_site${PYTHONPATH:+:$PYTHONPATH}"
fi
export PYTHONPATH="$ROOT${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
"$PY" -c "import torch; print('torch', torch.__version__, 'CUDA', torch.version.cuda, '|', \
torch.cuda.get_device_name() if torch.cuda.is_available() else 'no GPU')"

OPS_SITE=/tmp/gpu_check_ops
build_mmcv_ops() {  # mmcv 2.1.0's ops from the carried sdist, for this GPU, into $OPS_SITE
  local src=/tmp/gpu_check_mmcv torch_cuda plan arch
  rm -rf "$src" && mkdir -p "$src" && tar -xzf .whl/detector/mmcv-2.1.0.tar.gz -C "$src" || return 1
  torch_cuda=$("$PY" -c "import torch; print(torch.version.cuda or 'none')")
  arch=$("$PY" -c "import torch; print('%d.%d' % torch.cuda.get_device_capability())")
  plan=$(PYTHONPATH="$ROOT/gersp_mm" TORCH_CUDA_ARCH_LIST="$arch" "$PY" -m mmcv_build plan \
    --torch-cuda "$torch_cuda" --mmcv-cuda 1 --gpu-seen 1) || return 1
  eval "$plan"
  if [ "$PLAN_CUDA_HOME" = "package-index" ]; then
    echo "no nvcc of torch's CUDA major version on this machine, and no package index to provision one"
    return 1
  fi
  # torch >= 2.10 headers need C++20 (as tools/setup_env.sh finds from them); mmcv's setup.py says C++14/17
  sed -i -E 's/-std=c\+\+1[47]/-std=c++20/g' "$src/mmcv-2.1.0/setup.py"
  (cd "$src/mmcv-2.1.0" && MMCV_WITH_OPS=1 FORCE_CUDA=1 CUDA_HOME="$PLAN_CUDA_HOME" TORCH_CUDA_ARCH_LIST="$CUDA_ARCH_LIST" \
    MAX_JOBS="$(( $(nproc) > 4 ? $(nproc) - 2 : 2 ))" "$PY" -m pip wheel --no-deps --no-build-isolation \
    --no-index -w "$src/wheel" .) || return 1
  "$PY" -m pip install -q --no-index --no-deps --no-compile --target "$OPS_SITE" "$src"/wheel/mmcv-*.whl
}
OPS_PID=""
if [ "$DEVICE" = "cuda" ] && [ -f .whl/detector/mmcv-2.1.0.tar.gz ]; then
  nice -n 5 bash -c "$(declare -f build_mmcv_ops); ROOT='$ROOT' PY='$PY' OPS_SITE='$OPS_SITE' build_mmcv_ops" \
    > "$OUT_DIR/mmcv_ops_build.log" 2>&1 &
  OPS_PID=$!
  echo "[gpu_check] building mmcv's ops in the background (log: $OUT_DIR/mmcv_ops_build.log)"
fi

step "1 correctness: GeRSP step on $DEVICE vs CPU, AMP, GPU augmentation"
cpu_mode=()  # on the CPU, step 3's checks run in the same process (one start-up less)
if [ "$DEVICE" = "cpu" ]; then cpu_mode=(--tiny --checks step augmentation mmcv_ops); fi
"$PY" benchmarks/gpu_check.py --device "$DEVICE" "${cpu_mode[@]}" --out "$OUT_DIR/gpu_check.json"
record "correctness (gpu_check.py)" $?

step "2 tools/dist_train.sh, 1 process, --amp: checkpoint, kill, --resume"
train_kill_resume() {
  local work="$OUT_DIR/dist_train" config=configs/pretrain/gersp_r18_tiny_gpu-aug.py iters=80 every=5 pid saved
  local backend=nccl
  if [ "$DEVICE" = "cpu" ]; then iters=4 every=1 backend=gloo; fi
  local options=(train_cfg.max_epochs=1 "train_dataloader.sampler.epoch_length=$iters" "env_cfg.dist_cfg.backend=$backend"
                 default_hooks.checkpoint.by_epoch=False "default_hooks.checkpoint.interval=$every"
                 default_hooks.checkpoint.max_keep_ckpts=-1)
  local launch=(env PYTHON="$PY" PORT=$(( 29500 + RANDOM % 2000 )) bash tools/dist_train.sh "$config" 1
                --work-dir "$work" --amp)
  rm -rf "$work"
  "${launch[@]}" --cfg-options "${options[@]}" > "$OUT_DIR/dist_train_killed.log" 2>&1 &
  pid=$!
  local deadline=$(( $(date +%s) + 300 ))
  until [ -s "$work/last_checkpoint" ]; do
    if ! kill -0 "$pid" 2>/dev/null; then echo "the run ended before its first checkpoint"; return 1; fi
    if [ "$(date +%s)" -ge "$deadline" ]; then kill_tree "$pid"; echo "no checkpoint in 300 s"; return 1; fi
    sleep 0.2
  done
  kill_tree "$pid"
  wait "$pid" 2>/dev/null
  saved=$(basename "$(cat "$work/last_checkpoint")" .pth)
  echo "killed (SIGKILL) with $saved as the last checkpoint"
  if [ -f "$work/iter_$iters.pth" ]; then echo "the run had finished before the kill"; return 1; fi
  "${launch[@]}" --resume --cfg-options "${options[@]}" > "$OUT_DIR/dist_train_resumed.log" 2>&1 \
    || { tail -n 30 "$OUT_DIR/dist_train_resumed.log"; return 1; }
  grep -E "resumed epoch: [0-9]+, iter: ${saved#iter_}$" "$OUT_DIR/dist_train_resumed.log" \
    && grep -m1 -oE "(Amp|CPUAutocast)OptimWrapper" "$OUT_DIR/dist_train_resumed.log" \
    && [ -f "$work/iter_$iters.pth" ] && echo "resumed at ${saved#iter_} and ran to iteration $iters"
}
train_kill_resume
record "dist_train.sh --amp, kill, --resume" $?

step "3 mmcv's compiled ops and a detector iteration on $DEVICE"
if [ "$DEVICE" = "cpu" ]; then
  echo "[gpu_check] CPU mode: checked in step 1, with the environment's mmcv (CPU kernels)"
elif [ -n "$OPS_PID" ]; then
  while kill -0 "$OPS_PID" 2>/dev/null && [ $(( $(date +%s) - T0 )) -lt "$OPS_BUILD_S" ]; do sleep 2; done
  if kill -0 "$OPS_PID" 2>/dev/null; then
    kill_tree "$OPS_PID"
    echo "[gpu_check] mmcv's ops not built within $OPS_BUILD_S s: $(grep -c '\.o$' <(find /tmp/gpu_check_mmcv \
      -name '*.o' 2>/dev/null)) object files compiled; not checked"
  elif wait "$OPS_PID"; then
    echo "[gpu_check] mmcv's ops built in $(( $(date +%s) - T0 )) s from the start"
    PYTHONPATH="$OPS_SITE:$PYTHONPATH" "$PY" benchmarks/gpu_check.py --device cuda --checks mmcv_ops \
      --out "$OUT_DIR/mmcv_ops.json"
    record "mmcv ops and detector (gpu_check.py --checks mmcv_ops)" $?
  else
    tail -n 40 "$OUT_DIR/mmcv_ops_build.log"
    record "mmcv ops build" 1
  fi
else
  echo "[gpu_check] no mmcv sdist in .whl/detector (benchmarks/gpu_wheels.sh): not checked"
fi

if [ "$DEVICE" = "cuda" ]; then
  step "4 throughput (benchmarks/gpu_throughput.py)"
  "$PY" benchmarks/gpu_throughput.py --device cuda --batch-size 64 --workers 8 --iters 20 \
    --out "$OUT_DIR/gpu_throughput.json"
  record "throughput (gpu_throughput.py)" $?
fi

echo
echo "[gpu_check] done in $(( $(date +%s) - T0 )) s; reports in $OUT_DIR"
if [ ${#FAILED[@]} -gt 0 ]; then
  printf '[gpu_check] failed: %s\n' "${FAILED[@]}"
  exit 1
fi
echo "[gpu_check] all steps passed"
