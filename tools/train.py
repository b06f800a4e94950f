# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Train with an mmengine config: GeRSP pre-training or any downstream config of this repository.

The run uses gersp_mm.engine.CrashSafeRunner, or the registered runner a config names in runner_type. The
package's own errors (a config mistake, a NaN loss, a damaged checkpoint, missing data) end it with one line,
`error: <sentence>`, and exit status 1 (docs/faults.md).

Examples::

    # one process (one GPU, or the CPU when no GPU is visible)
    python tools/train.py configs/pretrain/gersp_r50.py --work-dir work_dirs/gersp_r50
    # resume the latest checkpoint of the work dir, or a given one
    python tools/train.py configs/pretrain/gersp_r50.py --resume
    python tools/train.py configs/pretrain/gersp_r50.py --resume work_dirs/gersp_r50/epoch_10.pth
    # mixed precision (float16 on GPU, bfloat16 on CPU) and config overrides
    python tools/train.py configs/pretrain/gersp_r50.py --amp --cfg-options train_dataloader.batch_size=64
    # several processes: see tools/dist_train.sh (torchrun) and tools/slurm_train.sh
"""
import argparse
import os

import torch
from mmengine.config import Config, DictAction

from gersp_mm.compat import setup_dist_without_cuda
from gersp_mm.engine.runner import build_runner
from gersp_mm.utils import load_tool_config
from gersp_mm.utils.tool_errors import package_errors_as_sentences


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Train a model from an mmengine config.', epilog=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='config file path')
    parser.add_argument('--work-dir', help='where logs and checkpoints go '
                        '(default: ./work_dirs/<config name>)')
    parser.add_argument('--resume', nargs='?', type=str, const='auto',
                        help='resume from this checkpoint, or without a value from the newest intact '
                        'checkpoint in the work dir (damaged ones are named and skipped; none: trains from '
                        'scratch, with a warning)')
    parser.add_argument('--amp', action='store_true',
                        help='automatic mixed precision: float16 with loss scaling on GPU, bfloat16 on CPU')
    parser.add_argument('--auto-scale-lr', action='store_true',
                        help='scale the learning rate by the actual total batch size over '
                        'auto_scale_lr.base_batch_size')
    parser.add_argument('--no-validate', action='store_true', help='skip validation during training')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction,
                        help='override config values, e.g. train_dataloader.batch_size=16 '
                        'model.alpha=0.5')
    parser.add_argument('--launcher', choices=['none', 'pytorch', 'slurm', 'mpi'], default='none',
                        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args(argv)
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the training options to the config (``--work-dir`` and ``--cfg-options``: :func:`load_tool_config`)."""
    if args.amp:
        optim_wrapper = cfg.optim_wrapper.get('type', 'OptimWrapper')
        if optim_wrapper not in ('OptimWrapper', 'AmpOptimWrapper', 'CPUAutocastOptimWrapper'):
            raise ValueError(f'--amp cannot be combined with optim_wrapper type {optim_wrapper!r}')
        if torch.cuda.is_available():
            cfg.optim_wrapper.type = 'AmpOptimWrapper'
            cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
        else:
            cfg.optim_wrapper.type = 'CPUAutocastOptimWrapper'
            cfg.optim_wrapper.pop('loss_scale', None)
    if args.resume == 'auto':
        cfg.resume, cfg.load_from = True, None
    elif args.resume is not None:
        cfg.resume, cfg.load_from = True, args.resume
    if args.auto_scale_lr:
        if 'auto_scale_lr' not in cfg or 'base_batch_size' not in cfg.auto_scale_lr:
            raise ValueError('--auto-scale-lr needs auto_scale_lr.base_batch_size in the config')
        cfg.auto_scale_lr.enable = True
    if args.no_validate:
        cfg.val_cfg = cfg.val_dataloader = cfg.val_evaluator = None
    cfg.launcher = args.launcher
    return cfg


def main(argv=None) -> None:
    args = parse_args(argv)
    # a config mistake, a NaN loss, a damaged checkpoint: `error: <sentence>`, exit status 1
    with package_errors_as_sentences(args.config):
        cfg = merge_args(load_tool_config(args.config, args.cfg_options, args.work_dir), args)
        setup_dist_without_cuda(cfg, args.launcher)  # mmengine's init_dist needs CUDA
        runner = build_runner(cfg)  # a CrashSafeRunner unless the config names its runner_type
        runner.train()


if __name__ == '__main__':
    main()
