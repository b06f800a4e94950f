# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Checkpoint loading (torch >= 2.6).

``torch.load`` defaults to ``weights_only=True`` since torch 2.6. mmengine 0.10.7 calls it without the argument,
so every checkpoint written by an mmengine ``Runner`` fails to load (``--resume``, ``load_from``,
``init_cfg=dict(type='Pretrained')`` on a training checkpoint) with ``Unsupported global:
mmengine.logging.history_buffer.HistoryBuffer``. Turning ``weights_only`` off would let any checkpoint run
arbitrary code. Instead, the loader for local files is replaced (through mmengine's own
``CheckpointLoader.register_scheme``) by one that keeps ``weights_only=True`` and allow-lists only the plain
data types an mmengine checkpoint holds (its log history buffers and the numpy arrays/scalars inside them). Any
other object in a file is still refused, with an error naming the file and the offending global. The loader
(:func:`gersp_mm.fileio.load_checkpoint_file`) also diagnoses missing, empty, truncated and non-checkpoint
files, naming the file.
"""
from typing import Any

import torch
from mmengine.runner.checkpoint import CheckpointLoader

from ..fileio.checkpoint_loading import load_checkpoint_file


def load_from_local(filename: str, map_location=None) -> Any:
    """:func:`load_checkpoint_file` under the name mmengine logs ("Loads checkpoint by local backend")."""
    return load_checkpoint_file(filename, map_location)


def install_checkpoint_loader() -> None:
    """Make :func:`load_from_local` mmengine's loader of local files (torch >= 2.5; older torch loads
    unrestricted and needs no shim)."""
    if hasattr(torch.serialization, 'safe_globals'):
        CheckpointLoader.register_scheme(prefixes='', loader=load_from_local, force=True)
