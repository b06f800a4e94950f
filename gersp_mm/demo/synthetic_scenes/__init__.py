# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Procedural aerial scenes and natural-image-like patterns, written in the on-disk formats of the real datasets.

The aerial scenes share one vocabulary of land covers (:mod:`.grounds`: tarmac, urban blocks, grass, forest,
farmland, water, bare soil, with roads) and of objects with distinct shapes and colours (:mod:`.objects`:
airplanes, storage tanks, vehicles, ships, tennis courts). The same renderer (:mod:`.scenes`) fills the
unlabeled pre-training source and both downstream tasks, so what pre-training learns about these textures
and objects is what the downstream labels depend on. The writers (:mod:`.writers`):

- :func:`write_million_aid`: unlabeled scenes of every kind, the flat Million-AID ``test/`` folder;
- :func:`write_dior`: scenes with objects, boxes in DIOR's VOC XMLs (CRLF), ``JPEGImages-trainval/``,
  ``JPEGImages-test/`` and ``ImageSets/Main/{train,val,test}.txt``;
- :func:`write_nwpu`: scenes dominated by one land cover or object type, NWPU-RESISC45 class folders with
  split lists in the format of ``tools/dataset_converters/split_scene_classification.py``. The object
  classes share their backgrounds, and ``harbor`` differs from ``lake`` only by its ships, so the labels
  need the objects, not only the ground colour;
- :func:`write_imagenet`: the labeled natural source (:mod:`.patterns`), one shape or texture pattern per
  class on cluttered backgrounds, in ImageNet's ``train/<wnid>/`` layout with ``meta/train.txt``.

Every image is drawn from its own generator, seeded by ``(seed, source, index)``: a dataset is a function of
the seed alone (the same bytes on every run), and a dataset's first images do not depend on its size.
"""
from .objects import DET_CLASSES, Annotation, Box
from .patterns import NATURAL_CLASSES, render_natural
from .scenes import SCENE_CLASSES, SCENE_KINDS, render_scene, render_scene_class
from .writers import (
    DemoDataRoots,
    DemoDataSizes,
    dior_xml,
    write_demo_datasets,
    write_dior,
    write_imagenet,
    write_million_aid,
    write_nwpu,
)

__all__ = ['DET_CLASSES', 'SCENE_CLASSES', 'NATURAL_CLASSES', 'SCENE_KINDS', 'Annotation', 'Box', 'DemoDataRoots',
           'DemoDataSizes', 'dior_xml', 'render_natural', 'render_scene', 'render_scene_class', 'write_demo_datasets',
           'write_dior', 'write_imagenet', 'write_million_aid', 'write_nwpu']
