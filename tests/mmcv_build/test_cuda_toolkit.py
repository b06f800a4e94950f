# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""nvcc from the package index: the pinned packages, the cached install, the ``CUDA_HOME`` layout."""
import importlib.metadata
import os
import subprocess
import sysconfig
from pathlib import Path

import pytest

from gersp_mm.mmcv_build import (
    ToolkitError,
    assemble_cuda_home,
    find_cuda_home,
    provision_toolkit,
    toolkit_requirements,
    torch_cuda_root,
)

# Requires-Dist entries of cuda-toolkit 13.0.3.0 (the meta-package torch 2.14.1+cu130 requires), markers cut
MARKER = "(sys_platform == 'linux' and platform_machine == 'x86_64')"
CUDA_TOOLKIT_REQUIRES = [
    f"nvidia-cuda-cccl==13.0.85.*; {MARKER} and extra == 'all'",
    f"nvidia-cuda-nvcc==13.0.88.*; {MARKER} and extra == 'all'",
    f"nvidia-cuda-runtime==13.0.96.*; {MARKER} and extra == 'cudart'",
    f"nvidia-cuda-cccl==13.0.85.*; {MARKER} and extra == 'cccl'",
    f"nvidia-cuda-crt==13.0.88.*; {MARKER} and extra == 'crt'",
    f"nvidia-cuda-crt==13.0.88.*; {MARKER} and extra == 'nvcc'",
    f"nvidia-cuda-nvcc==13.0.88.*; {MARKER} and extra == 'nvcc'",
    f"nvidia-nvvm==13.0.88.*; {MARKER} and extra == 'nvcc'",
    f"nvidia-nvjitlink<14,>=13.0.88; {MARKER} and extra == 'nvjitlink'",
]
PINNED = ['nvidia-cuda-nvcc==13.0.88.*', 'nvidia-nvvm==13.0.88.*', 'nvidia-cuda-crt==13.0.88.*',
          'nvidia-cuda-cccl==13.0.85.*']


def test_requirements_are_the_versions_torchs_cuda_toolkit_pins():
    assert toolkit_requirements('13.0', CUDA_TOOLKIT_REQUIRES) == PINNED


def test_requirements_without_cuda_toolkit_follow_torchs_cuda_version():
    assert toolkit_requirements('13.1', None) == [
        'nvidia-cuda-nvcc==13.1.*', 'nvidia-nvvm==13.1.*', 'nvidia-cuda-crt==13.1.*', 'nvidia-cuda-cccl==13.1.*']


def test_requirements_refuse_other_versions():
    with pytest.raises(ToolkitError, match=r'cuda-toolkit pins nvidia-cuda-nvcc==13\.0\.88\.\*, not .* CUDA 13\.1'):
        toolkit_requirements('13.1', CUDA_TOOLKIT_REQUIRES)
    with pytest.raises(ToolkitError, match='needs torch built with CUDA >= 13'):
        toolkit_requirements('12.8', None)


class FakePip:
    """Installs what the four wheels install (their ``nvidia/cu13`` tree), counting the calls."""

    def __init__(self, tools=('bin/nvcc', 'nvvm/bin/cicc', 'include/crt/host_defines.h')):
        self.tools, self.calls = tools, []

    def __call__(self, requirements, target):
        self.calls.append((list(requirements), target))
        for tool in self.tools:
            path = Path(target) / 'nvidia' / 'cu13' / tool
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text('')


