# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Write the sorted list of images under a folder, for ``UnlabeledImageFolder(ann_file=...)``.

The command line of :mod:`gersp_mm.pretrain.converters.make_file_list` (``--help`` gives the options and examples).
"""
import sys

from gersp_mm.pretrain.converters.make_file_list import main

if __name__ == '__main__':
    sys.exit(main())
