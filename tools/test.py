# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Evaluate a checkpoint with an mmengine config (any detection, segmentation or classification config).

Examples::

    python tools/test.py configs/det/faster-rcnn_r50-gersp_fpn_2x_dior.py work_dirs/frcnn_dior/epoch_24.pth
    # several processes (torchrun); metrics are written to WORK_DIR/<timestamp>/<timestamp>.json
    tools/dist_test.sh configs/cls/resnet50-gersp_8xb32_nwpu45-20p.py work_dirs/nwpu/epoch_100.pth 8
"""
import argparse
import os
import os.path as osp

from mmengine.config import Config, DictAction
from mmengine.runner import Runner

from gersp_mm.compat import setup_dist_without_cuda


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Evaluate a checkpoint on the test set of a config.',
                                     epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file path')
    parser.add_argument('checkpoint', help='checkpoint to evaluate')
    parser.add_argument('--work-dir', help='where logs and metrics go (default: ./work_dirs/<config name>)')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, help='override config values')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def main(argv=None) -> dict:
    args = parse_args(argv)
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        cfg.merge_from_dict(args.cfg_options)
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir') is None:
        cfg.work_dir = osp.join('./work_dirs', osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    cfg.launcher = args.launcher
    setup_dist_without_cuda(cfg, args.launcher)  # mmengine's init_dist needs CUDA
    runner = Runner.from_cfg(cfg)
    return runner.test()


if __name__ == '__main__':
    main()
