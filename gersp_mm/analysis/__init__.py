# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Analysis helpers behind ``tools/analysis_tools/``: the dataset check of ``check_dataset.py``."""
from .dataset_check import check_config
from .dataset_report import SplitReport, check_split
from .dataset_report_text import format_report
from .sample_drawing import draw_samples

__all__ = ['SplitReport', 'check_config', 'check_split', 'format_report', 'draw_samples']
