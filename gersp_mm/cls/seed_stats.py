# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Mean and standard deviation of a metric over runs that differ only in their seed.

Each run is one mmengine work dir (``--cfg-options randomness.seed=N --work-dir work_dirs/<name>_seedN``).
The metric of a run is read from the newest of its ``<timestamp>/`` log folders that has it: the result of
a test run (``Runner.test()`` writes ``<timestamp>/<timestamp>.json``), else the last validation during
training (``<timestamp>/vis_data/scalars.json``, one JSON record per line)::

    from glob import glob
    from gersp_mm.cls import seed_stats
    print(seed_stats(sorted(glob('work_dirs/resnet50-gersp_8xb32_nwpu45-20p_seed*'))))  # "mean +- std (n=5)"
"""
import os.path as osp
from typing import Sequence

from ..analysis.scalar_logs import last_record_with, log_dirs
from ..analysis.seed_summary import Summary

DEFAULT_METRIC = 'accuracy/top1'


def read_metric(work_dir: str, metric: str = DEFAULT_METRIC) -> float:
    """Read the final value of ``metric`` from an mmengine work dir.

    Args:
        work_dir (str): The ``--work-dir`` of one run.
        metric (str): Metric key as logged, e.g. ``'accuracy/top1'``.

    Returns:
        float: The metric of the newest run in ``work_dir`` that logged it.

    Raises:
        FileNotFoundError: If ``work_dir`` does not exist.
        ValueError: If no log of ``work_dir`` has ``metric``.
    """
    if not osp.isdir(work_dir):
        raise FileNotFoundError(f'work dir {work_dir!r} not found')
    for log_dir in log_dirs(work_dir):
        for log in (osp.join(log_dir, f'{osp.basename(log_dir)}.json'), osp.join(log_dir, 'vis_data', 'scalars.json')):
            record = last_record_with(log, metric)
            if record is not None:
                return float(record[metric])
    raise ValueError(f'no log in {work_dir!r} has the metric {metric!r} (looked for '
                     '<timestamp>/<timestamp>.json and <timestamp>/vis_data/scalars.json)')


def seed_stats(work_dirs: Sequence[str], metric: str = DEFAULT_METRIC) -> Summary:
    """Collect ``metric`` from several runs and return its mean and sample standard deviation.

    Args:
        work_dirs (Sequence[str]): One work dir per seed.
        metric (str): Metric key as logged. Defaults to ``'accuracy/top1'``.

    Returns:
        Summary: ``metric`` and the value of each run (``values``, in the order of ``work_dirs``); its ``mean``
        and ``std`` (``ddof=1``; 0 for one run). No task, init or seeds (``''``, ``''``, ``()``). The type is
        :class:`gersp_mm.analysis.seed_summary.Summary`, as for the downstream suite and the demo.

    Raises:
        ValueError: If ``work_dirs`` is empty or a run lacks the metric.
    """
    if not work_dirs:
        raise ValueError('seed_stats needs at least one work dir')
    values = tuple(read_metric(work_dir, metric) for work_dir in work_dirs)
    return Summary(task='', init='', metric=metric, seeds=(), values=values)
