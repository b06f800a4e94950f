# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Final results from fabricated mmengine work dirs, and the collected table, CSV and plot."""
import csv

import numpy as np
import pytest
from mmengine.config import Config
from PIL import Image

from gersp_mm.downstream import collect, final_step, format_markdown, plot, read_final_result, write_csv
from tests.downstream.downstream_helpers import DET_CFG, SEG_CFG, cls_run, write_log


def test_final_step_of_each_kind_of_training():
    assert final_step(Config(DET_CFG)) == 24
    assert final_step(Config(SEG_CFG)) == 80000
    assert final_step(Config(dict(train_cfg=dict(by_epoch=True, max_epochs=200)))) == 200  # no logger: by epoch
    with pytest.raises(ValueError, match='cannot tell the final validation step'):
        final_step(Config(dict(SEG_CFG, default_hooks=dict(logger=dict(type='LoggerHook')))))


def test_finished_run(tmp_path):
    cls_run(tmp_path, [40.0, 55.5])
    result = read_final_result(str(tmp_path), 'accuracy/top1')
    assert (result.value, result.step) == (55.5, 2)
    assert result.log == str(tmp_path / '20260101_000000' / 'vis_data' / 'scalars.json')
    assert read_final_result(str(tmp_path), 'accuracy/top5').value == 100.0


def test_interrupted_and_resumed_runs(tmp_path):
    cls_run(tmp_path, [40.0], max_epochs=3, checkpoint='epoch_1.pth')
    assert read_final_result(str(tmp_path), 'accuracy/top1') is None  # last validation at epoch 1 of 3
    # resumed: a newer log folder with only epoch 2 (interrupted again), then one with epoch 3
    write_log(tmp_path, '20260102_000000', dict(train_cfg=dict(by_epoch=True, max_epochs=3)),
              [({'accuracy/top1': 50.0}, 2)])
    assert read_final_result(str(tmp_path), 'accuracy/top1') is None
    write_log(tmp_path, '20260103_000000', dict(train_cfg=dict(by_epoch=True, max_epochs=3)),
              [({'loss': 1.0}, 30), ({'accuracy/top1': 60.0}, 3)])
    assert read_final_result(str(tmp_path), 'accuracy/top1').value == 60.0
    # a later folder that never logged the metric (e.g. tools/test.py into the same work dir) does not count
    write_log(tmp_path, '20260104_000000', dict(train_cfg=dict(by_epoch=True, max_epochs=3)), [])
    assert read_final_result(str(tmp_path), 'accuracy/top1').value == 60.0


def test_log_cut_short_and_broken_logs(tmp_path):
    cls_run(tmp_path, [40.0, 50.0])
    scalars = tmp_path / '20260101_000000' / 'vis_data' / 'scalars.json'
    scalars.write_text(scalars.read_text() + '{"accuracy/top1": 99.0, "st')  # killed while writing
    assert read_final_result(str(tmp_path), 'accuracy/top1').value == 50.0
    scalars.write_text('not json\n' + scalars.read_text())
    with pytest.raises(ValueError, match='scalars.json, line 1: not JSON'):
        read_final_result(str(tmp_path), 'accuracy/top1')
    assert read_final_result(str(tmp_path / 'missing'), 'accuracy/top1') is None


def test_detection_and_segmentation_logs(tmp_path):
    write_log(tmp_path / 'det', '20260101_000000', DET_CFG,
              [({'pascal_voc/mAP': 0.5, 'coco/bbox_mAP': 0.3}, 12), ({'pascal_voc/mAP': 0.671}, 24)])
    assert read_final_result(str(tmp_path / 'det'), 'pascal_voc/mAP').value == 0.671
    write_log(tmp_path / 'seg', '20260101_000000', SEG_CFG, [({'mIoU': 40.0}, 8000), ({'mIoU': 49.5}, 72000)])
    assert read_final_result(str(tmp_path / 'seg'), 'mIoU') is None


