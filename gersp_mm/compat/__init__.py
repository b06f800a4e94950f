# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Compatibility layer for the pinned OpenMMLab stack (mmengine 0.10.7) on modern PyTorch.

Each shim fixes one failure that the pinned releases hit on a current torch, one module each; each has a
test in ``tests/test_compat.py`` that reproduces the failure without the shim:

- :mod:`.checkpoint_loader`: mmengine's checkpoints load on torch >= 2.6 with ``weights_only=True`` kept;
- :mod:`.config_inheritance`: ``_base_ = 'gersp_mm::...'`` config bases;
- :mod:`.cpu_autocast`: ``--amp`` on CPU (bfloat16);
- :mod:`.cpu_distributed`: ``--launcher pytorch`` without CUDA (gloo).

:mod:`.log_filters` quiets the stack's messages that say nothing about a run (``tests/test_log_filters.py``).

:func:`install_compat` (called by ``import gersp_mm``) installs the log filters, then the first two shims; the
other two are registered types and a function that ``tools/train.py`` and ``tools/test.py`` call.
"""
from .checkpoint_loader import install_checkpoint_loader, load_from_local
from .config_inheritance import install_config_inheritance
from .cpu_autocast import CPUAutocastOptimWrapper
from .cpu_distributed import CPUDistributedDataParallel, setup_dist_without_cuda
from .log_filters import install_log_filters

__all__ = ['load_from_local', 'CPUAutocastOptimWrapper', 'CPUDistributedDataParallel', 'setup_dist_without_cuda',
           'install_compat']

_INSTALLED = False


def install_compat() -> None:
    """Install the log filters, ``gersp_mm::`` config inheritance and the checkpoint loader. Idempotent.

    The log filters come first: they replace the log record factory and add warning filters; config
    inheritance adds ``gersp_mm`` to ``mmengine.config.utils.MODULE2PACKAGE``; the checkpoint loader
    re-registers mmengine's loader of local files.
    """
    global _INSTALLED
    if _INSTALLED:
        return
    install_log_filters()
    install_config_inheritance()
    install_checkpoint_loader()
    _INSTALLED = True
