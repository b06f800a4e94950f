# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Faults injected into real GeRSP runs (tools/train.py on configs/pretrain/gersp_r18_tiny.py, 6 iterations,
a checkpoint after each): kill -9 during training and during a checkpoint write, a NaN loss term at a chosen
iteration, lr=1e9, a truncated newest checkpoint. Each resumed run must end bit-identical to the
uninterrupted one, and no file under a final name may be half-written."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch

from gersp_mm.engine import checkpoint_problem
from gersp_mm.fileio import load_checkpoint_file

ROOT = Path(__file__).resolve().parents[2]
TINY = 'configs/pretrain/gersp_r18_tiny.py'
FAULTS = str(Path(__file__).with_name('fault_injection.py'))
# 2 epochs x 3 iterations, a checkpoint after every iteration, only the newest kept (the demo's setting)
OPTIONS = ['--cfg-options', 'train_dataloader.sampler.epoch_length=3', 'default_hooks.checkpoint.by_epoch=False',
           'default_hooks.checkpoint.interval=1']
KEEP_ALL = 'default_hooks.checkpoint.max_keep_ckpts=-1'
KEEP_ONE = 'default_hooks.checkpoint.max_keep_ckpts=1'


def _env():
    return dict(os.environ, PYTHONPATH=str(ROOT), OMP_NUM_THREADS='1')


def run(args, expect_ok=True):
    result = subprocess.run(args, cwd=ROOT, env=_env(), capture_output=True, text=True, timeout=600)
    output = result.stdout + result.stderr
    assert (result.returncode == 0) == expect_ok, output[-4000:]
    return output


def train(work_dir, *extra, keep=KEEP_ALL, fault=(), expect_ok=True):
    """Run tools/train.py (through fault_injection.py with a fault); ``extra`` continues --cfg-options."""
    prefix = [sys.executable, FAULTS, *fault, '--'] if fault else [sys.executable, 'tools/train.py']
    return run([*prefix, TINY, '--work-dir', str(work_dir), *OPTIONS, keep, *extra], expect_ok=expect_ok)


def start(work_dir, *extra, keep=KEEP_ALL, fault=()):
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


def test_kill_during_a_checkpoint_write_loses_only_that_checkpoint(reference, tmp_path):
    """kill -9 while iter_4.pth is half-written, keeping one checkpoint: iter_3 survives and resumes exactly."""
    marker = tmp_path.parent / f'{tmp_path.name}.blocked'
    process = start(tmp_path, keep=KEEP_ONE, fault=('block-write', 'iter_4.pth', str(marker)))
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


def test_kill_during_training_resumes_exactly(reference, tmp_path):
    process = start(tmp_path)
    wait_for(tmp_path / 'iter_2.pth', process)
    kill9(process)
    assert_nothing_half_written(tmp_path)
    train(tmp_path, '--resume')
    assert_same_state(reference / 'iter_6.pth', tmp_path / 'iter_6.pth')


def test_nan_loss_at_a_chosen_iteration_stops_before_its_checkpoint(reference, tmp_path):
    output = train(tmp_path, fault=('nan-loss', '5', 'loss_cls'), expect_ok=False)
    assert 'NonFiniteLossError: Non-finite loss at iteration 5 (epoch 2): loss_cls (' in output
    assert 'loss_cls=nan' in output and 'loss_contrastive=' in output
    assert sorted(p.name for p in tmp_path.glob('*.pth')) == [f'iter_{step}.pth' for step in range(1, 5)]
    assert_nothing_half_written(tmp_path)
    # the work dir resumes from the last good state as if nothing had happened
    train(tmp_path, '--resume')
    assert_same_state(reference / 'iter_6.pth', tmp_path / 'iter_6.pth')


def test_diverging_run_stops_and_writes_no_poisoned_checkpoint(tmp_path):
    """The issue's reproduction: lr=1e9 (the loss reaches 1e16, then NaN)."""
    output = train(tmp_path, 'optim_wrapper.optimizer.lr=1e9', expect_ok=False)
    assert 'NonFiniteLossError: Non-finite loss at iteration' in output \
        or 'NonFiniteCheckpointError: Refusing to write' in output
    assert_nothing_half_written(tmp_path)


def test_truncated_newest_checkpoint_falls_back_and_resumes_exactly(reference, tmp_path):
    for step in range(1, 5):
        (tmp_path / f'iter_{step}.pth').write_bytes((reference / f'iter_{step}.pth').read_bytes())
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'iter_4.pth'))
    data = (tmp_path / 'iter_4.pth').read_bytes()
    (tmp_path / 'iter_4.pth').write_bytes(data[:len(data) // 2])
    log = train(tmp_path, '--resume')
    assert f'Cannot resume from {tmp_path / "iter_4.pth"}: cannot load checkpoint {tmp_path / "iter_4.pth"}: ' \
           'truncated or corrupt checkpoint' in log
    assert f'Resuming from {tmp_path / "iter_3.pth"}, the newest intact checkpoint, instead.' in log
    assert_same_state(reference / 'iter_6.pth', tmp_path / 'iter_6.pth')
