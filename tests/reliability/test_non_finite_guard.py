# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""A NaN loss term at a chosen iteration: the run stops (or skips the step) before the update is applied,
and no checkpoint with non-finite tensors is ever written."""

import pytest
import torch
import torch.multiprocessing as mp
from mmengine.hooks import Hook

from gersp_mm.engine import (
    NonFiniteCheckpointError,
    NonFiniteGuardHook,
    NonFiniteLossError,
    find_non_finite,
)
from gersp_mm.fileio import load_checkpoint_file
from tests.helpers import free_port
from tests.reliability.toy_runs import any_rank_worker, toy_runner


def _state(path):
    return load_checkpoint_file(path)['state_dict']


def _assert_all_checkpoints_finite(work_dir):
    for path in work_dir.glob('iter_*.pth'):
        checkpoint = load_checkpoint_file(path)
        assert find_non_finite({'state_dict': checkpoint['state_dict'], 'optimizer': checkpoint['optimizer']}) == []


def test_nan_loss_stops_the_run_before_the_update_and_its_checkpoint(tmp_path):
    runner = toy_runner(tmp_path, nan_at=[4])
    with pytest.raises(NonFiniteLossError) as info:
        runner.train()
    message = str(info.value)
    assert 'Non-finite loss at iteration 4' in message
    assert 'loss_aux=nan' in message and 'loss_mse=' in message and 'loss_aux, ' not in message
    assert 'was not applied' in message and str(tmp_path / 'iter_3.pth') in message
    assert sorted(p.name for p in tmp_path.glob('iter_*.pth')) == ['iter_1.pth', 'iter_2.pth', 'iter_3.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'iter_3.pth')
    # the bad step was not applied: the parameters in memory are still those of iteration 3
    expected = _state(tmp_path / 'iter_3.pth')
    for name, value in runner.model.named_parameters():
        assert torch.equal(value, expected[name]), name


def test_skip_mode_drops_the_update_logs_and_counts_it(tmp_path):
    runner = toy_runner(tmp_path, nan_at=[4], guard=dict(action='skip', max_skips=2))
    runner.train()
    assert runner.iter == 6
    assert runner.message_hub.get_info(NonFiniteGuardHook.INFO_KEY) == 1
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert 'Skipped the update of iteration 4 (epoch 1): non-finite loss loss_aux' in log
    assert '1 of at most 2 steps skipped so far' in log
    before, after = _state(tmp_path / 'iter_3.pth'), _state(tmp_path / 'iter_4.pth')
    for name in ('linear.weight', 'linear.bias', 'bn.weight', 'bn.bias'):
        assert torch.equal(before[name], after[name]), name  # no step: parameters unchanged
    assert not torch.equal(_state(tmp_path / 'iter_5.pth')['linear.weight'], after['linear.weight'])
    _assert_all_checkpoints_finite(tmp_path)


def test_skip_mode_stops_after_max_skips(tmp_path):
    runner = toy_runner(tmp_path, nan_at=[2, 3, 4], guard=dict(action='skip', max_skips=2))
    with pytest.raises(NonFiniteLossError, match='iteration 4 .*3 steps skipped, more than max_skips=2'):
        runner.train()
    _assert_all_checkpoints_finite(tmp_path)


def test_skipped_steps_are_counted_across_a_resume(tmp_path):
    toy_runner(tmp_path, max_iters=3, nan_at=[2], guard=dict(action='skip', max_skips=1)).train()
    resumed = toy_runner(tmp_path, max_iters=6, nan_at=[5], guard=dict(action='skip', max_skips=1), resume=True)
    with pytest.raises(NonFiniteLossError, match='iteration 5 .*2 steps skipped, more than max_skips=1'):
        resumed.train()


class _PoisonWeights(Hook):
    """Turns a weight NaN after iteration 2's update, before its checkpoint (loss terms stay finite)."""

    priority = 'LOW'  # after the guard, before the CheckpointHook (VERY_LOW)

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        if runner.iter + 1 == 2:
            with torch.no_grad():
                runner.model.linear.weight[0, 1] = float('nan')


def test_checkpoint_with_non_finite_parameters_is_refused(tmp_path):
    runner = toy_runner(tmp_path, checkpoint=dict(max_keep_ckpts=1), custom_hooks=[_PoisonWeights()])
    with pytest.raises(NonFiniteCheckpointError) as info:
        runner.train()
    message = str(info.value)
    assert f'Refusing to write {tmp_path / "iter_2.pth"} at iteration 2' in message
    assert 'state_dict.linear.weight (1 NaN of 2 values)' in message
    assert f'the newest complete checkpoint is {tmp_path / "iter_1.pth"}' in message
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == '.pth') == ['iter_1.pth']
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'iter_1.pth')


def test_guard_arguments_are_checked():
    with pytest.raises(ValueError, match="action must be 'error' or 'skip', got 'ignore'"):
        NonFiniteGuardHook(action='ignore')
    with pytest.raises(TypeError, match="max_skips must be a non-negative int, got '3'"):
        NonFiniteGuardHook(action='skip', max_skips='3')


def test_every_process_of_a_distributed_run_drops_the_step_when_one_sees_a_nan(tmp_path):
    """DDP ranks must take the same decision (a rank that steps while another does not diverges or hangs)."""
    mp.spawn(any_rank_worker, args=(2, free_port(), str(tmp_path)), nprocs=2)
    assert [(tmp_path / f'rank{rank}').read_text() for rank in range(2)] == ['True', 'True']
