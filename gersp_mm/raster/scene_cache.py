# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The TIFF scenes a process keeps open (:func:`open_cached_scene`), so that a worker reading window after
window of the same scenes parses each file's header (its IFDs: tile offsets, overviews) once, not at every
sample.

Each process holds at most :data:`MAX_OPEN_SCENES` scenes, the least recently used closed first, all closed
at exit. A scene is keyed by its path and reopened when the file changed (another inode, size or
modification time). The scenes of a parent process are never read in a process forked from it (a
DataLoader worker): an open file shares its position with the parent's, so the child closes its copies and
opens its own.
"""
import atexit
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Tuple

from .tiff_scene import TiffScene

#: Scenes each process keeps open.
MAX_OPEN_SCENES = 8


@dataclass
class _Entry:
    scene: TiffScene
    signature: Tuple[int, int, int]  # (inode, size, mtime_ns) of the file opened
    users: int = 0  # leases not closed yet
    kept: bool = True  # still in the cache (closed when its last lease is)


class SceneLease:
    """A use of a scene kept open by :class:`SceneCache`: reads as the :class:`TiffScene` (every attribute is
    the scene's); closing it hands the scene back, open, to the cache.

    Args:
        cache (SceneCache): The cache that holds the scene.
        entry: The cache's record of the scene.
    """

    def __init__(self, cache: 'SceneCache', entry: _Entry) -> None:
        self._cache = cache
        self._entry = entry
        self._closed = False

    def __getattr__(self, name: str):
        return getattr(self._entry.scene, name)

    def close(self) -> None:
        """Hand the scene back to the cache (once; later calls do nothing)."""
        if not self._closed:
            self._closed = True
            self._cache.release(self._entry)

    def __enter__(self) -> 'SceneLease':
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()


class SceneCache:
    """Open TIFF scenes of local files, at most ``capacity``, least recently used closed first.

    Args:
        capacity (int): Scenes kept open. Defaults to :data:`MAX_OPEN_SCENES`.
    """

    def __init__(self, capacity: int = MAX_OPEN_SCENES) -> None:
        self.capacity = capacity
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._pid = os.getpid()
        self._lock = threading.Lock()

    def open(self, path: str) -> SceneLease:
        """The scene of a local TIFF, opened unless it is kept open and the file has not changed since.

        Raises:
            ImageDecodeError: If the file is not a readable TIFF (see :class:`TiffScene`).
            OSError: If the file cannot be found.
        """
        stat = os.stat(path)
        signature = (stat.st_ino, stat.st_size, stat.st_mtime_ns)
        with self._lock:
            if os.getpid() != self._pid:  # forked: the parent's files are not ours to read
                self._close_all()
                self._pid = os.getpid()
            entry = self._entries.get(path)
            if entry is not None and entry.signature != signature:
                self._drop(path)
                entry = None
            if entry is None:
                scene = TiffScene(path, path)
                scene.tiff.filehandle.lock = True  # tifffile's seek + read of the process's threads, one at a time
                entry = self._entries[path] = _Entry(scene, signature)
                while len(self._entries) > self.capacity:
                    self._drop(next(iter(self._entries)))
            self._entries.move_to_end(path)
            entry.users += 1
            return SceneLease(self, entry)

    def release(self, entry: _Entry) -> None:
        """A lease of ``entry`` was closed: close the scene if it has left the cache and has no other lease."""
        with self._lock:
            entry.users -= 1
            if not entry.kept and entry.users == 0:
                entry.scene.close()

    def __len__(self) -> int:
        return len(self._entries)

    def clear(self) -> None:
        """Close every scene (those in use when their last lease is closed)."""
        with self._lock:
            for path in list(self._entries):
                self._drop(path)

    def _drop(self, path: str) -> None:
        entry = self._entries.pop(path)
        entry.kept = False
        if entry.users == 0:
            entry.scene.close()

    def _close_all(self) -> None:
        for entry in self._entries.values():
            entry.scene.close()
        self._entries.clear()


_SCENES = SceneCache()
atexit.register(_SCENES.clear)


def open_cached_scene(path: str) -> SceneLease:
    """The scene of a local TIFF from this process's :class:`SceneCache` (see the module docstring).

    Use it as a context manager: closing it hands the scene back, open, to the cache.

    Raises:
        ImageDecodeError: If the file is not a readable TIFF.
        OSError: If the file cannot be found.
    """
    return _SCENES.open(path)
