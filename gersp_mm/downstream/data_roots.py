# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Where each task of the downstream benchmark reads its data: ``--data-root TASK=PATH`` and the roots used.

The suite's ``--cfg-options`` apply to every run, and the tasks read different datasets (and name their root
variables differently), so one task's root cannot be given there. ``--data-root TASK=PATH`` points the
datasets of one task's configs at ``PATH``: ``<dataset key>.data_root=PATH`` for every dataset of their
``train_dataloader``, ``val_dataloader`` and ``test_dataloader`` (dataset wrappers followed). The roots a
task's training will read are printed with the plan, so that a default ``data/<dataset>`` relative to the
current folder is never used silently.
"""
import os.path as osp
from typing import Dict, List, Sequence

from mmengine.config import Config

from .preflight import TRAINING_LOADERS, leaf_datasets

#: The dataloaders whose datasets ``--data-root`` points at the task's root.
DATA_ROOT_LOADERS = ('train_dataloader', 'val_dataloader', 'test_dataloader')


def parse_data_roots(specs: Sequence[str], task_names: Sequence[str]) -> Dict[str, str]:
    """``{task: path}`` from ``TASK=PATH`` strings.

    Raises:
        ValueError: A spec without ``=``, a task that is not among ``task_names``, or a task given twice.
    """
    roots: Dict[str, str] = {}
    for spec in specs:
        task, _, path = spec.partition('=')
        if not task or not path:
            raise ValueError(f'--data-root takes TASK=PATH, got {spec!r}')
        if task not in task_names:
            raise ValueError(f'--data-root {spec}: {task!r} is not a task of this run ({", ".join(task_names)})')
        if task in roots:
            raise ValueError(f'--data-root gives task {task} twice ({roots[task]}, {path})')
        roots[task] = path
    return roots


def data_root_options(cfg: Config, path: str) -> List[str]:
    """The ``KEY=PATH`` overrides that point every dataset of a config's loaders at ``path``."""
    return [f'{key}.data_root={path}' for loader in DATA_ROOT_LOADERS if isinstance(cfg.get(loader), dict)
            for key, _ in leaf_datasets(cfg[loader].get('dataset'), f'{loader}.dataset')]


def training_data_roots(cfg: Config) -> List[str]:
    """The distinct ``data_root`` of the datasets a training run reads (train and val loaders), in order;
    a relative one is shown with the folder it is relative to."""
    roots = []
    for loader in TRAINING_LOADERS:
        if isinstance(cfg.get(loader), dict):
            for _, dataset in leaf_datasets(cfg[loader].get('dataset'), f'{loader}.dataset'):
                root = str(dataset.get('data_root') or '')
                shown = root if osp.isabs(root) else f'{root or "."} (in {osp.abspath(".")})'
                if shown not in roots:
                    roots.append(shown)
    return roots
