# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut DOTA-v1.0 into square patches, with horizontal boxes (``DOTAHBBDataset``) or polygons (mmrotate).

The conversion is :func:`gersp_mm.det.converters.dota_patches.convert_dota`; its module docstring
describes the input and output layouts and the rules (patch origins, --iof-thr, clipped, skipped and
best-patch objects, each reported by file and line and counted in the summary); ``--box-type obb`` writes
polygons in DOTA label files for the oriented detectors (mmrotate).

Examples::

    # the paper's setting: 800x800 patches, stride 640, train and val, 8 processes
    python tools/dataset_converters/prepare_dota.py data/DOTA data/DOTA/split_800_640 --nproc 8
    # one split, other patch settings
    python tools/dataset_converters/prepare_dota.py data/DOTA data/DOTA/split_1024_824 --splits val \\
        --patch-size 1024 --stride 824
    # oriented boxes, mmrotate's 1024x1024 patches with a 200-px overlap; the unlabelled test split too
    python tools/dataset_converters/prepare_dota.py data/DOTA data/DOTA/split_obb_1024_824 --box-type obb \
        --splits train val --unlabeled-splits test --nproc 8
"""
import argparse
from typing import Optional, Sequence

from . import dota_patches
from .dota_patches import DEFAULT_GRIDS, convert_dota


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Cut DOTA-v1.0 images into patches with horizontal boxes (DOTAHBBDataset) or polygons '
                    '(mmrotate).',
        epilog=dota_patches.__doc__ + __doc__[__doc__.index('Examples'):],
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='DOTA root holding <split>/images and <split>/labelTxt')
    parser.add_argument('dst', help='output root, e.g. data/DOTA/split_800_640')
    parser.add_argument('--splits', nargs='+', default=['train', 'val'], help='splits to convert')
    parser.add_argument('--box-type', choices=sorted(DEFAULT_GRIDS), default='hbb',
                        help='hbb: horizontal boxes in <split>/annotations.json; obb: polygons in '
                             '<split>/annfiles/*.txt')
    parser.add_argument('--unlabeled-splits', nargs='+', default=[],
                        help='splits without labelTxt/ (DOTA test), cut from their images alone')
    parser.add_argument('--patch-size', type=int, default=None,
                        help='patch side in pixels (default: 800 for hbb, 1024 for obb)')
    parser.add_argument('--stride', type=int, default=None,
                        help='step between patches in pixels (default: 640 for hbb, 824 for obb)')
    parser.add_argument('--iof-thr', type=float, default=0.7,
                        help='keep an object in a patch when at least this fraction of its box is inside '
                             '(an object below it in every patch is kept in its best patch)')
    parser.add_argument('--pad-value', type=int, default=0,
                        help='fill value of the padding of images smaller than a patch')
    parser.add_argument('--nproc', type=int, default=1, help='worker processes')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line of ``tools/dataset_converters/prepare_dota.py``; returns its exit code."""
    args = parse_args(argv)
    convert_dota(args.src, args.dst, args.splits, box_type=args.box_type, unlabeled_splits=args.unlabeled_splits,
                 patch_size=args.patch_size, stride=args.stride,
                 iof_thr=args.iof_thr, pad_value=args.pad_value, nproc=args.nproc)
    return 0
