# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The mmcv build plan of ``tools/setup_env.sh``: flavour, toolkit, architectures, cache key."""
import subprocess
from pathlib import Path

import pytest

from gersp_mm.mmcv_build import (
    DEFAULT_CUDA_ARCH_LIST,
    BuildPlan,
    BuildPlanError,
    find_cuda_home,
    parse_nvcc_release,
    plan_build,
)
from gersp_mm.mmcv_build import build_plan as build_plan_module
from gersp_mm.mmcv_build.build_plan import PACKAGE_INDEX

# `nvcc --version` of the compiler of nvidia-cuda-nvcc 13.0.88
NVCC_VERSION = """nvcc: NVIDIA (R) Cuda compiler driver
Copyright (c) 2005-2025 NVIDIA Corporation
Built on Wed_Aug_20_01:58:59_PM_PDT_2025
Cuda compilation tools, release 13.0, V13.0.88
Build cuda_13.0.r13.0/compiler.36424714_0
"""


def test_parse_nvcc_release():
    assert parse_nvcc_release(NVCC_VERSION) == (13, 0)
    assert parse_nvcc_release(NVCC_VERSION.replace('13.0', '12.8')) == (12, 8)
    assert parse_nvcc_release('nvcc: command not found') is None


def _toolkit(root: Path, headers: bool = True) -> Path:
    (root / 'bin').mkdir(parents=True)
    (root / 'bin' / 'nvcc').write_text('#!/bin/sh\n')
    (root / 'bin' / 'nvcc').chmod(0o755)
    if headers:
        (root / 'include').mkdir()
        (root / 'include' / 'cuda_runtime.h').write_text('')
    return root


def test_find_cuda_home_in_torchs_order(tmp_path, monkeypatch):
    explicit, on_path = _toolkit(tmp_path / 'explicit'), _toolkit(tmp_path / 'on_path')
    fallback = _toolkit(tmp_path / 'fallback')
    monkeypatch.setattr(build_plan_module, 'DEFAULT_CUDA_HOME', str(fallback))
    which = {'nvcc': str(on_path / 'bin' / 'nvcc')}.get
    # CUDA_HOME (or CUDA_PATH) wins, and is the only place looked at when set: torch would use it
    assert find_cuda_home({'CUDA_HOME': str(explicit)}, which) == str(explicit)
    assert find_cuda_home({'CUDA_PATH': str(explicit)}, which) == str(explicit)
    assert find_cuda_home({'CUDA_HOME': str(tmp_path / 'nothing')}, which) is None
    # then the folder above nvcc on PATH, then the default
    assert find_cuda_home({}, which) == str(on_path)
    assert find_cuda_home({}, {}.get) == str(fallback)
    monkeypatch.setattr(build_plan_module, 'DEFAULT_CUDA_HOME', str(tmp_path / 'nothing'))
    assert find_cuda_home({}, {}.get) is None


def test_find_cuda_home_skips_a_wrapper_script_on_path(tmp_path, monkeypatch):
    """``/usr/local/bin/nvcc`` that execs the real one: ``/usr/local`` is no toolkit root (no CUDA headers)."""
    wrapper = _toolkit(tmp_path / 'usr_local', headers=False)
    real = _toolkit(tmp_path / 'cuda')
    monkeypatch.setattr(build_plan_module, 'DEFAULT_CUDA_HOME', str(real))
    assert find_cuda_home({}, {'nvcc': str(wrapper / 'bin' / 'nvcc')}.get) == str(real)


@pytest.mark.parametrize('torch_cuda, mmcv_cuda, gpu_seen, reason', [
    ('none', 'auto', True, 'torch has no CUDA'),
    ('none', '0', False, 'torch has no CUDA'),
    ('13.0', 'auto', False, 'MMCV_CUDA=auto and no GPU visible'),
    ('13.0', '0', True, 'MMCV_CUDA=0'),
])
def test_cpu_plan(torch_cuda, mmcv_cuda, gpu_seen, reason):
    plan = plan_build(torch_cuda, mmcv_cuda, gpu_seen, '/usr/local/cuda', (13, 0))
    assert plan == BuildPlan('cpu', reason=reason)
    # the key the CPU wheel has always been cached under, so CI's cache stays valid
    assert plan.key_flavour == 'cpu'


