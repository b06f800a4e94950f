# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Cut large GeoTIFF / TIFF scenes into square chips, keeping their georeferencing, and write a file list.

Every scene under SRC (.tif/.tiff, recursively) becomes SRC-relative folders of chips on a regular grid
(--chip-size, --stride), read by windows (memory independent of the scene size). Chips with more than
--max-nodata of nodata pixels (the file's GDAL nodata value, or --nodata) are skipped. --format tif keeps
the bands and values as stored, with the GeoTIFF tags (reference system, the chip's own transform, nodata);
jpg/png write 8-bit RGB through --bands and one value mapping (--bit-depth, --value-range or
--percentiles), with a world file (.jgw/.pgw) beside each chip. Parallel and resumable: chips are written
atomically, each finished scene is recorded in OUT/<scene>.chips.json and skipped by a rerun. The chips are
listed in OUT/file_list.txt, for UnlabeledImageFolder(data_root=OUT, ann_file='file_list.txt').

Examples::

    # keep the 16-bit 4-band data; train with raster=dict(bands=(1, 2, 3), bit_depth=12)
    python tools/dataset_converters/chip_scenes.py data/scenes data/chips --chip-size 1024
    # 8-bit RGB JPEG chips (the fastest to train on), bands 1-3 of 12-bit data
    python tools/dataset_converters/chip_scenes.py data/scenes data/chips_jpg --format jpg \\
        --bands 1 2 3 --bit-depth 12 --workers 16
"""
import argparse
import sys
from typing import Optional, Sequence

from .chipping import FORMATS, ChipSettings, chip_scenes


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='folder of scenes (scanned recursively)')
    parser.add_argument('out', help='output folder (created; resumable)')
    parser.add_argument('--chip-size', type=int, default=1024, help='side of a chip in pixels (default 1024)')
    parser.add_argument('--stride', type=int, default=None, help='distance between chips (default: chip size)')
    parser.add_argument('--format', choices=FORMATS, default='tif', help='chip format (default tif)')
    parser.add_argument('--max-nodata', type=float, default=0.5,
                        help='skip chips with a larger fraction of nodata pixels (default 0.5)')
    parser.add_argument('--nodata', type=float, default=None, help="nodata value (default: the file's)")
    parser.add_argument('--bands', type=int, nargs='+', default=None,
                        help='jpg/png: 1-based bands giving R G B (or one gray band), as GDAL numbers them')
    scaling = parser.add_mutually_exclusive_group()
    scaling.add_argument('--bit-depth', type=int, default=None, help='jpg/png: map 0..2^b-1 to 0-255')
    scaling.add_argument('--value-range', type=float, nargs=2, default=None, metavar=('LOW', 'HIGH'),
                         help='jpg/png: map LOW..HIGH to 0-255')
    scaling.add_argument('--percentiles', type=float, nargs=2, default=None, metavar=('LOW', 'HIGH'),
                         help='jpg/png: per-chip, per-band percentile stretch (e.g. 2 98)')
    parser.add_argument('--quality', type=int, default=95, help='JPEG quality (default 95)')
    parser.add_argument('--workers', type=int, default=None, help='worker processes (default: all CPUs)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line of ``tools/dataset_converters/chip_scenes.py``; returns its exit code."""
    args = parse_args(argv)
    raster = {key: value for key, value in dict(
        bands=tuple(args.bands) if args.bands else None, bit_depth=args.bit_depth,
        value_range=tuple(args.value_range) if args.value_range else None,
        percentiles=tuple(args.percentiles) if args.percentiles else None, nodata=args.nodata).items()
        if value is not None}
    try:
        settings = ChipSettings(chip_size=args.chip_size, stride=args.stride or args.chip_size, format=args.format,
                                max_nodata_fraction=args.max_nodata, raster=raster, jpeg_quality=args.quality)
        summary = chip_scenes(args.src, args.out, settings, workers=args.workers)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'{summary.scenes} scenes ({summary.scenes_done_before} done in an earlier run): wrote {summary.written} '
          f'chips, kept {summary.existing}, skipped {summary.skipped_nodata} for nodata; chips listed in '
          f'{summary.file_list}')
    if summary.failed:
        print(f'error: {len(summary.failed)} scenes could not be chipped:', file=sys.stderr)
        for failure in summary.failed:
            print(f'  {failure}', file=sys.stderr)
        return 1
    return 0
