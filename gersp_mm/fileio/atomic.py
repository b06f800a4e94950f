# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Atomic file writes: a reader (or a crash) never sees a half-written file under its final name.

``open(path, 'wb')`` truncates the file first and fills it afterwards: a kill -9, a full disk or a power
loss in between leaves a truncated file under the final name, indistinguishable by name from a complete
one. :func:`atomic_write` writes to a temporary file in the same folder, flushes it to disk and renames it
over the final name (``os.replace`` is atomic on POSIX and Windows within one file system), then flushes
the folder entry, so the final name holds either the complete old content or the complete new one.

Permissions: :func:`tempfile.mkstemp` creates its file ``-rw-------`` whatever the umask; renamed as it is,
every output (checkpoints, ``last_checkpoint``, exported backbones, split lists, figures) would be readable
by its owner only. The final file gets the permissions ``open(path, 'w')`` gives, as mmengine's writer did:
those of the file it replaces, else ``0o666`` less the process umask (``-rw-r--r--`` under umask 022).
"""
import contextlib
import io
import os
import os.path as osp
import stat
import tempfile
from typing import IO, Iterator, Optional, Union

#: Prefix of the temporary files :func:`atomic_write` creates (next to the final file).
TEMP_PREFIX = '.tmp-'
#: The raw file type under the buffered writer (the fault-injection tests swap in a full disk).
RAW_FILE_TYPE = io.FileIO


class _RecordingWriter(io.BufferedWriter):
    """A buffered file that remembers the first OSError of a write.

    ``torch.save`` turns an OSError of its file object (e.g. ENOSPC) into ``RuntimeError: ... unexpected
    pos``; the recorded error lets :func:`atomic_write` report the real cause.
    """

    error: Optional[OSError] = None

    def write(self, data) -> int:
        try:
            return super().write(data)
        except OSError as err:
            if self.error is None:
                self.error = err
            raise


def _named(err: OSError, path: str) -> OSError:
    """``err`` as the same OSError subclass with a message naming ``path``."""
    message = f'cannot write {path}: {err.strerror or err}'
    return type(err)(err.errno, message) if err.errno is not None else type(err)(message)


def fsync_directory(directory: str) -> None:
    """Flush a folder's entries (a rename inside it) to disk; a no-op where folders cannot be opened."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # some file systems refuse fsync on a folder
        pass
    finally:
        os.close(fd)


def current_umask() -> int:
    """The process umask, read without changing it where the system allows (Linux ``/proc``)."""
    try:
        with open('/proc/self/status', encoding='ascii') as status:
            for line in status:
                if line.startswith('Umask:'):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    umask = os.umask(0o022)  # elsewhere: set and restore (not atomic for other threads creating files)
    os.umask(umask)
    return umask


def output_file_mode(path: str) -> int:
    """The permission bits ``open(path, 'w')`` would leave: the existing file's, else ``0o666`` less the umask."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except OSError:
        return 0o666 & ~current_umask()


@contextlib.contextmanager
def atomic_write(path: Union[str, 'os.PathLike[str]'], mode: str = 'wb', encoding: Optional[str] = None,
                 newline: Optional[str] = None) -> Iterator[IO]:
    """Open a temporary file that replaces ``path`` only once it is completely written and on disk.

    The temporary file (``.tmp-<name>-<random>`` in the folder of ``path``) is flushed and fsynced, renamed
    to ``path`` with :func:`os.replace`, and the folder is fsynced. If the block raises (including
    ``KeyboardInterrupt``) or any of these steps fails, the temporary file is removed and ``path`` keeps its
    previous content (or stays absent). Missing parent folders are created. The file gets the permissions
    of the file it replaces, else ``0o666`` less the umask (:func:`output_file_mode`), as with :func:`open`.

    Args:
        path: The final file name.
        mode (str): ``'wb'`` (binary) or ``'w'`` (text).
        encoding (str, optional): Text encoding for ``mode='w'``. Defaults to UTF-8.
        newline (str, optional): Newline translation for ``mode='w'``, as for :func:`open` (``''`` for
            :mod:`csv`).

    Yields:
        The open temporary file object.

    Raises:
        OSError: ``cannot write <path>: <reason>``, e.g. ``No space left on device`` (also when the writer,
            like ``torch.save``, hid the OSError in another exception), or ``IsADirectoryError`` when
            ``path`` is an existing directory (refused before anything is written).
    """
    if mode not in ('wb', 'w'):
        raise ValueError(f"atomic_write supports mode 'wb' or 'w', got {mode!r}")
    path = os.fspath(path)
    if osp.isdir(path):
        raise IsADirectoryError(f'cannot write {path}: it is an existing directory')
    directory = osp.dirname(osp.abspath(path))
    try:
        os.makedirs(directory, exist_ok=True)
        fd, temp_path = tempfile.mkstemp(prefix=f'{TEMP_PREFIX}{osp.basename(path)}-', dir=directory)
    except OSError as err:
        raise _named(err, path) from err
    if hasattr(os, 'fchmod'):  # POSIX; on Windows mkstemp's file is not read-protected
        try:
            os.fchmod(fd, output_file_mode(path))
        except OSError as err:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(temp_path)
            raise _named(err, path) from err
    raw = _RecordingWriter(RAW_FILE_TYPE(fd, 'wb'))
    try:
        file = raw if mode == 'wb' else io.TextIOWrapper(raw, encoding=encoding or 'utf-8', newline=newline)
        try:
            with file:
                yield file
                file.flush()
                os.fsync(file.fileno())
            os.replace(temp_path, path)
        except OSError as err:
            raise _named(err, path) from err
        except Exception as err:
            if raw.error is not None:
                raise _named(raw.error, path) from err
            raise
    except BaseException:
        raw.close()
        with contextlib.suppress(OSError):
            os.unlink(temp_path)
        raise
    fsync_directory(directory)
