# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""mmengine's local file backend with atomic writes (registered as ``backend='atomic_local'``).

What the host gets wrong: ``LocalBackend.put`` opens the final file with ``'wb'`` and writes into it, so a
kill or a full disk during a checkpoint write leaves a truncated checkpoint under its final name. This
backend writes through :func:`gersp_mm.fileio.atomic_write`. Select it with
``backend_args=dict(backend='atomic_local')`` wherever mmengine takes ``backend_args`` (the
:class:`~gersp_mm.engine.hooks.AtomicCheckpointHook` does so by default).
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from .atomic import atomic_write


class AtomicLocalBackend(LocalBackend):
    """A :class:`mmengine.fileio.LocalBackend` whose ``put`` / ``put_text`` are atomic and fsynced."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        with atomic_write(filepath, 'wb') as file:
            file.write(obj)

    def put_text(self, obj: str, filepath: Union[str, Path], encoding: str = 'utf-8') -> None:
        with atomic_write(filepath, 'w', encoding=encoding) as file:
            file.write(obj)


register_backend('atomic_local', AtomicLocalBackend, force=True)