def test_provision_installs_once_per_requirements(tmp_path):
    pip = FakePip()
    root = provision_toolkit(tmp_path, '13.0', PINNED, pip)
    assert root == tmp_path / 'toolkits' / 'cuda-13.0' / 'nvidia' / 'cu13'
    assert (root / 'bin' / 'nvcc').is_file()
    assert pip.calls == [(PINNED, tmp_path / 'toolkits' / 'cuda-13.0.partial')]
    assert (tmp_path / 'toolkits' / 'cuda-13.0' / 'requirements.txt').read_text() == ''.join(
        f'{requirement}\n' for requirement in PINNED)
    assert not (tmp_path / 'toolkits' / 'cuda-13.0.partial').exists()
    assert provision_toolkit(tmp_path, '13.0', PINNED, pip) == root
    assert len(pip.calls) == 1, 'a cached toolkit is installed again'
    other = [requirement.replace('13.0.88', '13.0.99') for requirement in PINNED]
    provision_toolkit(tmp_path, '13.0', other, pip)
    assert len(pip.calls) == 2, 'a toolkit cached for other versions is used'


def test_incomplete_install_leaves_nothing_under_the_final_name(tmp_path):
    with pytest.raises(ToolkitError, match=r'installed no nvvm/bin/cicc under .*cuda-13\.0\.partial/nvidia/cu13'):
        provision_toolkit(tmp_path, '13.0', PINNED, FakePip(tools=('bin/nvcc',)))
    assert not (tmp_path / 'toolkits' / 'cuda-13.0').exists()


def _tree(root: Path, files) -> Path:
    for name in files:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(str(root / name))
    return root


def test_cuda_home_layout(tmp_path):
    torch_root = _tree(tmp_path / 'site' / 'nvidia' / 'cu13', [
        'include/cuda_runtime.h', 'include/cublas_v2.h', 'include/shared.h', 'lib/libcudart.so.13',
        'lib/libcublas.so.13'])
    compiler = _tree(tmp_path / 'cache' / 'nvidia' / 'cu13', [
        'bin/nvcc', 'nvvm/bin/cicc', 'include/crt/host_defines.h', 'include/cccl/cub/cub.cuh', 'include/nvvm.h',
        'include/shared.h', 'lib/libnvvm.so.4'])
    assert torch_cuda_root(tmp_path / 'site', '13.0') == torch_root
    home = assemble_cuda_home(tmp_path / 'build' / 'cuda_home', compiler, torch_root)
    resolved = {name: (home / name).resolve() for name in (
        'bin/nvcc', 'nvvm/bin/cicc', 'include/cuda_runtime.h', 'include/cublas_v2.h', 'include/crt/host_defines.h',
        'include/cccl/cub/cub.cuh', 'include/shared.h', 'lib64/libcudart.so', 'lib64/libcublas.so.13',
        'lib64/libnvvm.so.4', 'lib/libcudart.so')}
    assert resolved == {
        'bin/nvcc': compiler / 'bin' / 'nvcc', 'nvvm/bin/cicc': compiler / 'nvvm' / 'bin' / 'cicc',
        'include/cuda_runtime.h': torch_root / 'include' / 'cuda_runtime.h',
        'include/cublas_v2.h': torch_root / 'include' / 'cublas_v2.h',
        'include/crt/host_defines.h': compiler / 'include' / 'crt' / 'host_defines.h',
        'include/cccl/cub/cub.cuh': compiler / 'include' / 'cccl' / 'cub' / 'cub.cuh',
        'include/shared.h': compiler / 'include' / 'shared.h',  # the compiler's wins
        'lib64/libcudart.so': torch_root / 'lib' / 'libcudart.so.13',
        'lib64/libcublas.so.13': torch_root / 'lib' / 'libcublas.so.13',
        'lib64/libnvvm.so.4': compiler / 'lib' / 'libnvvm.so.4',
        'lib/libcudart.so': torch_root / 'lib' / 'libcudart.so.13',
    }
    # nvcc takes bin/.. as its root (the kernel resolves `..` through a linked folder) and its include path
    # from targets/<arch>-linux/include
    assert (home / 'bin').is_dir() and not (home / 'bin').is_symlink()
    target = next((home / 'targets').iterdir())
    assert (target / 'include' / 'cccl' / 'cub' / 'cub.cuh').resolve() == resolved['include/cccl/cub/cub.cuh']
    assert (target / 'lib64' / 'libcudart.so').resolve() == resolved['lib64/libcudart.so']
    # laid out again (a rerun of the setup): replaced, not nested or refused
    (torch_root / 'include' / 'cufft.h').write_text('')
    assert assemble_cuda_home(home, compiler, torch_root) == home
    assert (home / 'include' / 'cufft.h').is_file() and not (home / 'bin' / 'bin').exists()


