# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Plot training curves of one or more mmengine runs into one PNG (one panel per key, one line per run).

A run is a work dir (every ``scalars.json`` below it, e.g. ``<timestamp>/vis_data/scalars.json`` of each
launch, read in path order, i.e. chronologically: a resumed run continues its curve, and a value
written again for the same x replaces the earlier one) or a ``scalars.json``-style file (one JSON
record per line, as mmengine's ``LocalVisBackend`` writes it).

Keys are exact names or shell-style patterns; the default is every key containing ``loss`` plus the
k-NN monitor's top-1 (keys ending with ``knn_top1``, see ``KNNMonitorHook``).

x axis: ``--x iter`` (default) puts each record at its ``step``: the iteration for training and monitor
records (mmengine writes epoch-based validation records at their epoch: plot those with ``--x epoch``);
``--x epoch`` gives one point per epoch, the mean of the values logged during it (records without an
``epoch`` field, e.g. validation records, are at their ``step``).

Examples::

    # losses and the k-NN monitor of one run
    python tools/analysis_tools/plot_curves.py work_dirs/gersp_r50 --out curves.png
    # two runs compared on the monitor's accuracies, per epoch, with a title and run names
    python tools/analysis_tools/plot_curves.py work_dirs/gersp_r50 work_dirs/mocov2_r50_maid \\
        --keys 'monitor/*' --x epoch --labels GeRSP MoCo --title 'k-NN on NWPU' --out knn.png
    # any scalar of a single log file
    python tools/analysis_tools/plot_curves.py work_dirs/gersp_r50/20240101_120000/vis_data/scalars.json \\
        --keys loss_contrastive loss_cls lr
"""
import argparse
import fnmatch
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402

#: Record fields that position a record; never plotted.
POSITION_FIELDS = ('step', 'iter', 'epoch')
X_AXES = ('iter', 'epoch')


def find_scalar_logs(path: str) -> List[Path]:
    """The scalar logs of a run.

    Args:
        path (str): A ``scalars.json``-style file, or a directory searched recursively for
            ``scalars.json``.

    Returns:
        list[Path]: The files, sorted by path (chronological for mmengine's timestamp folders).

    Raises:
        FileNotFoundError: If ``path`` does not exist or a directory holds no ``scalars.json``.
    """
    run = Path(path)
    if run.is_file():
        return [run]
    if not run.is_dir():
        raise FileNotFoundError(f'{path}: no such file or directory')
    logs = sorted(run.rglob('scalars.json'))
    if not logs:
        raise FileNotFoundError(f'{path}: no scalars.json below this directory (is it an mmengine work dir of a '
                                'run with the LocalVisBackend?)')
    return logs


def load_records(files: Sequence[Path]) -> List[dict]:
    """Read the JSON records (one per line, blank lines ignored) of the files, in order.

    Args:
        files (Sequence[Path]): Scalar logs.

    Returns:
        list[dict]: The records; each has a numeric ``step``.

    Raises:
        ValueError: If a line is not a JSON object with a numeric ``step``, or the files hold no record.
    """
    records = []
    for file in files:
        for line_no, line in enumerate(file.read_text().splitlines(), start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                raise ValueError(f'{file}, line {line_no}: not JSON ({error.msg})') from error
            if not isinstance(record, dict) or not isinstance(record.get('step'), (int, float)):
                raise ValueError(f'{file}, line {line_no}: expected a JSON object with a numeric "step", '
                                 f'got {line[:80]!r}')
            records.append(record)
    if not records:
        raise ValueError(f'{", ".join(map(str, files))}: the log is empty (no scalar record)')
    return records


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
    fig, axes = plt.subplots(len(keys), 1, figsize=(8, 2.8 * len(keys) + 0.6), sharex=True, squeeze=False)
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
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description='Plot scalar curves of mmengine runs (vis_data/scalars.json) into one PNG.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('runs', nargs='+', help='work dirs or scalars.json files, one per run')
    parser.add_argument('--keys', nargs='+',
                        help="keys or shell-style patterns (default: keys containing 'loss' and *knn_top1)")
    parser.add_argument('--x', choices=X_AXES, default='iter', help='x axis (default: iter)')
    parser.add_argument('--labels', nargs='+', help='legend name of each run (default: the work dir names)')
    parser.add_argument('--out', default='curves.png', help='output PNG (default: curves.png)')
    parser.add_argument('--title', help='figure title')
    return parser


def main(argv=None) -> None:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.out.lower().endswith('.png'):
        parser.error(f'--out must name a .png file, got {args.out!r}')
    try:
        names = run_labels(args.runs, args.labels)
        runs = {name: load_records(find_scalar_logs(path)) for name, path in zip(names, args.runs)}
        keys = select_keys(scalar_keys([record for records in runs.values() for record in records]), args.keys)
    except (FileNotFoundError, ValueError) as error:
        parser.error(str(error))
    plot_curves(runs, keys, args.out, args.x, args.title)
    print(f'Wrote {args.out}: {", ".join(keys)} of {len(runs)} run(s)')


if __name__ == '__main__':
    main()
