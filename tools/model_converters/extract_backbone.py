# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Extract the (student) ResNet backbone of a pre-training checkpoint, for fine-tuning anywhere.

The command line of :mod:`gersp_mm.export.extract_backbone` (``--help`` lists the recognised layouts and examples).
"""
import sys

from gersp_mm.export.extract_backbone import main

if __name__ == '__main__':
    sys.exit(main())
