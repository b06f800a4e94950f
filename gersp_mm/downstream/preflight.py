# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Checks before a downstream benchmark runs anything, so that a wrong path or checkpoint fails in seconds, not after
hours of other runs: one sentence per problem.

- Data: the ``data_root`` (a folder) and ``ann_file`` (a file; a folder when it ends with ``/``, as the folders
  of label files of mmrotate's DOTA datasets) of the datasets that training uses
  (``train_dataloader`` and ``val_dataloader``, wrappers included) exist, for every config of the plan with
  the benchmark's ``--cfg-options`` applied.
- Checkpoints: each checkpoint loads (:func:`gersp_mm.fileio.load_checkpoint_file`), holds a complete standard
  ResNet under the prefix of the task's ``init_cfg``, and its depth is the one of the task's backbone. For a
  frozen task, whose tool finds the backbone in any known layout and builds the checkpoint's own depth: a
  complete ResNet in a known layout (:func:`gersp_mm.export.extract_resnet_backbone`).
  Checkpoints given as URLs are not checked (nothing is downloaded).

The fine-tuning itself checks the fit again, tensor by tensor, when it loads the backbone (the ``Pretrained``
init of :mod:`gersp_mm.export.pretrained_init`).
"""
import argparse
import os.path as osp
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple

from mmengine.config import Config, DictAction

from ..engine.config_checks import ConfigCheckError
from ..export import (
    BackboneExtractionError,
    BackboneMismatchError,
    backbone_tensors,
    check_resnet_tensors,
    extract_resnet_backbone,
)
from ..fileio import CheckpointLoadError, load_checkpoint_file
from ..utils import load_tool_config
from .inits import Init
from .runs import Run, display_path

#: The dataloaders whose datasets a training run builds.
TRAINING_LOADERS = ('train_dataloader', 'val_dataloader')


def parse_cfg_options(options: Sequence[str]) -> Dict[str, Any]:
    """``KEY=VALUE`` strings parsed as ``tools/train.py --cfg-options`` parses them (mmengine's DictAction)."""
    if not options:
        return {}
    parser = argparse.ArgumentParser()
    parser.add_argument('--cfg-options', nargs='+', action=DictAction)
    return parser.parse_args(['--cfg-options', *options]).cfg_options


def leaf_datasets(dataset: Any, key: str) -> Iterator[Tuple[str, dict]]:
    """The leaf datasets of a dataset config, through ``dataset`` / ``datasets`` wrappers.

    Args:
        dataset (Any): A dataset config, e.g. ``cfg.train_dataloader.dataset``; nothing for a non-dict.
        key (str): Its config key, e.g. ``'train_dataloader.dataset'``.

    Yields:
        tuple[str, dict]: The config key of each leaf dataset (``<key>.datasets.0``, ``<key>.dataset``) and
        its dict.
    """
    if not isinstance(dataset, dict):
        return
    if isinstance(dataset.get('datasets'), (list, tuple)):
        for index, child in enumerate(dataset['datasets']):
            yield from leaf_datasets(child, f'{key}.datasets.{index}')
    elif isinstance(dataset.get('dataset'), dict):
        yield from leaf_datasets(dataset['dataset'], f'{key}.dataset')
    else:
        yield key, dataset


def check_data(cfg: Config) -> List[Tuple[str, str]]:
    """The missing data paths of a config's training datasets.

    Args:
        cfg (Config): A training config.

    Returns:
        list[tuple[str, str]]: ``(config key, problem)`` per missing ``data_root`` folder or ``ann_file``
        (an ``ann_file`` is only checked when its ``data_root`` exists).
    """
    problems = []
    for loader in TRAINING_LOADERS:
        loader_cfg = cfg.get(loader)
        if not isinstance(loader_cfg, dict):
            continue
        for key, dataset in leaf_datasets(loader_cfg.get('dataset'), f'{loader}.dataset'):
            data_root = dataset.get('data_root') or ''
            if data_root and not osp.isdir(data_root):
                problems.append((f'{key}.data_root', f'data root {data_root!r} is not a folder'))
                continue
            ann_file = dataset.get('ann_file') or ''
            if isinstance(ann_file, str) and ann_file:
                path = ann_file if osp.isabs(ann_file) or not data_root else osp.join(data_root, ann_file)
                if ann_file.endswith('/') and not osp.isdir(path):
                    problems.append((f'{key}.ann_file', f'annotation folder {path!r} does not exist'))
                elif not ann_file.endswith('/') and not osp.isfile(path):
                    problems.append((f'{key}.ann_file', f'annotation file {path!r} does not exist'))
    return problems


def checkpoint_depth(checkpoint: dict, prefix: Optional[str], source: str) -> int:
    """The depth of the complete ResNet a loaded checkpoint holds under ``prefix`` (``fc`` ignored).

    Raises:
        BackboneMismatchError: Nothing is under ``prefix``.
        BackboneExtractionError: The tensors there are no complete standard ResNet.
    """
    tensors = backbone_tensors(checkpoint, prefix, source)
    tensors = {key: value for key, value in tensors.items() if not key.startswith('fc.')}
    where = f' under the prefix {prefix!r}' if prefix else ''
    return check_resnet_tensors(tensors, source, where)


def _backbone_depth(cfg: Config) -> Optional[int]:
    """``model.backbone.depth`` of a config whose backbone is a ResNet, else None."""
    backbone = cfg.get('model', {}).get('backbone', {})
    kind = str(backbone.get('type', '')).split('.')[-1]
    depth = backbone.get('depth')
    return depth if kind == 'ResNet' and isinstance(depth, int) else None


def _check_checkpoint(init: Init, runs: Sequence[Run], configs: Dict[str, Config]) -> List[str]:
    """The problems of one checkpoint init with the tasks it runs on."""
    try:
        checkpoint = load_checkpoint_file(init.checkpoint)
    except CheckpointLoadError as err:
        return [f'init {init.label!r}: {err}']
    if not isinstance(checkpoint, dict):
        return [f'init {init.label!r}: {init.checkpoint} holds a {type(checkpoint).__name__}, not a checkpoint dict']
    problems, depths = [], {}
    for run in runs:
        cfg = configs[run.config]
        init_cfg = cfg.get('model', {}).get('backbone', {}).get('init_cfg') or {}
        prefix = init_cfg.get('prefix') if isinstance(init_cfg, dict) else None
        frozen = run.task.kind == 'frozen'
        key = ('any layout', ) if frozen else ('prefix', prefix)
        if key not in depths:
            try:
                depths[key] = (extract_resnet_backbone(checkpoint, init.checkpoint).depth if frozen else
                               checkpoint_depth(checkpoint, prefix, init.checkpoint))
            except (BackboneMismatchError, BackboneExtractionError) as err:
                depths[key] = None
                problems.append(f'init {init.label!r}: {err}')
        wanted = None if frozen else _backbone_depth(cfg)
        found = depths[key]
        if found is not None and wanted is not None and found != wanted:
            problems.append(f'init {init.label!r}: {init.checkpoint} holds a ResNet-{found} backbone but task '
                            f'{run.task.name} ({display_path(run.config)}) builds a ResNet-{wanted}.')
    return problems


def load_plan_configs(runs: Sequence[Run], cfg_options: Sequence[str] = ()) -> Dict[str, Config]:
    """The config of every run of the plan, with the benchmark's ``--cfg-options`` applied (as the tools do).

    Raises:
        ConfigCheckError: If a config refuses an override, e.g. a variable it does not use
            (:func:`~gersp_mm.utils.load_tool_config`); of the same type as the refusal, its message prefixed
            with the task(s) and the config.
    """
    options = parse_cfg_options(cfg_options)
    configs = {}
    for config in dict.fromkeys(run.config for run in runs):
        try:
            configs[config] = load_tool_config(config, options)
        except ConfigCheckError as err:
            tasks = ', '.join(dict.fromkeys(run.task.name for run in runs if run.config == config))
            raise type(err)(f'task {tasks} ({display_path(config)}): {err}') from err
    return configs


def preflight(runs: Sequence[Run], cfg_options: Sequence[str] = (),
              configs: Optional[Dict[str, Config]] = None) -> List[str]:
    """Everything that would make a planned run fail at its start, one sentence each.

    Args:
        runs (Sequence[Run]): The plan (:func:`gersp_mm.downstream.plan_runs`).
        cfg_options (Sequence[str]): The benchmark's ``--cfg-options`` (``KEY=VALUE``), applied to every config.
        configs (dict, optional): The runs' configs as they will run (:func:`load_plan_configs`, with the
            per-task data roots applied); loaded with ``cfg_options`` when not given.

    Returns:
        list[str]: The problems; empty when every run can start.
    """
    configs = load_plan_configs(runs, cfg_options) if configs is None else configs
    problems, seen = [], set()
    for run in runs:
        for key, problem in check_data(configs[run.config]):
            if (run.task.name, key, problem) not in seen:
                seen.add((run.task.name, key, problem))
                fix = (f'set {key} in the config or with --cfg-options, or give --data-root {run.task.name}=PATH'
                       if key.endswith('.data_root') else f'set {key} in the config or with --cfg-options')
                problems.append(f'task {run.task.name} ({display_path(run.config)}): {problem} ({fix}).')
    inits = {run.init: None for run in runs if run.init.checkpoint is not None and '://' not in run.init.checkpoint}
    for init in inits:
        init_runs = list({(run.config, run.task.kind): run for run in runs if run.init == init}.values())
        problems += _check_checkpoint(init, init_runs, configs)
    return problems
