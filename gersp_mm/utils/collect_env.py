# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Environment report and self-check.

Usage::

    python -m gersp_mm.utils.collect_env            # print the report
    python -m gersp_mm.utils.collect_env --check    # print it, then verify the stack works (exit code 1 if not)
"""
import argparse
import importlib
import sys
from collections import OrderedDict
from typing import Callable, Dict, List, Tuple

_HOST_PACKAGES = ('mmengine', 'mmcv', 'mmpretrain', 'mmdet', 'mmseg')


def _mmcv_ops_info() -> Tuple[bool, str]:
    """Whether mmcv's compiled ops load, the compiler/CUDA they were built with and their GPU architectures."""
    try:
        from mmcv.ops import get_compiler_version, get_compiling_cuda_version
    except Exception as err:  # noqa: BLE001 - any import failure means "no ops"
        return False, f'unavailable ({type(err).__name__}: {err})'
    cuda = get_compiling_cuda_version()
    if cuda == 'not available':
        return True, f'compiler {get_compiler_version()}, CPU kernels only'
    return True, f'compiler {get_compiler_version()}, CUDA {cuda}, kernels for {_mmcv_cuda_kernels()}'


def _mmcv_cuda_kernels() -> str:
    """The GPU architectures of the CUDA kernels in mmcv's ``_ext`` (``'sm_80, sm_90, compute_90 (PTX)'``),
    read from the file (:mod:`gersp_mm.mmcv_build.cuda_kernels`); ``''`` when it holds none."""
    from mmcv.utils import ext_loader

    from ..mmcv_build.cuda_kernels import cuda_architectures
    kernels = cuda_architectures(ext_loader.load_ext('_ext', []).__file__)
    return ', '.join([f'sm_{arch}' for arch in kernels['sass']] + [f'compute_{arch} (PTX)' for arch in kernels['ptx']])


def collect_env() -> Dict[str, str]:
    """Collect the versions of everything gersp_mm runs on.

    Returns:
        dict: Ordered ``name -> value`` pairs: mmengine's ``collect_env`` (Python, CUDA, GCC, PyTorch,
        TorchVision, OpenCV, MMEngine, ...) followed by mmcv's ops status, the OpenMMLab packages and
        gersp_mm.
    """
    from mmengine.utils.dl_utils import collect_env as mmengine_collect_env
    env = OrderedDict(mmengine_collect_env())
    env.pop('PyTorch compiling details', None)
    available, details = _mmcv_ops_info()
    env['MMCV ops'] = f'available: {details}' if available else details
    for name in _HOST_PACKAGES:
        try:
            env[name] = importlib.import_module(name).__version__
        except Exception as err:  # noqa: BLE001 - report, do not fail
            env[name] = f'not importable ({type(err).__name__}: {err})'
    from gersp_mm import __version__
    env['gersp_mm'] = __version__
    return env


def _check_ops() -> str:
    import torch
    from mmcv.ops import nms
    boxes = torch.tensor([[0., 0., 10., 10.], [1., 1., 10., 10.], [20., 20., 30., 30.]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    _, keep = nms(boxes, scores, iou_threshold=0.5)
    if keep.tolist() != [0, 2]:
        raise RuntimeError(f'mmcv.ops.nms returned {keep.tolist()}, expected [0, 2]')
    from mmcv.ops import get_compiling_cuda_version
    if get_compiling_cuda_version() == 'not available':
        return 'mmcv compiled ops run (nms)'
    kernels = _mmcv_cuda_kernels()
    if not kernels:
        raise RuntimeError(f'mmcv was built with CUDA {get_compiling_cuda_version()}; its _ext holds no CUDA kernel')
    return f'mmcv compiled ops run (nms on the CPU); its CUDA kernels are for {kernels}'


def _check_imports() -> str:
    for name in ('mmdet.models', 'mmdet.datasets', 'mmseg.models', 'mmseg.datasets',
                 'mmpretrain.models', 'mmpretrain.datasets'):
        importlib.import_module(name)
    return 'mmdet, mmseg and mmpretrain models/datasets import'


def _check_checkpoint_loading() -> str:
    import os
    import tempfile

    import torch
    from mmengine.logging.history_buffer import HistoryBuffer
    from mmengine.runner.checkpoint import _load_checkpoint

    import gersp_mm  # noqa: F401 - installs the loader
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'ckpt.pth')
        buffer = HistoryBuffer()
        buffer.update(1.5)
        torch.save({'state_dict': {'w': torch.ones(1)}, 'message_hub': {'loss': buffer}}, path)
        loaded = _load_checkpoint(path, map_location='cpu')
    if loaded['message_hub']['loss'].current() != 1.5:
        raise RuntimeError('a checkpoint with mmengine log buffers did not round-trip')
    return 'mmengine training checkpoints load with weights_only=True'


CHECKS: List[Callable[[], str]] = [_check_ops, _check_imports, _check_checkpoint_loading]


def run_checks() -> bool:
    """Run the self-checks, printing one line per check.

    Returns:
        bool: True if every check passed.
    """
    ok = True
    for check in CHECKS:
        try:
            print(f'[ok]   {check()}')
        except Exception as err:  # noqa: BLE001 - every failure is reported, then the exit code says it
            ok = False
            print(f'[FAIL] {check.__name__.lstrip("_")}: {type(err).__name__}: {err}')
    return ok


def main(argv: List[str] = None) -> int:
    parser = argparse.ArgumentParser(
        prog='python -m gersp_mm.utils.collect_env',
        description='Print the versions gersp_mm runs on; with --check, verify that the stack works.',
        epilog='example: python -m gersp_mm.utils.collect_env --check')
    parser.add_argument('--check', action='store_true',
                        help='run the import / compiled-ops / checkpoint self-check')
    args = parser.parse_args(argv)
    env = collect_env()
    width = max(len(name) for name in env)
    for name, value in env.items():
        print(f'{name:<{width}} : {value}')
    if args.check:
        print()
        return 0 if run_checks() else 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
