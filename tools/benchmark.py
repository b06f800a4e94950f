# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Deprecated name of ``tools/downstream_benchmark.py`` (the downstream benchmark suite): runs the same command line.

The command line of :mod:`gersp_mm.downstream.cli` (``--help`` lists the tasks, the options and examples).
"""
import sys

from gersp_mm.downstream.cli import main

if __name__ == '__main__':
    print('tools/benchmark.py moved to tools/downstream_benchmark.py; this name is deprecated', file=sys.stderr)
    sys.exit(main())
