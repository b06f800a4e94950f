# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""``tools/downstream_benchmark.py``: printed commands, skip / resume decisions, errors and the run plan."""
import re
import shlex
import sys

import pytest

from gersp_mm.downstream import TASKS, Init, inspect_run, parse_init, plan_runs
from tests.downstream.downstream_helpers import (
    cls_run,
    data_options,
    fake_checkpoint,
    resnet_checkpoint,
    scene_data_root,
)
from tests.helpers import ROOT


def commands(output: str):
    """The command lines of a printed plan, split into words (progress lines are comments)."""
    return [shlex.split(line) for line in output.splitlines() if line and not line.startswith('#')]


def test_dry_run_local_one_gpu(downstream_tool, in_repo, tmp_path, capsys):
    checkpoint = resnet_checkpoint(tmp_path / 'ckpt' / 'gersp_r50.pth')
    options = ['train_cfg.max_epochs=1', 'train_dataloader.batch_size=2', *data_options(scene_data_root(tmp_path))]
    code = downstream_tool.main([f'gersp={checkpoint}', 'imagenet', 'random', '--tasks', 'nwpu-20p', 'dior-frcnn',
                                '--seeds', '0', '1', '--work-dir', 'work_dirs/bm', '--dry-run', '--amp',
                                '--cfg-options', *options])
    out = capsys.readouterr().out
    assert code == 0
    lines = commands(out)
    assert len(lines) == 12  # 2 tasks x 3 inits x 2 seeds
    assert lines[0] == [sys.executable, 'tools/train.py', 'configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py',
                        '--work-dir', 'work_dirs/bm/nwpu-20p/gersp/seed0', '--amp', '--cfg-options',
                        'randomness.seed=0', f'model.backbone.init_cfg.checkpoint={checkpoint}', *options]
    assert lines[3][2:7] == ['configs/cls/nwpu45/resnet50-in1k_8xb32_nwpu45-20p.py', '--work-dir',
                             'work_dirs/bm/nwpu-20p/imagenet/seed1', '--amp', '--cfg-options']
    assert lines[3][7:] == ['randomness.seed=1', *options]
    assert lines[11][2] == 'configs/det/faster-rcnn_r50-random_fpn_2x_dior.py'
    assert '# [12/12] dior-frcnn/random/seed1: start' in out
    assert '# 12 runs: 0 to skip, 0 to resume, 12 to start, 0 with errors' in out
    assert not (ROOT / 'work_dirs' / 'bm').exists()  # a dry run writes nothing


def test_dry_run_torchrun(downstream_tool, in_repo, tmp_path, capsys):
    options = data_options(tmp_path)
    assert downstream_tool.main(['imagenet', '--tasks', 'loveda-psanet', '--gpus', '4', '--dry-run',
                                '--cfg-options', *options]) == 0
    (line, ) = commands(capsys.readouterr().out)
    assert line == [f'PYTHON={sys.executable}', 'bash', 'tools/dist_train.sh',
                    'configs/seg/loveda/psanet_r50-in1k-d8_4xb4-80k_loveda-512x512.py', '4', '--work-dir',
                    'work_dirs/benchmark/loveda-psanet/imagenet/seed0', '--cfg-options', 'randomness.seed=0',
                    *options]


def test_slurm_prints_commands(downstream_tool, in_repo, tmp_path, capsys):
    checkpoint = resnet_checkpoint(tmp_path / 'epoch_100.pth')
    options = data_options(scene_data_root(tmp_path / 'data'))
    work_dir = str(tmp_path / 'bm')
    cls_run(tmp_path / 'bm' / 'eurosat' / 'epoch_100' / 'seed1', [50.0], max_epochs=2, checkpoint='epoch_1.pth',
            backbone_checkpoint=checkpoint)
    code = downstream_tool.main([checkpoint, '--tasks', 'eurosat', '--seeds', '0', '1', '--launcher', 'slurm',
                                '--partition', 'gpu', '--gpus', '8', '--work-dir', work_dir, '--auto-scale-lr',
                                '--cfg-options', *options])
    out = capsys.readouterr().out
    assert code == 0
    first, second = commands(out)
    assert first == ['GPUS=8', 'tools/slurm_train.sh', 'gpu', 'eurosat_epoch_100_seed0',
                     'configs/cls/eurosat/resnet50-gersp_8xb32_eurosat-80p.py', f'{work_dir}/eurosat/epoch_100/seed0',
                     '--auto-scale-lr', '--cfg-options', 'randomness.seed=0',
                     f'model.backbone.init_cfg.checkpoint={checkpoint}', *options]
    assert second[5:8] == [f'{work_dir}/eurosat/epoch_100/seed1', '--resume', '--auto-scale-lr']
    assert '# [2/2] eurosat/epoch_100/seed1: resume' in out
    assert not (tmp_path / 'bm' / 'results.md').exists()  # nothing ran: nothing collected


