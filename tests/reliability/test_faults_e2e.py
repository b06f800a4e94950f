# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Faults injected into real GeRSP runs (configs/pretrain/gersp_r18_tiny.py, 6 iterations, a checkpoint after
each): kill -9 during training and during a checkpoint write (tools/train.py in a subprocess), a NaN loss term
at a chosen iteration and lr=1e9 (in this process). A resumed run must end bit-identical to the uninterrupted
one, and no file under a final name may be half-written. (Damaged checkpoints at resume: test_resume.py.)"""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MessageHub

from gersp_mm.engine import CrashSafeRunner, NonFiniteCheckpointError, NonFiniteLossError, checkpoint_problem
from gersp_mm.fileio import load_checkpoint_file
from gersp_mm.pretrain.models import GeRSP
from tests.helpers import ROOT

TINY = 'configs/pretrain/gersp_r18_tiny.py'
FAULTS = str(Path(__file__).with_name('fault_injection.py'))
# 2 epochs x 3 iterations, a checkpoint after every iteration, only the newest kept (the demo's setting)
OPTIONS = ['--cfg-options', 'train_dataloader.sampler.epoch_length=3', 'default_hooks.checkpoint.by_epoch=False',
           'default_hooks.checkpoint.interval=1']
KEEP_ALL = 'default_hooks.checkpoint.max_keep_ckpts=-1'
KEEP_ONE = 'default_hooks.checkpoint.max_keep_ckpts=1'


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1')


def train(work_dir, *extra, keep=KEEP_ALL):
    """Run tools/train.py to the end; ``extra`` continues --cfg-options (or adds options)."""
    result = subprocess.run([sys.executable, 'tools/train.py', TINY, '--work-dir', str(work_dir), *OPTIONS, keep,
                             *extra], cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    return output


def start(work_dir, *extra, keep=KEEP_ALL, fault=()):
    """Start tools/train.py (through fault_injection.py with a fault) in the background."""
    prefix = [sys.executable, FAULTS, *fault, '--'] if fault else [sys.executable, 'tools/train.py']
    return subprocess.Popen([*prefix, TINY, '--work-dir', str(work_dir), *OPTIONS, keep, *extra], cwd=ROOT,
                            env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(path, process, timeout=300):
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert process.poll() is None, 'the run ended before the fault'
        assert time.monotonic() < deadline, f'{path} did not appear'
        time.sleep(0.05)


def kill9(process):
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL


def assert_same_state(expected_path, actual_path):
    expected, actual = (load_checkpoint_file(path)['state_dict'] for path in (expected_path, actual_path))
    assert expected.keys() == actual.keys()
    for name, value in expected.items():
        assert torch.equal(value, actual[name]), name


def assert_nothing_half_written(work_dir):
    """Every file under a final checkpoint name is complete and finite."""
    for path in work_dir.glob('*.pth'):
        assert checkpoint_problem(str(path)) is None, path
    record = work_dir / 'last_checkpoint'
    if record.exists():
        assert checkpoint_problem(record.read_text()) is None


@pytest.fixture(scope='module')
def reference(tmp_path_factory):
    work_dir = tmp_path_factory.mktemp('uninterrupted')
    train(work_dir)
    return work_dir


@pytest.mark.slow
def test_kill_during_training_and_during_a_checkpoint_write_lose_only_unsaved_work(reference, tmp_path):
    """kill -9 in the middle of training, then (after a resume) while iter_4.pth is half-written, keeping only
    one checkpoint (the demo's setting): each time the newest complete checkpoint survives, and the final
    resume ends bit-identical to the uninterrupted run."""
    process = start(tmp_path, keep=KEEP_ONE)
    wait_for(tmp_path / 'iter_2.pth', process)
    kill9(process)
    assert_nothing_half_written(tmp_path)  # one checkpoint, or two if killed before the older one's deletion

    marker = tmp_path.parent / f'{tmp_path.name}.blocked'
    process = start(tmp_path, '--resume', keep=KEEP_ONE, fault=('block-write', 'iter_4.pth', str(marker)))
    wait_for(marker, process)
    kill9(process)
    half_written = Path(marker.read_text())
    assert half_written.parent == tmp_path and half_written.exists()  # a temporary name, not iter_4.pth
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_3.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'iter_3.pth')
    assert_nothing_half_written(tmp_path)

    log = train(tmp_path, '--resume', keep=KEEP_ONE)
    assert f'Removed {half_written}: the incomplete checkpoint write of an interrupted run.' in log
    assert not half_written.exists()
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_6.pth']
    assert_same_state(reference / 'iter_6.pth', tmp_path / 'iter_6.pth')


@pytest.mark.slow
def test_sigterm_mid_epoch_saves_and_the_resumed_run_ends_as_the_uninterrupted_one(reference, tmp_path):
    """A scheduler's SIGTERM during iteration 2 (mid-epoch 1 of 3 iterations), only the final checkpoint
    configured: tools/train.py saves iter_2.pth, exits with 143 and says how to resume; the resumed run skips
    the 2 iterations of epoch 1 already done and ends bit-identical to the uninterrupted run."""
    rare = 'default_hooks.checkpoint.interval=100'
    result = subprocess.run([sys.executable, FAULTS, 'sigterm-at', '2', '--', TINY, '--work-dir', str(tmp_path),
                             *OPTIONS, KEEP_ALL, rare], cwd=ROOT, env=_env(), capture_output=True, text=True,
                            timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode == 143, output[-4000:]
    assert (f'Stopped by SIGTERM after iteration 2 (epoch 1); {tmp_path / "iter_2.pth"} holds this state: '
            f'continue with tools/train.py CONFIG --work-dir {tmp_path} --resume') in output
    assert 'Traceback' not in output
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == ['iter_2.pth']
    log = train(tmp_path, rare, '--resume')
    assert 'Resumed mid-epoch: skipping the 2 iterations of epoch 1 already trained' in log
    assert_same_state(reference / 'iter_6.pth', tmp_path / 'iter_6.pth')


def tiny_runner(work_dir, **options):
    """The tiny config's CrashSafeRunner in this process (a checkpoint after every iteration)."""
    cfg = Config.fromfile(str(ROOT / TINY))
    cfg.merge_from_dict({'work_dir': str(work_dir), 'train_dataloader.sampler.epoch_length': 3,
                         'default_hooks.checkpoint.by_epoch': False, 'default_hooks.checkpoint.interval': 1,
                         'default_hooks.checkpoint.max_keep_ckpts': -1, 'log_level': 'WARNING', **options})
    return CrashSafeRunner.from_cfg(cfg)


def test_nan_loss_at_a_chosen_iteration_stops_before_its_checkpoint(tmp_path, monkeypatch, one_thread):
    loss = GeRSP.loss

    def loss_cls_nan_at_iteration_5(self, *args, **kwargs):
        losses = loss(self, *args, **kwargs)
        if MessageHub.get_current_instance().get_info('iter') + 1 == 5:
            losses['loss_cls'] = losses['loss_cls'] * float('nan')
        return losses

    monkeypatch.setattr(GeRSP, 'loss', loss_cls_nan_at_iteration_5)
    with pytest.raises(NonFiniteLossError) as info:
        tiny_runner(tmp_path).train()
    message = str(info.value)
    assert message.startswith('Non-finite loss at iteration 5 (epoch 2): loss_cls (loss=nan, loss_contrastive=')
    assert 'loss_cls=nan)' in message and f'The newest checkpoint is {tmp_path / "iter_4.pth"}.' in message
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == [f'iter_{step}.pth' for step in range(1, 5)]
    assert_nothing_half_written(tmp_path)


def test_diverging_run_stops_and_writes_no_poisoned_checkpoint(tmp_path, one_thread):
    """The issue's reproduction: lr=1e9 (the loss reaches 1e16, then NaN)."""
    with pytest.raises((NonFiniteLossError, NonFiniteCheckpointError)):
        tiny_runner(tmp_path, **{'optim_wrapper.optimizer.lr': 1e9}).train()
    assert_nothing_half_written(tmp_path)
