# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Check the datasets of a detection, segmentation or classification config before a run.

Builds each split's dataset exactly as training/testing does (``<split>_dataloader.dataset``), prints
its report (images, objects/images/pixels per class, ignored or difficult objects, boxes the dataset
fixed at load time, image sizes, missing or unreadable files: counted, the first few named) and
optionally draws samples with their boxes, masks or labels into PNGs. Exits with 1 when a split
cannot be built or has missing/unreadable files (see :mod:`gersp_mm.analysis.dataset_report`).

Examples::

    python tools/analysis_tools/check_dataset.py configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py
    python tools/analysis_tools/check_dataset.py configs/seg/loveda/psanet_r50-gersp-d8_4xb4-80k_loveda-512x512.py \\
        --split train --show-dir work_dirs/check_loveda --num 4
    python tools/analysis_tools/check_dataset.py configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py \\
        --cfg-options train_dataloader.dataset.data_root=/data/NWPU-RESISC45
"""
import argparse
from typing import Dict, List, Optional, Sequence

from mmengine.config import DictAction

from .config_datasets import SPLITS, load_config, task_of
from .dataset_report import SplitReport, check_split
from .dataset_report_text import format_report
from .sample_drawing import draw_samples


def check_config(config: str, splits: Sequence[str] = SPLITS, show_dir: Optional[str] = None, num: int = 8,
                 cfg_options: Optional[dict] = None, echo=print) -> List[SplitReport]:
    """Check the datasets of a config: build each split, report it (:mod:`.dataset_report`,
    :mod:`.dataset_report_text`), and optionally draw samples (:mod:`.sample_drawing`).

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


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Check the datasets of a config.', epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='a det, seg or cls config')
    parser.add_argument('--split', nargs='+', choices=['train', 'val', 'test'], default=['train', 'val', 'test'],
                        help='the splits to check (default: all three)')
    parser.add_argument('--show-dir', help='draw samples with their annotations into this folder (PNGs)')
    parser.add_argument('--num', type=int, default=8, help='samples drawn per split with --show-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config settings')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line of ``tools/analysis_tools/check_dataset.py``; returns its exit code."""
    args = parse_args(argv)
    reports = check_config(args.config, args.split, args.show_dir, args.num, args.cfg_options)
    return 0 if all(report.ok for report in reports) else 1
