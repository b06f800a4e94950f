# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Remote-sensing object detection, built on mmdet. Modules register into mmdet's registries.

Use it from a config with ``custom_imports=dict(imports=['gersp_mm', 'gersp_mm.det'])`` and
``default_scope='mmdet'``:

- :class:`~gersp_mm.det.datasets.DIORDataset`: DIOR (20 classes, VOC-style XMLs as distributed);
- :class:`~gersp_mm.det.datasets.DOTAHBBDataset`: DOTA-v1.0 with horizontal boxes, on the patches
  written by ``tools/dataset_converters/prepare_dota.py`` (:mod:`gersp_mm.det.converters`);
- :class:`~gersp_mm.det.metrics.CocoMaxDetsMetric`: COCO box AP over as many detections per image as
  the detectors keep (pycocotools caps its headline AP at 100);
- :class:`~gersp_mm.det.visualizer.PerRunDetLocalVisualizer`: mmdet's visualizer, one per run of a process.

Oriented-box detection (DIOR-R, DOTA-v1.0 OBB) on mmrotate is :mod:`gersp_mm.det.rotated`, which needs mmrotate
and is not imported here.
"""
from .datasets import *  # noqa: F401,F403
from .metrics import *  # noqa: F401,F403
from .visualizer import PerRunDetLocalVisualizer  # noqa: F401
