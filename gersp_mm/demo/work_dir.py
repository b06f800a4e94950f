# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The demo's work dir: what it holds, removing what an earlier demo wrote, the results as CSV and JSON records.

Everything the demo writes lands in the work dir::

    data/                       the synthetic datasets (a function of the first seed)
    seed<N>/configs/<run>.py    the config of each run (re-run one with tools/train.py <config> --work-dir <dir>)
    seed<N>/<run>/              each run's work dir: pretrain_<init>, det_<init>, cls_<init>
    seed<N>/checkpoints/        the exported backbones (<init>_r18_backbone.pth)
    results.md                  the results block (table, what it shows, caveats), as README.md shows it
    results.csv, results.json   the same numbers, the time of each stage and the files written
    training_curves.png         pre-training losses, the k-NN monitor with its chance line, fine-tuning losses
    detections.png              ground truth and each init's detections on test scenes (first seed)
    demo.log                    the Runners' own console output
"""
import csv
import os
import os.path as osp
import shutil
from typing import List, Sequence

from gersp_mm.analysis.seed_summary import Summary
from gersp_mm.fileio import atomic_write

#: Files and folders the demo writes in its work dir (removed before a new run; nothing else is touched).
OUTPUT_FILES = ('results.md', 'results.csv', 'results.json', 'training_curves.png', 'detections.png', 'demo.log')


def clean_work_dir(work_dir: str) -> None:
    """Remove what an earlier demo wrote in ``work_dir`` (see the module docstring), nothing else."""
    if not osp.isdir(work_dir):
        return
    for name in os.listdir(work_dir):
        path = osp.join(work_dir, name)
        if osp.isdir(path) and (name == 'data' or (name.startswith('seed') and name[4:].isdigit())):
            shutil.rmtree(path)
        elif name in OUTPUT_FILES:
            os.remove(path)


def write_results_csv(path: str, summaries: Sequence[Summary]) -> None:
    """Write ``results.csv``: one row per task and init, the seeds' values joined by ``;``, mean and std."""
    with atomic_write(path, 'w') as f:
        writer = csv.writer(f)
        writer.writerow(('task', 'init', 'metric', 'seeds', 'values', 'mean', 'std'))
        for s in summaries:
            writer.writerow((s.task, s.init, s.metric, ';'.join(map(str, s.seeds)),
                             ';'.join(f'{v:.4f}' for v in s.values), f'{s.mean:.4f}', f'{s.std:.4f}'))


def summary_records(summaries: Sequence[Summary]) -> List[dict]:
    """The results as JSON records (``results.json``'s ``results``), rounded to 4 decimals."""
    return [dict(task=s.task, init=s.init, metric=s.metric, seeds=list(s.seeds), values=[round(v, 4) for v in s.values],
                 mean=round(s.mean, 4), std=round(s.std, 4)) for s in summaries]
