# Copyright (c) gersp_mm contributors. Licensed under the Apache License 2.0.
"""Every protocol, label fraction and seed of the frozen evaluation on cached features of 30,000 images.

Synthetic features of a ResNet-50's dimension (2048) for ``--images`` images of ``--classes`` classes
(Gaussian class centres plus noise, non-negative as pooled ReLU features), split per class into
``--train-ratio`` training and the rest test images (NWPU-RESISC45's 20 % split by default: 6,000 training
and 24,000 test images of 45 classes). Timed: :func:`gersp_mm.frozen_eval.evaluate_features` with every
protocol (weighted k-NN, majority k-NN, linear probe), the default fractions 1 5 10 20 50 100 % and three
seeds, including the bootstrap intervals (1,000 resamples); no work dir (nothing read from or written to disk).

Example::

    OMP_NUM_THREADS=1 python benchmarks/frozen_eval_protocols.py --images 30000 --classes 45 --train-ratio 0.2
"""
import argparse
import time

import torch

from gersp_mm.frozen_eval import FeatureSet, Settings, evaluate_features
from gersp_mm.frozen_eval.label_subsets import label_subset


def synthetic_features(images: int, classes: int, dim: int, train_ratio: float, seed: int = 0):
    """(train, test) feature sets of ``images`` synthetic images, split per class."""
    generator = torch.Generator().manual_seed(seed)
    labels = torch.arange(images) % classes
    centres = torch.rand(classes, dim, generator=generator)
    feats = (centres[labels] + 2.5 * torch.randn(images, dim, generator=generator)).clamp(min=0)
    train = label_subset(labels, train_ratio, seed)
    test = torch.ones(images, dtype=torch.bool)
    test[train] = False
    files = tuple(f'{i}.jpg' for i in range(images))

    def subset(indices):
        return FeatureSet(feats[indices], labels[indices], tuple(files[i] for i in indices.tolist()))

    return subset(train), subset(test.nonzero().flatten())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--images', type=int, default=30000)
    parser.add_argument('--classes', type=int, default=45)
    parser.add_argument('--dim', type=int, default=2048)
    parser.add_argument('--train-ratio', type=float, default=0.2)
    parser.add_argument('--protocols', nargs='+', default=['knn20', 'knn5', 'linear'])
    args = parser.parse_args()
    train, test = synthetic_features(args.images, args.classes, args.dim, args.train_ratio)
    settings = Settings(tuple(args.protocols))
    print(f'{len(train.labels)} training / {len(test.labels)} test features of dimension {args.dim}, '
          f'{args.classes} classes; protocols {settings.protocols}, fractions {settings.fractions}, seeds '
          f'{settings.seeds}; {torch.get_num_threads()} torch thread(s)', flush=True)
    for protocol in settings.protocols:
        start = time.perf_counter()
        evaluation = evaluate_features({'a': (train, test)}, Settings((protocol, )))
        top1 = ', '.join(f'{r.fraction:g}: {r.interval.estimate:.1f}' for r in evaluation.accuracies)
        print(f'{protocol}: {time.perf_counter() - start:.1f} s (top-1 by fraction: {top1})', flush=True)
    start = time.perf_counter()
    evaluate_features({'a': (train, test)}, settings)
    print(f'all protocols, fractions and seeds: {time.perf_counter() - start:.1f} s', flush=True)


if __name__ == '__main__':
    main()
