# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Run the downstream benchmark suite for backbone checkpoints and collect the results.

The command line of :mod:`gersp_mm.downstream.cli` (``--help`` lists the tasks, the options and examples).
"""
import sys

from gersp_mm.downstream.cli import main

if __name__ == '__main__':
    sys.exit(main())
