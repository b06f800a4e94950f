# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Training curves of one or more mmengine runs in one PNG: one panel per key, one line per run.

The logic of ``tools/analysis_tools/plot_curves.py`` (see its help for the x axes and the key patterns).
"""
import fnmatch
import math
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from .png_figure import new_figure, save_png
from .scalar_logs import find_scalar_logs, load_records

#: Record fields that position a record; never plotted.
POSITION_FIELDS = ('step', 'iter', 'epoch')
X_AXES = ('iter', 'epoch')


def scalar_keys(records: Sequence[dict]) -> List[str]:
    """Keys with numeric values, in order of first appearance, without the position fields."""
    keys = {}
    for record in records:
        for key, value in record.items():
            if key not in POSITION_FIELDS and isinstance(value, (int, float)) and not isinstance(value, bool):
                keys.setdefault(key, None)
    return list(keys)


def select_keys(available: Sequence[str], patterns: Optional[Sequence[str]]) -> List[str]:
    """The keys to plot: ``patterns`` (exact names or shell-style patterns) or the default.

    Args:
        available (Sequence[str]): Scalar keys of all runs, in order.
        patterns (Sequence[str], optional): Requested keys; None: the keys containing ``loss`` and those
            ending with ``knn_top1``.

    Returns:
        list[str]: Matching keys in the order of ``patterns`` (default: of ``available``), no duplicates.

    Raises:
        ValueError: If a pattern matches no key, or nothing matches the default.
    """
    if patterns is None:
        keys = [key for key in available if 'loss' in key or key.endswith('knn_top1')]
        if not keys:
            raise ValueError(f'no loss or knn_top1 key in the logs; choose some with --keys from {list(available)}')
        return keys
    keys = {}
    for pattern in patterns:
        matched = [key for key in available if fnmatch.fnmatchcase(key, pattern)]
        if not matched:
            raise ValueError(f'key {pattern!r} is in no log; available keys: {list(available)}')
        keys.update(dict.fromkeys(matched))
    return list(keys)


def curve(records: Sequence[dict], key: str, x: str = 'iter') -> Tuple[List[float], List[float]]:
    """The points of ``key`` in one run.

    Args:
        records (Sequence[dict]): The run's records, in writing order.
        key (str): Scalar key.
        x (str): ``'iter'``: each record at its ``step``, a later record replacing an earlier one of the
            same step; ``'epoch'``: per epoch (``epoch`` field, else ``step``), the mean of its values.

    Returns:
        tuple[list[float], list[float]]: x and y values sorted by x (empty when the run lacks the key).
    """
    if x not in X_AXES:
        raise ValueError(f'x must be one of {X_AXES}, got {x!r}')
    by_step = {}
    for record in records:
        value = record.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
            by_step[record['step']] = (record.get('epoch', record['step']), value)
    if x == 'iter':
        points = sorted((step, value) for step, (_, value) in by_step.items())
    else:
        per_epoch = defaultdict(list)
        for epoch, value in by_step.values():
            per_epoch[epoch].append(value)
        points = sorted((epoch, sum(values) / len(values)) for epoch, values in per_epoch.items())
    return [point[0] for point in points], [point[1] for point in points]


def run_labels(paths: Sequence[str], labels: Optional[Sequence[str]]) -> List[str]:
    """Legend names: ``labels``, else each run's work dir name (the arguments themselves if not unique)."""
    if labels is not None:
        if len(labels) != len(paths):
            raise ValueError(f'--labels gives {len(labels)} names for {len(paths)} runs')
        return list(labels)
    names = []
    for path in paths:
        run = Path(path).resolve()
        if run.is_file():
            # <work_dir>/<timestamp>/vis_data/scalars.json -> work_dir
            run = run.parents[2] if run.parent.name == 'vis_data' and len(run.parents) > 2 else run.with_suffix('')
        names.append(run.name)
    return names if len(set(names)) == len(names) else list(paths)


def plot_curves(runs: Dict[str, List[dict]], keys: Sequence[str], out: str, x: str = 'iter',
                title: Optional[str] = None) -> None:
    """Draw one panel per key, one line per run, and save the PNG.

    Args:
        runs (dict[str, list[dict]]): Records of each run, by legend name.
        keys (Sequence[str]): Keys to plot.
        out (str): Output PNG path (its folder is created).
        x (str): ``'iter'`` or ``'epoch'`` (see :func:`curve`).
        title (str, optional): Figure title.
    """
    fig = new_figure((8, 2.8 * len(keys) + 0.6))
    axes = fig.subplots(len(keys), 1, sharex=True, squeeze=False)
    for ax, key in zip(axes[:, 0], keys):
        for name, records in runs.items():
            xs, ys = curve(records, key, x)
            if xs:
                ax.plot(xs, ys, label=name, marker='.' if len(xs) <= 200 else None)
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend(fontsize='small')
    axes[-1, 0].set_xlabel('iteration' if x == 'iter' else 'epoch')
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    save_png(fig, out)




def plot_runs(paths: Sequence[str], out: str, keys: Optional[Sequence[str]] = None, x: str = 'iter',
              labels: Optional[Sequence[str]] = None, title: Optional[str] = None) -> List[str]:
    """Read the runs at ``paths`` and plot ``keys`` (default: the losses and the k-NN monitor) into ``out``.

    Args:
        paths (Sequence[str]): Work dirs or ``scalars.json`` files, one per run.
        out (str): Output PNG path.
        keys (Sequence[str], optional): Keys or shell-style patterns (see :func:`select_keys`).
        x (str): ``'iter'`` or ``'epoch'`` (see :func:`curve`).
        labels (Sequence[str], optional): Legend name of each run (see :func:`run_labels`).
        title (str, optional): Figure title.

    Returns:
        list[str]: The keys plotted.

    Raises:
        FileNotFoundError: If a run has no log.
        ValueError: If a log is malformed or a key matches nothing.
    """
    names = run_labels(paths, labels)
    runs = {name: load_records(find_scalar_logs(path)) for name, path in zip(names, paths)}
    keys = select_keys(scalar_keys([record for records in runs.values() for record in records]), keys)
    plot_curves(runs, keys, out, x, title)
    return keys
