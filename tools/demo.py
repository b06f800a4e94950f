# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""The main job: what GeRSP adds over each of its sources, end to end on a laptop CPU, on built-in synthetic data.

The demo downloads nothing. It writes a small two-source dataset in the on-disk formats of the real ones
(unlabeled aerial scenes as a Million-AID folder, labeled patterns in ImageNet's layout, and downstream
scenes in the DIOR and NWPU-RESISC45 formats), pre-trains three ResNet-18 backbones on the same images for the
same number of iterations: GeRSP (both sources), MoCo v2 (aerial only) and a supervised classifier (natural
only), exports them, and fine-tunes a Faster R-CNN detector (DIOR format) and a scene classifier (NWPU
format) from each of them and from random initialisation. It prints the results table, what the numbers show
and the caveats, and writes results.md (the README's block), results.csv/.json, training_curves.png (losses
and the k-NN monitor) and detections.png (ground truth vs each init's detections). The pipeline is
gersp_mm.demo.run_demo; the configs are in configs/demo.

About 12 minutes per seed on 2 CPU cores; --quick runs every step on tiny data in about a minute (a smoke
test: its numbers mean nothing). The same seeds give the same data and results.

Examples::

    python tools/demo.py
    python tools/demo.py --seeds 0 1 2 --work-dir work_dirs/demo_3seeds
    python tools/demo.py --quick --work-dir work_dirs/demo_quick
"""
import argparse
import logging
import sys


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--work-dir', default='work_dirs/demo', help='output folder (default: %(default)s)')
    seeds = parser.add_mutually_exclusive_group()
    seeds.add_argument('--seeds', type=int, nargs='+',
                       help='seeds of the runs, each a full repetition; the data uses the first (default: 0)')
    seeds.add_argument('--seed', type=int, dest='seeds', action='append',
                       help='one seed (same as --seeds N)')
    parser.add_argument('--quick', action='store_true',
                        help='tiny data and a few iterations (about a minute): checks that every step runs')
    args = parser.parse_args(argv)
    args.seeds = args.seeds or [0]
    if len(set(args.seeds)) != len(args.seeds):
        parser.error(f'--seeds must be distinct, got {args.seeds}')
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(logging.Formatter('%(message)s'))
    logger = logging.getLogger('gersp_mm.demo')
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    logger.info('GeRSP demo: loading PyTorch and OpenMMLab ...')
    from gersp_mm.demo import run_demo  # after the first line: the imports take a while on a busy machine
    try:
        run_demo(args.work_dir, args.seeds, args.quick)
    except Exception:
        logger.error(f'The demo failed: the traceback follows; the runners\' log is {args.work_dir}/demo.log')
        raise
    return 0


if __name__ == '__main__':
    sys.exit(main())
