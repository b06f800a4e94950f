# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Frozen-backbone evaluation with few labels and confidence intervals: see ``--help`` and docs/frozen_evaluation.md."""
import sys

from gersp_mm.frozen_eval.cli import main

if __name__ == '__main__':
    sys.exit(main())
