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
import math
import os
import os.path as osp
from typing import List, NamedTuple, Optional, Sequence

from ..analysis.scalar_logs import read_json_records

DEFAULT_METRIC = 'accuracy/top1'


class SeedStats(NamedTuple):
    """A metric over several runs.

    Attributes:
        values (list[float]): The metric of each run, in the order of the work dirs.
        mean (float): Their mean.
        std (float): Their sample standard deviation (``ddof=1``; 0 for a single run).
    """

    values: List[float]
    mean: float
    std: float

    def __str__(self) -> str:
        return f'{self.mean:.2f} +- {self.std:.2f} (n={len(self.values)})'


def _last_value(path: str, metric: str) -> Optional[float]:
    """The last value of ``metric`` in a JSON-lines log, or None."""
    if not osp.isfile(path):
        return None
    values = [record[metric] for record in read_json_records(path) if metric in record]
    return float(values[-1]) if values else None


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
    timestamps = sorted((name for name in os.listdir(work_dir) if osp.isdir(osp.join(work_dir, name))),
                        reverse=True)
    for stamp in timestamps:
        for log in (osp.join(work_dir, stamp, f'{stamp}.json'),
                    osp.join(work_dir, stamp, 'vis_data', 'scalars.json')):
            value = _last_value(log, metric)
            if value is not None:
                return value
    raise ValueError(f'no log in {work_dir!r} has the metric {metric!r} (looked for '
                     '<timestamp>/<timestamp>.json and <timestamp>/vis_data/scalars.json)')


def seed_stats(work_dirs: Sequence[str], metric: str = DEFAULT_METRIC) -> SeedStats:
    """Collect ``metric`` from several runs and return its mean and sample standard deviation.

    Args:
        work_dirs (Sequence[str]): One work dir per seed.
        metric (str): Metric key as logged. Defaults to ``'accuracy/top1'``.

    Returns:
        SeedStats: The values, their mean and their standard deviation (``ddof=1``).

    Raises:
        ValueError: If ``work_dirs`` is empty or a run lacks the metric.
    """
    if not work_dirs:
        raise ValueError('seed_stats needs at least one work dir')
    values = [read_metric(work_dir, metric) for work_dir in work_dirs]
    mean = sum(values) / len(values)
    if len(values) == 1:
        return SeedStats(values, mean, 0.0)
    std = math.sqrt(sum((value - mean)**2 for value in values) / (len(values) - 1))
    return SeedStats(values, mean, std)
