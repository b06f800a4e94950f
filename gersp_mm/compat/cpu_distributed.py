# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Distributed runs without CUDA.

mmengine's ``init_dist`` calls ``torch.cuda.set_device`` unconditionally, so ``--launcher pytorch`` fails on
CPU-only machines. :func:`setup_dist_without_cuda` initialises the process group (gloo) from the torchrun
environment first; mmengine's Runner then finds it initialised and uses it. The Runner also wraps the model in
DDP with ``device_ids=[LOCAL_RANK]``, which torch refuses for a CPU module: ``CPUDistributedDataParallel`` drops
``device_ids``. ``tools/train.py`` and ``tools/test.py`` call :func:`setup_dist_without_cuda`.
``env_cfg.dist_cfg.timeout`` is given in seconds, as for ``init_dist`` (which converts it; torch's
``init_process_group`` takes a ``timedelta``).
"""
import os
from typing import Optional

import torch
from mmengine.model import MMDistributedDataParallel
from mmengine.registry import MODEL_WRAPPERS

from ..engine.config_checks import dist_timeout


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
    if 'timeout' in kwargs:  # seconds, as mmengine's init_dist takes it; torch wants a timedelta
        kwargs['timeout'] = dist_timeout(cfg)
    dist.init_process_group(backend='gloo', **kwargs)
