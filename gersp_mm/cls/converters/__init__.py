# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Dataset converters of the scene classification benchmarks, one module per tool of
``tools/dataset_converters/`` (its command line, ``main(argv)``, and the conversion):

- :mod:`.split_scene_classification`: seeded, per-class stratified train/test lists of NWPU-RESISC45 and EuroSAT.
"""
