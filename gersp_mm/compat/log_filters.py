# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Quiet logs: the messages of the pinned OpenMMLab stack that say nothing about a run, filtered out.

Each filter names its message, who emits it and why it is harmless here; :func:`install_log_filters` (called
first by :func:`~gersp_mm.compat.install_compat`, so by ``import gersp_mm`` and by every config that imports
the package) installs them. Data-loader workers inherit them: forked ones with the parent's state, spawned
ones by importing the package that their dataset pickles refer to. The messages are all emitted while a run
is set up or runs, none while the package's modules are imported.

``pkg_resources is deprecated as an API`` (``UserWarning``)
    mmengine's ``is_installed`` (run for every ``mmdet::``-style config base) and openmim import
    ``pkg_resources``; setuptools >= 80.9 warns at that import, every time (mmengine reloads the module).
    Fixed at the cause in the environment of ``tools/setup_env.sh``, which pins ``setuptools<80.9``: those
    releases ship the same ``pkg_resources`` and warn with a ``DeprecationWarning``, hidden by default.
    The filter covers other environments, once ``gersp_mm`` is imported.
``Only use 'alpha' for pillow backend`` (``UserWarning``, every epoch: once per data-loader worker)
    ``mmcv.adjust_color`` with the pillow backend ignores its ``beta`` and ``gamma`` arguments and says so
    on every call. mmpretrain's ``ColorJitter`` (the saturation jitter) passes ``alpha`` alone, for which
    pillow's ``ImageEnhance.Color`` computes the same blend with the grey image.
``"FileClient" will be deprecated in future`` and ``"HardDiskBackend" is the alias of "LocalBackend"``
    Logged as warnings by mmengine's own ``CheckpointHook.before_train``, which builds a ``FileClient``
    for backward compatibility and does not use it unless the config sets ``file_client_args``. Demoted
    to DEBUG (shown with ``log_level='DEBUG'``).
``GPU number: 1`` in the runtime environment a Runner logs
    mmengine logs the number of processes under that label, also without any GPU. Relabelled
    ``Processes`` on machines without CUDA.
"""
import logging
import re
import warnings
from typing import Callable

import torch

_DEMOTED_TO_DEBUG = ('"FileClient" will be deprecated in future.',
                     '"HardDiskBackend" is the alias of "LocalBackend"')
_GPU_NUMBER = re.compile(r'^(\s*)GPU number: ', re.M)
_installed = False


def _quiet_records(make_record: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    """Wrap a log record factory: mmengine's records above are demoted or relabelled (see the module)."""

    def factory(*args, **kwargs) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        if record.name != 'mmengine' or not isinstance(record.msg, str):
            return record
        if record.levelno == logging.WARNING and record.msg.startswith(_DEMOTED_TO_DEBUG):
            record.levelno, record.levelname = logging.DEBUG, logging.getLevelName(logging.DEBUG)
        elif 'GPU number: ' in record.msg and not torch.cuda.is_available():
            record.msg = _GPU_NUMBER.sub(r'\1Processes: ', record.msg)
        return record

    return factory


def install_log_filters() -> None:
    """Install the warning filters and the log record factory described in the module. Idempotent."""
    global _installed
    if _installed:
        return
    warnings.filterwarnings('ignore', message='pkg_resources is deprecated as an API', category=UserWarning)
    warnings.filterwarnings('ignore', message="Only use 'alpha' for pillow backend", category=UserWarning,
                            module='mmcv.image.photometric')
    logging.setLogRecordFactory(_quiet_records(logging.getLogRecordFactory()))
    _installed = True
