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
from typing import Optional, Sequence

from .curves import X_AXES, plot_runs


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


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line of ``tools/analysis_tools/plot_curves.py``; returns its exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.out.lower().endswith('.png'):
        parser.error(f'--out must name a .png file, got {args.out!r}')
    try:
        keys = plot_runs(args.runs, args.out, args.keys, args.x, args.labels, args.title)
    except (FileNotFoundError, ValueError) as error:
        parser.error(str(error))
    print(f'Wrote {args.out}: {", ".join(keys)} of {len(args.runs)} run(s)')
    return 0
