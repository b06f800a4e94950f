# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut DOTA-v1.0 into square patches, with horizontal boxes (``DOTAHBBDataset``) or polygons (mmrotate).

The command line of :mod:`gersp_mm.det.converters.prepare_dota` (``--help`` gives the options and examples).
"""
import sys

from gersp_mm.det.converters.prepare_dota import main

if __name__ == '__main__':
    sys.exit(main())
