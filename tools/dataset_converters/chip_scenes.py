# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut large GeoTIFF / TIFF scenes into square chips, keeping their georeferencing, and write a file list.

The command line of :mod:`gersp_mm.pretrain.converters.chip_scenes` (``--help`` gives the options and examples).
"""
import sys

from gersp_mm.pretrain.converters.chip_scenes import main

if __name__ == '__main__':
    sys.exit(main())
