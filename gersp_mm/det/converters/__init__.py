# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Dataset converters of the detection benchmarks, one module per tool of ``tools/dataset_converters/`` (its
command line, ``main(argv)``, over the modules beside it that do the conversion):

- :mod:`.prepare_dota`: the DOTA-v1.0 patch converter.

It runs :func:`convert_dota` (its rules: :mod:`.dota_patches`), with horizontal boxes or polygons
(``box_type='obb'``), in steps:

- :mod:`.dota_labels`: read and check a split's label files;
- :mod:`.patch_grid`: where the patches of an image start;
- :mod:`.box_arrays`: horizontal boxes of the polygons, clipped to a window, their areas;
- :mod:`.patch_assignment`: which patches keep which objects (``iof_thr``, the best patch);
- :mod:`.polygon_arrays`: polygon areas and their parts inside a window (``obb``);
- :mod:`.image_cutting`: one image cut into patches, written with their boxes;
- :mod:`.polygon_cutting`: one image cut into patches, written with their polygons in DOTA label files;
- :mod:`.dota_patches`: every split converted, its annotation file and its report.
"""
from .dota_patches import convert_dota

__all__ = ['convert_dota']
