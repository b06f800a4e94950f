# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Pre-resize an image collection to a maximum side, keeping its folder structure, and write its file list.

Images whose longer side exceeds --max-side are resized (Lanczos, EXIF orientation applied) and written
in their own format (JPEG at --quality); smaller ones are copied unchanged. Parallel and resumable: outputs
are written atomically and a rerun skips them. The file list (paths relative to OUT) goes to
OUT/file_list.txt, for UnlabeledImageFolder(data_root=OUT, ann_file='file_list.txt').

Views keep their full resolution (MoCo v1 at 224 px) when the max side is at least
224 * sqrt(aspect / 0.15): 579 px for square images, 668 px for 4:3, 818 px for 2:1 (the default 1024
covers aspect ratios up to 3:1); see configs/pretrain/README.md.

Examples::

    python tools/dataset_converters/pre_resize.py data/MillionAID/test data/MillionAID/test_1024
    python tools/dataset_converters/pre_resize.py data/MillionAID/train data/MillionAID/train_768 \\
        --max-side 768 --workers 16 --src-list data/MillionAID/train_list.txt
"""
import argparse
import sys
from typing import Optional, Sequence

from .image_resizing import pre_resize_folder


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help='image folder (scanned recursively)')
    parser.add_argument('out', help='output folder (created; resumable)')
    parser.add_argument('--max-side', type=int, default=1024, help='largest side of an output image (default 1024)')
    parser.add_argument('--quality', type=int, default=90, help='JPEG quality of resized JPEGs (default 90)')
    parser.add_argument('--workers', type=int, default=None, help='worker processes (default: all CPUs)')
    parser.add_argument('--src-list', default=None, help='file list of SRC to use instead of scanning it')
    parser.add_argument('--file-list', default='file_list.txt',
                        help='output file list, relative to OUT or absolute (default file_list.txt)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line of ``tools/dataset_converters/pre_resize.py``; returns its exit code."""
    args = parse_args(argv)
    try:
        summary = pre_resize_folder(args.src, args.out, args.max_side, quality=args.quality, workers=args.workers,
                                    src_list=args.src_list, file_list=args.file_list)
    except (FileNotFoundError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    listed = summary.resized + summary.copied + summary.existing
    print(f'resized {summary.resized}, copied {summary.copied} (already at most {args.max_side} px), '
          f'kept {summary.existing} from an earlier run; listed {listed} images in {summary.file_list}')
    if summary.failed:
        print(f'error: {len(summary.failed)} images could not be read and are not listed:', file=sys.stderr)
        for failure in summary.failed:
            print(f'  {failure}', file=sys.stderr)
        return 1
    return 0
