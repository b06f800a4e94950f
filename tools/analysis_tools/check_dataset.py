# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Check the datasets of a detection, segmentation or classification config before a run.

The command line of :mod:`gersp_mm.analysis.check_dataset` (``--help`` gives the options and examples).
"""
import sys

from gersp_mm.analysis.check_dataset import main

if __name__ == '__main__':
    sys.exit(main())
