# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Checkpoint writes that fail midway (full disk) with max_keep_ckpts=1: the previous checkpoint survives,
last_checkpoint still names it, nothing half-written is left, and the run resumes exactly."""
import errno
import io
import os

import pytest
import torch

from gersp_mm.fileio import AtomicLocalBackend, load_checkpoint_file
from gersp_mm.fileio import atomic as atomic_module
from tests.reliability.toy_runs import toy_runner


class _FullDiskForIter3(io.FileIO):
    """A disk that fills up while ``iter_3.pth`` is written (other files are written normally)."""

    def write(self, data) -> int:
        name = os.path.basename(os.readlink(f'/proc/self/fd/{self.fileno()}'))
        if name.startswith(f'{atomic_module.TEMP_PREFIX}iter_3.pth') and self.tell() + len(data) > 500:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


def _files(work_dir):
    """Checkpoints, last_checkpoint and temporary files of ``work_dir`` (not the config dump and logs)."""
    return sorted(path.name for path in work_dir.iterdir()
                  if path.suffix == '.pth' or path.name == 'last_checkpoint' or path.name.startswith('.tmp-'))


@pytest.mark.skipif(not os.path.isdir('/proc/self/fd'), reason='names open files through /proc')
def test_full_disk_during_a_checkpoint_write_keeps_the_previous_one(toy_reference, tmp_path, monkeypatch):
    monkeypatch.setattr(atomic_module, 'RAW_FILE_TYPE', _FullDiskForIter3)
    runner = toy_runner(tmp_path, max_iters=6, checkpoint=dict(max_keep_ckpts=1))
    with pytest.raises(OSError, match=f'cannot write {tmp_path / "iter_3.pth"}: No space left on device'):
        runner.train()
    # the only kept checkpoint was deleted only after a new one is complete: iter_2 is still there
    assert _files(tmp_path) == ['iter_2.pth', 'last_checkpoint']
    assert (tmp_path / 'last_checkpoint').read_text() == str(tmp_path / 'iter_2.pth')
    monkeypatch.undo()
    toy_runner(tmp_path, max_iters=6, checkpoint=dict(max_keep_ckpts=1), resume=True).train()
    assert _files(tmp_path) == ['iter_6.pth', 'last_checkpoint']
    expected, resumed = (load_checkpoint_file(path)['state_dict']
                         for path in (toy_reference / 'iter_6.pth', tmp_path / 'iter_6.pth'))
    for name, value in expected.items():
        assert torch.equal(value, resumed[name]), name


def test_temporary_files_of_a_killed_write_are_removed_at_start(tmp_path):
    stale = tmp_path / f'{atomic_module.TEMP_PREFIX}iter_7.pth-k2j4'
    stale.write_bytes(b'PK\x03\x04 half a checkpoint')
    toy_runner(tmp_path, max_iters=1).train()
    assert not stale.exists()
    log = next(tmp_path.glob('*/*.log')).read_text()
    assert f'Removed {stale}: the incomplete checkpoint write of an interrupted run.' in log


def test_old_checkpoints_are_deleted_after_the_new_one_is_complete(tmp_path):
    runner = toy_runner(tmp_path, max_iters=4, checkpoint=dict(max_keep_ckpts=2))
    runner.train()
    assert _files(tmp_path) == ['iter_3.pth', 'iter_4.pth', 'last_checkpoint']
    assert runner.message_hub.get_info('keep_ckpt_ids') == [3, 4]


class _KilledBeforeDeleting(Exception):
    pass


def test_checkpoints_left_by_a_kill_before_their_deletion_are_deleted_on_resume(tmp_path, monkeypatch):
    def killed(self, path):
        raise _KilledBeforeDeleting(path)

    monkeypatch.setattr(AtomicLocalBackend, 'remove', killed)
    with pytest.raises(_KilledBeforeDeleting):
        toy_runner(tmp_path, max_iters=6, checkpoint=dict(max_keep_ckpts=1)).train()
    assert _files(tmp_path) == ['iter_1.pth', 'iter_2.pth', 'last_checkpoint']
    monkeypatch.undo()
    toy_runner(tmp_path, max_iters=6, checkpoint=dict(max_keep_ckpts=1), resume=True).train()
    assert _files(tmp_path) == ['iter_6.pth', 'last_checkpoint']
