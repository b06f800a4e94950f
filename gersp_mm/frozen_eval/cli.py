# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Is the backbone better, and how sure are we? Frozen-backbone evaluation with few labels and confidence intervals.

Each BACKBONE is a checkpoint ``PATH`` (labelled with its file name) or ``LABEL=PATH`` in any layout the package
reads (gersp_mm pre-training, the authors' released GeRSP checkpoints, exported backbones, MoCo / mmselfsup /
mmpretrain, OpenMMLab models, torchvision), ``imagenet`` (torchvision's ResNet-50 from the torch hub cache) or
``random`` (seeded default initialisation). The CONFIG is a classification config: its train and test datasets
are read with its test pipeline and normalisation.

For every backbone the pooled last-stage features of the train and test images are computed once and cached
(``--cache-dir``, keyed by the backbone's content, the image list and the pipeline). On them, for every
protocol, label fraction and seed: ``knn20`` (weighted cosine k-NN, k = 20, T = 0.07), ``knn5`` (majority
k-NN, k = 5), ``linear`` (L-BFGS logistic regression on standardised features, L2 chosen on held-out labelled
images); the labelled images are a stratified ``fraction`` of each class (at least one), drawn from the seed,
the same for every backbone. Results: top-1 averaged over the seeds with a percentile bootstrap interval over
the test images and the spread over seeds; for every pair of backbones the paired bootstrap interval of the
difference and whether it excludes 0. Written to ``WORK_DIR/results.{csv,json,md,png}``.

Resumable: predictions are kept per cell in ``WORK_DIR/predictions``; a rerun computes only what is missing.

Examples::

    # GeRSP vs ImageNet vs random on NWPU-RESISC45 (20 % split), k-NN and linear probe, 3 seeds
    python tools/frozen_eval.py configs/cls/nwpu45/resnet50-gersp_8xb32_nwpu45-20p.py \\
        gersp=work_dirs/gersp_r50/epoch_100.pth imagenet random --protocols knn linear \\
        --fractions 1 10 100 --seeds 0 1 2
    # two checkpoints on EuroSAT, every protocol and the default fractions 1 5 10 20 50 100 %
    python tools/frozen_eval.py configs/cls/eurosat/resnet50-gersp_8xb32_eurosat-80p.py \\
        gersp100=checkpoints/gersp_r50.pth gersp200=checkpoints/gersp_r50_200e.pth
"""
import argparse
import os.path as osp
import time
from typing import Optional, Sequence

import torch
from mmengine.config import DictAction

from ..fileio import atomic_write
from ..utils import load_tool_config
from .backbones import parse_backbone
from .evaluation import FRACTIONS, Settings, evaluate_backbones
from .protocols import PROTOCOL_GROUPS, PROTOCOLS, expand_protocols
from .report import format_markdown, plot, write_csv, write_json


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description='Frozen-backbone evaluation: k-NN and linear probe on few labels, with bootstrap confidence '
        'intervals and paired differences between backbones.',
        epilog=__doc__.split('\n\n', 1)[1], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('config', help='classification config (train/test datasets, test pipeline, normalisation)')
    parser.add_argument('backbones', nargs='+', metavar='BACKBONE',
                        help='PATH, LABEL=PATH, imagenet or random (LABEL=imagenet, LABEL=random)')
    parser.add_argument('--protocols', nargs='+', default=['all'], metavar='PROTOCOL',
                        help=f'{", ".join(PROTOCOLS)}; groups: '
                        + ', '.join(f'{k} = {" ".join(v)}' for k, v in PROTOCOL_GROUPS.items()) + ' (default: all)')
    parser.add_argument('--fractions', nargs='+', type=float, default=[round(100 * f, 6) for f in FRACTIONS],
                        metavar='PERCENT', help='labelled percent of each class (default: 1 5 10 20 50 100)')
    parser.add_argument('--seeds', nargs='+', type=int, default=[0, 1, 2], help='label-subset seeds (default: 0 1 2)')
    parser.add_argument('--work-dir', help='results and predictions (default: work_dirs/frozen_eval/<config name>)')
    parser.add_argument('--cache-dir', help='feature cache (default: WORK_DIR/features)')
    parser.add_argument('--no-cache', action='store_true', help='compute the features without reading or writing '
                        'the cache')
    parser.add_argument('--batch-size', type=int, default=64, help='images per forward (default: 64)')
    parser.add_argument('--num-workers', type=int, default=4, help='data-loading workers (default: 4)')
    parser.add_argument('--device', default='auto', help='auto (cuda when available), cpu, cuda, cuda:N')
    parser.add_argument('--bootstrap', type=int, default=1000, help='bootstrap resamples (default: 1000)')
    parser.add_argument('--bootstrap-seed', type=int, default=0, help='seed of the bootstrap (default: 0)')
    parser.add_argument('--level', type=float, default=0.95, help='confidence level (default: 0.95)')
    parser.add_argument('--depth', type=int, help='ResNet depth of random backbones (default: the config\'s)')
    parser.add_argument('--unsafe-load', action='store_true',
                        help='unpickle arbitrary objects of checkpoints you trust (torch weights_only=False)')
    parser.add_argument('--no-progress', action='store_true', help='no progress bars')
    parser.add_argument('--cfg-options', nargs='+', action=DictAction, metavar='KEY=VALUE',
                        help='config overrides, e.g. test_dataloader.dataset.data_root=data/NWPU-RESISC45')
    return parser


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    """Parse and check the command line (``args.specs``, ``args.settings``, ``args.device`` resolved)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.specs = [parse_backbone(spec) for spec in args.backbones]
        args.settings = Settings(expand_protocols(args.protocols), tuple(p / 100 for p in args.fractions),
                                 tuple(args.seeds), args.bootstrap, args.bootstrap_seed, args.level)
    except ValueError as err:
        parser.error(str(err))
    labels = [spec.label for spec in args.specs]
    if len(set(labels)) != len(labels):
        parser.error(f'backbone labels must differ, got {labels}: label them with LABEL=PATH')
    missing = [spec.path for spec in args.specs if spec.path is not None and not osp.isfile(spec.path)]
    if missing:
        parser.error(f'checkpoint file(s) not found: {", ".join(missing)}')
    if not osp.isfile(args.config):
        parser.error(f'config file {args.config!r} not found')
    if args.device == 'auto':
        args.device = 'cuda' if torch.cuda.is_available() else 'cpu'
    args.work_dir = args.work_dir or osp.join('work_dirs', 'frozen_eval', osp.splitext(osp.basename(args.config))[0])
    args.cache_dir = None if args.no_cache else (args.cache_dir or osp.join(args.work_dir, 'features'))
    return args


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the evaluation and write the report; returns the exit code."""
    args = parse_args(argv)
    cfg = load_tool_config(args.config, args.cfg_options, args.work_dir)
    start = time.monotonic()
    evaluation = evaluate_backbones(cfg, args.specs, args.settings, args.work_dir, args.cache_dir, args.batch_size,
                                    args.num_workers, torch.device(args.device), args.unsafe_load,
                                    not args.no_progress, args.depth)
    settings = dict(config=args.config, backbones=args.backbones, protocols=list(args.settings.protocols),
                    fractions=list(args.settings.fractions), seeds=list(args.settings.seeds),
                    bootstrap=args.bootstrap, bootstrap_seed=args.bootstrap_seed, level=args.level)
    title = osp.splitext(osp.basename(args.config))[0]
    markdown = format_markdown(evaluation, title, args.level)
    paths = [osp.join(args.work_dir, f'results.{ext}') for ext in ('md', 'csv', 'json', 'png')]
    with atomic_write(paths[0], 'w') as f:
        f.write(markdown)
    write_csv(evaluation, paths[1])
    write_json(evaluation, paths[2], settings)
    plot(evaluation, paths[3], title)
    print(markdown)
    print(f'wrote {", ".join(paths)} in {time.monotonic() - start:.1f} s')
    return 0
