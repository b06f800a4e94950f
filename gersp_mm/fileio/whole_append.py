# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Appending a record (a log line, a JSON line) to a file whole or not at all.

A buffered ``file.write`` can store part of a record before a write fails (a full disk, a quota): the file
then ends mid-record, and a reader of the whole file (``json.loads`` per line, a log parser) fails on it.
:func:`append_whole` writes the record with ``os.write`` and, when a write fails, cuts the file back to its
size before the record.
"""
import contextlib
import os

from .atomic import _named


def append_whole(fd: int, data: bytes, path: str) -> None:
    """Append ``data`` to the open file ``fd`` completely, or leave the file as it was.

    Args:
        fd (int): A file descriptor opened for appending (``O_APPEND``), not shared with another writer.
        data (bytes): The whole record, with its line end.
        path (str): The file's name, for the error message.

    Raises:
        OSError: ``cannot write <path>: <reason>`` (the errno of the failed write, e.g. ENOSPC).
    """
    size = os.fstat(fd).st_size
    rest = memoryview(data)
    try:
        while rest:
            rest = rest[os.write(fd, rest):]
    except OSError as err:
        with contextlib.suppress(OSError):
            os.ftruncate(fd, size)
        raise _named(err, path) from err


def append_whole_to(path: str, data: bytes) -> None:
    """:func:`append_whole` to the file ``path`` (created if absent, with the process's umask)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    except OSError as err:
        raise _named(err, path) from err
    try:
        append_whole(fd, data, path)
    finally:
        os.close(fd)
