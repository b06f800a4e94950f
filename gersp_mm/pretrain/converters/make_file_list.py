# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Write the sorted list of images under a folder, for ``UnlabeledImageFolder(ann_file=...)``.

Scanning a million files at every start is slow; write the list once and pass it as ``ann_file``.
Paths are relative to the scanned folder, one per line, in a deterministic (sorted) order.

Examples::

    python tools/dataset_converters/make_file_list.py data/MillionAID/test data/MillionAID/test_list.txt
    # keep only some extensions
    python tools/dataset_converters/make_file_list.py data/MillionAID/train train_list.txt --ext .jpg .png
    # some of ImageNet-1k's class folders (a subset) as the natural source: meta/train.txt with their labels
    python tools/dataset_converters/make_file_list.py data/imagenet/train data/imagenet/meta/train.txt \
        --imagenet-labels
"""
import argparse
import os.path as osp
import sys
from typing import Optional, Sequence

from tqdm import tqdm

from ...fileio import atomic_write
from ...fileio.file_names import is_utf8_name, printable_name
from ..datasets import IMAGE_EXTENSIONS, iter_image_files
from ..datasets.imagenet_wnids import imagenet_annotation_line


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('root', help='folder to scan recursively')
    parser.add_argument('out', help='file list to write (paths relative to ROOT)')
    parser.add_argument('--ext', nargs='+', default=list(IMAGE_EXTENSIONS),
                        help=f'image extensions to keep (default: {" ".join(IMAGE_EXTENSIONS)})')
    parser.add_argument('--imagenet-labels', action='store_true',
                        help='ROOT holds ImageNet-1k class folders (<wnid>/<image>): write each path with its '
                        'ImageNet-1k label, as mmpretrain\'s meta/train.txt (for a subset of the classes)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line of ``tools/dataset_converters/make_file_list.py``; returns its exit code."""
    args = parse_args(argv)
    if not osp.isdir(args.root):
        print(f'error: {args.root!r} is not a directory', file=sys.stderr)
        return 1
    count, not_utf8 = 0, []
    try:
        with atomic_write(args.out, 'w') as f:  # nothing under args.out unless complete
            for path in tqdm(iter_image_files(args.root, args.ext), desc='scanning', unit=' images'):
                if not is_utf8_name(path):  # a UTF-8 list cannot hold it
                    not_utf8.append(printable_name(path))
                    continue
                f.write((imagenet_annotation_line(path, args.root) if args.imagenet_labels else path) + '\n')
                count += 1
            if not_utf8:
                raise ValueError(f'{len(not_utf8)} file names under {args.root!r} are not valid UTF-8, which the list '
                                 f'(UTF-8) cannot hold: {", ".join(not_utf8[:5])}{", ..." if len(not_utf8) > 5 else ""}'
                                 '; rename them to UTF-8 (e.g. convmv -f latin1 -t utf-8 -r --notest ROOT) or let the '
                                 'dataset scan the folder (no ann_file)')
            if count == 0:
                raise ValueError(f'no image with extensions {" ".join(args.ext)} under {args.root!r}')
    except (OSError, ValueError) as err:
        print(f'error: {printable_name(str(err))}', file=sys.stderr)
        return 1
    print(f'wrote {count} paths to {args.out}')
    return 0