def test_cuda_plan_uses_a_system_toolkit_of_torchs_major_version():
    plan = plan_build('13.0', '1', False, '/opt/cuda-13.1', (13, 1))
    assert (plan.flavour, plan.cuda_home, plan.arch_list) == ('cu130', '/opt/cuda-13.1', DEFAULT_CUDA_ARCH_LIST)
    assert plan.key_flavour == 'cu130-arch8.0_8.9_9.0'
    assert plan_build('13.0', 'auto', True, '/opt/cuda-13.1', (13, 1)).cuda_home == '/opt/cuda-13.1'


@pytest.mark.parametrize('cuda_home, release, nvcc_mode, reason', [
    (None, None, 'auto', 'no CUDA toolkit found'),
    ('/usr/local/cuda', (12, 8), 'auto', 'is CUDA 12.8, torch needs CUDA 13.x'),
    ('/usr/local/cuda', None, 'auto', 'is an unknown release'),
    ('/usr/local/cuda', (13, 0), 'provision', 'MMCV_NVCC=provision'),
])
def test_cuda_plan_provisions_nvcc_otherwise(cuda_home, release, nvcc_mode, reason):
    plan = plan_build('13.0', '1', False, cuda_home, release, nvcc_mode)
    assert (plan.flavour, plan.cuda_home) == ('cu130', PACKAGE_INDEX)
    assert reason in plan.reason


def test_arch_list_is_normalised_and_keyed():
    plan = plan_build('13.0', '1', False, None, None, arch_list='9.0 10.0+PTX')
    assert plan.arch_list == '9.0;10.0+PTX'
    assert plan.key_flavour == 'cu130-arch9.0_10.0+PTX'
    assert plan_build('13.0', '1', False, None, None, arch_list='').arch_list == DEFAULT_CUDA_ARCH_LIST


@pytest.mark.parametrize('kwargs, message', [
    (dict(torch_cuda='none', mmcv_cuda='1'), 'MMCV_CUDA=1 but the installed torch has no CUDA'),
    (dict(mmcv_cuda='yes'), "MMCV_CUDA='yes': expected 'auto', '1' or '0'"),
    (dict(nvcc_mode='download'), "MMCV_NVCC='download': expected 'auto' or 'provision'"),
    (dict(arch_list='sm_90'), "TORCH_CUDA_ARCH_LIST='sm_90'"),
    (dict(torch_cuda='12.8'), 'install a CUDA 12.8 toolkit and set CUDA_HOME'),
])
def test_plan_errors_name_the_setting(kwargs, message):
    args = dict(torch_cuda='13.0', mmcv_cuda='1', gpu_seen=False, cuda_home=None, release=None)
    args.update(kwargs)
    with pytest.raises(BuildPlanError, match=message.replace('(', r'\(').replace('+', r'\+')):
        plan_build(**args)


def test_shell_assignments_survive_bash_eval():
    plan = BuildPlan('cu130', '/opt/my cuda', '8.0;9.0', 'x')
    shown = subprocess.run(['bash', '-c', 'eval "$1"; printf "%s|" "$FLAVOUR" "$KEY_FLAVOUR" "$PLAN_CUDA_HOME" '
                            '"$CUDA_ARCH_LIST"', '-', plan.shell_assignments()],
                           capture_output=True, text=True, check=True).stdout
    assert shown == 'cu130|cu130-arch8.0_9.0|/opt/my cuda|8.0;9.0|'


def test_cli_plan_runs_standalone(run_cli):
    done = run_cli(['plan', '--torch-cuda', '13.0', '--mmcv-cuda', '1', '--gpu-seen', '0'],
                {'MMCV_NVCC': 'provision', 'TORCH_CUDA_ARCH_LIST': '9.0'})
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("FLAVOUR=cu130\nKEY_FLAVOUR=cu130-arch9.0\nPLAN_CUDA_HOME=package-index\n"
                           "CUDA_ARCH_LIST=9.0\n")
    assert 'mmcv kernels: cu130 (MMCV_NVCC=provision)' in done.stderr
    failed = run_cli(['plan', '--torch-cuda', 'none', '--mmcv-cuda', '1', '--gpu-seen', '0'], {})
    assert failed.returncode == 1 and failed.stdout == ''
    assert failed.stderr.startswith('[setup_env] MMCV_CUDA=1 but the installed torch has no CUDA')
