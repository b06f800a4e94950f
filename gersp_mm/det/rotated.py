# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Oriented-box detection on mmrotate 1.x. Modules register into mmrotate's registries.

Needs mmrotate (``requirements/rotated.txt``, installed by ``tools/setup_env.sh``), which :mod:`gersp_mm.det`
does not. Use it from a config with ``default_scope='mmrotate'`` and
``custom_imports=dict(imports=['gersp_mm', 'gersp_mm.det.rotated', 'mmrotate.datasets', ...])`` (see
``configs/det/_base_/rotated_runtime.py``):

- :class:`~gersp_mm.det.datasets.dior_r.DIORRDataset`: DIOR-R (20 classes, oriented-box XMLs as distributed);
- :class:`~gersp_mm.det.datasets.dota_obb.DOTAOBBDataset`: DOTA-v1.0 with oriented boxes (label files as
  released, or the patches of ``tools/dataset_converters/prepare_dota.py --box-type obb``);
- :class:`~gersp_mm.det.rotated_visualizer.PerRunRotLocalVisualizer`: mmrotate's visualizer, one per run of
  a process.
"""
from .datasets.dior_r import DIORRDataset
from .datasets.dota_obb import DOTAOBBDataset
from .rotated_visualizer import PerRunRotLocalVisualizer

__all__ = ['DIORRDataset', 'DOTAOBBDataset', 'PerRunRotLocalVisualizer']