def test_skip_resume_start_decisions(tmp_path):
    task = TASKS['nwpu-20p']
    runs = plan_runs([task], [parse_init('random')], [0, 1, 2, 3], str(tmp_path))
    finished, interrupted, stale, fresh = runs
    cls_run(tmp_path / 'nwpu-20p' / 'random' / 'seed0', [40.0, 50.0])
    cls_run(tmp_path / 'nwpu-20p' / 'random' / 'seed1', [40.0], checkpoint='epoch_1.pth')
    cls_run(tmp_path / 'nwpu-20p' / 'random' / 'seed2', [40.0])  # logs, no checkpoint: from scratch
    state = inspect_run(finished)
    assert state.action == 'skip' and (state.result.value, state.result.step) == (50.0, 2)
    assert inspect_run(interrupted).action == 'resume'
    assert inspect_run(stale).action == 'start'
    assert inspect_run(fresh).action == 'start'


def test_reused_label_with_another_checkpoint_is_refused(downstream_tool, tmp_path, capsys):
    old, new = fake_checkpoint(tmp_path / 'a' / 'gersp.pth'), resnet_checkpoint(tmp_path / 'b' / 'gersp.pth')
    cls_run(tmp_path / 'bm' / 'nwpu-10p' / 'gersp' / 'seed0', [40.0, 50.0], backbone_checkpoint=old)
    (same, ) = plan_runs([TASKS['nwpu-10p']], [Init('gersp', 'gersp', old)], [0], str(tmp_path / 'bm'))
    assert inspect_run(same).action == 'skip'
    code = downstream_tool.main([new, '--tasks', 'nwpu-10p', '--work-dir', str(tmp_path / 'bm'), '--dry-run',
                                '--cfg-options', *data_options(scene_data_root(tmp_path / 'data'))])
    out = capsys.readouterr().out
    assert code == 1
    assert f'error: {tmp_path}/bm/nwpu-10p/gersp/seed0 holds a run initialised from {old}, not {new}' in out


@pytest.mark.parametrize('argv, message', [
    (['random', '--tasks', 'nwpu'], "unknown task 'nwpu'; valid tasks: dior-frcnn, dior-retinanet, .*, eurosat"),
    (['missing.pth', '--tasks', 'eurosat'], 'checkpoint file\\(s\\) not found: missing.pth'),
    (['random', '--tasks', 'eurosat', '--cfg-options', 'randomness.seed=3'], 'randomness.seed is set by the'),
    (['random', '--tasks', 'eurosat', '--cfg-options', 'oops'], 'takes KEY=VALUE'),
    (['random', '--tasks', 'eurosat', '--launcher', 'slurm'], 'needs --partition'),
    (['random', 'random', '--tasks', 'eurosat'], 'init labels must differ'),
    (['imagenet=x.pth', '--tasks', 'eurosat'], "the label 'imagenet' is reserved"),
    (['--tasks', 'eurosat'], 'give at least one INIT'),
    (['random'], 'give --tasks'),
])
def test_bad_command_lines_stop_before_running(downstream_tool, in_repo, capsys, argv, message):
    with pytest.raises(SystemExit) as exit_info:
        downstream_tool.main(argv)
    assert exit_info.value.code == 2
    assert re.search(message, capsys.readouterr().err)


