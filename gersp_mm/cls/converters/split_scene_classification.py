# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Write seeded, per-class stratified train/test lists for NWPU-RESISC45 and EuroSAT.

Neither dataset has an official split. The standard protocols train on a fraction of every class and
test on the rest: NWPU-RESISC45 10% and 20% train, EuroSAT 80% train. For each class, its images (sorted
by path) are shuffled with ``random.Random(seed)`` and the first round(n * ratio) (half up, at least one,
and at least one left for test) go to train. The same seed, ratio and files always give the same lists.

Each list has one ``<class>/<image> <label>`` per line (mmpretrain's annotation format, labels in the
official class order) and is named ``{train,test}-<percent>p_seed<seed>.txt``, e.g.
``train-20p_seed0.txt``, in ``--out-dir`` (default: ``<data_root>/meta``, where the configs of
configs/cls look for them).

Examples::

    # NWPU-RESISC45, 10% and 20% train, seed 0 -> data/NWPU-RESISC45/meta/{train,test}-{10,20}p_seed0.txt
    python tools/dataset_converters/split_scene_classification.py nwpu45 data/NWPU-RESISC45
    # EuroSAT RGB, 80% train, seeds 0 to 4
    python tools/dataset_converters/split_scene_classification.py eurosat data/EuroSAT/2750 --seed 0 1 2 3 4
    # one ratio, lists elsewhere
    python tools/dataset_converters/split_scene_classification.py nwpu45 data/NWPU-RESISC45 \\
        --train-ratio 0.2 --out-dir splits/nwpu45
"""
import argparse
import math
import os
import os.path as osp
import random
from collections import defaultdict
from typing import Dict, List, Optional, Sequence, Tuple

from ...fileio import atomic_write
from ..datasets import EUROSAT_CLASSES, NWPU_RESISC45_CLASSES, scan_class_folders

#: dataset name -> (official classes, standard train ratios)
DATASETS: Dict[str, Tuple[Tuple[str, ...], Tuple[float, ...]]] = {
    'nwpu45': (NWPU_RESISC45_CLASSES, (0.1, 0.2)),
    'eurosat': (EUROSAT_CLASSES, (0.8, )),
}

Sample = Tuple[str, int]


def num_train(num_images: int, ratio: float) -> int:
    """Number of training images of a class: ``num_images * ratio`` rounded half up, in [1, n - 1]."""
    return min(max(math.floor(num_images * ratio + 0.5), 1), num_images - 1)


def split_samples(samples: Sequence[Sample], ratio: float, seed: int) -> Tuple[List[Sample], List[Sample]]:
    """Split labelled samples into train and test, per class, reproducibly.

    Args:
        samples (Sequence[tuple[str, int]]): ``(relative path, label)`` pairs.
        ratio (float): Fraction of each class for training, in (0, 1).
        seed (int): Seed of the per-class shuffles.

    Returns:
        tuple[list, list]: Train and test samples, each sorted by label, then path.

    Raises:
        ValueError: If ``ratio`` is not in (0, 1) or a class has fewer than two images.
    """
    if not 0 < ratio < 1:
        raise ValueError(f'train ratio must be in (0, 1), got {ratio}')
    by_label: Dict[int, List[str]] = defaultdict(list)
    for path, label in samples:
        by_label[label].append(path)
    rng = random.Random(seed)
    train, test = [], []
    for label in sorted(by_label):
        paths = sorted(by_label[label])
        if len(paths) < 2:
            raise ValueError(f'class {label} has {len(paths)} image(s) ({paths}); a train/test split needs '
                             'at least two per class')
        rng.shuffle(paths)
        cut = num_train(len(paths), ratio)
        train += [(path, label) for path in paths[:cut]]
        test += [(path, label) for path in paths[cut:]]
    return sorted(train, key=lambda s: (s[1], s[0])), sorted(test, key=lambda s: (s[1], s[0]))


def list_names(ratio: float, seed: int) -> Tuple[str, str]:
    """File names of the train and test lists, e.g. ``('train-20p_seed0.txt', 'test-20p_seed0.txt')``."""
    tag = f'{ratio * 100:g}p_seed{seed}'
    return f'train-{tag}.txt', f'test-{tag}.txt'


def write_list(path: str, samples: Sequence[Sample]) -> None:
    """Write ``<relative path> <label>`` lines (atomically: nothing under ``path`` unless complete)."""
    with atomic_write(path, 'w') as f:
        f.writelines(f'{rel_path} {label}\n' for rel_path, label in samples)


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Write seeded per-class train/test lists for a scene classification dataset.',
        epilog=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('dataset', choices=sorted(DATASETS), help='which dataset (fixes the class list)')
    parser.add_argument('data_root', help='folder holding one sub-folder of images per class')
    parser.add_argument('--train-ratio', type=float, nargs='+',
                        help='fraction(s) of each class for training (default: nwpu45 0.1 0.2, eurosat 0.8)')
    parser.add_argument('--seed', type=int, nargs='+', default=[0], help='seed(s), one split each (default: 0)')
    parser.add_argument('--out-dir', help='where the lists go (default: <data_root>/meta)')
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    """The command line of ``tools/dataset_converters/split_scene_classification.py``; returns its exit code."""
    args = parse_args(argv)
    classes, default_ratios = DATASETS[args.dataset]
    ratios = args.train_ratio or default_ratios
    for ratio in ratios:
        if not 0 < ratio < 1:
            raise SystemExit(f'--train-ratio must be in (0, 1), got {ratio}')
    out_dir = args.out_dir or osp.join(args.data_root, 'meta')

    print(f'Scanning {args.data_root} for the {len(classes)} {args.dataset} classes ...', flush=True)
    samples = scan_class_folders(args.data_root, classes)
    counts: Dict[int, int] = defaultdict(int)
    for _, label in samples:
        counts[label] += 1
    for label, name in enumerate(classes):
        if label in counts:
            cuts = ', '.join(f'{num_train(counts[label], r)} train @ {r:g}' for r in ratios)
            print(f'  [{label + 1:2d}/{len(classes)}] {name}: {counts[label]} images -> {cuts}', flush=True)
        else:
            print(f'  [{label + 1:2d}/{len(classes)}] {name}: no folder, skipped', flush=True)
    print(f'{len(samples)} images in {len(counts)} of {len(classes)} classes', flush=True)

    os.makedirs(out_dir, exist_ok=True)
    for seed in args.seed:
        for ratio in ratios:
            train, test = split_samples(samples, ratio, seed)
            for name, part in zip(list_names(ratio, seed), (train, test)):
                path = osp.join(out_dir, name)
                write_list(path, part)
                print(f'Wrote {path} ({len(part)} images)', flush=True)
    return 0

