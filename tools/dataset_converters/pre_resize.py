# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Pre-resize an image collection to a maximum side, keeping its folder structure, and write its file list.

The command line of :mod:`gersp_mm.pretrain.converters.pre_resize` (``--help`` gives the options and examples).
"""
import sys

from gersp_mm.pretrain.converters.pre_resize import main

if __name__ == '__main__':
    sys.exit(main())
