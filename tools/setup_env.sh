#!/usr/bin/env bash
# One-command environment for gersp_mm.
#
#   bash tools/setup_env.sh            # create/update .venv in the repository root
#
# Steps (each is idempotent and announced; the first one that fails stops the script and names itself):
#   1. create the virtual environment (.venv, or $GERSP_VENV)
#   2. install the build tools (setuptools<80.9: mmcv's setup.py and mmengine import pkg_resources, which
#      setuptools 80.9-80.x announce with a UserWarning on every import, older releases with a hidden
#      DeprecationWarning)
#   3. install torch / torchvision (pinned default, override with TORCH_SPEC / TORCHVISION_SPEC and
#      TORCH_INDEX_URL, e.g. a CUDA wheel for your driver)
#   4. build mmcv 2.1.0 WITH its compiled ops from the sdist against the installed torch
#      (C++ standard taken from what the torch headers require; CUDA kernels when torch has CUDA and a
#      GPU is visible, otherwise CPU kernels; MMCV_CUDA=0/1 overrides; without a CUDA toolkit of torch's
#      major version, nvcc of torch's CUDA version comes from the package index),
#      caching the wheel in $GERSP_CACHE (default ~/.cache/gersp_mm) keyed by
#      mmcv/torch/CUDA + architectures/Python version, so later runs install it in seconds
#   5. install mmengine / mmpretrain / mmdet / mmsegmentation, mmrotate (pinned by hash), openmim, the test
#      tools and gersp_mm itself
#      (the checkout, installed in place: `mim train/test/run/search gersp_mm` find its tools and configs)
#   6. print the environment report and run the import / ops self-check
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
parse_usage 0 "$@"

CACHE="${GERSP_CACHE:-$HOME/.cache/gersp_mm}"
PYTHON="${PYTHON:-python3}"
TORCH_SPEC="${TORCH_SPEC:-torch==2.14.1}"
TORCHVISION_SPEC="${TORCHVISION_SPEC:-torchvision==0.29.1}"
MMCV_VERSION="2.1.0"
MAX_JOBS="${MAX_JOBS:-$(nproc)}"
export MAX_JOBS

STEP="start"
trap 'echo "[setup_env] FAILED at step: $STEP (see the output above)" >&2' ERR
step() { STEP="$1"; echo; echo "[setup_env] ==> $1"; }
t0=$(date +%s)

step "1/6 virtual environment at $VENV"
if [ ! -x "$VENV/bin/python" ]; then
  "$PYTHON" -m venv "$VENV"
fi
PY="$VENV/bin/python"
PIP=("$PY" -m pip --disable-pip-version-check)

step "2/6 build tools"
"${PIP[@]}" install -q --upgrade "pip>=23" "setuptools>=64,<80.9" wheel "ninja>=1.11" packaging

step "3/6 torch ($TORCH_SPEC, $TORCHVISION_SPEC)"
torch_args=()
if [ -n "${TORCH_INDEX_URL:-}" ]; then torch_args+=(--index-url "$TORCH_INDEX_URL"); fi
"${PIP[@]}" install -q "${torch_args[@]}" "$TORCH_SPEC" "$TORCHVISION_SPEC"

step "4/6 mmcv $MMCV_VERSION with compiled ops"
# Build flavour (gersp_mm/mmcv_build, run before gersp_mm's dependencies exist): CUDA kernels when torch
# was built with CUDA and MMCV_CUDA=1, or MMCV_CUDA=auto (the default) with a GPU visible; MMCV_CUDA=0
# builds the CPU kernels only. They are compiled by the CUDA toolkit found (CUDA_HOME, nvcc on PATH,
# /usr/local/cuda) when its major version is torch's, otherwise (or with MMCV_NVCC=provision) by nvcc of
# torch's CUDA version installed from the package index into the cache, with torch's own CUDA headers;
# for TORCH_CUDA_ARCH_LIST (default 8.0;8.9;9.0: A100, L4/L40/RTX 4090, H100/H200).
read -r TORCH_VER TORCH_CUDA GPU_SEEN PY_TAG < <("$PY" - <<'PYEOF'
import sys, torch
print(torch.__version__.split('+')[0], torch.version.cuda or 'none', int(torch.cuda.is_available()),
      f'cp{sys.version_info.major}{sys.version_info.minor}')
PYEOF
)
mmcv_build() { PYTHONPATH="$ROOT/gersp_mm" "$PY" -m mmcv_build "$@"; }
PLAN="$(mmcv_build plan --torch-cuda "$TORCH_CUDA" --mmcv-cuda "${MMCV_CUDA:-auto}" --gpu-seen "$GPU_SEEN")"
eval "$PLAN"  # FLAVOUR, KEY_FLAVOUR, PLAN_CUDA_HOME, CUDA_ARCH_LIST
KEY="mmcv-${MMCV_VERSION}_torch-${TORCH_VER}_${KEY_FLAVOUR}_${PY_TAG}_$(uname -m)"
WHEEL_DIR="$CACHE/wheels/$KEY"
echo "[setup_env] mmcv build key: $KEY"
installed_ok() {
  "$PY" -c "import mmcv, mmcv.ops; from mmcv.utils import ext_loader; ext_loader.load_ext('_ext', ['nms']); assert mmcv.__version__ == '$MMCV_VERSION'" 2>/dev/null
}
if installed_ok && [ -f "$VENV/.mmcv_key" ] && [ "$(cat "$VENV/.mmcv_key")" = "$KEY" ]; then
  echo "[setup_env] mmcv $MMCV_VERSION with ops already installed for this key"
