# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""SIGTERM (a scheduler's preemption or time limit) during training: a checkpoint of the iteration in progress
is saved, the run stops with exit status 143 and a message saying how to resume, and the resumed run ends
exactly like the uninterrupted one. (The GeRSP run through tools/train.py: test_faults_e2e.py.)"""
import os
import signal
import subprocess
import sys

import pytest
import torch
from mmengine.hooks import Hook

from gersp_mm.engine import TrainingTerminated
from gersp_mm.fileio import load_checkpoint_file
from tests.reliability.toy_runs import toy_runner

# only the SIGTERM checkpoint and the last one (save_last) are written
RARE_CHECKPOINTS = dict(interval=100)


class SigtermAt(Hook):
    """Sends this process SIGTERM when training iteration ``iteration`` (1-based) starts."""

    def __init__(self, iteration: int) -> None:
        self.iteration = iteration

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        if runner.iter + 1 == self.iteration:
            os.kill(os.getpid(), signal.SIGTERM)


def test_sigterm_saves_the_iteration_and_the_resumed_run_ends_as_the_uninterrupted_one(toy_reference, tmp_path):
    runner = toy_runner(tmp_path, max_iters=6, checkpoint=RARE_CHECKPOINTS, custom_hooks=[SigtermAt(3)])
    with pytest.raises(TrainingTerminated) as info:
        runner.train()
    saved = tmp_path / 'iter_3.pth'
    assert info.value.code == 128 + signal.SIGTERM
    assert str(info.value) == (f'Stopped by SIGTERM after iteration 3 (epoch 1); {saved} holds this state: '
                               f'continue with tools/train.py CONFIG --work-dir {tmp_path} --resume')
    assert sorted(path.name for path in tmp_path.glob('*.pth')) == ['iter_3.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == str(saved)
    assert load_checkpoint_file(str(saved))['meta']['iter'] == 3
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert f'SIGTERM received: saving {saved} before stopping.' in log and str(info.value) in log
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler lives only during train()

    toy_runner(tmp_path, max_iters=6, checkpoint=RARE_CHECKPOINTS, resume=True).train()
    expected, resumed = (load_checkpoint_file(str(path))['state_dict']
                         for path in (toy_reference / 'iter_6.pth', tmp_path / 'iter_6.pth'))
    for name, value in expected.items():
        assert torch.equal(value, resumed[name]), name


def test_sigterm_on_an_iteration_the_interval_saves_writes_it_once(tmp_path):
    with pytest.raises(TrainingTerminated):
        toy_runner(tmp_path, max_iters=6, custom_hooks=[SigtermAt(2)]).train()
    assert sorted(path.name for path in tmp_path.glob('*.pth')) == ['iter_1.pth', 'iter_2.pth']
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert 'before stopping' not in log and 'Stopped by SIGTERM after iteration 2 (epoch 1)' in log


def test_a_second_sigterm_ends_the_process_at_once_and_forked_workers_ignore_it():
    """The first SIGTERM is recorded; a data loader worker (a forked child) survives its own SIGTERM; a
    second SIGTERM ends the process as without the handler."""
    script = '''if True:
        import os, signal, sys, time
        from gersp_mm.engine.termination import TerminationSignal
        with TerminationSignal() as termination:
            child = os.fork()
            if child == 0:
                os.kill(os.getpid(), signal.SIGTERM)
                os._exit(7)
            _, status = os.waitpid(child, 0)
            os.kill(os.getpid(), signal.SIGTERM)
            print(os.waitstatus_to_exitcode(status), termination.received, flush=True)
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(30)
            print('still running', flush=True)
    '''
    result = subprocess.run([sys.executable, '-c', script], capture_output=True, text=True, timeout=120,
                            env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert result.stdout.split() == ['7', str(int(signal.SIGTERM))], result.stderr
    assert result.returncode == -signal.SIGTERM



class HandlerSeen(Hook):
    """Records the SIGTERM handler in place while training."""

    def before_train_iter(self, runner, batch_idx, data_batch=None) -> None:
        self.handler = signal.getsignal(signal.SIGTERM)


@pytest.mark.parametrize('checkpoint_type, recorded', [('AtomicCheckpointHook', True), ('CheckpointHook', False)])
def test_sigterm_is_recorded_only_where_the_checkpoint_hook_acts_on_it(tmp_path, checkpoint_type, recorded):
    """With mmengine's plain CheckpointHook nothing would save and stop: SIGTERM must keep ending the run."""
    seen = HandlerSeen()
    toy_runner(tmp_path, max_iters=1, checkpoint=dict(type=checkpoint_type), custom_hooks=[seen]).train()
    assert (seen.handler is not signal.SIG_DFL) == recorded
