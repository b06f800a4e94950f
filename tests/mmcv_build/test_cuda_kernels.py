# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The GPU architectures of a compiled extension's CUDA kernels, read from its fat binaries."""
from pathlib import Path

import pytest
import torch
import torchvision

from gersp_mm.mmcv_build.cuda_kernels import cuda_architectures


def test_architectures_of_torchvisions_kernels_are_torchs_build_list():
    """torchvision's CUDA extension is built for the architectures torch reports it was built for
    (``torch.cuda.get_arch_list()``, compiled into torch), with PTX for the newest one."""
    (extension, ) = [path for path in Path(torchvision.__file__).parent.glob('_C*.so')]
    kernels = cuda_architectures(extension)
    expected = sorted(int(arch[3:]) for arch in torch.cuda.get_arch_list() if arch.startswith('sm_'))
    assert len(expected) >= 3 and kernels['sass'] == expected
    assert kernels['ptx'] == [expected[-1]]


def test_cpu_extension_has_none(tmp_path):
    from mmcv.utils import ext_loader
    assert cuda_architectures(ext_loader.load_ext('_ext', []).__file__) == {'sass': [], 'ptx': []}
    not_elf = tmp_path / 'fake.so'
    not_elf.write_bytes(b'MZ' + bytes(100))
    with pytest.raises(ValueError, match=r'fake\.so is not a 64-bit ELF shared object'):
        cuda_architectures(not_elf)


def test_setup_self_check_reads_the_kernels_of_a_cuda_build(monkeypatch):
    """``python -m gersp_mm.utils.collect_env --check`` (the setup's step 6): a CUDA build of mmcv whose
    extension holds no kernel fails; one with kernels names their architectures (the report too)."""
    import mmcv.ops

    from gersp_mm.utils import collect_env
    monkeypatch.setattr(mmcv.ops, 'get_compiling_cuda_version', lambda: '13.0')
    with pytest.raises(RuntimeError, match='built with CUDA 13.0; its _ext holds no CUDA kernel'):
        collect_env._check_ops()
    monkeypatch.setattr(collect_env, '_mmcv_cuda_kernels', lambda: 'sm_80, sm_89, sm_90')
    assert collect_env._check_ops().endswith('its CUDA kernels are for sm_80, sm_89, sm_90')
    assert collect_env._mmcv_ops_info() == (True, f'compiler {mmcv.ops.get_compiler_version()}, CUDA 13.0, '
                                                  'kernels for sm_80, sm_89, sm_90')