else
  if ! ls "$WHEEL_DIR"/mmcv-*.whl >/dev/null 2>&1; then
    echo "[setup_env] no cached wheel: building mmcv from source (tens of minutes on 2 cores)"
    if [ "$FLAVOUR" = "cpu" ]; then
      BUILD="$(mktemp -d)"
    else  # hours on a few cores: a build interrupted or failed here resumes from its compiled objects
      BUILD="$CACHE/build/$KEY"
      mkdir -p "$BUILD"
      echo "[setup_env] building in $BUILD (kept until the wheel is built; a rerun reuses its objects)"
    fi
    "${PIP[@]}" download -q --no-deps --no-binary :all: --no-build-isolation "mmcv==$MMCV_VERSION" -d "$BUILD"
    tar -xzf "$BUILD"/mmcv-"$MMCV_VERSION".tar.gz -C "$BUILD"
    SRC="$BUILD/mmcv-$MMCV_VERSION"
    # torch >= 2.10 headers refuse anything older than C++20; older torch is happy with mmcv's C++17.
    CXX_STD="c++17"
    if grep -rqs "C++20 or later compatible compiler is required" "$("$PY" -c 'import torch, os; print(os.path.join(os.path.dirname(torch.__file__), "include"))')"; then
      CXX_STD="c++20"
    fi
    echo "[setup_env] compiling with -std=$CXX_STD ($FLAVOUR)"
    sed -i -E "s/-std=c\+\+1[47]/-std=$CXX_STD/g" "$SRC/setup.py"
    build_env=(MMCV_WITH_OPS=1)
    if [ "$FLAVOUR" = "cpu" ]; then
      build_env+=(FORCE_CUDA=0 CUDA_VISIBLE_DEVICES="")
    else
      if [ "$PLAN_CUDA_HOME" = "package-index" ]; then
        PLAN_CUDA_HOME="$(mmcv_build provision --cache "$CACHE" --torch-cuda "$TORCH_CUDA" --cuda-home "$BUILD/cuda_home")"
      fi
      echo "[setup_env] CUDA_HOME=$PLAN_CUDA_HOME, TORCH_CUDA_ARCH_LIST=$CUDA_ARCH_LIST"
      build_env+=(FORCE_CUDA=1 CUDA_HOME="$PLAN_CUDA_HOME" PATH="$PLAN_CUDA_HOME/bin:$PATH"
                  TORCH_CUDA_ARCH_LIST="$CUDA_ARCH_LIST")
    fi
    # mmcv's setup.py also passes the old standard to nvcc; the sed above covers both.
    mkdir -p "$WHEEL_DIR.partial"
    (cd "$SRC" && env "${build_env[@]}" "${PIP[@]}" wheel --no-deps --no-build-isolation -w "$WHEEL_DIR.partial" .)
    rm -rf "$WHEEL_DIR" && mv "$WHEEL_DIR.partial" "$WHEEL_DIR"
    rm -rf "$BUILD"
  else
    echo "[setup_env] using cached wheel $(ls "$WHEEL_DIR"/mmcv-*.whl)"
  fi
  "${PIP[@]}" install -q --force-reinstall --no-deps "$WHEEL_DIR"/mmcv-*.whl
  echo "$KEY" > "$VENV/.mmcv_key"
fi

step "5/6 OpenMMLab packages and gersp_mm"
"${PIP[@]}" install -q -r "$ROOT/requirements/runtime.txt" -r "$ROOT/requirements/tests.txt" -r "$ROOT/requirements/mim.txt"
# mmrotate 1.x (oriented boxes) pinned by its hash; --no-deps: its requirements came with the line above, and
# it declares no mmcv/mmdet versions (it checks them at import). See requirements/rotated.txt.
"${PIP[@]}" install -q --no-deps --require-hashes -r "$ROOT/requirements/rotated.txt"
# gersp_mm is installed for development in the layout `setup.py develop` made: its metadata in the checkout
# (gersp_mm.egg-info), found through an .egg-link and a line of easy-install.pth in site-packages, so the
# checkout is the installed package (pip lists it as editable there, upgrades and uninstalls it). openmim
# (`mim train/test/run/search gersp_mm`) looks for a package's tools and configs next to its metadata
# (pkg_resources' location + /gersp_mm/.mim), which a PEP 660 `pip install -e .` leaves in site-packages.
SITE="$("$PY" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
if ls "$SITE"/gersp_mm-*.dist-info >/dev/null 2>&1; then  # a pip install (editable or not) made earlier
  "${PIP[@]}" uninstall -q -y gersp_mm
fi
(cd "$ROOT" && "$PY" setup.py -q egg_info)
printf '%s\n.\n' "$ROOT" > "$SITE/gersp_mm.egg-link"
touch "$SITE/easy-install.pth"
grep -qxF "$ROOT" "$SITE/easy-install.pth" || echo "$ROOT" >> "$SITE/easy-install.pth"

step "6/6 environment report and self-check"
"$PY" -m gersp_mm.utils.collect_env --check

echo
echo "[setup_env] done in $(( $(date +%s) - t0 )) s. Activate with: source ${VENV#$ROOT/}/bin/activate"
