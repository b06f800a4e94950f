# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Plot training curves of one or more mmengine runs into one PNG (one panel per key, one line per run).

The command line of :mod:`gersp_mm.analysis.plot_curves` (``--help`` gives the options and examples).
"""
import sys

from gersp_mm.analysis.plot_curves import main

if __name__ == '__main__':
    sys.exit(main())
