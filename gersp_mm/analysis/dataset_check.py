# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Check the datasets of a config before a run: what ``tools/analysis_tools/check_dataset.py`` does.

Each split's dataset is built and reported (:mod:`.dataset_report`, :mod:`.dataset_report_text`), and samples
are optionally drawn (:mod:`.sample_drawing`).
"""
from typing import Dict, List, Optional, Sequence

from .config_datasets import SPLITS, load_config, task_of
from .dataset_report import SplitReport, check_split
from .dataset_report_text import format_report
from .sample_drawing import draw_samples


def check_config(config: str, splits: Sequence[str] = SPLITS, show_dir: Optional[str] = None, num: int = 8,
                 cfg_options: Optional[dict] = None, echo=print) -> List[SplitReport]:
    """Check the datasets of a config: build each split, report it, and optionally draw samples.

    Args:
        config (str): A det, seg or cls config.
        splits (Sequence[str]): The splits to check.
        show_dir (str, optional): Draw ``num`` samples of each split there (PNGs).
        num (int): Samples drawn per split.
        cfg_options (dict, optional): Overrides merged into the config.
        echo (callable): Where the report's text goes.

    Returns:
        list[SplitReport]: One report per split.

    Raises:
        ValueError: For an unknown split or a negative ``num`` (before anything is built).
    """
    unknown = [split for split in splits if split not in SPLITS]
    if unknown or num < 0:
        raise ValueError(f'splits must be among {SPLITS} and num >= 0, got splits={list(splits)}, num={num}')
    cfg = load_config(config, cfg_options)
    task = task_of(cfg)
    echo(f'{config}: {task} config (default_scope {cfg.default_scope!r})')
    seen: Dict[str, str] = {}
    reports = []
    for split in splits:
        report, dataset = check_split(cfg, split, seen)
        echo(format_report(report))
        if dataset is not None and show_dir:
            drawn = draw_samples(cfg, split, dataset, task, show_dir, num)
            echo(f'  drew {len(drawn)} samples into {show_dir}')
        reports.append(report)
    problems = [report.split for report in reports if not report.ok]
    echo(f'problems in {", ".join(problems)}' if problems else 'no problem found')
    return reports