def test_layout_errors_name_the_path(tmp_path):
    with pytest.raises(ToolkitError, match=r"torch's CUDA headers are not at .*site/nvidia/cu13/include"):
        torch_cuda_root(tmp_path / 'site', '13.0')
    torch_root = _tree(tmp_path / 'torch', ['include/cuda_runtime.h', 'lib/libcublas.so.13'])
    compiler = _tree(tmp_path / 'compiler', ['bin/nvcc', 'nvvm/bin/cicc'])
    with pytest.raises(ToolkitError, match=r'no libcudart\.so\.<N> in .*torch/lib'):
        assemble_cuda_home(tmp_path / 'home', compiler, torch_root)


def test_real_nvcc_compiles_against_torchs_headers_from_the_layout(tmp_path):
    """The layout with the real compiler (the machine's CUDA 13 toolkit, which is these four packages' tree)
    and the installed torch's CUDA tree: nvcc finds cicc, its crt/cccl headers and torch's cuBLAS header
    through the links, and compiles a kernel for sm_90."""
    system = find_cuda_home({'PATH': os.environ.get('PATH', '')})
    assert system, 'this test needs the CUDA 13 nvcc of the machine image (/usr/local/cuda)'
    torch_root = torch_cuda_root(Path(sysconfig.get_path('purelib')), '13.0')
    home = assemble_cuda_home(tmp_path / 'cuda_home', Path(system).resolve(), torch_root)
    source = tmp_path / 'probe.cu'
    source.write_text('#include <cublas_v2.h>\n#include <cub/block/block_reduce.cuh>\n'
                      '__global__ void scale(float* x, float a) { x[threadIdx.x] *= a; }\n')
    done = subprocess.run([str(home / 'bin' / 'nvcc'), '-c', '-std=c++20', '-arch=sm_90', str(source), '-o',
                           str(tmp_path / 'probe.o')], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / 'probe.o').stat().st_size > 0


def test_cli_provision_uses_the_cached_toolkit_and_torchs_tree(tmp_path, run_cli):
    """``python -m mmcv_build provision`` with the toolkit in the cache already (installed for the versions the
    installed cuda-toolkit pins): no install, the CUDA_HOME path printed, laid out over this torch's CUDA tree."""
    requirements = toolkit_requirements('13.0', importlib.metadata.requires('cuda-toolkit'))
    FakePip()(requirements, tmp_path / 'toolkits' / 'cuda-13.0')
    (tmp_path / 'toolkits' / 'cuda-13.0' / 'requirements.txt').write_text(''.join(f'{r}\n' for r in requirements))
    done = run_cli(['provision', '--cache', str(tmp_path), '--torch-cuda', '13.0', '--cuda-home',
                    str(tmp_path / 'cuda_home')])
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"{tmp_path / 'cuda_home'}\n"
    assert f"nvcc from the package index: {' '.join(requirements)}" in done.stderr
    torch_root = torch_cuda_root(Path(sysconfig.get_path('purelib')), '13.0')
    header = torch_root / 'include' / 'cuda_runtime.h'
    assert (tmp_path / 'cuda_home' / 'include' / 'cuda_runtime.h').resolve() == header
    assert (tmp_path / 'cuda_home' / 'bin' / 'nvcc').resolve() == (
        tmp_path / 'toolkits' / 'cuda-13.0' / 'nvidia' / 'cu13' / 'bin' / 'nvcc')