def test_an_override_a_tasks_config_refuses_is_one_sentence_naming_the_task_and_the_key(downstream_tool, in_repo,
                                                                                          capsys):
    """mmrotate's DOTA configs use no ``data_root`` variable: a suite-wide ``data_root=`` would change nothing there
    (the EuroSAT config takes it), and the suite says so in one line instead of a traceback."""
    with pytest.raises(SystemExit) as exit_info:
        downstream_tool.main(['random', '--tasks', 'eurosat', 'dota-orcnn', '--dry-run', '--cfg-options',
                              'data_root=/data/'])
    assert exit_info.value.code == 2  # not a ConfigOverrideError raised through main()
    line = capsys.readouterr().err.splitlines()[-1]
    assert line.startswith('error: task dota-orcnn (configs/det/oriented-rcnn-le90_r50-random_fpn_1x_dota.py): '
                           '--cfg-options data_root: data_root is a variable of ')
    assert line.endswith('that no key of the config uses, so setting it changes nothing (did you mean '
                         'dota_obb_data_root?)')


def test_init_labels():
    assert parse_init('imagenet') == Init('imagenet', 'in1k')
    assert parse_init('random') == Init('random', 'random')
    assert parse_init('work_dirs/gersp_r50/epoch_100.pth') == Init('epoch_100', 'gersp',
                                                                    'work_dirs/gersp_r50/epoch_100.pth')
    assert parse_init('g200=a/b.pth') == Init('g200', 'gersp', 'a/b.pth')
    assert parse_init('runs/lr=0.1/epoch_1.pth') == Init('epoch_1', 'gersp', 'runs/lr=0.1/epoch_1.pth')
    with pytest.raises(ValueError, match='must be letters, digits'):
        parse_init('a b=x.pth')


def test_failed_runs_are_reported_and_the_suite_goes_on(downstream_tool, in_repo, tmp_path, monkeypatch, capsys):
    """Seed 0 crashes, seed 1 exits 0 without a final validation, seed 2 finishes: exit code 1, results of 2."""
    work_dir = tmp_path / 'bm'

    def fake_train(command):
        seed = int(next(arg for arg in command.argv if arg.startswith('randomness.seed=')).split('=')[1])
        run_dir = work_dir / 'eurosat' / 'random' / f'seed{seed}'
        if seed == 0:
            return 1
        cls_run(run_dir, [40.0] if seed == 1 else [40.0, 80.0])
        return 0

    monkeypatch.setattr(downstream_tool, 'run_command', fake_train)
    code = downstream_tool.main(['random', '--tasks', 'eurosat', '--seeds', '0', '1', '2', '--work-dir', str(work_dir),
                                '--cfg-options', *data_options(scene_data_root(tmp_path / 'data'))])
    out = capsys.readouterr().out
    assert code == 1
    assert '[1/3] eurosat/random/seed0: FAILED with exit code 1 after' in out
    assert ('[2/3] eurosat/random/seed1: FAILED: finished after 0:00:00 but no validation of accuracy/top1 at the '
            'final step in its logs') in out
    assert '[3/3] eurosat/random/seed2: finished in 0:00:00: accuracy/top1 = 80' in out
    assert '3 runs (0 to skip, 0 to resume, 3 to start): 2 failed' in out
    assert '2 run(s) failed:\n  eurosat/random/seed0: exit code 1' in out
    assert '| eurosat | accuracy/top1 | 80.00 +- 0.00 (n=1) | 97.87 |' in (work_dir / 'results.md').read_text()


def test_collect_only(downstream_tool, tmp_path, capsys):
    assert downstream_tool.main(['--collect-only', '--work-dir', str(tmp_path / 'empty')]) == 1
    assert 'no finished runs below' in capsys.readouterr().out
    for seed, top1 in enumerate([70.0, 72.0]):
        cls_run(tmp_path / 'bm' / 'nwpu-10p' / 'imagenet' / f'seed{seed}', [50.0, top1])
    assert downstream_tool.main(['--collect-only', '--work-dir', str(tmp_path / 'bm')]) == 0
    assert '| nwpu-10p | accuracy/top1 | 71.00 +- 1.41 (n=2) |' in capsys.readouterr().out
    assert {path.name for path in (tmp_path / 'bm').glob('results.*')} == {'results.md', 'results.csv', 'results.png'}
