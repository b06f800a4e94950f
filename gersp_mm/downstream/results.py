# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Final results of downstream benchmark runs, read from mmengine's logs (``tools/frozen_eval.py``'s for a frozen task).

**Final result of a run.** mmengine validates at the last epoch (iteration) of training whatever
``val_interval`` is, and logs the metrics of every validation to ``<timestamp>/vis_data/scalars.json`` (one
JSON record per line; ``step`` is the epoch, or the iteration when the logger hook has
``log_metric_by_epoch=False`` as in mmseg), next to the config of the run (``<timestamp>/vis_data/config.py``,
after ``--cfg-options``). The final result of a work dir is the primary metric of its newest log folder that
logged the metric, provided that record is at the final step of that folder's config (``train_cfg.max_epochs``
or ``max_iters``). A work dir whose newest validation is earlier (interrupted) has no final result. For
the configs of this repository the validation and test sets are the same split, so the final validation is
the number the paper's tables report (the model after the last epoch, no checkpoint selection).
"""
import json
import os.path as osp
from typing import NamedTuple, Optional

from mmengine.config import Config

from ..analysis.scalar_logs import last_record_with, log_dirs
from .tasks import FROZEN_METRIC


class FinalResult(NamedTuple):
    """The final result of a run, as logged.

    Attributes:
        metric (str): Metric key.
        value (float): Its value at the final validation, as logged (not scaled).
        step (int): The final epoch or iteration.
        log (str): The ``scalars.json`` it was read from.
    """

    metric: str
    value: float
    step: int
    log: str


def _load_config(path: str) -> Config:
    return Config.fromfile(path, import_custom_modules=False)


def newest_config(work_dir: str) -> Optional[Config]:
    """The config of the newest run in ``work_dir`` (``<timestamp>/vis_data/config.py``), or None."""
    for log_dir in log_dirs(work_dir):
        path = osp.join(log_dir, 'vis_data', 'config.py')
        if osp.isfile(path):
            return _load_config(path)
    return None


def final_step(cfg: Config) -> int:
    """The ``step`` that mmengine logs the validation after the last training epoch / iteration with.

    Args:
        cfg (Config): The config of a run.

    Returns:
        int: ``train_cfg.max_epochs`` for epoch-based training logged by epoch, ``train_cfg.max_iters`` for
        iteration-based training logged by iteration.

    Raises:
        ValueError: For other combinations, whose final step the config does not tell.
    """
    train_cfg = cfg.get('train_cfg') or {}
    logger = (cfg.get('default_hooks') or {}).get('logger') or {}
    by_epoch = logger.get('log_metric_by_epoch', True)
    if 'max_epochs' in train_cfg and by_epoch:
        return int(train_cfg['max_epochs'])
    if 'max_iters' in train_cfg and not by_epoch:
        return int(train_cfg['max_iters'])
    raise ValueError(f'cannot tell the final validation step of train_cfg={dict(train_cfg)} with '
                     f'default_hooks.logger.log_metric_by_epoch={by_epoch} (supported: max_epochs with '
                     'log_metric_by_epoch=True, max_iters with log_metric_by_epoch=False)')


def read_final_result(work_dir: str, metric: str) -> Optional[FinalResult]:
    """The final result of a run (see the module docstring), or None if the run has not finished.

    Args:
        work_dir (str): The work dir of one run.
        metric (str): Metric key as logged, e.g. ``'accuracy/top1'``.

    Returns:
        FinalResult | None: The metric at the final validation of the newest log folder that logged it;
        None if there is no such folder or its last validation is not at the final step.

    Raises:
        ValueError: If a log is not JSON lines, or the final step cannot be told (:func:`final_step`).
    """
    if metric == FROZEN_METRIC:
        return read_frozen_result(work_dir)
    for log_dir in log_dirs(work_dir):
        scalars = osp.join(log_dir, 'vis_data', 'scalars.json')
        config = osp.join(log_dir, 'vis_data', 'config.py')
        if not osp.isfile(config):
            continue
        last = last_record_with(scalars, metric)
        if last is None:
            continue
        step = final_step(_load_config(config))
        if int(last.get('step', -1)) != step:
            return None
        return FinalResult(metric, float(last[metric]), step, scalars)
    return None


def read_frozen_result(work_dir: str) -> Optional[FinalResult]:
    """The result of a frozen-evaluation run: the linear probe's top-1 (%) with all training labels, read from
    the ``results.json`` that ``tools/frozen_eval.py`` writes last (None before it exists)."""
    path = osp.join(work_dir, 'results.json')
    if not osp.isfile(path):
        return None
    with open(path) as f:
        accuracies = json.load(f).get('accuracies', [])
    for record in accuracies:
        if record.get('protocol') == 'linear' and record.get('fraction') == 1.0:
            return FinalResult(FROZEN_METRIC, float(record['interval']['estimate']), 0, path)
    raise ValueError(f'{path} has no linear-probe result with all training labels (fraction 1)')
