# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Remote-sensing scene classification, built on mmpretrain. Modules register into mmpretrain's registries.

Use it from a config with ``custom_imports=dict(imports=['gersp_mm', 'gersp_mm.cls'])`` and
``default_scope='mmpretrain'``.
"""
from .datasets import (
    EUROSAT_CLASSES,
    IMAGE_EXTENSIONS,
    NWPU_RESISC45_CLASSES,
    NWPURESISC45,
    EuroSAT,
    SceneClassificationDataset,
    scan_class_folders,
)
from .seed_stats import SeedStats, read_metric, seed_stats

__all__ = ['NWPURESISC45', 'EuroSAT', 'SceneClassificationDataset', 'scan_class_folders',
           'NWPU_RESISC45_CLASSES', 'EUROSAT_CLASSES', 'IMAGE_EXTENSIONS', 'SeedStats', 'read_metric',
           'seed_stats']