@pytest.fixture
def suite_dir(tmp_path):
    """A downstream benchmark work dir: finished and unfinished runs of two table tasks and one config task."""
    root = tmp_path / 'bench'
    for seed, top1 in enumerate([90.0, 92.0, 94.0]):
        cls_run(root / 'nwpu-20p' / 'gersp' / f'seed{seed}', [80.0, top1])
    cls_run(root / 'nwpu-20p' / 'random' / 'seed0', [10.0, 20.0])
    cls_run(root / 'nwpu-20p' / 'random' / 'seed1', [15.0], checkpoint='epoch_1.pth')  # interrupted
    for seed, value in enumerate([0.66, 0.68]):
        write_log(root / 'dior-frcnn' / 'imagenet' / f'seed{seed}', '20260101_000000', DET_CFG,
                  [({'pascal_voc/mAP': value}, 24)])
    write_log(root / 'my_det' / 'gersp' / 'seed0', '20260101_000000', DET_CFG, [({'pascal_voc/mAP': 0.5}, 24)])
    (root / 'nwpu-20p' / 'notes').mkdir()  # not an init with seed folders
    (root / 'dior-frcnn' / 'imagenet' / 'scratch').mkdir()  # not a seed folder
    return root


def test_collect(suite_dir):
    summaries, problems = collect(str(suite_dir))
    assert [(s.task, s.init, s.seeds) for s in summaries] == [
        ('dior-frcnn', 'imagenet', (0, 1)), ('nwpu-20p', 'gersp', (0, 1, 2)), ('nwpu-20p', 'random', (0, )),
        ('my_det', 'gersp', (0, ))]
    dior, nwpu, random, mine = summaries
    assert dior.values == pytest.approx((66.0, 68.0)) and dior.metric == 'pascal_voc/mAP'
    assert nwpu.mean == pytest.approx(92.0) and nwpu.std == pytest.approx(np.std([90, 92, 94], ddof=1))
    for summary in summaries:
        assert summary.mean == pytest.approx(np.mean(summary.values))
        assert summary.std == pytest.approx(np.std(summary.values, ddof=1) if len(summary.values) > 1 else 0.0)
    assert str(nwpu) == '92.00 +- 2.00 (n=3)'
    assert (random.mean, random.std) == (20.0, 0.0)
    assert mine.values == (50.0, ) and mine.metric == 'pascal_voc/mAP'  # metric from the run's own config
    assert problems == [f'{suite_dir}/nwpu-20p/random/seed1: no final result (not finished)']


def test_markdown_csv_and_plot(suite_dir, tmp_path):
    summaries, _ = collect(str(suite_dir))
    markdown = format_markdown(summaries, 'bench')
    lines = markdown.splitlines()
    header = next(line for line in lines if line.startswith('| task'))
    assert header == ('| task | metric | gersp | imagenet | random | paper: GeRSP (100 ep) | paper: GeRSP-200 | '
                      'paper: ImageNet supervised | paper: MoCo on ImageNet+MAID |')
    rows = [line for line in lines if line.startswith('| ') and line != header]
    assert rows == [
        '| dior-frcnn | pascal_voc/mAP | - | 67.00 +- 1.41 (n=2) | - | 67.1 | 67.8 | 65.1 | 65.8 |',
        '| nwpu-20p | accuracy/top1 | 92.00 +- 2.00 (n=3) | - | 20.00 +- 0.00 (n=1) | 92.67 | 92.74 | 92.48 | 91.15 |',
        '| my_det | pascal_voc/mAP | 50.00 +- 0.00 (n=1) | - | - | - | - | - | - |',
    ]
    assert '- nwpu-20p: the paper does not say which NWPU-RESISC45 training ratio' in markdown

    write_csv(summaries, str(tmp_path / 'results.csv'))
    with open(tmp_path / 'results.csv', encoding='utf-8', newline='') as f:
        table = list(csv.DictReader(f))
    assert [(row['task'], row['init'], row['n']) for row in table] == [
        ('dior-frcnn', 'imagenet', '2'), ('nwpu-20p', 'gersp', '3'), ('nwpu-20p', 'random', '1'),
        ('my_det', 'gersp', '1')]
    assert table[1] == dict(task='nwpu-20p', init='gersp', metric='accuracy/top1', n='3', mean='92.0000',
                            std='2.0000', seeds='0;1;2', values='90.0000;92.0000;94.0000', paper_GeRSP='92.67',
                            **{'paper_GeRSP-200': '92.74'}, paper_ImageNet='92.48', paper_MoCo='91.15')
    assert table[3]['paper_GeRSP'] == ''

    plot(summaries, str(tmp_path / 'results.png'))
    with Image.open(tmp_path / 'results.png') as image:
        assert image.format == 'PNG' and image.width >= 600 and image.height == 450


def test_collect_empty(tmp_path):
    assert collect(str(tmp_path / 'missing')) == ([], [])
