# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Remote-sensing scene classification, built on mmpretrain. Modules register into mmpretrain's registries.

Use it from a config with ``custom_imports=dict(imports=['gersp_mm', 'gersp_mm.cls'])`` and
``default_scope='mmpretrain'``. It also registers ``LoadImageUint8`` (:mod:`gersp_mm.pretrain.datasets.loading`),
the image loader of the scene classification configs: a file it cannot decode is an error naming it.
"""
from ..pretrain.datasets.loading import LoadImageUint8  # noqa: F401 - registered for the scene configs
from . import datasets
from .datasets import *  # noqa: F401,F403
from .seed_stats import read_metric, seed_stats

__all__ = [*datasets.__all__, 'read_metric', 'seed_stats']
