# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Write seeded, per-class stratified train/test lists for NWPU-RESISC45 and EuroSAT.

The command line of :mod:`gersp_mm.cls.converters.split_scene_classification` (``--help`` gives the options and
examples).
"""
import sys

from gersp_mm.cls.converters.split_scene_classification import main

if __name__ == '__main__':
    sys.exit(main())
