# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Compatibility layer for the pinned OpenMMLab stack (mmengine 0.10.7) on modern PyTorch.

Each shim here fixes one failure that the pinned releases hit on a current torch; each has a test in
``tests/test_compat.py`` that reproduces the failure without the shim.

Checkpoint loading (torch >= 2.6)
    ``torch.load`` defaults to ``weights_only=True`` since torch 2.6. mmengine 0.10.7 calls it without
    the argument, so every checkpoint written by an mmengine ``Runner`` fails to load (``--resume``,
    ``load_from``, ``init_cfg=dict(type='Pretrained')`` on a training checkpoint) with
    ``Unsupported global: mmengine.logging.history_buffer.HistoryBuffer``. Turning ``weights_only`` off
    would let any checkpoint run arbitrary code. Instead, the loader for local files is replaced (through
    mmengine's own ``CheckpointLoader.register_scheme``) by one that keeps ``weights_only=True`` and
    allow-lists only the plain data types an mmengine checkpoint holds (its log history buffers and the
    numpy arrays/scalars inside them). Any other object in a file is still refused, with an error naming
    the file and the offending global. The loader (:func:`gersp_mm.fileio.load_checkpoint_file`) also
    diagnoses missing, empty, truncated and non-checkpoint files, naming the file.

``gersp_mm::`` config inheritance
    mmengine resolves ``package::path`` bases only for the OpenMMLab packages it lists in
    ``mmengine.config.utils.MODULE2PACKAGE``. :func:`install_compat` adds ``gersp_mm`` (its configs are
    exported to ``gersp_mm/.mim/configs`` by setup.py), so ``_base_ = 'gersp_mm::pretrain/gersp_r50.py'``
    works in any process that imported ``gersp_mm`` before parsing the config, e.g. ``tools/train.py``.
    The dicts of such a base are built in the ``gersp_mm`` registry scope: see :mod:`gersp_mm.registry`.

Mixed precision on CPU
    mmengine's ``AmpOptimWrapper`` asserts that a GPU/NPU/MLU is present. ``CPUAutocastOptimWrapper``
    runs the forward under ``torch.autocast('cpu', dtype=torch.bfloat16)`` (bfloat16 needs no loss
    scaling); ``tools/train.py --amp`` picks it when no GPU is visible.

Distributed runs without CUDA
    mmengine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally, so ``--launcher pytorch``
    fails on CPU-only machines. :func:`setup_dist_without_cuda` initialises the process group (gloo) from
    the torchrun environment first; mmengine's Runner then finds it initialised and uses it. The Runner
    also wraps the model in DDP with ``device_ids=[LOCAL_RANK]``, which torch refuses for a CPU module:
    ``CPUDistributedDataParallel`` drops ``device_ids``. ``tools/train.py`` and ``tools/test.py`` call
    :func:`setup_dist_without_cuda`.
"""
import contextlib
import os
from typing import Any, Iterator, Optional, Union

import torch
from mmengine.model import MMDistributedDataParallel
from mmengine.optim import OptimWrapper
from mmengine.registry import MODEL_WRAPPERS, OPTIM_WRAPPERS
from mmengine.runner.checkpoint import CheckpointLoader

# The loader lives in gersp_mm.fileio; re-exported here, where it was first defined.
from .fileio.checkpoint_loading import (  # noqa: F401
    CheckpointLoadError,
    load_checkpoint_file,
    mmengine_checkpoint_globals,
)

_INSTALLED = False


@OPTIM_WRAPPERS.register_module()
class CPUAutocastOptimWrapper(OptimWrapper):
    """An optimizer wrapper whose forward runs under CPU autocast (mixed precision without a GPU).

    Args:
        dtype (str | torch.dtype): Autocast dtype. Defaults to ``'bfloat16'`` (float16 on CPU would need
            loss scaling, which this wrapper does not do).
        **kwargs: Arguments of :class:`mmengine.optim.OptimWrapper`.
    """

    def __init__(self, dtype: Union[str, torch.dtype] = 'bfloat16', **kwargs) -> None:
        super().__init__(**kwargs)
        self.cast_dtype = getattr(torch, dtype) if isinstance(dtype, str) else dtype
        if self.cast_dtype != torch.bfloat16:
            raise ValueError(f'CPUAutocastOptimWrapper supports bfloat16 only, got {self.cast_dtype}')

    @contextlib.contextmanager
    def optim_context(self, model: torch.nn.Module) -> Iterator[None]:
        with super().optim_context(model), torch.autocast('cpu', dtype=self.cast_dtype):
            yield


@MODEL_WRAPPERS.register_module()
class CPUDistributedDataParallel(MMDistributedDataParallel):
    """mmengine's DDP wrapper for a model on the CPU (gloo): ``device_ids`` must be None there.

    Args:
        module (nn.Module): The model.
        device_ids (list, optional): Ignored (mmengine always passes ``[LOCAL_RANK]``).
        **kwargs: Other arguments of :class:`MMDistributedDataParallel`.
    """

    def __init__(self, module: torch.nn.Module, device_ids: Optional[list] = None, **kwargs) -> None:
        super().__init__(module=module, device_ids=None, **kwargs)


def setup_dist_without_cuda(cfg, launcher: str) -> None:
    """Prepare a config and torch.distributed for a launcher on a machine without CUDA.

    Does nothing for ``launcher='none'``, when CUDA is available, or when the process group already exists.
    Otherwise selects the gloo backend and :class:`CPUDistributedDataParallel` (unless the config names
    its own model wrapper) and initialises the process group from the torchrun environment; mmengine's
    Runner then finds it initialised and uses it. Only the ``pytorch`` launcher is supported on CPU.

    Args:
        cfg (mmengine.Config): The run's config, edited in place.
        launcher (str): The ``--launcher`` value.
    """
    import torch.distributed as dist
    if launcher == 'none' or torch.cuda.is_available() or (dist.is_available() and dist.is_initialized()):
        return
    if launcher != 'pytorch':
        raise RuntimeError(f'--launcher {launcher} needs CUDA; without a GPU use tools/dist_train.sh '
                           '(--launcher pytorch, gloo backend)')
    missing = [name for name in ('RANK', 'WORLD_SIZE', 'MASTER_ADDR', 'MASTER_PORT') if name not in os.environ]
    if missing:
        raise RuntimeError(f'--launcher pytorch expects the torchrun environment; missing {missing}')
    dist_cfg = cfg.setdefault('env_cfg', {}).setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    if cfg.get('model_wrapper_cfg') is None:
        cfg.model_wrapper_cfg = dict(type='CPUDistributedDataParallel', broadcast_buffers=False,
                                     find_unused_parameters=cfg.get('find_unused_parameters', False))
    kwargs = {key: value for key, value in dist_cfg.items() if key != 'backend'}
    dist.init_process_group(backend='gloo', **kwargs)


def load_from_local(filename: str, map_location=None) -> Any:
    """:func:`load_checkpoint_file` under the name mmengine logs ("Loads checkpoint by local backend")."""
    return load_checkpoint_file(filename, map_location)


def install_compat() -> None:
    """Install every shim of this module. Idempotent; called by ``import gersp_mm``."""
    global _INSTALLED
    if _INSTALLED:
        return
    from mmengine.config.utils import MODULE2PACKAGE

    # A module, not the distribution name: mmengine then finds the package folder by import spec, which
    # is right for editable installs too (the distribution's location is site-packages for those).
    MODULE2PACKAGE.setdefault('gersp_mm', 'gersp_mm.version')
    if hasattr(torch.serialization, 'safe_globals'):  # torch >= 2.5; older torch loads unrestricted
        CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)
    _INSTALLED = True
