# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Evaluate a checkpoint with an mmengine config (any detection, segmentation or classification config).

The options mean what they mean in the host library's own tools/test.py (mmdet, mmseg, mmpretrain: the
config's default_scope); see gersp_mm.utils.evaluation_options for where --out and --show-dir write per host.
The package's own errors (a missing or damaged checkpoint) end it with one line, `error: <sentence>`, and exit
status 1 (docs/faults.md).

Examples::

    python tools/test.py configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py work_dirs/frcnn_dior/epoch_24.pth
    # predictions to a pickle, painted predictions to work_dirs/frcnn_dior_test/<timestamp>/vis
    python tools/test.py configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py work_dirs/frcnn_dior/epoch_24.pth \
        --work-dir work_dirs/frcnn_dior_test --out dets.pkl --show-dir vis
    # several processes (torchrun); metrics are written to WORK_DIR/<timestamp>/<timestamp>.json
    tools/dist_test.sh configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py work_dirs/nwpu/epoch_100.pth 8
    # SLURM: tools/slurm_test.sh PARTITION JOB_NAME CONFIG CHECKPOINT [options]
"""
import argparse
import os

from mmengine.config import DictAction
from mmengine.registry import METRICS
from mmengine.runner import Runner

from gersp_mm.compat import setup_dist_without_cuda
from gersp_mm.utils import dump_predictions, enable_tta, enable_visualization, host_of, load_tool_config
from gersp_mm.utils.tool_errors import package_errors_as_sentences


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate a checkpoint on the test set of a config.',
                                     epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint to evaluate')
    parser.add_argument('--work-dir', help='where logs and metrics go (default: ./work_dirs/<config name>)')
    parser.add_argument('--out', help='dump the predictions: a .pkl file (detection, classification) or a '
                        'folder of PNG label maps (segmentation)')
    parser.add_argument('--show', action='store_true', help='show each painted prediction in a window')
    parser.add_argument('--show-dir', help='save the painted predictions (detection: under '
                        'WORK_DIR/<timestamp>/SHOW_DIR; segmentation: SHOW_DIR/vis_data/vis_image; '
                        'classification: SHOW_DIR)')
    parser.add_argument('--wait-time', type=float, default=2, help='seconds each --show window stays open')
    parser.add_argument('--interval', type=int, default=1, help='paint every INTERVAL-th test batch '
                        '(segmentation, classification; detection paints every image)')
    parser.add_argument('--tta', action='store_true', help='test-time augmentation (flip for detection and '
                        "classification unless the config has its own; segmentation: the config's)")
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config values')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    try:
        cfg = load_tool_config(args.config, args.cfg_options, args.work_dir)
        cfg.load_from = args.checkpoint
        cfg.launcher = args.launcher
        host = host_of(cfg, args.config)
        if args.show or args.show_dir:
            enable_visualization(cfg, host, args.show, args.show_dir, args.wait_time, args.interval)
        if args.tta:
            enable_tta(cfg, host)
        dump = dump_predictions(cfg, host, args.out) if args.out else None
    except ValueError as err:
        raise SystemExit(f'error: {err}') from None
    with package_errors_as_sentences(args.config):  # a damaged checkpoint: `error: <sentence>`, exit status 1
        setup_dist_without_cuda(cfg, args.launcher)  # mmengine's init_dist needs CUDA
        runner = Runner.from_cfg(cfg)
        if dump is not None:
            runner.test_evaluator.metrics.append(METRICS.build(dump))
        return runner.test()


if __name__ == '__main__':
    main()
