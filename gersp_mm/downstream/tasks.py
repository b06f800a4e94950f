# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The tasks of the downstream benchmark suite: configs, primary metric and the paper's numbers.

Every task has three configs that differ only in ``model.backbone.init_cfg`` (see configs/det, configs/seg
and configs/cls): ``gersp`` (a checkpoint given with
``--cfg-options model.backbone.init_cfg.checkpoint=PATH``), ``in1k`` (torchvision's ImageNet ResNet-50) and
``random``. The primary metric is the key the config's evaluator logs; ``scale`` turns its value into the
paper's unit (percent): mmdet's VOC mAP is a fraction, mmseg's mIoU and mmpretrain's top-1 are percent.

A config file outside the table is a task too (:func:`resolve_task`): its metric comes from its evaluator
(:func:`primary_metric`) and its ImageNet / random variants from its name (``-gersp`` -> ``-in1k``,
``-random``).
"""
import os.path as osp
import re
from dataclasses import dataclass, field
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from mmengine.config import Config

from ..utils.package_files import config_root

#: The init variants of every task, as they appear in the config names.
VARIANTS = ('gersp', 'in1k', 'random')
#: Task kinds: ``finetune`` trains with ``tools/train.py``; ``frozen`` evaluates the frozen backbone with
#: ``tools/frozen_eval.py`` (every protocol and label fraction for the run's seed; docs/frozen_evaluation.md).
KINDS = ('finetune', 'frozen')
#: The result of a frozen task in the suite's tables: top-1 of the linear probe with all training labels.
FROZEN_METRIC = 'linear/top1'

#: The pre-trainings the paper reports, in the column order of its tables (docs/downstream.md lists the numbers).
PAPER_COLUMNS = ('GeRSP', 'GeRSP-200', 'ImageNet', 'MoCo')
PAPER_COLUMN_TITLES = {
    'GeRSP': 'GeRSP (100 ep)',
    'GeRSP-200': 'GeRSP-200',
    'ImageNet': 'ImageNet supervised',
    'MoCo': 'MoCo on ImageNet+MAID',
}

#: Evaluator type -> (its default prefix, key of its primary metric, factor from the logged value to percent).
EVALUATOR_METRICS: Dict[str, Tuple[Optional[str], str, float]] = {
    'VOCMetric': ('pascal_voc', 'mAP', 100.0),
    'DOTAMetric': ('dota', 'mAP', 100.0),
    'IoUMetric': (None, 'mIoU', 1.0),
    'ClassSubsetIoUMetric': (None, 'mIoU', 1.0),
    'Accuracy': ('accuracy', 'top1', 1.0),
}

_VARIANT_TOKEN = re.compile(r'-(gersp|in1k|random)(?=[-_.])')


@dataclass(frozen=True)
class TaskSpec:
    """One downstream benchmark.

    Attributes:
        name (str): Task key, e.g. ``'dior-frcnn'``; also the folder of its runs.
        configs (Mapping[str, str]): Init variant (:data:`VARIANTS`) -> config path.
        metric (str): Primary metric key as logged, e.g. ``'pascal_voc/mAP'``.
        scale (float): Factor from the logged value to the paper's unit (percent).
        paper (Mapping[str, float]): :data:`PAPER_COLUMNS` -> published number, where published.
        note (str): Caveat on the comparison with the paper, if any.
        kind (str): ``'finetune'`` or ``'frozen'`` (:data:`KINDS`).
    """

    name: str
    configs: Mapping[str, str]
    metric: str
    scale: float = 1.0
    paper: Mapping[str, float] = field(default_factory=dict)
    note: str = ''
    kind: str = 'finetune'


def variant_configs(gersp_config: str, variants: Sequence[str] = VARIANTS) -> Dict[str, str]:
    """The config of each init variant of a task, named after its ``gersp`` config.

    Args:
        gersp_config (str): The path of the task's ``gersp`` config, whose file name holds ``-gersp``.
        variants (Sequence[str]): The variants the task has (:data:`VARIANTS` or some of them).

    Returns:
        dict[str, str]: Variant -> config path (``-gersp`` in the file name replaced by ``-<variant>``).
    """
    folder, filename = osp.split(gersp_config)
    return {variant: osp.join(folder, filename.replace('-gersp', f'-{variant}')) for variant in variants}


def _paper(*values: float) -> Dict[str, float]:
    return dict(zip(PAPER_COLUMNS, values))


def _task(name: str, gersp_config: str, metric: str, scale: float = 1.0, paper: Optional[Dict[str, float]] = None,
          note: str = '') -> TaskSpec:
    configs = variant_configs(osp.join(config_root(), 'configs', gersp_config))
    return TaskSpec(name, configs, metric, scale, paper or {}, note)


def _frozen_task(name: str, config: str) -> TaskSpec:
    """A frozen evaluation on the images of a classification config (the same config for every init)."""
    path = osp.join(config_root(), 'configs', config)
    return TaskSpec(name, {variant: path for variant in VARIANTS}, FROZEN_METRIC, kind='frozen',
                    note='frozen backbone, linear probe with all training labels (docs/frozen_evaluation.md)')


_DET = ('pascal_voc/mAP', 100.0)
_OBB = ('dota/mAP', 100.0)  # mmrotate's DOTAMetric (DOTA-v1.0 and DIOR-R): AP@0.5 of rotated boxes, a fraction
_OBB_NOTE = 'the paper reports horizontal boxes only'
_NWPU_NOTE = 'the paper does not say which NWPU-RESISC45 training ratio its number is for'
_POTSDAM_NOTE = 'the paper reports no Potsdam result'

#: The benchmark tasks, in the order of the paper's tables.
TASKS: Dict[str, TaskSpec] = {task.name: task for task in (
    _task('dior-frcnn', 'det/faster-rcnn_r50-gersp_fpn_2x_dior.py', *_DET, _paper(67.1, 67.8, 65.1, 65.8)),
    _task('dior-retinanet', 'det/retinanet_r50-gersp_fpn_2x_dior.py', *_DET, _paper(67.5, 68.7, 66.5, 63.1)),
    _task('dior-dyhead', 'det/atss_r50-gersp_fpn_dyhead_2x_dior.py', *_DET, _paper(71.2, 72.2, 70.6, 68.7)),
    _task('dota-frcnn', 'det/faster-rcnn_r50-gersp_fpn_2x_dota.py', *_DET, _paper(65.9, 66.1, 65.1, 63.0)),
    _task('dota-retinanet', 'det/retinanet_r50-gersp_fpn_2x_dota.py', *_DET, _paper(62.4, 63.0, 60.2, 59.2)),
    _task('dota-dyhead', 'det/atss_r50-gersp_fpn_dyhead_2x_dota.py', *_DET, _paper(66.1, 67.4, 64.8, 62.9)),
    _task('dior-r-orcnn', 'det/oriented-rcnn-le90_r50-gersp_fpn_1x_dior-r.py', *_OBB, note=_OBB_NOTE),
    _task('dior-r-rretinanet', 'det/rotated-retinanet-rbox-le90_r50-gersp_fpn_1x_dior-r.py', *_OBB, note=_OBB_NOTE),
    _task('dota-orcnn', 'det/oriented-rcnn-le90_r50-gersp_fpn_1x_dota.py', *_OBB, note=_OBB_NOTE),
    _task('dota-rretinanet', 'det/rotated-retinanet-rbox-le90_r50-gersp_fpn_1x_dota.py', *_OBB, note=_OBB_NOTE),
    _task('potsdam-deeplabv3plus', 'seg/potsdam/deeplabv3plus_r50-gersp-d8_4xb4-80k_potsdam-512x512.py', 'mIoU',
          note=_POTSDAM_NOTE),
    _task('potsdam-psanet', 'seg/potsdam/psanet_r50-gersp-d8_4xb4-80k_potsdam-512x512.py', 'mIoU',
          note=_POTSDAM_NOTE),
    _task('potsdam-upernet', 'seg/potsdam/upernet_r50-gersp_4xb4-80k_potsdam-512x512.py', 'mIoU',
          note=_POTSDAM_NOTE),
    _task('loveda-psanet', 'seg/loveda/psanet_r50-gersp-d8_4xb4-80k_loveda-512x512.py', 'mIoU',
          paper=_paper(49.53, 49.56, 49.24, 48.34)),
    _task('loveda-deeplabv3plus', 'seg/loveda/deeplabv3plus_r50-gersp-d8_4xb4-80k_loveda-512x512.py', 'mIoU',
          paper=_paper(49.06, 50.56, 48.39, 48.26)),
    _task('nwpu-10p', 'cls/nwpu45/resnet50-gersp_8xb32_nwpu45-10p.py', 'accuracy/top1',
          paper=_paper(92.67, 92.74, 92.48, 91.15), note=_NWPU_NOTE),
    _task('nwpu-20p', 'cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py', 'accuracy/top1',
          paper=_paper(92.67, 92.74, 92.48, 91.15), note=_NWPU_NOTE),
    _task('eurosat', 'cls/eurosat/resnet50-gersp_8xb32_eurosat-80p.py', 'accuracy/top1',
          paper=_paper(97.87, 97.87, 97.84, 97.47)),
    _frozen_task('nwpu-20p-frozen', 'cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py'),
    _frozen_task('eurosat-frozen', 'cls/eurosat/resnet50-gersp_8xb32_eurosat-80p.py'),
)}


def _evaluators(cfg: Config) -> List[dict]:
    evaluator = cfg.get('val_evaluator') or cfg.get('test_evaluator')
    if evaluator is None:
        return []
    if isinstance(evaluator, dict) and 'metrics' in evaluator:  # dict(type='Evaluator', metrics=...)
        evaluator = evaluator['metrics']
    return list(evaluator) if isinstance(evaluator, (list, tuple)) else [evaluator]


def primary_metric(cfg: Config) -> Tuple[str, float]:
    """The primary metric of a config: the first evaluator of a known type (:data:`EVALUATOR_METRICS`).

    Args:
        cfg (Config): A training config (its ``val_evaluator``, else its ``test_evaluator``).

    Returns:
        tuple[str, float]: The metric key as logged (prefix included) and the factor to percent.

    Raises:
        ValueError: If no evaluator of the config has a known primary metric.
    """
    evaluators = _evaluators(cfg)
    for metric in evaluators:
        kind = str(metric.get('type', '')).split('.')[-1]
        if kind not in EVALUATOR_METRICS:
            continue
        default_prefix, key, scale = EVALUATOR_METRICS[kind]
        prefix = metric.get('prefix', default_prefix)
        return (f'{prefix}/{key}' if prefix else key), scale
    types = [metric.get('type') for metric in evaluators]
    raise ValueError(f'no evaluator with a known primary metric in {types} (known: {sorted(EVALUATOR_METRICS)})')


def resolve_task(name: str) -> TaskSpec:
    """The task named ``name``, or the task of a config file.

    A config path of the table resolves to its table task. Another config is a task named after the file
    without its init token (``foo_r50-gersp_bar.py`` -> ``foo_r50_bar``), with the variants whose files
    exist next to it, and the metric of its evaluator.

    Args:
        name (str): A key of :data:`TASKS`, or the path of a config file (``*.py``).

    Returns:
        TaskSpec: The task.

    Raises:
        ValueError: If ``name`` is neither a task key nor a ``.py`` path (the message lists the valid keys),
            or the config has no evaluator with a known primary metric.
        FileNotFoundError: If the config file does not exist.
    """
    if name in TASKS:
        return TASKS[name]
    if not name.endswith('.py'):
        raise ValueError(f'unknown task {name!r}; valid tasks: {", ".join(TASKS)} (or a config file path)')
    if not osp.isfile(name):
        raise FileNotFoundError(f'config file {name!r} not found')
    path = osp.realpath(name)
    for task in TASKS.values():
        if path in {osp.realpath(config) for config in task.configs.values()}:
            return task
    stem = osp.splitext(osp.basename(path))[0]
    match = _VARIANT_TOKEN.search(stem)
    if match is None:
        configs = {'gersp': path}
    else:
        candidates = {variant: osp.join(osp.dirname(path), stem.replace(match.group(0), f'-{variant}', 1) + '.py')
                      for variant in VARIANTS}
        configs = {variant: config for variant, config in candidates.items() if osp.isfile(config)}
        stem = stem.replace(match.group(0), '', 1)
    metric, scale = primary_metric(Config.fromfile(path))
    return TaskSpec(stem, configs, metric, scale)
