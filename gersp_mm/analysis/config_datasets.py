# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A config's datasets, built exactly as the Runner builds them.

``DATASETS.build`` of ``<split>_dataloader.dataset`` in the config's default scope, after its
``custom_imports``: what training or testing would get. Works for detection (mmdet, and mmrotate for oriented
boxes), segmentation (mmseg) and classification (mmpretrain) configs; the task follows the config's
``default_scope``.
"""
import copy
from typing import Optional

from mmengine.config import Config
from mmengine.registry import DATASETS, init_default_scope
from mmengine.utils import import_modules_from_strings

from ..utils import load_tool_config

#: The task of a config, by its ``default_scope``.
TASKS = {'mmdet': 'det', 'mmrotate': 'det', 'mmseg': 'seg', 'mmpretrain': 'cls'}
SPLITS = ('train', 'val', 'test')


def load_config(config: str, cfg_options: Optional[dict] = None) -> Config:
    """Load a config as ``tools/train.py`` does (:func:`~gersp_mm.utils.load_tool_config`), import its
    ``custom_imports`` and set its default scope."""
    cfg = load_tool_config(config, cfg_options)
    if cfg.get('custom_imports'):
        import_modules_from_strings(**cfg.custom_imports)
    init_default_scope(cfg.get('default_scope', 'mmengine'))
    return cfg


def task_of(cfg: Config) -> str:
    """``'det'``, ``'seg'`` or ``'cls'``, from the config's ``default_scope``."""
    scope = cfg.get('default_scope')
    if scope not in TASKS:
        raise ValueError(f'cannot tell the task of a config with default_scope={scope!r}; expected one of '
                         f'{sorted(TASKS)}')
    return TASKS[scope]


def build_dataset(cfg: Config, split: str):
    """Build ``<split>_dataloader.dataset`` as :meth:`mmengine.runner.Runner.build_dataloader` does."""
    return DATASETS.build(copy.deepcopy(cfg[f'{split}_dataloader'].dataset))
