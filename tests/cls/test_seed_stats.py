# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""seed_stats: final top-1 of each run's newest log, mean and sample standard deviation."""
import json

import numpy as np
import pytest

from gersp_mm.analysis.seed_summary import Summary
from gersp_mm.cls import read_metric, seed_stats


def write_train_log(work_dir, stamp, top1_by_epoch):
    folder = work_dir / stamp / 'vis_data'
    folder.mkdir(parents=True)
    lines = []
    for epoch, top1 in enumerate(top1_by_epoch, start=1):
        lines.append(json.dumps({'lr': 0.01, 'loss': 1.0, 'epoch': epoch, 'iter': epoch * 10, 'step': epoch * 10}))
        lines.append(json.dumps({'accuracy/top1': top1, 'accuracy/top5': 99.0, 'step': epoch}))
    (folder / 'scalars.json').write_text('\n'.join(lines) + '\n')


def test_mean_and_sample_std_over_seeds(tmp_path):
    values = [92.5, 92.75, 92.0]
    work_dirs = []
    for seed, value in enumerate(values):
        work_dir = tmp_path / f'seed{seed}'
        write_train_log(work_dir, '20240101_000000', [50.0, value])
        work_dirs.append(str(work_dir))
    stats = seed_stats(work_dirs)
    assert isinstance(stats, Summary)
    assert stats.values == tuple(values) and stats.metric == 'accuracy/top1'
    assert stats.mean == pytest.approx(np.mean(values))
    assert stats.std == pytest.approx(np.std(values, ddof=1))
    assert str(stats) == f'{np.mean(values):.2f} +- {np.std(values, ddof=1):.2f} (n=3)'
    assert seed_stats(work_dirs[:1]).std == 0.0


def test_newest_run_and_test_results_win(tmp_path):
    write_train_log(tmp_path, '20240101_000000', [80.0])
    write_train_log(tmp_path, '20240102_000000', [81.0])
    assert read_metric(str(tmp_path)) == 81.0
    (tmp_path / 'zz_notes').mkdir()  # not an mmengine log folder (<timestamp>): never read
    (tmp_path / 'zz_notes' / 'zz_notes.json').write_text(json.dumps({'accuracy/top1': 1.0}))
    assert read_metric(str(tmp_path)) == 81.0
    (tmp_path / '20240103_000000').mkdir()
    (tmp_path / '20240103_000000' / '20240103_000000.json').write_text(
        json.dumps({'accuracy/top1': 82.5, 'accuracy/top5': 99.5}))
    assert read_metric(str(tmp_path)) == 82.5
    assert read_metric(str(tmp_path), 'accuracy/top5') == 99.5


def test_errors_name_the_work_dir(tmp_path):
    with pytest.raises(FileNotFoundError, match='nowhere'):
        read_metric(str(tmp_path / 'nowhere'))
    write_train_log(tmp_path, '20240101_000000', [80.0])
    with pytest.raises(ValueError, match="'mIoU'"):
        read_metric(str(tmp_path), 'mIoU')
    with pytest.raises(ValueError, match='at least one'):
        seed_stats([])
    bad = tmp_path / '20240105_000000' / 'vis_data'
    bad.mkdir(parents=True)
    (bad / 'scalars.json').write_text('{not json\n')
    with pytest.raises(ValueError, match='line 1'):
        read_metric(str(tmp_path))
