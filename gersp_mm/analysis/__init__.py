# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Analysis behind ``tools/analysis_tools/``, one module per tool (its command line, ``main(argv)``):
:mod:`.check_dataset` (the dataset check, :func:`check_config`) and :mod:`.plot_curves` (over :mod:`.curves`);
and the scalar logs and seed summaries the other tools read."""
from .check_dataset import check_config
from .dataset_report import SplitReport, check_split
from .dataset_report_text import format_report
from .sample_drawing import draw_samples

__all__ = ['SplitReport', 'check_config', 'check_split', 'format_report', 'draw_samples']
