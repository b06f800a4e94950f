#!/usr/bin/env bash
# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
# Write the wheels that benchmarks/gpu_throughput.py needs on a GPU machine that has Python 3.12, torch,
# torchvision, numpy 2, Pillow, OpenCV, PyYAML, matplotlib and rich but no OpenMMLab package and no network:
#   - mmcv 2.1.0 built from its sdist WITHOUT the compiled ops (MMCV_WITH_OPS=0: a pure-Python wheel,
#     "mmcv-lite", which imports as mmcv; the benchmark uses no mmcv op);
#   - mmengine and mmpretrain, and their pure-Python dependencies that such an image lacks,
#     at the versions installed in this checkout's .venv.
# Every wheel is py3-none-any, so the Python version of the venv that downloads them does not matter.
# For the detector step of benchmarks/gpu_check.sh, OUT_DIR/detector holds mmcv's sdist (its ops are built
# there, with that machine's nvcc and torch), mmdet and the dependencies it imports that such an image lacks
# (terminaltables; pycocotools and shapely as CPython 3.12 manylinux wheels), and the setuptools of this
# checkout's .venv (mmcv's setup.py imports pkg_resources, which newer setuptools releases dropped), and
# mmrotate-dev for the oriented detector (pure Python, hash-checked against requirements/rotated.txt).
#
# Usage: bash benchmarks/gpu_wheels.sh [OUT_DIR]      (default OUT_DIR: .whl, git-ignored locally)
# Example:
#   bash benchmarks/gpu_wheels.sh .whl
# then, on the GPU machine, with .whl copied into the checkout (see benchmarks/README.md):
#   python3 -m pip install -q --no-index --no-deps --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site
set -euo pipefail

if [ "${1:-}" = "--help" ] || [ "${1:-}" = "-h" ]; then
  sed -n '3,20p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PY="${PYTHON:-$ROOT/.venv/bin/python}"
OUT="${1:-$ROOT/.whl}"
# pure-Python packages imported by mmengine/mmcv/mmpretrain that the GPU image lacks
PACKAGES=(mmengine mmpretrain addict yapf platformdirs termcolor mat4py importlib-metadata lazy-importer model-index ordered-set)

version() { "$PY" -c "import importlib.metadata as m, sys; print(m.version(sys.argv[1]))" "$1"; }

mkdir -p "$OUT"
rm -f "$OUT"/*.whl
specs=()
for package in "${PACKAGES[@]}"; do
  specs+=("$package==$(version "$package")")
done
echo "[gpu_wheels] downloading ${specs[*]}"
"$PY" -m pip download -q --no-deps --only-binary=:all: -d "$OUT" "${specs[@]}"

BUILD="$(mktemp -d)"
trap 'rm -rf "$BUILD"' EXIT
MMCV_VERSION="$(version mmcv)"
echo "[gpu_wheels] building mmcv $MMCV_VERSION without compiled ops"
"$PY" -m pip download -q --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$BUILD"
MMCV_WITH_OPS=0 "$PY" -m pip wheel -q --no-deps --no-build-isolation -w "$OUT" "$BUILD/mmcv-$MMCV_VERSION.tar.gz"
echo "[gpu_wheels] mmcv's sdist, mmdet and its dependencies for the detector check (Python 3.12)"
mkdir -p "$OUT/detector"
rm -f "$OUT"/detector/*
cp "$BUILD/mmcv-$MMCV_VERSION.tar.gz" "$OUT/detector/"
"$PY" -m pip download -q --no-deps --only-binary=:all: -d "$OUT/detector" "mmdet==$(version mmdet)" \
  "terminaltables==$(version terminaltables)" "setuptools==$(version setuptools)"
"$PY" -m pip download -q --no-deps --only-binary=:all: -d "$OUT/detector" -r "$ROOT/requirements/rotated.txt"  # hash-checked
"$PY" -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 \
  -d "$OUT/detector" "pycocotools==$(version pycocotools)" "shapely==$(version shapely)"
for wheel in "$OUT"/*.whl; do
  case "$wheel" in
    *-none-any.whl) ;;
    *) echo "[gpu_wheels] $wheel is not a pure-Python wheel" >&2; exit 1 ;;
  esac
done
ls -1 "$OUT" "$OUT/detector"
du -sh "$OUT"
