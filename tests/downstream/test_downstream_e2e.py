# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""One real downstream run end to end: NWPU-RESISC45 (20%) from random init, 2 seeds, on the real sample images."""
import csv

import pytest

from gersp_mm.cls import read_metric
from tests.helpers import ROOT, write_nwpu_split

NWPU = ROOT / 'tests' / 'data' / 'cls' / 'nwpu'


def tiny_options(train_list, test_list):
    """Shrink the NWPU config: ResNet-18, 1 epoch, batch 2, 64 px, no workers, the sample images."""
    options = ['train_cfg.max_epochs=1', 'model.backbone.depth=18', 'model.head.in_channels=512',
               'train_dataloader.dataset.pipeline.1.scale=64', 'val_dataloader.dataset.pipeline.1.scale=(64,64)',
               f'train_dataloader.dataset.ann_file={train_list}', f'val_dataloader.dataset.ann_file={test_list}']
    for loader in ('train_dataloader', 'val_dataloader'):
        options += [f'{loader}.batch_size=2', f'{loader}.num_workers=0', f'{loader}.persistent_workers=False',
                    f'{loader}.dataset.data_root={NWPU}']
    return options


@pytest.mark.slow
def test_nwpu_random_two_seeds_then_skipped(downstream_tool, in_repo, tmp_path, monkeypatch, capfd):
    monkeypatch.setenv('OMP_NUM_THREADS', '1')  # the training processes: one thread each on a shared machine

    def run_tool(*args):
        code = downstream_tool.main(list(map(str, args)))
        captured = capfd.readouterr()
        return code, captured.out + captured.err

    train_list, test_list = write_nwpu_split(tmp_path / 'meta')
    work_dir = tmp_path / 'bm'
    argv = ['random', '--tasks', 'nwpu-20p', '--seeds', '0', '1', '--work-dir', work_dir,
            '--cfg-options', *tiny_options(train_list, test_list)]
    code, out = run_tool(*argv)
    assert code == 0, out[-4000:]
    for seed in (0, 1):
        assert f'[{seed + 1}/2] nwpu-20p/random/seed{seed}: start' in out
        assert f'[{seed + 1}/2] nwpu-20p/random/seed{seed}: finished in' in out
        assert (work_dir / 'nwpu-20p' / 'random' / f'seed{seed}' / 'epoch_1.pth').is_file()
    markdown = (work_dir / 'results.md').read_text()
    (row, ) = [line for line in markdown.splitlines() if line.startswith('| nwpu-20p |')]
    cells = [cell.strip() for cell in row.strip('|').split('|')]
    assert cells[:2] == ['nwpu-20p', 'accuracy/top1']
    assert cells[2].endswith('(n=2)') and ' +- ' in cells[2]
    assert cells[3:] == ['92.67', '92.74', '92.48', '91.15']
    with open(work_dir / 'results.csv', newline='') as f:
        (summary, ) = csv.DictReader(f)
    assert (summary['init'], summary['n'], summary['seeds']) == ('random', '2', '0;1')
    runs = [work_dir / 'nwpu-20p' / 'random' / f'seed{seed}' for seed in (0, 1)]
    assert summary['values'] == ';'.join(f'{read_metric(str(run)):.4f}' for run in runs)  # top-1 in percent
    assert (work_dir / 'results.png').read_bytes().startswith(b'\x89PNG')

    code, out = run_tool(*argv)
    assert code == 0, out[-4000:]
    assert '[1/2] nwpu-20p/random/seed0: skip, finished (accuracy/top1 = ' in out
    assert '[2/2] nwpu-20p/random/seed1: skip, finished' in out
    assert '2 runs (2 to skip, 0 to resume, 0 to start): 0 failed' in out
    assert 'tools/train.py' not in out
