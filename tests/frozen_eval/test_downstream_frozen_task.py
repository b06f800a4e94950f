# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The frozen evaluation as a task type of the downstream suite: one tools/frozen_eval.py run per init and seed,
its linear-probe top-1 in the suite's table, skipped once finished."""
import csv
import json

import pytest
import torch
from mmengine.config import Config

from gersp_mm.downstream import NAMED_INITS, TASKS, Init, Run, cli, plan_runs, preflight, train_command
from gersp_mm.frozen_eval import NAMED_BACKBONES
from tests.frozen_eval.frozen_eval_helpers import EUROSAT, resnet18_state, write_eurosat_config
from tests.helpers import ROOT


def _options(lists):
    options = ['model.backbone.depth=18', 'test_dataloader.dataset.pipeline.1.scale=(64,64)']
    for loader, split in (('train_dataloader', 'train'), ('val_dataloader', 'test'), ('test_dataloader', 'test')):
        options += [f'{loader}.dataset.data_root={EUROSAT}', f'{loader}.dataset.ann_file={lists / f"{split}.txt"}']
    return options


def test_the_suite_and_the_tool_name_the_same_inits():
    """The suite hands its named inits to tools/frozen_eval.py by name: one vocabulary for both."""
    assert tuple(NAMED_INITS) == NAMED_BACKBONES


def test_frozen_command_per_init_and_seed(tmp_path):
    task = TASKS['eurosat-frozen']
    assert task.kind == 'frozen' and set(task.configs.values()) == {TASKS['eurosat'].configs['gersp']}
    run = Run(task, Init('in1k', 'in1k'), 2, str(tmp_path / 'bm' / 'eurosat-frozen' / 'in1k' / 'seed2'))
    command = train_command(run, 'start', 'slurm', gpus=8, partition='gpu', cfg_options=['a=1'], python='py')
    assert command.argv[1:] == (
        'tools/frozen_eval.py', 'configs/cls/eurosat/resnet50-gersp_8xb32_eurosat-80p.py', 'in1k=imagenet',
        '--seeds', '2', '--work-dir', run.work_dir, '--cache-dir', str(tmp_path / 'bm' / 'eurosat-frozen' / 'features'),
        '--cfg-options', 'a=1')


def test_preflight_takes_any_layout_and_depth_for_frozen_tasks(tmp_path):
    torch.save(resnet18_state(), tmp_path / 'tv18.pth')  # torchvision layout, ResNet-18; the config builds a 50
    torch.save({'state_dict': {'head.fc.weight': torch.zeros(2, 2)}}, tmp_path / 'empty.pth')
    inits = [Init(name, 'gersp', str(tmp_path / f'{name}.pth')) for name in ('tv18', 'empty')]
    runs = plan_runs([TASKS['eurosat-frozen'], TASKS['eurosat']], inits, [0], str(tmp_path / 'bm'))
    configs = {run.config: Config.fromfile(run.config) for run in runs}
    for cfg in configs.values():  # no data here: only the checkpoint checks
        for loader in ('train_dataloader', 'val_dataloader'):
            cfg[loader].dataset.update(data_root=str(EUROSAT), ann_file='')
    problems = preflight(runs, configs=configs)
    # the fine-tuning task wants backbone.* of a ResNet-50: both files fail; the frozen task: only the empty one
    assert len(problems) == 3, problems
    assert sum('tv18' in p for p in problems) == 1 and "holds no tensors under the prefix 'backbone.'" in problems[0]
    assert any("init 'empty'" in p and 'no ResNet backbone found' in p for p in problems)


@pytest.mark.slow
def test_suite_runs_frozen_task_then_skips_it(tmp_path, monkeypatch, capfd):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv('OMP_NUM_THREADS', '1')
    write_eurosat_config(tmp_path)
    torch.save({'state_dict': {f'backbone.{k}': v for k, v in resnet18_state(seed=4).items()}}, tmp_path / 'r18.pth')
    work_dir = tmp_path / 'bm'
    argv = [f'r18={tmp_path / "r18.pth"}', '--tasks', 'eurosat-frozen', '--seeds', '0', '--work-dir',
            str(work_dir), '--cfg-options', *_options(tmp_path)]
    assert cli.main(argv) == 0, capfd.readouterr().out[-3000:]
    out = capfd.readouterr().out
    assert '[1/1] eurosat-frozen/r18/seed0: start' in out and 'tools/frozen_eval.py' in out
    assert len(list((work_dir / 'eurosat-frozen' / 'features').glob('*.pt'))) == 2  # the task's shared cache
    with open(work_dir / 'results.csv', newline='') as f:
        (row, ) = csv.DictReader(f)
    results = json.loads((work_dir / 'eurosat-frozen' / 'r18' / 'seed0' / 'results.json').read_text())
    (linear, ) = [a for a in results['accuracies'] if a['protocol'] == 'linear' and a['fraction'] == 1.0]
    assert (row['task'], row['init'], row['metric']) == ('eurosat-frozen', 'r18', 'linear/top1')
    assert float(row['values']) == pytest.approx(linear['interval']['estimate'], abs=1e-4)
    assert cli.main(argv) == 0
    assert '[1/1] eurosat-frozen/r18/seed0: skip, finished (linear/top1 = ' in capfd.readouterr().out
