# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""GeRSP pre-training through the real tools: tools/train.py, tools/dist_train.sh, --resume, --amp."""
import os
import shutil
import subprocess
import sys

import pytest
import torch

from gersp_mm.fileio import load_checkpoint_file
from tests.helpers import ROOT, free_port

TINY = 'configs/pretrain/gersp_r18_tiny.py'
# 2 epochs x 3 iterations, a checkpoint after every iteration
ITER_CHECKPOINTS = ['train_dataloader.sampler.epoch_length=3', 'default_hooks.checkpoint.by_epoch=False',
                    'default_hooks.checkpoint.interval=1', 'default_hooks.checkpoint.max_keep_ckpts=-1']


def run_tool(args, **env_vars):
    env = dict(os.environ, PYTHON=sys.executable, PYTHONPATH=str(ROOT), **env_vars)
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout + result.stderr


def train(work_dir, *extra):
    return run_tool([sys.executable, 'tools/train.py', TINY, '--work-dir', str(work_dir), *extra])


def state(path):
    return load_checkpoint_file(str(path), map_location='cpu')['state_dict']


@pytest.fixture(scope='module')
def straight_run(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('straight')
    log = train(work_dir, '--cfg-options', *ITER_CHECKPOINTS)
    return work_dir, log


@pytest.mark.slow
def test_resume_mid_epoch_reproduces_the_uninterrupted_run(straight_run, tmp_path):
    """6 iterations straight vs 4, stop, --resume, 2 more: same student, teacher, queue and optimizer."""
    straight_dir, _ = straight_run
    log = train(tmp_path, '--resume', str(straight_dir / 'iter_4.pth'), '--cfg-options', *ITER_CHECKPOINTS)
    assert 'skipping the 1 iterations of epoch 2 already trained' in log
    assert not (tmp_path / 'iter_4.pth').exists() and (tmp_path / 'iter_6.pth').exists()
    expected, resumed = state(straight_dir / 'iter_6.pth'), state(tmp_path / 'iter_6.pth')
    assert expected.keys() == resumed.keys()
    assert {'queue.keys', 'queue.ptr', 'teacher.steps', 'teacher.module.0.conv1.weight'} <= set(expected)
    for name, value in expected.items():
        assert torch.equal(value, resumed[name]), name


def test_resume_auto_continues_from_the_last_checkpoint(straight_run, tmp_path):
    """A work dir interrupted after epoch 1 (its last_checkpoint names iter_3): --resume without a value."""
    straight_dir, _ = straight_run
    shutil.copy(straight_dir / 'iter_3.pth', tmp_path / 'iter_3.pth')
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_3.pth'))
    log = train(tmp_path, '--resume', '--cfg-options', *ITER_CHECKPOINTS)
    assert 'Epoch(train) [2][3/3]' in log and 'Epoch(train) [1][' not in log
    expected, resumed = state(straight_dir / 'iter_6.pth'), state(tmp_path / 'iter_6.pth')
    for name, value in expected.items():
        assert torch.equal(value, resumed[name]), name


@pytest.mark.slow
def test_two_process_distributed_run_through_dist_train_sh(tmp_path):
    log = run_tool(['bash', 'tools/dist_train.sh', TINY, '2', '--work-dir', str(tmp_path)], PORT=str(free_port()))
    assert 'Distributed training: True' in log
    checkpoint = load_checkpoint_file(str(tmp_path / 'epoch_2.pth'), map_location='cpu')
    # 2 ranks x 4 samples x 4 iterations = 32 keys enqueued in a 32-key queue: the pointer went round
    # once (one process alone would stand at 16), so both ranks' keys were gathered.
    assert int(checkpoint['state_dict']['queue.ptr']) == 0
    assert checkpoint['meta']['iter'] == 4


def test_amp_runs_in_bfloat16_on_cpu(tmp_path):
    log = train(tmp_path, '--amp', '--cfg-options', 'train_cfg.max_epochs=1')
    assert 'CPUAutocastOptimWrapper' in log and 'Epoch(train) [1][2/2]' in log
