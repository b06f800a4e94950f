# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Crash-safe file writing, diagnosed checkpoint loading and the image files of a folder."""
from .atomic import atomic_write
from .atomic_local_backend import AtomicLocalBackend
from .checkpoint_file_check import CheckpointLoadError, check_checkpoint_file
from .checkpoint_loading import load_checkpoint_file
from .image_files import IMAGE_EXTENSIONS, iter_image_files

__all__ = ['atomic_write', 'AtomicLocalBackend', 'CheckpointLoadError', 'check_checkpoint_file', 'load_checkpoint_file',
           'IMAGE_EXTENSIONS', 'iter_image_files']
