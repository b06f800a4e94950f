# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The results of a downstream benchmark work dir, grouped by task and init: mean and spread over seeds."""
import os
import os.path as osp
import re
from typing import Dict, List, Tuple

from ..analysis.seed_summary import Summary
from .inits import NAMED_INITS
from .results import newest_config, read_final_result
from .tasks import TASKS, primary_metric

_SEED_DIR = re.compile(r'^seed(\d+)$')


def _metric_of(task: str, work_dir: str) -> Tuple[str, float]:
    """Metric key and scale of a run: from the task table, else from the run's own config."""
    if task in TASKS:
        return TASKS[task].metric, TASKS[task].scale
    cfg = newest_config(work_dir)
    if cfg is None:
        raise ValueError('no log folder with a config, and not a task of the table')
    return primary_metric(cfg)


def _subdirs(path: str) -> List[str]:
    return [name for name in os.listdir(path) if osp.isdir(osp.join(path, name))] if osp.isdir(path) else []


def init_order(init: str) -> Tuple[int, str]:
    """Sort key of an init label: the checkpoints by label, then the named inits in :data:`NAMED_INITS` order."""
    named = list(NAMED_INITS)
    return (named.index(init) + 1 if init in named else 0, init)


def _task_order(task: str) -> Tuple[int, str]:
    names = list(TASKS)
    return (names.index(task), '') if task in names else (len(names), task)


def collect(work_dir: str) -> Tuple[List[Summary], List[str]]:
    """Read the final results of all runs under a benchmark work dir and group them by task and init.

    Runs are the folders ``<work_dir>/<task>/<init>/seed<N>``.

    Args:
        work_dir (str): The ``--work-dir`` of the benchmark.

    Returns:
        tuple[list[Summary], list[str]]: One summary per task and init with at least one finished run
        (tasks in the table's order, checkpoints before ``imagenet`` and ``random``), and one message
        per run without a final result.
    """
    found: Dict[Tuple[str, str], List[Tuple[int, float, str]]] = {}
    problems = []
    for task in sorted(_subdirs(work_dir), key=_task_order):
        for init in sorted(_subdirs(osp.join(work_dir, task))):
            runs = ((int(m.group(1)), name) for name in _subdirs(osp.join(work_dir, task, init))
                    if (m := _SEED_DIR.match(name)))
            for seed, name in sorted(runs):
                run_dir = osp.join(work_dir, task, init, name)
                try:
                    metric, scale = _metric_of(task, run_dir)
                    result = read_final_result(run_dir, metric)
                except ValueError as err:
                    problems.append(f'{run_dir}: {err}')
                    continue
                if result is None:
                    problems.append(f'{run_dir}: no final result (not finished)')
                else:
                    found.setdefault((task, init), []).append((seed, result.value * scale, metric))
    summaries = [
        Summary(task, init, runs[0][2], tuple(seed for seed, _, _ in runs), tuple(value for _, value, _ in runs))
        for (task, init), runs in sorted(found.items(), key=lambda item: (_task_order(item[0][0]),
                                                                          init_order(item[0][1])))
    ]
    return summaries, problems
