# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Write the sorted list of images under a folder, for ``UnlabeledImageFolder(ann_file=...)``.

Scanning a million files at every start is slow; write the list once and pass it as ``ann_file``.
Paths are relative to the scanned folder, one per line, in a deterministic (sorted) order.

Examples::

    python tools/dataset_converters/make_file_list.py data/MillionAID/test data/MillionAID/test_list.txt
    # keep only some extensions
    python tools/dataset_converters/make_file_list.py data/MillionAID/train train_list.txt --ext .jpg .png
"""
import argparse
import os.path as osp
import sys

from tqdm import tqdm

from gersp_mm.fileio import atomic_write
from gersp_mm.pretrain.datasets import IMAGE_EXTENSIONS, iter_image_files


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0], epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('root', help='folder to scan recursively')
    parser.add_argument('out', help='file list to write (paths relative to ROOT)')
    parser.add_argument('--ext', nargs='+', default=list(IMAGE_EXTENSIONS),
                        help=f'image extensions to keep (default: {" ".join(IMAGE_EXTENSIONS)})')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if not osp.isdir(args.root):
        print(f'error: {args.root!r} is not a directory', file=sys.stderr)
        return 1
    count = 0
    try:
        with atomic_write(args.out, 'w') as f:  # nothing under args.out unless complete
            for path in tqdm(iter_image_files(args.root, args.ext), desc='scanning', unit=' images'):
                f.write(path + '\n')
                count += 1
            if count == 0:
                raise ValueError(f'no image with extensions {" ".join(args.ext)} under {args.root!r}')
    except (OSError, ValueError) as err:
        print(f'error: {err}', file=sys.stderr)
        return 1
    print(f'wrote {count} paths to {args.out}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
