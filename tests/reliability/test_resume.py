# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""--resume with damaged checkpoints: the damaged file is named with its problem and the newest intact one is
resumed, continuing exactly like the uninterrupted run; nothing to resume is said clearly."""
import os
import re
import shutil
from pathlib import Path

import pytest
import torch

from gersp_mm.engine import NoIntactCheckpointError, ResumeCheckpointError, find_resume_checkpoint
from gersp_mm.fileio import load_checkpoint_file
from tests.reliability.toy_runs import toy_runner

JPEG = Path(__file__).resolve().parents[1] / 'data/pretrain/natural/train/n01440764/n01440764_10026.JPEG'


def _damage(path, how):
    data = path.read_bytes()
    if how == 'truncated':
        path.write_bytes(data[:len(data) // 3])
    elif how == 'empty':
        path.write_bytes(b'')
    elif how == 'image':
        shutil.copy(JPEG, path)
    elif how == 'non-finite':
        checkpoint = load_checkpoint_file(path)
        checkpoint['state_dict']['linear.weight'][0, 0] = float('inf')
        torch.save(checkpoint, path)
    elif how == 'deleted':
        path.unlink()


def _assert_same_state(expected_path, actual_path):
    expected, actual = load_checkpoint_file(expected_path), load_checkpoint_file(actual_path)
    for name, value in expected['state_dict'].items():
        assert torch.equal(value, actual['state_dict'][name]), name
    assert expected['meta']['iter'] == actual['meta']['iter']


def _log(work_dir):
    return '\n'.join(path.read_text() for path in sorted(work_dir.glob('*/*.log')))


@pytest.mark.parametrize('how, reason', [
    ('truncated', 'truncated or corrupt'),
    ('empty', r'empty \(0 bytes\)'),
    ('image', 'not a PyTorch checkpoint: it is a JPEG image'),
    ('non-finite', r'poisoned: 1 of \d+ tensors hold NaN/inf values: state_dict.linear.weight \(1 inf of 2'),
    ('deleted', 'no such file'),
])
def test_auto_resume_falls_back_to_the_newest_intact_checkpoint(toy_reference, interrupted_toy, how, reason):
    damaged = interrupted_toy / 'iter_4.pth'
    _damage(damaged, how)
    toy_runner(interrupted_toy, max_iters=6, resume=True).train()
    log = _log(interrupted_toy)
    assert f'Cannot resume from {damaged}: ' in log
    assert re.search(reason, log)
    assert f'Resuming from {interrupted_toy / "iter_3.pth"}, the newest intact checkpoint, instead.' in log
    # exactly the uninterrupted run: iterations 4-6 redone from iteration 3's state
    _assert_same_state(toy_reference / 'iter_6.pth', interrupted_toy / 'iter_6.pth')
    _assert_same_state(toy_reference / 'iter_4.pth', interrupted_toy / 'iter_4.pth')


def test_empty_last_checkpoint_record_falls_back_to_the_files(toy_reference, interrupted_toy):
    (interrupted_toy / 'last_checkpoint').write_text('')
    assert find_resume_checkpoint(str(interrupted_toy)) == str(interrupted_toy / 'iter_4.pth')
    toy_runner(interrupted_toy, max_iters=6, resume=True).train()
    assert 'last_checkpoint is empty' in _log(interrupted_toy)
    _assert_same_state(toy_reference / 'iter_6.pth', interrupted_toy / 'iter_6.pth')


def test_a_checkpoint_newer_than_last_checkpoint_names_is_resumed(interrupted_toy):
    """A kill between writing iter_4.pth and updating last_checkpoint: iter_4.pth is complete and newer."""
    (interrupted_toy / 'last_checkpoint').write_text(str(interrupted_toy / 'iter_3.pth'))
    os.utime(interrupted_toy / 'iter_3.pth', (1e9, 1e9))
    assert find_resume_checkpoint(str(interrupted_toy)) == str(interrupted_toy / 'iter_4.pth')


def test_moved_work_dir_resumes_its_own_checkpoint(interrupted_toy):
    (interrupted_toy / 'last_checkpoint').write_text('/elsewhere/old_work_dir/iter_4.pth')
    assert find_resume_checkpoint(str(interrupted_toy)) == str(interrupted_toy / 'iter_4.pth')


def test_auto_resume_in_an_empty_work_dir_trains_from_scratch_with_a_warning(toy_reference, tmp_path):
    runner = toy_runner(tmp_path, max_iters=2, resume=True)
    runner.train()
    assert f'--resume: no checkpoint to resume in {tmp_path}; training starts from scratch.' in _log(tmp_path)
    _assert_same_state(toy_reference / 'iter_2.pth', tmp_path / 'iter_2.pth')


def test_only_damaged_checkpoints_stop_the_run_listing_each(interrupted_toy):
    for step in range(1, 5):
        _damage(interrupted_toy / f'iter_{step}.pth', 'truncated' if step % 2 else 'empty')
    with pytest.raises(NoIntactCheckpointError) as info:
        toy_runner(interrupted_toy, max_iters=6, resume=True).train()
    for step in range(1, 5):
        assert str(interrupted_toy / f'iter_{step}.pth') in str(info.value)


@pytest.mark.parametrize('how, reason', [('truncated', 'truncated or corrupt'), ('deleted', 'no such file')])
def test_explicit_resume_of_a_damaged_file_is_an_error_naming_it(interrupted_toy, how, reason):
    damaged = interrupted_toy / 'iter_4.pth'
    _damage(damaged, how)
    with pytest.raises(ResumeCheckpointError) as info:
        toy_runner(interrupted_toy, max_iters=6, resume=True, load_from=str(damaged)).train()
    message = str(info.value)
    assert message.startswith(f'--resume {damaged}: ') and reason in message
    assert f'the newest intact checkpoint in {interrupted_toy} is {interrupted_toy / "iter_3.pth"}' in message
    assert not (interrupted_toy / 'iter_5.pth').exists()
