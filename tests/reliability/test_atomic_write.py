# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""atomic_write: the final name holds the complete old or the complete new content, never a part."""
import errno
import io
import os

import pytest
import torch

from gersp_mm.fileio import atomic as atomic_module
from gersp_mm.fileio import atomic_write


class _FullDiskFileIO(io.FileIO):
    """A file that accepts ``capacity`` bytes, then fails like a full disk (ENOSPC)."""

    capacity = 1000

    def write(self, data) -> int:
        written = self.tell()
        if written + len(data) > self.capacity:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.fixture
def full_disk(monkeypatch):
    monkeypatch.setattr(atomic_module, 'RAW_FILE_TYPE', _FullDiskFileIO)


def _leftovers(folder):
    return sorted(name for name in os.listdir(folder) if name.startswith(atomic_module.TEMP_PREFIX))


def test_writes_and_replaces(tmp_path):
    path = tmp_path / 'sub' / 'out.bin'
    with atomic_write(path) as file:
        file.write(b'first')
    with atomic_write(path) as file:
        file.write(b'second')
    assert path.read_bytes() == b'second'
    with atomic_write(tmp_path / 'text.txt', 'w') as file:
        file.write('a\nb\n')
    assert (tmp_path / 'text.txt').read_text() == 'a\nb\n'
    assert _leftovers(tmp_path / 'sub') == [] and _leftovers(tmp_path) == []


def test_the_final_name_is_untouched_until_the_block_completes(tmp_path):
    path = tmp_path / 'out.bin'
    path.write_bytes(b'old')
    with atomic_write(path) as file:
        file.write(b'new, half')
        assert path.read_bytes() == b'old'
        assert len(_leftovers(tmp_path)) == 1  # the temporary file is in the same folder
    assert path.read_bytes() == b'new, half'


@pytest.mark.parametrize('error', [RuntimeError('boom'), KeyboardInterrupt()])
def test_an_exception_keeps_the_old_file_and_removes_the_temporary_one(tmp_path, error):
    path = tmp_path / 'out.bin'
    path.write_bytes(b'old')
    with pytest.raises(type(error)):
        with atomic_write(path) as file:
            file.write(b'partial')
            raise error
    assert path.read_bytes() == b'old'
    assert _leftovers(tmp_path) == []


def test_full_disk_names_the_path_and_leaves_nothing(tmp_path, full_disk):
    path = tmp_path / 'list.txt'
    with pytest.raises(OSError, match=f'cannot write {path}: No space left on device') as info:
        with atomic_write(path, 'w') as file:
            for index in range(1000):
                file.write(f'image_{index}.jpg\n')
    assert info.value.errno == errno.ENOSPC
    assert not path.exists() and _leftovers(tmp_path) == []


def test_full_disk_under_torch_save_reports_the_disk_not_torch(tmp_path, full_disk):
    """torch.save turns the writer's OSError into 'RuntimeError: ... unexpected pos'; the cause is kept."""
    path = tmp_path / 'model.pth'
    with pytest.raises(OSError, match=f'cannot write {path}: No space left on device'):
        with atomic_write(path) as file:
            torch.save({'weight': torch.zeros(10000)}, file)
    assert not path.exists() and _leftovers(tmp_path) == []


def test_an_existing_directory_is_refused_before_writing(tmp_path):
    target = tmp_path / 'out.pth'
    target.mkdir()
    entered = False
    with pytest.raises(IsADirectoryError, match=f'cannot write {target}: it is an existing directory'):
        with atomic_write(target):
            entered = True
    assert not entered and _leftovers(tmp_path) == []


def test_unwritable_folder_names_the_path(tmp_path):
    blocker = tmp_path / 'file'
    blocker.write_text('x')
    with pytest.raises(OSError, match=f'cannot write {blocker}/out.txt'):
        with atomic_write(blocker / 'out.txt', 'w'):
            pass
