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
import sys

from mmengine.config import DictAction

from gersp_mm.analysis import check_config


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Check the datasets of a config.', epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='a det, seg or cls config')
    parser.add_argument('--split', nargs='+', choices=['train', 'val', 'test'], default=['train', 'val', 'test'],
                        help='the splits to check (default: all three)')
    parser.add_argument('--show-dir', help='draw samples with their annotations into this folder (PNGs)')
    parser.add_argument('--num', type=int, default=8, help='samples drawn per split with --show-dir')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config settings')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    reports = check_config(args.config, args.split, args.show_dir, args.num, args.cfg_options)
    return 0 if all(report.ok for report in reports) else 1


if __name__ == '__main__':
    sys.exit(main())
